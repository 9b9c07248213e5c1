"""The import journal: what an import will do to the state file, written before the catalog.

An import changes two files (the catalog, then the states it moves or brings from a backup), and a
crash between the two writes would leave the papers without their state. So the state records are
written to this journal first, together with the generation token of the catalog about to be
written. The catalog's replace is the commit point: at the next open, a journal whose generation is
the catalog's is applied to the state file (the import happened); any other journal is dropped (it
did not). Applying twice is harmless: the journal holds whole records and ids to drop.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson

from tui_reader.models import PaperState, states_from_docs
from tui_reader.store.files import atomic_write_bytes, fsync_folder
from tui_reader.store.state_log import encode_json

JOURNAL_FILE = "import.journal"


class JournalEntry(msgspec.Struct):
    generation: str
    put: dict[str, PaperState | dict]  # state records to write, by paper id (as read: checked, as written)
    drop: list[str]  # state records to remove


class ImportJournal:
    def __init__(self, folder: Path):
        self.path = Path(folder) / JOURNAL_FILE

    def write(self, entry: JournalEntry) -> None:
        """Durably (fsynced, atomic); StorageWriteError when it cannot be."""
        atomic_write_bytes(self.path, encode_json({"generation": entry.generation, "put": entry.put, "drop": entry.drop}))

    def read(self) -> JournalEntry | None:
        """The pending entry, or None (none, or not one we wrote whole: it is then never applied)."""
        try:
            data = orjson.loads(self.path.read_bytes())
            states_from_docs(data["put"])  # the records' shape checked; kept as written
            return JournalEntry(str(data["generation"]), dict(data["put"]), [str(pid) for pid in data["drop"]])
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None

    def exists(self) -> bool:
        return self.path.exists()

    def clear(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return
        fsync_folder(self.path.parent)  # a journal that came back after a power cut would undo later changes
