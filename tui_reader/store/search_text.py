"""search.txt's format, written by the catalog and read by the word index: one definition.

A head line `tui-reader search <generation>`, then one lowercase line per catalog row: title,
abstract and authors, separated by SEGMENT. A substring term of a field is looked for in its
segment (SEGMENT_OF_FIELD; None: the whole line).
"""

from __future__ import annotations

TEXT_HEAD = b"tui-reader search "
SEGMENT = b"\x1f"  # separates title, abstract and authors within a search line
SEGMENT_OF_FIELD: dict[str, int | None] = {"text": None, "title": 0, "author": 2}


def text_head(generation: str) -> bytes:
    """The head line of the search text of a catalog generation."""
    return TEXT_HEAD + generation.encode() + b"\n"


def search_line(title: str, abstract: str, authors: list[str]) -> bytes:
    separator = SEGMENT.decode()
    text = separator.join((title, abstract, ", ".join(authors))).lower()
    if text.count(separator) != 2:  # a catalog from before imports were cleaned: the separator stays one
        text = separator.join(part.replace(separator, " ") for part in (title, abstract, ", ".join(authors))).lower()
    return text.replace("\n", " ").encode("utf-8")
