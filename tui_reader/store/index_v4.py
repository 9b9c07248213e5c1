"""Reading the index of version 4 (index.json), so that a library made by an older release opens
after an upgrade by converting its index, not by parsing the whole catalog again (at a million
papers that parse takes minutes and more memory than a laptop has). The next writer saves it in
the current layout (derived.py) and removes index.json."""

from __future__ import annotations

import base64
import re
import zlib
from array import array
from itertools import pairwise
from pathlib import Path

import orjson

from tui_reader.store.columns import OptionalInts, TextColumn, narrowest

OLD_INDEX_FILE = "index.json"
VERSION = 4
_HEAD = re.compile(rb"^tui-reader index (\d+) ([0-9a-f]{8})\n")
_NUMBERS = ("spans", "text_starts", "batches", "seqs", "order", "flags", "text_crcs")
_STRINGS = ("titles", "published", "categories")


def read_old_index(path: Path) -> dict | None:
    """index.json in the layout derived.read_index gives, or None when it is not a whole index of
    version 4 (OSError when it cannot be read)."""
    raw = path.read_bytes()
    head = _HEAD.match(raw)
    if head is None or int(head.group(1)) != VERSION:
        return None
    body = memoryview(raw)[head.end():]
    if zlib.crc32(body) != int(head.group(2), 16):
        return None
    index = orjson.loads(body)
    if not isinstance(index, dict) or index.get("version") != VERSION:
        return None
    for name in _NUMBERS:
        index[name] = _numbers(index[name])
    for name in _STRINGS:
        index[name] = _strings(index[name])
    index["ids"] = TextColumn.of(index["ids"])
    index["upvotes"] = OptionalInts.of(index["upvotes"])
    return index


def _numbers(packed: str) -> array:
    numbers = array(packed[0])
    numbers.frombytes(base64.b64decode(packed[2:]))
    return narrowest(numbers)


def _strings(packed: dict) -> TextColumn:
    text, starts = packed["text"], _numbers(packed["starts"])
    strings: list[str | None] = [text[a:b] for a, b in pairwise(starts)]
    for row in _numbers(packed["nones"]):
        strings[row] = None
    return TextColumn.of(strings)
