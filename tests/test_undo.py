"""Undo and redo in the library: each kind of change, several levels deep, bulk changes as one
step; every undo is on disk at once and stays undone in a new process."""

from __future__ import annotations

import pytest

from app_helpers import reopen_state

KINDS = {
    "star": lambda lib, ids: lib.set_starred(ids, True),
    "unstar": lambda lib, ids: lib.set_starred(ids, False),
    "read": lambda lib, ids: lib.set_read(ids, True),
    "unread": lambda lib, ids: lib.set_read(ids, False),
    "tag": lambda lib, ids: lib.add_tags(ids, ["fresh", "vision"]),
    "untag": lambda lib, ids: lib.remove_tags(ids, ["old"]),
    "note": lambda lib, ids: lib.set_note(ids[0], "a new note"),
    "hide": lambda lib, ids: lib.set_hidden(ids, True),
    "unhide": lambda lib, ids: lib.set_hidden(ids, False),
}


def some_state(library, ids):
    """A mix of states, so each kind has something to change and something to keep."""
    library.set_starred(ids[1:3])
    library.set_read(ids[0:2])
    library.add_tags(ids[0:3], ["old", "keep"])
    library.set_note(ids[0], "the old note")
    library.set_hidden(ids[2:3])


@pytest.mark.parametrize("kind", list(KINDS))
def test_undo_puts_back_exactly_the_state_before_on_disk(library, kind):
    ids = library.ordered_ids()[:3]
    some_state(library, ids)
    before = reopen_state(library)
    KINDS[kind](library, ids)
    after = reopen_state(library)
    assert after != before, "the change changed nothing: the test would prove nothing"
    step = library.undo()
    assert step is not None and kind in step.what
    assert reopen_state(library) == before
    assert library.states == before
    library.redo()
    assert reopen_state(library) == after


def test_several_levels_undo_in_reverse_order_and_redo_forward(library):
    pid = library.ordered_ids()[0]
    states = [reopen_state(library)]
    for change in (lambda: library.set_starred([pid]), lambda: library.add_tags([pid], ["x"]),
                   lambda: library.set_note(pid, "n"), lambda: library.set_hidden([pid])):
        change()
        states.append(reopen_state(library))
    for expected in reversed(states[:-1]):
        library.undo()
        assert reopen_state(library) == expected
    assert library.undo() is None  # nothing left
    for expected in states[1:]:
        library.redo()
        assert reopen_state(library) == expected
    assert library.redo() is None


def test_a_bulk_change_is_one_step(library):
    ids = library.ordered_ids()[:50]
    library.set_starred(ids[:1])
    before = reopen_state(library)
    library.set_read(ids, True)
    assert all(reopen_state(library)[pid].read for pid in ids)
    step = library.undo()
    assert len(step.before) == 50 and step.describe() == "mark read · 50 papers"
    assert reopen_state(library) == before
    assert library.undo().what == "star"


def test_a_new_change_drops_what_could_be_redone(library):
    pid = library.ordered_ids()[0]
    library.set_starred([pid])
    library.undo()
    library.set_read([pid])
    assert library.redo() is None
    assert not reopen_state(library)[pid].starred


def test_an_undo_stays_undone_after_a_restart(library):
    from tui_reader.store.library import Library

    pid = library.ordered_ids()[0]
    library.add_tags([pid], ["kept"])
    library.set_starred([pid])
    library.undo()
    folder = library.folder
    library.close()
    reopened = Library(folder)
    try:
        assert reopened.state(pid).tags == ["kept"] and not reopened.state(pid).starred
    finally:
        reopened.close()
