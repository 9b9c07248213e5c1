"""The search language shared by `tui-reader list --query` and the app's `/`, and the sort orders'
names. Answering a query is search/searcher.py's job.

A query is a list of terms, all of which must hold (AND):
  word              appears in the title, abstract, authors, tags or note (case-insensitive)
  "exact phrase"    the phrase appears as written (case-insensitive)
  tag:NAME          the paper carries tag NAME
  author:NAME       an author's name contains NAME;  title:WORD  the title contains WORD
  is:starred  is:unread  is:read  is:unstarred  is:hidden
  is:new            added since the app was last closed
  has:code  has:note  has:tags  has:project  has:pdf  has:arxiv
  -TERM             any term above, negated
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from tui_reader.errors import ReaderError
from tui_reader.models import normalise_tag


class QueryError(ReaderError):
    pass


IS_VALUES = ("starred", "unstarred", "read", "unread", "hidden", "new")
HAS_VALUES = ("code", "note", "tags", "project", "pdf", "arxiv")
FIELDS = ("tag", "author", "title", "is", "has")

# The sidebar's smart views, as queries.
SMART_VIEWS: dict[str, tuple[str, str]] = {
    "inbox": ("Inbox", "is:unread"),
    "new": ("New", "is:new"),
    "starred": ("Starred", "is:starred"),
    "all": ("All", ""),
    "code": ("Has code", "has:code"),
    "notes": ("With notes", "has:note"),
    "hidden": ("Hidden", "is:hidden"),  # the only view that shows hidden papers
}

SORT_ORDERS: dict[str, str] = {
    "added": "newest added",
    "title": "title",
    "starred": "starred first",
    "upvotes": "most upvoted",
    "published": "newest published",
}


@dataclass(frozen=True, slots=True)
class Term:
    field: str  # "text", "tag", "author", "title", "is", "has"
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
