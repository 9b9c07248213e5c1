"""Progress bars for long imports on the terminal (stderr), silent when it is not a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


class StreamProgress:
    """A file read as it is imported: bytes read of the whole, papers taken, papers/s, ETA."""

    def __init__(self, bar: Progress | None, task: int | None):
        self.bar, self.task = bar, task
        self.papers = 0
        self.started = time.monotonic()

    def read(self, done_bytes: int) -> None:
        if self.bar is not None:
            rate = self.papers / max(time.monotonic() - self.started, 1e-6)
            self.bar.update(self.task, completed=done_bytes, papers=self.papers, rate=rate)

    def counted(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            self.papers += 1
            yield item


@contextmanager
def stream_progress(label: str, total_bytes: int) -> Iterator[StreamProgress]:
    console = Console(stderr=True)
    if not console.is_terminal:
        yield StreamProgress(None, None)
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
        TextColumn("{task.fields[papers]:,} papers, {task.fields[rate]:,.0f}/s"), TimeRemainingColumn(),
        console=console, transient=True,
    ) as bar:
        yield StreamProgress(bar, bar.add_task(label, total=total_bytes, papers=0, rate=0.0))
