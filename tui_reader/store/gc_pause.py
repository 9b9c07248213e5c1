"""The one owner of the cyclic garbage collector's switch: nothing else turns it off or on.

Bulk work (parsing or importing a large library) allocates millions of objects that all live on;
the collector would re-scan them again and again for nothing: `gc_paused` pauses it meanwhile.
The command keeps it off while the app starts (`off_while_starting`), then either turns it on at
once (`back_on`: every other command) or once the app has frozen what its start made
(`settle_after_start`)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


YOUNG_PASS_AFTER = 20_000  # allocations between young passes in the app (Python's default: 700)


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _age_without_a_pass()
            gc.enable()


def _age_without_a_pass() -> None:
    """Move what the pause left in the young generation to the oldest one, in O(1).

    The collector kept counting allocations while paused: the first one after it was back started
    a young pass over all of them, then a middle one (a large share of a big CLI import). Done by
    freezing and unfreezing, so only when nothing is frozen: that would thaw it."""
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()


def off_while_starting() -> None:
    """From the command's first import: the start makes objects that all live on."""
    gc.disable()


def back_on() -> None:
    gc.enable()


def settle_after_start() -> None:
    """The app has started: freeze what lives on (clearing the cyclic garbage first), then turn
    the collector back on, with young passes rarer than Python's default: a search's lists of
    many ids are mostly freed by their reference count before a pass would walk them."""
    freeze_survivors(collect_first=True)
    gc.set_threshold(YOUNG_PASS_AFTER, *gc.get_threshold()[1:])
    gc.enable()


def freeze_survivors(collect_first: bool = False) -> None:
    """Hide every object alive now from the cyclic collector for good (gc.freeze).

    Once a library is open, its titles, ids and states stay until the process ends; each full
    collection still walked all of them, a pause landing on whatever key or search result was
    being drawn. Objects freed by their reference count are still freed;
    `collect_first` clears the cyclic garbage there is, which would otherwise be kept for good."""
    if collect_first:
        gc.collect()
    gc.freeze()
