"""SIGHUP (the terminal closed) and SIGTERM end the app only after the write in flight: an import
being stored when the signal comes is stored whole, then the app exits (issue 17). A real process
in a real terminal (tmux)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest

from reliability_helpers import arxiv_paper, temp_files
from tui_reader.export.backup import to_json
from tui_reader.models import PaperState
from tui_reader.store.library import Library

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (.ci/run installs it)")]
WAIT = 60.0  # a limit for slow machines, not a measurement
PAPERS = 20_000


@pytest.fixture(scope="module")
def backup(tmp_path_factory):
    path = tmp_path_factory.mktemp("signals") / "backup.json"
    papers = [arxiv_paper(n) for n in range(PAPERS)]
    path.write_text(to_json(papers, {p.id: PaperState(starred=True) for p in papers[::100]}))
    return path


class TerminalApp:
    """The app in its own tmux server, as a user runs it."""

    def __init__(self, data, config) -> None:
        self.socket = f"tui-reader-sig-{uuid.uuid4().hex[:8]}"
        command = f"exec {sys.executable} -m tui_reader --data-dir {data} --config-dir {config}"
        self.tmux("new-session", "-d", "-s", "app", "-x", "160", "-y", "45", "-e", "TERM=xterm-256color", command)
        self.pid = int(self.tmux("list-panes", "-t", "app", "-F", "#{pane_pid}").strip())

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True).stdout

    def wait_for(self, *texts: str) -> None:
        """Until one of `texts` is on screen."""
        deadline = time.monotonic() + WAIT
        while not any(text in self.tmux("capture-pane", "-p", "-t", "app") for text in texts):
            assert time.monotonic() < deadline, f"{texts!r} never on screen:\n{self.tmux('capture-pane', '-p', '-t', 'app')}"
            time.sleep(0.05)

    def wait_gone(self) -> None:
        deadline = time.monotonic() + WAIT
        while True:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return
            assert time.monotonic() < deadline, "the app did not exit"
            time.sleep(0.05)


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_an_import_lets_it_finish(tmp_path, backup, name):
    data, config = tmp_path / "data", tmp_path / "config"
    with Library(data) as lib:
        lib.import_papers([arxiv_paper(PAPERS + 1)])
    app = TerminalApp(data, config)
    try:
        app.wait_for("All · 1 paper")
        for key in ("C-p", "Import a file", "Enter"):
            app.tmux("send-keys", "-t", "app", key)
            time.sleep(0.1)
        app.wait_for("Import papers from a file")
        app.tmux("send-keys", "-t", "app", "-l", str(backup))
        app.tmux("send-keys", "-t", "app", "Enter")
        # the store is brief: on a fast machine it may be over before the screen is read
        app.wait_for("Merging them into the library", f"All · {PAPERS + 1:,} papers")
        os.kill(app.pid, getattr(signal, name))
        app.wait_gone()
    finally:
        app.tmux("kill-server")
    assert temp_files(data) == []
    with Library(data, read_only=True) as lib:
        assert len(lib.papers) == PAPERS + 1  # the import in flight was finished
        assert sum(s.starred for s in lib.states.values()) == PAPERS // 100


def test_closing_the_terminal_ends_the_app_and_keeps_the_star(tmp_path):
    """A closed terminal window: Textual's shutdown would wait forever to restore the terminal,
    leaving an app that holds the library; it must end, its changes on disk."""
    data, config = tmp_path / "data", tmp_path / "config"
    with Library(data) as lib:
        lib.import_papers([arxiv_paper(1)])
    app = TerminalApp(data, config)
    try:
        app.wait_for("All · 1 paper")
        app.tmux("send-keys", "-t", "app", "s")
        app.wait_for("★")
        app.tmux("kill-session", "-t", "app")  # the terminal goes: the app gets SIGHUP
        app.wait_gone()
    finally:
        app.tmux("kill-server")
    with Library(data, read_only=True) as lib:
        assert [s.starred for s in lib.states.values()] == [True]
