"""Saved views' counts at 100k: a full count of 10 saved views, and their update after a star.

    .venv/bin/python bench/saved_views.py            # 100,000 papers (generates and imports once)
    .venv/bin/python bench/saved_views.py 10000

Uses bench/out/lib-N (made by bench/run, or here the same way), copied to a temp folder so the stars
land there. Prints medians in ms; the figures go in bench/README.md.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generate import OUT, generate, state_plan  # noqa: E402
from tui_reader.models import PaperState  # noqa: E402
from tui_reader.search.searcher import Searcher  # noqa: E402
from tui_reader.search.view_counts import SavedViewCounts  # noqa: E402
from tui_reader.sources import read_source  # noqa: E402
from tui_reader.store.library import Library  # noqa: E402
from tui_reader.store.views import SavedView  # noqa: E402

STARS = 21


def views(library: Library) -> list[SavedView]:
    tag = next(iter(library.tag_counts()))
    author = library.papers[library.ordered_ids()[10]].authors[0]
    queries = [
        f'author:"{author}"', f"tag:{tag}", "has:code diffusion", '"language models"', "-is:read transformers",
        "is:starred", "title:zorva", "has:note reasoning", f"tag:{tag} has:code", "is:new robotics",
    ]
    return [SavedView(f"view {i}", q) for i, q in enumerate(queries)]


def library_folder(n: int) -> Path:
    folder = OUT / f"lib-{n}"
    if not (folder / "papers.json").exists():
        print(f"importing {n:,} papers into {folder} (once)…", flush=True)
        with Library(folder, purpose="bench") as library:
            library.import_papers(read_source(generate(n)).papers)
            plan = state_plan(library.ordered_ids())
            library.import_papers([], states={pid: PaperState(**fields) for pid, fields in plan.items()})
    return folder


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-views-") as tmp:
        folder = Path(tmp) / "lib"
        shutil.copytree(library_folder(n), folder)
        library = Library(folder, purpose="bench")
        try:
            ids = library.ordered_ids()
            since = library.papers[ids[len(ids) // 50]].added  # a visit before the newest import
            searcher = Searcher(library.papers, library.states, since)
            saved = views(library)
            counts = SavedViewCounts(library.papers, library.states, library.ordered_ids, since)
            fulls = []
            for _ in range(5):
                began = time.perf_counter()
                counts.recount(saved, searcher)
                fulls.append(time.perf_counter() - began)
            updates, with_write = [], []
            for pid in ids[100 : 100 + STARS * 97 : 97]:
                before = library.state(pid)
                began = time.perf_counter()
                library.set_starred([pid], not before.starred)
                wrote = time.perf_counter()
                counts.states = library.states
                counts.state_changed(pid, before, library.state(pid))
                done = time.perf_counter()
                updates.append(done - wrote)
                with_write.append(done - began)
            kept = dict(counts.unread), dict(counts.new)
            counts.recount(saved, Searcher(library.papers, library.states, since))
            assert kept == (counts.unread, counts.new), "the kept counts differ from a full count"
        finally:
            library.close()
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(f"{n:,} papers, {len(saved)} saved views, median of {len(fulls)} / {len(updates)} runs:")
    print(f"  full count of the 10 views            {ms(fulls):7.1f} ms")
    print(f"  the 10 views' counts after a star     {ms(updates):7.2f} ms  (max {max(updates) * 1000:.2f})")
    print(f"  star written + the 10 views' counts   {ms(with_write):7.1f} ms")
    print("  kept counts equal a full recount: yes")
    in_app(n)


def in_app(n: int) -> None:
    """The same in the app: `s` on a paper, the sidebar's whole update (the 10 saved views, the
    built-in views, the prompts re-drawn), timed around Sidebar.state_changed."""
    import asyncio

    from tui_reader.store.views import save_views
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.sidebar import Sidebar

    async def run() -> list[float]:
        with tempfile.TemporaryDirectory(prefix="bench-views-app-") as tmp:
            folder, config = Path(tmp) / "lib", Path(tmp) / "config"
            shutil.copytree(library_folder(n), folder)
            library = Library(folder, purpose="bench")
            save_views(config, views(library))
            timings: list[float] = []
            original = Sidebar.state_changed

            def timed(self, *args, **kwargs):
                began = time.perf_counter()
                original(self, *args, **kwargs)
                timings.append(time.perf_counter() - began)

            Sidebar.state_changed = timed
            try:
                app = ReaderApp(library, config_folder=config)
                async with app.run_test(size=(160, 45)) as pilot:
                    sidebar = app.main_screen.sidebar
                    while len(sidebar.saved.unread) < 10:  # the first count runs in a thread
                        await pilot.pause(0.1)
                    for _ in range(STARS):
                        await pilot.press("s", "j")
                    await pilot.pause()
                    assert len(timings) == STARS
            finally:
                Sidebar.state_changed = original
                library.close()
            return timings

    timings = asyncio.run(run())
    print(f"  in the app: the sidebar's update after a star  {statistics.median(timings) * 1000:.2f} ms"
          f"  (max {max(timings) * 1000:.2f}, {len(timings)} stars)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
