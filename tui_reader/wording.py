"""Sentences the CLI and the app both say, so that they say them the same way."""

from __future__ import annotations

from typing import Protocol


class ImportCounts(Protocol):
    new: int
    updated: int

    @property
    def total(self) -> int: ...


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 paper`, `2 papers`, `1,200 papers`."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def import_summary(result: ImportCounts, source: str, verb: str = "Imported") -> str:
    """`Imported 1 paper (1 new, 0 updated) from x.json`; when nothing changed, says so plainly."""
    if result.total == 0:
        return f"No papers in {source}"
    if result.new == 0 and result.updated == 0:
        held = "is" if result.total == 1 else "are all"
        return f"Nothing new from {source}: its {plural(result.total, 'paper')} {held} already in your library"
    return f"{verb} {plural(result.total, 'paper')} ({result.new:,} new, {result.updated:,} updated) from {source}"
