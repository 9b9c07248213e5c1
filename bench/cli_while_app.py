#!/usr/bin/env python3
"""`tui-reader star X` from another process while the app runs: how soon the app shows it.

    .venv/bin/python bench/cli_while_app.py            # the bundled sample (81 papers), 10 runs
    .venv/bin/python bench/cli_while_app.py 100000     # a bench/generate.py library (bench/out/bulk-N)

The app runs under Textual's run_test at 160x45; the CLI is a real process (`python -m tui_reader
star ID`, then `unstar`), which hands the change to the app over its control socket. Prints, in ms
(medians): the CLI's whole run (process start to exit: Python's start, the request, the app's
write and answer), and from the CLI's exit to the Starred count on screen showing the change.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tui_reader.store.library import Library  # noqa: E402

RUNS = 10


def sample_folder() -> Path:
    from tui_reader.cli.common import sample_batch

    folder = Path(tempfile.mkdtemp(prefix="cli-while-app-")) / "data"
    with Library(folder, purpose="bench") as library:
        library.import_papers(sample_batch().papers)
    return folder


async def cli(folder: Path, *argv: str) -> None:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "tui_reader", "--data-dir", str(folder), *argv,
                                                   stdout=asyncio.subprocess.DEVNULL, cwd=ROOT)
    assert await process.wait() == 0


async def measure(folder: Path) -> tuple[float, float]:
    from tui_reader.ui.app import ReaderApp

    whole, shown = [], []
    with Library(folder, purpose="bench") as library:
        app = ReaderApp(library, cursor_blink=False, related=False)
        async with app.run_test(size=(160, 45)) as pilot:
            await pilot.pause()
            sidebar = app.main_screen.sidebar
            pid = library.ordered_ids()[0]

            def starred() -> str:
                return str(sidebar.get_option("view:starred").prompt).split()[-1]

            for _ in range(RUNS):
                for command in ("star", "unstar"):
                    before = starred()
                    began = time.perf_counter()
                    await cli(folder, command, pid)
                    answered = time.perf_counter()
                    while starred() == before:
                        await asyncio.sleep(0.001)
                    shown.append(time.perf_counter() - answered)
                    whole.append(answered - began)
    return statistics.median(whole) * 1000, statistics.median(shown) * 1000


def main() -> int:
    if len(sys.argv) > 1:
        from bulk_read import prepare

        n, folder = int(sys.argv[1]), prepare(int(sys.argv[1]))
    else:
        folder = sample_folder()
        n = 81
    whole_ms, shown_ms = asyncio.run(measure(folder))
    print("| papers | CLI run (start to exit) ms | CLI exit -> shown in the app ms |")
    print(f"| {n:,} | {whole_ms:.0f} | {shown_ms:.1f} |")
    # 0: the count had changed by the time the CLI's process had exited
    if len(sys.argv) == 1:
        shutil.rmtree(folder.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
