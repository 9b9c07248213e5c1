"""The test oracle for search/searcher.py: the query answered paper by paper on a plain
`dict[str, Paper]`, the obvious way. The Searcher answers from the catalog's masks; both must agree."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from tui_reader.models import Paper, PaperState
from tui_reader.search.notes_index import note_or_tag_contains
from tui_reader.search.query import QueryError, SORT_ORDERS, Term, parse_query


def paper_text(paper: Paper) -> str:
    """The lowercase text that plain words search in (the catalog part; tags and note are added)."""
    return "\n".join((paper.title, paper.abstract, ", ".join(paper.authors))).lower()


class DictSearcher:
    """Filters paper ids of a plain dict of Papers by a query, one paper at a time."""

    def __init__(self, papers: dict[str, Paper], states: dict[str, PaperState]):
        self.papers, self.states = papers, states

    def _test(self, term: Term) -> Callable[[str], bool]:
        empty = PaperState()
        states, papers, value = self.states, self.papers, term.value
        if term.field == "text":
            return lambda pid: value in paper_text(papers[pid]) or (
                pid in states and note_or_tag_contains(states[pid], value))
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
            }[value]
        if value in ("code", "project", "pdf", "arxiv"):
            return lambda pid: any(link.kind == value for link in papers[pid].links)
        if value == "note":
            return lambda pid: bool(states.get(pid, empty).note.strip())
        return lambda pid: bool(states.get(pid, empty).tags)

    def filter(self, pids: Iterable[str], query: str | list[Term]) -> list[str]:
        terms = parse_query(query) if isinstance(query, str) else query
        result = list(pids)
        for term in terms:
            test = self._test(term)
            result = [pid for pid in result if test(pid) != term.negated]
        return result


def dict_sort_ids(pids: list[str], order: str, papers: dict[str, Paper], states: dict[str, PaperState]) -> list[str]:
    if order == "added":
        return list(pids)
    if order == "title":
        return sorted(pids, key=lambda pid: papers[pid].title.casefold())
    if order == "starred":
        return sorted(pids, key=lambda pid: not (states.get(pid) and states[pid].starred))
    if order == "upvotes":
        return sorted(pids, key=lambda pid: -(papers[pid].upvotes or 0))
    if order == "published":
        return sorted(pids, key=lambda pid: papers[pid].published or "", reverse=True)
    raise QueryError(f"unknown sort order {order!r} (try {', '.join(SORT_ORDERS)})")
