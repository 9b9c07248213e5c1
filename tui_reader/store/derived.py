"""How derived files (index.json, search.txt, words.idx) prove they belong to the catalog.

Each derived file is tied to the catalog by its generation token (random per catalog write, in the
first bytes of papers.json, repeated in every derived file) and checked for damage by checksums:
  index.json   a first line with its version and the CRC-32 of the JSON after it (checked at open),
               and inside it the catalog's size, mtime and CRC-32 (the CRC is read only when the
               mtime moved: a copied folder opens without a rebuild) and the search text's
               CRC-32 per block of TEXT_BLOCK bytes
  search.txt   its blocks, each checked against index.json the first time it is read in an open
  words.idx    a head line with the text's token (generation, size, a digest of its block CRCs) and
               the CRC-32 of the rest, checked when it is first opened
A file that fails is rebuilt from the catalog, never trusted: a damaged cache costs time, never a
wrong result or a crash.
"""

from __future__ import annotations

import base64
import os
import re
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import orjson

from tui_reader.store.files import best_effort_write_chunks

INDEX_VERSION = 4  # 4: a checksum line, the catalog's checksum, the search text's block checksums
_INDEX_HEAD = re.compile(rb"^tui-reader index (\d+) ([0-9a-f]{8})\n")
TEXT_BLOCK = 1 << 20  # search.txt is checked in blocks of this many bytes, each once per open


def text_token(generation: str, text_size: int, crcs: Iterable[int]) -> str:
    """What a word index must name to belong to one search text: its catalog generation, size and
    a digest of its block checksums (a same-size text with other words has another token)."""
    return f"{generation}.{text_size}.{zlib.crc32(array('I', crcs).tobytes()):08x}"


def block_crcs(text) -> array:
    """The checksum of each TEXT_BLOCK bytes of a search text."""
    return array("I", (zlib.crc32(text[at: at + TEXT_BLOCK]) for at in range(0, len(text), TEXT_BLOCK)))


def crc_along(chunks: Iterable[bytes], crc: list[int]) -> Iterator[bytes]:
    """The chunks as they are, with their running checksum kept in crc[0]."""
    for chunk in chunks:
        crc[0] = zlib.crc32(chunk, crc[0])
        yield chunk


def write_index(path: Path, index: dict) -> bool:
    """index.json: a line with the version and the checksum of the JSON that follows it."""
    body = orjson.dumps(index)
    return best_effort_write_chunks(path, (b"tui-reader index %d %08x\n" % (INDEX_VERSION, zlib.crc32(body)), body))


def read_index_ahead(path: Path) -> None:
    """Start reading index.json in a thread. The app's start calls this before it imports the UI:
    reading the file and its checksum wait on memory, not on the interpreter, so they run while
    Python imports. `read_index` takes what was read when the file is still the one read, else
    (or when the read failed) it reads again: the checks are the same either way."""
    path = Path(os.path.abspath(path))
    done: list[tuple[tuple, dict | None]] = []

    def work() -> None:
        try:
            before = _identity(path)
            index = _read_index(path)
            if _identity(path) == before:
                done.append((before, index))
        except Exception:  # noqa: BLE001 - read again, and fail, where it is asked for
            pass

    thread = threading.Thread(target=work, name="read index.json", daemon=True)
    _READ_AHEAD[path] = (thread, done)
    thread.start()


_READ_AHEAD: dict[Path, tuple[threading.Thread, list]] = {}


def _identity(path: Path) -> tuple[int, int, int]:
    """Which file is at `path` now: a new index.json is written aside and renamed over it."""
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def read_index(path: Path) -> dict | None:
    """index.json when it is whole and of this version, else None (OSError when unreadable)."""
    ahead = _READ_AHEAD.pop(Path(os.path.abspath(path)), None) if _READ_AHEAD else None
    if ahead is not None:
        thread, done = ahead
        thread.join()
        try:
            if done and done[0][0] == _identity(path):
                return done[0][1]
        except OSError:
            pass
    return _read_index(path)


def _read_index(path: Path) -> dict | None:
    raw = path.read_bytes()
    head = _INDEX_HEAD.match(raw)
    if head is None or int(head.group(1)) != INDEX_VERSION:
        return None
    body = memoryview(raw)[head.end():]
    if zlib.crc32(body) != int(head.group(2), 16):
        return None
    index = orjson.loads(body)
    return index if isinstance(index, dict) and index.get("version") == INDEX_VERSION else None


def text_matches(text, crcs) -> bool:
    """True when every block of `text` has its checksum (and there are as many blocks)."""
    blocks = range(0, len(text), TEXT_BLOCK)
    return len(blocks) == len(crcs) and all(zlib.crc32(text[at: at + TEXT_BLOCK]) == crc for at, crc in zip(blocks, crcs))


def pack_numbers(numbers: Sequence[int]) -> str:
    """A column of integers as base64 of the narrowest array that holds them ("I:...."): read back
    in milliseconds, where a JSON list of 100,000 numbers takes ten (base64 decodes at ~150 MB/s
    here, so the width counts)."""
    top, low = max(numbers, default=0), min(numbers, default=0)
    code = "q" if low < 0 else next(c for c in "BHIQ" if top < 1 << (8 * array(c).itemsize))
    return code + ":" + base64.b64encode(array(code, numbers).tobytes()).decode("ascii")


def unpack_numbers(text: str) -> array:
    numbers = array(text[0])
    numbers.frombytes(base64.b64decode(text[2:]))
    return numbers
