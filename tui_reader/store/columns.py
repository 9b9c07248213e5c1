"""The catalog index's columns as the index file holds them, read without decoding every row.

A TextColumn is the UTF-8 of its strings joined by a newline, with each string's byte offset: one
string is cut out when a row is shown, and the whole column is one decode and one split when a
sort needs all of them. Numbers are arrays of the narrowest type that holds them.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate

SEPARATOR = b"\n"


def narrowest(numbers: Iterable[int]) -> array:
    """The numbers in an array of the narrowest type that holds them (the index stays small)."""
    numbers = numbers if isinstance(numbers, (array, list)) else list(numbers)
    top, low = max(numbers, default=0), min(numbers, default=0)
    code = "q" if low < 0 else next(c for c in "BHIQ" if top < 1 << (8 * array(c).itemsize))
    return numbers if isinstance(numbers, array) and numbers.typecode == code else array(code, numbers)


class TextColumn(Sequence):
    """A column of strings (None allowed) over `data`, bytes or a view of the mapped index file."""

    __slots__ = ("data", "starts", "none_rows", "_nones", "_list")

    def __init__(self, data, starts: array, none_rows: Sequence[int] = ()):
        self.data, self.starts, self.none_rows = data, starts, none_rows
        self._nones: frozenset[int] | None = None
        self._list: list[str | None] | None = None

    @classmethod
    def of(cls, strings: Sequence[str | None]) -> TextColumn:
        """A column of these strings, keeping the list for reads."""
        values = [value or "" for value in strings]
        data = "\n".join(values).encode("utf-8", "surrogatepass")
        # byte lengths: the character counts when all is ASCII, else each string's own encoding
        sizes = map(len, values) if len(data) == sum(map(len, values)) + len(values) - 1 else (
            len(value.encode("utf-8", "surrogatepass")) for value in values)
        column = cls(data, narrowest(accumulate((size + 1 for size in sizes), initial=0)),
                     narrowest(i for i, value in enumerate(strings) if value is None))
        column._list = list(strings)
        return column

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, i):
        if self._list is not None or not isinstance(i, int):
            return self.as_list()[i]
        if i < 0:
            i += len(self)
        if self.none_rows and i in self.nones:
            return None
        return str(self.data[self.starts[i]: self.starts[i + 1] - 1], "utf-8", "surrogatepass")

    def __iter__(self):
        return iter(self.as_list())

    @property
    def nones(self) -> frozenset[int]:
        if self._nones is None:
            self._nones = frozenset(self.none_rows)
        return self._nones

    def rows_containing(self, needle: str) -> Iterable[int]:
        """The rows whose string contains `needle` (no newline in it), each once, in order."""
        if not isinstance(self.data, bytes):
            self.data = bytes(self.data)  # a view of the mapped file: copied once for find()
        data, starts, word = self.data, self.starts, needle.encode("utf-8", "surrogatepass")
        at = data.find(word) if word and SEPARATOR not in word else -1
        while at >= 0:
            row = bisect.bisect_right(starts, at) - 1
            yield row
            at = data.find(word, starts[row + 1])

    def any_text(self) -> bool:
        """True when some row holds a non-empty string."""
        return len(self.data) > max(len(self) - 1, 0)

    def as_list(self) -> list[str | None]:
        """Every string (made once, for a sort or a pass over all rows)."""
        if self._list is None:
            text = str(self.data, "utf-8", "surrogatepass")
            values: list[str | None] = text.split("\n") if len(self) else []
            if len(values) != len(self):  # a string holds a newline (a hand-edited catalog): cut by offsets
                values = [self[i] for i in range(len(self))]
            for i in self.none_rows:
                values[i] = None
            self._list = values
        return self._list


class OptionalInts(Sequence):
    """A column of integers or None: the values (None as 0) and a byte per row, 1 where set."""

    __slots__ = ("values", "present")

    def __init__(self, values: array, present: bytes):
        self.values, self.present = values, present

    @classmethod
    def of(cls, numbers: Sequence[int | None]) -> OptionalInts:
        return cls(narrowest([n or 0 for n in numbers]), bytes(n is not None for n in numbers))

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i):
        if not isinstance(i, int):
            return [self[j] for j in range(len(self))[i]]
        return self.values[i] if self.present[i] else None

    def any_value(self) -> bool:
        return self.present.find(1) >= 0
