"""BibTeX export. A paper that came from BibTeX is written back as it came: its entry type, key
and fields as written (so import -> export -> import keeps every field), with the user's tags as
`keywords` and note as `note`. Any other paper is written as arXiv's own export writes it: `@misc`
with `eprint`, `archivePrefix`, `primaryClass` and `url` the paper's own page (never a code repo).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from tui_reader.latex import decode_bibtex
from tui_reader.links import first_link
from tui_reader.models import Paper, PaperState, normalise_tag
from tui_reader.sources.bibtex_reader import MONTH_MACROS, PREAMBLE_FIELD, preamble_commands

States = Mapping[str, PaperState]


_STOPWORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "at", "by", "from", "is", "are", "towards", "toward"}


def _ascii_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


def family_name(author: str) -> str:
    """'Ada Lovelace' -> 'Lovelace'; 'Lovelace, Ada' -> 'Lovelace'; 'van der Berg, Anna' -> 'van der Berg'."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0]
    words = author.split()
    return words[-1] if words else ""


def base_key(paper: Paper) -> str:
    """First author's family name + year + first significant title word: `chen2023recursive`."""
    family = _ascii_word(family_name(paper.authors[0])) if paper.authors else ""
    year = paper.published[:4] if paper.published and paper.published[:4].isdigit() else ""
    words = [w for w in (_ascii_word(w) for w in paper.title.split()) if w]
    word = next((w for w in words if w not in _STOPWORDS), words[0] if words else "")
    return f"{family}{year}{word}" or _ascii_word(paper.id) or "paper"


def citation_keys(papers: Sequence[Paper]) -> dict[str, str]:
    """Paper id -> a unique key: the key a paper came with from BibTeX, else a made one. Clashes are
    settled by paper id, not by list order, so a paper keeps its key however the view is sorted:
    the smallest id gets the bare key, the others b, c, …"""
    keys: dict[str, str] = {}
    for paper in sorted((p for p in papers if _usable_key(p.cite_key)), key=lambda p: p.id):
        if paper.cite_key not in keys.values():
            keys[paper.id] = paper.cite_key
    groups: dict[str, list[str]] = {}
    for paper in papers:
        if paper.id not in keys:
            groups.setdefault(base_key(paper), []).append(paper.id)
    taken = set(groups) | set(keys.values())
    for base, ids in groups.items():
        for index, pid in enumerate(sorted(ids)):
            key = base if index == 0 and base not in keys.values() else _suffixed(base, index, taken)
            taken.add(key)
            keys[pid] = key
    return keys


def _usable_key(key: str) -> bool:
    return bool(key) and not re.search(r"[\s,{}()\"#%'=]", key)


def _suffixed(base: str, index: int, taken: set[str]) -> str:
    while True:
        suffix, n = "", index
        while n >= 0:  # 1 -> b, 2 -> c, …, 25 -> z, 26 -> aa
            suffix = chr(ord("a") + n % 26) + suffix
            n = n // 26 - 1
        if base + suffix not in taken:
            return base + suffix
        index += 1


_MATH = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")
_TEXT_ESCAPES = {"~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def latex_escape(text: str) -> str:
    """Plain text (which may hold bits of TeX, as arXiv abstracts do) made safe as a BibTeX value:
    & % # _ and lone $ get a backslash unless they have one, ~ and ^ become text commands, $…$
    math and TeX commands are kept, and braces are balanced (BibTeX breaks on unbalanced ones)."""
    out = []
    position = 0
    for match in _MATH.finditer(text):
        out.append(_escape_plain(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_escape_plain(text[position:]))
    return balance_braces("".join(out))


def _escape_plain(text: str) -> str:
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 == len(text):
                out.append(r"\textbackslash{}")  # a final lone backslash would escape the closing brace
                break
            out.append(text[index : index + 2])  # an escape or a command: kept as it is
            index += 2
            continue
        if char in "&%#_$":
            out.append("\\" + char)
        else:
            out.append(_TEXT_ESCAPES.get(char, char))
        index += 1
    return "".join(out)


def balance_braces(text: str) -> str:
    """Drop braces that have no partner (with the backslash of an escaped one)."""
    drop: set[int] = set()
    opened: list[int] = []
    for index, char in enumerate(text):
        if char == "{":
            opened.append(index)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                drop.add(index)
    drop.update(opened)
    for index in list(drop):
        if index > 0 and text[index - 1] == "\\":
            drop.add(index - 1)
    return "".join(char for index, char in enumerate(text) if index not in drop)


def _bib_author(name: str) -> str:
    name = latex_escape(" ".join(name.split()))
    # " and " separates authors in BibTeX: a name containing it is kept whole in braces.
    return f"{{{name}}}" if re.search(r"\sand\s", name) else name


def bibtex_entry(paper: Paper, state: PaperState, key: str) -> str:
    if paper.bibtex or paper.entry_type:
        return _as_it_came(paper, state, key)
    fields: list[tuple[str, str]] = [("title", latex_escape(paper.title))]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_author(a) for a in paper.authors)))
    if paper.published and paper.published[:4].isdigit():
        fields.append(("year", paper.published[:4]))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
        if paper.categories:
            fields.append(("primaryClass", balance_braces(paper.categories[0])))
    if paper.doi:
        fields.append(("doi", balance_braces(paper.doi)))
    if url := paper_url(paper):
        fields.append(("url", balance_braces(url)))
    if paper.abstract:
        fields.append(("abstract", latex_escape(paper.abstract)))
    if state.tags:
        fields.append(("keywords", latex_escape(", ".join(state.tags))))
    if state.note.strip():
        fields.append(("note", latex_escape(state.note.strip())))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def paper_url(paper: Paper) -> str:
    """The paper's own page for `url`: arXiv abstract, HF page, DOI, project page or PDF; not code."""
    return first_link(paper.links, ("arxiv", "hf", "doi", "project", "pdf"), paper.arxiv_id)


def _as_it_came(paper: Paper, state: PaperState, key: str) -> str:
    fields = dict(paper.bibtex)
    # The user's tags are the keywords: the file's own keywords in their own words where kept.
    written = [k.strip() for k in re.split(r"[,;]", fields.pop("keywords", "")) if k.strip()]
    kept = [k for k in written if _tag_of(k) in state.tags]
    covered = {_tag_of(k) for k in kept}
    extra = [latex_escape(t) for t in state.tags if t not in covered]
    if kept == written and not extra and written:
        fields["keywords"] = paper.bibtex["keywords"]
    elif kept or extra:
        fields["keywords"] = ", ".join(kept + extra)
    if state.note.strip():
        if decode_bibtex(fields.get("note", "")).strip() != state.note.strip():
            fields["note"] = latex_escape(state.note.strip())
    elif decode_bibtex(fields.get("note", "")).strip() and not _ARXIV_NOTE.match(fields["note"]):
        del fields["note"]  # the user cleared the note it became
    if paper.arxiv_id and not any(paper.arxiv_id in value for value in fields.values()):  # learnt from arXiv since
        fields.update(eprint=paper.arxiv_id, archiveprefix="arXiv")
    fields.pop(PREAMBLE_FIELD, None)
    body = "".join(f",\n  {name} = {_value(name, value)}" for name, value in fields.items())
    return f"@{paper.entry_type or 'misc'}{{{key}{body}\n}}\n"


def _value(name: str, value: str) -> str:
    """A field value in braces; a month as BibTeX's own macro (`jan`), which is what it reads back."""
    if name == "month" and value in _MONTH_MACRO:
        return _MONTH_MACRO[value]
    return f"{{{balance_braces(value)}}}"


_MONTH_MACRO = {text: macro for macro, text in MONTH_MACROS.items()}
_ARXIV_NOTE = re.compile(r"\s*arXiv:", re.IGNORECASE)


def _tag_of(keyword: str) -> str:
    return normalise_tag(re.sub(r"\s+[-–]\s+", " ", decode_bibtex(keyword)))


def preamble(papers: Sequence[Paper]) -> str:
    """One @preamble with the commands the entries use (`\\providecommand{\\MaxMinAntSystem}{…}`)."""
    commands: dict[str, str] = {}
    for paper in papers:
        commands.update(preamble_commands(paper.bibtex.get(PREAMBLE_FIELD, "")))
    if not commands:
        return ""
    body = " ".join(f"\\providecommand{{\\{name}}}{{{value}}}" for name, value in sorted(commands.items()))
    return f"@preamble{{{{{body}}}}}\n\n"


def _state(states: States, pid: str) -> PaperState:
    return states.get(pid) or PaperState()


def to_bibtex(papers: Sequence[Paper], states: States) -> str:
    """Entries another entry's `crossref` names come last, as BibTeX needs."""
    keys = citation_keys(papers)
    parents = {p.bibtex.get("crossref", "").strip().lower() for p in papers} - {""}
    ordered = [p for p in papers if keys[p.id].lower() not in parents] + [p for p in papers if keys[p.id].lower() in parents]
    return preamble(papers) + "\n".join(bibtex_entry(p, _state(states, p.id), keys[p.id]) for p in ordered)
