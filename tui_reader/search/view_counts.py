"""Counts for saved views: how many of each view's papers are unread, and how many are new.

A full count runs each view's query over the catalog (at start and after an import). A change of
one paper's state moves each count by at most one, so it is found by testing that one paper before
and after against each view's terms: no pass over the library, whatever its size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from contextlib import AbstractContextManager, nullcontext

from tui_reader.models import PaperState
from tui_reader.search.one_paper import OnePaper
from tui_reader.search.query import QueryError, Term, parse_query
from tui_reader.search.searcher import Searcher
from tui_reader.store.views import SavedView

if TYPE_CHECKING:
    from tui_reader.store.catalog import Catalog

UNREAD = Term("is", "unread")
NEW = Term("is", "new")


def view_terms(view: SavedView) -> list[Term] | None:
    """The view's terms; None for a query the language no longer accepts (it counts 0)."""
    try:
        return parse_query(view.query)
    except QueryError:
        return None


class SavedViewCounts:
    """Per saved view (by name): its unread papers and its new ones (added after `new_since`)."""

    def __init__(self, papers: Catalog, states: Mapping[str, PaperState], ordered_ids, new_since: str | None):
        self.papers, self.states, self.ordered_ids, self.new_since = papers, states, ordered_ids, new_since
        self.views: list[SavedView] = []
        self._terms: dict[str, list[Term] | None] = {}
        self.unread: dict[str, int] = {}
        self.new: dict[str, int] = {}

    def count(self, queries: Iterable[str], searcher: Searcher, lock: AbstractContextManager = nullcontext()) -> dict[str, tuple[int, int]]:
        """(unread, new) of each query, on the catalog's fast path: each query once, its read and
        new papers taken out by set (not a state mask per view). `lock` is held for each query
        only, so that a search waiting for it waits for one query at most."""
        queries = list(dict.fromkeys(queries))
        if not queries:
            return {}
        with lock:
            ids = self.ordered_ids()
            read = {pid for pid, state in searcher.states.items() if state.read}
            new = set(searcher.filter(ids, [NEW])) if self.new_since else set()
        counted = {}
        for query in queries:
            terms = view_terms(SavedView("", query))
            with lock:
                found = [] if terms is None else searcher.filter(ids, terms) if terms else ids
            counted[query] = (len(found) - len(read.intersection(found)), len(new.intersection(found)))
        return counted

    def known(self) -> dict[str, tuple[int, int]]:
        """The counts kept now, by query."""
        return {view.query: (self.unread[view.name], self.new[view.name]) for view in self.views if view.name in self.unread}

    def apply(self, views: list[SavedView], counted: dict[str, tuple[int, int]]) -> None:
        """Keep `views`, with the counts of each query found in `counted` (the others are unknown)."""
        self.views = list(views)
        self._terms = {view.name: view_terms(view) for view in views}
        self.unread = {view.name: counted[view.query][0] for view in views if view.query in counted}
        self.new = {view.name: counted[view.query][1] for view in views if view.query in counted}

    def recount(self, views: list[SavedView], searcher: Searcher) -> None:
        """Count every view afresh, here and now."""
        self.apply(views, self.count((view.query for view in views), searcher))

    def state_changed(self, pid: str, before: PaperState, after: PaperState) -> list[str]:
        """Adjust the counts for one paper's change of state; the names of views whose count moved."""
        if pid not in self.papers:
            return []
        paper = OnePaper(self.papers, pid, self.new_since)
        moved = []
        for name, terms in self._terms.items():
            if terms is None or name not in self.unread:
                continue
            for counts, extra in ((self.unread, UNREAD), (self.new, NEW)):
                if extra is NEW and not self.new_since:
                    continue
                both = [*terms, extra]
                delta = paper.matches(both, after) - paper.matches(both, before)
                if delta:
                    counts[name] += delta
                    moved.append(name)
        return list(dict.fromkeys(moved))
