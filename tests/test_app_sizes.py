"""Terminal sizes: usable at 80x24, alive at 40x12, through a resize to 20x5 and back."""

from __future__ import annotations

from app_helpers import current_id, make_app, paper_list, running


async def test_at_80x24_the_sidebar_folds_away_and_b_shows_it(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(80, 24)) as pilot:
        screen = app.main_screen
        assert screen.has_class("-narrow")
        assert screen.sidebar.region.width == 0
        assert paper_list(app).region.width == 80  # the list gets the full width
        assert app.main_screen.query_one("#detail").region.height > 5  # detail under it
        await pilot.press("b")
        await pilot.pause()
        assert screen.sidebar.region.width > 0 and app.focused is screen.sidebar
        await pilot.press("down", "enter")  # from the active view (All) to Has code; choosing folds it again
        await pilot.pause()
        assert screen.sidebar.region.width == 0 and app.focused is paper_list(app)
        assert screen.view == "view:code"


async def test_at_80x24_keys_work(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(80, 24)) as pilot:
        await pilot.press("j", "s", "enter")
        state = library.state(current_id(app))
        assert state.starred and state.read


async def test_starts_at_40x12(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(40, 12)) as pilot:
        await pilot.press("j", "s", "question_mark", "escape", "n", "escape", "slash", "x", "escape")
        assert app.is_running and library.state(current_id(app)).starred


async def test_survives_resizing_to_20x5_and_back(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(120, 40)) as pilot:
        for size in [(80, 24), (40, 12), (20, 5), (1, 1), (20, 5), (160, 45), (120, 40)]:
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.press("j")
        assert app.is_running
        assert paper_list(app).cursor == 7
        assert not app.main_screen.has_class("-narrow")
        assert app.main_screen.sidebar.region.width > 0
