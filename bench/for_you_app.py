#!/usr/bin/env python3
"""The For-you view after a star, in the app (Textual's headless driver, 160x45), at 100k papers.

    .venv/bin/python bench/for_you_app.py                  # 100,000 papers, 7 stars
    .venv/bin/python bench/for_you_app.py --size 10000 --runs 5

On a copy of bench/related.py's library (lib-related-N, made by that bench; the copy is deleted
after), with its related.model: the app opens in the For-you view; each run stars the paper under
the cursor (`s`), waits until the app is idle, then presses Esc, which re-ranks the view without
the starred paper. Measured from Esc until the new ranking is the list's and the screen has been
drawn (`call_after_refresh`): wall time and the process's CPU time (all threads: the ranking runs
in one), medians; and until the app is idle again (the detail pane shows the new first paper).
Also the star itself (`s` until the app is idle again: the write, the row, the detail pane, the
layout that follows). Wall-clock on a shared machine: the load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui_reader.store import gc_pause  # noqa: E402
from tui_reader.store.library import Library  # noqa: E402
from tui_reader.ui.app import ReaderApp  # noqa: E402

OUT = ROOT / "bench" / "out"


async def measure(folder: Path, runs: int) -> dict[str, list[float]]:
    work = Path(tempfile.mkdtemp(prefix="for-you-app-"))
    try:
        shutil.copytree(folder, work / "lib")
        library = Library(work / "lib", purpose="bench")
        app = ReaderApp(library, config_folder=work / "config", cursor_blink=False, related=True,
                        freeze_after_start=True)
        gc_pause.freeze_survivors()  # as run_app does: the collector's full passes stay off the library
        figures: dict[str, list[float]] = {"star": [], "star CPU": [], "esc -> ranked": [], "esc CPU": [], "esc -> idle": []}
        async with app.run_test(size=(160, 45)) as pilot:
            screen = app.main_screen
            while screen.related_model is None:
                await pilot.pause(0.05)
            screen.sidebar.choose("view:foryou")
            while not (screen.session.shown and screen.session.shown.view == "view:foryou"):
                await pilot.pause(0.01)
            await pilot.pause(0.5)
            for _ in range(runs):
                began, cpu = time.perf_counter(), time.process_time()
                await pilot.press("s")
                await pilot.pause()
                figures["star"].append((time.perf_counter() - began) * 1000)
                figures["star CPU"].append((time.process_time() - cpu) * 1000)
                await pilot.pause(0.3)
                before = screen.session.shown
                began, cpu = time.perf_counter(), time.process_time()
                app.simulate_key("escape")  # not pilot.press: that returns once everything is done
                while screen.session.shown is before:
                    await asyncio.sleep(0.001)
                drawn = asyncio.Event()
                app.call_after_refresh(drawn.set)  # the frame that shows it
                await drawn.wait()
                figures["esc -> ranked"].append((time.perf_counter() - began) * 1000)
                figures["esc CPU"].append((time.process_time() - cpu) * 1000)
                await pilot.pause()  # the detail pane follows the new first paper
                figures["esc -> idle"].append((time.perf_counter() - began) * 1000)
                await pilot.pause(0.3)
        library.close()
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = OUT / f"lib-related-{args.size}"
    if not (folder / "related.model").exists():
        raise SystemExit(f"no {folder}/related.model: run bench/related.py --sizes {args.size} first")
    load = os.getloadavg()
    figures = asyncio.run(measure(folder, args.runs))
    after = os.getloadavg()
    print(f"For you in the app — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load {load[0]:.1f} before / {after[0]:.1f} after, {args.size:,} papers, median of {args.runs} (ms)\n")
    print(" | ".join(figures))
    print(" | ".join("---" for _ in figures))
    print(" | ".join(f"{statistics.median(v):.0f}" for v in figures.values()))
    print("\nall runs: " + "; ".join(f"{k} {[round(x) for x in v]}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
