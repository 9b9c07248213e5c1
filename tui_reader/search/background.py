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


def run_build(build: Callable[[str], bool], argv: list[str]) -> int:
    """A builder's `main`: at low priority, build for the folder in argv; 0 when it was built."""
    try:
        os.nice(10)
    except (OSError, AttributeError):
        pass
    return 0 if argv and build(argv[0]) else 1
