"""The states' joined text stays in step with the states it was built from, change after change."""

from __future__ import annotations

import random

from tui_reader.models import PaperState
from tui_reader.search.notes_index import REBUILD_AFTER, NotesIndex, note_or_tag_contains

VALUES = ["alpha", "beta", "gamma", "appendix", "a", "x", "vision"]


def direct(states, value):
    return sorted(pid for pid, state in states.items() if note_or_tag_contains(state, value))


def found(index, states, value):
    return sorted(set(index.hits(states, value)))


def test_hits_follow_replaced_added_and_removed_states():
    states = {
        "p1": PaperState(tags=["alpha"]),
        "p2": PaperState(note="Read the Appendix"),
        "p3": PaperState(starred=True),
    }
    index = NotesIndex()
    assert found(index, states, "alpha") == ["p1"]
    assert found(index, states, "appendix") == ["p2"]
    # a new snapshot for each change, as the Library makes
    states = {**states, "p1": PaperState(tags=["beta"])}  # replaced
    states = {**states, "p4": PaperState(note="alpha male")}  # added
    assert found(index, states, "alpha") == ["p4"]
    assert found(index, states, "beta") == ["p1"]
    states = {pid: state for pid, state in states.items() if pid != "p2"}  # removed
    assert found(index, states, "appendix") == []
    states["p3"].tags.append("gamma")  # edited in place: only forget() can tell
    index.forget()
    assert found(index, states, "gamma") == ["p3"]


def test_a_random_run_of_changes_always_agrees_with_a_direct_scan():
    rng = random.Random(7)
    states = {f"p{n}": PaperState(tags=[rng.choice(VALUES)]) for n in range(300)}
    index = NotesIndex()
    snapshots = [states]
    for step in range(3 * REBUILD_AFTER):
        states = dict(states)  # a new snapshot for each change, as the Library makes
        pid = f"p{rng.randrange(400)}"
        action = rng.random()
        if action < 0.05 and pid in states:
            del states[pid]
        elif action < 0.5:
            states[pid] = PaperState(tags=[rng.choice(VALUES)])
        else:
            states[pid] = PaperState(note=f"about {rng.choice(VALUES)} and more")
        if rng.random() < 0.1:
            index.build(states)  # as the search session prepares it ahead
            before = snapshots[-1]  # the snapshot asked about last, before the text was rebuilt
            assert found(index, before, "a") == direct(before, "a"), step
        for value in rng.sample(VALUES, 2):  # typing: more than one value asked of one snapshot
            assert found(index, states, value) == direct(states, value), step
        if step % 10 == 0:
            earlier = snapshots[rng.randrange(len(snapshots))]  # an answer still wanted from older states
            assert found(index, earlier, "a") == direct(earlier, "a"), step
        snapshots.append(states)


def test_values_with_the_separators_are_searched_directly():
    states = {"p1": PaperState(note="a\x00b")}
    assert found(NotesIndex(), states, "a\x00b") == ["p1"]
    assert found(NotesIndex(), states, "") == direct(states, "")


def test_a_text_built_ahead_serves_the_first_search_and_follows_later_changes():
    states = {"p1": PaperState(tags=["alpha"]), "p2": PaperState(note="beta")}
    index = NotesIndex()
    index.build(states)
    assert found(index, states, "alpha") == ["p1"]
    states = {**states, "p2": PaperState(note="alpha too")}
    index.build(states)  # out of step: built afresh
    states = {**states, "p3": PaperState(tags=["alphabet"])}
    assert found(index, states, "alpha") == ["p1", "p2", "p3"]
