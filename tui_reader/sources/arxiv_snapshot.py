"""arXiv's metadata snapshot ("arxiv-metadata-oai-snapshot.json" on Kaggle and mirrors): one JSON
object per line, about 2.9 million papers in about 4.5 GB.

Too large to hold: `read_papers` streams it a line at a time, keeps the papers a `Subset` wants,
and reports a bad line by its number and skips it. Titles, abstracts and authors keep their TeX as
written (only hard line wraps are joined).
"""

from __future__ import annotations

import os
import stat
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

import orjson

from tui_reader.errors import SourceError
from tui_reader.links import find_links, merge_links
from tui_reader.merge import merge_papers
from tui_reader.models import Paper, clean_arxiv_id
from tui_reader.sources.arxiv import arxiv_paper_links, unwrap

SOURCE = "arxiv-snapshot"
# A snapshot record has these beside its id; no other format we read has any of them.
_MARK_KEYS = ("authors_parsed", "versions", "update_date", "journal-ref")
_MONTHS = {m: f"{i:02d}" for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}

OnBadLine = Callable[[int, str], None]
OnBytes = Callable[[int], None]


@dataclass(frozen=True)
class Subset:
    """Which papers of the snapshot to keep: categories by prefix (`cs.LG`, or `cs` for all of
    computer science; any one of them), and a first version on or after `since` (YYYY-MM-DD)."""

    categories: tuple[str, ...] = ()
    since: str | None = None

    def wants(self, paper: Paper) -> bool:
        if self.since and (paper.published or "") < self.since:
            return False
        if self.categories:
            return any(c.startswith(prefix) for c in paper.categories for prefix in self.categories)
        return True


def detect(text: str) -> bool:
    return detect_line(text.lstrip("\ufeff \t\r\n").split("\n", 1)[0])


def detect_line(line: str | bytes) -> bool:
    """True when a file's first line is a snapshot record."""
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(record, dict) and "id" in record and any(key in record for key in _MARK_KEYS)


def detect_file(path) -> bool:
    """Whether a file is a snapshot, from its first line only (at most 1 MiB of it is read).
    Only a regular file is looked at: a pipe read here would lose what it gave."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as f:
            head = f.readline(1 << 20)
    except OSError:
        return False
    return detect_line(head.removeprefix(b"\xef\xbb\xbf"))


def parse(text: str) -> list[Paper]:
    """A snapshot given as text (small ones, through the common reader): the first bad line is
    refused with its number, since nothing here could say it was skipped."""

    def refuse(number: int, reason: str) -> None:
        raise SourceError("", f"line {number}: {reason}")

    return list(read_lines(text.encode("utf-8").splitlines(), Subset(), refuse))


def read_papers(file: BinaryIO, subset: Subset, on_bad_line: OnBadLine, on_bytes: OnBytes | None = None) -> Iterator[Paper]:
    """The papers of a snapshot file, read a line at a time. `on_bytes` is told how many bytes
    have been read, every few thousand lines."""

    def lines() -> Iterator[bytes]:
        done = 0
        for number, line in enumerate(file, 1):
            done += len(line)
            if on_bytes is not None and number % 4096 == 0:
                on_bytes(done)
            yield line
        if on_bytes is not None:
            on_bytes(done)

    return read_lines(lines(), subset, on_bad_line)


def read_lines(lines: Iterable[bytes], subset: Subset, on_bad_line: OnBadLine) -> Iterator[Paper]:
    for number, line in enumerate(lines, 1):
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        if not line.strip():
            continue
        try:
            paper = paper_of(orjson.loads(line))
        except orjson.JSONDecodeError as error:
            on_bad_line(number, f"not valid JSON ({error})")
            continue
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as error:
            on_bad_line(number, str(error))
            continue
        if subset.wants(paper):
            yield paper


def paper_of(record: Any) -> Paper:
    """One snapshot record as a Paper; ValueError naming what is wrong with it."""
    if not isinstance(record, dict):
        raise ValueError(f"a JSON {type(record).__name__}, not a record")
    raw_id = record.get("id")
    arxiv_id = clean_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if arxiv_id is None:
        raise ValueError(f"no arXiv id (id is {raw_id!r:.60})")
    title = _unwrap(_text(record, "title"))
    if not title:
        raise ValueError(f"{arxiv_id} has no title")
    abstract = _unwrap(_text(record, "abstract"))
    comment = _unwrap(_text(record, "comments"))
    categories = _text(record, "categories").split()
    links = arxiv_paper_links(arxiv_id)
    if "://" in comment or "://" in abstract:
        links = merge_links(find_links(comment), find_links(abstract), links)
    return Paper(
        id=arxiv_id,
        title=title,
        abstract=abstract,
        authors=_authors(record),
        published=_first_version_date(record),
        source=SOURCE,
        sources=[SOURCE],
        links=links,
        categories=list(dict.fromkeys(categories)) if len(categories) > 1 else categories,
        arxiv_comment=comment,
        doi=_text(record, "doi").strip(),
        journal_ref=_unwrap(_text(record, "journal-ref")),
    )


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _unwrap(text: str) -> str:
    """arxiv.unwrap (wrapped lines joined, paragraphs kept), with the common case of one paragraph
    done in C: this runs on every title and abstract of a million-paper snapshot."""
    if _PARAGRAPH_BREAK.search(text):
        return unwrap(text)
    return " ".join(text.split())


def refresh(old: Paper, new: Paper) -> Paper:
    """`old` updated from a newer snapshot: merged as any import is, but the snapshot's own
    metadata (a corrected title, a new version's abstract, a journal reference) replaces what the
    record had, since arXiv is the authority on it."""
    merged = merge_papers(old, new)
    return replace(
        merged,
        title=new.title,
        abstract=new.abstract or merged.abstract,
        authors=new.authors or merged.authors,
        published=new.published or merged.published,
        categories=new.categories or merged.categories,
        arxiv_comment=new.arxiv_comment or merged.arxiv_comment,
        doi=new.doi or merged.doi,
        journal_ref=new.journal_ref or merged.journal_ref,
    )


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key} is a {type(value).__name__}, not text")
    return value


def _authors(record: dict) -> list[str]:
    """From authors_parsed ([last, first, suffix]), else the `authors` text split at commas and
    "and"."""
    parsed = record.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if type(parts) is list and 2 <= len(parts) <= 4 and all(type(p) is str for p in parts):
                name = f"{parts[1]} {parts[0]} {parts[2] if len(parts) > 2 else ''}".strip()
                if "  " in name:  # an empty or spaced part
                    name = " ".join(name.split())
                if name:
                    names.append(name)
        if names:
            return names
    text = unwrap(_text(record, "authors"))
    return [name.strip() for chunk in text.split(", ") for name in chunk.split(" and ") if name.strip()]


def _first_version_date(record: dict) -> str | None:
    """The date of v1 ("Mon, 11 Jan 2021 20:31:27 GMT" -> 2021-01-11), else update_date."""
    versions = record.get("versions")
    if isinstance(versions, list) and versions and isinstance(versions[0], dict):
        parts = str(versions[0].get("created", "")).split()
        if len(parts) >= 4 and parts[2] in _MONTHS and parts[1].isdigit() and parts[3].isdigit():
            return f"{parts[3]}-{_MONTHS[parts[2]]}-{int(parts[1]):02d}"
    update = record.get("update_date")
    return update[:10] if isinstance(update, str) and len(update) >= 10 else None
