"""Answering a query on the catalog: the Searcher (filter), the sort, and the search session the
app drives (which query is the newest, when a query may narrow the one shown, one query at a time).

The catalog answers words from its search text (or word index) and flag tests from its index,
without parsing a single record; every term becomes a row mask (one byte per catalog row).
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import compress, repeat
from typing import TYPE_CHECKING, Protocol

import msgspec

from tui_reader.models import PaperState
from tui_reader.paper_ids import find_paper_id
from tui_reader.search.notes_index import NotesIndex
from tui_reader.search.query import SORT_ORDERS, QueryError, Term, parse_query
from tui_reader.store.search_text import SEGMENT_OF_FIELD

if TYPE_CHECKING:
    from tui_reader.store.catalog import Catalog
    from tui_reader.store.library import Library

THREAD_FROM = 20_000  # papers from which a query with terms runs in a thread, so keys never wait behind one
NARROW_SHARE = 4  # in the library's own order, narrow from a result under 1/4 of the catalog
GATHER_FROM = 200_000  # rows from which the library order's getter is numpy's (see _in_library_order)
NARROWING_FIELDS = ("text", "title", "author")  # substring terms: a longer value matches a subset


class Searcher:
    """Filters paper ids of one catalog by a query, with the user's states for state terms."""

    def __init__(self, catalog: Catalog, states: dict[str, PaperState], new_since: str | None = None):
        self.catalog = catalog
        self.states = states
        self.new_since = new_since  # is:new = added after this ISO time (the last visit); None: nothing is new
        self._notes_index = NotesIndex()
        self._order_getter: tuple | None = None
        self._added_of_batch: tuple[object, dict[int, str]] | None = None

    def forget(self) -> None:
        """Drop the states' joined text (for a state edited in place)."""
        self._notes_index.forget()

    def filter(self, pids: Iterable[str], query: str | list[Term]) -> list[str]:
        """The ids among `pids` that match every term, in the order given. Ids not in the
        catalog are no papers: they match nothing."""
        terms = parse_query(query) if isinstance(query, str) else query
        if not terms:
            return list(pids)
        return self._filter_rows(pids, terms)

    def row_mask(self, query: str | list[Term]) -> bytes:
        """One byte per catalog row, 1 where the paper matches every term: what a ranked view
        orders (it works on rows; mapping 100,000 ids back to rows costs more than the filter)."""
        terms = parse_query(query) if isinstance(query, str) else query
        n = len(self.catalog.ids)
        return self._combined(terms).to_bytes(n, "little")

    def _combined(self, terms: list[Term]) -> int:
        """Each term gives a mask (from the word index, the link flags or the states) as an
        integer of one byte per row; here they are combined."""
        ones = combined = _ones(len(self.catalog.ids))
        for term in terms:
            mask = self._mask(term)
            if term.negated:
                mask ^= ones
            combined &= mask
            if not combined:
                break
        return combined

    def _filter_rows(self, pids: Iterable[str], terms: list[Term]) -> list[str]:
        """The terms' masks combined, and the list cut in one pass."""
        catalog = self.catalog
        n = len(catalog.ids)
        if pids is catalog.order:  # the library's own order: its rows are at hand
            rows = catalog.order_rows
        else:
            pids = pids if isinstance(pids, list) else list(pids)
            rows = list(map(catalog.row.get, pids, repeat(n)))  # an unknown id: the row past the end
        combined = self._combined(terms)
        if not combined:
            return []
        keep = combined.to_bytes(n, "little")
        if rows is catalog.order_rows and combined.bit_count() * 16 < n:
            # A few papers: put them in the library's order rather than walking all of it.
            ids, rank = catalog.ids, catalog.order_rank()
            return [ids[row] for row in sorted(compress(range(n), keep), key=rank.__getitem__)]
        if rows is catalog.order_rows and n > 1:
            return list(compress(pids, self._in_library_order(rows)(keep)))
        keep += b"\x00"  # the unknown ids' row
        return list(compress(pids, map(keep.__getitem__, rows)))

    def prepare(self) -> None:
        """Build what a first search builds (the states' joined text, the library order's row
        getter), so that its key does not wait."""
        self._notes_index.build(self.states)
        if len(self.catalog.ids) > 1:
            self._in_library_order(self.catalog.order_rows)

    def _in_library_order(self, rows) -> Callable[[bytes], Iterable[int]]:
        """A mask's bytes in the library's order, by a getter made once per catalog order: one
        itemgetter over the rows (a third of a map over them), or in a big catalog numpy's gather
        (a third again; numpy, slow to import, is loaded only there)."""
        made = self._order_getter
        if made is None or made[0] is not rows:
            if len(rows) < GATHER_FROM:
                getter = operator.itemgetter(*rows)
            else:
                import numpy as np

                order = np.asarray(rows, dtype=np.intp)

                def getter(keep: bytes) -> bytes:
                    return np.frombuffer(keep, dtype=np.uint8)[order].tobytes()
            made = self._order_getter = (rows, getter)
        return made[1]

    def named_ids(self, value: str) -> list[str]:
        """The paper a word names by its id in any form users paste (2006.11239v2, an arXiv URL…)."""
        found = find_paper_id(value, self.catalog, self.catalog.aliases)
        return [found] if found else []

    def _mask(self, term: Term) -> int:
        """The rows that satisfy `term` (not negated), as the integer of a byte-per-row mask."""
        catalog, states, value = self.catalog, self.states, term.value
        n = len(catalog.ids)
        if term.field in SEGMENT_OF_FIELD:
            mask = catalog.search_mask(value, SEGMENT_OF_FIELD[term.field])
            if term.field == "text":  # words also match the user's tags and notes, and an id
                self._mark(mask, self._notes_index.hits(states, value))
                self._mark(mask, self.named_ids(value))
            return int.from_bytes(mask, "little")
        if term.field == "has" and value in ("code", "project", "pdf", "arxiv"):
            return int.from_bytes(catalog.link_mask(value), "little")
        if term.field == "cat":
            return int.from_bytes(catalog.category_mask(value), "little")
        if term.field == "is" and value == "new":
            return int.from_bytes(self._new_mask(), "little")
        keys, values = list(states), list(states.values())
        if term.field == "tag":
            marked = compress(keys, map(operator.contains, map(_TAGS, values), repeat(value)))
        elif term.field == "has":
            marked = compress(keys, map(str.strip, map(_NOTE, values)) if value == "note" else map(_TAGS, values))
        elif value in ("starred", "unstarred"):
            marked = compress(keys, map(_STARRED, values))
        elif value == "hidden":
            marked = compress(keys, map(_HIDDEN, values))
        else:
            marked = compress(keys, map(_READ, values))
        mask = bytearray(n)
        self._mark(mask, marked)
        found = int.from_bytes(mask, "little")
        if value in ("unstarred", "unread"):
            found ^= _ones(n)
        return found

    def _new_mask(self) -> bytes:
        """Rows added after `new_since`. One import is one batch with one added time, so each
        batch's time is read from one of its records (kept per catalog) and rows are tested by batch."""
        catalog, since = self.catalog, self.new_since
        if since is None:
            return bytes(len(catalog.ids))
        batches = catalog.batches
        kept = self._added_of_batch
        if kept is None or kept[0] is not batches:
            first_row: dict[int, int] = {}
            for row, batch in enumerate(batches):
                first_row.setdefault(batch, row)
            ids = catalog.ids
            kept = self._added_of_batch = (batches, {b: catalog[ids[row]].added for b, row in first_row.items()})
        new = {batch for batch, added in kept[1].items() if added > since}
        return bytes(map(new.__contains__, batches))

    def _mark(self, mask: bytearray, pids: Iterable[str]) -> None:
        """Set the mask byte of each id's row (ids not in the catalog are passed over)."""
        n = len(mask)
        mask.append(0)  # the row of unknown ids
        any(map(mask.__setitem__, map(self.catalog.row.get, pids, repeat(n)), repeat(1)))
        del mask[n:]


_TAGS, _NOTE, _STARRED, _READ, _HIDDEN = (operator.attrgetter(name) for name in ("tags", "note", "starred", "read", "hidden"))


def position(ids: list[str], pid: str | None) -> int | None:
    """Where `pid` is in `ids` (one pass in C; a dict of rows costs far more), None if not there."""
    if pid is None:
        return None
    try:
        return ids.index(pid)
    except ValueError:
        return None


@lru_cache(maxsize=4)
def _ones(n: int) -> int:
    return int.from_bytes(b"\x01" * n, "little")


def sort_ids(pids: list[str], order: str, catalog: Catalog, states: dict[str, PaperState]) -> list[str]:
    """`pids` (given newest-added first) in another order; stable, so ties keep that order. Sorted
    on the catalog's index columns, without parsing a record."""
    if order == "added":
        return list(pids)
    row = catalog.row
    if order == "title":
        titles = list(catalog.titles)  # a column the catalog may keep as one text
        return sorted(pids, key=lambda pid: titles[row[pid]].casefold())
    if order == "starred":
        return sorted(pids, key=lambda pid: not (states.get(pid) and states[pid].starred))
    if order == "upvotes":
        upvotes = catalog.upvotes.values  # 0 where a paper has none
        return sorted(pids, key=lambda pid: -upvotes[row[pid]])
    if order == "published":
        published = list(catalog.published)
        return sorted(pids, key=lambda pid: published[row[pid]] or "", reverse=True)
    raise QueryError(f"unknown sort order {order!r} (try {', '.join(SORT_ORDERS)})")


# -- the search session the app drives --------------------------------------------------------------


def refines(new: list[Term], old: list[Term]) -> bool:
    """True when every paper matching `new` also matches `old`: each old term is in `new`, or is
    implied by a new term of the same substring field whose value contains it (typing on)."""
    def implied(term: Term) -> bool:
        return any(t == term or (t.field == term.field and t.field in NARROWING_FIELDS and not t.negated
                                 and not term.negated and term.value in t.value) for t in new)

    return all(implied(term) for term in old)


class Shown(msgspec.Struct, frozen=True):
    """A query's answer: the query behind it (view, sort, terms, state version) and its ids."""

    view: str
    sort: str
    terms: tuple[Term, ...]
    states_version: int
    ids: list[str]
    keep: str | None = None  # the paper under the cursor when the query was asked...
    kept_at: int | None = None  # ...and its place in `ids` (None: not among them), found in the query's thread


class Query(msgspec.Struct, frozen=True):
    """One query asked for, planned: filter `base` by `todo`, then sort by `order`."""

    generation: int
    view: str
    sort: str
    terms: tuple[Term, ...]
    states_version: int
    states: dict[str, PaperState]  # the states as they were when asked: never changed after
    base: list[str]
    todo: list[Term]
    order: str
    keep: str | None = None  # the paper the cursor should stay on


class Ranker(Protocol):
    """Orders the views it ranks itself (the app's For you: search/related.py) instead of a sort."""

    def ranks(self, view: str) -> bool: ...

    def rank(self, view: str, mask: bytes, states: dict[str, PaperState]) -> list[str]:
        """The view's papers (`mask`: one byte per catalog row, 1 for a paper in the view) as ids, ranked;
        ties in the library's order."""


class SearchSession:
    """The queries of one list, as the user changes its view, search and sort.

    When a query only narrows the one shown (typing on: "model" -> "models"), only its new terms
    are tested, on the ids shown, which are already sorted (when that is cheaper than asking the
    catalog afresh). Each query gets a generation: a newer one makes an older one's answer void,
    and a query that has not started when a newer one is asked never runs. One query runs at a
    time (the Searcher keeps caches), and only while no import changes the library (its
    `access` lock). Runs in any thread; `ask` and `accept` belong to the thread that shows."""

    def __init__(self, library: Library, new_since: str | None = None, ranker: Ranker | None = None):
        self.library = library
        self.new_since = new_since
        self.ranker = ranker  # a ranked view's answer is never narrowed and is made in a thread
        self.searcher = Searcher(library.papers, library.states, new_since)
        self.shown: Shown | None = None  # the last answer accepted
        self.states_version = 0  # bumped on every state change: an answer from older states is not narrowed
        self._generation = 0
        self._running = threading.Lock()

    def cancel(self) -> None:
        """Void every query asked so far (e.g. the search no longer parses)."""
        self._generation += 1

    def states_changed(self) -> None:
        self.states_version += 1

    def reset(self) -> None:
        """After a restored backup or an import: everything may differ."""
        self.searcher = Searcher(self.library.papers, self.library.states, self.new_since)
        self.shown = None
        self.states_version += 1

    def ask(self, view: str, sort: str, terms: list[Term], keep: str | None = None) -> Query:
        """Plan the newest query: narrow the shown answer when that is right and saves work. The
        answer says where `keep` is among its ids (a scan of them, not made in the thread that shows)."""
        self._generation += 1
        shown, papers = self.shown, self.library.papers
        base, todo, order = self.library.ordered_ids(), terms, sort
        # The catalog answers a query on its own order fastest (a word is a mask over all rows
        # either way): narrow when that saves a sort, or when the ids shown are few.
        worth_it = sort != "added" or len(shown.ids if shown else ()) * NARROW_SHARE < len(papers)
        if (shown is not None and worth_it and not self._ranked(view) and shown.view == view and shown.sort == sort
                and shown.states_version == self.states_version and refines(terms, list(shown.terms))):
            base, order = shown.ids, "added"  # already sorted: the filter keeps the order
            todo = [term for term in terms if term not in shown.terms]
        return Query(self._generation, view, sort, tuple(terms), self.states_version, self.library.states,
                     base, todo, order, keep)

    def is_big(self) -> bool:
        """A catalog big enough for queries in a thread (and caches prepared ahead)."""
        return len(self.library.papers) >= THREAD_FROM

    def in_thread(self, query: Query) -> bool:
        """Whether `query` should run in a thread: it has terms or a sort, in a big catalog."""
        cheap = not query.todo and query.order == "added"
        return self._ranked(query.view) or (not cheap and self.is_big())

    def _ranked(self, view: str) -> bool:
        return self.ranker is not None and self.ranker.ranks(view)

    def is_current(self, query: Query) -> bool:
        return query.generation == self._generation

    def run_now(self, query: Query) -> Shown | None:
        """The answer, unless another query or an import is running (None: run it in a thread)."""
        if not self._running.acquire(blocking=False):
            return None
        try:
            if not self.library.access.acquire(blocking=False):
                return None
            try:
                return self._answer(query)
            finally:
                self.library.access.release()
        finally:
            self._running.release()

    def run(self, query: Query) -> Shown | None:
        """The answer, once the running query and any import are done; None when a newer query
        was asked meanwhile (it would be thrown away)."""
        with self._running:
            if not self.is_current(query):
                return None
            with self.library.access:
                answer = self._answer(query)
        return answer if self.is_current(query) else None

    def accept(self, query: Query, answer: Shown) -> bool:
        """Keep `answer` as the one shown, if its query is still the newest."""
        if not self.is_current(query):
            return False
        self.shown = answer
        return True

    def prepare(self) -> None:
        """Build the searcher's caches (in a thread, once the first screen is up)."""
        searcher, states = self.searcher, self.library.states
        with self._running, self.library.access:
            searcher.states = states
            searcher.prepare()

    def _answer(self, query: Query) -> Shown:
        searcher = self.searcher
        searcher.states = query.states
        if self._ranked(query.view):
            # never narrowed (see ask): the view is the catalog's papers that match
            ids = self.ranker.rank(query.view, searcher.row_mask(query.todo), query.states)
        else:
            ids = searcher.filter(query.base, query.todo) if query.todo else list(query.base)
            if query.order != "added":  # (the ids are in that order, and a list of their own)
                ids = sort_ids(ids, query.order, self.library.papers, query.states)
        return Shown(query.view, query.sort, query.terms, query.states_version, ids, query.keep, position(ids, query.keep))
