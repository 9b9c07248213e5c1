"""Turning the library into other formats. Pure functions over papers and states; no I/O."""

from __future__ import annotations

from typing import Any

from tui_reader.models import Paper, PaperState


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
