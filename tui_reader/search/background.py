"""Derived files built in a separate low-priority process (the word index, the related-papers model):
CPU-bound work that would otherwise hold the app's GIL. The process outlives the app if need be."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path


def spawn(module: str, folder: Path | str) -> subprocess.Popen | None:
    """`python -m MODULE FOLDER` in the background; None when it cannot be started."""
    try:
        return subprocess.Popen(
            [sys.executable, "-m", module, str(folder)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
        )
    except OSError:
        return None


def run_build(build: Callable[[str], bool], argv: list[str], lock_name: str, *, wait: bool = False) -> int:
    """A builder's `main`: at low priority, build for the folder in argv; 0 when it was built.
    One build per folder at a time (a lock file `lock_name` in it): an app opened, or a search
    made, while a large build runs would otherwise start another, as large in memory. A builder
    finding the lock held leaves at once, or with `wait` (for a caller that waits on its exit to
    read the result) waits its turn; `build` then finds the file current or builds it."""
    try:
        os.nice(10)
    except (OSError, AttributeError):
        pass
    if not argv:
        return 1
    import fcntl

    try:
        lock = open(os.path.join(argv[0], lock_name), "wb")
        fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 1
    with lock:
        return 0 if build(argv[0]) else 1
