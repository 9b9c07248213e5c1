"""Sentences the CLI and the app both say, so that they say them the same way."""

from __future__ import annotations

from typing import Protocol

from tui_reader.store.clean import LIMITS


class ImportCounts(Protocol):
    new: int
    updated: int

    @property
    def total(self) -> int: ...


LINE_SHOWN = LIMITS["title"]  # characters of a one-line field shown: an imported title is never cut
BLOCK_SHOWN = 100_000  # characters of an abstract or a note shown


def shown(text: str, limit: int = LINE_SHOWN) -> str:
    """The text as far as it is shown (stored whole): a field written before the import's size
    limit (a 50 MB title) stalled whatever drew it. The rest is counted, not drawn."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({plural(len(text) - limit, 'character')} not shown)"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 paper`, `2 papers`, `1,200 papers`."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def import_summary(result: ImportCounts, source: str, verb: str = "Imported") -> str:
    """`Imported 1 paper (1 new, 0 updated) from x.json`, with what was merged or cut; when
    nothing changed, says so plainly."""
    if result.total == 0:
        return f"No papers in {source}"
    merged = []
    if getattr(result, "merged_existing", 0):
        merged.append(f"{result.merged_existing} merged with papers you had")
    if getattr(result, "merged_in_batch", 0):
        merged.append(f"{result.merged_in_batch} merged with the same work listed earlier in it")
    said = f"; {', '.join(merged)}" if merged else ""
    if result.new == 0 and result.updated == 0:
        held = "is" if result.total == 1 else "are all"
        line = f"Nothing new from {source}: its {plural(result.total, 'paper')} {held} already in your library{said}"
    else:
        line = f"{verb} {plural(result.total, 'paper')} ({result.new:,} new, {result.updated:,} updated{said}) from {source}"
    cut = getattr(result, "cut", None)
    if cut:
        line += "; fields longer than the limit were cut: " + ", ".join(f"{name} of {plural(count, 'paper')}" for name, count in cut.items())
    return line
