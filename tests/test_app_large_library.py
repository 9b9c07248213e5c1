"""100,000 papers: the list holds ids, not widgets; a state change re-renders one row, not the list."""

from __future__ import annotations

import gc

import pytest

from app_helpers import make_app, notices, paper_list, reopen_state, running, settles, wait_until
from tui_reader.store.gc_pause import YOUNG_PASS_AFTER
from tui_reader.store.library import Library
from tui_reader.models import Link, Paper
from tui_reader.ui.app import FREEZE_AFTER

COUNT = 100_000
pytestmark = pytest.mark.xdist_group("big-library")  # one worker builds the big folder, once


@pytest.fixture(scope="module")
def big_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big")
    papers = [
        Paper(
            id=f"{2000 + n // 100_000}.{n % 100_000:05d}",
            title=f"Paper {n} on {'diffusion' if n % 7 == 0 else 'transformers'}",
            abstract=f"Abstract of paper {n}.",
            links=[Link(f"https://github.com/lab/p{n}", "code")] if n % 3 == 0 else [],
        )
        for n in range(COUNT)
    ]
    with Library(folder) as library:
        library.import_papers(papers)
    return folder


@pytest.fixture
def big_library(big_folder):
    library = Library(big_folder)
    yield library
    library.close()


def count_rendered_rows(papers):
    rendered = []
    original = papers._render_row

    def counting(paper_id, is_cursor, width):
        rendered.append(paper_id)
        return original(paper_id, is_cursor, width)

    papers._render_row = counting  # instrumentation: the real rendering still runs
    return rendered


async def test_a_huge_list_builds_no_row_widgets_and_renders_only_what_is_seen(big_library, config_folder):
    app = make_app(big_library, config_folder)
    async with running(app, size=(160, 45)) as pilot:
        papers = paper_list(app)
        assert len(papers.ids) == COUNT
        assert list(papers.children) == []
        rendered = count_rendered_rows(papers)
        papers.refresh_all_rows()
        await pilot.pause()
        height = papers.scrollable_content_region.height
        assert 0 < len(rendered) <= height
        await pilot.press("G")
        assert papers.cursor == COUNT - 1
        await settles(pilot, lambda: papers.scroll_y, COUNT - height)


async def test_a_star_rerenders_one_row_and_saves(big_library, config_folder):
    app = make_app(big_library, config_folder)
    async with running(app, size=(160, 45)) as pilot:
        papers = paper_list(app)
        await pilot.press("j", "j")
        await pilot.pause()
        rendered = count_rendered_rows(papers)
        await pilot.press("s")
        await pilot.pause()
        pid = papers.current_id
        assert rendered == [pid]  # only the starred row was rendered again
        assert reopen_state(big_library)[pid].starred
        big_library.set_starred([pid], False)  # leave the shared library as found


async def test_search_and_views_work_on_a_huge_list(big_library, config_folder):
    app = make_app(big_library, config_folder)
    async with running(app, size=(160, 45)) as pilot:
        await pilot.press("slash")
        app.main_screen.query_one("#search").insert_text_at_cursor("diffusion")
        # at 100,000 papers the query runs in a thread: wait for its answer, not for a time
        await wait_until(pilot, lambda: len(paper_list(app).ids) == len(range(0, COUNT, 7)))
        app.main_screen.sidebar.choose("view:code")
        await wait_until(pilot, lambda: len(paper_list(app).ids) == len([n for n in range(0, COUNT, 7) if n % 3 == 0]))


async def test_the_search_is_prepared_after_the_start_and_stays_right(big_library, config_folder):
    tagged = big_library.ordered_ids()[3]
    big_library.add_tags([tagged], ["zebrafish"])
    app = make_app(big_library, config_folder)
    try:
        async with running(app, size=(160, 45)) as pilot:
            screen = app.main_screen
            joined = lambda: screen.session.searcher._notes_index._joined  # noqa: E731
            await wait_until(pilot, lambda: joined() is not None)  # built ahead, by the timer's thread
            await app.workers.wait_for_complete()
            assert joined().states is big_library.states
            screen.save(tagged, lambda: big_library.add_tags([tagged], ["quokka"]))  # after it: tested alone
            await pilot.press("slash")
            screen.query_one("#search").insert_text_at_cursor("quokka")
            # the query starts once the field's change is handled, then runs in a thread
            await wait_until(pilot, lambda: paper_list(app).ids == [tagged])
    finally:
        big_library.remove_tags([tagged], ["zebrafish", "quokka"])  # leave the shared library as found


@pytest.mark.parametrize("freeze", [True, False])
async def test_a_real_start_hides_what_lives_on_from_the_collector(library, config_folder, freeze):
    # run_app asks for it; tests do not (a frozen app would outlive its test)
    frozen, threshold = gc.get_freeze_count(), gc.get_threshold()
    app = make_app(library, config_folder, freeze_after_start=freeze)
    gc.disable()  # as the command leaves it while the app starts (tui_reader.entry)
    try:
        async with running(app) as pilot:
            # the app's own timer at FREEZE_AFTER, if it set one, fires before this one set after it
            marker = []
            app.set_timer(FREEZE_AFTER, lambda: marker.append(True))
            await wait_until(pilot, lambda: marker and (not freeze or gc.get_freeze_count() > frozen))
            assert (gc.get_freeze_count() > frozen) is freeze
            assert gc.isenabled() is freeze  # the app turns it back on when it freezes
            # and young passes come less often: a search's big lists are mostly freed before one walks them
            assert (gc.get_threshold()[0] == YOUNG_PASS_AFTER) is freeze
    finally:
        gc.enable()
        gc.unfreeze()
        gc.set_threshold(*threshold)


async def test_papers_are_stored_in_a_thread_behind_a_screen_that_holds_the_keys(big_library, config_folder):
    from tui_reader.sources import Batch
    from tui_reader.ui.dialogs import Storing
    from tui_reader.ui.transfers import store_batch

    new = [Paper(id=f"2601.{n:05d}", title=f"Fresh paper {n}") for n in range(3)]
    app = make_app(big_library, config_folder)
    try:
        async with running(app, size=(160, 45)) as pilot:
            papers = paper_list(app)
            first = papers.current_id
            held = big_library.access
            held.acquire()  # the store waits for it: its screen stays up while the keys are pressed
            try:
                store_batch(app, Batch("test", new), "Imported")
                await pilot.pause()
                assert isinstance(app.screen, Storing)
                assert app.main_screen.storing and papers.cached_rows_only
                await pilot.press("s", "j", "q", "ctrl+q", "ctrl+p", "ctrl+t", "escape")
                assert isinstance(app.screen, Storing) and app.return_code is None  # no star, no quit
            finally:
                held.release()
            imported = "Imported 3 papers (3 new, 0 updated) from the file"
            await wait_until(pilot, lambda: any(imported in n.message for n in notices(app)))
            assert app.screen is app.main_screen and not papers.cached_rows_only
            assert len(papers.ids) == COUNT + 3 and papers.ids[0] == "2601.00000"
            assert not big_library.state(first).starred
            assert any("Still storing" in n.message for n in notices(app))
    finally:
        # leave the shared library as found: the three new papers out again
        big_library.papers.write({}, [p.id for p in new], keep_backups=0)
