"""The help made from the bindings, the keymap checked at start, and the app's messages: short
toasts, never more than two, titles that say what the list holds, plain wording."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Static

from app_helpers import current_id, make_app, notices, paper_list, running, settles
from tui_reader.config import config_path
from tui_reader.search.query import HAS_VALUES, IS_VALUES
from tui_reader.ui.app import MAX_TOASTS, TOAST_SECONDS
from tui_reader.ui.help import HelpScreen
from tui_reader.ui.keymap import check_keymap, line_of


def help_text(app) -> str:
    """The help as shown, at the screen's width."""
    from rich.console import Console

    console = Console(width=app.screen.size.width, record=True, file=open(os.devnull, "w"))
    console.print(app.screen.query_one("#help-table", Static).content)
    return console.export_text()


@pytest.mark.parametrize("size", [(160, 45), (80, 24), (40, 12)])
async def test_help_lists_every_binding_palette_command_and_search_term(library, config_folder, size):
    from tui_reader.ui import dialogs
    from tui_reader.ui.main_screen import MainScreen
    from tui_reader.ui.paper_list import PaperList

    app = make_app(library, config_folder)
    async with running(app, size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = help_text(app)
        for binding in [*MainScreen.BINDINGS, *PaperList.BINDINGS, *dialogs.NoteEditor.BINDINGS, *app.BINDINGS]:
            assert binding.id in text, binding.id
        for words in ("Import a file", "Fetch today's HF papers", "Export view as BibTeX", "save the note", "choose-view",
                      *(f"is:{v}" for v in IS_VALUES), *(f"has:{v}" for v in HAS_VALUES)):
            assert words in text, words
        body = app.screen.query_one("#help-body")
        assert body.region.height >= 3 and body.has_focus  # readable, and j/k scroll it
        await pilot.press("j", "j")
        await settles(pilot, lambda: body.scroll_y, 2)
        await pilot.press("G")
        await settles(pilot, lambda: body.scroll_y, body.max_scroll_y)
        assert body.max_scroll_y > 2
        await pilot.press("escape")
        assert app.screen is app.main_screen


async def test_a_remapped_key_shows_in_the_help(library, config_folder):
    config_folder.mkdir(parents=True)
    config_path(config_folder).write_text('[keymap]\nstar = "x"\n')
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        line = next(line for line in help_text(app).splitlines() if line.rstrip().endswith(" star"))
        assert line.startswith("x ")


async def test_keymap_mistakes_are_reported_once_and_the_app_still_starts(library, config_folder):
    config_folder.mkdir(parents=True)
    config_path(config_folder).write_text('theme = "paper-dark"\n\n[keymap]\nstar = "r"\nbogus = "z"\nnote = "f9"\n')
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        warnings = [n.message for n in notices(app) if n.severity == "warning"]
        assert len(warnings) == 1
        [warning] = warnings
        path = config_path(config_folder)
        assert f"{path}, line 5: [keymap] has no action with id 'bogus'" in warning
        assert f"{path}, line 4: star = 'r' takes r from toggle-read" in warning
        await pilot.press("r")  # still read/unread: the clashing remap was left out
        assert library.state(pid).read and not library.state(pid).starred
        await pilot.press("s", "f9")  # s still stars; the good remap applies
        await pilot.pause()
        assert library.state(pid).starred and type(app.screen).__name__ == "NoteEditor"
    assert config_path(config_folder).read_text().count("bogus") == 1  # the file is left as written


def test_keymap_check_finds_clashes_only_within_one_scope():
    from textual.binding import Binding

    main = [Binding("s", "a", id="star"), Binding("r", "b", id="read")]
    dialog = [Binding("y", "c", id="yes")]
    usable, problems = check_keymap({"yes": "s", "read": "x"}, [main, dialog], None)
    assert usable == {"yes": "s", "read": "x"} and problems == []
    usable, problems = check_keymap({"star": "x", "read": "x"}, [main, dialog], None)
    assert usable == {"read": "x"} and problems == ["the config file: star = 'x' takes x from read; ignored, "
                                                    "so both keep their keys (remap the other too)"]
    assert line_of('a = 1\n[keymap]\n"star" = "x"\n', "star") == 3 and line_of("star = 1", "star") is None


async def test_toasts_are_short_and_at_most_two(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        for number in range(4):
            app.notify(f"message {number}", timeout=60)
        app.notify("broken", severity="error")
        await pilot.pause()
        # run_test shows no toasts; what would be on screen is Textual's list (no public view of it)
        assert [n.message for n in app._notifications] == ["message 3", "broken"] and MAX_TOASTS == 2
        asked = {n.message: n.timeout for n in notices(app)}
        assert asked["message 3"] == TOAST_SECONDS["information"] and asked["broken"] == TOAST_SECONDS["error"]
        assert TOAST_SECONDS["information"] <= 3 and TOAST_SECONDS["error"] <= 8


async def test_the_title_counts_what_the_list_shows(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        screen = app.main_screen
        screen.sidebar.choose("view:inbox")
        await pilot.pause()
        for _ in range(5):
            await pilot.press("r", "j")
        title = str(paper_list(app).border_title)
        assert title == "Inbox · 81 papers · 5 leave on Esc"
        assert screen.sidebar.counts["inbox"] == 76
        await pilot.press("escape")
        await pilot.pause()
        assert str(paper_list(app).border_title) == "Inbox · 76 papers" and len(paper_list(app).ids) == 76


async def test_an_invalid_term_leaves_the_title_on_what_is_shown(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("slash", *"diffusion")
        await pilot.pause()
        count = len(paper_list(app).ids)
        app.main_screen.query_one("#search").value = "diffusion is:"
        await pilot.pause()
        assert len(paper_list(app).ids) == count
        assert str(paper_list(app).border_title) == f"All · {count} papers matching 'diffusion'"
        app.main_screen.query_one("#search").value = "diffusion is:bogus"
        await pilot.pause()
        assert str(paper_list(app).border_title) == f"All · {count} papers matching 'diffusion'"
        assert "unknown" in str(app.main_screen.query_one("#search").border_subtitle)


async def test_the_empty_text_fits_and_names_no_search_when_there_is_none(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app, size=(40, 12)) as pilot:
        app.main_screen.sidebar.choose("view:notes")
        await pilot.pause()
        lines = [paper_list(app).render_line(y).text.strip() for y in range(3)]
        assert "search" not in " ".join(lines).lower() and lines[0].startswith("No papers in With notes")
        assert all(len(paper_list(app).render_line(y).text) <= paper_list(app).size.width for y in range(3))
        await pilot.press("slash", *"zzqq")
        await pilot.pause()
        text = " ".join(paper_list(app).render_line(y).text.strip() for y in range(4))
        assert "'zzqq'" in text and "Esc clears the search" in text


def test_the_meta_line_never_ends_on_a_separator():
    from tui_reader.models import Paper
    from tui_reader.ui.detail import meta_line

    paper = Paper(id="t-1", title="TeX", authors=["Donald E. Knuth"], published="1984")
    for width in range(10, 60):
        for line in meta_line(paper, width).splitlines():
            assert not line.strip().endswith("·") and not line.strip().startswith("·"), width
    assert meta_line(paper) == "Donald E. Knuth  ·  1984  ·  id t-1"


async def test_the_app_says_imported_one_paper(library, config_folder):
    from tui_reader.models import Paper
    from tui_reader.sources import Batch
    from tui_reader.ui.transfers import store_batch

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        store_batch(app, Batch("test", [Paper(id="2601.00001", title="Only one")]), "Imported", "one.json")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.message == "Imported 1 paper (1 new, 0 updated) from one.json" for n in notices(app))
        store_batch(app, Batch("test", [Paper(id="2601.00001", title="Only one")]), "Imported", "one.json")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any(n.message == "Nothing new from one.json: its 1 paper is already in your library" for n in notices(app))


def test_readme_keymap_table_is_made_from_the_bindings():
    from pathlib import Path

    from tui_reader.ui.help import keymap_markdown

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert keymap_markdown() in readme, "paste tui_reader.ui.help.keymap_markdown() into the README's Keymap section"
