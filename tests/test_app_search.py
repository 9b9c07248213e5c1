"""The `/` search: live filtering in the same language as `tui-reader list --query`."""

from __future__ import annotations

import pytest

from app_helpers import current_id, make_app, paper_list, running
from tui_reader.search.searcher import Searcher


def cli_ids(library, query):
    return Searcher(library.papers, library.states).filter(library.ordered_ids(), query)


async def type_search(pilot, text):
    """Open the search with `/` and enter `text` (set at once: typing is tested on its own below)."""
    await pilot.press("slash")
    pilot.app.main_screen.query_one("#search").insert_text_at_cursor(text)
    await pilot.pause()


async def test_slash_filters_as_you_type(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", "d", "i", "f", "f")
        await pilot.pause()
        assert paper_list(app).ids == cli_ids(library, "diff")
        await pilot.press("u", "s", "i", "o", "n")
        await pilot.pause()
        assert paper_list(app).ids == cli_ids(library, "diffusion")
        assert 0 < len(paper_list(app).ids) < 81


@pytest.mark.parametrize(
    "query",
    ['"self-supervised learning"', "is:starred", "is:unread", "is:read", "has:code", "has:note", "tag:vision", "-self", "has:code -transformer", "author:nobody"],
)
async def test_search_language_matches_the_cli(library, config_folder, query):
    ids = library.ordered_ids()
    library.set_starred(ids[:3])
    library.set_read(ids[2:6])
    library.add_tags([ids[1], ids[7]], ["vision"])
    library.set_note(ids[4], "read the appendix")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await type_search(pilot, query)
        assert app.main_screen.search_text == query
        assert paper_list(app).ids == cli_ids(library, query)


async def test_search_covers_tags_and_notes(library, config_folder):
    ids = library.ordered_ids()
    library.add_tags([ids[10]], ["zebrafish"])
    library.set_note(ids[20], "compare with quokka results")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await type_search(pilot, "zebrafish")
        assert paper_list(app).ids == [ids[10]]
        await pilot.press("escape")
        await type_search(pilot, "quokka")
        assert paper_list(app).ids == [ids[20]]


async def test_escape_clears_the_search_and_keeps_the_paper(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await type_search(pilot, "diffusion")
        await pilot.press("enter", "j")  # back in the list, on the second match
        chosen = current_id(app)
        await pilot.press("escape")
        assert len(paper_list(app).ids) == 81
        assert current_id(app) == chosen
        assert app.focused is paper_list(app)


async def test_typing_in_the_search_does_not_trigger_keys(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", "s", "t", "a", "r", "s", "space", "q", "T", "G")
        assert app.main_screen.search_text == "stars qTG"
        assert library.states == {}
        assert app.is_running


async def test_a_line_feed_submits_the_search_as_enter_does(library, config_folder):
    """ctrl+j is what Enter becomes when typed before the app took the terminal over."""
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", "d", "i", "f", "f", "ctrl+j", "s")
        assert app.main_screen.search_text == "diff"
        assert app.focused is paper_list(app)
        assert [pid for pid, state in library.states.items() if state.starred] == [paper_list(app).ids[0]]


async def test_an_unknown_is_value_is_shown_and_keeps_the_last_results(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await type_search(pilot, "is:")
        before = list(paper_list(app).ids)
        await pilot.press("s", "t", "a")
        await pilot.pause()
        search = app.main_screen.query_one("#search")
        assert search.has_class("-error")
        assert "unknown is:sta" in str(search.border_subtitle)
        assert paper_list(app).ids == before
        await pilot.press("r", "r", "e", "d")  # is:starred
        await pilot.pause()
        assert not search.has_class("-error")
        assert paper_list(app).ids == []


async def test_search_combines_with_the_sidebar_view(library, config_folder):
    ids = library.ordered_ids()
    library.set_starred(ids[:10])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        app.main_screen.sidebar.choose("view:starred")
        await pilot.pause()
        await type_search(pilot, "self")
        assert paper_list(app).ids == cli_ids(library, "is:starred self")
        assert paper_list(app).ids  # the sample has starred papers with "self" in them


async def test_an_empty_result_shows_a_hint_not_a_crash(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await type_search(pilot, "xyzzy-nothing")
        assert paper_list(app).ids == []
        await pilot.press("enter", "s", "r", "c", "j", "enter")
        assert library.states == {}


async def test_the_cursor_stays_in_view_when_the_list_grows_back(library, config_folder):
    last = library.ordered_ids()[-1]
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await type_search(pilot, library.papers[last].title)
        assert paper_list(app).ids == [last]
        await pilot.press("enter", "escape")  # back to all 81, the cursor still on the last paper
        await pilot.pause()
        papers = paper_list(app)
        assert papers.current_id == last and papers.cursor == 80
        top = papers.scroll_offset.y
        assert top <= papers.cursor < top + papers.scrollable_content_region.height


# -- typing on narrows the shown result; a big catalog queries in a thread ----------------------

from tui_reader.search import searcher as searcher_module  # noqa: E402
from tui_reader.search.query import parse_query  # noqa: E402
from tui_reader.search.searcher import refines, sort_ids  # noqa: E402


@pytest.mark.parametrize("old, new, narrower", [
    ("model", "models", True),
    ("model", "model has:code", True),
    ('"self', '"self-supervised learning"', True),
    ("title:diff", "title:diffusion", True),
    ("author:li", "author:lin", True),
    ("model", "mode", False),
    ("-mod", "-mode", False),  # a longer negated word excludes fewer papers
    ("tag:vis", "tag:visi", False),  # tags match whole
    ("model has:code", "models", False),
    ("title:diff", "diffusion", False),
])
def test_which_queries_narrow_the_previous_one(old, new, narrower):
    assert refines(parse_query(new), parse_query(old)) is narrower


async def test_typing_on_and_back_gives_the_same_ids_as_the_cli(library, config_folder):
    ids = library.ordered_ids()
    library.set_starred(ids[:20])
    library.add_tags([ids[3]], ["diffusion-notes"])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        app.main_screen.sidebar.choose("view:starred")
        await pilot.press("S")  # sorted by title: a narrowed result keeps its order
        await pilot.press("slash", *"diff")
        await pilot.pause()
        for keys in ("u", "s", "i", "o", "n", "backspace", "backspace", "space", "-", "m", "o"):
            await pilot.press(keys)
            await pilot.pause()
            expected = Searcher(library.papers, library.states).filter(library.ordered_ids(), "is:starred " + app.main_screen.search_text)
            assert paper_list(app).ids == sort_ids(expected, "title", library.papers, library.states), app.main_screen.search_text


async def test_a_state_change_is_seen_by_the_next_narrowed_query(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", *"is:unread")
        await pilot.pause()
        first = paper_list(app).current_id
        await pilot.press("enter", "r")  # back in the list: mark the first match read
        await pilot.press("slash", "end", "space", "d")  # the search selects its text on focus
        await pilot.pause()
        assert first not in paper_list(app).ids
        assert paper_list(app).ids == cli_ids(library, "is:unread d")


async def test_in_a_big_catalog_the_query_runs_in_a_thread_and_the_newest_wins(library, config_folder, monkeypatch):
    monkeypatch.setattr(searcher_module, "THREAD_FROM", 0)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", *"diffusion")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert paper_list(app).ids == cli_ids(library, "diffusion")
        assert "matching 'diffusion'" in str(paper_list(app).border_title)
        await pilot.press("space", *"-self")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert paper_list(app).ids == cli_ids(library, "diffusion -self")
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(paper_list(app).ids) == 81




def layouts_asked_by(*widgets):
    """Instrumentation: each widget's refresh still runs; the ones that ask for a layout are noted."""
    asked = []
    for widget in widgets:
        def noting(*regions, _original=widget.refresh, _widget=widget, **options):
            if options.get("layout"):
                asked.append(_widget)
            return _original(*regions, **options)

        widget.refresh = noting
    return asked


async def test_the_scrollbar_follows_each_result_and_only_its_coming_or_going_lays_out(library, config_folder):
    # A layout repaints every widget on the screen (~15-35 ms at 100,000 papers): the list and
    # the search field ask for one only when the list's scrollbar comes or goes.
    app = make_app(library, config_folder)
    async with running(app, size=(120, 30)) as pilot:
        papers = paper_list(app)
        field = app.main_screen.query_one("#search")
        await pilot.press("slash")
        await pilot.pause()
        assert papers.show_vertical_scrollbar and papers.vertical_scrollbar.window_virtual_size == 81
        asked = layouts_asked_by(papers, field)
        for key in "learning":  # typed: each key also widens the field's content
            await pilot.press(key)
        await pilot.pause()
        assert papers.scrollable_content_region.height < len(papers.ids) == len(cli_ids(library, "learning")) < 81
        assert papers.vertical_scrollbar.window_virtual_size == len(papers.ids)
        assert asked == []
        field.insert_text_at_cursor(" video")  # a few papers: the scrollbar goes
        await pilot.pause()
        assert 0 < len(papers.ids) < papers.scrollable_content_region.height
        assert not papers.show_vertical_scrollbar
        await pilot.press("escape")
        await pilot.pause()
        assert len(papers.ids) == 81 and papers.show_vertical_scrollbar
        assert papers.vertical_scrollbar.window_virtual_size == 81
