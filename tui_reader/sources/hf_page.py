"""Parse a Hugging Face papers page copied from a browser as plain text.

The rule, in order:

1. Normalise: CRLF/CR become LF; tabs, non-breaking and other Unicode spaces
   become plain spaces; every line is stripped.
2. Furniture lines are recognised one line at a time by explicit patterns and
   never become text: "new", "Subscribe", "Get trending papers in your email
   inbox!", "byAK and the research community", "Daily Papers", "Previous",
   "Next", "Upvote", "·", "[-] -", dates ("Mar 11", "Mar 11, 2025",
   "Published on Mar 11"), "Submitted by <name>" (a lone "Submitted by" also
   swallows the next line when it is a name of at most 3 words), "GitHub 1.2k",
   "arXiv Page", counts ("42", "[-] 42", "Upvote 42", "3 comments"),
   "· 12 authors", and author lines: two or more comma-separated names of
   2-5 capitalised words each, or a "·"-separated line made only of names,
   dates and "N authors" with at least one date or "N authors" (its names are
   authors when there are two or more, or an "N authors").
3. The remaining lines are split into blocks at blank lines and at furniture
   lines.  A block is a TITLE when it is a single line of at most 300
   characters, contains a letter and no URL, and does not read as prose: it
   does not end with ". : ; ," and has no sentence break (". X", except after
   abbreviations such as "vs." or "e.g." and initials).  Every other block is
   an abstract paragraph of the title above it (whitespace collapsed;
   paragraphs joined with a blank line); paragraphs before the first title
   are dropped.  A title followed directly by another title has no abstract.
4. Furniture data belongs to the paper above it (authors, "Upvote N" as
   upvotes, "N comments" or an unlabelled number as comments), except that a
   count directly followed by a title is that title's upvote count (the
   upvote button sits before the title in the list view).
5. The id is the arXiv id of the HF paper link on its own line after the title
   (page exports), else of the first arXiv / HF-paper URL in the abstract, else
   a title hash; a paper listed twice is returned once, where it first appears,
   with the gaps filled from the repeat.

Site navigation, as text exports of the page carry it (each link's URL on its
own line after its text), never becomes a paper:

6. A line that is only a URL is a link, not text: an HF paper page gives the
   paper above its id; any other huggingface.co URL (menus, "Log In", the
   upvote button's login link, profiles, "#community") is dropped, and so is
   the line right before it when that line is its label ("Models", "Log In",
   "AK", an organisation's name). Known page chrome ("Hugging Face", "by",
   "and the research community", "Daily"/"Weekly"/"Monthly", a "---" front
   matter, "[", "N authors](…)") is furniture.
7. Titles before the first one that has something of a paper (an abstract,
   an id, authors or counts) are the page's own text (a heading, the search
   query) and are dropped, unless the page lists them again; further down, a
   title alone is still a paper.

Known limits: a short paragraph with no URL and no final period ("Code will
be released") reads as a title; a title shaped like a list of names
("Vision Transformers, Language Models") reads as an author line; a page
copied without blank lines between title and abstract glues them together.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from tui_reader.links import arxiv_id_from_url, arxiv_links, find_links, hf_link, merge_links
from tui_reader.models import Paper, paper_id

SOURCE = "hf-page"

MAX_TITLE = 300

# Tabs and exotic spaces become plain spaces; zero-width characters and BOMs vanish.
_SPACES = {ord(c): " " for c in "\t\v\f\xa0\u1680\u2028\u2029\u202f\u205f\u3000"}
_SPACES.update({cp: " " for cp in range(0x2000, 0x200B)})
_SPACES.update({ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff"})

_URL = re.compile(r"https?://", re.IGNORECASE)
_NUM = r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?[kK]|\d{1,6})"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DATE = re.compile(
    rf"^(?:(?:published|submitted)\s+on\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:,?\s+\d{{4}})?)$",
    re.IGNORECASE,
)
_FURNITURE = re.compile(
    r"^(?:new|subscribe|daily|weekly|monthly|daily papers|trending papers|previous|next|"
    r"upvote|submitted by|arxiv page|view arxiv page|view pdf|add to collection|"
    r"get trending papers in your email inbox\b.*|by\s*ak and the research community|"
    r"submitted by\s+\S.*|github(?:\s+[\d.,]+[kK]?)?|[·•\-–—]|\[-\](?:\s*-)?|"
    r"#?\s*daily papers\s*-\s*hugging face|hugging face|by|and the research community|"
    r"\d+\s+authors?\]\(\S*\)|[^\w]*)$",
    re.IGNORECASE,
)
_BARE_COUNT = re.compile(rf"^(?:\[-\]\s*)?{_NUM}$")
_UPVOTES = re.compile(rf"^(?:upvote\s+{_NUM}|{_NUM}\s+upvotes?)$", re.IGNORECASE)
_COMMENTS = re.compile(rf"^{_NUM}\s+comments?$", re.IGNORECASE)
_AUTHOR_COUNT = re.compile(rf"^[-+]?\s*{_NUM}\s+authors?$", re.IGNORECASE)
_ARROWS = "←→‹›«»<>"

_SENTENCE_BREAK = re.compile(r"(\S+)\.\s+(?=[A-Z])")
_ABBREVIATIONS = {
    "vs", "etc", "al", "e.g", "i.e", "cf", "dr", "mr", "mrs", "ms", "prof",
    "st", "no", "vol", "fig", "eq", "approx", "inc", "ltd", "jr", "sr",
}  # fmt: skip
_NAME_PARTICLES = {"de", "da", "del", "della", "der", "den", "di", "du", "dos", "van", "von", "la", "le", "bin", "al"}
_NAME_WORD = re.compile(r"^[^\W\d_][\w'’.\-]*$")


_BARE_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass
class _Draft:
    title: str
    arxiv_id: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    upvotes: int | None = None
    comments: int | None = None


DETECT_PREFIX = 200_000


def detect(text: str) -> bool:
    """True when `text` looks like a copied HF papers page: not JSON, XML/HTML or BibTeX,
    and at least one title is followed by an abstract."""
    stripped = (text or "").translate(_SPACES).strip()
    if not stripped:
        return False
    if stripped[0] == "{" or re.match(r"\[\s*[\"{\[\]]", stripped):
        return False  # JSON object or array
    if stripped[0] == "<":
        return False  # XML, Atom, HTML
    if re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", stripped, re.MULTILINE):
        return False  # BibTeX entry
    try:
        json.loads(stripped)
        return False  # any other bare JSON value
    except ValueError:
        pass
    # A page shows its shape at the top: parsing a prefix keeps detection cheap on huge files.
    return any(paper.abstract for paper in parse(stripped[:DETECT_PREFIX]))


def parse(text: str) -> list[Paper]:
    """The papers on the page, in page order."""
    drafts = _assemble(_items(text or ""))
    papers: dict[str, Paper] = {}
    in_head = True
    titles = [draft.title for draft in drafts]
    for index, draft in enumerate(drafts):
        in_head = in_head and not (draft.paragraphs or draft.arxiv_id or draft.authors) and draft.upvotes is None and draft.comments is None
        if in_head and draft.title not in titles[index + 1 :]:
            continue  # rule 7: the page's heading or search query, not a paper
        paper = _to_paper(draft)
        if paper.id in papers:
            _fill_gaps(papers[paper.id], paper)
        else:
            papers[paper.id] = paper
    return list(papers.values())


def _items(text: str) -> list[tuple]:
    """Pass 1: the page as a list of ("title", str) / ("para", str) / ("count", n, label) /
    ("authors", names) / ("skip",) items, in order."""
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", text.translate(_SPACES))]
    labels = _link_labels(lines)
    items: list[tuple] = []
    block: list[str] = []
    expect = None  # what the previous furniture line announced for the next line

    def flush() -> None:
        if block:
            joined = " ".join(" ".join(block).split())
            kind = "title" if len(block) == 1 and _is_title(joined) else "para"
            items.append((kind, joined))
            block.clear()

    for number, line in enumerate(lines):
        if not line:
            flush()
            continue
        if _BARE_URL.match(line) and "huggingface.co" in line.lower():
            flush()
            paper = arxiv_id_from_url(line) if "#" not in line else None
            if paper:
                items.append(("paper", paper))
            expect = None
            continue
        if expect == "upvotes" and _BARE_COUNT.match(line):
            items.append(("count", _to_int(_BARE_COUNT.match(line).group(1)), "upvotes"))
            expect = None
            continue
        if expect == "submitter" and len(line) <= 40 and len(line.split()) <= 3:
            items.append(("skip",))  # the user name under a lone "Submitted by"
            expect = None
            continue
        expect = None
        item = _furniture(line)
        if item is None and number in labels:
            item = ("skip",)
        if item is None:
            block.append(line)
            continue
        flush()
        items.append(item)
        lowered = line.casefold()
        expect = {"upvote": "upvotes", "submitted by": "submitter"}.get(lowered)
    flush()
    return items


def _link_labels(lines: list[str]) -> set[int]:
    """Numbers of the lines that are the text of an HF site link: the line before a bare
    huggingface.co URL that is not a paper page (rule 6)."""
    labels, previous = set(), None
    for number, line in enumerate(lines):
        if not line:
            continue
        if _BARE_URL.match(line) and "huggingface.co" in line.lower() and previous is not None:
            if not arxiv_id_from_url(line) and not _BARE_URL.match(lines[previous]):
                labels.add(previous)
        previous = number
    return labels


def _furniture(line: str) -> tuple | None:
    """The item a furniture line stands for, or None when the line is page text."""
    if match := _UPVOTES.match(line):
        return ("count", _to_int(match.group(1) or match.group(2)), "upvotes")
    if match := _COMMENTS.match(line):
        return ("count", _to_int(match.group(1)), "comments")
    if match := _BARE_COUNT.match(line):
        return ("count", _to_int(match.group(1)), None)
    bare = line.strip(_ARROWS + " ")
    if _FURNITURE.match(bare) or _DATE.match(bare) or _AUTHOR_COUNT.match(bare):
        return ("skip",)
    if listed := _names(line, min_words=2):
        return ("authors", listed)
    if "·" in line:
        # "Alice Smith, Bob Jones · 12 authors", "Kandinsky Lab · Published on Mar 11"
        names: list[str] = []
        markers: set[str] = set()
        for segment in filter(None, (s.strip() for s in line.split("·"))):
            if _DATE.match(segment):
                markers.add("date")
            elif _AUTHOR_COUNT.match(segment):
                markers.add("count")
            elif found := _names(segment, min_words=1, min_names=1):
                names += found
            else:
                return None  # some segment is real text: the line is not furniture
        if not markers:
            return None  # "A · B" with no date or author count could be a title
        # A lone name beside a date is the submitting organisation, not the authors.
        if names and ("count" in markers or len(names) >= 2):
            return ("authors", names)
        return ("skip",)
    return None


def _names(text: str, min_words: int, min_names: int = 2) -> list[str]:
    """The names of a comma-separated list of personal names, or [] when `text` is not one."""
    parts = [re.sub(r"^and\s+", "", p.strip()) for p in text.split(",")]
    if len(parts) < min_names:
        return []
    for part in parts:
        words = part.split()
        if not min_words <= len(words) <= 5:
            return []
        for word in words:
            if not _NAME_WORD.match(word):
                return []
            if not word[0].isupper() and word not in _NAME_PARTICLES:
                return []
    return parts


def _is_title(text: str) -> bool:
    if len(text) > MAX_TITLE or _URL.search(text) or not any(c.isalpha() for c in text):
        return False
    if text.endswith((".", ":", ";", ",")):
        return False
    for match in _SENTENCE_BREAK.finditer(text):
        word = match.group(1).lstrip("(\"'").casefold()
        if len(word) > 1 and word not in _ABBREVIATIONS:
            return False  # ". X" inside: prose, not a title
    return True


def _assemble(items: list[tuple]) -> list[_Draft]:
    """Pass 2: attach paragraphs and furniture data to the titles."""
    drafts: list[_Draft] = []
    current: _Draft | None = None
    pending_upvotes: int | None = None
    for index, item in enumerate(items):
        kind = item[0]
        next_is_title = index + 1 < len(items) and items[index + 1][0] == "title"
        if kind == "title":
            current = _Draft(item[1], upvotes=pending_upvotes)
            drafts.append(current)
            pending_upvotes = None
        elif kind == "para" and current:
            current.paragraphs.append(item[1])
        elif kind == "paper" and current and current.arxiv_id is None:
            current.arxiv_id = item[1]
        elif kind == "authors" and current and not current.authors:
            current.authors = item[1]
        elif kind == "count":
            value, label = item[1], item[2]
            if next_is_title and label != "comments":
                pending_upvotes = value
            elif current and label == "upvotes":
                current.upvotes = value
            elif current:
                current.comments = value
    return drafts


def _to_paper(draft: _Draft) -> Paper:
    abstract = "\n\n".join(draft.paragraphs)
    found = find_links(abstract)
    arxiv_id = draft.arxiv_id or next((aid for link in found if (aid := arxiv_id_from_url(link.url))), None)
    links = merge_links(found, arxiv_links(arxiv_id), [hf_link(arxiv_id)]) if arxiv_id else found
    return Paper(
        id=paper_id(draft.title, arxiv_id),
        title=draft.title,
        abstract=abstract,
        authors=draft.authors,
        source=SOURCE,
        sources=[SOURCE],
        links=links,
        upvotes=draft.upvotes,
        comments=draft.comments,
    )


def _fill_gaps(first: Paper, repeat: Paper) -> None:
    first.abstract = first.abstract or repeat.abstract
    first.authors = first.authors or repeat.authors
    first.upvotes = repeat.upvotes if first.upvotes is None else first.upvotes
    first.comments = repeat.comments if first.comments is None else first.comments
    first.links = merge_links(first.links, repeat.links)


def _to_int(value: str) -> int:
    value = value.replace(",", "")
    if value[-1] in "kK":
        return round(float(value[:-1]) * 1000)
    return int(value)
