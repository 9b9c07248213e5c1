"""The writer for tests/test_crash_torture.py, run as `python tests/crash_writer.py DATA_DIR`.

It is a zygote: it imports the library once, then on each `run LOG SEED` line on stdin forks a
child and prints the child's pid; `reap PID` waits for that child and prints how it ended. Each
child opens the library and makes random star/read/tag/note changes (and now and then imports a new
paper or the arXiv version of a title-only paper) forever, until the test kills it with SIGKILL.

Around each change the child appends to LOG, one JSON line per write(2) call (a completed write(2)
is in the kernel, so a kill -9 cannot take it back):
    {"intent": n, "op": [...]}   before the library call
    {"ack": n}                   after it returned
so the test knows the two states the library may be in after the kill. Ops name papers by title,
since a paper's id changes when it gains its arXiv id.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_helpers import arxiv_paper, titled_paper  # noqa: E402
from tui_reader.store.library import Library  # noqa: E402
from tui_reader.models import Paper, title_id  # noqa: E402

ARXIV_PAPERS = 150
TITLED_PAPERS = 50
TAGS = ("ml", "vision", "to-read", "storage", "kill-9", "é-accent", "long-tag-name-for-nothing")


def seed_library(folder: Path) -> None:
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(ARXIV_PAPERS)] + [titled_paper(n) for n in range(TITLED_PAPERS)])


def upgrade_id(title: str) -> str:
    """The arXiv id a title-only paper gains (deterministic per title)."""
    number = int(title.split("number ")[1].split()[0])
    return f"2403.{number:05d}"


def choose(rng: random.Random, titles: list[str], upgradable: list[str], seed: int, n: int) -> list:
    roll = rng.random()
    some = rng.sample(titles, rng.choice((1, 1, 1, 2, 3)))
    if roll < 0.25:
        return ["star", some, rng.random() < 0.7]
    if roll < 0.40:
        return ["read", some, rng.random() < 0.7]
    if roll < 0.58:
        return ["tag", some[0], rng.sample(TAGS, rng.choice((1, 2)))]
    if roll < 0.68:
        return ["untag", some[0], rng.sample(TAGS, rng.choice((1, 2)))]
    if roll < 0.90:
        size = rng.choice((0, 10, 200, 3000))
        text = "".join(rng.choice("abcdef ghij\nklm—é✓") for _ in range(size))
        return ["note", some[0], text]
    if roll < 0.96 and upgradable:
        return ["upgrade", rng.choice(upgradable)]
    return ["add", f"Added paper s{seed} n{n} on crash safety"]


def perform(lib: Library, ids: dict[str, str], op: list) -> None:
    kind = op[0]
    if kind in ("star", "read"):
        setter = lib.set_starred if kind == "star" else lib.set_read
        setter([ids[t] for t in op[1]], op[2])
    elif kind == "tag":
        lib.add_tags([ids[op[1]]], op[2])
    elif kind == "untag":
        lib.remove_tags([ids[op[1]]], op[2])
    elif kind == "note":
        lib.set_note(ids[op[1]], op[2])
    elif kind == "upgrade":
        title = op[1]
        lib.import_papers([Paper(id=upgrade_id(title), title=title, abstract="From the API, longer than the page's.", source="hf-api", sources=["hf-api"])])
        ids[title] = upgrade_id(title)
    elif kind == "add":
        lib.import_papers([Paper(id=title_id(op[1]), title=op[1], source="hf-page", sources=["hf-page"])])
        ids[op[1]] = title_id(op[1])
    else:
        raise ValueError(op)


def writer(folder: Path, log_path: Path, seed: int) -> None:
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def record(entry: dict) -> None:
        os.write(log, json.dumps(entry).encode() + b"\n")

    lib = Library(folder)
    ids = {lib.papers[pid].title: pid for pid in lib.papers}
    record({"opened": True, "problems": lib.problems})
    rng = random.Random(seed)
    n = 0
    while True:
        titles = sorted(ids)
        upgradable = [t for t in titles if t.startswith("Title only") and not ids[t].startswith("2403.")]
        op = choose(rng, titles, upgradable, seed, n)
        record({"intent": n, "op": op})
        perform(lib, ids, op)
        record({"ack": n})
        n += 1


def zygote(folder: Path) -> None:
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                try:
                    writer(folder, Path(args[0]), int(args[1]))
                finally:
                    os._exit(1)
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}", flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    zygote(Path(sys.argv[1]))
