"""The search session the app drives (search/searcher.py), without Textual: narrowing, generations,
a stale query that never runs, and the library's own lock held by an import."""

from __future__ import annotations

import threading

import pytest

from search_oracle import DictSearcher, dict_sort_ids
from tui_reader.models import Paper
from tui_reader.search.query import parse_query
from tui_reader.search import searcher as searcher_module
from tui_reader.search.searcher import SearchSession
from tui_reader.store.library import Library


def oracle(library: Library, query: str, sort: str = "added") -> list[str]:
    papers = {pid: library.papers[pid] for pid in library.papers}
    ids = DictSearcher(papers, library.states).filter(library.ordered_ids(), query)
    return dict_sort_ids(ids, sort, papers, library.states)


def answer(session: SearchSession, query: str, sort: str = "added", view: str = "view:all"):
    asked = session.ask(view, sort, parse_query(query))
    shown = session.run_now(asked)
    assert shown is not None and session.accept(asked, shown)
    return asked, shown


def test_typing_on_narrows_the_shown_answer_and_agrees_with_the_oracle(library):
    session = SearchSession(library)
    library.set_starred(library.ordered_ids()[:30])
    _, first = answer(session, "model", sort="title")
    assert first.ids == oracle(library, "model", "title")
    asked, second = answer(session, "models is:starred", sort="title")
    assert asked.base is first.ids and asked.order == "added"  # narrowed: the shown ids, already sorted
    assert [str(t.value) for t in asked.todo] == ["models", "starred"]
    assert second.ids == oracle(library, "models is:starred", "title")


def test_a_query_that_does_not_narrow_starts_from_the_library(library):
    session = SearchSession(library)
    answer(session, "models", sort="title")
    asked, shown = answer(session, "model", sort="title")  # backspace: wider
    assert asked.base is library.ordered_ids() and asked.order == "title"
    assert shown.ids == oracle(library, "model", "title")


def test_a_state_change_stops_narrowing_from_the_older_answer(library):
    session = SearchSession(library)
    _, unread = answer(session, "is:unread", sort="title")
    library.set_read([unread.ids[0]])
    session.states_changed()
    asked, shown = answer(session, "is:unread d", sort="title")
    assert asked.base is library.ordered_ids()
    assert unread.ids[0] not in shown.ids and shown.ids == oracle(library, "is:unread d", "title")


def test_a_newer_query_voids_the_older_one(library):
    session = SearchSession(library)
    old = session.ask("view:all", "added", parse_query("diffusion"))
    new = session.ask("view:all", "added", parse_query("diffusion model"))
    assert session.run(old) is None  # not started when the newer came: never runs
    stale = session.run_now(old)
    assert stale is not None and not session.accept(old, stale)  # an answer that came late is dropped
    shown = session.run(new)
    assert shown is not None and session.accept(new, shown) and session.shown is shown
    session.cancel()  # e.g. the search stopped parsing
    assert not session.is_current(new)


def test_queries_wait_for_an_import_which_holds_the_librarys_lock(library):
    session = SearchSession(library)
    asked = session.ask("view:all", "added", parse_query("fresh"))
    answers = []
    with library.access:  # as an import does, in its own thread
        assert session.run_now(asked) is None  # busy: the app runs it in a thread instead
        waiting = threading.Thread(target=lambda: answers.append(session.run(asked)))
        waiting.start()
        assert answers == []  # it cannot answer while the lock is held
    waiting.join(10)
    assert answers and answers[0] is not None and answers[0].ids == []


def test_an_import_takes_the_librarys_lock(library):
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(library.access.locked())

    library.import_papers([Paper(id="2601.00001", title="Fresh paper")], progress)
    assert seen and all(seen) and not library.access.locked()


def test_a_state_change_replaces_the_states_so_a_reader_keeps_its_snapshot(library):
    pid = library.ordered_ids()[0]
    snapshot = library.states
    before = dict(snapshot)
    library.set_starred([pid])
    assert library.states is not snapshot and snapshot == before
    assert library.state(pid).starred


def test_big_catalogs_query_in_a_thread_unless_nothing_is_left_to_do(library, monkeypatch):
    from tui_reader.search import searcher as searcher_module

    session = SearchSession(library)
    assert not session.in_thread(session.ask("view:all", "title", parse_query("model")))
    monkeypatch.setattr(searcher_module, "THREAD_FROM", 0)
    assert session.in_thread(session.ask("view:all", "title", parse_query("model")))
    assert not session.in_thread(session.ask("view:all", "added", []))


class ReverseRanker:
    """A ranked view for the test: keeps the rows it was given, answers their ids last first."""

    def __init__(self, library: Library):
        self.library, self.rows = library, None

    def ranks(self, view: str) -> bool:
        return view == "view:ranked"

    def rank(self, view, mask, states):
        papers = self.library.papers
        assert len(mask) == len(papers)
        self.rows = [row for row in papers.order_rows if mask[row]]
        return [papers.ids[row] for row in reversed(self.rows)]


def test_a_ranked_view_gets_the_mask_of_the_papers_its_query_keeps(library):
    ids = library.ordered_ids()
    library.set_starred(ids[10:13])
    library.set_read(ids[:40])
    ranker = ReverseRanker(library)
    session = SearchSession(library, ranker=ranker)
    row = library.papers.row
    for query in ("is:unread is:unstarred", "is:starred", "models", "", "-is:unread", "is:read is:unread"):
        expected = oracle(library, query)
        _, shown = answer(session, query, view="view:ranked")
        assert ranker.rows == [row[pid] for pid in expected], query
        assert shown.ids == expected[::-1]


@pytest.mark.parametrize("gather_from", [2, 10**9])  # numpy's gather, and the itemgetter
def test_the_library_orders_getter_of_a_big_catalog_answers_what_the_oracle_does(library, monkeypatch, gather_from):
    monkeypatch.setattr(searcher_module, "GATHER_FROM", gather_from)
    library.set_starred(library.ordered_ids()[5:40])
    session = SearchSession(library)
    for query in ("model", "is:starred", "-is:starred self", "models has:code"):
        session.shown = None
        _, shown = answer(session, query)
        assert shown.ids == oracle(library, query), query


def test_an_answer_says_where_the_paper_to_keep_is_among_its_ids(library):
    """Found in the query's thread, so the thread that shows the answer does not scan its ids."""
    session = SearchSession(library)
    found = oracle(library, "model")
    inside, outside = found[len(found) // 2], next(pid for pid in library.ordered_ids() if pid not in found)
    for keep, at in ((inside, found.index(inside)), (outside, None), (None, None)):
        shown = session.run_now(session.ask("view:all", "added", parse_query("model"), keep=keep))
        assert shown.ids == found and (shown.keep, shown.kept_at) == (keep, at)
