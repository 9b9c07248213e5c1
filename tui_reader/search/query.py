"""The search language shared by `tui-reader list --query` and the app's `/`, and the sort orders'
names. Answering a query is search/searcher.py's job.

A query is a list of terms, all of which must hold (AND):
  word              appears in the title, abstract, authors, tags or note (case-insensitive)
  "exact phrase"    the phrase appears as written (case-insensitive)
  tag:NAME          the paper carries tag NAME
  author:NAME       an author's name contains NAME;  title:WORD  the title contains WORD
  cat:PREFIX        an arXiv category starts with PREFIX (cat:cs.LG, or cat:cs for all of cs)
  is:starred  is:unread  is:read  is:unstarred  is:hidden
  is:new            added since the app was last closed
  has:code  has:note  has:tags  has:project  has:pdf  has:arxiv
  -TERM             any term above, negated
"""

from __future__ import annotations

import shlex

import msgspec

from tui_reader.errors import ReaderError
from tui_reader.models import PaperState, normalise_tag


class QueryError(ReaderError):
    pass


IS_VALUES = ("starred", "unstarred", "read", "unread", "hidden", "new")
HAS_VALUES = ("code", "note", "tags", "project", "pdf", "arxiv")
FIELDS = ("tag", "author", "title", "cat", "is", "has")

# The language, one row per kind of term: the app's help, `list --help` and the README's table
# (a test keeps it equal) are made from it.
SEARCH_TERMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("word",), "title, abstract, authors, tags or note contain it (any case); a paper id in any form finds that paper"),
    (('"exact phrase"',), "the phrase appears"),
    (("tag:NAME",), "the paper has tag NAME"),
    (("author:NAME", "title:WORD"), "an author / the title contains it"),
    (("cat:cs.LG",), "an arXiv category starts with it (cat:cs: all of computer science)"),
    (tuple(f"is:{value}" for value in IS_VALUES), "the paper is starred, not starred, read, unread; hidden (`d`); new: added since the app was last closed"),
    (tuple(f"has:{value}" for value in HAS_VALUES), "it has a code-repo link, a note, tags, a project page, a PDF link, an arXiv link"),
    (("-TERM",), "negates any term"),
)


def search_terms_markdown() -> str:
    """The README's table of SEARCH_TERMS."""
    rows = ["| term | matches |", "| --- | --- |"]
    rows += [f"| {' '.join(f'`{term}`' for term in terms)} | {meaning} |" for terms, meaning in SEARCH_TERMS]
    return "\n".join(rows)


def search_terms_text() -> str:
    """SEARCH_TERMS as plain lines, for `list --help` and the app's help."""
    return "\n".join(f"  {'  '.join(terms)}\n      {meaning}" for terms, meaning in SEARCH_TERMS)


# The sidebar's smart views, as queries.
SMART_VIEWS: dict[str, tuple[str, str]] = {
    "inbox": ("Inbox", "is:unread"),
    "new": ("New", "is:new"),
    "starred": ("Starred", "is:starred"),
    "all": ("All", ""),
    "code": ("Has code", "has:code"),
    "notes": ("With notes", "has:note"),
    # ranked by how much each paper resembles the starred ones (search/related.py)
    "foryou": ("For you", "is:unread is:unstarred"),
    "hidden": ("Hidden", "is:hidden"),  # the only view that shows hidden papers
}
FOR_YOU_VIEW = "foryou"

SORT_ORDERS: dict[str, str] = {
    "added": "newest added",
    "title": "title",
    "starred": "starred first",
    "upvotes": "most upvoted",
    "published": "newest published",
}


class Term(msgspec.Struct, frozen=True):
    field: str  # "text", "tag", "author", "title", "cat", "is", "has"
    value: str
    negated: bool = False


def _split(query: str) -> list[str]:
    try:
        return shlex.split(query)
    except ValueError:
        # An unclosed quote while the user is still typing: treat the quote as closed.
        return shlex.split(query + '"') if query.count('"') % 2 else query.split()


def parse_query(query: str) -> list[Term]:
    terms = []
    for token in _split(query):
        negated = token.startswith("-") and len(token) > 1
        if negated:
            token = token[1:]
        name, sep, value = token.partition(":")
        if sep and name.lower() in FIELDS and not value:
            example = {"is": "is:" + IS_VALUES[0], "has": "has:" + HAS_VALUES[0]}.get(name.lower(), f"{name.lower()}:WORD")
            raise QueryError(f"{name}: needs a value, e.g. {example}")
        if sep and name.lower() in FIELDS and value:
            name = name.lower()
            value = value.lower()
            if name == "is" and value not in IS_VALUES:
                raise QueryError(f"unknown is:{value} (try {', '.join('is:' + v for v in IS_VALUES)})")
            if name == "has" and value not in HAS_VALUES:
                raise QueryError(f"unknown has:{value} (try {', '.join('has:' + v for v in HAS_VALUES)})")
            if name == "tag":
                value = normalise_tag(value)
            terms.append(Term(name, value, negated))
        elif token:
            terms.append(Term("text", token.lower(), negated))
    return terms


def state_term_holds(term: Term, state: PaperState) -> bool | None:
    """Whether `term` holds for a paper in `state`; None for a term that does not depend on the
    state alone (words, links, authors)."""
    value = term.value
    if term.field == "is" and value != "new":  # new: since the last visit, not a state
        held = {"starred": state.starred, "unstarred": not state.starred, "read": state.read, "unread": not state.read}[value]
    elif term.field == "tag":
        held = value in state.tags
    elif term.field == "has" and value in ("note", "tags"):
        held = bool(state.note.strip()) if value == "note" else bool(state.tags)
    else:
        return None
    return held != term.negated
