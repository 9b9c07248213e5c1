"""The catalog (papers.json) as a mapping that opens without parsing every record.

papers.json stays a plain TinyDB file and the source of truth. We write it ourselves, one record at a
time, so we know where each record's bytes are:

    {"_meta":{"1":{"generation":"<token>"}},"papers":{"<id>":{...},"<id>":{...},...}}

Next to it, two derived files, rebuilt whenever they do not belong to the catalog on disk:
  index.bin    the record spans, the list order, ids, titles, dates, upvotes, link flags, categories,
               aliases; and the catalog's generation token, size and mtime (columns: derived.py)
  search.txt   one lowercase line per paper (title, abstract, authors), for word search by scanning
  words.idx    a word index over search.txt (see word_index.py), built in the background on the
               first word query of a large catalog; words are found by scanning until it is ready

Opening maps index.bin and papers.json, and decodes only the ids; a Paper is parsed from its own bytes
only when asked for. Without a valid index (first open after an upgrade, a restored backup, a file
changed by hand) the catalog is parsed in full, and a writer rewrites it in this layout.

The derived files are written best-effort (plain file objects and a rename, no fsync): losing them
costs one slow open, never data. The generation token is random per catalog write and sits in the
first bytes of papers.json, so a stale index is detected without parsing the catalog.
"""

from __future__ import annotations

import bisect
import mmap
import os
import re
import secrets
import threading
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from itertools import accumulate, chain, compress, islice, repeat
from operator import attrgetter
from pathlib import Path

import orjson

from tui_reader.errors import CorruptFileError, DerivedFileError, StorageWriteError
from tui_reader.models import Link, Paper
from tui_reader.store.index_v4 import OLD_INDEX_FILE, read_old_index
from tui_reader.store.files import (
    BestEffortSink,
    atomic_write_bytes,
    atomic_write_chunks,
    best_effort_write,
    best_effort_write_chunks,
    decode_own_tables,
    map_or_read,
    read_mapped,
)
from tui_reader.store.columns import OptionalInts, TextColumn, narrowest
from tui_reader.store.derived import (
    INDEX_FILE,
    INDEX_VERSION,
    TEXT_BLOCK,
    BlockCrcs,
    block_crcs,
    crc_along,
    read_index,
    text_token,
    write_index,
)
from tui_reader.store.search_text import SEGMENT, search_line, text_head
from tui_reader.search.word_index import WordIndex
from tui_reader.search.word_index import build as build_word_index
from tui_reader.search.word_index import spawn_build as spawn_word_index_build

TEXT_FILE = "search.txt"
WORDS_FILE = "words.idx"
# Below this much search text a scan is as quick as the index, so none is built.
WORD_INDEX_MIN_BYTES = 8_000_000
FRONT_ROWS = 300  # rows a first screen may show, in file and in display order: answered before `row` is built
TABLE = "papers"
META_TABLE = "_meta"
_HEAD_RE = re.compile(rb'^\{"_meta":\{"1":\{"generation":"([0-9a-f]+)"')
FLAG_BITS = {"code": 1, "project": 2, "pdf": 4, "arxiv": 8, "hf": 16}

def link_flags(links: Iterable) -> int:
    flags = 0
    for link in links:
        kind = link["kind"] if isinstance(link, dict) else link.kind
        flags |= FLAG_BITS.get(kind, 0)
    return flags


def category_line(categories: list[str]) -> str:
    """A row of the categories column: " cs.lg stat.ml", each name after a space, so a prefix
    search is a find of " " + prefix."""
    return "".join(" " + c.lower() for c in categories)


def _meta_of_doc(doc: dict) -> tuple:
    """(title, published, upvotes, flags, batch, seq, categories) of a raw catalog record."""
    return (
        doc.get("title", ""),
        doc.get("published"),
        doc.get("upvotes"),
        link_flags(doc.get("links") or []),
        doc.get("batch", 0),
        doc.get("seq", 0),
        category_line(doc.get("categories") or []),
    )


def _meta_of_paper(paper: Paper) -> tuple:
    return (paper.title, paper.published, paper.upvotes, link_flags(paper.links),
            paper.batch, paper.seq, category_line(paper.categories))


_FIELDS = tuple(f.name for f in fields(Paper))
_RECORD_FIELDS = tuple(name for name in _FIELDS if name != "id")  # a record is keyed by its id
_record_values = attrgetter(*_RECORD_FIELDS)


def record_bytes(paper: Paper) -> bytes:
    """The catalog record of a paper: Paper.to_dict() without the id, as JSON. Built for the
    encoder only, so nothing is copied (orjson's own encoding of the slots dataclass is slower)."""
    doc = dict(zip(_RECORD_FIELDS, _record_values(paper)))
    doc["links"] = [{"url": link.url, "kind": link.kind} for link in paper.links]
    return orjson.dumps(doc)


def paper_from_doc(doc: dict) -> Paper:
    """Paper.from_dict() for a record we wrote (unknown keys dropped), without per-call fields()."""
    values = {k: v for k, v in doc.items() if k in _FIELD_SET}
    values["links"] = [Link(link["url"], link["kind"]) for link in doc.get("links", ())]
    return Paper(**values)


_FIELD_SET = frozenset(_FIELDS)


def new_generation() -> str:
    """A catalog write's token: random, so no two versions of the catalog share one."""
    return secrets.token_hex(8)


def read_generation(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            head = f.read(96)
    except OSError:
        return None
    return read_generation_of(head)


def read_generation_of(head: bytes) -> str | None:
    """The generation token in the first bytes of a catalog, if it has one."""
    match = _HEAD_RE.match(head[:96])
    return match.group(1).decode() if match else None


# A catalog row on its way to the files: id, record bytes, meta (see _meta_of_doc), aliases, and
# the search line with its newline.
_Row = tuple[str, bytes, tuple, list[str], bytes]


class _Layout:
    """papers.json record by record (see the module's docstring), gathering the spans, metas,
    aliases and search lines of the index and the search text as the records pass."""

    def __init__(self, generation: str, text_sink: BestEffortSink | None = None):
        self.head = b'{"_meta":{"1":{"generation":"' + generation.encode() + b'"}},"' + TABLE.encode() + b'":{'
        self.text_head = text_head(generation)
        self.ids: list[str] = []
        self.spans = array("Q")  # start, end per row (flat)
        self.metas: list[tuple] = []
        self.aliases: dict[str, str] = {}
        self.lines: list[bytes] = []
        # With a sink, the search text goes to its file as the rows pass instead of into `lines`
        # (a million rows' text is not held); its starts are counted either way.
        self.text_sink = text_sink
        self.text_crcs = BlockCrcs()  # of the text sent to the sink, so it is not read back
        self.text_starts = array("Q", [len(self.text_head)])
        if text_sink is not None:
            self.to_sink(self.text_head)

    def to_sink(self, line: bytes) -> None:
        self.text_sink.write(line)
        self.text_crcs.feed(line)

    def catalog_chunks(self, rows: Iterable[_Row]) -> Iterator[bytes]:
        ids, spans, metas, aliases, lines = self.ids, self.spans, self.metas, self.aliases, self.lines
        text_starts, add_line = self.text_starts, lines.append if self.text_sink is None else self.to_sink
        yield self.head
        pos = len(self.head)
        for pid, record, meta, record_aliases, line in rows:
            key = (b"," if ids else b"") + orjson.dumps(pid) + b":"
            yield key
            yield record
            pos += len(key)
            spans.append(pos)
            pos += len(record)
            spans.append(pos)
            ids.append(pid)
            metas.append(meta)
            add_line(line)
            text_starts.append(text_starts[-1] + len(line))
            for alias in record_aliases:
                aliases[alias] = pid
        yield b"}}"


class Catalog(Mapping[str, Paper]):
    """Paper records by id, parsed on demand from the catalog's bytes. Rows are in file order."""

    def __init__(self, path: Path, *, writable: bool, on_rebuild: Callable[[int], None] | None = None):
        self.path = Path(path)
        self.on_rebuild = on_rebuild  # told the catalog's size before its index is rebuilt from it
        self.folder = self.path.parent
        self.writable = writable
        self.index_path = self.folder / INDEX_FILE
        self.text_path = self.folder / TEXT_FILE
        self.words_path = self.folder / WORDS_FILE
        self._words_lock = threading.Lock()
        self._row_lock = threading.Lock()
        self._words_building: str | None = None  # the generation a background build was started for
        self._builder = None  # its process
        self.rebuilt = False  # True when this open had to parse the whole catalog
        self._clear()

    def _clear(self) -> None:
        self._blob: bytes | mmap.mmap = b""
        self._text: bytes | mmap.mmap = b""
        with self._row_lock:  # the three change together (see `row`)
            self.ids: list[str] = []  # file order; row number = position
            self._row: dict[str, int] | None = {}  # id -> row; None until first asked for (`row`)
            self._front: dict[str, int] = {}  # id -> row of the papers a first screen shows, until `row` is built
        self.spans: list[int] = []  # start, end per row (flat)
        self.text_starts: list[int] = []  # start of each row's search line in the text blob, plus the end
        self.titles: Sequence[str] = []
        self.published: TextColumn = TextColumn.of([])
        self.upvotes: OptionalInts = OptionalInts.of([])
        self.flags: Sequence[int] = []
        self.batches: Sequence[int] = []
        self.seqs: Sequence[int] = []
        self.categories: TextColumn = TextColumn.of([])  # category_line of each row
        self.order: list[str] = []  # newest import first, then the source's order
        self.order_rows: array | list[int] = []  # the row of each id in `order`
        self.generation = ""
        self.text_crcs: array | list[int] = []  # checksum of each TEXT_BLOCK of the search text
        self._text_checked = bytearray()  # 1 for each block checked in this open
        self._index: dict | None = None  # the index file as read or written
        self._unsaved = False  # a reader rebuilt the index at open and has not written it
        # the index file must be written again: the catalog's mtime moved (its checksum matched), or
        # the index was an older version's (converted)
        self.index_outdated = False
        self._words: WordIndex | None = None
        self._words_seen: tuple | None = None  # the words file's (mtime, size) when it last failed to load
        self._link_masks: dict[str, bytes] = {}
        self._order_rank: array | None = None
        self.aliases: dict[str, str] = {}
        self.max_batch = 0
        self._cache: dict[str, Paper] = {}

    # -- opening ---------------------------------------------------------------------------------

    def load(self) -> None:
        """Open from the index when it belongs to the catalog on disk, else parse the catalog."""
        self._clear()
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return
        if self._load_index(stat):
            return
        if self.on_rebuild is not None:
            self.on_rebuild(stat.st_size)
        raw = self.path.read_bytes()
        tables = decode_own_tables(raw, self.path, (META_TABLE, TABLE))  # CorruptFileError: unreadable, or another program's
        docs = tables.get(TABLE, {})
        for pid, doc in docs.items():  # every record must make a Paper before anything is built on it
            try:
                Paper.from_dict({**doc, "id": pid})
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                raise CorruptFileError(self.path, f"record {pid!r} has the wrong shape ({error})") from None
        self.rebuilt = True
        rows = ((pid, orjson.dumps(doc), _meta_of_doc(doc), doc.get("aliases") or [],
                 search_line(doc.get("title", ""), doc.get("abstract", ""), doc.get("authors") or []) + b"\n")
                for pid, doc in docs.items())
        self._build(rows, write=self.writable, generation=read_generation(self.path), on_disk=raw)

    def _load_index(self, stat: os.stat_result) -> bool:
        """Open from the index file when it belongs to the catalog on disk: the same generation token
        and size, and the same mtime or, when the mtime moved (a copied folder), the same content
        checksum. The index file checks its own bytes; search.txt is checked block by block as it is
        read (`_check_text`). Anything else: False, and the caller rebuilds."""
        try:
            try:
                index = read_index(self.index_path)
            except FileNotFoundError:
                index = read_old_index(self.folder / OLD_INDEX_FILE)  # an older release's: converted
                self.index_outdated = index is not None
            if index is None:
                return False
            generation = read_generation(self.path)
            if not generation or index["generation"] != generation or index["catalog_size"] != stat.st_size:
                return False
            self._blob = read_mapped(self.path)
            if index["catalog_mtime_ns"] != stat.st_mtime_ns:
                if zlib.crc32(self._blob) != index["catalog_crc"]:
                    self._clear()
                    return False
                self.index_outdated = True  # saved for the next open (`save_index`)
            head = text_head(generation)
            with open(self.text_path, "rb") as f:
                if f.read(len(head)) != head or os.fstat(f.fileno()).st_size != index["text_size"]:
                    self._clear()
                    return False
                self._text = map_or_read(f)
            self.text_crcs = index["text_crcs"]
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            self._clear()
            return False
        self._text_checked = bytearray(len(self.text_crcs))
        self._index = index
        ids = index["ids"].as_list()
        front = chain(range(min(FRONT_ROWS, len(ids))), islice(index["order"], FRONT_ROWS))
        with self._row_lock:  # the map is built when first asked for: at 1M it costs more than the rest of the open
            self.ids, self._row, self._front = ids, None, {ids[i]: i for i in front}
        self.spans, self.text_starts, self.batches, self.seqs, self.order_rows, self.flags = (
            index[name] for name in ("spans", "text_starts", "batches", "seqs", "order", "flags"))
        self.titles, self.published, self.upvotes, self.categories = (
            index[name] for name in ("titles", "published", "upvotes", "categories"))
        self.order = list(map(ids.__getitem__, self.order_rows))
        self.generation = generation
        self.aliases = index["aliases"]
        self.max_batch = index["max_batch"]
        return True

    def _write_index(self, index: dict) -> bool:
        written = write_index(self.index_path, index)
        if written:
            try:
                (self.folder / OLD_INDEX_FILE).unlink(missing_ok=True)  # an older release's, now converted
            except OSError:
                pass
        return written

    def needs_saving(self) -> bool:
        """True when this open rebuilt the index or checked a moved catalog by its checksum: work a
        writer (or a reader that finds the folder free) saves for the next open."""
        return self._unsaved or self.index_outdated

    def save_index(self) -> None:
        """Write an outdated index (a copied catalog's new mtime, its content checked; an older
        version's index, converted), so later opens take the fast path again. Call while holding
        the folder's lock."""
        index = self._index
        if index is None or not self.index_outdated:
            return
        try:
            index["catalog_mtime_ns"] = self.path.stat().st_mtime_ns
        except OSError:
            return
        index["version"] = INDEX_VERSION
        self._write_index(index)
        self.index_outdated = False

    # -- checking the search text ------------------------------------------------------------------

    def _check_text(self, start: int = 0, end: int | None = None) -> None:
        """Check the search text's bytes [start, end) against the index's block checksums, each
        block once per open; DerivedFileError when one differs (damaged since it was written)."""
        checked, crcs, text = self._text_checked, self.text_crcs, self._text
        end = len(text) if end is None else end
        if end <= start:
            return
        for block in range(start // TEXT_BLOCK, (end - 1) // TEXT_BLOCK + 1):
            if block >= len(checked) or not checked[block]:
                if block >= len(crcs) or zlib.crc32(text[block * TEXT_BLOCK: (block + 1) * TEXT_BLOCK]) != crcs[block]:
                    raise DerivedFileError(self.text_path, f"block {block} does not match its checksum")
                checked[block] = 1

    def checked_text(self) -> bytes | mmap.mmap:
        """The whole search text, checked (rebuilt from the catalog when it fails the check)."""
        try:
            self._check_text()
        except DerivedFileError:
            self.repair_text()
        return self._text

    def repair_text(self) -> None:
        """Make the search text again from the catalog's records (a damaged search.txt costs this
        parse, never a wrong result); a writer writes it back with its index."""
        lines = _search_lines(self._blob, self.spans)
        head = text_head(self.generation)
        text = b"".join([head, *lines])
        starts = array("Q", accumulate(map(len, lines), initial=len(head)))
        crcs = block_crcs(text)
        with self._words_lock:
            if len(starts) != len(self.text_starts) or any(a != b for a, b in zip(starts, self.text_starts)):
                self._words = None  # rows moved: the candidate checks of the word index would miss
            self._text, self.text_starts, self.text_crcs = text, starts, crcs
            self._text_checked = bytearray(b"\x01" * len(crcs))
        if self.writable and self._index is not None and best_effort_write(self.text_path, text):
            self._index.update(text_size=len(text), text_starts=narrowest(starts), text_crcs=crcs)
            if self._write_index(self._index):
                self._words_building = None  # the builder refused the damaged text: once more
                self.start_word_index()

    # -- building and writing ------------------------------------------------------------------

    def _build(self, rows: Iterable[_Row], write: bool, keep_backups: int = 0,
               generation: str | None = None, on_disk: bytes | None = None) -> None:
        """Lay out the catalog bytes, the index and the search text; write them when `write`.

        Written, the catalog streams to its file as its records come and is then mapped: all the
        records are never in memory at once, nor copied into one blob. With `on_disk`
        (a rebuild at open), the catalog is rewritten only when its bytes differ from this layout
        (an older or foreign layout); otherwise only the derived files are written."""
        generation = generation or new_generation()
        sink = BestEffortSink(self.text_path) if write and on_disk is None else None
        layout = _Layout(generation, sink)
        catalog_crc = [0]
        same_layout = False
        if sink is not None:
            try:
                # raises StorageWriteError
                atomic_write_chunks(self.path, crc_along(layout.catalog_chunks(rows), catalog_crc), keep_backups)
            except BaseException:
                sink.discard()
                raise
            # Read back like an open. Failing here is a crash right after the replace: the next
            # open follows the aliases of moved records.
            try:
                blob = read_mapped(self.path)
            except OSError as error:
                raise StorageWriteError(self.path, error) from error
        else:
            blob = b"".join(layout.catalog_chunks(rows))
            if write and blob != on_disk:
                atomic_write_bytes(self.path, blob, keep_backups)  # the source of truth; raises StorageWriteError
            same_layout = on_disk is not None and blob == on_disk  # the derived files describe the file on disk
            catalog_crc[0] = zlib.crc32(blob) if write or same_layout else 0
        lines = layout.lines
        text_starts = layout.text_starts
        text = crcs = None
        if sink is not None:
            text = _read_back(self.text_path, text_starts[-1]) if sink.commit() else None
            if text is None:  # the sink failed (a full disk): the text is made from the records
                lines = _search_lines(blob, layout.spans)
            else:  # as written, not read back: its blocks are checked as they are read
                crcs = layout.text_crcs.result()
        elif write and best_effort_write_chunks(self.text_path, chain((layout.text_head,), lines)):
            try:
                text = read_mapped(self.text_path)
            except OSError:
                pass
            if text is not None and len(text) != text_starts[-1]:
                text = None
        if text is None:
            text = b"".join([layout.text_head, *lines])
        del lines, layout.lines
        file_order = layout.ids
        self._clear()
        self._blob, self._text = blob, text
        row = dict(zip(file_order, range(len(file_order))))
        with self._row_lock:  # after a first-use build of the old catalog's map, not before it
            self.ids, self._row = file_order, row
        self.spans, self.text_starts = layout.spans, text_starts
        columns = list(zip(*layout.metas)) or [()] * 7
        del layout.metas
        self.titles, published, upvotes, self.flags, self.batches, self.seqs, categories = map(list, columns)
        self.published, self.upvotes, self.categories = TextColumn.of(published), OptionalInts.of(upvotes), TextColumn.of(categories)
        order_rows = sorted(range(len(file_order)), key=lambda i: (-self.batches[i], self.seqs[i]))
        self.order = [file_order[i] for i in order_rows]
        self.order_rows = array("q", order_rows)
        self.generation = generation
        self.aliases = layout.aliases
        self.max_batch = max(self.batches, default=0)
        if crcs is None:  # of the text as it is on disk (or in memory): checked
            self.text_crcs = block_crcs(text)
            self._text_checked = bytearray(b"\x01" * len(self.text_crcs))
        else:
            self.text_crcs, self._text_checked = crcs, bytearray(len(crcs))
        if write or same_layout:
            stat = self.path.stat()
            index = {
                "version": INDEX_VERSION, "generation": generation, "catalog_size": stat.st_size,
                "catalog_mtime_ns": stat.st_mtime_ns, "catalog_crc": catalog_crc[0], "text_size": len(text),
                "text_crcs": self.text_crcs, "ids": TextColumn.of(file_order), "spans": narrowest(self.spans),
                "text_starts": narrowest(text_starts), "titles": TextColumn.of(self.titles), "published": self.published,
                "categories": self.categories, "upvotes": self.upvotes, "flags": narrowest(self.flags),
                "batches": narrowest(self.batches), "seqs": narrowest(self.seqs), "order": narrowest(order_rows),
                "aliases": self.aliases, "max_batch": self.max_batch,
            }
            self._index = index
            if not write:  # a reader's rebuild: saved if the lock is free (save_derived)
                self._unsaved = True
                return
            self._write_index(index)
            self.start_word_index()  # in the background; word queries scan until it is ready

    def save_derived(self) -> bool:
        """Write the search text and index a reader rebuilt at open (call while holding the
        folder's lock), so the next open takes the fast path. True when written."""
        if not self._unsaved or self._index is None:
            return False
        if not best_effort_write(self.text_path, self._text):
            return False
        self._unsaved = False
        return self._write_index(self._index)

    def write(self, changed: dict[str, Paper], removed: Iterable[str], keep_backups: int, generation: str | None = None) -> None:
        """Replace the catalog with this one plus `changed` records, minus `removed` ids.

        Unchanged records are copied byte for byte; nothing is parsed. Raises StorageWriteError
        with memory unchanged when the catalog cannot be written."""
        removed = set(removed)
        self.checked_text()  # unchanged rows copy their search lines: never from a damaged text
        file_order = [pid for pid in self.ids if pid not in removed]
        file_order += [pid for pid in changed if pid not in self.row or pid in removed]
        file_order = list(dict.fromkeys(file_order))
        kept_aliases: dict[str, list[str]] = {}
        for alias, pid in self.aliases.items():
            if pid not in changed and pid not in removed:
                kept_aliases.setdefault(pid, []).append(alias)
        cache = {pid: p for pid, p in self._cache.items() if pid not in changed and pid not in removed}
        self._build(self._rows(file_order, changed, kept_aliases), write=True, keep_backups=keep_backups, generation=generation)
        self._cache = cache
        self._cache.update(changed)

    def write_stream(self, incoming: Iterable[Paper], removed: Mapping[str, str], keep_backups: int,
                     generation: str | None = None) -> None:
        """write() for an import too large to hold: each record `incoming` gives (each id once) is
        written as it comes, then every other record of this catalog is copied after them, minus
        the ids `removed` holds by then (it may grow while `incoming` runs). The catalog is
        replaced only once `incoming` is spent: an interruption leaves it as it was."""
        self.checked_text()  # unchanged rows copy their search lines: never from a damaged text
        written: set[str] = set()

        def rows() -> Iterator[_Row]:
            for paper in incoming:
                written.add(paper.id)
                yield (paper.id, record_bytes(paper), _meta_of_paper(paper), paper.aliases,
                       search_line(paper.title, paper.abstract, paper.authors) + b"\n")
            kept_aliases: dict[str, list[str]] = {}
            for alias, pid in self.aliases.items():
                if pid not in written and pid not in removed:
                    kept_aliases.setdefault(pid, []).append(alias)
            rest = [pid for pid in self.ids if pid not in written and pid not in removed]
            yield from self._rows(rest, {}, kept_aliases)

        self._build(rows(), write=True, keep_backups=keep_backups, generation=generation)
        self._cache = {}

    def _rows(self, file_order: list[str], changed: dict[str, Paper], kept_aliases: dict[str, list[str]]) -> Iterator[_Row]:
        """The rows of the next catalog: changed records encoded, the others copied as they are."""
        blob, spans, text, text_starts = self._blob, self.spans, self._text, self.text_starts
        titles, published = list(self.titles), list(self.published)  # every one is read: made at once
        categories = list(self.categories)
        for pid in file_order:
            paper = changed.get(pid)
            if paper is not None:
                yield (pid, record_bytes(paper), _meta_of_paper(paper), paper.aliases,
                       search_line(paper.title, paper.abstract, paper.authors) + b"\n")
            else:
                i = self.row[pid]
                yield (pid, blob[spans[2 * i]: spans[2 * i + 1]],
                       (titles[i], published[i], self.upvotes[i], self.flags[i], self.batches[i], self.seqs[i],
                        categories[i]),
                       kept_aliases.get(pid, ()), text[text_starts[i]: text_starts[i + 1]])

    # -- the mapping ---------------------------------------------------------------------------

    @property
    def row(self) -> dict[str, int]:
        """Each id's row number. Built from the ids on first use (in C, not a comprehension)."""
        row = self._row
        if row is None:
            with self._row_lock:  # the ids it is built from stay those of the catalog meanwhile
                row = self._row
                if row is None:
                    ids = self.ids
                    row = self._row = dict(zip(ids, range(len(ids))))
                    self._front = {}
        return row

    def row_of(self, pid: str) -> int | None:
        """`row.get(pid)`, answered for a paper of the first screen without building `row`."""
        if self._row is None:
            i = self._front.get(pid)
            if i is not None:
                return i
        return self.row.get(pid)

    def _row_of(self, pid: str) -> int:
        i = self.row_of(pid)
        if i is None:
            raise KeyError(pid)
        return i

    def __getitem__(self, pid: str) -> Paper:
        paper = self._cache.get(pid)
        if paper is None:
            paper = self._cache[pid] = self.read_record(pid)
        return paper

    def read_record(self, pid: str) -> Paper:
        """The record parsed afresh and not kept (an import that walks a million records must not
        keep them all); KeyError for an unknown id."""
        paper = self._cache.get(pid)
        if paper is not None:
            return paper
        i = self._row_of(pid)
        try:
            doc = orjson.loads(self._blob[self.spans[2 * i]: self.spans[2 * i + 1]])
        except orjson.JSONDecodeError as error:
            raise CorruptFileError(self.path, f"record {pid!r} is not valid JSON ({error})") from None
        doc["id"] = pid
        return paper_from_doc(doc)

    def __contains__(self, pid: object) -> bool:
        return self.row_of(pid) is not None

    def records(self) -> Iterator[dict]:
        """Every raw record in row order, parsed one at a time and not cached (a pass over the
        whole catalog, such as building the related-papers model, keeps no Papers)."""
        blob, spans = self._blob, self.spans
        for i in range(len(self.ids)):
            yield orjson.loads(blob[spans[2 * i]: spans[2 * i + 1]])

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"<Catalog {self.path} ({len(self)} papers)>"

    # -- fast columns for the list, sorting and search ----------------------------------------

    def title(self, pid: str) -> str:
        return self.titles[self._row_of(pid)]

    def has_link(self, pid: str, kind: str) -> bool:
        return bool(self.flags[self._row_of(pid)] & FLAG_BITS[kind])

    def count_with_link(self, kind: str) -> int:
        return sum(self.link_mask(kind))

    def order_rank(self) -> array:
        """The position of each row in `order`."""
        rank = self._order_rank
        if rank is None or len(rank) != len(self.ids):
            rank = array("q", bytes(8 * len(self.ids)))
            for position, row in enumerate(self.order_rows):
                rank[row] = position
            self._order_rank = rank
        return rank

    def link_mask(self, kind: str) -> bytes:
        """One byte per row: 1 when the paper has a link of this kind."""
        mask = self._link_masks.get(kind)
        if mask is None:
            bit = FLAG_BITS[kind]
            mask = self._link_masks[kind] = bytes(map(bool, map(bit.__and__, self.flags)))
        return mask

    # -- word search -----------------------------------------------------------------------------

    def word_index(self) -> WordIndex | None:
        """The word index of this search text when it is ready (words.idx belongs to it), else
        None: words are then found by scanning. A writable catalog starts building it (see
        `start_word_index`)."""
        words = self._words
        if words is not None or not self.ids:
            return words
        try:
            stat = self.words_path.stat()
            seen = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            seen = None
        if seen is not None and seen != self._words_seen:
            words = WordIndex.open(self.words_path, self.text_token())
            if words is not None and words.rows == len(self.ids):
                self._words = words
                return words
            self._words_seen = seen
        self.start_word_index()
        return None

    def text_token(self) -> str:
        return text_token(self.generation, len(self._text), self.text_crcs)

    def start_word_index(self) -> None:
        """A writable catalog with enough text to be worth it builds words.idx in a background
        process (once per catalog generation; a build for an older one is stopped)."""
        if not self.writable or len(self._text) < WORD_INDEX_MIN_BYTES or self._words is not None:
            return
        with self._words_lock:
            if self._words_building == self.generation:
                return
            self._words_building = self.generation
            old, self._builder = self._builder, None
            if old is not None and old.poll() is None:
                old.kill()
                old.wait()
            self._builder = spawn_word_index_build(self.folder)

    def build_word_index(self, write: bool | None = None) -> WordIndex | None:
        """Build the word index of the current search text here and now (and write words.idx,
        best-effort, when `write`, by default when the catalog is writable)."""
        text = self.checked_text()
        token = self.text_token()
        payload = build_word_index(text, self.text_starts[0], len(self.ids), token)
        if payload is None:
            return None
        words = WordIndex(payload, token)
        if self._text is text:  # the catalog was not replaced meanwhile
            self._words = words
            if self.writable if write is None else write:
                best_effort_write(self.words_path, payload)
        return words

    def _drop_word_index(self) -> None:
        """A word index that failed while read: not used again, and built anew."""
        with self._words_lock:
            self._words = None
            self._words_building = None
        try:
            stat = self.words_path.stat()
            self._words_seen = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
        self.start_word_index()

    def search_mask(self, needle: str, segment: int | None = None) -> bytearray:
        """One byte per row: 1 when the row's search line contains `needle` (lowercase); in one
        segment (0 title, 1 abstract, 2 authors) when given. From the word index when ready."""
        words = self.word_index()
        if words is not None:
            try:
                mask = words.term_mask(needle, segment, self._text, self.text_starts, self._check_text)
            except DerivedFileError:  # the text the candidates are checked in: made again, and scanned
                self.repair_text()
                mask = None
            except (ValueError, IndexError, TypeError, OverflowError):  # the word index, damaged
                self._drop_word_index()
                mask = None
            if mask is not None:
                return mask
        mask = bytearray(len(self.ids))
        any(map(mask.__setitem__, self.scan_rows(needle, segment), repeat(1)))
        return mask

    def category_mask(self, prefix: str) -> bytearray:
        """One byte per row: 1 when one of the row's categories starts with `prefix` (lowercase)."""
        mask = bytearray(len(self.ids))
        if prefix and " " not in prefix:
            any(map(mask.__setitem__, self.categories.rows_containing(" " + prefix), repeat(1)))
        return mask

    def search_rows(self, needle: str, segment: int | None = None) -> set[int]:
        """Rows whose search line contains `needle` (lowercase); in one segment (0 title,
        1 abstract, 2 authors) when given."""
        return set(compress(range(len(self.ids)), self.search_mask(needle, segment)))

    def scan_rows(self, needle: str, segment: int | None = None) -> set[int]:
        """search_rows by scanning the search text (no index)."""
        word = needle.encode("utf-8")
        if not word or SEGMENT in word or b"\n" in word:
            return set()
        text, starts = self.checked_text(), self.text_starts
        rows: set[int] = set()
        find = text.find
        at = find(word, starts[0] if starts else 0)
        while at >= 0:
            row = bisect.bisect_right(starts, at) - 1
            if segment is None or self._in_segment(row, at, segment):
                rows.add(row)
                at = find(word, starts[row + 1])
            else:
                at = find(word, at + 1)
        return rows

    def _in_segment(self, row: int, at: int, segment: int) -> bool:
        start = self.text_starts[row]
        return self._text[start:at].count(SEGMENT) == segment


def _read_back(path: Path, size: int) -> bytes | mmap.mmap | None:
    try:
        text = read_mapped(path)
    except OSError:
        return None
    return text if len(text) == size else None


def _search_lines(blob: bytes | mmap.mmap, spans: Sequence[int]) -> list[bytes]:
    """The search lines of a catalog's records, parsed from its bytes."""
    lines = []
    for i in range(0, len(spans), 2):
        doc = orjson.loads(blob[spans[i]: spans[i + 1]])
        lines.append(search_line(doc.get("title", ""), doc.get("abstract", ""), doc.get("authors") or []) + b"\n")
    return lines
