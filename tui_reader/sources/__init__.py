"""Input formats. Each module has SOURCE (its name), detect(text) -> bool and parse(text) -> list[Paper];
`read_source` picks the first format whose detect() accepts a file and parses it."""

from __future__ import annotations

import stat
from pathlib import Path
from types import ModuleType

import msgspec

from tui_reader.errors import SourceError
from tui_reader.store.gc_pause import gc_paused
from tui_reader.models import Paper, PaperState

MAX_FILE_BYTES = 1024 * 1024 * 1024


class Batch(msgspec.Struct):
    """What one file or response holds: papers, and (for our own backups) the user's state."""

    format: str
    papers: list[Paper]
    states: dict[str, PaperState] = msgspec.field(default_factory=dict)
    restore: bool = False  # a backup: keep its added times and order
    warnings: list[str] = msgspec.field(default_factory=list)  # entries skipped or read in part, one line each


def formats() -> list[ModuleType]:
    """Most specific first: the page format accepts almost any prose, so it comes last. Imported
    when first asked for, so that a command that parses nothing never loads the parsers."""
    from tui_reader.export import backup
    from tui_reader.sources import arxiv, arxiv_snapshot, bibtex, hf_api, hf_page

    return [backup, arxiv_snapshot, hf_api, arxiv, bibtex, hf_page]


def decode_text(raw: bytes, name: str) -> str:
    if b"\x00" in raw[:8192]:
        raise SourceError(name, "this is a binary file, not a list of papers")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SourceError(name, f"not UTF-8 text (bad byte at position {error.start})") from None


def parse_text(text: str, name: str) -> Batch:
    if not text.strip():
        raise SourceError(name, "the file is empty")
    for module in formats():
        if module.detect(text):
            try:
                with gc_paused():
                    result = module.parse(text)
            except SourceError as error:
                raise SourceError(name, error.reason) from None
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise SourceError(name, f"not a valid {module.SOURCE} file ({error})") from None
            batch = result if isinstance(result, Batch) else Batch(module.SOURCE, result)
            if not batch.papers:
                raise SourceError(name, f"no papers found in this {module.SOURCE} file")
            return batch
    raise SourceError(
        name, "unknown format (expected an HF papers page, HF daily-papers JSON, arXiv Atom, the arXiv metadata snapshot, BibTeX or a tui-reader backup)"
    )


def read_sources(paths: list[Path]) -> list[tuple[str, Batch]]:
    """Each file as a batch (name, batch), except that BibTeX files are read together as one, in
    the order given: a bibliography split into files keeps its @string macros in one and its
    entries (and their crossrefs) in others."""
    texts = [(str(path), read_text(path)) for path in paths]
    from tui_reader.sources import bibtex

    bib = [(name, text) for name, text in texts if text.strip() and bibtex.detect(text)]
    if len(bib) < 2:
        return [(name, parse_text(text, name)) for name, text in texts]
    joined = " + ".join(Path(name).name for name, _ in bib)
    batches, bib_done = [], False
    for name, text in texts:
        if (name, text) not in bib:
            batches.append((name, parse_text(text, name)))
        elif not bib_done:
            bib_done = True
            try:
                with gc_paused():
                    batch = bibtex.parse_files(bib)
            except SourceError as error:
                raise SourceError(joined, error.reason) from None
            if not batch.papers:
                raise SourceError(joined, "no papers found in these BibTeX files")
            batches.append((joined, batch))
    return batches


def read_source(path: Path) -> Batch:
    return parse_text(read_text(path), str(path))


def read_text(path: Path) -> str:
    name = str(path)
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        if not stat.S_ISREG(info.st_mode):
            raise SourceError(name, "not a regular file (a pipe, device or socket is not read)")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(name, f"too large ({size // 2**20} MiB; the limit is {MAX_FILE_BYTES // 2**20} MiB)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(name, "no such file") from None
    except IsADirectoryError:
        raise SourceError(name, "is a folder, not a file") from None
    except OSError as error:
        raise SourceError(name, error.strerror or str(error)) from None
    text = decode_text(raw, name)
    del raw  # not held while the text is parsed: it is as large as the file
    return text
