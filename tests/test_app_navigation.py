"""One navigation vocabulary in every pane: j/k, g/G, Home/End, PgUp/PgDn move the list, scroll the
detail pane, move in the sidebar and in a picker; J/K and ctrl+d/ctrl+u scroll the detail from the
list; Enter reads a paper and Esc comes back; focus stays on a visible pane through resizes."""

from __future__ import annotations

import pytest
from textual import events
from textual.scrollbar import ScrollBar

from app_helpers import current_id, make_app, paper_list, running, settles, wait_until
from tui_reader.ui.detail import DetailPane
from tui_reader.ui.navigation import MovingOptionList


def detail(app) -> DetailPane:
    return app.main_screen.query_one(DetailPane)


async def long_paper_shown(app, pilot) -> DetailPane:
    """The first paper, shown with the list focused: every abstract in the sample overflows the
    detail pane at 80x24."""
    await wait_until(pilot, lambda: detail(app).max_scroll_y >= 4)
    return detail(app)


@pytest.mark.parametrize("keys, row", [
    (["j", "j", "j"], 3), (["down", "down", "k"], 1), (["j", "up"], 0), (["G"], 80), (["end", "g"], 0),
    (["G", "home"], 0), (["pagedown"], None), (["pagedown", "pageup"], 0),
])
async def test_every_move_key_in_the_list(library, config_folder, keys, row):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press(*keys)
        cursor = paper_list(app).cursor
        assert cursor == row if row is not None else cursor > 5


async def test_every_move_key_in_the_detail_pane(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(80, 24)) as pilot:
        pane = await long_paper_shown(app, pilot)
        cursor = paper_list(app).cursor
        await pilot.press("enter")  # reads it: the detail pane takes the keys
        assert app.focused is pane
        for key, expected in (("j", 1), ("j", 2), ("k", 1), ("down", 2), ("up", 1), ("G", pane.max_scroll_y),
                              ("g", 0), ("end", pane.max_scroll_y), ("home", 0)):
            await pilot.press(key)
            await settles(pilot, lambda: pane.scroll_y, expected)
        await pilot.press("pagedown")
        await wait_until(pilot, lambda: pane.scroll_y > 2)
        await pilot.press("pageup")
        await settles(pilot, lambda: pane.scroll_y, 0)
        assert paper_list(app).cursor == cursor  # the list did not move meanwhile
        await pilot.press("escape")
        assert app.focused is paper_list(app)


async def test_J_K_and_ctrl_d_ctrl_u_scroll_the_detail_from_the_list(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(80, 24)) as pilot:
        pane = await long_paper_shown(app, pilot)
        cursor = paper_list(app).cursor
        await pilot.press("J", "J")
        await settles(pilot, lambda: pane.scroll_y, 2)
        assert app.focused is paper_list(app)
        await pilot.press("K")
        await settles(pilot, lambda: pane.scroll_y, 1)
        await pilot.press("ctrl+d")
        await wait_until(pilot, lambda: pane.scroll_y > 2)
        await pilot.press("ctrl+u", "ctrl+u")
        await settles(pilot, lambda: pane.scroll_y, 0)
        assert paper_list(app).cursor == cursor


async def test_scroll_keys_faster_than_the_frames_are_all_kept(library, config_folder):
    """J and j sent in one burst (a paste, a held key) each scroll a line: none is lost to a
    scroll still waiting for its frame."""
    app = make_app(library, config_folder)
    async with running(app, size=(80, 24)) as pilot:
        pane = await long_paper_shown(app, pilot)
        for key in "JJJ":
            app.post_message(events.Key(key, key))
        await settles(pilot, lambda: pane.scroll_y, 3, timeout=5)
        await pilot.press("enter")  # the pane takes the keys; reading the paper keeps the place
        for key in "jjj":
            app.post_message(events.Key(key, key))
        await settles(pilot, lambda: pane.scroll_y, 6, timeout=5)
        await pilot.press("s", "t", *"later", "enter")  # a star or a tag keeps it too
        await pilot.pause()
        assert pane.scroll_y == 6
        await pilot.press("escape", "j")  # another paper starts at its top
        await settles(pilot, lambda: pane.scroll_y, 0, timeout=5)


async def test_keys_typed_right_after_enter_scroll_the_paper_being_read(library, config_folder):
    """Enter and j j j in one burst: Enter gives the detail pane the keys before the j's are
    handed on, so they scroll the paper read instead of moving the list's cursor."""
    app = make_app(library, config_folder)
    async with running(app, size=(80, 24)) as pilot:
        pane = await long_paper_shown(app, pilot)
        cursor = paper_list(app).cursor
        for key, character in (("enter", "\r"), ("j", "j"), ("j", "j"), ("j", "j")):
            app.post_message(events.Key(key, character))
        await settles(pilot, lambda: pane.scroll_y, 3, timeout=5)
        assert paper_list(app).cursor == cursor and app.focused is pane


async def test_every_move_key_in_the_sidebar(library, config_folder):
    library.add_tags([library.ordered_ids()[0]], ["a", "b", "c"])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        sidebar = app.main_screen.sidebar
        sidebar.focus()
        await pilot.pause()
        start = sidebar.highlighted
        await pilot.press("j", "j")
        assert sidebar.highlighted == start + 2
        await pilot.press("k")
        assert sidebar.highlighted == start + 1
        await pilot.press("G")
        assert sidebar.get_option_at_index(sidebar.highlighted).id == "tag:c"
        await pilot.press("g")
        assert sidebar.highlighted == 0
        await pilot.press("end", "home", "pagedown")
        assert sidebar.highlighted > 0
        await pilot.press("pageup")
        assert sidebar.highlighted == 0
        await pilot.press("j", "enter")
        assert app.main_screen.view == sidebar.get_option_at_index(1).id != "view:all"
        await pilot.press("escape")
        assert app.focused is paper_list(app)


async def test_every_move_key_in_the_untag_picker(library, config_folder):
    pid = library.ordered_ids()[0]
    library.add_tags([pid], ["one", "two", "three", "four"])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("T")
        await pilot.pause()
        picker = app.screen.query_one(MovingOptionList)
        for key, expected in (("j", 1), ("j", 2), ("k", 1), ("G", 3), ("g", 0), ("end", 3), ("home", 0),
                              ("pagedown", 3), ("pageup", 0), ("down", 1)):
            await pilot.press(key)
            assert picker.highlighted == expected, key
        await pilot.press("enter")
        await pilot.pause()
        assert library.state(pid).tags == ["one", "three", "four"]


async def test_focus_comes_back_to_the_list_when_the_sidebar_folds_away(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(160, 45)) as pilot:
        # Pilot's pause ends when the process looks idle, which a starved process on a busy machine
        # also does: wait for what each step must have done (the focus lands after a message).
        app.main_screen.sidebar.focus()
        await wait_until(pilot, lambda: app.focused is app.main_screen.sidebar)
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: app.main_screen.has_class("-narrow"))
        await settles(pilot, lambda: app.focused, paper_list(app))
        assert app.focused is paper_list(app)
        await pilot.press("j", "j")
        await settles(pilot, lambda: paper_list(app).cursor, 2)
        assert paper_list(app).cursor == 2


async def test_in_a_tiny_terminal_enter_reads_full_screen_and_escape_comes_back(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(40, 12)) as pilot:
        screen = app.main_screen
        assert detail(app).region.height == 0 and paper_list(app).region.height > 5
        await pilot.press("j", "enter")
        await pilot.pause()
        assert app.focused is detail(app) and paper_list(app).region.height == 0 and detail(app).region.height > 5
        assert library.state(current_id(app)).read
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is paper_list(app) and detail(app).region.height == 0
        await pilot.press("b")
        await pilot.pause()
        assert screen.sidebar.region.width == 40 and app.focused is screen.sidebar
        await pilot.press("escape")
        await pilot.pause()
        assert app.focused is paper_list(app) and screen.sidebar.region.width == 0
        await pilot.resize_terminal(120, 40)
        await pilot.press("enter")
        await pilot.pause()
        assert paper_list(app).region.height > 5 and detail(app).region.height > 5  # both, side by side


@pytest.mark.parametrize("size", [(160, 45), (100, 30), (80, 24), (60, 20), (40, 12)])
async def test_the_footer_keeps_q_and_help_at_every_width(library, config_folder, size):
    from textual.widgets._footer import FooterKey

    app = make_app(library, config_folder)
    async with running(app, size=size) as pilot:
        await pilot.pause()
        keys = [key for key in app.main_screen.query(FooterKey) if key.region.width]
        shown = {key.key for key in keys}
        assert {"q", "question_mark"} <= shown
        assert max(key.region.right for key in keys) <= size[0]


async def test_moving_in_the_list_redraws_no_scrollbar_of_the_list_or_the_sidebar(library, config_folder, monkeypatch):
    """A new paper in the detail pane lays the screen out; that left the list's and the sidebar's
    scrollbars alone as it should, instead of redrawing them (and every line between them) on each
    cursor move."""
    drawn = []
    draw = ScrollBar.render

    def spy(scrollbar):
        drawn.append(scrollbar.parent)
        return draw(scrollbar)

    monkeypatch.setattr(ScrollBar, "render", spy)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        drawn.clear()
        await pilot.press("j", "j", "j")
        await wait_until(pilot, lambda: app.main_screen.shown_id == paper_list(app).ids[3])
        await pilot.pause()
        assert app.main_screen.detail in drawn  # (the spy sees the scrollbars that are drawn)
        assert paper_list(app) not in drawn and app.main_screen.sidebar not in drawn
