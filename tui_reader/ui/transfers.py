"""Palette commands that move papers in or out: import a file, fetch today's HF papers, export the
view. Reading, parsing and fetching run in a thread, and so does storing the papers, behind a
screen that holds the keys until the library is written; the parsers load when first used."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.worker import get_current_worker

from tui_reader.errors import ReaderError
from tui_reader.wording import import_summary, plural

if TYPE_CHECKING:
    from tui_reader.sources import Batch
    from tui_reader.store.control import PaperStream
    from tui_reader.store.library import ImportResult
    from tui_reader.ui.app import ReaderApp

Command = tuple[str, str, Callable[[], object]]
Stored = Callable[["ImportResult | None", "str | None"], None]
Progress = Callable[[int, int], None]
STORE_BUSY_POLL = 0.1  # seconds between looks at a store in flight, before a CLI import starts
FORMAT_NAMES = {"markdown": "Markdown", "bibtex": "BibTeX"}


def transfer_commands(app: ReaderApp) -> list[Command]:
    commands: list[Command] = [("Import a file…", "papers from an HF page, HF JSON, arXiv Atom, BibTeX or a backup", lambda: ask_import(app))]
    commands.append(("Fetch today's HF papers", "the latest Hugging Face daily papers, imported", lambda: fetch_today(app)))
    for fmt, label in FORMAT_NAMES.items():
        commands.append((f"Export view as {label}", "the papers in the list, to a file you name", lambda fmt=fmt: ask_export(app, fmt)))
    return commands


def say_failed(app: ReaderApp, what: str, error: object) -> None:
    app.notify(f"{what} failed: {error}", severity="error", markup=False)


def fetch_today(app: ReaderApp) -> None:
    if app.library.read_only:  # said before fetching what could not be stored
        app.say_read_only()
        return
    from tui_reader.sources import http as fetch

    app.notify("Fetching today's Hugging Face papers…", )

    def work() -> None:
        worker = get_current_worker()

        def progress(done: int, total: int | None) -> None:
            if not worker.is_cancelled:
                app.call_from_thread(app.main_screen.show_progress, f"Fetching: {done} papers")

        try:
            papers = fetch.fetch_hf(progress=progress)
        except ReaderError as error:
            app.call_from_thread(say_failed, app, "Fetch", error)
            return
        finally:
            app.call_from_thread(app.main_screen.show_progress, None)
        app.call_from_thread(store_fetched, app, papers)

    app.run_worker(work, thread=True, group="fetch", exclusive=True)


def store_fetched(app: ReaderApp, papers: list) -> None:
    if not papers:
        app.notify("Hugging Face has no papers for today yet.", )
        return
    from tui_reader.sources import Batch

    store_batch(app, Batch("hf-api", papers), "Fetched", "Hugging Face")


def store_batch(app: ReaderApp, batch, verb: str, source: str = "the file", on_done: Stored | None = None,
                on_progress: Progress | None = None) -> None:
    """Store the papers in a thread, behind a screen that takes the keys, then show them; `on_done`
    hears the result (or the failure) after that, `on_progress` the progress (in the thread).

    Even a daily fetch rewrites the whole catalog: on the app's thread every key waited for it.
    Meanwhile nothing reads the library as it changes: the Storing screen takes
    the keys, the list draws only rows it has drawn before, and queries wait for the store."""
    from tui_reader.store.control import PaperStream
    from tui_reader.ui.dialogs import Storing

    screen = app.main_screen
    streamed = isinstance(batch, PaperStream)  # an arXiv snapshot from the CLI, stored as it arrives
    storing = Storing(f"Storing the papers of {source}…" if streamed else f"Storing {len(batch.papers):,} papers…")
    app.push_screen(storing)
    screen.hold_for_store(True)

    def progress(done: int, total: int) -> None:
        app.call_from_thread(storing.show_progress, done, total)
        if on_progress is not None:
            on_progress(done, total)

    def work() -> None:
        result, failure = None, None
        try:
            # the Library holds its own lock meanwhile: queries wait for the import to end
            if streamed:
                with app.library.access:
                    result = app.library.import_stream(batch.papers, batch.merge)
            else:
                result = app.library.import_papers(batch.papers, progress, batch.states, batch.restore)
                result.sample_note = app.library.drop_sample(paper.id for paper in batch.papers).describe()
        except ReaderError as error:
            failure = str(error)
        except Exception as error:  # a bug must not leave the screen up for good
            failure = f"unexpected {type(error).__name__}: {error}"
        finally:
            app.call_from_thread(stored, result, failure)

    def stored(result, failure: str | None) -> None:
        storing.dismiss()
        screen.hold_for_store(False)
        screen.reload()  # also after a failure: what is on disk is what the library holds
        if failure is not None:
            say_failed(app, "Import", failure)
        else:
            note = f" {result.sample_note}" if result.sample_note else ""
            app.notify(import_summary(result, source, verb) + note, markup=False)
        if on_done is not None:
            on_done(result, failure)

    app.run_worker(work, thread=True, group="store", name="store papers", description="store papers", exit_on_error=False)


def import_from_cli(app: ReaderApp, name: str, batch: Batch | PaperStream, tell: Callable[[dict], None]) -> dict:
    """In the control socket's thread: store what `tui-reader import` read or `fetch` fetched as
    the app's own import does (store_batch), after any store in flight; answer with its counts."""
    finished = threading.Event()
    outcome: list = []

    def done(result: ImportResult | None, failure: str | None) -> None:
        outcome[:] = [result, failure]
        finished.set()

    def start() -> bool:
        if app.main_screen.storing:
            return False
        store_batch(app, batch, "Imported", name, on_done=done,
                    on_progress=lambda count, total: tell({"progress": [count, total]}))
        return True

    try:
        while not app.call_from_thread(start):
            time.sleep(STORE_BUSY_POLL)
    except RuntimeError:  # the app is closing
        return {"error": "the app is closing; try again"}
    finished.wait()
    result, failure = outcome
    if failure is not None:
        return {"error": failure}
    counts = {name: getattr(result, name) for name in result.__struct_fields__ if name != "new_ids"}  # ids: the CLI prints counts
    return {"imported": counts}


def ask_import(app: ReaderApp) -> None:
    if app.library.read_only:  # said before a file is asked for and read
        app.say_read_only()
        return
    from tui_reader.ui.dialogs import PathPrompt

    app.push_screen(PathPrompt("Import papers from a file"), lambda path: import_file(app, path) if path else None)


def import_file(app: ReaderApp, path: Path) -> None:
    """Read and parse the file in a thread (the slow part of a big import), then store it."""
    from tui_reader.sources import read_source

    app.main_screen.show_progress(f"Reading {path.name}…")

    def work() -> None:
        try:
            batch = read_source(path)
        except ReaderError as error:
            app.call_from_thread(say_failed, app, "Import", error)
            return
        finally:
            app.call_from_thread(app.main_screen.show_progress, None)
        app.call_from_thread(store_batch, app, batch, "Imported", path.name)

    app.run_worker(work, thread=True, group="import", exclusive=True, name="import a file")


def ask_export(app: ReaderApp, fmt: str, folder: Path | None = None) -> None:
    """Ask where to write the view (a dated name in the current folder to start from)."""
    from tui_reader.export import formats as export
    from tui_reader.ui.dialogs import ExportPrompt

    default = (folder or Path.cwd()) / export.export_filename(fmt)
    count = len(app.main_screen.paper_list.ids)
    title = f"Export the {plural(count, 'paper')} in the list as {FORMAT_NAMES[fmt]} to"
    app.push_screen(ExportPrompt(title, str(default)), lambda path: export_view(app, fmt, path) if path else None)


def export_view(app: ReaderApp, fmt: str, path: Path) -> Path | None:
    from tui_reader.export import formats as export

    ids = app.main_screen.paper_list.ids
    papers = [app.library.papers[pid] for pid in ids]
    try:
        export.write_export(path, fmt, papers, app.library.states)
    except ReaderError as error:
        say_failed(app, "Export", error)
        return None
    app.notify(f"Exported {plural(len(papers), 'paper')} to {path}", markup=False)
    return path
