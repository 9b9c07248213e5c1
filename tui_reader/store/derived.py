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
import re
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


def read_index(path: Path) -> dict | None:
    """index.json when it is whole and of this version, else None (OSError when unreadable)."""
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
