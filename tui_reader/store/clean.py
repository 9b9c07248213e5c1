"""What the store accepts as text: no control characters, no field beyond a size limit.

Applied to every paper at import, so nothing from a file or a server can hide the search text's
segment separator (\\x1f) in a title, reach a terminal as an escape sequence, or make one field so
large that showing it stalls the app. A cut field ends with "…" and the import summary says so.
"""

from __future__ import annotations

import re

from tui_reader.models import Link, Paper

# C0 and C1 controls and DEL; in one-line fields line breaks and tabs count as controls too
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACE_LIKE = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85")

LIMITS = {"title": 2_000, "abstract": 2_000_000, "ai_summary": 20_000, "arxiv_comment": 5_000}
DEFAULT_LIMIT = 1_000  # any other text field, and each item of a list
LIST_LIMIT = 5_000  # items in a list (authors of a physics collaboration run to thousands)
URL_LIMIT = 4_096
MULTILINE = frozenset({"abstract", "ai_summary", "arxiv_comment"})
TEXT_FIELDS = ("title", "abstract", "published", "source", "ai_summary", "arxiv_comment", "doi", "submitted",
               "journal_ref", "entry_type", "cite_key")
BIBTEX_LIMIT = 100_000  # each field of a BibTeX entry kept for export
LIST_FIELDS = ("authors", "sources", "keywords", "categories")


def _replace(match: re.Match) -> str:
    return " " if match.group() in _SPACE_LIKE else ""


def clean_text(text: str, limit: int, multiline: bool = False) -> tuple[str, bool]:
    """(the text without control characters, cut to `limit` characters; whether it was cut)."""
    pattern = _CONTROLS if multiline else _LINE_CONTROLS
    if multiline and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if pattern.search(text):
        text = pattern.sub(_replace, text)
    if len(text) > limit:
        return text[: limit - 1] + "…", True
    return text, False


def clean_paper(paper: Paper) -> list[str]:
    """Clean the paper in place; returns the names of the fields that were cut."""
    cut = []
    for name in TEXT_FIELDS:
        value = getattr(paper, name)
        if value:
            value, was_cut = clean_text(value, LIMITS.get(name, DEFAULT_LIMIT), name in MULTILINE)
            setattr(paper, name, value)
            if was_cut:
                cut.append(name)
    for name in LIST_FIELDS:
        items = getattr(paper, name)
        if items:
            cleaned = []
            for item in items[:LIST_LIMIT]:
                item, was_cut = clean_text(item, DEFAULT_LIMIT)
                cleaned.append(item)
                if was_cut and name not in cut:
                    cut.append(name)
            if len(items) > LIST_LIMIT and name not in cut:
                cut.append(name)
            setattr(paper, name, cleaned)
    if paper.affiliations:
        paper.affiliations = {clean_text(author, DEFAULT_LIMIT)[0]: [clean_text(a, DEFAULT_LIMIT)[0] for a in places[:LIST_LIMIT]]
                              for author, places in paper.affiliations.items()}
    if paper.bibtex:
        paper.bibtex = {clean_text(key, DEFAULT_LIMIT)[0]: clean_text(value, BIBTEX_LIMIT, multiline=True)[0]
                        for key, value in paper.bibtex.items()}
    if any(_LINE_CONTROLS.search(link.url) or len(link.url) > URL_LIMIT for link in paper.links):
        paper.links = [Link(_LINE_CONTROLS.sub("", link.url)[:URL_LIMIT], link.kind) for link in paper.links]
    return cut
