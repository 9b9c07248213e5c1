"""The real program in a real terminal (tmux): first screen, keys saved across processes, OSC 52."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from app_helpers import FIRST_REPO, FIRST_TITLE

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux (.ci/run installs it)")]
WAIT = 30.0  # a limit for slow machines, not a measurement


@pytest.fixture
def terminal(tmp_path):
    socket = f"tui-reader-test-{uuid.uuid4().hex[:8]}"
    data, config = tmp_path / "data", tmp_path / "config"

    def tmux(*args: str) -> str:
        return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True, check=True).stdout

    def start(before: str = "") -> None:
        command = f"{before}{sys.executable} -m tui_reader --data-dir {data} --config-dir {config}; sleep 30"
        tmux("new-session", "-d", "-s", "app", "-x", "160", "-y", "45", "-e", "TERM=xterm-256color", "-e", "DISPLAY=", command)
        tmux("set", "-g", "set-clipboard", "on")

    def screen() -> str:
        return tmux("capture-pane", "-p", "-t", "app")

    def wait_for(text: str, gone: bool = False) -> str:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            shown = screen()
            if (text in shown) != gone:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} {'still' if gone else 'never'} on screen:\n{screen()}")

    def keys(*names: str) -> None:
        for name in names:
            tmux("send-keys", "-t", "app", name)
            time.sleep(0.05)  # one key at a time, as typed; Escape followed at once by a key is Alt+key

    terminal = type("Terminal", (), {})()
    terminal.tmux, terminal.start, terminal.screen, terminal.wait_for, terminal.keys = tmux, start, screen, wait_for, keys
    terminal.data = data
    yield terminal
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def listed(data, query):
    out = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(data), "list", "--query", query, "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout)


def test_star_tag_note_read_in_tmux_are_on_disk_after_q(terminal):
    terminal.start()
    terminal.wait_for("Recursive Generalization")
    terminal.wait_for("All · 81 papers")
    terminal.keys("s", "t")
    terminal.wait_for("Add tags")
    terminal.keys("vision, sr", "Enter")
    terminal.wait_for("Add tags", gone=True)
    terminal.keys("n")
    terminal.wait_for("ctrl+s saves")
    terminal.keys("looks solid", "C-s")
    terminal.wait_for("ctrl+s saves", gone=True)
    terminal.keys("r", "q")
    terminal.wait_for("All · 81 papers", gone=True)
    [paper] = listed(terminal.data, "is:starred")
    assert paper["title"] == FIRST_TITLE
    assert paper["tags"] == ["vision", "sr"] and paper["note"] == "looks solid" and paper["read"]


def test_c_sends_the_repo_link_by_osc52_to_tmux(terminal):
    terminal.start()
    terminal.wait_for("Recursive Generalization")
    terminal.keys("c")
    terminal.wait_for("Copy not confirmed")  # no X display: the tool cannot confirm, the message says so
    assert FIRST_REPO in terminal.screen()
    assert terminal.tmux("show-buffer") == FIRST_REPO


def test_keys_in_one_burst_land_in_the_field_they_were_typed_for(terminal):
    """`/`, a word and Enter sent in one burst, then `t`, tags and Enter, 20 times each: the field
    gets every character every time and no paper's state changes but the tags typed."""
    terminal.start()
    terminal.wait_for("All · 81 papers")
    words = ["diffusion", "transformer", "self-supervised", "agent"]
    for round in range(20):
        word = words[round % len(words)]
        terminal.tmux("send-keys", "-t", "app", "/", *word, "Enter")  # one write to the terminal
        terminal.wait_for(f"matching '{word}'")
        terminal.keys("Escape")
        terminal.wait_for("matching", gone=True)
    for round in range(20):
        terminal.tmux("send-keys", "-t", "app", "t", *f"burst{round}, x{round}", "Enter")
        terminal.wait_for("Add tags", gone=True)
    terminal.keys("q")
    terminal.wait_for("All · 81 papers", gone=True)
    changed = [p for p in listed(terminal.data, "") if p["tags"] or p["starred"] or p["read"] or p["note"]]
    assert len(changed) == 1  # the paper the cursor stayed on
    expected = [tag for round in range(20) for tag in (f"burst{round}", f"x{round}")]
    assert changed[0]["tags"] == expected
    assert not (changed[0]["starred"] or changed[0]["read"] or changed[0]["note"])


def test_keys_typed_while_the_app_starts_are_kept_and_enter_still_submits(terminal):
    """Keys typed before the app has the terminal (here: during a second's wait before it starts)
    are read by the terminal in its ordinary mode, which turns Enter into a line feed (ctrl+j).
    The search still gets the word, Enter still returns to the list, and the `s` typed after it
    stars a paper instead of landing in the search field."""
    terminal.start(before="sleep 1; ")
    terminal.tmux("send-keys", "-t", "app", "/", *"reasoning", "Enter")  # before the app reads its terminal
    terminal.wait_for("matching 'reasoning'")
    terminal.keys("s")
    terminal.wait_for("★")
    terminal.keys("q")
    terminal.wait_for("matching 'reasoning'", gone=True)
    starred = listed(terminal.data, "is:starred")
    assert len(starred) == 1 and "reasoning" in (starred[0]["title"] + starred[0]["abstract"]).lower()
    assert "reasonings" not in terminal.screen()
