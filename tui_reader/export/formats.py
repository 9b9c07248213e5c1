"""Turning the library into other formats. Pure functions over papers and states, and one writer.

`export_text(fmt, papers, states)` is the entry point: papers in the order wanted, states by id;
`write_export(path, fmt, papers, states)` writes that text to a file atomically.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tui_reader.models import Paper, PaperState
from tui_reader.export.backup import to_json
from tui_reader.latex import to_unicode
from tui_reader.links import first_link

EXPORT_FORMATS = ("bibtex", "markdown", "json", "csv")
FILE_SUFFIXES = {"bibtex": ".bib", "markdown": ".md", "json": ".json", "csv": ".csv"}

States = Mapping[str, PaperState]


def paper_record(paper: Paper, state: PaperState) -> dict[str, Any]:
    """The flat object of `tui-reader list --json`: exactly these keys."""
    return {
        "id": paper.id,
        "title": paper.title,
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "published": paper.published,
        "links": [link.to_dict() for link in paper.links],
        "read": state.read,
        "starred": state.starred,
        "tags": list(state.tags),
        "note": state.note,
        "added": paper.added,
    }


def to_bibtex(papers: Sequence[Paper], states: States) -> str:
    from tui_reader.export.bibtex import to_bibtex as write  # loaded when asked for: not at every start

    return write(papers, states)


def export_text(fmt: str, papers: Sequence[Paper], states: States) -> str:
    """`papers` (in the order wanted) as `fmt`, one of EXPORT_FORMATS."""
    writers = {"bibtex": to_bibtex, "markdown": to_markdown, "json": to_json, "csv": to_csv}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    return writers[fmt](papers, states)


def write_export(path: Path, fmt: str, papers: Sequence[Paper], states: States) -> Path:
    """Write the export to `path` (temp file, fsync, rename): an old file is replaced whole or kept.
    Raises StorageWriteError (a one-line ReaderError) when the file cannot be written."""
    from tui_reader.store.files import atomic_write_bytes

    path = Path(path)
    # The temp file is private (0600); an export is an ordinary file: keep the old file's mode.
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    atomic_write_bytes(path, export_text(fmt, papers, states).encode("utf-8"))
    os.chmod(path, mode)
    return path


def export_filename(fmt: str, day: str | None = None) -> str:
    """A default file name for an export: `tui-reader-2025-03-11.bib`."""
    return f"tui-reader-{day or time.strftime('%Y-%m-%d')}{FILE_SUFFIXES[fmt]}"


def _state(states: States, pid: str) -> PaperState:
    return states.get(pid) or PaperState()


def _link(paper: Paper, *kinds: str) -> str:
    return first_link(paper.links, kinds, paper.arxiv_id)


def main_url(paper: Paper) -> str:
    """The paper's own page: arXiv abstract, else HF page, DOI, project, code or PDF."""
    return _link(paper, "arxiv", "hf", "doi", "project", "code", "pdf")


# -- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "title", "authors", "published", "url", "code", "project", "pdf", "categories",
    "upvotes", "comments", "read", "starred", "tags", "note", "added", "abstract",
)  # fmt: skip


# A cell a spreadsheet would run as a formula (=, +, @, a tab, or "-" then a sign of one) gets a
# leading "'", the usual guard: a title from a feed must not run code in the reader's spreadsheet.
_FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-[^\s-])")


def csv_cell(value: object) -> object:
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def to_csv(papers: Sequence[Paper], states: States) -> str:
    """One row per paper; list fields joined with '; '."""
    import csv  # (loaded with the first CSV export, not with the command line)

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for paper in papers:
        state = _state(states, paper.id)
        writer.writerow(map(csv_cell, [
            paper.id, paper.title, "; ".join(paper.authors), paper.published or "", main_url(paper),
            "; ".join(l.url for l in paper.links_of("code")), "; ".join(l.url for l in paper.links_of("project")),
            _link(paper, "pdf"), "; ".join(paper.categories),
            "" if paper.upvotes is None else paper.upvotes, "" if paper.comments is None else paper.comments,
            "yes" if state.read else "no", "yes" if state.starred else "no",
            "; ".join(state.tags), state.note, paper.added, paper.abstract,
        ]))  # fmt: skip
    return out.getvalue()


def venue_line(paper: Paper) -> str:
    """Where the paper appeared: "Journal 12(3), 45–67" from its BibTeX fields, else arXiv's journal_ref."""
    from tui_reader.latex import decode_bibtex

    fields = paper.bibtex
    venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher") or ""
    if not venue:
        return paper.journal_ref
    text = decode_bibtex(venue)
    if volume := fields.get("volume"):
        text += f" {decode_bibtex(volume)}" + (f"({decode_bibtex(fields['number'])})" if fields.get("number") else "")
    if pages := fields.get("pages"):
        text += f", {decode_bibtex(pages)}"
    return " ".join(text.split())


# -- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_markdown(papers: Sequence[Paper], states: States) -> str:
    """A reading list: title linked, authors, date, code/project links, tags, the note."""
    lines = ["# Reading list", "", f"{len(papers)} paper{'s' if len(papers) != 1 else ''}", ""]
    for paper in papers:
        state = _state(states, paper.id)
        url = main_url(paper)
        title = md_escape(to_unicode(paper.title))
        star = " ★" if state.starred else ""
        lines.append(f"## [{title}](<{url}>){star}" if url else f"## {title}{star}")
        lines.append("")
        details = []
        if paper.authors:
            shown = paper.authors if len(paper.authors) <= 8 else [*paper.authors[:8], "et al."]
            details.append(f"- Authors: {md_escape(', '.join(shown))}")
        if paper.published:
            details.append(f"- Published: {paper.published}")
        if venue := venue_line(paper):
            details.append(f"- In: {md_escape(venue)}")
        if paper.arxiv_id:
            details.append(f"- arXiv: [{paper.arxiv_id}](<https://arxiv.org/abs/{paper.arxiv_id}>)")
        for kind, label in (("code", "Code"), ("project", "Project")):
            for link in paper.links_of(kind):
                details.append(f"- {label}: <{link.url}>")
        if state.tags:
            details.append(f"- Tags: {', '.join(f'`{t}`' for t in state.tags)}")
        lines += details
        if state.note.strip():
            lines += ["", *(f"> {line}".rstrip() for line in state.note.strip().splitlines())]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
