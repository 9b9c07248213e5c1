"""The running app's control socket: the CLI hands its state changes to the one writer.

While the app holds a library it listens on `control.sock` in the data folder (a unix socket,
mode 0600, and each peer's uid checked against ours), so `tui-reader star X` in another terminal
is applied by the app and shows in its list at once, instead of waiting for a lock it cannot get.
When no app listens, `send` returns None and the CLI writes directly, as before.

One request per connection, one JSON line each way:
    {"command": "star", "ids": ["2401.00001"], "tags": [], "text": ""}
    {"changed": ["2401.00001"]}   or   {"error": "no paper with id 'x'"}

An import (`tui-reader import FILE` / `fetch`) hands over the papers the CLI read or fetched: a
header line, then one line per paper or state, then an end line, so a file of 100 MB is never one
line held twice. The app answers with progress lines, then what its import did:
    {"command": "import", "name": "x.bib", "format": "bibtex", "restore": false}
    {"paper": {...}} ... {"state": ["2401.00001", {...}]} ... {"end": true}
    {"progress": [100, 2000]} ... {"imported": {"new": 3, "updated": 0, ...}}   or   {"error": "..."}
The CLI reads and parses the file itself rather than handing over its path: the errors about the
file stay the CLI's, nothing is parsed twice, and a fetch (which has no file) goes the same way.
An arXiv snapshot, too large to hold, is a stream ("stream": true): the app imports each paper as
its line comes (Library.import_stream) and commits only at the end line, so a CLI that stops half
way (Ctrl-C, a read error) leaves the library as it was.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec
import orjson

from tui_reader.errors import ReaderError

if TYPE_CHECKING:
    from tui_reader.models import Paper
    from tui_reader.sources import Batch

SOCKET_FILE = "control.sock"
COMMANDS = ("star", "unstar", "read", "unread", "hide", "unhide", "tag", "untag", "note")
IMPORT = "import"
SNAPSHOT_FORMAT = "arxiv-snapshot"  # a stream merged as the snapshot's own import merges (arxiv_snapshot.refresh)
MAX_REQUEST = 16 << 20  # per line: a note from stdin can be long, a paper's fields are capped at import
SEND_TIMEOUT = 10.0  # seconds the CLI waits for the app's answer
SEND_CHUNK = 1 << 20  # bytes of lines sent at once
IMPORT_TIMEOUT = 600.0  # seconds an import may go without a line: the app may first finish a store of its own


def apply_change(library, request: dict) -> list[str]:
    """Apply one state command to a writable Library; the ids changed. ReaderError when refused."""
    command, ids = request.get("command"), request.get("ids") or []
    tags, text = request.get("tags") or [], request.get("text") or ""
    if command in ("star", "unstar"):
        return library.set_starred(ids, command == "star")
    if command in ("read", "unread"):
        return library.set_read(ids, command == "read")
    if command in ("hide", "unhide"):
        return library.set_hidden(ids, command == "hide")
    if command == "tag":
        return library.add_tags(ids, tags)
    if command == "untag":
        return library.remove_tags(ids, tags)
    if command == "note":
        return library.set_note(ids[0], text)
    raise ReaderError(f"unknown command {command!r}")


def socket_path(folder: Path) -> Path:
    return Path(folder) / SOCKET_FILE


def connect(folder: Path, timeout: float = SEND_TIMEOUT) -> socket.socket | None:
    """A connection to the app listening on the folder's socket; None when no app listens."""
    path = socket_path(folder)
    if not path.exists():
        return None
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        client.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        client.close()
        return None  # a socket left by an app that died: nobody listens
    except OSError as error:
        client.close()
        raise ReaderError(f"cannot reach the running app through {path}: {error.strerror or error}") from None
    return client


def send(folder: Path, request: dict, timeout: float = SEND_TIMEOUT) -> dict | None:
    """The app's answer to `request`, or None when no app listens (the caller writes itself)."""
    return _exchange(folder, [request], timeout)


def send_import(folder: Path, batch: Batch, name: str, progress: Callable[[int, int], None] | None = None) -> dict | None:
    """Hand a batch the CLI read or fetched to the running app, which imports it as its own import
    does; its answer ({"imported": counts} or {"error": ...}), or None when no app listens."""
    header = {"command": IMPORT, "name": name, "format": batch.format, "restore": batch.restore}
    lines = chain([header], ({"paper": paper.to_dict()} for paper in batch.papers),
                  ({"state": [pid, state.to_dict()]} for pid, state in batch.states.items()), [{"end": True}])
    return _exchange(folder, lines, IMPORT_TIMEOUT, progress)


def forwarder(folder: Path) -> Callable[[dict], list[str] | None]:
    """For a read-only Library whose folder another app writes: hands it each state change (the
    ids changed; None when no app listens). ReaderError when the app refuses it."""

    def forward(request: dict) -> list[str] | None:
        answer = send(folder, request)
        if answer is None:
            return None
        if "error" in answer:
            raise ReaderError(str(answer["error"]))
        return list(answer.get("changed", []))

    return forward


def send_stream(folder: Path, papers: Iterable[Paper], name: str, fmt: str = SNAPSHOT_FORMAT) -> dict | None:
    """send_import for papers read as they are sent (an arXiv snapshot); None when no app listens
    (then nothing was read from `papers`)."""
    header = {"command": IMPORT, "name": name, "format": fmt, "stream": True}
    lines = chain([header], ({"paper": paper.to_dict()} for paper in papers), [{"end": True}])
    return _exchange(folder, lines, IMPORT_TIMEOUT)


class PaperStream(msgspec.Struct):
    """What a streamed import request carries: its papers as they arrive, and how to merge them."""

    papers: Iterator[Paper]
    merge: Callable[[Paper, Paper], Paper]


def read_stream(header: dict, lines: Iterator[dict]) -> PaperStream:
    from tui_reader.merge import merge_papers
    from tui_reader.models import Paper
    from tui_reader.sources import arxiv_snapshot

    def papers() -> Iterator[Paper]:
        try:
            for line in lines:
                if line.get("end") is True:
                    return
                if not isinstance(line.get("paper"), dict):
                    raise ValueError("a line that is neither a paper nor the end")
                yield Paper.from_dict(line["paper"])
        except (ValueError, orjson.JSONDecodeError, OSError) as error:
            raise ReaderError(f"the papers from the command line could not be read ({error}); nothing was stored") from None
        raise ReaderError("the command line stopped before the end of its papers; nothing was stored")

    return PaperStream(papers(), arxiv_snapshot.refresh if header.get("format") == SNAPSHOT_FORMAT else merge_papers)


def _exchange(folder: Path, lines: Iterable[dict], timeout: float,
              progress: Callable[[int, int], None] | None = None) -> dict | None:
    """Send the lines, then read the answer (progress lines passed to `progress` on the way)."""
    client = connect(folder)
    if client is None:
        return None
    path = socket_path(folder)
    # An error from `lines` itself (the file being read) goes out as it is; the app, cut off
    # before the end line, stores nothing.
    with client, client.makefile("rb") as answers:
        _send_lines(client, lines)
        try:
            client.settimeout(timeout)
            while True:
                answer = _decode(answers.readline(MAX_REQUEST + 1), path)
                if "progress" not in answer:
                    return answer
                if progress is not None:
                    progress(*answer["progress"])
        except OSError as error:
            raise ReaderError(f"the running app did not answer through {path}: {error.strerror or error}") from None


def _send_lines(client: socket.socket, lines: Iterable[dict]) -> None:
    """Send the lines; stops early when the app has answered before reading them all (a refusal:
    its answer says why)."""
    chunk = bytearray()
    for line in lines:
        chunk += orjson.dumps(line) + b"\n"
        if len(chunk) >= SEND_CHUNK:
            if not _sent(client, chunk):
                return
            chunk.clear()
    _sent(client, chunk)


def _sent(client: socket.socket, data: bytes | bytearray) -> bool:
    try:
        client.sendall(data)
    except OSError:
        return False
    return True


def _decode(line: bytes, path: Path) -> dict:
    if not line:
        raise ReaderError(f"the running app closed the connection without an answer through {path}")
    try:
        answer = orjson.loads(line)
    except orjson.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        raise ReaderError(f"the running app gave an answer that is not JSON through {path}")
    return answer


def read_batch(header: dict, lines: Iterator[dict]) -> Batch:
    """The batch an import request carries (see the module's docstring); ValueError when it is not one."""
    from tui_reader.models import Paper, PaperState
    from tui_reader.sources import Batch

    batch = Batch(str(header.get("format") or "cli"), [], restore=header.get("restore") is True)
    for line in lines:
        if "paper" in line and isinstance(line["paper"], dict):
            batch.papers.append(Paper.from_dict(line["paper"]))
        elif "state" in line and isinstance(line["state"], list) and len(line["state"]) == 2:
            pid, state = line["state"]
            if not isinstance(pid, str) or not isinstance(state, dict):
                raise ValueError("a state line that is not [id, state]")
            batch.states[pid] = PaperState.from_dict(state)
        elif line.get("end") is True:
            return batch
        else:
            raise ValueError("a line that is neither a paper, a state nor the end")
    raise ValueError("the import ended before its last line")


def _read_line(reader) -> bytes:
    line = reader.readline(MAX_REQUEST + 1)
    if len(line) > MAX_REQUEST:
        raise ValueError("a line is too long")
    return line


def _lines(reader) -> Iterator[dict]:
    while line := _read_line(reader):
        item = orjson.loads(line)
        if not isinstance(item, dict):
            raise ValueError("a line that is not an object")
        yield item


def peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process at the other end (Linux SO_PEERCRED), or None where unknown."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


Tell = Callable[[dict], None]  # sends one line of progress back to the CLI


class ControlServer:
    """Listens on the folder's socket in a daemon thread; `handle(request) -> answer` runs for each
    request from a process of the same user (the app passes one that applies it on its own
    thread), `handle_import(name, batch, tell) -> answer` for each import. Refuses everyone else."""

    def __init__(self, folder: Path, handle: Callable[[dict], dict],
                 handle_import: Callable[[str, Batch | PaperStream, Tell], dict] | None = None):
        self.path = socket_path(folder)
        self.handle = handle
        self.handle_import = handle_import
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Listen; False (and nothing else happens) when the socket cannot be made here."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # the writer holds the folder's lock: a socket here is a dead app's
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
            os.chmod(self.path, 0o600)
            server.listen(8)
        except OSError:
            server.close()
            return False
        self._server = server
        self._thread = threading.Thread(target=self._serve, name="control socket", daemon=True)
        self._thread.start()
        return True

    def _serve(self) -> None:
        server = self._server
        while server is not None:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # closed
            with conn:
                try:
                    self._answer(conn)
                except OSError:
                    pass  # the client went away

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(SEND_TIMEOUT)
        with conn.makefile("rb") as reader:
            try:
                line = _read_line(reader)  # read first: an answer to a half-sent request would cut it off
            except ValueError as error:
                line, too_long = b"", error
            else:
                too_long = None
            uid = peer_uid(conn)
            if uid is not None and uid != os.getuid():
                conn.sendall(orjson.dumps({"error": "refused: the app belongs to another user"}) + b"\n")
                return
            try:
                if too_long is not None:
                    raise too_long
                request = orjson.loads(line)
                if isinstance(request, dict) and request.get("command") == IMPORT and self.handle_import is not None:
                    conn.settimeout(IMPORT_TIMEOUT)
                    batch = read_stream(request, _lines(reader)) if request.get("stream") else read_batch(request, _lines(reader))
                    answer = self.handle_import(str(request.get("name") or "the command line"), batch, self._teller(conn))
                elif not isinstance(request, dict) or request.get("command") not in COMMANDS:
                    raise ValueError("not a state command")
                else:
                    answer = self.handle(request)
            except (ValueError, orjson.JSONDecodeError) as error:
                answer = {"error": f"a request the app does not understand ({error})"}
            except ReaderError as error:
                answer = {"error": str(error)}
            except Exception as error:  # a bug must not end the thread: the app would stop listening
                answer = {"error": f"the app failed on it: {type(error).__name__}: {error}"}
            conn.sendall(orjson.dumps(answer) + b"\n")

    @staticmethod
    def _teller(conn: socket.socket) -> Tell:
        def tell(line: dict) -> None:
            with contextlib.suppress(OSError):  # the CLI went away: the import goes on
                conn.sendall(orjson.dumps(line) + b"\n")

        return tell

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
