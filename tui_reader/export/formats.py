"""Turning the library into other formats. Pure functions over papers and states, and one writer.

`export_text(fmt, papers, states)` is the entry point: papers in the order wanted, states by id;
`write_export(path, fmt, papers, states)` writes that text to a file atomically.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from tui_reader.models import Paper, PaperState
from tui_reader.export.backup import to_json

EXPORT_FORMATS = ("bibtex", "markdown", "json", "csv")
FILE_SUFFIXES = {"bibtex": ".bib", "markdown": ".md", "json": ".json", "csv": ".csv"}

States = Mapping[str, PaperState]


def paper_record(paper: Paper, state: PaperState) -> dict[str, Any]:
    """The flat object of `tui-reader list --json`: exactly these keys."""
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "published": paper.published,
        "links": [link.to_dict() for link in paper.links],
        "read": state.read,
        "starred": state.starred,
        "tags": list(state.tags),
        "note": state.note,
        "added": paper.added,
    }


def export_text(fmt: str, papers: Sequence[Paper], states: States) -> str:
    """`papers` (in the order wanted) as `fmt`, one of EXPORT_FORMATS."""
    writers = {"bibtex": to_bibtex, "markdown": to_markdown, "json": to_json, "csv": to_csv}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    return writers[fmt](papers, states)


def write_export(path: Path, fmt: str, papers: Sequence[Paper], states: States) -> Path:
    """Write the export to `path` (temp file, fsync, rename): an old file is replaced whole or kept.
    Raises StorageWriteError (a one-line ReaderError) when the file cannot be written."""
    from tui_reader.store.files import atomic_write_bytes

    path = Path(path)
    # The temp file is private (0600); an export is an ordinary file: keep the old file's mode.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    atomic_write_bytes(path, export_text(fmt, papers, states).encode("utf-8"))
    os.chmod(path, mode)
    return path


def export_filename(fmt: str, day: str | None = None) -> str:
    """A default file name for an export: `tui-reader-2025-03-11.bib`."""
    return f"tui-reader-{day or time.strftime('%Y-%m-%d')}{FILE_SUFFIXES[fmt]}"


def _state(states: States, pid: str) -> PaperState:
    return states.get(pid) or PaperState()


def _link(paper: Paper, *kinds: str) -> str:
    return next((link.url for kind in kinds for link in paper.links_of(kind)), "")


def main_url(paper: Paper) -> str:
    """The paper's own page: arXiv abstract, else HF page, else project, code or PDF."""
    return _link(paper, "arxiv", "hf", "project", "code", "pdf")


# -- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "title", "authors", "published", "url", "code", "project", "pdf", "categories",
    "upvotes", "comments", "read", "starred", "tags", "note", "added", "abstract",
)  # fmt: skip


# A cell a spreadsheet would run as a formula (=, +, @, a tab, or "-" then a sign of one) gets a
# leading "'", the usual guard: a title from a feed must not run code in the reader's spreadsheet.
_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-[^\s-])")


def csv_cell(value: object) -> object:
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def to_csv(papers: Sequence[Paper], states: States) -> str:
    """One row per paper; list fields joined with '; '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        state = _state(states, paper.id)
        writer.writerow(map(csv_cell, [
            paper.id, paper.title, "; ".join(paper.authors), paper.published or "", main_url(paper),
            "; ".join(l.url for l in paper.links_of("code")), "; ".join(l.url for l in paper.links_of("project")),
            _link(paper, "pdf"), "; ".join(paper.categories),
            "" if paper.upvotes is None else paper.upvotes, "" if paper.comments is None else paper.comments,
            "yes" if state.read else "no", "yes" if state.starred else "no",
            "; ".join(state.tags), state.note, paper.added, paper.abstract,
        ]))  # fmt: skip
    return out.getvalue()


# -- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_markdown(papers: Sequence[Paper], states: States) -> str:
    """A reading list: title linked, authors, date, code/project links, tags, the note."""
    lines = ["# Reading list", "", f"{len(papers)} paper{'s' if len(papers) != 1 else ''}", ""]
    for paper in papers:
        state = _state(states, paper.id)
        url = main_url(paper)
        title = md_escape(paper.title)
        star = " ★" if state.starred else ""
        lines.append(f"## [{title}](<{url}>){star}" if url else f"## {title}{star}")
        lines.append("")
        details = []
        if paper.authors:
            shown = paper.authors if len(paper.authors) <= 8 else [*paper.authors[:8], "et al."]
            details.append(f"- Authors: {md_escape(', '.join(shown))}")
        if paper.published:
            details.append(f"- Published: {paper.published}")
        if paper.arxiv_id:
            details.append(f"- arXiv: [{paper.arxiv_id}](<https://arxiv.org/abs/{paper.arxiv_id}>)")
        for kind, label in (("code", "Code"), ("project", "Project")):
            for link in paper.links_of(kind):
                details.append(f"- {label}: <{link.url}>")
        if state.tags:
            details.append(f"- Tags: {', '.join(f'`{t}`' for t in state.tags)}")
        lines += details
        if state.note.strip():
            lines += ["", *(f"> {line}".rstrip() for line in state.note.strip().splitlines())]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# -- BibTeX ------------------------------------------------------------------------------------

_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "at", "by", "from", "is", "are", "towards", "toward"}


def _ascii_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


def family_name(author: str) -> str:
    """'Ada Lovelace' -> 'Lovelace'; 'Lovelace, Ada' -> 'Lovelace'; 'van der Berg, Anna' -> 'van der Berg'."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0]
    words = author.split()
    return words[-1] if words else ""


def base_key(paper: Paper) -> str:
    """First author's family name + year + first significant title word: `chen2023recursive`."""
    family = _ascii_word(family_name(paper.authors[0])) if paper.authors else ""
    year = paper.published[:4] if paper.published and paper.published[:4].isdigit() else ""
    words = [w for w in (_ascii_word(w) for w in paper.title.split()) if w]
    word = next((w for w in words if w not in _STOPWORDS), words[0] if words else "")
    return f"{family}{year}{word}" or _ascii_word(paper.id) or "paper"


def citation_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """Paper id -> a unique key. Clashes are settled by paper id, not by list order, so a paper keeps
    its key however the view is sorted: the smallest id gets the bare key, the others b, c, …"""
    groups: dict[str, list[str]] = {}
    for paper in papers:
        groups.setdefault(base_key(paper), []).append(paper.id)
    keys: dict[str, str] = {}
    taken = set(groups)
    for base, ids in groups.items():
        for index, pid in enumerate(sorted(ids)):
            key = base if index == 0 else _suffixed(base, index, taken)
            taken.add(key)
            keys[pid] = key
    return keys


def _suffixed(base: str, index: int, taken: set[str]) -> str:
    while True:
        suffix, n = "", index
        while n >= 0:  # 1 -> b, 2 -> c, …, 25 -> z, 26 -> aa
            suffix = chr(ord("a") + n % 26) + suffix
            n = n // 26 - 1
        if base + suffix not in taken:
            return base + suffix
        index += 1


_MATH = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")
_TEXT_ESCAPES = {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """Plain text (which may hold bits of TeX, as arXiv abstracts do) made safe as a BibTeX value:
    & % # _ and lone $ get a backslash unless they have one, ~ and ^ become text commands, $…$
    math and TeX commands are kept, and braces are balanced (BibTeX breaks on unbalanced ones)."""
    out = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(_escape_plain(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_escape_plain(text[position:]))
    return balance_braces("".join(out))


def _escape_plain(text: str) -> str:
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 == len(text):
                out.append(r"\textbackslash{}")  # a final lone backslash would escape the closing brace
                break
            out.append(text[index : index + 2])  # an escape or a command: kept as it is
            index += 2
            continue
        if char in "&%#_$":
            out.append("\\" + char)
        else:
            out.append(_TEXT_ESCAPES.get(char, char))
        index += 1
    return "".join(out)


def balance_braces(text: str) -> str:
    """Drop braces that have no partner (with the backslash of an escaped one)."""
    drop: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                drop.add(index)
    drop.update(opened)
    for index in list(drop):
        if index > 0 and text[index - 1] == "\\":
            drop.add(index - 1)
    return "".join(char for index, char in enumerate(text) if index not in drop)


def _bib_author(name: str) -> str:
    name = latex_escape(" ".join(name.split()))
    # " and " separates authors in BibTeX: a name containing it is kept whole in braces.
    return f"{{{name}}}" if re.search(r"\sand\s", name) else name


def bibtex_entry(paper: Paper, state: PaperState, key: str) -> str:
    fields: list[tuple[str, str]] = [("title", latex_escape(paper.title))]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_author(a) for a in paper.authors)))
    if paper.published and paper.published[:4].isdigit():
        fields.append(("year", paper.published[:4]))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if paper.categories:
            fields.append(("primaryClass", balance_braces(paper.categories[0])))
    if paper.doi:
        fields.append(("doi", balance_braces(paper.doi)))
    if url := main_url(paper):
        fields.append(("url", balance_braces(url)))
    if paper.abstract:
        fields.append(("abstract", latex_escape(paper.abstract)))
    if state.tags:
        fields.append(("keywords", latex_escape(", ".join(state.tags))))
    if state.note.strip():
        fields.append(("note", latex_escape(state.note.strip())))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def to_bibtex(papers: Sequence[Paper], states: States) -> str:
    keys = citation_keys(papers)
    return "\n".join(bibtex_entry(p, _state(states, p.id), keys[p.id]) for p in papers)
