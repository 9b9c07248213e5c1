"""A word index over the catalog's search text (search.txt), so a word query reads postings instead of
scanning every line.

Plain words match as case-insensitive substrings (see query.py), not as whole words. The index keeps
that meaning exactly:

- The vocabulary of a field is every distinct `\\w+` token of its lines (all of a line; the title
  segment; the authors segment), sorted and joined into one bytes string `\\nword\\nword\\n...`.
- A term that is one `\\w+` token occurs in a line exactly when it is a substring of one of the
  line's tokens (its characters are all word characters, so an occurrence cannot cross a non-word
  character). So: find every vocabulary word containing it (one find-and-skip over a few MB) and
  take the union of their postings. No verification.
- A term with other characters ("self-supervised", "exact phrase") has one or more tokens, each
  with a known shape: a token followed by a non-word character in the term ends a word of the line,
  one preceded by one starts a word, one between two is a whole word. The intersection of those
  tokens' rows are the candidates, and each candidate line is checked for the term itself.
- A term without any word character ("-", ", ") is not answered here: the caller scans.
- A term of one ASCII word character would union tens of thousands of words: each such character's
  rows are kept whole instead, as one bitmap.

Postings are row numbers (the line order of search.txt): a bitmap when the word is in at least 1/32
of the rows (then smaller than a uint32 array), else a uint32 array. Results are byte masks: one
byte (0 or 1) per row, which combine as integers (`int.from_bytes`) and filter a list in C
(`itertools.compress`).

The file (words.idx) is derived like index.bin and search.txt: written best-effort, tied to its
search text by a token (the catalog's generation, the text's size and a digest of its block
checksums, see store/derived.py), its bytes checked by a CRC-32 when opened; rebuilt when either
does not match. Building costs a tokenisation of the whole text, so the catalog builds it in a
separate low-priority process (`spawn_build`) and scans until it is ready.
"""

from __future__ import annotations

import bisect
import re
import subprocess
import sys
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable
from itertools import accumulate, compress, repeat

import orjson

from tui_reader.search import background
from tui_reader.store.derived import INDEX_FILE, read_index, text_matches, text_token
from tui_reader.store.files import best_effort_write, read_mapped
from tui_reader.store.gc_pause import gc_paused
from tui_reader.store.search_text import SEGMENT, SEGMENT_OF_FIELD, TEXT_HEAD

VERSION = 3  # 2: one-letter masks; 3: the text's token and a checksum in the head
WORD_RE = re.compile(r"\w+")
FIELDS = ("all", "title", "author")
SEGMENT_FIELD = {segment: "all" if segment is None else field for field, segment in SEGMENT_OF_FIELD.items()}
_MAGIC = b"tui-reader words"

# ASCII bytes that are not word characters become spaces (newlines and 0x1f, the segment separator,
# kept);
# bytes >= 0x80 stay, and a line holding any is tokenised by the regex instead.
_TABLE = bytes(b if b >= 0x80 or b in (0x0A, SEGMENT[0]) or WORD_RE.fullmatch(chr(b)) else 0x20 for b in range(256))
# A byte of a bitmap -> the 8 mask bytes of its bits, lowest bit first.
_EXPAND = [bytes((b >> j) & 1 for j in range(8)) for b in range(256)]
_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


def _retokenise(words: set[bytes]) -> set[bytes]:
    """Tokens split at ASCII non-word bytes -> `\\w+` tokens: the ones holding non-ASCII bytes
    (whole UTF-8 characters, as the splits fall on ASCII bytes) are split by the regex."""
    odd = [word for word in words if not word.isascii()]
    if not odd:
        return words
    words = set(words).difference(odd)
    for word in odd:
        words.update(w.encode("utf-8", "surrogateescape") for w in WORD_RE.findall(word.decode("utf-8", "surrogateescape")))
    return words


def build(text, start: int, rows: int | None, token: str) -> bytes | None:
    """The index file for search text `text` (named by its `token`, see store/derived.py) whose
    lines (`rows` of them, when given) start at `start`, each ending with a newline, up to the
    end. None when the lines do not add up."""
    if len(text) > start and text[len(text) - 1: len(text)] != b"\n":
        return None
    with gc_paused():  # millions of new lists and sets that all live until the end
        return _build(_lines(text, start), rows, token)


def _lines(text, start: int, chunk: int = 8 << 20):
    """The lines from `start` on, translated (see _TABLE), a few MB at a time."""
    end = len(text)
    while start < end:
        cut = text.find(b"\n", min(start + chunk, end) - 1) + 1
        lines = text[start:cut].translate(_TABLE).split(b"\n")
        lines.pop()
        yield from lines
        start = cut


def _build(lines, rows: int | None, token: str) -> bytes | None:
    post = {name: defaultdict(list) for name in FIELDS}
    get_all, get_title, get_author = (post[name].__getitem__ for name in FIELDS)
    chars: defaultdict[int, list[int]] = defaultdict(list)  # byte -> rows whose line holds it
    get_char = chars.__getitem__
    append = list.append
    n = 0
    for row, line in enumerate(lines):
        n = row + 1
        parts = line.split(SEGMENT)
        any(map(append, map(get_char, set(line)), repeat(row)))
        words = set(line.replace(SEGMENT, b" ").split())
        title = set(parts[0].split())
        authors = set(parts[2].split()) if len(parts) > 2 else ()
        if not line.isascii():  # runs holding non-ASCII bytes: split them by the regex
            words = _retokenise(words)
            if not parts[0].isascii():
                title = _retokenise(title)
            if authors and not parts[2].isascii():
                authors = _retokenise(authors)
        rep = repeat(row)
        any(map(append, map(get_all, words), rep))
        any(map(append, map(get_title, title), rep))
        any(map(append, map(get_author, authors), rep))
    if rows is not None and n != rows:
        return None
    sections: list[bytes] = []
    meta: dict = {"rows": n, "fields": {}}
    pos = 0

    def add(blob: bytes) -> list[int]:
        nonlocal pos
        sections.append(blob)
        pos += len(blob)
        return [pos - len(blob), len(blob)]

    nbytes = (n + 7) // 8
    for name in FIELDS:
        postings = post.pop(name)
        words = sorted(postings)
        vocab = b"\n" + b"\n".join(words) + b"\n" if words else b"\n"
        word_starts = array("I", accumulate((len(w) + 1 for w in words), initial=1))
        kinds = bytearray(len(words))
        offsets = array("Q", [0])
        blobs = []
        end = 0
        for i, word in enumerate(words):
            rows = postings[word]
            if len(rows) * 4 > nbytes:
                blob = _bitmap(rows, n, nbytes)
                kinds[i] = 1
            else:
                blob = _native(array("I", rows))
            blobs.append(blob)
            end += len(blob)
            offsets.append(end)
        meta["fields"][name] = {
            "vocab": add(vocab), "starts": add(_native(word_starts)), "offsets": add(_native(offsets)),
            "kinds": add(bytes(kinds)), "postings": add(b"".join(blobs)),
        }
        del postings, blobs
    # One letter is in tens of thousands of words: its rows are kept whole, not unioned at query
    # time (too slow for a keystroke, and uncancellable). Only single word characters, the ones
    # asked this way.
    letters = sorted(b for b in chars if b < 0x80 and WORD_RE.fullmatch(chr(b)))
    meta["letters"] = {chr(b): add(_bitmap(chars[b], n, nbytes)) for b in letters}
    body = b"".join([orjson.dumps(meta), b"\n", *sections])
    return b"%s %08x\n%s" % (_head(token), zlib.crc32(body), body)


def _bitmap(rows: list[int], n: int, nbytes: int) -> bytes:
    """Rows as a bitmap of n bits, lowest row in the lowest bit."""
    mask = bytearray(n)
    any(map(mask.__setitem__, rows, repeat(1)))
    return int(mask.translate(_TO_DIGITS)[::-1], 2).to_bytes(nbytes, "little") if n else b""


def _head(token: str) -> bytes:
    return b"%s %d %s %s" % (_MAGIC, VERSION, sys.byteorder.encode(), token.encode())


def _native(numbers: array) -> bytes:
    return numbers.tobytes()


def _load_array(code: str, blob) -> array:
    numbers = array(code)
    numbers.frombytes(blob)
    return numbers


class _Field:
    __slots__ = ("vocab", "starts", "offsets", "kinds", "base")

    def __init__(self, buf, base: int, sections: dict):
        def part(name: str):
            offset, length = sections[name]
            return buf[base + offset: base + offset + length]

        self.vocab = bytes(part("vocab"))
        self.starts = _load_array("I", part("starts"))
        self.offsets = _load_array("Q", part("offsets"))
        self.kinds = bytes(part("kinds"))
        self.base = base + sections["postings"][0]
        if len(self.starts) != len(self.offsets) or len(self.kinds) + 1 != len(self.offsets):
            raise ValueError("inconsistent word index")


class WordIndex:
    """The word index of one search text: row masks for terms (see the module's docstring)."""

    def __init__(self, buf, token: str):
        """`buf`: the file's bytes (or an mmap of it). ValueError when it is not the index of the
        search text named by `token`, or its bytes are not the ones written."""
        nl = buf.find(b"\n")
        head = _head(token) + b" "
        if nl != len(head) + 8 or bytes(buf[:len(head)]) != head:
            raise ValueError("not the word index of this search text")
        if zlib.crc32(memoryview(buf)[nl + 1:]) != int(bytes(buf[len(head):nl]), 16):
            raise ValueError("the word index is damaged")
        nl2 = buf.find(b"\n", nl + 1)
        meta = orjson.loads(bytes(buf[nl + 1: nl2]))
        self.rows: int = meta["rows"]
        self._sections: dict = meta["fields"]
        self._letters: dict[str, list[int]] = meta["letters"]
        self._base = nl2 + 1
        self._buf = buf
        self._fields: dict[str, _Field] = {}
        self._ones: int | None = None

    @classmethod
    def open(cls, path, token: str) -> WordIndex | None:
        try:
            return cls(read_mapped(path), token)
        except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            return None

    def _field(self, name: str) -> _Field:
        field = self._fields.get(name)
        if field is None:
            field = self._fields[name] = _Field(self._buf, self._base, self._sections[name])
        return field

    # -- queries -------------------------------------------------------------------------------

    def words(self, name: str, pattern: bytes) -> list[int]:
        """Numbers of the vocabulary words containing `pattern` (which may start and/or end with a
        newline: the word starts / ends there)."""
        field = self._field(name)
        vocab, starts = field.vocab, field.starts
        find = vocab.find
        lead = 1 if pattern.startswith(b"\n") else 0
        found = []
        at = find(pattern)
        while at >= 0:
            i = bisect.bisect_right(starts, at + lead) - 1
            found.append(i)
            at = find(pattern, starts[i + 1] - 1)
        return found

    def union(self, name: str, numbers: list[int]) -> bytearray:
        """The row mask of the rows holding any of these words."""
        field = self._field(name)
        buf, base, offsets, kinds = self._buf, field.base, field.offsets, field.kinds
        n = self.rows
        dense = 0
        sparse = []
        for i in numbers:
            if kinds[i]:
                dense |= int.from_bytes(buf[base + offsets[i]: base + offsets[i + 1]], "little")
            else:
                sparse.append(i)
        if dense:
            if sparse and dense.bit_count() == n:  # every row already: the rare words add nothing
                return bytearray(b"\x01" * n)
            mask = bytearray(b"".join(map(_EXPAND.__getitem__, dense.to_bytes((n + 7) // 8, "little"))))
            del mask[n:]
        else:
            mask = bytearray(n)
        if sparse:
            rows = _load_array("I", b"".join([buf[base + offsets[i]: base + offsets[i + 1]] for i in sparse]))
            any(map(mask.__setitem__, rows, repeat(1)))
        return mask

    def letter_mask(self, letter: str) -> bytearray:
        """The row mask of the lines holding this one ASCII word character."""
        n = self.rows
        where = self._letters.get(letter)
        if where is None:
            return bytearray(n)
        offset, length = where
        start = self._base + offset
        mask = bytearray(b"".join(map(_EXPAND.__getitem__, self._buf[start: start + length])))
        del mask[n:]
        return mask

    def term_mask(self, term: str, segment: int | None, text, starts,
                  check: Callable[[int, int], None] | None = None) -> bytearray | None:
        """The row mask of the lines whose `segment` (None: the whole line) contains `term`
        (lowercase), or None when the index cannot answer (the caller scans). `check(start, end)`
        is called before the text's bytes [start, end) are read (it raises when they are damaged)."""
        name = SEGMENT_FIELD.get(segment)
        if name is None:
            return None
        needle = term.encode("utf-8")
        n = self.rows
        if not needle or SEGMENT in needle or b"\n" in needle:
            return bytearray(n)
        tokens = list(WORD_RE.finditer(term))
        if not tokens:
            return None
        if len(tokens) == 1 and tokens[0].end() - tokens[0].start() == len(term):
            if segment is None and len(term) == 1 and term.isascii():
                return self.letter_mask(term)
            return self.union(name, self.words(name, needle))
        candidates = 0
        for match in tokens:
            pattern = ((b"\n" if match.start() > 0 else b"") + match.group().encode("utf-8")
                       + (b"\n" if match.end() < len(term) else b""))
            rows = int.from_bytes(self.union(name, self.words(name, pattern)), "little")
            candidates = rows if match is tokens[0] else candidates & rows
            if not candidates:
                return bytearray(n)
        if candidates.bit_count() * 3 > n:  # checking most lines one by one: a scan is quicker
            return None
        mask = bytearray(n)
        find = text.find
        for row in compress(range(n), candidates.to_bytes(n, "little")):
            start, end = starts[row], starts[row + 1] - 1
            if check is not None:
                check(start, end)
            if segment is not None:  # the segment: between the segment-th and the next separator
                for _ in range(segment):
                    start = find(SEGMENT, start, end) + 1
                    if not start:
                        break
                if not start:
                    continue
                stop = find(SEGMENT, start, end)
                end = end if stop < 0 else stop
            if find(needle, start, end) >= 0:
                mask[row] = 1
        return mask


# -- building in the background ---------------------------------------------------------------------

def build_file(folder, words_name: str = "words.idx", text_name: str = "search.txt") -> bool:
    """Build the word index of the folder's search text and write it next to it (temp file and
    rename, no fsync: a derived file). False when there is nothing (valid) to index."""
    from pathlib import Path

    folder = Path(folder)
    try:
        text = read_mapped(folder / text_name)
    except OSError:
        return False
    start = text.find(b"\n") + 1
    if not start or not text[:start].startswith(TEXT_HEAD):
        return False
    generation = bytes(text[len(TEXT_HEAD): start - 1]).decode("ascii", "replace")
    # Only a search text that is whole, by the checksums of its index, is indexed.
    try:
        index = read_index(folder / INDEX_FILE)
        crcs = index["text_crcs"]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return False
    if index["generation"] != generation or not text_matches(text, crcs):
        return False
    payload = build(text, start, None, text_token(generation, len(text), crcs))
    if payload is None:
        return False
    if not best_effort_write(folder / words_name, payload):
        return False
    return True


def spawn_build(folder) -> subprocess.Popen | None:
    """`build_file(folder)` in a separate low-priority process (see background.py)."""
    return background.spawn("tui_reader.search.word_index", folder)


BUILDING_LOCK = ".words.building"


def main(argv: list[str]) -> int:
    return background.run_build(build_file, argv, BUILDING_LOCK)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
