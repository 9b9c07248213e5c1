"""How derived files (index.bin, search.txt, words.idx) prove they belong to the catalog.

Each derived file is tied to the catalog by its generation token (random per catalog write, in the
first bytes of papers.json, repeated in every derived file) and checked for damage by checksums:
  index.bin    a first line with its version and the CRC-32 of all after it (checked at open), a
               JSON head with the catalog's size, mtime and CRC-32 (the CRC is read only when the
               mtime moved: a copied folder opens without a rebuild), the search text's CRC-32 per
               block of TEXT_BLOCK bytes, and where each column lies; then the columns' bytes,
               mapped, so opening decodes only what it uses
  search.txt   its blocks, each checked against the index the first time it is read in an open
  words.idx    a head line with the text's token (generation, size, a digest of its block CRCs) and
               the CRC-32 of the rest, checked when it is first opened
A file that fails is rebuilt from the catalog, never trusted: a damaged cache costs time, never a
wrong result or a crash.
"""

from __future__ import annotations

import mmap
import os
import re
import threading
import zlib
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from tui_reader.store.columns import OptionalInts, TextColumn, narrowest
from tui_reader.store.files import best_effort_write_chunks, file_identity, map_or_read

INDEX_FILE = "index.bin"
INDEX_VERSION = 5  # 5: binary columns (4 was index.json)
_INDEX_HEAD = re.compile(rb"^tui-reader index (\d+) ([0-9a-f]{8}) (\d+) *\n")
TEXT_BLOCK = 1 << 20  # search.txt is checked in blocks of this many bytes, each once per open


def text_token(generation: str, text_size: int, crcs: Iterable[int]) -> str:
    """What a word index must name to belong to one search text: its catalog generation, size and
    a digest of its block checksums (a same-size text with other words has another token)."""
    return f"{generation}.{text_size}.{zlib.crc32(array('I', crcs).tobytes()):08x}"


def block_crcs(text) -> array:
    """The checksum of each TEXT_BLOCK bytes of a search text."""
    return array("I", (zlib.crc32(text[at: at + TEXT_BLOCK]) for at in range(0, len(text), TEXT_BLOCK)))


class BlockCrcs:
    """block_crcs of a text handed over piece by piece as it is written, so it is never read back."""

    def __init__(self) -> None:
        self.crcs = array("I")
        self._crc = 0
        self._filled = 0

    def feed(self, piece: bytes) -> None:
        while piece:
            room = TEXT_BLOCK - self._filled
            part = piece if len(piece) < room else piece[:room]
            self._crc = zlib.crc32(part, self._crc)
            self._filled += len(part)
            if self._filled == TEXT_BLOCK:
                self.crcs.append(self._crc)
                self._crc = self._filled = 0
            piece = piece[len(part):] if len(part) < len(piece) else b""

    def result(self) -> array:
        return self.crcs + array("I", [self._crc] if self._filled else [])


def crc_along(chunks: Iterable[bytes], crc: list[int]) -> Iterator[bytes]:
    """The chunks as they are, with their running checksum kept in crc[0]."""
    for chunk in chunks:
        crc[0] = zlib.crc32(chunk, crc[0])
        yield chunk


def write_index(path: Path, index: dict) -> bool:
    """The index file: a line with the version, the CRC-32 of all that follows and the length of
    a JSON head; the head (the scalars, and where each column lies); the columns' bytes, each at
    a multiple of 8. Arrays and TextColumns become columns, anything else goes in the head."""
    head: dict = {}
    columns: dict[str, list] = {}
    blobs: list[bytes] = []
    at = 0

    def add(name: str, code: str, payload) -> None:
        nonlocal at
        payload = memoryview(payload).cast("B")
        columns[name] = [code, at, len(payload)]
        blobs.append(payload)
        pad = -len(payload) % 8
        if pad:
            blobs.append(bytes(pad))
        at += len(payload) + pad

    for key, value in index.items():
        if isinstance(value, array):
            add(key, value.typecode, value)
        elif isinstance(value, TextColumn):
            add(key, "text", value.data)
            add(key + ".starts", value.starts.typecode, value.starts)
            nones = narrowest(value.none_rows)
            add(key + ".nones", nones.typecode, nones)
        elif isinstance(value, OptionalInts):
            add(key, value.values.typecode, value.values)
            add(key + ".present", "B", value.present)
        else:
            head[key] = value
    head["columns"] = columns
    body = orjson.dumps(head)
    body += b" " * (-len(body) % 8)
    crc = zlib.crc32(body)
    for blob in blobs:
        crc = zlib.crc32(blob, crc)
    line = b"tui-reader index %d %08x %d\n" % (INDEX_VERSION, crc, len(body))
    line = line[:-1] + b" " * (-len(line) % 8) + b"\n"  # the columns start 8-aligned in the file
    return best_effort_write_chunks(path, (line, body, *blobs))


def read_index_ahead(path: Path) -> None:
    """Start reading the index file in a thread. The app's start calls this before it imports the UI:
    reading the file and its checksum wait on memory, not on the interpreter, so they run while
    Python imports. `read_index` takes what was read when the file is still the one read, else
    (or when the read failed) it reads again: the checks are the same either way."""
    path = Path(os.path.abspath(path))
    done: list[tuple[tuple, dict | None]] = []

    def work() -> None:
        try:
            before = file_identity(path)
            index = _read_index(path)
            if file_identity(path) == before:
                done.append((before, index))
        except Exception:  # noqa: BLE001 - read again, and fail, where it is asked for
            pass

    thread = threading.Thread(target=work, name="read the index", daemon=True)
    _READ_AHEAD[path] = (thread, done)
    thread.start()


_READ_AHEAD: dict[Path, tuple[threading.Thread, list]] = {}


def read_index(path: Path) -> dict | None:
    """The index file's head and columns when it is whole and of this version, else None (OSError when unreadable)."""
    ahead = _READ_AHEAD.pop(Path(os.path.abspath(path)), None) if _READ_AHEAD else None
    if ahead is not None:
        thread, done = ahead
        thread.join()
        if done and done[0][0] == file_identity(path):  # (None, never an error, for a file gone)
            return done[0][1]
    return _read_index(path)


def _read_index(path: Path) -> dict | None:
    with open(path, "rb") as f:
        raw = map_or_read(f)
    head = _INDEX_HEAD.match(raw[:64])
    if head is None or int(head.group(1)) != INDEX_VERSION:
        return None
    view = memoryview(raw)
    if zlib.crc32(view[head.end():]) != int(head.group(2), 16):
        return None
    start = head.end() + int(head.group(3))
    index = orjson.loads(view[head.end(): start])
    if not isinstance(index, dict) or index.get("version") != INDEX_VERSION:
        return None

    def column(name: str):
        code, at, size = index["columns"][name]
        data = view[start + at: start + at + size]
        if code == "text":
            return data
        numbers = array(code)
        numbers.frombytes(data)
        return numbers

    for name in [name for name in index["columns"] if "." not in name]:
        code = index["columns"][name][0]
        if code == "text":
            index[name] = TextColumn(column(name), column(name + ".starts"), column(name + ".nones"))
        elif name + ".present" in index["columns"]:
            index[name] = OptionalInts(column(name), column(name + ".present").tobytes())
        else:
            index[name] = column(name)
    if isinstance(raw, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        # the checksum read every page; the titles shown are read again from the page cache
        raw.madvise(mmap.MADV_DONTNEED)
    return index


def text_matches(text, crcs) -> bool:
    """True when every block of `text` has its checksum (and there are as many blocks)."""
    blocks = range(0, len(text), TEXT_BLOCK)
    return len(blocks) == len(crcs) and all(zlib.crc32(text[at: at + TEXT_BLOCK]) == crc for at, crc in zip(blocks, crcs))
