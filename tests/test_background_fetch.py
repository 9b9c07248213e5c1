"""The background fetch against a real HTTP server on 127.0.0.1: the first call fails (500), the
next one is held until the test has pressed keys, then answers with the day's papers."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from app_helpers import current_id, make_app, notices, paper_list, reopen_state, running
from tui_reader.config import Config, FetchSettings, load_config, render_config

FIXTURE = Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"
WAIT = 20.0  # seconds a condition may take on a busy machine


class DailyPapers:
    """GET /api/daily_papers: the statuses in `script` first (one per call), then the fixture, each
    answer after `gate` is set."""

    def __init__(self, script: list[int]) -> None:
        self.script = list(script)
        self.calls = 0
        self.gate = threading.Event()
        self.gate.set()
        body = FIXTURE.read_bytes()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.calls += 1
                status = server.script.pop(0) if server.script else 200
                if status == 200:
                    server.gate.wait(WAIT)
                payload = (body if "p=0" in self.path else b"[]") if status == 200 else b"upstream error"
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.gate.set()
        self.http.shutdown()


@pytest.fixture
def serve(monkeypatch):
    servers = []

    def start(script: list[int]) -> DailyPapers:
        server = DailyPapers(script)
        servers.append(server)
        monkeypatch.setenv("TUI_READER_HF_URL", server.url)
        monkeypatch.setenv("TUI_READER_RETRY_WAIT", "0")
        return server

    yield start
    for server in servers:
        server.close()


def fetching_config(folder: Path) -> Path:
    config = Config(path=folder / "config.toml", fetch=FetchSettings(background=True, every_minutes=60))
    folder.mkdir(parents=True, exist_ok=True)
    config.path.write_text(render_config(config), "utf-8")
    return folder


async def until(pilot, condition, what: str) -> None:
    """Let the app run until `condition()` holds (fails after WAIT seconds)."""
    import time

    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT:g} s for {what}"
        await pilot.pause(0.02)


def test_the_setting_is_off_by_default_and_documented(tmp_path):
    config, problems = load_config(tmp_path)
    assert problems == [] and config.fetch.background is False
    text = render_config(config)
    assert "[fetch]" in text and "background = false" in text and "every_minutes = 60" in text
    (tmp_path / "config.toml").write_text(text + "")
    (tmp_path / "config.toml").write_text(text.replace("every_minutes = 60", "every_minutes = 0"))
    config, problems = load_config(tmp_path)
    assert problems == [f"{tmp_path / 'config.toml'}: fetch.every_minutes must be a whole number of at least 5"]


async def test_a_fetch_in_the_background_keeps_the_keys_and_the_cursor(library, config_folder, serve):  # noqa: F811
    server = serve([500])  # the first call fails, the retry is held until the keys below were pressed
    server.gate.clear()
    app = make_app(library, fetching_config(config_folder))
    async with running(app) as pilot:
        await until(pilot, lambda: server.calls >= 2, "the retry after the 500")
        before = list(paper_list(app).ids)
        assert app.background_fetch.running and "Fetching" in app.background_fetch.last_line
        assert str(paper_list(app).border_subtitle) == app.background_fetch.last_line  # under the list
        await pilot.press("j", "j", "s", "slash", *"trans", "enter")  # moves, a star, a search: all at once
        starred = before[2]
        assert app.library.state(starred).starred
        assert app.main_screen.search_text == "trans" and len(paper_list(app).ids) < len(before)
        await pilot.press("escape", "j")
        target = current_id(app)
        assert paper_list(app).ids == before and app.background_fetch.running
        server.gate.set()
        await until(pilot, lambda: len(paper_list(app).ids) == 81 + 12, "the fetched papers in the list")
        assert current_id(app) == target  # the cursor stayed on its paper
        assert "2503.07365" in paper_list(app).ids
        await until(pilot, lambda: not app.background_fetch.running, "the fetch to end")
        assert app.background_fetch.last_line == "Fetched 12 papers: 12 new"
    assert reopen_state(library)[starred].starred


async def test_a_failed_fetch_is_one_quiet_line_and_is_tried_again(library, config_folder, serve):  # noqa: F811
    server = serve([503] * 4)  # every try of the first fetch fails
    app = make_app(library, fetching_config(config_folder))
    app.background_fetch.retry_seconds = 0.3
    second = library.ordered_ids()[1]
    async with running(app) as pilot:
        await until(pilot, lambda: app.background_fetch.failures, "the failure line")
        line = app.background_fetch.failures[0]
        assert "HTTP 503" in line and "after 4 tries" in line and line.startswith("Fetch failed, trying again in 1 min: ") and "\n" not in line
        assert not [n for n in notices(app) if n.severity == "error"]  # no error toast
        await pilot.press("j")
        assert current_id(app) == second
        await until(pilot, lambda: len(paper_list(app).ids) == 81 + 12, "the papers of the retry")
        assert server.calls >= 5 and current_id(app) == second


async def test_keys_that_change_a_paper_wait_for_the_store(library, config_folder, serve):  # noqa: F811
    serve([])
    gate = threading.Event()
    store = library.import_papers

    def slow_store(*args, **kwargs):  # the real import, started only once the test has pressed keys
        gate.wait(WAIT)
        return store(*args, **kwargs)

    library.import_papers = slow_store
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        app.background_fetch.fetch_now(asked=True)
        await until(pilot, lambda: app.main_screen.storing, "the store to begin")
        await pilot.press("j", "s")
        first_row = paper_list(app).ids[1]
        assert current_id(app) == first_row and not app.library.state(first_row).starred  # moved; the star waits
        gate.set()
        await until(pilot, lambda: app.library.state(first_row).starred, "the star after the store")
        assert current_id(app) == first_row and len(paper_list(app).ids) == 81 + 12
