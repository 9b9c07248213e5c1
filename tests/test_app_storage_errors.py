"""When saving fails the user is told and keeps working; an unreadable file at start offers a backup."""

from __future__ import annotations

from app_helpers import current_id, make_app, notices, reopen_state, running
from cli_helpers import sample_library
from reliability_helpers import Faults, enospc, eio
from tui_reader.store.library import Library
from tui_reader.ui.dialogs import RestoreBackup


async def test_a_failed_write_is_a_notification_and_a_retry_works(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        with Faults(library.folder, "fsync", 1, enospc()):
            await pilot.press("s")
        assert not library.state(pid).starred  # memory follows the unchanged disk
        assert pid not in reopen_state(library)
        [note] = notices(app)
        assert note.title == "Not saved" and note.severity == "error"
        assert "No space left on device" in note.message and "state.log" in note.message  # the state log, where a change is appended
        await pilot.press("j", "k", "s")  # the app still answers, and the retry saves
        assert reopen_state(library)[pid].starred


async def test_failed_note_and_tag_writes_keep_the_app_alive(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        with Faults(library.folder, "write", 1, eio()):
            await pilot.press("t", "x", "enter")
        with Faults(library.folder, "fsync", 1, enospc()):
            await pilot.press("n", "h", "i", "ctrl+s")
        assert library.state(pid).tags == [] and library.state(pid).note == ""
        assert [n.title for n in notices(app)] == ["Not saved", "Not saved"]
        await pilot.press("r")
        assert reopen_state(library)[pid].read


async def test_an_unreadable_state_file_offers_the_newest_backup(tmp_path, config_folder):
    folder = tmp_path / "data"
    with sample_library(folder) as lib:
        first = lib.ordered_ids()[0]
        lib.set_starred([first])
    with Library(folder) as lib:  # a later session: folding its change keeps the starred state as a backup
        lib.add_tags([first], ["kept"])
    (folder / "state.json").write_bytes(b'{"state": {"x": [truncated')
    with Library(folder) as lib:
        assert lib.problems
        app = make_app(lib, config_folder)
        async with running(app) as pilot:
            assert isinstance(app.screen, RestoreBackup)
            assert "state.json" in str(app.screen.query_one("#restore-problems").render())
            await pilot.press("enter")  # the focused button: restore
            await pilot.pause()
            assert app.screen is app.main_screen
            assert lib.state(first).starred  # the newest backup holds the star (the tag came after it)
            assert "Restored" in notices(app)[-1].message
            await pilot.press("r")  # saving works on the restored file
        state = reopen_state(lib)[first]
        assert state.starred and state.read


async def test_the_backup_offer_can_be_declined(tmp_path, config_folder):
    folder = tmp_path / "data"
    with sample_library(folder) as lib:
        lib.set_starred([lib.ordered_ids()[0]])
        lib.set_read([lib.ordered_ids()[0]])
    (folder / "state.json").write_bytes(b"null")
    with Library(folder) as lib:
        app = make_app(lib, config_folder)
        async with running(app) as pilot:
            await pilot.press("escape")
            assert app.screen is app.main_screen
            assert lib.states == {}
            await pilot.press("s")
            assert lib.state(lib.ordered_ids()[0]).starred
        assert sorted(p.name.split(".corrupt-")[0] for p in folder.glob("*.corrupt-*")) == ["state.json"]


async def test_an_unreadable_catalog_offers_its_backup_and_the_list_comes_back(tmp_path, config_folder):
    from tui_reader.models import Paper

    folder = tmp_path / "data"
    with sample_library(folder) as lib:
        lib.import_papers([Paper(id="2401.00002", title="One more paper")])  # the 81-paper catalog is now a backup
    (folder / "papers.json").write_bytes(b"\x00\x01 not json")
    with Library(folder) as lib:
        assert any("papers.json" in p for p in lib.problems)
        app = make_app(lib, config_folder)
        async with running(app) as pilot:
            assert isinstance(app.screen, RestoreBackup)
            assert len(app.main_screen.paper_list.ids) == 0
            await pilot.press("enter")
            await pilot.pause()
            assert len(app.main_screen.paper_list.ids) == 81
            assert app.main_screen.sidebar.get_option("view:all").prompt.plain.split()[-1] == "81"
