"""The running app's control socket: the CLI hands its state changes to the one writer.

While the app holds a library it listens on `control.sock` in the data folder (a unix socket,
mode 0600, and each peer's uid checked against ours), so `tui-reader star X` in another terminal
is applied by the app and shows in its list at once, instead of waiting for a lock it cannot get.
When no app listens, `send` returns None and the CLI writes directly, as before.

One request per connection, one JSON line each way:
    {"command": "star", "ids": ["2401.00001"], "tags": [], "text": ""}
    {"changed": ["2401.00001"]}   or   {"error": "no paper with id 'x'"}
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path

import orjson

from tui_reader.errors import ReaderError

SOCKET_FILE = "control.sock"
COMMANDS = ("star", "unstar", "read", "unread", "tag", "untag", "note")
MAX_REQUEST = 16 << 20  # a note from stdin can be long; nothing else is
SEND_TIMEOUT = 10.0  # seconds the CLI waits for the app's answer


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


def send(folder: Path, request: dict, timeout: float = SEND_TIMEOUT) -> dict | None:
    """The app's answer to `request`, or None when no app listens (the caller writes itself)."""
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
    try:
        client.sendall(orjson.dumps(request) + b"\n")
        answer = _read_line(client)
    except OSError as error:
        raise ReaderError(f"the running app did not answer through {path}: {error.strerror or error}") from None
    finally:
        client.close()
    try:
        return orjson.loads(answer)
    except orjson.JSONDecodeError:
        raise ReaderError(f"the running app gave an answer that is not JSON through {path}") from None


def _read_line(conn: socket.socket) -> bytes:
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise OSError("the message is too long")
    return bytes(data)


def peer_uid(conn: socket.socket) -> int | None:
    """The uid of the process at the other end (Linux SO_PEERCRED), or None where unknown."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    creds = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]


class ControlServer:
    """Listens on the folder's socket in a daemon thread; `handle(request) -> answer` runs for each
    request from a process of the same user (the app passes one that applies it on its own
    thread). Refuses everyone else."""

    def __init__(self, folder: Path, handle: Callable[[dict], dict]):
        self.path = socket_path(folder)
        self.handle = handle
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
        line = _read_line(conn)  # read first: an answer to a half-sent request would cut it off
        uid = peer_uid(conn)
        if uid is not None and uid != os.getuid():
            conn.sendall(orjson.dumps({"error": "refused: the app belongs to another user"}) + b"\n")
            return
        try:
            request = orjson.loads(line)
            if not isinstance(request, dict) or request.get("command") not in COMMANDS:
                raise ValueError("not a state command")
            answer = self.handle(request)
        except (ValueError, orjson.JSONDecodeError) as error:
            answer = {"error": f"a request the app does not understand ({error})"}
        conn.sendall(orjson.dumps(answer) + b"\n")

    def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
            with contextlib.suppress(OSError):
                self.path.unlink()
