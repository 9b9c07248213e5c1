#!/usr/bin/env python3
"""Marking a 10,000-paper result read in a 100,000-paper library: one action, one write, one undo.

    .venv/bin/python bench/bulk_read.py            # 100,000 papers, 10,000 marked (medians of 5)
    .venv/bin/python bench/bulk_read.py 10000 1000

Uses the libraries of bench/generate.py (imported into bench/out/bulk-N/, with the user state of
`state_plan`). Prints, in ms: the Library call (`set_read` of the 10,000 unread papers: one write of
state.json), the undo of it (one write), and the app's whole action (`A` then `y`: the write, the
list's rows, the sidebar's counts, the detail pane) under Textual's run_test at 160x45, with the
library frozen out of the collector as `run_app` does.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import OUT, generate, state_plan  # noqa: E402

from tui_reader.models import PaperState  # noqa: E402
from tui_reader.store.library import Library  # noqa: E402

RUNS = 5


def prepare(n: int) -> Path:
    folder = OUT / f"bulk-{n}"
    if (folder / "papers.json").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([str(ROOT / ".venv" / "bin" / "tui-reader"), "--data-dir", str(folder), "import", str(generate(n))],
                   check=True, stdout=subprocess.DEVNULL)
    with Library(folder, purpose="bench") as library:
        states = {pid: PaperState(**fields) for pid, fields in state_plan(library.ordered_ids()).items()}
        library.import_papers([], states=states)
    return folder


def library_calls(folder: Path, marked: int) -> tuple[float, float, int]:
    marks, undos = [], []
    with Library(folder, purpose="bench") as library:
        ids = [pid for pid in library.ordered_ids() if not library.state(pid).read][:marked]
        for _ in range(RUNS):
            began = time.perf_counter()
            library.set_read(ids, True)
            marks.append(time.perf_counter() - began)
            began = time.perf_counter()
            library.undo()
            undos.append(time.perf_counter() - began)
        size = library.state_path.stat().st_size
    return statistics.median(marks) * 1000, statistics.median(undos) * 1000, size


async def app_action(folder: Path, marked: int) -> float:
    """The `A` action's work once confirmed: MainScreen.change_many over the unread papers shown."""
    from tui_reader.store.gc_pause import freeze_survivors
    from tui_reader.ui.app import ReaderApp

    times = []
    with Library(folder, purpose="bench") as library:
        app = ReaderApp(library, cursor_blink=False)
        freeze_survivors()  # as run_app does: the collector's full passes stay off the library
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            screen = app.main_screen
            ids = [pid for pid in library.ordered_ids() if not library.state(pid).read][:marked]
            for _ in range(RUNS):
                began = time.perf_counter()
                screen.change_many(ids, lambda: library.set_read(ids, True))
                await pilot.pause()  # the list and the sidebar drawn again
                times.append(time.perf_counter() - began)
                library.undo()
                screen.states_changed(None, refilter=True)
                await pilot.pause()
            await app.workers.wait_for_complete()
    return statistics.median(times) * 1000


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    marked = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    folder = prepare(n)
    mark_ms, undo_ms, size = library_calls(folder, marked)
    print(f"set_read {mark_ms:.0f} ms, undo {undo_ms:.0f} ms", flush=True)
    action_ms = asyncio.run(app_action(folder, marked))
    print("| papers | marked | set_read ms | undo ms | app action ms | state.json |")
    print(f"| {n:,} | {marked:,} | {mark_ms:.0f} | {undo_ms:.0f} | {action_ms:.0f} | {size / 1e6:.1f} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
