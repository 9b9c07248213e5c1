"""What every command shares: the one-line failure, opening the library, the import summary."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from tui_reader.errors import SourceError
from tui_reader.locations import data_dir, usable_folder
from tui_reader.search.searcher import Searcher, sort_ids
from tui_reader.store.derived import INDEX_FILE
from tui_reader.store.control import send_import, send_stream, socket_path
from tui_reader.store.library import ImportResult, Library
from tui_reader.store.views import last_closed
from tui_reader.wording import import_summary

if TYPE_CHECKING:
    from tui_reader.models import Paper
    from tui_reader.sources import Batch
    from tui_reader.sources.arxiv_snapshot import Subset

PROG = "tui-reader"
STATE_LOCK_WAIT = 3.0  # seconds a state command waits for a running app to let go
SAMPLE_NAME = "hf-papers-page.txt"
REBUILD_NOTICE_BYTES = 20_000_000  # past this size a re-index is slow enough to announce


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 1 like every other failure."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{PROG}: error: {message} (see `{self.prog} --help`)\n")


def fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def open_library(args: argparse.Namespace, *, write: bool, wait: float | None = None) -> Library:
    folder = usable_folder(data_dir(args.data_dir), "data folder")
    wait = STATE_LOCK_WAIT if wait is None else wait  # read at call time, so a test can shorten it

    def rebuilding(size: int) -> None:
        # e.g. a folder copied without its times: a long parse, so say it first
        if size >= REBUILD_NOTICE_BYTES:
            print(f"{PROG}: {folder / INDEX_FILE} is missing or out of date: rebuilding it from the "
                  f"catalog ({size / 1e6:.0f} MB)…", file=sys.stderr, flush=True)

    library = Library(folder, read_only=not write, lock_timeout=wait, purpose=purpose_of(args), on_rebuild=rebuilding)
    for problem in library.problems + library.warnings:
        warn(problem)
    return library


def purpose_of(args: argparse.Namespace) -> str:
    """What the lock names as holding the library, for a second process's message."""
    command = args.command or "open"
    return f"the {PROG} app" if command == "open" else f"`{PROG} {command}`"


def summary(result: ImportResult, name: str) -> str:
    return import_summary(result, name)


def import_batches(args: argparse.Namespace, named: list[tuple[str, Batch, str]]) -> None:
    """Import each (name, batch, progress label) and print its summary: handed to the running app
    when one listens (the one writer: store/control.py), else written here as the lock allows."""
    from tui_reader.cli.progress import progress_bar

    folder = data_dir(args.data_dir)
    handed = 0
    for name, batch, progress_label in named if socket_path(folder).exists() else ():
        with progress_bar(progress_label) as progress:
            result = result_from_app(send_import(folder, batch, name, progress))
        if result is None:
            break  # no app (or it closed since the last one): the rest is written here
        print(summary(result, name))
        handed += 1
    if handed == len(named):
        return
    with open_library(args, write=True) as library:
        for name, batch, progress_label in named[handed:]:
            print(summary(import_batch(library, batch, progress_label), name))


def result_from_app(answer: dict | None) -> ImportResult | None:
    """What the running app's import did (its sample note said here, as a direct import says it);
    None when no app listens. A failure is the app's one line."""
    if answer is None:
        return None
    if "error" in answer:
        fail(str(answer["error"]))
    counts = dict(answer.get("imported") or {})
    if counts.get("sample_note"):
        print(counts["sample_note"])
    return ImportResult(**counts)


def import_batch(library: Library, batch: Batch, progress_label: str) -> ImportResult:
    from tui_reader.cli.progress import progress_bar

    with progress_bar(progress_label) as progress:
        result = library.import_papers(batch.papers, progress, batch.states, batch.restore)
    removal = library.drop_sample(paper.id for paper in batch.papers)  # the user's own papers are in
    if removal.describe():
        print(removal.describe())
    return result


MAX_BAD_LINES_SHOWN = 20


def import_snapshot_anywhere(args: argparse.Namespace, path: Path, subset: Subset) -> ImportResult | None:
    """Stream an arXiv snapshot to the running app (the one writer: store/control.py), or into the
    library here when no app listens."""
    from tui_reader.sources import arxiv_snapshot

    folder = data_dir(args.data_dir)
    if socket_path(folder).exists():
        result = import_snapshot(path, subset, lambda papers: result_from_app(send_stream(folder, papers, path.name)))
        if result is not None:
            return result
    with open_library(args, write=True) as library:
        return import_snapshot(path, subset, lambda papers: library.import_stream(papers, arxiv_snapshot.refresh))


def import_snapshot(path: Path, subset: Subset, store: Callable[[Iterator[Paper]], ImportResult | None]) -> ImportResult | None:
    """Stream an arXiv snapshot's papers to `store`, with a progress bar; bad lines are reported by
    number and skipped. Interrupted, the library stays as it was. None when `store` took nothing
    (no app listened)."""
    from tui_reader.cli.progress import stream_progress
    from tui_reader.sources import arxiv_snapshot

    bad_lines = 0

    def on_bad_line(number: int, reason: str) -> None:
        nonlocal bad_lines
        bad_lines += 1
        if bad_lines <= MAX_BAD_LINES_SHOWN:
            warn(f"{path}: line {number}: {reason}; skipped")

    try:
        with open(path, "rb") as file, stream_progress(f"Importing {path.name}", os.fstat(file.fileno()).st_size) as progress:
            papers = arxiv_snapshot.read_papers(file, subset, on_bad_line, progress.read)
            result = store(progress.counted(papers))
    except OSError as error:
        raise SourceError(str(path), error.strerror or str(error)) from None
    except KeyboardInterrupt:
        warn(f"import of {path} interrupted: the library is as it was before it")
        raise
    if bad_lines > MAX_BAD_LINES_SHOWN:
        warn(f"{path}: {bad_lines - MAX_BAD_LINES_SHOWN} more bad lines skipped ({bad_lines} in all)")
    return result


def sample_batch() -> Batch:
    # the parsers (and importlib.resources) load only for an import, not at every start
    from importlib import resources

    from tui_reader.sources import parse_text

    text = resources.files("tui_reader.data").joinpath(SAMPLE_NAME).read_text("utf-8")
    return parse_text(text, SAMPLE_NAME)


def selected_ids(library: Library, query: str | None, sort: str = "added") -> list[str]:
    ids = library.ordered_ids()
    if query:
        ids = Searcher(library.papers, library.states, last_closed(library.folder)).filter(ids, query)
    return sort_ids(ids, sort, library.papers, library.states)
