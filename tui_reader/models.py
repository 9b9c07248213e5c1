"""The records everything else passes around: Paper, Link, PaperState, and the paper-id rule."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from collections.abc import Callable
from typing import Any

import msgspec

LINK_KINDS = ("code", "project", "arxiv", "pdf", "hf", "doi", "video", "data")

# New-style arXiv ids (2303.06373, 0704.0001) and old-style ones (hep-th/9901001, math.GT/0309136).
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]+(?:\.[A-Za-z\-]{2,})?/\d{7}"
ARXIV_ID_PATTERN = rf"(?:{_ARXIV_NEW}|{_ARXIV_OLD})"
_ARXIV_ID_RE = re.compile(rf"^({ARXIV_ID_PATTERN})(?:v\d+)?$")


@dataclass(slots=True, frozen=True)
class Link:
    url: str
    kind: str  # one of LINK_KINDS

    def to_dict(self) -> dict[str, str]:
        return {"url": self.url, "kind": self.kind}


@dataclass(slots=True)
class Paper:
    """One paper in the catalog. Only `id` and `title` are required; richer sources fill the rest."""

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None  # ISO date, YYYY-MM-DD
    source: str = ""  # the source that last contributed, e.g. "hf-page", "hf-api", "arxiv"
    sources: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    upvotes: int | None = None
    comments: int | None = None
    keywords: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    github_stars: int | None = None
    ai_summary: str = ""
    arxiv_comment: str = ""
    doi: str = ""
    submitted: str | None = None  # HF "submitted on daily" date
    journal_ref: str = ""  # arXiv's journal_ref
    affiliations: dict[str, list[str]] = field(default_factory=dict)  # author -> affiliations (arXiv)
    entry_type: str = ""  # the BibTeX entry type (article, inproceedings, …); "" when not from BibTeX
    cite_key: str = ""  # the BibTeX key it came with
    bibtex: dict[str, str] = field(default_factory=dict)  # its BibTeX fields as written, for export
    # Kept by the library, not by sources:
    aliases: list[str] = field(default_factory=list)  # former ids (a title id before the arXiv id)
    added: str = ""  # ISO time of the import that first brought the paper in
    batch: int = 0  # which import that was (1, 2, ...); newest import lists first
    seq: int = 0  # position within that import, in the source's own order

    @property
    def arxiv_id(self) -> str | None:
        return self.id if is_arxiv_id(self.id) else None

    def links_of(self, kind: str) -> list[Link]:
        return [link for link in self.links if link.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["links"] = [link.to_dict() for link in self.links]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """A record from a file, refusing wrong types with ValueError (an author list given as
        text would otherwise read as one author per character). Unknown keys are dropped."""
        values = {}
        for key, value in data.items():
            check = _PAPER_CHECKS.get(key)
            if check is None:
                continue
            if not check(value):
                raise ValueError(f"{key} is {type(value).__name__}")
            values[key] = value
        values["links"] = [Link(link["url"], link["kind"]) for link in data.get("links", [])]
        return cls(**values)


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _links(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(link, dict) and _text(link.get("url")) and link.get("kind") in LINK_KINDS for link in value
    )


def _affiliations(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and _texts(v) for k, v in value.items())


def _text_fields(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


_PAPER_CHECKS: dict[str, Callable[[Any], bool]] = {
    "id": _text, "title": _text, "abstract": _text, "authors": _texts, "published": _optional(_text),
    "source": _text, "sources": _texts, "links": _links, "upvotes": _optional(_count),
    "comments": _optional(_count), "keywords": _texts, "categories": _texts,
    "github_stars": _optional(_count), "ai_summary": _text, "arxiv_comment": _text, "doi": _text,
    "submitted": _optional(_text), "journal_ref": _text, "affiliations": _affiliations,
    "entry_type": _text, "cite_key": _text, "bibtex": _text_fields, "aliases": _texts, "added": _text, "batch": _count, "seq": _count,
}  # fmt: skip


class PaperState(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """What the user did with a paper. Kept in the small state file, never in the catalog.
    A msgspec Struct: the state file's records are checked and made in C as it is read, and
    written with only the fields that differ from a fresh state (as to_dict gives them). An
    unknown key is refused there (it is checked nowhere: a damaged byte in it would pass), and
    dropped by states_from_docs."""

    read: bool = False
    starred: bool = False
    tags: list[str] = []  # msgspec gives each state its own empty list
    note: str = ""
    read_at: str | None = None
    starred_at: str | None = None
    updated: str | None = None
    hidden: bool = False  # out of every view but "Hidden" (d in the app, `tui-reader hide`)

    def is_default(self) -> bool:
        return not (self.read or self.starred or self.tags or self.note or self.hidden)

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that differ from a fresh state: the state file is rewritten on every
        action, and half its bytes were defaults (from_dict fills them back in). Written out
        field by field: a bulk mark-read encodes 10,000 of them at once."""
        data: dict[str, Any] = {}
        if self.read:
            data["read"] = self.read
        if self.starred:
            data["starred"] = self.starred
        if self.tags:
            data["tags"] = self.tags
        if self.note:
            data["note"] = self.note
        if self.read_at is not None:
            data["read_at"] = self.read_at
        if self.starred_at is not None:
            data["starred_at"] = self.starred_at
        if self.updated is not None:
            data["updated"] = self.updated
        if self.hidden:
            data["hidden"] = self.hidden
        return data

    def copy(self) -> PaperState:
        """A copy with its own tag list."""
        return PaperState(self.read, self.starred, list(self.tags), self.note, self.read_at,
                          self.starred_at, self.updated, self.hidden)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaperState:
        """A state record, refusing wrong types with ValueError (`"tags": "ml"` would otherwise read
        as tags m, l, and `"starred": "no"` as starred). Unknown keys are dropped."""
        return states_from_docs({"": data})[""]


def states_from_docs(docs: dict[str, dict[str, Any]]) -> dict[str, PaperState]:
    """Each record of a state table as a PaperState, checked as from_dict says; ValueError naming
    the first wrong field. One call in C for the whole table: a big library loads 180,000 at open."""
    try:
        return msgspec.convert(docs, dict[str, PaperState])
    except msgspec.ValidationError:
        pass
    known = PaperState.__struct_fields__
    docs = {pid: {k: v for k, v in doc.items() if k in known} if isinstance(doc, dict) else doc for pid, doc in docs.items()}
    try:
        return msgspec.convert(docs, dict[str, PaperState])
    except msgspec.ValidationError as error:
        raise ValueError(_wrong_field(error)) from None


def _wrong_field(error: msgspec.ValidationError) -> str:
    """msgspec's "Expected `bool`, got `str` - at `$[...].starred`" as "starred is str"."""
    message = str(error)
    field_name = message.rpartition("`$[...]")[2].strip("`.").split("[")[0]
    got = message.partition("got `")[2].partition("`")[0]
    if field_name == "tags" and "`$[...].tags[" in message:
        return "a tag is not text"
    if field_name and got:
        return f"{field_name} is {got}"
    return message


def normalise_title(title: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a title, for matching the same paper.
    An ASCII title skips NFKD and casefold, which change nothing in it but case and dominated a
    large import."""
    if title.isascii():
        return " ".join(_WORD_RE.findall(title.lower()))
    text = unicodedata.normalize("NFKD", title)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(_WORD_RE.findall(text))


_WORD_RE = re.compile(r"\w+")


def title_id(title: str) -> str:
    """Stable id for a paper with no known arXiv id: a hash of its normalised title."""
    digest = hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()
    return f"t-{digest[:12]}"


def is_arxiv_id(value: str) -> bool:
    return bool(_ARXIV_ID_RE.match(value))


def clean_arxiv_id(value: str) -> str | None:
    """`2303.06373v2` -> `2303.06373`; `hep-th/9901001v1` -> `hep-th/9901001`; else None."""
    value = value.strip()
    match = _ARXIV_ID_RE.match(value)
    return match.group(1) if match else None


def paper_id(title: str, arxiv_id: str | None = None) -> str:
    """The id rule: the arXiv id without version where known, else a title id."""
    if arxiv_id:
        cleaned = clean_arxiv_id(arxiv_id)
        if cleaned:
            return cleaned
    return title_id(title)


def normalise_tag(tag: str) -> str:
    """Tags are lowercase words; inner whitespace becomes '-'; a leading '#' (the app shows tags
    as #vision, so users type it) is not part of the tag."""
    return "-".join(tag.strip().lstrip("#").lower().split())
