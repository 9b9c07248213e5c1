"""kill -9 a writer at random moments, many times: after every kill the library reopens at once, with
no problem reported, no temp file left after the start, and the user's state equal to the state
before the interrupted change or the state after it, never a third.

The writer (tests/crash_writer.py) is a real process forked from a zygote that has the library
imported, so a round costs milliseconds, not a Python start. TUI_READER_KILLS sets the number of
kills (default 200); TUI_READER_KILL_SEED the random seed (fixed by default; printed, and named in
every failure, to replay it).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reliability_helpers import ROOT, state_view, temp_files
from tui_reader.store.library import Library

import crash_writer

KILLS = int(os.environ.get("TUI_READER_KILLS", "200"))
SEED = int(os.environ.get("TUI_READER_KILL_SEED", "424242"))

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")]


def apply(view: dict[str, tuple], op: list) -> dict[str, tuple]:
    """The model: what `op` does to {title: (has arXiv id, read, starred, tags, note)}."""
    view = dict(view)
    kind = op[0]

    def change(title, **fields):
        arxiv, read, starred, tags, note = view[title]
        values = {"arxiv": arxiv, "read": read, "starred": starred, "tags": tags, "note": note, **fields}
        view[title] = (values["arxiv"], values["read"], values["starred"], values["tags"], values["note"])

    if kind == "star":
        for title in op[1]:
            change(title, starred=op[2])
    elif kind == "read":
        for title in op[1]:
            change(title, read=op[2])
    elif kind == "tag":
        tags = view[op[1]][3]
        change(op[1], tags=tags + tuple(t for t in dict.fromkeys(op[2]) if t not in tags))
    elif kind == "untag":
        change(op[1], tags=tuple(t for t in view[op[1]][3] if t not in op[2]))
    elif kind == "note":
        change(op[1], note=op[2])
    elif kind == "upgrade":
        change(op[1], arxiv=True)
    elif kind == "add":
        view.setdefault(op[1], (False, False, False, (), ""))
    return view


def read_log(path: Path) -> list[dict]:
    entries = []
    if path.exists():
        for line in path.read_bytes().splitlines(keepends=True):
            if line.endswith(b"\n"):  # a line cut by the kill was never written whole
                entries.append(json.loads(line))
    return entries


class Zygote:
    def __init__(self, folder: Path):
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "crash_writer.py"), str(folder)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        assert self.ask(None) == "ready"

    def ask(self, line: str | None) -> str:
        if line is not None:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer, f"the zygote died (exit {self.process.poll()})"
        return answer

    def close(self) -> None:
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()


def test_kill_minus_nine_at_random_moments(tmp_path):
    folder = tmp_path / "lib"
    crash_writer.seed_library(folder)
    with Library(folder) as lib:
        model = state_view(lib)
    rng = random.Random(SEED)
    print(f"\ncrash torture: seed {SEED} (TUI_READER_KILL_SEED={SEED} replays it)")
    tally = {"kills": 0, "during-open": 0, "mid-change": 0, "landed-after": 0, "temp-files-left": 0, "changes-acked": 0, "problems": 0}
    zygote = Zygote(folder)
    try:
        for round_ in range(KILLS):
            log = tmp_path / f"log-{round_}.jsonl"
            pid = int(zygote.ask(f"run {log} {SEED * 10_000 + round_}"))
            # a random moment: sometimes while it opens the library, mostly somewhere in its changes
            time.sleep(rng.uniform(0, 0.004) if rng.random() < 0.1 else rng.uniform(0.004, 0.08))
            os.kill(pid, signal.SIGKILL)
            assert zygote.ask(f"reap {pid}") == str(int(signal.SIGKILL)), "the writer ended by itself"
            tally["kills"] += 1

            entries = read_log(log)
            opened = [e for e in entries if "opened" in e]
            if not opened:
                tally["during-open"] += 1
            else:
                assert opened[0]["problems"] == [], f"seed {SEED} round {round_}: {opened[0]['problems']}"
            intents = {e["intent"]: e["op"] for e in entries if "intent" in e}
            acked = {e["ack"] for e in entries if "ack" in e}
            for n in sorted(acked):
                model = apply(model, intents[n])
            tally["changes-acked"] += len(acked)
            pending = [intents[n] for n in intents if n not in acked]
            assert len(pending) <= 1
            before = model
            after = apply(model, pending[0]) if pending else model
            if temp_files(folder):
                tally["temp-files-left"] += 1

            with Library(folder) as lib:  # timeout 0: the killed writer's lock is free at once
                assert lib.problems == [], f"seed {SEED} round {round_}: {lib.problems}"
                assert temp_files(folder) == [], f"seed {SEED} round {round_}"
                view = state_view(lib)
            context = f"seed {SEED} round {round_}, interrupted: {pending[0] if pending else None}"
            assert view in (before, after), context + "\n" + describe(view, before, after)
            if pending:
                tally["mid-change"] += 1
                if view != before:
                    tally["landed-after"] += 1
            model = view
    finally:
        zygote.close()
    print(f"\ncrash torture (seed {SEED}): {tally}")
    assert tally["kills"] == KILLS
    assert tally["mid-change"] > KILLS // 4, "the kills should mostly land inside a change"


def describe(view: dict, before: dict, after: dict) -> str:
    lines = []
    for title in sorted(view.keys() | before.keys() | after.keys()):
        if not (view.get(title) == before.get(title) == after.get(title)):
            lines.append(f"{title}: on disk {view.get(title)}, before {before.get(title)}, after {after.get(title)}")
    return "\n".join(lines)
