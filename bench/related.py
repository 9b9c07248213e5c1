#!/usr/bin/env python3
"""Benchmark Related and For you at 1k / 10k / 100k papers (the libraries of bench/generate.py).

    .venv/bin/python bench/related.py                 # all sizes
    .venv/bin/python bench/related.py --sizes 10000

Per size, on a data folder imported once (bench/out/lib-related-N, with bench/run's user state):
  build      `python -m tui_reader.search.related FOLDER` (what the app starts in the background,
             at low priority: on a busy machine its wall time stretches) from no model file: wall
             time, CPU time, and the process's peak RSS (ru_maxrss)
  file MB    the size of related.model; terms and stored weights (nnz)
  load       reading and checking related.model in-process (median of 5)
  columns    making the by-term copy of the rows that Related reads (once, in the app's load thread)
  related    RelatedModel.related(row, 5) with its why, for random rows (median of 20)
  retrain    model.train() after one more star (the stars change, the rows are reused; median of 5)
  for you    after a star: filter the view, train, score every paper and order the For-you view
             (unread, unstarred papers, best first), as the app's search thread does (median of 5),
             and its CPU time (the steadier figure on a shared machine)
Timings are wall-clock on a shared machine: the load average is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import random
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
from tui_reader.search import related  # noqa: E402
from tui_reader.search.query import SMART_VIEWS  # noqa: E402
from tui_reader.search.searcher import Searcher  # noqa: E402
from tui_reader.store.library import Library  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
APP = str(ROOT / ".venv" / "bin" / "tui-reader")


def prepare(n: int) -> Path:
    folder = OUT / f"lib-related-{n}"
    if (folder / "state.json").exists():
        return folder
    source = generate(n)
    subprocess.run([APP, "--data-dir", str(folder), "import", str(source)], check=True, stdout=subprocess.DEVNULL)
    with Library(folder, purpose="bench") as library:
        states = {pid: PaperState.from_dict(doc) for pid, doc in state_plan(library.ordered_ids()).items()}
        library.import_papers([], states=states)
    return folder


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), result


def build_in_background(folder: Path) -> tuple[float, float, float]:
    related.model_path(folder).unlink(missing_ok=True)
    began = time.perf_counter()
    process = subprocess.Popen([PY, "-m", "tui_reader.search.related", str(folder)])
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if status != 0:
        raise SystemExit(f"the build failed in {folder}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(n: int) -> dict:
    folder = prepare(n)
    build_s, build_cpu, build_rss = build_in_background(folder)
    with Library(folder, read_only=True) as library:
        catalog, states = library.papers, dict(library.states)
        load_ms, model = timed(lambda: related.load(folder, catalog.generation, len(catalog)), 5)
        began = time.perf_counter()
        model.columns()
        columns_ms = (time.perf_counter() - began) * 1000
        rng = random.Random(n)
        rows = [rng.randrange(len(catalog)) for _ in range(20)]
        times = []
        for row in rows:
            began = time.perf_counter()
            model.related(row, 5)
            times.append((time.perf_counter() - began) * 1000)
        related_ms = statistics.median(times)
        searcher = Searcher(catalog, states)
        unstarred = [pid for pid in catalog.ids if not (states.get(pid) and states[pid].starred)]
        model.train(related.starred_rows(catalog.row, states))  # the stars as they are (and sklearn imported)
        retrain, for_you, for_you_cpu = [], [], []
        for pid in rng.sample(unstarred, 5):
            states[pid] = PaperState(starred=True)
            began = time.perf_counter()
            model.train(related.starred_rows(catalog.row, states))
            retrain.append((time.perf_counter() - began) * 1000)
            model._classifier = None  # the view after a star trains afresh
            began, cpu = time.perf_counter(), time.process_time()
            searcher.states = states
            mask = searcher.row_mask(SMART_VIEWS["foryou"][1])
            scores, _ = related.for_you_scores(model, catalog.row, states)
            related.for_you_view_order(mask, catalog.order_rows, scores, catalog.ids)  # the view holds no read or starred paper
            for_you.append((time.perf_counter() - began) * 1000)
            for_you_cpu.append((time.process_time() - cpu) * 1000)
        stars = len(related.starred_rows(catalog.row, states))
    return {
        "papers": n, "stars": stars, "build s": build_s, "build CPU s": build_cpu, "build RSS MB": build_rss,
        "file MB": related.model_path(folder).stat().st_size / 1e6, "terms": len(model.terms), "nnz": model.matrix.nnz,
        "load": load_ms, "columns": columns_ms, "related": related_ms, "retrain": statistics.median(retrain), "for you": statistics.median(for_you),
        "for you CPU": statistics.median(for_you_cpu),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    args = parser.parse_args()
    rows = [measure(n) for n in args.sizes]
    load = os.getloadavg()
    print(f"tui-reader related bench — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load {load[0]:.1f}/{load[1]:.1f} (ms unless noted)\n")
    columns = list(rows[0])
    print(" | ".join(columns))
    print(" | ".join("---" for _ in columns))
    for row in rows:
        print(" | ".join(f"{v:,}" if isinstance(v, int) else f"{v:.1f}" if v >= 10 else f"{v:.2f}" for v in row.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
