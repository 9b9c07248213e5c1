"""Undo and redo of the user's state changes.

Each change (a star, a tag, a note, a hide, a bulk mark-read of 10,000 papers) is one step that
holds the states of the papers it touched, before and after. Undoing writes the "before" states
back through the library's one state write, the same atomic write as every change, so an undo is
on disk the moment it is made; redo writes the "after" states. The journal itself lives as long
as the process, like an editor's: what it undid stays undone after a restart.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from tui_reader.models import PaperState

UNDO_DEPTH = 100  # steps kept; a step of 10,000 papers holds 20,000 small states


class Step(msgspec.Struct, frozen=True):
    what: str  # "star", "mark read", "tag #vision"…
    before: dict[str, PaperState]
    after: dict[str, PaperState]

    def describe(self, title_of: Callable[[str], str] | None = None) -> str:
        """"star · <title>" for one paper, "mark read · 10,000 papers" for many."""
        if len(self.before) == 1 and title_of is not None:
            return f"{self.what} · {title_of(next(iter(self.before)))}"
        count = len(self.before)
        return f"{self.what} · {count:,} paper{'s' if count != 1 else ''}"


class UndoJournal:
    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self.depth = depth
        self.done: list[Step] = []
        self.undone: list[Step] = []

    def record(self, step: Step) -> None:
        """A new change: it can be undone, and what was undone before it can no longer be redone."""
        self.done.append(step)
        del self.done[:-self.depth]
        self.undone.clear()

    def undo(self, write: Callable[[dict[str, PaperState]], None]) -> Step | None:
        """Write the newest step's "before" states; None when there is nothing to undo. A failed
        write raises and keeps the step where it was."""
        if not self.done:
            return None
        step = self.done[-1]
        write(step.before)
        self.undone.append(self.done.pop())
        return step

    def redo(self, write: Callable[[dict[str, PaperState]], None]) -> Step | None:
        if not self.undone:
            return None
        step = self.undone[-1]
        write(step.after)
        self.done.append(self.undone.pop())
        return step
