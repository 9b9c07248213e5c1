"""Whether one paper matches a query, from its own record and state: for counts kept up to date
one state change at a time. The answers are the Searcher's: words are looked for in the same search
line the catalog searches (store/search_text.py), flags come from the catalog's index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_reader.models import Paper, PaperState
from tui_reader.search.notes_index import note_or_tag_contains
from tui_reader.search.query import Term
from tui_reader.store.search_text import SEGMENT, SEGMENT_OF_FIELD, search_line

if TYPE_CHECKING:
    from tui_reader.store.catalog import Catalog

LINK_KINDS = ("code", "project", "pdf", "arxiv")


class OnePaper:
    """One paper of `catalog` (its record parsed once), tested against queries with any state."""

    def __init__(self, catalog: Catalog, pid: str, new_since: str | None):
        self.catalog, self.pid, self.new_since = catalog, pid, new_since
        self.paper: Paper = catalog[pid]
        self._segments: list[str] | None = None

    def _text(self, segment: int | None) -> str:
        if self._segments is None:
            line = search_line(self.paper.title, self.paper.abstract, self.paper.authors).decode("utf-8")
            self._segments = [line, *line.split(SEGMENT.decode())]
        return self._segments[0 if segment is None else segment + 1]

    def holds(self, term: Term, state: PaperState) -> bool:
        """`term` (not negated) holds for the paper with `state`."""
        field, value = term.field, term.value
        if field in SEGMENT_OF_FIELD:
            return value in self._text(SEGMENT_OF_FIELD[field]) or (field == "text" and note_or_tag_contains(state, value))
        if field == "tag":
            return value in state.tags
        if field == "has":
            if value in LINK_KINDS:
                return self.catalog.has_link(self.pid, value)
            return bool(state.note.strip()) if value == "note" else bool(state.tags)
        return {
            "starred": state.starred, "unstarred": not state.starred, "read": state.read, "unread": not state.read,
            "new": self.new_since is not None and self.paper.added > self.new_since,
        }[value]

    def matches(self, terms: list[Term], state: PaperState) -> bool:
        return all(self.holds(term, state) != term.negated for term in terms)
