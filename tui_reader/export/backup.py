"""Our own JSON backup (`tui-reader export --format json`): its writer, and its reader for a full restore.

Shape: {"format": "tui-reader-backup", "version": 1, "exported": ISO time,
        "papers": [Paper.to_dict(), ...], "states": {paper id: PaperState.to_dict()}}
Papers keep their added time, import batch and order; states come along.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from tui_reader.errors import SourceError
from tui_reader.models import Paper, PaperState, normalise_tag

SOURCE = "backup"
FORMAT_NAME = "tui-reader-backup"
VERSION = 1

_MARKER = re.compile(rf'"format"\s*:\s*"{FORMAT_NAME}"')


def to_json(papers: Sequence[Paper], states: Mapping[str, PaperState], exported: str | None = None) -> str:
    """A full backup: every catalog field and the user's state; `import` restores it exactly."""
    data = {
        "format": FORMAT_NAME,  # first key: the importer recognises a backup by it
        "version": VERSION,
        "exported": exported or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "papers": [paper.to_dict() for paper in papers],
        "states": {p.id: states[p.id].to_dict() for p in papers if p.id in states and not states[p.id].is_default()},
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


def detect(text: str) -> bool:
    # Written as the first key; a re-sorted file still has it before "papers".
    head = text.lstrip("\ufeff \t\r\n")[:1000]
    return head.startswith("{") and bool(_MARKER.search(head))


def parse(text: str):
    from tui_reader.sources import Batch  # the sources registry imports this module

    try:
        data = orjson.loads(text.lstrip("\ufeff"))
    except orjson.JSONDecodeError as error:
        raise SourceError("", f"a broken tui-reader backup: not valid JSON ({error})") from None
    version = data.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise SourceError("", f"a tui-reader backup of version {version!r}, newer than this program reads ({VERSION})")
    papers_data = data.get("papers")
    states_data = data.get("states", {})
    if not isinstance(papers_data, list) or not isinstance(states_data, dict):
        raise SourceError("", "a tui-reader backup without a 'papers' list and a 'states' object")
    papers = [_paper(doc, number) for number, doc in enumerate(papers_data, 1)]
    states = {}
    for pid, doc in states_data.items():
        if not isinstance(doc, dict):
            raise SourceError("", f"the state of {pid!r} is not an object")
        try:
            state = PaperState.from_dict(doc)
        except (TypeError, ValueError) as error:
            raise SourceError("", f"the state of {pid!r} has the wrong shape ({error})") from None
        state.tags = [t for t in dict.fromkeys(map(normalise_tag, state.tags)) if t]  # the app's one tag rule
        states[pid] = state
    return Batch(SOURCE, papers, states, restore=True)


def _paper(doc: Any, number: int) -> Paper:
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str) or not isinstance(doc.get("title"), str):
        raise SourceError("", f"paper {number} of the backup has no id or title")
    return Paper.from_dict(doc)
