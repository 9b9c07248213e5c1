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


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_an_import_lets_it_finish(tmp_path, backup, name):
    socket = f"tui-reader-sig-{uuid.uuid4().hex[:8]}"
    data, config = tmp_path / "data", tmp_path / "config"
    with Library(data) as lib:
        lib.import_papers([arxiv_paper(PAPERS + 1)])

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True).stdout

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + WAIT
        while text not in tmux("capture-pane", "-p", "-t", "app"):
            assert time.monotonic() < deadline, f"{text!r} never on screen:\n{tmux('capture-pane', '-p', '-t', 'app')}"
            time.sleep(0.05)

    command = f"exec {sys.executable} -m tui_reader --data-dir {data} --config-dir {config}"
    tmux("new-session", "-d", "-s", "app", "-x", "160", "-y", "45", "-e", "TERM=xterm-256color", command)
    try:
        pid = int(tmux("list-panes", "-t", "app", "-F", "#{pane_pid}").strip())
        wait_for("All · 1 paper")
        for key in ("C-p", "Import a file", "Enter"):
            tmux("send-keys", "-t", "app", key)
            time.sleep(0.1)
        wait_for("Import papers from a file")
        tmux("send-keys", "-t", "app", "-l", str(backup))
        tmux("send-keys", "-t", "app", "Enter")
        wait_for("Merging them into the library")
        os.kill(pid, getattr(signal, name))
        deadline = time.monotonic() + WAIT
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() < deadline, "the app did not exit after the signal"
            time.sleep(0.05)
    finally:
        tmux("kill-server")
    assert temp_files(data) == []
    with Library(data, read_only=True) as lib:
        assert len(lib.papers) == PAPERS + 1  # the import in flight was finished
        assert sum(s.starred for s in lib.states.values()) == PAPERS // 100
