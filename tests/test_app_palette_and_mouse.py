"""The command palette offers every action; the mouse scrolls and picks rows."""

from __future__ import annotations

from textual.command import CommandPalette

from app_helpers import current_id, make_app, paper_list, running, wait_until
from tui_reader.ui.commands import ReaderCommands
from tui_reader.ui.main_screen import MainScreen


async def test_palette_lists_every_main_screen_action(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app):
        names = [name for name, _, _ in ReaderCommands(app.main_screen).commands()]
        for binding in MainScreen.BINDINGS:
            assert (binding.tooltip or binding.description) in names


async def test_running_star_from_the_palette(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"star or unstar")
        hits = app.screen.query_one("CommandList")
        for _ in range(200):  # the palette gathers hits in the background; wait for them, not for a time
            if hits.option_count:
                break
            await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert library.state(pid).starred


async def test_clicking_a_row_moves_the_cursor_and_double_click_marks_read(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.click("#papers", offset=(10, 4))  # row 3: the border takes the first line
        assert paper_list(app).cursor == 3
        assert not library.state(current_id(app)).read
        await pilot.double_click("#papers", offset=(10, 4))
        assert library.state(current_id(app)).read


async def test_mouse_wheel_scrolls_the_list(library, config_folder):
    from textual import events

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        papers = paper_list(app)
        region = papers.region
        for _ in range(5):
            app.post_message(events.MouseScrollDown(None, region.x + 5, region.y + 5, 0, 1, 0, False, False, False, region.x + 5, region.y + 5))
            await pilot.pause()
        await wait_until(pilot, lambda: papers.scroll_y > 0)
        assert papers.cursor == 0  # scrolling looks; it does not move the cursor
