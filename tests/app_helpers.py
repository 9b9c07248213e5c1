"""Shared set-up for the app tests: a real Library in a temp folder holding the bundled sample."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tui_reader.cli.common import sample_batch
from tui_reader.store.library import Library
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.main_screen import MainScreen
from tui_reader.ui.paper_list import PaperList

FIRST_TITLE = "Recursive Generalization Transformer for Image Super-Resolution"
FIRST_REPO = "https://github.com/zhengchen1999/RGT"


def sample_library(folder: Path) -> Library:
    library = Library(folder)
    library.import_papers(sample_batch().papers)
    return library


@pytest.fixture
def library(tmp_path):
    lib = sample_library(tmp_path / "data")
    yield lib
    lib.close()


@pytest.fixture
def config_folder(tmp_path) -> Path:
    return tmp_path / "config"


def make_app(library: Library, config_folder: Path, **options) -> ReaderApp:
    options.setdefault("cursor_blink", False)
    options.setdefault("related", False)  # no model build (a process) behind every app test; test_app_related turns it on
    return ReaderApp(library, config_folder=config_folder, **options)


@asynccontextmanager
async def running(app: ReaderApp, size: tuple[int, int] = (120, 40)):
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield pilot
        await app.workers.wait_for_complete()


def main(app: ReaderApp) -> MainScreen:
    return app.main_screen


def paper_list(app: ReaderApp) -> PaperList:
    return app.main_screen.query_one(PaperList)


def current_id(app: ReaderApp) -> str:
    pid = paper_list(app).current_id
    assert pid is not None
    return pid


def reopen_state(library: Library):
    """The state as a fresh process would read it from disk."""
    fresh = Library(library.folder, read_only=True)
    try:
        return dict(fresh.states)
    finally:
        fresh.close()


# -- clipboard ---------------------------------------------------------------------------------


@pytest.fixture
def x_display(monkeypatch):
    """A real X server (Xvfb) on a free display, with DISPLAY set; skipped without Xvfb and xclip."""
    import os
    import shutil
    import subprocess

    if not (shutil.which("Xvfb") and shutil.which("xclip")):
        pytest.skip("needs Xvfb and xclip (apt-get install -y xvfb xclip; .ci/run installs them)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # Xvfb writes its display number once it accepts clients
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    monkeypatch.setenv("DISPLAY", f":{number}")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def fake_tools(folder: Path, names: list[str], body: str) -> Path:
    """Scripts standing in for clipboard tools: each runs `body` (sh). Returns the folder for PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        script = folder / name
        script.write_text("#!/bin/sh\n" + body + "\n")
        script.chmod(0o755)
    return folder


FAKE_BEHAVIOURS = {
    "exit-1": "/bin/cat > /dev/null; echo 'cannot open display' >&2; exit 1",
    "hang": "echo $$ >> \"${0%/*}/pids\"; exec /bin/sleep 10",
    "garbage": "/bin/cat > /dev/null 2>&1; printf '\\033[31mgarbage\\000\\377'; exit 0",
}

FAKE_SETUPS = {  # tool -> (scripts, environment that makes pyperclip choose it)
    "xclip": (["xclip"], {"DISPLAY": ":0"}),
    "xsel": (["xsel"], {"DISPLAY": ":0"}),
    "wl-copy": (["wl-copy", "wl-paste"], {"WAYLAND_DISPLAY": "wayland-0"}),
}


def use_fake_tool(monkeypatch, folder: Path, tool: str, behaviour: str) -> Path:
    scripts, env = FAKE_SETUPS[tool]
    fake_tools(folder, scripts, FAKE_BEHAVIOURS[behaviour])
    monkeypatch.setenv("PATH", str(folder))  # only the fakes: no real xclip behind them
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return folder
