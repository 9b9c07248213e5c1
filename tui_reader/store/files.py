"""Crash-safe TinyDB storage and the data-folder lock.

Every write goes to a temp file in the same folder, is flushed and fsynced, and is then
`os.replace`d over the old file (and the folder fsynced), so a crash leaves the old file or the new
one, never a mix. Before the replace the old version is hard-linked into `backups/` (free: no bytes
are copied) and only the newest few are kept. A file that cannot be read as a TinyDB document tree
raises CorruptFileError; it is never read as empty and never written over.
"""

from __future__ import annotations

import errno
import fcntl
import mmap
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from itertools import repeat
from pathlib import Path
from typing import Any

import msgspec
import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from tui_reader.errors import CorruptFileError, FolderNotWritableError, LibraryLockedError, StorageWriteError
from tui_reader.store.state_log import (
    FOLD_BYTES, FOLD_LINES, LogContents, append_line, cut_log, encode_json, encode_line, log_path_of, read_log, replay,
)

TEMP_SUFFIX = ".tmp"
BACKUP_DIR = "backups"


def decode_tables(raw: bytes, path: Path) -> dict[str, dict[str, dict]]:
    """Parse a TinyDB file's bytes, insisting on the shape {table: {doc_id: {field: ...}}}."""
    if not raw.strip():
        raise CorruptFileError(path, "the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise CorruptFileError(path, f"not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise CorruptFileError(path, f"expected a JSON object of tables, found {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptFileError(path, f"table {name!r} is not an object")
        if all(map(isinstance, table.values(), repeat(dict))):  # in C: 18,000 states at every open
            continue
        for doc_id, doc in table.items():
            if not isinstance(doc, dict):
                raise CorruptFileError(path, f"record {doc_id!r} in table {name!r} is not an object")
    return data


class Records:
    """What every document of a file is: `kind`, a msgspec Struct, made straight from the file's
    bytes in C (`decoder`); `convert`, the same from plain dicts, raising ValueError that says what
    is wrong (it checks the documents kept as written). A big library's state file is 180,000
    records read at every open."""

    def __init__(self, kind: type, convert: Callable[[dict[str, dict]], dict[str, Any]]):
        self.kind = kind
        self.convert = convert
        self.decoder = msgspec.json.Decoder(dict[str, dict[str, kind]])


def decode_own_tables(raw: bytes, path: Path, own: Iterable[str] | None, records: Records | None = None) -> dict[str, dict[str, Any]]:
    """decode_tables and check_own_tables (`own` None: any tables). With `records`, every document
    is made a record; otherwise (a damaged file, or a key this release does not know) the file is
    read again as plain JSON: the error says what, as decode_tables does; or each document is
    checked and kept as written, so a newer release's key stays in the file when this one writes
    it back."""
    made = None
    if records is not None:
        try:
            made = records.decoder.decode(raw)
        except msgspec.DecodeError:  # (a record of the wrong shape is a ValidationError, a DecodeError)
            pass
    data = made if made is not None else decode_tables(raw, path)
    if own is not None:
        check_own_tables(data, path, own)  # before the records: another program's file says so
    if records is not None and made is None:
        try:
            for table in data.values():
                records.convert(table)
        except ValueError as error:
            raise CorruptFileError(path, f"a record has the wrong shape ({error})") from None
    return data


def check_own_tables(data: dict[str, dict], path: Path, own: Iterable[str]) -> None:
    """A file of ours holds only our tables (and TinyDB's empty default one). Anything else is
    another program's file: never read as ours, never rewritten."""
    own = set(own)
    foreign = [name for name, table in data.items() if name not in own and not (name == "_default" and not table)]
    if foreign:
        names = ", ".join(repr(name) for name in foreign[:5])
        tables = "table" if len(foreign) == 1 else "tables"
        raise CorruptFileError(path, f"not a tui-reader file: it holds another program's {tables} {names}")


def fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # platforms without directory fds: the replace itself is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass  # the new file is already in place; a folder fsync failure cannot undo that
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, payload: bytes, keep_backups: int = 0) -> None:
    """Replace `path` with `payload` atomically. On any OSError the old file is left untouched."""
    atomic_write_chunks(path, (payload,), keep_backups)


WRITE_BUFFER = 1 << 20


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], keep_backups: int = 0) -> None:
    """atomic_write_bytes of the concatenated chunks, written as they come, so a file of hundreds of
    MB is never whole in memory. An error raised by `chunks` itself leaves the old file too, and
    propagates as it is."""
    folder = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
    except OSError as error:  # a full disk or inode table shows up here first
        raise StorageWriteError(path, error) from error
    backup: Path | None = None
    try:
        _write_chunks(fd, chunks)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        if keep_backups and path.exists():
            try:
                backup = _link_backup(path)
            except OSError:  # e.g. a file named `backups`: the change is still saved (Library says why)
                backup = None
        os.replace(tmp_name, path)
    except Exception as error:
        if fd >= 0:
            os.close(fd)
        _remove_quietly(Path(tmp_name))
        if backup is not None:
            _remove_quietly(backup)
        if isinstance(error, OSError):
            raise StorageWriteError(path, error) from error
        raise
    fsync_folder(folder)
    if keep_backups:
        prune_backups(path, keep_backups)


def _write_chunks(fd: int, chunks: Iterable[bytes]) -> None:
    """Small chunks gathered into writes of about WRITE_BUFFER bytes; a large one written as it is."""
    pending = bytearray()
    for chunk in chunks:
        if len(chunk) >= WRITE_BUFFER:
            _write_all(fd, pending)
            pending = bytearray()
            _write_all(fd, chunk)
            continue
        pending += chunk
        if len(pending) >= WRITE_BUFFER:
            _write_all(fd, pending)
            pending = bytearray()
    _write_all(fd, pending)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def backup_dir(path: Path) -> Path:
    return path.parent / BACKUP_DIR


def list_backups(path: Path) -> list[Path]:
    """Backups of `path`, newest first."""
    pattern = re.compile(rf"^{re.escape(path.stem)}-\d{{8}}T\d{{6}}-\d+{re.escape(path.suffix)}$")
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if pattern.match(p.name)), reverse=True)


def prune_backups(path: Path, keep: int) -> None:
    """Keep the newest `keep` distinct versions: a backup with the same bytes as a newer one goes
    (restoring a backup, or a change undone, would otherwise fill the rotation with one version).
    Pinned backups (the good versions from before damage) are never pruned."""
    kept: list[Path] = []
    pinned = set(pinned_backups(path))
    for backup in list_backups(path):
        if backup in pinned:
            continue
        if len(kept) < keep and not any(_same_bytes(backup, other) for other in kept):
            kept.append(backup)
        else:
            _remove_quietly(backup)


def _pin_file(path: Path) -> Path:
    return path.parent / f"{path.name}.damaged"


def pin_backups(path: Path, set_aside: Path) -> None:
    """After `path` was damaged and kept as `set_aside`: keep every current backup of it until
    `unpin_backups`, so the versions from before the damage outlive the rotation of the writes
    that follow. The pin file (beside the file, as it must exist even without a backups folder)
    is also the mark that the user has not yet acted on the damage."""
    pins = read_pins(path)
    pins["set_aside"] = sorted(set(pins["set_aside"]) | {set_aside.name})
    pins["backups"] = sorted({p.name for p in list_backups(path)} | set(pins["backups"]))
    atomic_write_bytes(_pin_file(path), orjson.dumps(pins))


def read_pins(path: Path) -> dict[str, list[str]]:
    """{"set_aside": names of the damaged copies, "backups": names of the pinned backups}; both
    empty when nothing is pinned."""
    try:
        pins = orjson.loads(_pin_file(path).read_bytes())
        return {key: [str(name) for name in pins.get(key, [])] for key in ("set_aside", "backups")}
    except (OSError, orjson.JSONDecodeError, AttributeError, TypeError):
        return {"set_aside": [], "backups": []}


def is_pinned(path: Path) -> bool:
    return _pin_file(path).exists()


def pinned_backups(path: Path) -> list[Path]:
    """The pinned backups of `path` that still exist, newest first."""
    folder = backup_dir(path)
    return sorted((p for p in (folder / name for name in read_pins(path)["backups"]) if p.is_file()), reverse=True)


def unpin_backups(path: Path) -> None:
    """The user has acted on the damage (restored, or chose the current file): rotate as usual."""
    _remove_quietly(_pin_file(path))


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        if a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _link_backup(path: Path) -> Path:
    folder = backup_dir(path)
    folder.mkdir(exist_ok=True)
    now = time.time_ns()  # one reading for both parts, so names sort in time order
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9))
    target = folder / f"{path.stem}-{stamp}-{now % 10**9:09d}{path.suffix}"
    try:
        os.link(path, target)
    except OSError:
        try:
            target.write_bytes(path.read_bytes())  # no hard links here: copy instead
        except OSError:
            _remove_quietly(target)  # no half copy left to be listed as a backup
            raise
    return target


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def map_or_read(f) -> bytes | mmap.mmap:
    """The whole of open file `f`, mapped read-only (the page cache serves it, nothing is copied);
    read when it cannot be mapped (an empty file, a file system without mmap)."""
    try:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        f.seek(0)
        return f.read()


def read_mapped(path: Path) -> bytes | mmap.mmap:
    with open(path, "rb") as f:
        return map_or_read(f)


def best_effort_write(path: Path, payload: bytes) -> bool:
    """Write a derived file (an index that can be rebuilt): temp file and rename, no fsync, no
    error raised; a failure leaves the old file or none, and returns False."""
    return best_effort_write_chunks(path, (payload,))


def best_effort_write_chunks(path: Path, chunks: Iterable[bytes]) -> bool:
    """best_effort_write of the concatenated chunks, written as they come."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{time.time_ns() % 10**9}{TEMP_SUFFIX}")
    try:
        with open(tmp, "wb", buffering=WRITE_BUFFER) as f:  # small writes made the search text slow to write
            f.writelines(chunks)
        os.rename(tmp, path)
        return True
    except OSError:
        _remove_quietly(tmp)
        return False


class BestEffortSink:
    """best_effort_write_chunks for chunks handed over one at a time by code that is busy with
    something else: written to a temp file beside `path` as they come, renamed over it by
    commit(). A failure makes it drop what it had; commit() then says False."""

    def __init__(self, path: Path):
        self.path = path
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}-{time.time_ns() % 10**9}{TEMP_SUFFIX}")
        try:
            self.file = open(self.tmp, "wb", buffering=WRITE_BUFFER)
        except OSError:
            self.file = None

    def write(self, chunk: bytes) -> None:
        if self.file is not None:
            try:
                self.file.write(chunk)
            except OSError:
                self.discard()

    def commit(self) -> bool:
        if self.file is None:
            return False
        try:
            self.file.close()
            self.file = None
            os.rename(self.tmp, self.path)
            return True
        except OSError:
            self.discard()
            return False

    def discard(self) -> None:
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                pass
            self.file = None
        _remove_quietly(self.tmp)


def remove_temp_files(folder: Path) -> list[Path]:
    """Delete temp files an interrupted write left behind. Call only while holding the lock."""
    removed = []
    if folder.is_dir():
        for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
            _remove_quietly(leftover)
            removed.append(leftover)
    return removed


class AtomicJSONStorage(Storage):
    """TinyDB storage: JSON (read by orjson, or by msgspec straight into `records`), atomic replace,
    corruption detection, the parsed tables in memory.

    With `log`, a change is appended to the log beside the file (store/state_log.py) and the file
    is rewritten only when the log is folded into it (fold_log: past a bound, and when a writer
    opens or closes). Reading is the file, then the log replayed over it. The tables in memory are
    safe because only the lock holder writes; read() hands out copies of them, and a document in
    them is replaced, never changed in place.
    """

    def __init__(self, path: str | Path, keep_backups: int = 0, read_only: bool = False,
                 own_tables: Iterable[str] | None = None, log: bool = False, records: Records | None = None):
        self.path = Path(path)
        self.own_tables = own_tables
        self.records = records  # None: documents are plain dicts (with records: records, or dicts as written)
        self.keep_backups = keep_backups
        self.read_only = read_only
        self.log_path = log_path_of(self.path) if log else None
        self.log = LogContents()  # as last read; then only the counts of what this writer appended
        self.log_damage: CorruptFileError | None = None  # a damaged line in the log, as last read
        self._tables: dict[str, dict] | None = None  # the file with the log replayed

    def read(self) -> dict[str, Any] | None:
        if self._tables is None:
            data = self._read_disk()
            if data is None:
                return None
            self._tables = data
        return {name: dict(table) for name, table in self._tables.items()}

    def _read_disk(self) -> dict[str, dict] | None:
        """The file and the log, read again if a writer folded the log in between (the file is
        then a new one): never an old file with the emptied log."""
        check = self.records.convert if self.records is not None else None
        for _attempt in range(10):
            seen = file_identity(self.path)
            try:
                raw: bytes | None = self.path.read_bytes()
            except FileNotFoundError:
                raw = None
            log = read_log(self.log_path, check) if self.log_path is not None else LogContents()
            if file_identity(self.path) == seen:
                break
        data = decode_own_tables(raw, self.path, self.own_tables, self.records) if raw is not None else {}
        foreign = {name for name, _, _ in log.entries} - set(self.own_tables or {name for name, _, _ in log.entries})
        if foreign:
            log.damage = log.damage or f"it holds another program's table {sorted(foreign)[0]!r}"
            log.entries = [entry for entry in log.entries if entry[0] not in foreign]
        replay(data, log.entries)
        self.log = log
        self.log_damage = CorruptFileError(self.log_path, log.damage) if log.damage else None
        if raw is None and not log.entries:
            return None
        return data

    def update_table(self, name: str, docs: dict[str, dict], remove: Iterable[str] = ()) -> None:
        """Put and remove documents of one table, and write: one line appended to the log, or
        (without a log) the whole file. On failure nothing in memory changes."""
        self._load()
        if self.log_path is None:
            tables = dict(self._tables)
            table = dict(tables.get(name, {}))
            for doc_id in remove:
                table.pop(doc_id, None)
            table.update(docs)
            tables[name] = table
            self.write(tables)
            return
        remove = list(remove)
        self._append(name, docs, remove)
        replay(self._tables, [(name, docs, remove)])  # in place: read() handed out copies
        if self.log.whole > FOLD_BYTES or len(self.log.entries) > FOLD_LINES:
            try:
                self.fold_log()
            except StorageWriteError:
                pass  # the change is safe in the log; folded at the next chance

    def _load(self) -> dict[str, dict]:
        if self._tables is None:
            self._tables = self._read_disk() or {}
        return self._tables

    def _append(self, name: str, docs: dict[str, dict], remove: list[str]) -> None:
        assert self.log_path is not None
        self._check_writable()
        try:
            line = encode_line(name, docs, remove)
        except ValueError as error:
            raise _unsavable(self.log_path, error) from None
        try:
            if self.log.torn:  # a crash cut the last append short: it never counted
                cut_log(self.log_path, self.log.whole)
                self.log.size = self.log.whole
            created = self.log.size == 0 and not self.log_path.exists()
            append_line(self.log_path, line, self.log.whole)
        except OSError as error:
            self._tables = None  # memory follows the disk, whatever the failure left there
            raise StorageWriteError(self.log_path, error) from error
        if created:
            fsync_folder(self.path.parent)
        self.log.whole = self.log.size = self.log.whole + len(line)
        self.log.entries.append((name, {}, []))  # counted, not kept: memory holds the tables

    def fold_log(self) -> Path | None:
        """Write the tables as they are (the log replayed) into the file, then empty the log; a
        damaged log is renamed aside instead (returned), once everything it held is in the file.
        Nothing to do for a reader, or before anything was read."""
        if self.log_path is None or self.read_only or self._tables is None:
            return None
        if not self.log.entries and self.log_damage is None:
            if self.log.torn:
                try:
                    cut_log(self.log_path, self.log.whole)
                except OSError as error:
                    raise StorageWriteError(self.log_path, error) from error
                self.log.size = self.log.whole
            return None
        self._write_file(self._tables)
        try:
            if self.log_damage is not None:
                aside = set_aside(self.log_path)
                self.log, self.log_damage = LogContents(), None
                return aside
            cut_log(self.log_path, 0)
        except OSError as error:  # the file holds it all: replaying the log again changes nothing
            raise StorageWriteError(self.log_path, error) from error
        self.log = LogContents()
        return None

    def replace_file(self, raw: bytes) -> None:
        """Put `raw` (a backup) in place of the file, the log folded in first and emptied, so no
        change from the log is replayed over it, even after a crash in between."""
        self._fold_before_replacing()
        self._check_writable()
        atomic_write_bytes(self.path, raw, self.keep_backups)
        self.forget()

    def _fold_before_replacing(self) -> None:
        if self.log_path is not None:
            self._load()
            self.fold_log()

    def write(self, data: dict[str, Any]) -> None:
        """TinyDB's whole-file write; the log is folded in and emptied first."""
        self._fold_before_replacing()
        self._write_file(data)
        self._tables = {name: dict(table) for name, table in data.items()}

    def _write_file(self, data: dict[str, Any]) -> None:
        self._check_writable()
        try:
            payload = encode_json(data)
        except ValueError as error:
            raise _unsavable(self.path, error) from None
        try:
            atomic_write_bytes(self.path, payload, self.keep_backups)
        except StorageWriteError:
            self._tables = None  # the next read goes back to the disk
            raise

    def _check_writable(self) -> None:
        if self.read_only:
            raise StorageWriteError(self.path, PermissionError(13, "the library is open read-only"))

    def forget(self) -> None:
        """Drop what is in memory so the next read comes from disk."""
        self._tables = None

    def close(self) -> None:
        self._tables = None


def _unsavable(path: Path, error: Exception) -> StorageWriteError:
    return StorageWriteError(path, OSError(errno.EILSEQ, f"the text cannot be saved as JSON ({error})"))


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """Which file is at `path` now (None: none): a file replaced by a rename is another one."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def set_aside(path: Path) -> Path:
    """Rename an unreadable file to `<name>.corrupt-<stamp>` (never over an earlier one)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():  # damaged twice within a second: keep both
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    path.replace(aside)
    return aside


class KeyedTable(Table):
    """A TinyDB table whose document ids are the paper ids (strings), written in one go."""

    document_id_class = str

    def put_many(self, docs: dict[str, dict], remove: Iterable[str] = ()) -> None:
        storage = self._storage
        if isinstance(storage, AtomicJSONStorage):
            storage.update_table(self.name, docs, remove)
            self.clear_cache()
            return

        def update(table: dict) -> None:
            for doc_id in remove:
                table.pop(doc_id, None)
            table.update(docs)

        self._update_table(update)

    def raw(self) -> dict[str, dict]:
        """Every document as a plain dict, without building TinyDB Document objects."""
        return dict(self._read_table())


class KeyedDB(TinyDB):
    table_class = KeyedTable


def open_db(path: Path, keep_backups: int = 0, read_only: bool = False, own_tables: Iterable[str] | None = None,
            log: bool = False, records: Records | None = None) -> KeyedDB:
    return KeyedDB(path, storage=AtomicJSONStorage, keep_backups=keep_backups, read_only=read_only, own_tables=own_tables, log=log,
                   records=records)


class DataLock:
    """One writer per data folder: an exclusive flock on `lock` in it. The OS drops it when its
    holder dies, even on kill -9. Taken twice, it is held until released twice. (The filelock
    package did the same behind a long chain of imports at every start: bench/README.)"""

    POLL = 0.02  # seconds between tries while waiting for another holder

    def __init__(self, folder: Path, purpose: str = "tui-reader"):
        self.folder = folder
        self.purpose = purpose
        self._path = folder / "lock"
        self._owner_file = folder / "lock.owner"
        self._fd: int | None = None
        self._depth = 0

    def acquire(self, timeout: float = 0.0) -> None:
        if self._fd is not None:
            self._depth += 1
            return
        try:
            fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:  # a read-only mount, an immutable lock file
            raise FolderNotWritableError(self.folder, error) from None
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise LibraryLockedError(self.folder, self.owner()) from None
                time.sleep(self.POLL)
            except OSError as error:
                os.close(fd)
                raise FolderNotWritableError(self.folder, error) from None
        self._fd, self._depth = fd, 1
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        try:
            self._owner_file.write_text(f"process {os.getpid()} ({self.purpose}, since {stamp})")
        except OSError:
            pass  # only informative

    def owner(self) -> str:
        try:
            return self._owner_file.read_text().strip() or "another process"
        except OSError:
            return "another process"

    def release(self) -> None:
        if self._fd is None:
            return
        self._depth -= 1
        if self._depth == 0:
            fd, self._fd = self._fd, None
            os.close(fd)  # closing the only descriptor drops the flock

    @property
    def held(self) -> bool:
        return self._fd is not None
