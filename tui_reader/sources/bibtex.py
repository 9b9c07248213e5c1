"""BibTeX files (Zotero, papis, our own export): title, authors, year, abstract, url, eprint/arXiv id,
doi, keywords -> tags and note -> note (both as user state, merged into what the user has)."""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text  # bibtexparser's own LaTeX decoder

from tui_reader.errors import SourceError
from tui_reader.links import arxiv_id_from_url, classify, find_links, merge_links
from tui_reader.models import Link, Paper, PaperState, clean_arxiv_id, normalise_tag, paper_id
from tui_reader.sources.arxiv import arxiv_paper_links, unwrap

SOURCE = "bibtex"

# bibtexparser logs each syntax error as several lines; we report one clear line ourselves.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_ARXIV_IN_TEXT = re.compile(r"arXiv:\s*(\S+)", re.IGNORECASE)
_DECODER = LatexNodes2Text()
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def detect(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head not in ("{", "[", "<") and bool(_ENTRY_START.search(text))


def parse(text: str):
    from tui_reader.sources import Batch  # the registry imports this module

    papers: list[Paper] = []
    states: dict[str, PaperState] = {}
    for entry in _entries(text):
        paper, state = _entry_paper(entry)
        if not state.is_default():
            states[paper.id] = state
        papers.append(paper)
    return Batch(SOURCE, papers, states)


def _read(text: str):
    # Authors are split before any decoding, so a braced "{Smith and Jones Lab}" stays one name.
    stack = [middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    return bibtexparser.parse_string(text, append_middleware=stack)


_LATEX = re.compile(r"[\\{}~$]|--|``|''")
_SIMPLE = re.compile(r"\\([&%#_$])|\\(textasciitilde|textasciicircum|textbackslash)\{\}|[{}]")
_SIMPLE_CHARS = {"textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\"}


def decode_latex(value: str) -> str:
    """TeX in a BibTeX value as plain text. pylatexenc is slow per field, so the common cases
    (no TeX at all; only escaped & % # _ $ and protective braces) are done here."""
    if not _LATEX.search(value):
        return value
    if not _LATEX.search(_SIMPLE.sub("", value)):
        return _SIMPLE.sub(lambda m: m.group(1) or _SIMPLE_CHARS.get(m.group(2) or "", ""), value)
    # pylatexenc turns \textasciicircum{} into a modifier letter; a reader means the caret.
    return _DECODER.latex_to_text(value).replace("\u02c6", "^")


def _reason(block: ParsingFailedBlock) -> str:
    """bibtexparser's exceptions often carry no text; its log line says what went wrong."""
    detail = str(block.error or "").strip()
    if detail:
        return detail.splitlines()[0]
    first_line = block.raw.strip().splitlines()[0][:60] if block.raw.strip() else ""
    return f"a syntax error in {first_line!r}" if first_line else "a syntax error"


def _entries(text: str) -> list[Entry]:
    library = _read(text)
    entries = list(library.entries)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            entries += _read(block.raw).entries  # two entries with one key are still two papers
        else:
            raise SourceError("", f"the BibTeX entry at line {line} could not be read ({_reason(block)})")
    return entries


def _field(entry: Entry, name: str) -> str:
    found = entry.fields_dict.get(name) or next((f for f in entry.fields if f.key.lower() == name), None)
    value = found.value if found else ""
    return unwrap(decode_latex(value)) if isinstance(value, str) else ""


def _authors(entry: Entry) -> list[str]:
    found = entry.fields_dict.get("author")
    names = []
    for parts in found.value if found and isinstance(found.value, list) else []:
        if isinstance(parts, str):
            names.append(unwrap(decode_latex(parts)))
            continue
        name = " ".join(parts.first + parts.von + parts.last)
        name = f"{name}, {' '.join(parts.jr)}" if parts.jr else name
        names.append(unwrap(decode_latex(name)))
    return [n for n in names if n]


def _arxiv_id(entry: Entry, url: str) -> str | None:
    prefix = (_field(entry, "archiveprefix") or _field(entry, "eprinttype")).lower()
    eprint = _field(entry, "eprint")
    if eprint and (prefix in ("arxiv", "") and clean_arxiv_id(eprint.removeprefix("arXiv:"))):
        return clean_arxiv_id(eprint.removeprefix("arXiv:"))
    if url and (found := arxiv_id_from_url(url)):
        return found
    for name in ("journal", "note", "howpublished"):  # "arXiv preprint arXiv:2303.06373"
        if match := _ARXIV_IN_TEXT.search(_field(entry, name)):
            if found := clean_arxiv_id(match.group(1).rstrip(".,;")):
                return found
    return None


def _published(entry: Entry) -> str | None:
    date = _field(entry, "date")  # biblatex
    if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", date):
        return date
    year = _field(entry, "year")
    if not re.match(r"^\d{4}$", year):
        return None
    month = _field(entry, "month").lower()
    number = _MONTHS.get(month[:3]) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year}-{number:02d}" if number else year


def _entry_paper(entry: Entry) -> tuple[Paper, PaperState]:
    title = _field(entry, "title")
    if not title:
        raise SourceError("", f"the BibTeX entry {entry.key!r} has no title")
    url = _field(entry, "url")
    abstract = _field(entry, "abstract")
    arxiv_id = _arxiv_id(entry, url)
    # An arXiv URL is replaced by the canonical arXiv links below.
    links = [Link(url, classify(url))] if url.startswith(("http://", "https://")) and not arxiv_id_from_url(url) else []
    links = merge_links(links, find_links(abstract))
    if arxiv_id:
        links = merge_links(links, arxiv_paper_links(arxiv_id))
    primary = _field(entry, "primaryclass")
    paper = Paper(
        id=paper_id(title, arxiv_id),
        title=title,
        abstract=abstract,
        authors=_authors(entry),
        published=_published(entry),
        source=SOURCE,
        sources=[SOURCE],
        links=links,
        categories=[primary] if primary else [],
        doi=_field(entry, "doi"),
    )
    # Zotero's arXiv keywords read "Computer Science - Machine Learning": the dash is a separator.
    keywords = re.split(r"[,;]", _field(entry, "keywords"))
    tags = [t for t in dict.fromkeys(normalise_tag(re.sub(r"\s+-\s+", " ", k)) for k in keywords) if t]
    note = entry.fields_dict["note"].value if "note" in entry.fields_dict else ""
    note = decode_latex(note).strip() if isinstance(note, str) else ""  # line breaks kept: a user's note
    note = "" if _ARXIV_IN_TEXT.match(note) else note
    return paper, PaperState(tags=tags, note=note)
