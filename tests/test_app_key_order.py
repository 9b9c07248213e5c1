"""Keys typed in one burst (a fast typist, a paste, a macro) land where they were typed: the keys
after one that opens a field go into that field, never run as commands. Under Pilot the keys are
posted to the app all at once, as one read from the terminal would deliver them."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, TextArea

from app_helpers import current_id, make_app, paper_list, reopen_state, running

NAMED = {" ": "space", ",": "comma", "/": "slash", "-": "minus", ":": "colon", "?": "question_mark"}


def burst(app, *keys: str) -> None:
    """Each item is a key name ("enter", "ctrl+s") or text typed character by character."""
    for item in keys:
        if len(item) > 1 and (item in ("enter", "escape", "tab", "space") or "+" in item):
            app.post_message(events.Key(item, None))
            continue
        for char in item:
            app.post_message(events.Key(NAMED.get(char, char), char))


async def settle(pilot, condition, limit: int = 200) -> None:
    for _ in range(limit):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the app never got there")


async def test_slash_and_a_word_in_one_burst_all_reach_the_search_field(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        before = reopen_state(library)
        burst(app, "/diffusion")
        search = app.main_screen.query_one("#search", Input)
        await settle(pilot, lambda: search.value == "diffusion" and not app.holding_keys)
        assert app.focused is search
        assert reopen_state(library) == before  # s, n, o… never ran
        assert len(app.screen_stack) == 2  # no note editor opened


async def test_slash_word_enter_then_j_moves_in_the_result(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        burst(app, "/diffusion", "enter", "j")
        await settle(pilot, lambda: app.focused is paper_list(app) and not app.holding_keys)
        await settle(pilot, lambda: paper_list(app).cursor == 1)
        assert app.main_screen.query_one("#search", Input).value == "diffusion"
        assert reopen_state(library) == {}


async def test_t_tags_enter_in_one_burst_adds_every_tag(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        first = current_id(app)
        burst(app, "tvision, sr", "enter", "j", "tnotes", "enter")
        second = paper_list(app).ids[1]
        await settle(pilot, lambda: library.state(second).tags == ["notes"] and not app.holding_keys)
        state = reopen_state(library)
        assert state[first].tags == ["vision", "sr"]
        assert state[second].tags == ["notes"]
        assert not state[first].starred and not state[first].read and not state[first].note


async def test_n_text_ctrl_s_in_one_burst_saves_the_whole_note(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        burst(app, "n", "read section three", "ctrl+s", "j")
        await settle(pilot, lambda: library.state(pid).note == "read section three" and not app.holding_keys)
        await settle(pilot, lambda: paper_list(app).cursor == 1)
        assert reopen_state(library)[pid].note == "read section three"
        assert not app.screen.query(TextArea)


async def test_untag_picker_enter_in_one_burst_removes_the_first_tag_only(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        library.add_tags([pid], ["a", "b"])
        burst(app, "T", "enter", "s")
        await settle(pilot, lambda: library.state(pid).starred and not app.holding_keys)
        assert reopen_state(library)[pid].tags == ["b"]


async def test_a_key_that_opens_nothing_lets_the_next_keys_through(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        burst(app, "T", "s")  # no tags: T says so and opens nothing; s stars
        await settle(pilot, lambda: library.state(pid).starred and not app.holding_keys)
        assert len(app.screen_stack) == 2


async def test_palette_and_typed_command_in_one_burst(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        burst(app, "ctrl+p", "star or unstar")
        await settle(pilot, lambda: not app.holding_keys and isinstance(app.focused, Input) and app.focused.value == "star or unstar")
        assert reopen_state(library) == {}
