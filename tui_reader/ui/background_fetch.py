"""Fetching new papers in the background: at start and every N minutes when the [fetch] settings
ask for it, and at once from the palette ("Fetch now").

The fetch runs in a thread and shows its progress under the list. The papers are then stored in a
thread too, without a screen over the app: keys keep working. While the library changes, what
reads or writes it waits for the store: queries already do (the library's access lock), the list draws rows it
has drawn, and an action that would read or change a paper (star, tag, note, open…) is run right
after the store, on the same paper, since the cursor stays on it. A failure is one quiet line under
the list and the fetch is tried again later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from tui_reader.errors import ReaderError

if TYPE_CHECKING:
    from tui_reader.config import FetchSettings
    from tui_reader.models import Paper
    from tui_reader.ui.app import ReaderApp

RETRY_MINUTES = 5
SHOW_DONE_FOR = 15.0  # seconds a finished fetch's line stays under the list
# Main-screen actions that touch no paper: they run at once while papers are stored.
RUN_WHILE_STORING = {"search", "clear_search", "cycle_sort", "toggle_sidebar", "next_pane", "previous_pane", "help"}
SIDEBAR_CHANGES = {"rename_view", "delete_view", "move_view"}  # they recount over the library

Source = tuple[str, Callable[..., list["Paper"]]]


def fetch_sources(settings: FetchSettings, asked: bool) -> list[Source]:
    """What to fetch: the HF daily papers and each arXiv query the settings name. Asked from the
    palette with nothing set, the HF daily papers."""
    from tui_reader.sources import http

    sources: list[Source] = []
    if settings.hf_daily:
        sources.append(("Hugging Face daily papers", http.fetch_hf))
    for query in settings.arxiv_queries:
        sources.append((f"arXiv {query}", partial(http.fetch_arxiv, query, settings.arxiv_max)))
    if not sources and asked:
        sources.append(("Hugging Face daily papers", http.fetch_hf))
    return sources


class BackgroundFetch:
    def __init__(self, app: ReaderApp) -> None:
        self.app = app
        self.settings = app.config.fetch
        self.running = False
        self.retry_seconds = RETRY_MINUTES * 60.0
        self.deferred: list[Callable[[], object]] = []  # asked for while papers were stored
        self.last_line: str | None = None  # the last progress or failure line shown
        self.failures: list[str] = []  # each failed fetch's line, this session

    @property
    def screen(self):
        return self.app.main_screen

    def start(self) -> None:
        """At start-up: fetch now and every N minutes, if the settings say so (the app that writes
        the library does: a read-only one could not store what it fetched)."""
        if self.app.library.read_only or not self.settings.background or not fetch_sources(self.settings, asked=False):
            return
        self.app.set_interval(self.settings.every_minutes * 60.0, self.fetch_now, name="background fetch")
        self.fetch_now()

    def fetch_now(self, asked: bool = False) -> None:
        if self.app.library.read_only:
            self.app.say_read_only()
            return
        if self.running or self.screen.storing:
            if asked:
                self.app.notify("A fetch or an import is already running.", timeout=4)
            return
        sources = fetch_sources(self.settings, asked)
        if not sources:
            return
        self.running = True
        self._show(f"Fetching {sources[0][0]}…")
        # A daemon thread, not a worker: quitting must not wait for a server that does not answer
        # (the pool's threads are joined at exit). Storing, below, is a worker: it must finish.
        threading.Thread(target=self._fetch, args=(sources,), name="background fetch", daemon=True).start()

    def _show(self, line: str | None) -> None:
        self.last_line = line
        self.screen.show_progress(line)

    def _clear_later(self) -> None:
        """A done fetch's line gives the sort back after a while (a failure's stays until the retry)."""
        line = self.last_line

        def clear() -> None:
            if self.screen.progress == line:
                self.screen.show_progress(None)

        self.app.set_timer(SHOW_DONE_FOR, clear, name="clear fetch line")

    def _from_thread(self, callback: Callable, *args: object) -> None:
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app is closing
            pass

    def _fetch(self, sources: list[Source]) -> None:
        papers: list[Paper] = []
        try:
            for label, fetch in sources:
                def progress(done: int, total: int | None, label: str = label) -> None:
                    self._from_thread(self._show, f"Fetching {label}: {done} papers")

                papers += fetch(progress=progress)
        except ReaderError as error:
            self._from_thread(self._failed, str(error))
            return
        except Exception as error:  # a bug must not stop the app nor the next fetch
            self._from_thread(self._failed, f"unexpected {type(error).__name__}: {error}")
            return
        self._from_thread(self._store, papers)

    def _failed(self, reason: str) -> None:
        self.running = False
        minutes = max(1, round(self.retry_seconds / 60))
        self.failures.append(f"Fetch failed, trying again in {minutes} min: {reason}")
        self._show(self.failures[-1])
        self.app.set_timer(self.retry_seconds, self.fetch_now, name="fetch retry")

    def _store(self, papers: list[Paper]) -> None:
        if not papers:
            self.running = False
            self._show("Fetched: nothing new yet")
            self._clear_later()
            return
        screen, library = self.screen, self.app.library
        screen.hold_for_store(True)
        self._show(f"Storing {len(papers)} fetched papers…")

        def work() -> None:
            result, failure = None, None
            try:
                result = library.import_papers(papers)  # holds the library's access lock: queries wait
                result.sample_note = library.drop_sample(paper.id for paper in papers).describe()
            except ReaderError as error:
                failure = str(error)
            except Exception as error:  # the screen must be let go whatever happens
                failure = f"unexpected {type(error).__name__}: {error}"
            finally:
                self._from_thread(self._stored, result, failure)

        self.app.run_worker(work, thread=True, group="store", name="store fetched papers",
                            description="store fetched papers", exit_on_error=False)  # fmt: skip

    def _stored(self, result, failure: str | None) -> None:
        screen = self.screen
        screen.hold_for_store(False)
        self.running = False
        screen.reload()  # the cursor stays on its paper; also after a failure: the disk is the truth
        if failure is not None:
            self._failed(failure)
        else:
            self._show(f"Fetched {result.total} papers: {result.new} new")
            if result.sample_note:
                self.app.notify(result.sample_note, timeout=8, markup=False)
            self._clear_later()
        deferred, self.deferred = self.deferred, []
        for action in deferred:
            self.app.call_later(action)

    # -- what waits for a store ----------------------------------------------------------------------

    def must_wait(self, action: str, namespace: object) -> bool:
        """True when a key's action must wait for the papers being stored."""
        if not self.screen.storing:
            return False
        name = action.partition("(")[0].rpartition(".")[2]
        if namespace is self.screen:
            return name not in RUN_WHILE_STORING
        return namespace is self.screen.sidebar and name in SIDEBAR_CHANGES

    def defer(self, callback: Callable[[], object]) -> None:
        self.deferred.append(callback)
