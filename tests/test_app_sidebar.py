"""The sidebar: smart views and tags with counts, choosing one filters the list."""

from __future__ import annotations

import pytest

from app_helpers import make_app, paper_list, running, wait_until
from tui_reader.search.query import SMART_VIEWS
from tui_reader.search.searcher import Searcher
from tui_reader.ui.sidebar import count_with_code, view_counts


def prepare(library):
    ids = library.ordered_ids()
    library.set_starred(ids[:4])
    library.set_read(ids[3:9])
    library.add_tags(ids[:2], ["vision"])
    library.add_tags([ids[1]], ["sr"])
    library.set_note(ids[5], "a note")
    return ids


def test_counts_equal_the_views_queries(library):
    prepare(library)
    counts = view_counts(library, count_with_code(library))
    searcher = Searcher(library.papers, library.states)
    for key, (_label, query) in SMART_VIEWS.items():
        assert counts[key] == len(searcher.filter(library.ordered_ids(), query)), key


@pytest.mark.parametrize("view", [f"view:{key}" for key in SMART_VIEWS if key != "foryou"] + ["tag:vision", "tag:sr"])  # For you: test_app_related
async def test_choosing_a_view_filters_the_list(library, config_folder, view):
    prepare(library)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        sidebar.focus()
        sidebar.highlighted = sidebar.get_option_index(view)
        await pilot.press("enter")
        kind, _, name = view.partition(":")
        query = f"tag:{name}" if kind == "tag" else SMART_VIEWS[name][1]
        expected = Searcher(library.papers, library.states).filter(library.ordered_ids(), query)
        assert paper_list(app).ids == expected
        assert str(paper_list(app).border_title).endswith(f"{len(expected)} paper{'s' if len(expected) != 1 else ''}")


async def test_counts_follow_state_changes(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        await pilot.press("s", "t", *"fresh", "enter")
        prompts = {sidebar.get_option_at_index(i).id: str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)}
        assert prompts["view:starred"].split()[-1] == "1"
        assert prompts["tag:fresh"].split()[-1] == "1"
        assert prompts["view:inbox"].split()[-1] == "81"
        assert prompts["view:foryou"].split()[-1] == "80"  # unread, not starred: ranked by the star
        await pilot.press("r")
        assert str(sidebar.get_option(("view:inbox")).prompt).split()[-1] == "80"
        await pilot.press("s")  # no star left: For you has nothing to rank by, and its count says so
        assert str(sidebar.get_option("view:foryou").prompt).split()[-1] == "–"


async def test_a_state_change_does_not_drop_the_row_from_the_current_view(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        app.main_screen.sidebar.choose("view:inbox")
        await pilot.pause()
        first = paper_list(app).current_id
        await pilot.press("enter")  # read: no longer in the Inbox, but it stays until the view is rebuilt
        assert paper_list(app).current_id == first
        assert len(paper_list(app).ids) == 81


async def test_clicking_a_view_chooses_it(library, config_folder):
    prepare(library)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        await pilot.click("#sidebar", offset=(4, 1 + list(SMART_VIEWS).index("starred")))
        await pilot.pause()
        assert sidebar.active == "view:starred"
        assert len(paper_list(app).ids) == 4


async def test_counts_kept_from_state_changes_equal_a_full_recount(library, config_folder):
    prepare(library)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        await pilot.press("s", "r", "j", "s", "j", "j", "r", "t", *"vision,new", "enter")
        await pilot.press("T", "enter", "n", *"some words", "ctrl+s")  # untag the first tag, write a note
        await pilot.press("k", "k", "n", "ctrl+a", "delete", "ctrl+s")
        await pilot.pause()
        assert "new" in sidebar.tag_counts and any(s.note == "some words" for s in library.states.values())
        kept = (dict(sidebar.counts), dict(sidebar.tag_counts), [sidebar.get_option_at_index(i).id for i in range(sidebar.option_count)])
        sidebar.refresh_counts(catalog_changed=True)
        assert (sidebar.counts, sidebar.tag_counts) == kept[:2]
        assert [sidebar.get_option_at_index(i).id for i in range(sidebar.option_count)] == kept[2]
        assert sidebar.counts == view_counts(library, count_with_code(library))
        assert sidebar.tag_counts == library.tag_counts()


async def test_counts_taken_in_a_thread_include_a_star_given_while_they_were_counted(library, config_folder, monkeypatch):
    """A big library's sidebar counts in a thread, on the states of the moment it began (here it
    waits for the lock an import holds). A star given meanwhile moves the counts shown; the
    thread's older result must not replace them: it is counted again."""
    monkeypatch.setattr("tui_reader.ui.sidebar.COUNT_IN_THREAD_FROM", 0)
    prepare(library)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        starred_before = sidebar.counts["starred"]
        with library.access:  # as an import would: the count started now waits
            sidebar.refresh_counts()
            await pilot.press("j", "j", "j", "j", "j", "j", "s")
            assert sidebar.counts["starred"] == starred_before + 1
        await wait_until(pilot, lambda: not [w for w in app.workers if w.name == "count the sidebar" and not w.is_finished])
        await pilot.pause()
        assert sidebar.counts == view_counts(library, count_with_code(library))
        assert sidebar.counts["starred"] == starred_before + 1 and sidebar.tag_counts == library.tag_counts()
