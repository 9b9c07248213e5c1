"""The log beside a TinyDB file: each change appended as one line, so a star costs one short write
and one fsync instead of rewriting every state (store/files.py's AtomicJSONStorage reads and folds it).

A line is {"table": name, "put": {id: doc}, "drop": [id, ...]} with whole documents, so replaying
a line twice changes nothing: a crash between folding the log into the file and emptying it loses
nothing and adds nothing. A last line without its newline is a write a crash cut short (it was
never acknowledged): it is ignored, and the next writer cuts it off. Any other line that cannot be
read is damage, reported by the reader and set aside by the writer.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import orjson

LOG_SUFFIX = ".log"
# Past either bound a writer folds the log into the file: replaying it at open stays short.
FOLD_BYTES = 1 << 20
FOLD_LINES = 1000

Entry = tuple[str, dict[str, Any], list[str]]
Check = Callable[[dict[str, dict]], object]  # ValueError for a document of the wrong shape


def log_path_of(path: Path) -> Path:
    return path.with_suffix(LOG_SUFFIX)


class LogContents(msgspec.Struct):
    entries: list[Entry] = msgspec.field(default_factory=list)
    whole: int = 0  # bytes up to the end of the last whole line
    size: int = 0  # bytes in the file
    damage: str | None = None  # what is wrong with the first unreadable whole line

    @property
    def torn(self) -> bool:
        return self.size > self.whole


def read_log(path: Path, check: Check | None = None) -> LogContents:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LogContents()
    whole = raw.rfind(b"\n") + 1
    contents = LogContents(whole=whole, size=len(raw))
    for number, line in enumerate(raw[:whole].split(b"\n")[:-1], 1):
        try:
            contents.entries.append(parse_line(line, check))
        except ValueError as error:
            if contents.damage is None:
                contents.damage = f"line {number} is not a change ({error})"
    return contents


def parse_line(line: bytes, check: Check | None = None) -> Entry:
    """One change; its documents as written (a newer release's key stays), checked by `check`."""
    data = orjson.loads(line)  # orjson.JSONDecodeError is a ValueError
    if not isinstance(data, dict):
        raise ValueError("not an object")
    table, put, drop = data.get("table"), data.get("put", {}), data.get("drop", [])
    if not isinstance(table, str) or not isinstance(put, dict) or not isinstance(drop, list):
        raise ValueError("no table, put and drop")
    if not all(isinstance(doc, dict) for doc in put.values()) or not all(isinstance(pid, str) for pid in drop):
        raise ValueError("a record that is not an object")
    if check is not None:
        check(put)
    return table, put, drop


def encode_line(table: str, put: dict[str, Any], drop: list[str]) -> bytes:
    return encode_json({"table": table, "put": put, "drop": drop}) + b"\n"


def encode_json(data: Any) -> bytes:
    """The JSON of a log line and of the file it is folded into (msgspec: the documents may be
    records, or plain dicts); ValueError for text JSON cannot hold (a lone surrogate from a
    terminal's bad bytes)."""
    try:
        return msgspec.json.encode(data)
    except (TypeError, ValueError) as error:
        raise ValueError(str(error)) from None


def replay(tables: dict[str, dict], entries: list[Entry]) -> None:
    for name, put, drop in entries:
        table = tables.setdefault(name, {})
        for doc_id in drop:
            table.pop(doc_id, None)
        table.update(put)


def append_line(path: Path, line: bytes, size: int) -> None:
    """Append `line` to the log (whose whole lines end at `size`) and fsync it. On OSError the
    log is cut back to `size`, so a half line never sits before the next one."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # private, like state.json
    try:
        view = memoryview(line)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except OSError:
        try:
            os.ftruncate(fd, size)
        except OSError:
            pass  # a torn last line: ignored when read, cut by the next writer
        raise
    finally:
        os.close(fd)


def cut_log(path: Path, size: int) -> None:
    """Keep the first `size` bytes (0: empty the log after folding it)."""
    fd = os.open(path, os.O_WRONLY)
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    finally:
        os.close(fd)
