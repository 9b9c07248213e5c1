"""Shared by the reliability tests (crash torture, write faults, corrupt files, two instances,
hostile input, properties): synthetic papers, a semantic view of a library, and a fault injector
that wraps the real os functions (the real call still runs unless this is the call that fails)."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

from tui_reader.store.library import Library
from tui_reader.models import Paper, title_id
from tui_reader.store.files import TEMP_SUFFIX
from tui_reader.store.journal import JOURNAL_FILE
from tui_reader.store.state_log import LOG_SUFFIX

ROOT = Path(__file__).resolve().parents[1]


def arxiv_paper(n: int, **fields) -> Paper:
    title = fields.pop("title", f"Arxiv paper number {n} on robust storage")
    return Paper(id=f"2401.{n:05d}", title=title, abstract=f"We study thing {n}. It works.", source="hf-api", sources=["hf-api"], **fields)


def titled_paper(n: int, **fields) -> Paper:
    title = fields.pop("title", f"Title only paper number {n} about locks")
    return Paper(id=title_id(title), title=title, abstract=f"Abstract {n}.", source="hf-page", sources=["hf-page"], **fields)


def upgraded(n: int, arxiv_n: int) -> Paper:
    """The arXiv version of titled_paper(n): importing it moves the record (and its state) to the arXiv id."""
    title = f"Title only paper number {n} about locks"
    return Paper(id=f"2402.{arxiv_n:05d}", title=title, abstract=f"Abstract {n}, longer from the API.", source="hf-api", sources=["hf-api"])


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f".*{TEMP_SUFFIX}")) + sorted(folder.glob(f"*{TEMP_SUFFIX}"))


def state_view(lib: Library) -> dict[str, tuple]:
    """What the user sees, keyed by title (ids move when a title-id paper gains its arXiv id):
    {title: (id is arXiv?, read, starred, tags, note)}, for every paper in the catalog."""
    view = {}
    for pid, paper in lib.papers.items():
        s = lib.state(pid)
        view[paper.title] = (pid == paper.arxiv_id, s.read, s.starred, tuple(s.tags), s.note)
    return view


def snapshot(folder: Path) -> dict[str, bytes]:
    """Bytes of every regular file in the data folder and its backups (not the lock files)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name not in ("lock", "lock.owner"):
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def one_line(text: str) -> bool:
    return bool(text.strip()) and "\n" not in text.strip() and "Traceback" not in text


# -- fault injection ---------------------------------------------------------------------------

FAULTABLE = ("open", "write", "fsync", "replace")
_TEMP_NAME = re.compile(rf"^\.(.+)\.[^.]+{re.escape(TEMP_SUFFIX)}$")


class Injected(Exception):
    pass


class SimulatedCrash(BaseException):
    """Not an OSError: nothing in the storage code catches it, like a kill -9 at that instant."""


class Faults:
    """Wrap os.open/write/fsync/replace for calls that touch `folder`; count them per function and
    make call number `k` of function `name` raise `error` (an OSError, or SimulatedCrash).

    `chunk` makes os.write write at most that many bytes per call (a real short write, as write(2)
    may do), so a payload takes several write calls and a fault can land between them.
    Tracks whether a temp file is in flight (created, not yet replaced) when the fault fires: a fault
    then must leave the old file; after the replace the write has already happened.
    """

    def __init__(self, folder: Path, name: str | None = None, k: int = 0, error: BaseException | None = None, chunk: int | None = 4096,
                 only: str | None = None):
        self.folder = str(Path(folder).resolve())
        self.only = only  # count only the calls on the file of this name
        self.name, self.k, self.error, self.chunk = name, k, error, chunk
        self.counts = dict.fromkeys(FAULTABLE, 0)
        self.fired = False
        self.fired_in_flight: str | None = None  # the target file's name when the fault hit a write in flight
        self.fired_after_commit = False
        self.journal_replaces = 0  # replaces of the import journal, which commit nothing by themselves
        self._in_flight: str | None = None
        self._real = {}

    # which calls are ours
    def _fd_path(self, fd: int) -> str:
        try:
            return os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return ""

    def _ours(self, path: str) -> bool:
        return path == self.folder or path.startswith(self.folder + os.sep)

    def _tick(self, name: str, path: str) -> None:
        if not self._ours(path) or (self.only is not None and os.path.basename(path) != self.only):
            return
        self.counts[name] += 1
        if name == self.name and self.counts[name] == self.k and not self.fired:
            self.fired = True
            if self._in_flight is not None or (name == "open" and _TEMP_NAME.match(os.path.basename(path))):
                self.fired_in_flight = self._in_flight or _TEMP_NAME.match(os.path.basename(path)).group(1)
            else:
                self.fired_after_commit = True
            raise self.error

    def __enter__(self) -> Faults:
        real = self._real = {name: getattr(os, name) for name in FAULTABLE}

        def fake_open(path, flags, mode=0o777, *, dir_fd=None):
            full = os.path.abspath(os.fspath(path))
            if self._ours(full) and flags & os.O_APPEND and full.endswith(LOG_SUFFIX):
                self._in_flight = os.path.basename(full)  # an append to the state log: done once fsynced
            self._tick("open", full)
            fd = real["open"](path, flags, mode, dir_fd=dir_fd)
            match = _TEMP_NAME.match(os.path.basename(full))
            if self._ours(full) and match:
                self._in_flight = match.group(1)
            return fd

        def fake_write(fd, data):
            path = self._fd_path(fd)
            self._tick("write", path)
            if self.chunk and self._ours(path):
                data = memoryview(data)[: self.chunk]
            return real["write"](fd, data)

        def fake_fsync(fd):
            path = self._fd_path(fd)
            self._tick("fsync", path)
            result = real["fsync"](fd)
            if self._in_flight is not None and path.endswith(LOG_SUFFIX) and os.path.basename(path) == self._in_flight:
                self._in_flight = None
            return result

        def fake_replace(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
            self._tick("replace", os.path.abspath(os.fspath(dst)))
            result = real["replace"](src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)
            if self._ours(os.path.abspath(os.fspath(dst))):
                self._in_flight = None
                if os.path.basename(os.fspath(dst)) == JOURNAL_FILE:
                    self.journal_replaces += 1
            return result

        for name, fake in (("open", fake_open), ("write", fake_write), ("fsync", fake_fsync), ("replace", fake_replace)):
            setattr(os, name, fake)
        return self

    def __exit__(self, *exc: object) -> None:
        for name, function in self._real.items():
            setattr(os, name, function)


def enospc() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def eio() -> OSError:
    return OSError(errno.EIO, os.strerror(errno.EIO))
