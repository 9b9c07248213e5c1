"""Words in the user's notes and tags: one find over all of them joined, kept in step with the states.

Building the joined text and testing every state one by one both cost a search key too much
(figures: bench/README.md). The states given are snapshots, as the Library's are: it replaces a
state to change it and never edits one in place (whoever does must call `forget`), and makes a new
states dict for every change, keeping the order of the ids. The snapshot the text was built from is
answered by the text alone; in a newer one, a state that is not the object the text was built from
is tested on its own, until there are enough of those (or an id went) to build the text afresh.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Iterable
from itertools import accumulate, compress

from tui_reader.models import PaperState

REBUILD_AFTER = 256  # states changed since the text was built


def note_or_tag_contains(state: PaperState, value: str) -> bool:
    """The state's note (lowercased) or one of its tags contains `value`."""
    return value in state.note.lower() or any(value in tag for tag in state.tags)


class _Joined:
    """The notes (lowercased) and tags of the states that have any: per state note \\x00 tag
    \\x00 tag ..., states joined by \\x01; with each one's id and start."""

    def __init__(self, states: dict[str, PaperState], keys: list[str], values: list[PaperState]):
        self.states, self.keys, self.values = states, keys, values
        self.ids: list[str] = []
        pieces: list[str] = []
        add_id, add_piece = self.ids.append, pieces.append
        for pid, state in zip(keys, values):  # one plain loop: quicker than two comprehensions
            note, tags = state.note, state.tags
            if note or tags:
                add_id(pid)
                add_piece(note.lower() + "\x00" + "\x00".join(tags))
        self.starts = list(accumulate(map((1).__add__, map(len, pieces)), initial=0))
        self.text = "\x01".join(pieces)

    def changed_since(self, keys: list[str], values: list[PaperState]) -> set[str] | None:
        """Ids whose state was replaced or added since; None when one was removed or too many changed."""
        n = len(self.keys)
        if keys[:n] != self.keys:
            return None
        changed = set(compress(keys, map(operator.is_not, values, self.values)))
        changed.update(keys[n:])
        return changed if len(changed) <= REBUILD_AFTER else None

    def find(self, value: str) -> list[str]:
        """Ids with a match; `value` holds neither separator, so a match lies within one piece."""
        hits = []
        find, starts, ids = self.text.find, self.starts, self.ids
        at = find(value)
        while at >= 0:
            i = bisect.bisect_right(starts, at) - 1
            hits.append(ids[i])
            at = find(value, starts[i + 1])
        return hits


class NotesIndex:
    """A search index over the notes and tags of the states: which ids hold a value."""

    def __init__(self) -> None:
        self._joined: _Joined | None = None
        # the ids changed in the last snapshot asked about since the text was built: typing a
        # search after a star asks with the same snapshot at every key
        self._changed: tuple[dict[str, PaperState], set[str]] | None = None

    def forget(self) -> None:
        self._joined = self._changed = None

    def build(self, states: dict[str, PaperState]) -> None:
        """Join the text now (ahead of the first search), unless it is in step with `states`."""
        keys, values = list(states), list(states.values())
        joined = self._joined
        if joined is None or joined.changed_since(keys, values) != set():
            self._joined, self._changed = _Joined(states, keys, values), None

    def hits(self, states: dict[str, PaperState], value: str) -> Iterable[str]:
        """Ids whose state matches `value` (see note_or_tag_contains); an id may come twice."""
        if "\x00" in value or "\x01" in value or not value:
            return [pid for pid, state in states.items() if note_or_tag_contains(state, value)]
        joined = self._joined
        if joined is not None and joined.states is states:  # the very snapshot it was built from
            return joined.find(value)
        if self._changed is not None and self._changed[0] is states:
            changed = self._changed[1]
        else:
            keys, values = list(states), list(states.values())
            changed = joined.changed_since(keys, values) if joined is not None else None
            if changed is None:
                joined = self._joined = _Joined(states, keys, values)
                changed = set()
            self._changed = (states, changed)
        found = [pid for pid in joined.find(value) if pid not in changed]
        found += [pid for pid in changed if note_or_tag_contains(states[pid], value)]
        return found
