"""Palette commands that use the fetch and export modules: a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from tui_reader.ui.dialogs import Confirm, ExportPrompt

from app_helpers import make_app, notices, paper_list, running

FIXTURE = Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"
pytest.importorskip("tui_reader.sources.http")


@pytest.fixture
def hf_server(monkeypatch):
    body = FIXTURE.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            payload = body if "p=0" in self.path else b"[]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("TUI_READER_HF_URL", f"http://127.0.0.1:{server.server_address[1]}")
    yield server
    server.shutdown()


def command(app, name):
    return next(run for title, _, run in app.extra_commands() if title == name)


async def test_fetch_today_imports_into_the_open_app(library, config_folder, hf_server):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        command(app, "Fetch today's HF papers")()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(paper_list(app).ids) == 81 + 12
        assert "2503.07365" in paper_list(app).ids
        assert any("12 new" in n.message for n in notices(app))


async def test_a_failed_fetch_is_a_message(library, config_folder, monkeypatch):
    monkeypatch.setenv("TUI_READER_HF_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        command(app, "Fetch today's HF papers")()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(paper_list(app).ids) == 81
        assert any(n.severity == "error" and "Fetch failed" in n.message for n in notices(app))


@pytest.mark.parametrize("label, suffix", [("Markdown", ".md"), ("BibTeX", ".bib")])
async def test_export_view_writes_the_papers_in_the_list(library, config_folder, tmp_path, monkeypatch, label, suffix):
    monkeypatch.chdir(tmp_path)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        app.main_screen.query_one("#search").value = "diffusion"
        await pilot.pause()
        shown = [library.papers[pid].title for pid in paper_list(app).ids]
        command(app, f"Export view as {label}")()
        await pilot.pause()
        assert isinstance(app.screen, ExportPrompt) and not list(tmp_path.glob("tui-reader-*"))  # asks first
        field = app.screen.query_one(Input)
        assert field.value.startswith(str(tmp_path / "tui-reader-")) and field.value.endswith(suffix)
        await pilot.press("enter")
        await pilot.pause()
        [path] = tmp_path.glob(f"tui-reader-*{suffix}")
        text = path.read_text()
        assert shown and all(title.split(":")[0][:20] in text for title in shown)
        assert "Recursive Generalization" not in text


async def test_export_asks_before_replacing_a_file_and_completes_paths(library, config_folder, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "exports").mkdir()
    target = tmp_path / "exports" / "mine.bib"
    target.write_text("keep me")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        for answer in ("n", "y"):
            command(app, "Export view as BibTeX")()
            await pilot.pause()
            field = app.screen.query_one(Input)
            field.value = f"{tmp_path}/"  # the folder's path as if typed: key by key it cost seconds
            field.cursor_position = len(field.value)
            await pilot.press("e", "x", "p")
            await pilot.pause()
            await pilot.press("tab")
            await pilot.pause()
            assert field.value == str(tmp_path / "exports") + "/"  # tab completed the folder
            await pilot.press(*"mine.bib", "enter")
            await pilot.pause()
            assert isinstance(app.screen, Confirm) and "Replace" in str(app.screen.question)
            await pilot.press(answer)
            await pilot.pause()
            if answer == "n":
                assert isinstance(app.screen, ExportPrompt) and target.read_text() == "keep me"
                await pilot.press("escape")
                await pilot.pause()
        assert app.screen is app.main_screen and target.read_text().startswith("@")


async def test_import_a_file_through_the_prompt(library, config_folder):
    from tui_reader.ui.dialogs import PathPrompt

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        command(app, "Import a file…")()
        await pilot.pause()
        assert isinstance(app.screen, PathPrompt)
        # typed in two parts, the folder completed from its listing by tab
        field = app.screen.query_one(Input)
        field.value = f"{FIXTURE.parent}/"  # as if typed
        field.cursor_position = len(field.value)
        await pilot.press(*"hf-daily-2025-03-1")
        await pilot.pause()
        await pilot.press("tab", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(paper_list(app).ids) == 81 + 12
        assert "2503.07365" in paper_list(app).ids
        assert any("Imported 12 papers (12 new, 0 updated) from hf-daily-2025-03-11.json" in n.message for n in notices(app))
    assert "2503.07365" in library.papers  # written through the library, not only shown


async def test_importing_a_broken_file_is_a_message_and_changes_nothing(library, config_folder, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('[{"paper": ')
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        from tui_reader.ui.transfers import import_file

        import_file(app, broken)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(paper_list(app).ids) == 81
        errors = [n.message for n in notices(app) if n.severity == "error"]
        assert errors and errors[0].startswith(f"Import failed: {broken}: ")


async def test_a_store_that_fails_closes_its_screen_and_says_so(library, config_folder, monkeypatch):
    from tui_reader.errors import StorageWriteError
    from tui_reader.sources import Batch
    from tui_reader.ui.transfers import store_batch

    def disk_full(*args, **kwargs):  # fault injection: the write fails as on a full disk
        raise StorageWriteError(library.catalog_path, OSError(28, "No space left on device"))

    monkeypatch.setattr(library, "import_papers", disk_full)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        store_batch(app, Batch("test", []), "Imported")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is app.main_screen and not app.main_screen.storing
        assert len(paper_list(app).ids) == 81
        assert any(n.severity == "error" and "No space left" in n.message for n in notices(app))
