"""Bulk work (parsing or importing 100,000 papers) allocates millions of objects that all live on;
the cyclic garbage collector would re-scan them again and again for nothing. Pause it meanwhile."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
