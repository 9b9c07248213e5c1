"""Shared set-up for the app tests (the `library` and `config_folder` fixtures are in conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from weakref import WeakKeyDictionary

from textual.message import Message
from textual.notifications import Notification, Notify

from tui_reader.store.library import Library
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.main_screen import MainScreen
from tui_reader.ui.paper_list import PaperList

FIRST_TITLE = "Recursive Generalization Transformer for Image Super-Resolution"
FIRST_REPO = "https://github.com/zhengchen1999/RGT"


def make_app(library: Library, config_folder: Path, **options) -> ReaderApp:
    options.setdefault("cursor_blink", False)
    options.setdefault("related", False)  # no model build (a process) behind every app test; test_app_related turns it on
    return ReaderApp(library, config_folder=config_folder, **options)


_NOTICES: WeakKeyDictionary[ReaderApp, list[Notification]] = WeakKeyDictionary()


def notices(app: ReaderApp) -> list[Notification]:
    """Every notification the app was asked to show while `running`, oldest first (seen through
    run_test's public message hook, as each Notify message is handled)."""
    return _NOTICES[app]


@asynccontextmanager
async def running(app: ReaderApp, size: tuple[int, int] = (100, 30)):
    seen = _NOTICES[app] = []

    def hook(message: Message) -> None:
        if isinstance(message, Notify):
            seen.append(message.notification)

    async with app.run_test(size=size, message_hook=hook) as pilot:
        await pilot.pause()
        await wait_until(pilot, lambda: started(app))
        yield pilot
        await app.workers.wait_for_complete()


def started(app: ReaderApp) -> bool:
    """The first screen is complete: the detail pane shows the paper under the cursor and the
    sidebar has its counts (both come after the list's first frame). A screen shown over the
    main one (a dialog at start) leaves the rest to the test."""
    screen = app.main_screen
    if not screen.is_current or screen.storing:
        return True
    return bool(screen.sidebar.counts) and screen.shown_id == screen.paper_list.current_id


async def wait_until(pilot, condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until `condition()` holds; `timeout` guards against a hang, it is no measurement."""
    await settles(pilot, lambda: bool(condition()), True, timeout)


async def settles(pilot, read: Callable[[], object], expected: object, timeout: float = 60.0) -> None:
    """Let the app run until `read()` gives `expected` (a scroll lands on the frame after its key)."""
    deadline = time.monotonic() + timeout
    while (value := read()) != expected:
        assert time.monotonic() < deadline, f"still {value!r}, expected {expected!r}"
        await pilot.pause(0.01)


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


def opened_url(opened: Path) -> str:
    for _ in range(200):  # the browser runs in the background
        if opened.exists() and opened.read_text():
            return opened.read_text()
        time.sleep(0.05)
    raise AssertionError("the browser was never started")
