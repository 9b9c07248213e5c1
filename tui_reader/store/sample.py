"""The bundled sample: which papers came with it, and taking them out when the user brings their own.

A library that opens empty is filled with the sample; its ids are kept in `sample.json`. The first
import or fetch of the user's own papers removes the sample papers from the catalog, except those
the user starred, tagged or wrote a note on (and those the import brought again): then the file
goes. Read marks and hides alone do not keep a sample paper.
"""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson

from tui_reader.models import PaperState
from tui_reader.store.files import atomic_write_bytes

SAMPLE_IDS_FILE = "sample.json"


class SampleRemoval(msgspec.Struct):
    removed: int = 0
    kept: int = 0  # starred, tagged or noted by the user

    def describe(self) -> str:
        if not self.removed and not self.kept:
            return ""
        text = f"The bundled sample ({self.removed} papers) was removed"
        if self.kept:
            text += f"; {self.kept} you starred, tagged or noted {'were' if self.kept != 1 else 'was'} kept"
        return text + "."


def sample_path(folder: Path) -> Path:
    return Path(folder) / SAMPLE_IDS_FILE


def remember_sample(folder: Path, ids: list[str]) -> None:
    atomic_write_bytes(sample_path(folder), orjson.dumps(ids))


def sample_ids(folder: Path) -> list[str]:
    """The sample's ids, or [] when the library holds no sample (or the file is unreadable: then
    nothing is removed, which is the safe side)."""
    try:
        ids = orjson.loads(sample_path(folder).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return []
    return [pid for pid in ids if isinstance(pid, str)] if isinstance(ids, list) else []


def user_keeps(state: PaperState) -> bool:
    return state.starred or bool(state.tags) or bool(state.note.strip())
