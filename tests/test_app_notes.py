"""The note editor: ctrl+s saves, Esc asks before dropping changes; the note shows as Markdown."""

from __future__ import annotations

from textual.widgets import Markdown, TextArea

from app_helpers import current_id, make_app, reopen_state, running
from tui_reader.ui.dialogs import Confirm, NoteEditor


async def write_note(pilot, text):
    await pilot.press("n")
    editor = pilot.app.screen.query_one(TextArea)
    editor.insert(text)
    await pilot.pause()


async def test_n_then_ctrl_s_saves_the_note(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        await pilot.press(*"good", "space", *"idea")
        await pilot.press("ctrl+s")
        assert app.screen is app.main_screen
        assert reopen_state(library)[pid].note == "good idea"


async def test_the_note_shows_as_markdown_in_the_detail_pane(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await write_note(pilot, "# Verdict\n\n- **strong** baseline")
        await pilot.press("ctrl+s")
        await pilot.pause()
        note = app.main_screen.query_one("#detail-note", Markdown)
        assert note.source == "# Verdict\n\n- **strong** baseline"
        assert note.query("MarkdownH1")  # rendered, not shown as source text


async def test_escape_without_changes_closes_at_once(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("n", "escape")
        assert app.screen is app.main_screen
        assert library.states == {}


async def test_escape_with_changes_asks_and_no_keeps_editing(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await write_note(pilot, "draft")
        await pilot.press("escape")
        assert isinstance(app.screen, Confirm)
        await pilot.press("n")
        assert isinstance(app.screen, NoteEditor)
        assert app.screen.text == "draft"
        await pilot.press("ctrl+s")
        assert library.state(current_id(app)).note == "draft"


async def test_escape_with_changes_then_yes_drops_them(library, config_folder):
    app = make_app(library, config_folder)
    library.set_note(library.ordered_ids()[0], "kept")
    async with running(app) as pilot:
        await write_note(pilot, " and more")
        await pilot.press("escape", "y")
        assert app.screen is app.main_screen
        assert reopen_state(library)[current_id(app)].note == "kept"


async def test_an_emptied_note_is_removed(library, config_folder):
    pid = library.ordered_ids()[0]
    library.set_note(pid, "old")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("n")
        app.screen.query_one(TextArea).clear()
        await pilot.press("ctrl+s")
        assert pid not in reopen_state(library)
