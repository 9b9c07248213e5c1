"""Hugging Face daily-papers JSON (`/api/daily_papers`): a JSON array of entries, each with a `paper`.

Any other JSON (an object that is not our backup, a broken file) is claimed here too, so the user
hears what is wrong with it rather than "unknown format".
"""

from __future__ import annotations

from typing import Any

import orjson

from tui_reader.errors import SourceError
from tui_reader.links import classify, find_links, merge_links
from tui_reader.models import Link, Paper, clean_arxiv_id, paper_id
from tui_reader.sources.arxiv import arxiv_paper_links, unwrap

SOURCE = "hf-api"


def detect(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")


def parse(text: str) -> list[Paper]:
    return parse_entries(load_json(text))


def load_json(text: str) -> Any:
    text = text.lstrip("\ufeff")
    try:
        # Given a str that is not ASCII, orjson keeps a UTF-8 copy of it inside the str for as long as
        # the str lives (as large as the file); a copy of our own is gone once parsed.
        return orjson.loads(text if text.isascii() else text.encode("utf-8", "surrogatepass"))
    except orjson.JSONDecodeError as error:
        raise SourceError("", f"not valid JSON ({error})") from None


def parse_entries(data: Any) -> list[Paper]:
    """Papers from a decoded daily-papers response, once each, in the response's order."""
    if isinstance(data, dict):
        if not _is_entry(data):
            raise SourceError("", "a JSON object that is neither a tui-reader backup nor an HF daily-papers entry")
        data = [data]
    if not isinstance(data, list):
        raise SourceError("", f"expected a JSON array of HF daily-papers entries, found {type(data).__name__}")
    papers: dict[str, Paper] = {}
    names: dict[str, str] = {}
    for number, entry in enumerate(data, 1):
        if not _is_entry(entry):
            raise SourceError("", f"item {number} is not an HF daily-papers entry (no paper id or title)")
        paper = entry_paper(entry, names)
        papers.setdefault(paper.id, paper)
    return list(papers.values())


def _is_entry(item: Any) -> bool:
    if not isinstance(item, dict):
        return False
    paper = item.get("paper", item)
    return isinstance(paper, dict) and isinstance(paper.get("title", item.get("title")), str)


def entry_paper(entry: dict[str, Any], names: dict[str, str] | None = None) -> Paper:
    """One entry (`{"paper": {...}, "numComments": ...}`, or a bare paper object) as a Paper.

    `names`: author names as given -> as kept, shared by the entries of one response."""
    paper = entry.get("paper", entry)
    title = unwrap(_text(paper, "title") or _text(entry, "title"))
    if not title:
        raise SourceError("", "an entry has an empty title")
    arxiv_id = clean_arxiv_id(_text(paper, "id"))
    summary = unwrap(_text(paper, "summary"))
    given = []
    if code := _text(paper, "githubRepo"):
        given.append(Link(code, "code"))
    # Named "project page" by the API, but as often a GitHub repo or the paper's own arXiv or HF
    # page: classified by what it points at.
    if project := _text(paper, "projectPage"):
        given.append(Link(project, classify(project)))
    found = find_links(summary)
    known = arxiv_paper_links(arxiv_id) if arxiv_id else []
    # arxiv_paper_links makes distinct links: alone (most entries), they need no merging
    links = merge_links(given, found, known) if given or found else known
    withdrawn = _text(paper, "withdrawnAt")
    return Paper(
        id=paper_id(title, arxiv_id),
        title=title,
        abstract=summary,
        authors=_author_names(_list(paper, "authors"), {} if names is None else names),
        published=_text(paper, "publishedAt")[:10] or None,
        source=SOURCE,
        sources=[SOURCE],
        links=links,
        upvotes=_count(paper, "upvotes"),
        comments=_count(entry, "numComments"),
        keywords=[k for k in _list(paper, "ai_keywords") if isinstance(k, str) and k.strip()],
        github_stars=_count(paper, "githubStars"),
        ai_summary=unwrap(_text(paper, "ai_summary")),
        # The catalog has no withdrawn flag; the comment line is where readers look for it.
        arxiv_comment=f"Withdrawn on {withdrawn[:10]}" if withdrawn else "",
        # Responses before 2025 have no submittedOnDailyAt: the entry's own publishedAt is that date.
        submitted=(_text(paper, "submittedOnDailyAt") or (_text(entry, "publishedAt") if paper is not entry else ""))[:10] or None,
    )


def _author_names(authors: list, known: dict[str, str]) -> list[str]:
    """The names of the author objects, cleaned once per distinct name: authors recur across
    papers, and their papers then share one string."""
    names = []
    for author in authors:
        if isinstance(author, dict) and isinstance(given := author.get("name"), str):
            name = known.get(given)
            if name is None:
                name = known[given] = unwrap(given.strip())
            if name:
                names.append(name)
    return names


# Optional fields may be missing or of an unexpected type: both read as "not given".


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


def _list(obj: dict[str, Any], key: str) -> list:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _count(obj: dict[str, Any], key: str) -> int | None:
    value = obj.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
