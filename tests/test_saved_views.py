"""Saved searches: the views file, the sidebar's saved views and their counts, `is:new`, `tui-reader view`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app_helpers import make_app, notices, paper_list, running
from cli_helpers import listed, run
from tui_reader.errors import ReaderError
from tui_reader.search.one_paper import OnePaper
from tui_reader.search.query import Term
from tui_reader.search.searcher import Searcher
from tui_reader.sources import hf_api
from tui_reader.store.library import Library
from tui_reader.store.views import (
    SavedView, add_view, last_closed, load_views, move_view, remember_closed, remove_view, rename_view, save_views,
)

HF_FIXTURE = Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"
AUTHOR_QUERY = 'author:"Fanqing Meng"'


def hf_papers():
    return hf_api.parse(HF_FIXTURE.read_text("utf-8"))


def unread_count(library: Library, query: str, new_since: str | None = None) -> int:
    return len(Searcher(library.papers, library.states, new_since).filter(library.ordered_ids(), query + " is:unread"))


def sidebar_number(sidebar, option_id: str) -> str:
    return str(sidebar.get_option(option_id).prompt).split()[-1]


# -- the views file ------------------------------------------------------------------------------


def test_views_round_trip_and_changes(tmp_path):
    views = add_view([], "Kaiming", 'author:"Kaiming He"')
    views = add_view(views, "code", "has:code -is:read")
    save_views(tmp_path, views)
    loaded, problems = load_views(tmp_path)
    assert problems == [] and loaded == [SavedView("Kaiming", 'author:"Kaiming He"'), SavedView("code", "has:code -is:read")]
    assert [v.name for v in move_view(loaded, "code", -1)] == ["code", "Kaiming"]
    assert [v.name for v in move_view(loaded, "code", 1)] == ["Kaiming", "code"]  # already last
    assert [v.name for v in rename_view(loaded, "code", "With code")] == ["Kaiming", "With code"]
    assert remove_view(loaded, "Kaiming") == [SavedView("code", "has:code -is:read")]
    for bad in (lambda: add_view(loaded, "code", "x"), lambda: add_view(loaded, "x", "is:bogus"),
                lambda: add_view(loaded, " \x1b ", "x"), lambda: remove_view(loaded, "nope"),
                lambda: rename_view(loaded, "code", "Kaiming")):
        with pytest.raises(ReaderError):
            bad()


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'{"views": [{"name": 3}]}', b"\xff\xfe"])
def test_a_damaged_views_file_is_moved_aside(tmp_path, content):
    (tmp_path / "views.json").write_bytes(content)
    views, problems = load_views(tmp_path)
    assert views == []
    assert len(problems) == 1 and "views.json" in problems[0] and "kept as views.json.corrupt-" in problems[0]
    kept = list(tmp_path.glob("views.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == content
    assert not (tmp_path / "views.json").exists()


def test_last_visit(tmp_path):
    assert last_closed(tmp_path) is None
    remember_closed(tmp_path, "2026-01-02T03:04:05Z")
    assert last_closed(tmp_path) == "2026-01-02T03:04:05Z"
    (tmp_path / "visit.json").write_text("garbage")
    assert last_closed(tmp_path) is None


# -- is:new ----------------------------------------------------------------------------------------

DAY_1, EVENING_1, DAY_2 = "2026-01-01T09:00:00Z", "2026-01-01T18:00:00Z", "2026-01-02T09:00:00Z"


@pytest.fixture
def clock(monkeypatch):
    """The import time the library stamps on new papers (its clock ticks in whole seconds)."""
    now = {"time": DAY_1}
    monkeypatch.setattr("tui_reader.store.library.now_iso", lambda: now["time"])
    return now


def test_is_new_after_a_restart(tmp_path, clock):
    data = tmp_path / "data"
    with Library(data) as lib:
        lib.import_papers(hf_papers()[:5])
        old_ids = set(lib.ordered_ids())
    remember_closed(data, EVENING_1)
    clock["time"] = DAY_2
    with Library(data) as lib:
        lib.import_papers(hf_papers()[3:12])  # two known papers come again: not new
        searcher = Searcher(lib.papers, lib.states, last_closed(data))
        new = searcher.filter(lib.ordered_ids(), "is:new")
        assert set(new) == set(lib.ordered_ids()) - old_ids and len(new) == 7
        assert set(searcher.filter(lib.ordered_ids(), "-is:new")) == old_ids
        one_by_one = {pid for pid in lib.ordered_ids()
                      if OnePaper(lib.papers, pid, last_closed(data)).matches([Term("is", "new")], lib.state(pid))}
        assert one_by_one == set(new)  # the counts kept per state change agree with the masks
        assert Searcher(lib.papers, lib.states, None).filter(lib.ordered_ids(), "is:new") == []  # no visit yet


def test_cli_lists_is_new(tmp_path, capsys, clock):
    data = tmp_path / "data"
    with Library(data) as lib:
        lib.import_papers(hf_papers()[:5])
        remember_closed(data, EVENING_1)
        clock["time"] = DAY_2
        lib.import_papers(hf_papers()[5:8])
        expected = lib.ordered_ids()[:3]
    assert [p["id"] for p in listed(capsys, data, "--query", "is:new")] == expected


async def test_the_new_view_after_the_app_closes_and_papers_arrive(tmp_path, config_folder, clock):  # noqa: F811
    data = tmp_path / "data"
    with Library(data) as lib:
        lib.import_papers(hf_papers()[:5])
        app = make_app(lib, config_folder)
        async with running(app):
            assert app.main_screen.sidebar.counts["new"] == 0  # a first visit: nothing is new
    assert last_closed(data) is not None  # the app wrote when it closed (the real clock)
    remember_closed(data, EVENING_1)
    clock["time"] = DAY_2
    with Library(data) as lib:
        lib.import_papers(hf_papers()[5:9])
        app = make_app(lib, config_folder)
        async with running(app) as pilot:
            sidebar = app.main_screen.sidebar
            assert sidebar.counts["new"] == 4 and sidebar_number(sidebar, "view:new") == "4"
            assert str(sidebar.get_option("view:new").prompt).split()[-2:] == ["New", "4"]  # no "+4" on New itself
            assert str(sidebar.get_option("view:inbox").prompt).split()[-2:] == ["+4", "9"]  # 4 of the 9 unread are new
            sidebar.choose("view:new")
            await pilot.pause()
            assert paper_list(app).ids == lib.ordered_ids()[:4]
            await pilot.press("s", "t", *"fresh", "enter", "j", "r")
            assert str(sidebar.get_option("view:starred").prompt).split()[-2:] == ["+1", "1"]
            assert str(sidebar.get_option("tag:fresh").prompt).split()[-2:] == ["+1", "1"]
            assert str(sidebar.get_option("view:inbox").prompt).split()[-2:] == ["+3", "8"]


# -- in the app --------------------------------------------------------------------------------------


@pytest.fixture
def hf_library(library):  # noqa: F811
    library.import_papers(hf_papers())
    return library


async def test_saving_a_search_makes_a_view_that_survives_a_restart(hf_library, config_folder):  # noqa: F811
    app = make_app(hf_library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", *AUTHOR_QUERY, "enter", "F")
        await pilot.pause()
        assert app.screen.query_one("#view-name").value == AUTHOR_QUERY  # the query is the default name
        await pilot.press("ctrl+u", *"Meng", "enter")
        await pilot.pause()
        sidebar = app.main_screen.sidebar
        assert sidebar.active == "saved:Meng" and app.main_screen.search_text == ""
        assert paper_list(app).ids == ["2503.07365"]
        assert sidebar_number(sidebar, "saved:Meng") == "1"
    assert json.loads((config_folder / "views.json").read_text())["views"] == [{"name": "Meng", "query": AUTHOR_QUERY}]
    app = make_app(hf_library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        assert sidebar_number(sidebar, "saved:Meng") == "1"
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("saved:Meng")
        await pilot.press("enter")
        assert paper_list(app).ids == ["2503.07365"]


async def test_a_corrupt_views_file_is_told_and_the_app_runs(hf_library, config_folder):  # noqa: F811
    config_folder.mkdir()
    (config_folder / "views.json").write_text('{"views": [oops')
    app = make_app(hf_library, config_folder)
    async with running(app) as pilot:
        await pilot.pause()
        assert any("views.json" in n.message and "kept as" in n.message for n in notices(app))
        sidebar = app.main_screen.sidebar
        assert sidebar.saved_views == [] and sidebar.get_option_index("view:inbox") == 0
    assert list(config_folder.glob("views.json.corrupt-*"))


async def test_saved_view_counts_follow_star_read_and_import(hf_library, config_folder):  # noqa: F811
    save_views(config_folder, [SavedView("starred", "is:starred"), SavedView("code", "has:code"),
                               SavedView("words", "reasoning -tag:skip")])
    app = make_app(hf_library, config_folder)
    async with running(app) as pilot:
        sidebar, screen = app.main_screen.sidebar, app.main_screen
        screen.sidebar.choose("saved:words")
        await pilot.pause()
        assert sidebar_number(sidebar, "saved:words") == str(unread_count(hf_library, "reasoning -tag:skip"))
        before = int(sidebar_number(sidebar, "saved:words"))
        await pilot.press("s", "r", "j", "s", "t", *"skip", "enter")
        await pilot.pause()
        for view in sidebar.saved_views:
            assert sidebar.saved.unread[view.name] == unread_count(hf_library, view.query), view
            assert sidebar_number(sidebar, f"saved:{view.name}") == str(sidebar.saved.unread[view.name])
        assert int(sidebar_number(sidebar, "saved:words")) == before - 2
        assert sidebar_number(sidebar, "saved:starred") == "1"  # two starred, one of them read
        hf_library_count = unread_count(hf_library, "has:code")
        from tui_reader.sources import Batch
        from tui_reader.ui.transfers import store_batch

        more = [p for p in hf_api.parse(HF_FIXTURE.read_text("utf-8"))]
        for paper in more:
            paper.id, paper.title = "x" + paper.id, "Copy of " + paper.title
        store_batch(app, Batch("hf-api", more), "Imported")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert sidebar.saved.unread["code"] == unread_count(hf_library, "has:code") > hf_library_count


async def test_rename_move_and_delete_from_the_sidebar(hf_library, config_folder):  # noqa: F811
    save_views(config_folder, [SavedView("one", "has:code"), SavedView("two", "is:unread")])
    app = make_app(hf_library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index("saved:two")
        await pilot.press("K")
        assert [v.name for v in load_views(config_folder)[0]] == ["two", "one"]
        assert sidebar.get_option_index("saved:two") < sidebar.get_option_index("saved:one")
        sidebar.highlighted = sidebar.get_option_index("saved:one")
        await pilot.press("e", "ctrl+u", *"first", "enter")
        await pilot.pause()
        assert [v.name for v in load_views(config_folder)[0]] == ["two", "first"]
        sidebar.highlighted = sidebar.get_option_index("saved:two")
        await pilot.press("d", "y")
        await pilot.pause()
        assert load_views(config_folder)[0] == [SavedView("first", "has:code")]
        assert [sidebar.get_option_at_index(i).id for i in range(sidebar.option_count)].count("saved:two") == 0


# -- tui-reader view -----------------------------------------------------------------------------------


def test_cli_view_list_add_remove(tmp_path, capsys):
    config = tmp_path / "config"
    prefix = ("--config-dir", str(config))
    assert run(capsys, None, *prefix, "view", "list")[1] == ""
    code, out, err = run(capsys, None, *prefix, "view", "add", "Kaiming", 'author:"Kaiming He"')
    assert code == 0, err
    assert run(capsys, None, *prefix, "view", "add", "bad", "is:nothing")[0] == 1
    assert run(capsys, None, *prefix, "view", "list")[1] == 'Kaiming\tauthor:"Kaiming He"\n'
    assert run(capsys, None, *prefix, "view", "remove", "Kaiming")[0] == 0
    code, out, err = run(capsys, None, *prefix, "view", "remove", "Kaiming")
    assert code == 1 and "no saved view named 'Kaiming'" in err and "Traceback" not in err
    assert load_views(config) == ([], [])


async def test_a_big_catalog_counts_saved_views_in_a_thread(hf_library, config_folder, monkeypatch):  # noqa: F811
    monkeypatch.setattr("tui_reader.ui.sidebar.COUNT_IN_THREAD_FROM", 0)  # the path a 100,000-paper library takes
    views = [SavedView("code", "has:code"), SavedView("words", "reasoning"), SavedView("same", "has:code")]
    save_views(config_folder, views)
    app = make_app(hf_library, config_folder)
    async with running(app) as pilot:
        await pilot.press("s", "r")  # a state change while the thread may still count
        await app.workers.wait_for_complete()
        await pilot.pause()
        sidebar = app.main_screen.sidebar
        for view in views:
            assert sidebar.saved.unread[view.name] == unread_count(hf_library, view.query), view
            assert sidebar_number(sidebar, f"saved:{view.name}") == str(sidebar.saved.unread[view.name])


QUERIES = ['author:"Fanqing Meng"', "reasoning", '"large language"', "tag:vision", "-is:read has:code",
           "is:starred -tag:skip", "title:vision", "has:note", "has:tags model", "is:new", "ada", "-reasoning"]


def test_one_paper_agrees_with_the_searcher(hf_library):
    """The counts kept per state change test one paper at a time: the same answers as the masks."""
    ids = hf_library.ordered_ids()
    hf_library.add_tags(ids[:5], ["vision"])
    hf_library.set_note(ids[3], "Ada says: compare the reasoning baselines")
    hf_library.set_starred(ids[2:7])
    hf_library.set_read(ids[4:9])
    since = hf_library.papers[ids[-1]].added  # the sample came first: the HF papers are "new"
    searcher = Searcher(hf_library.papers, hf_library.states, since)
    for query in QUERIES:
        from tui_reader.search.query import parse_query

        terms = parse_query(query)
        expected = set(searcher.filter(ids, terms))
        found = {pid for pid in ids if OnePaper(hf_library.papers, pid, since).matches(terms, hf_library.state(pid))}
        assert found == expected, query
