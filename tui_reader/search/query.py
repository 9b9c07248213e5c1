"""The search language shared by `tui-reader list --query` and the app's `/`, and the sort orders.

A query is a list of terms, all of which must hold (AND):
  word              appears in the title, abstract, authors, tags or note (case-insensitive)
  "exact phrase"    the phrase appears as written (case-insensitive)
  tag:NAME          the paper carries tag NAME
  author:NAME       an author's name contains NAME;  title:WORD  the title contains WORD
  is:starred  is:unread  is:read  is:unstarred  is:hidden
  has:code  has:note  has:tags  has:project  has:pdf  has:arxiv
  -TERM             any term above, negated
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
import operator
from functools import lru_cache
from itertools import compress, repeat
from dataclasses import dataclass

from tui_reader.errors import ReaderError
from tui_reader.models import Paper, PaperState, normalise_tag
from tui_reader.search.notes_index import NotesIndex, note_or_tag_contains


class QueryError(ReaderError):
    pass


IS_VALUES = ("starred", "unstarred", "read", "unread", "hidden")
HAS_VALUES = ("code", "note", "tags", "project", "pdf", "arxiv")
FIELDS = ("tag", "author", "title", "is", "has")

# The sidebar's smart views, as queries.
SMART_VIEWS: dict[str, tuple[str, str]] = {
    "inbox": ("Inbox", "is:unread"),
    "starred": ("Starred", "is:starred"),
    "all": ("All", ""),
    "code": ("Has code", "has:code"),
    "notes": ("With notes", "has:note"),
    "hidden": ("Hidden", "is:hidden"),  # the only view that shows hidden papers
}

SORT_ORDERS: dict[str, str] = {
    "added": "newest added",
    "title": "title",
    "starred": "starred first",
    "upvotes": "most upvoted",
    "published": "newest published",
}


@dataclass(frozen=True, slots=True)
class Term:
    field: str  # "text", "tag", "author", "title", "is", "has"
    value: str
    negated: bool = False


def _split(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError:
        # An unclosed quote while the user is still typing: treat the quote as closed.
        return shlex.split(query + '"') if query.count('"') % 2 else query.split()


def parse_query(query: str) -> list[Term]:
    terms = []
    for token in _split(query):
        negated = token.startswith("-") and len(token) > 1
        if negated:
            token = token[1:]
        name, sep, value = token.partition(":")
        if sep and name.lower() in FIELDS and value:
            name = name.lower()
            value = value.lower()
            if name == "is" and value not in IS_VALUES:
                raise QueryError(f"unknown is:{value} (try {', '.join('is:' + v for v in IS_VALUES)})")
            if name == "has" and value not in HAS_VALUES:
                raise QueryError(f"unknown has:{value} (try {', '.join('has:' + v for v in HAS_VALUES)})")
            if name == "tag":
                value = normalise_tag(value)
            terms.append(Term(name, value, negated))
        elif token:
            terms.append(Term("text", token.lower(), negated))
    return terms


def paper_text(paper: Paper) -> str:
    """The lowercase text that plain words search in (the catalog part; tags and note are added)."""
    return "\n".join((paper.title, paper.abstract, ", ".join(paper.authors))).lower()


class Searcher:
    """Filters paper ids by a query. Keeps each paper's lowercase text, built once."""

    def __init__(self, papers: dict[str, Paper], states: dict[str, PaperState]):
        self.papers = papers
        self.states = states
        self._texts: dict[str, str] = {}
        self._notes_index = NotesIndex()
        self._order_getter: tuple | None = None
        # The library's Catalog scans its search file and answers flag tests from its index,
        # without parsing a single record; a plain dict of Papers takes the per-paper path.
        self._catalog = papers if hasattr(papers, "search_rows") else None

    def text(self, pid: str) -> str:
        text = self._texts.get(pid)
        if text is None:
            text = self._texts[pid] = paper_text(self.papers[pid])
        return text

    def forget(self, pids: Iterable[str] | None = None) -> None:
        """Drop cached texts of papers whose catalog record changed (all when None), and the
        states' joined text (for a state edited in place)."""
        self._notes_index.forget()
        if pids is None:
            self._texts.clear()
        else:
            for pid in pids:
                self._texts.pop(pid, None)

    def _test(self, term: Term) -> Callable[[str], bool] | set[str]:
        """A predicate on paper ids, or the set of ids that match."""
        empty = PaperState()
        states, papers = self.states, self.papers
        value = term.value
        catalog = self._catalog
        if catalog is not None and term.field in ("text", "title", "author"):
            segment = {"text": None, "title": 0, "author": 2}[term.field]
            ids = catalog.ids
            found = {ids[row] for row in catalog.search_rows(value, segment)}
            if term.field == "text":  # words also match the user's tags and notes
                found.update(self._notes_index.hits(states, value))
            return found
        if catalog is not None and term.field == "has" and value in ("code", "project", "pdf", "arxiv"):
            return lambda pid: catalog.has_link(pid, value)
        if term.field == "text":
            def test(pid: str) -> bool:
                if value in self.text(pid):
                    return True
                state = states.get(pid)
                return bool(state) and note_or_tag_contains(state, value)
            return test
        if term.field == "tag":
            return lambda pid: value in states.get(pid, empty).tags
        if term.field == "author":
            return lambda pid: any(value in a.lower() for a in papers[pid].authors)
        if term.field == "title":
            return lambda pid: value in papers[pid].title.lower()
        if term.field == "is":
            return {
                "starred": lambda pid: states.get(pid, empty).starred,
                "unstarred": lambda pid: not states.get(pid, empty).starred,
                "read": lambda pid: states.get(pid, empty).read,
                "unread": lambda pid: not states.get(pid, empty).read,
                "hidden": lambda pid: states.get(pid, empty).hidden,
            }[value]
        return {
            "code": lambda pid: any(link.kind == "code" for link in papers[pid].links),
            "project": lambda pid: any(link.kind == "project" for link in papers[pid].links),
            "pdf": lambda pid: any(link.kind == "pdf" for link in papers[pid].links),
            "arxiv": lambda pid: any(link.kind == "arxiv" for link in papers[pid].links),
            "note": lambda pid: bool(states.get(pid, empty).note.strip()),
            "tags": lambda pid: bool(states.get(pid, empty).tags),
        }[value]

    def filter(self, pids: Iterable[str], query: str | list[Term]) -> list[str]:
        terms = parse_query(query) if isinstance(query, str) else query
        if self._catalog is not None and terms:
            found = self._filter_rows(pids, terms)
            if found is not None:
                return found
        result = list(pids)
        # Cheap flag tests first, so word scans see fewer papers.
        for term in sorted(terms, key=lambda t: t.field == "text"):
            test = self._test(term)
            if isinstance(test, set):
                result = [pid for pid in result if pid not in test] if term.negated else [pid for pid in result if pid in test]
            else:
                result = [pid for pid in result if test(pid) != term.negated]
        return result


    # -- the catalog's way: every term is a row mask (one byte, 0 or 1, per catalog row) -----------

    def _filter_rows(self, pids: Iterable[str], terms: list[Term]) -> list[str] | None:
        """`filter` on the catalog's rows: each term gives a mask (from the word index, the link
        flags or the states), the masks are combined as integers and the list is cut in one pass.
        None when an id is not in the catalog (the per-paper path handles it)."""
        catalog = self._catalog
        n = len(catalog.ids)
        if pids is catalog.order:  # the library's own order: its rows are at hand
            rows = catalog.order_rows
        else:
            pids = pids if isinstance(pids, list) else list(pids)
            try:
                rows = list(map(catalog.row.__getitem__, pids))
            except KeyError:
                return None
        ones = combined = _ones(n)
        for term in terms:
            mask = self._mask(term)
            if term.negated:
                mask ^= ones
            combined &= mask
            if not combined:
                return []
        keep = combined.to_bytes(n, "little")
        if rows is catalog.order_rows and combined.bit_count() * 16 < n:
            # A few papers: put them in the library's order rather than walking all of it.
            ids, rank = catalog.ids, catalog.order_rank()
            return [ids[row] for row in sorted(compress(range(n), keep), key=rank.__getitem__)]
        if rows is catalog.order_rows and n > 1:
            return list(compress(pids, self._in_library_order(rows)(keep)))
        return list(compress(pids, map(keep.__getitem__, rows)))

    def prepare(self) -> None:
        """Build what a first search builds (the states' joined text, the library order's row
        getter), so that its key does not wait."""
        self._notes_index.build(self.states)
        if self._catalog is not None and len(self._catalog.ids) > 1:
            self._in_library_order(self._catalog.order_rows)

    def _in_library_order(self, rows) -> Callable[[bytes], tuple[int, ...]]:
        """A mask's bytes in the library's order: one itemgetter over its rows, made once per
        catalog order; a query then costs a third of a map over the rows."""
        made = self._order_getter
        if made is None or made[0] is not rows:
            made = self._order_getter = (rows, operator.itemgetter(*rows))
        return made[1]

    def _mask(self, term: Term) -> int:
        """The rows that satisfy `term` (not negated), as the integer of a byte-per-row mask."""
        catalog, states, value = self._catalog, self.states, term.value
        n = len(catalog.ids)
        if term.field in ("text", "title", "author"):
            mask = catalog.search_mask(value, {"text": None, "title": 0, "author": 2}[term.field])
            if term.field == "text":  # words also match the user's tags and notes
                self._mark(mask, self._notes_index.hits(self.states, value))
            return int.from_bytes(mask, "little")
        if term.field == "has" and value in ("code", "project", "pdf", "arxiv"):
            return int.from_bytes(catalog.link_mask(value), "little")
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

    def _mark(self, mask: bytearray, pids: Iterable[str]) -> None:
        """Set the mask byte of each id's row (ids not in the catalog are passed over)."""
        n = len(mask)
        mask.append(0)  # the row of unknown ids
        any(map(mask.__setitem__, map(self._catalog.row.get, pids, repeat(n)), repeat(1)))
        del mask[n:]


_TAGS, _NOTE, _STARRED, _READ, _HIDDEN = (operator.attrgetter(name) for name in ("tags", "note", "starred", "read", "hidden"))


@lru_cache(maxsize=4)
def _ones(n: int) -> int:
    return int.from_bytes(b"\x01" * n, "little")


def sort_ids(pids: list[str], order: str, papers: dict[str, Paper], states: dict[str, PaperState]) -> list[str]:
    """`pids` (given newest-added first) in another order; stable, so ties keep that order."""
    if order == "added":
        return list(pids)
    columns = papers if hasattr(papers, "row") else None  # the Catalog: sort on its index columns
    if order == "title":
        if columns is not None:
            row, titles = columns.row, list(columns.titles)  # a column the catalog may keep as one text
            return sorted(pids, key=lambda pid: titles[row[pid]].casefold())
        return sorted(pids, key=lambda pid: papers[pid].title.casefold())
    if order == "starred":
        return sorted(pids, key=lambda pid: not (states.get(pid) and states[pid].starred))
    if order == "upvotes":
        if columns is not None:
            row, upvotes = columns.row, columns.upvotes
            return sorted(pids, key=lambda pid: -(upvotes[row[pid]] or 0))
        return sorted(pids, key=lambda pid: -(papers[pid].upvotes or 0))
    if order == "published":
        if columns is not None:
            row, published = columns.row, list(columns.published)
            return sorted(pids, key=lambda pid: published[row[pid]] or "", reverse=True)
        return sorted(pids, key=lambda pid: papers[pid].published or "", reverse=True)
    raise QueryError(f"unknown sort order {order!r} (try {', '.join(SORT_ORDERS)})")
