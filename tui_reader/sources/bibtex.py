"""BibTeX libraries (Zotero, Better BibTeX, DBLP, papis, a lab's shared .bib files, our own export).

Every entry is kept: its type, key and fields as written (for export) and, for display and search,
its title, authors, date, DOI, arXiv id and links with the TeX decoded (`latex.decode_bibtex`; a
macro it does not know keeps its name). `@string` macros and `#` are resolved, `crossref` is
followed (missing fields come from the entry it names, as BibTeX does; `booktitle` from its title,
as biblatex does). `keywords` become tags, split only on "," and ";" (how Zotero and Better BibTeX
join them: a MeSH term such as "Child, Preschool" reads as two, the exporter gave no way to tell);
`note` becomes the paper's note.

An entry that cannot be read is skipped and reported (file, line, key); the rest imports. Several
files are read as one (`parse_files`), in the order given: put the files that define macros first.
"""

from __future__ import annotations

import re

from tui_reader.errors import SourceError
from tui_reader.latex import decode_bibtex
from tui_reader.merge import separate_works, unite_states
from tui_reader.links import arxiv_id_from_url, classify, find_links, merge_links
from tui_reader.models import Link, Paper, PaperState, clean_arxiv_id, normalise_tag, paper_id
from tui_reader.sources.arxiv import arxiv_paper_links, unwrap
from tui_reader.sources.bibtex_reader import PREAMBLE_FIELD, RawEntry, read_files

SOURCE = "bibtex"

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_ARXIV_IN_TEXT = re.compile(r"arXiv:\s*(\S+)", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# Not taken from a crossref'd entry: they describe the volume, not the paper in it.
_NOT_INHERITED = {"title", "url", "doi", "abstract", "keywords", "note", "eprint", "epub", "file", "ids", "isbn", "pdf", "annote"}
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_SKIPPED_TYPES = {"comment", "string", "preamble", "set", "xdata"}


def detect(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:1]
    return head not in ("{", "[", "<") and bool(_ENTRY_START.search(text))


def parse(text: str):
    return parse_files([("", text)])


def parse_files(texts: list[tuple[str, str]]):
    """One batch from several BibTeX files read together (macros of one used by the next)."""
    from tui_reader.sources import Batch  # the registry imports this module

    bib = read_files(texts)
    problems = list(bib.problems)
    if bib.undefined:
        names = sorted(bib.undefined, key=bib.undefined.get, reverse=True)
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        problems.append(
            f"{len(names)} @string macros are used but never defined ({shown}); they are kept as written. "
            "If another file defines them, import it together with this one, first"
        )
    by_key = {entry.key.lower(): entry for entry in bib.entries}
    papers: list[Paper] = []
    pending: list[tuple[Paper, PaperState]] = []
    for entry in bib.entries:
        if entry.type in _SKIPPED_TYPES:
            continue
        try:
            paper, state, problem = _entry_paper(entry, _inherited(entry, by_key), bib.commands)
        except (ValueError, IndexError, KeyError, RecursionError) as error:  # never a traceback
            problems.append(f"{_where(entry)}: the entry {entry.key!r} was skipped ({error})")
            continue
        if problem:
            problems.append(problem)
        pending.append((paper, state))
        papers.append(paper)
    separate_works(papers)  # before the states are keyed by id
    states: dict[str, PaperState] = {}
    for paper, state in pending:
        if state.is_default():
            continue
        if (known := states.get(paper.id)) is not None:  # one work listed twice: both states kept
            state = unite_states(known, state)
        states[paper.id] = state
    if not papers and problems:
        raise SourceError("", problems[0])
    if not papers and bib.defined:
        raise SourceError("", f"no papers here, only {bib.defined} @string macros: import this file together with the files that use them, first")
    return Batch(SOURCE, papers, states, warnings=problems)


def _where(entry: RawEntry) -> str:
    return f"{entry.file}, line {entry.line}" if entry.file else f"line {entry.line}"


def _inherited(entry: RawEntry, by_key: dict[str, RawEntry]) -> dict[str, str]:
    """The entry's fields, with what its crossref (and that one's crossref) adds."""
    fields = dict(entry.fields)
    seen = {entry.key.lower()}
    parent_key = fields.get("crossref", "").strip().lower()
    while parent_key and parent_key not in seen and (parent := by_key.get(parent_key)):
        seen.add(parent_key)
        for name, value in parent.fields.items():
            if name not in _NOT_INHERITED and name != "crossref":
                fields.setdefault(name, value)
        if "title" in parent.fields:
            fields.setdefault("booktitle", parent.fields["title"])
        parent_key = parent.fields.get("crossref", "").strip().lower()
    return fields


def url_text(value: str) -> str:
    """A URL as written in BibTeX with its escapes undone, and nothing else decoded."""
    value = value.strip()
    if "\\" in value:
        value = _URL_MACRO.sub(r"\1", value)
        value = _TILDE.sub("~", value)
        value = _ESCAPED.sub(r"\1", value)
    return value.replace("{", "").replace("}", "").strip()


_URL_MACRO = re.compile(r"\\url\{([^{}]*)\}")
_TILDE = re.compile(r"\\(?:textasciitilde|~)(?:\{\})?|\{\\textasciitilde\}|\{\\~\}")
_ESCAPED = re.compile(r"\\([_%#&$])")
_NAME_SEPARATOR = re.compile(r"[{}]|\s+and\s+", re.IGNORECASE)
_COMMAND_NAME = re.compile(r"\\([A-Za-z]+)")
_KEYWORD_SEPARATOR = re.compile(r"[,;]")
_SPACED_DASH = re.compile(r"\s+[-–]\s+")


def bare_doi(value: str) -> str:
    return _DOI_PREFIX.sub("", url_text(value)).strip()


def _entry_paper(entry: RawEntry, fields: dict[str, str], commands: dict[str, str]) -> tuple[Paper, PaperState, str]:
    def text(name: str) -> str:
        return unwrap(decode_bibtex(fields.get(name, ""), commands))

    problem = ""
    title = text("title")
    if not title:
        title = text("booktitle") if entry.type in ("proceedings", "book", "collection") else ""
    if not title:
        title = entry.key or f"untitled {entry.type} at line {entry.line}"
        problem = f"{_where(entry)}: the entry {entry.key!r} has no title; it was imported under its key"
    url = url_text(fields.get("url", ""))
    abstract = text("abstract")
    arxiv_id = _arxiv_id(fields, url, text)
    doi = bare_doi(fields.get("doi", ""))
    links = [Link(url, classify(url))] if url.startswith(("http://", "https://")) and not arxiv_id_from_url(url) else []
    for name in ("epub", "howpublished", "pdf"):
        links = merge_links(links, find_links(url_text(fields.get(name, ""))))
    links = merge_links(links, find_links(abstract))
    if arxiv_id:
        links = merge_links(links, arxiv_paper_links(arxiv_id))
    if doi and not any(link.kind == "doi" for link in links):
        links = merge_links(links, [Link(f"https://doi.org/{doi}", "doi")])
    primary = text("primaryclass")
    authors = _names(fields.get("author", ""), commands) or _names(fields.get("editor", ""), commands)
    paper = Paper(
        id=paper_id(title, arxiv_id),
        title=title,
        abstract=abstract,
        authors=authors,
        published=_published(text),
        source=SOURCE,
        sources=[SOURCE],
        links=links,
        categories=[primary] if primary else [],
        doi=doi,
        entry_type=entry.type,
        cite_key=entry.key,
        bibtex=_kept_fields(entry, commands),
    )
    keywords = _KEYWORD_SEPARATOR.split(text("keywords"))
    # Zotero's arXiv keywords read "Computer Science - Machine Learning": the dash is a separator.
    tags = [t for t in dict.fromkeys(normalise_tag(_SPACED_DASH.sub(" ", k)) for k in keywords) if t]
    note = decode_bibtex(fields["note"], commands).strip() if "note" in entry.fields else ""  # line breaks kept
    note = "" if _ARXIV_IN_TEXT.match(note) else note
    return paper, PaperState(tags=tags, note=note), problem


def _kept_fields(entry: RawEntry, commands: dict[str, str]) -> dict[str, str]:
    """The entry's fields as written, and the @preamble commands they use (so an export of the
    entry alone still defines them)."""
    fields = dict(entry.fields)
    if commands:
        used = {name for value in fields.values() if "\\" in value for name in _COMMAND_NAME.findall(value)}
        definitions = " ".join(f"\\providecommand{{\\{n}}}{{{commands[n]}}}" for n in sorted(used) if n in commands)
        if definitions:
            fields[PREAMBLE_FIELD] = definitions
    return fields


def split_names(value: str) -> list[str]:
    """The names of an author or editor field, split on "and" outside braces."""
    names, depth, start = [], 0, 0
    for match in _NAME_SEPARATOR.finditer(value):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            names.append(value[start : match.start()])
            start = match.end()
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


def _names(value: str, commands: dict[str, str]) -> list[str]:
    people = []
    for raw in split_names(" ".join(value.split())):
        if raw.lower() == "others":
            continue
        name = _display_name(raw)
        decoded = unwrap(decode_bibtex(name, commands))
        if decoded:
            people.append(decoded)
    return people


def _display_name(raw: str) -> str:
    """"Last, First" / "Last, Jr, First" / biblatex "family=…, given=…" as "First Last"."""
    parts = _top_level_split(raw, ",")
    if len(parts) > 1 and all("=" in p for p in parts if p.strip()):  # biblatex extended name format
        named = {}
        for part in parts:
            key, _, value = part.partition("=")
            named[key.strip().lower()] = value.strip().strip('"')
        prefix, family = named.get("prefix", ""), named.get("family", "")
        family = f"{prefix}{family}" if prefix.endswith(("-", "'", "’")) else " ".join(w for w in (prefix, family) if w)
        name = " ".join(w for w in (named.get("given", ""), family) if w)
        return f"{name}, {named['suffix']}" if named.get("suffix") else name
    parts = [p.strip() for p in parts]
    if len(parts) == 1:
        return parts[0]
    last, rest = parts[0], [p for p in parts[1:] if p]
    if not rest:
        return last  # "Weilbach," : a family name alone
    first = rest[-1]
    junior = rest[0] if len(rest) > 1 else ""
    return f"{first} {last}, {junior}" if junior else f"{first} {last}"


def _top_level_split(value: str, separator: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(value):
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif char == separator and depth == 0:
            parts.append(value[start:index])
            start = index + 1
    parts.append(value[start:])
    return parts


def _arxiv_id(fields: dict[str, str], url: str, text) -> str | None:
    prefix = (text("archiveprefix") or text("eprinttype")).lower()
    eprint = url_text(fields.get("eprint", "")).removeprefix("arXiv:").removeprefix("arxiv:")
    if eprint and prefix in ("arxiv", "") and (found := clean_arxiv_id(eprint)):
        return found
    if url and (found := arxiv_id_from_url(url)):
        return found
    for name in ("journal", "note", "howpublished"):  # "arXiv preprint arXiv:2303.06373"
        if match := _ARXIV_IN_TEXT.search(text(name)):
            if found := clean_arxiv_id(match.group(1).rstrip(".,;")):
                return found
    return None


def _published(text) -> str | None:
    date = text("date")  # biblatex
    if re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", date):
        return date
    year = text("year")
    if not re.match(r"^\d{4}$", year):
        return None
    month = text("month").lower()
    number = _MONTHS.get(month[:3]) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year}-{number:02d}" if number else year
