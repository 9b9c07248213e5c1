"""arXiv API responses: Atom feeds from `{base}/api/query`, saved or fetched.

XML is parsed with defusedxml, so entity bombs and external entities in a file are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from tui_reader.errors import SourceError
from tui_reader.links import arxiv_id_from_url, arxiv_links, find_links, hf_link, merge_links
from tui_reader.models import Link, Paper, paper_id

SOURCE = "arxiv"

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_ERROR_ID = "arxiv.org/api/errors"


@dataclass
class Feed:
    papers: list[Paper]
    total: int | None  # opensearch:totalResults, when the feed says
    start: int


def unwrap(text: str | None) -> str:
    """Join hard-wrapped lines; a blank line still separates paragraphs."""
    if text and "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip()  # already one clean line: most API fields
    paragraphs = re.split(r"\n\s*\n", (text or "").strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def arxiv_paper_links(arxiv_id: str) -> list[Link]:
    """Abstract and PDF pages; the HF paper page too, which exists only for new-style ids."""
    links = arxiv_links(arxiv_id)
    return links if "/" in arxiv_id else [*links, hf_link(arxiv_id)]


def detect(text: str) -> bool:
    # Any XML is ours to read or to refuse with a precise message (an RSS feed, an HTML page…).
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def parse(text: str) -> list[Paper]:
    return parse_feed(text).papers


def parse_feed(text: str) -> Feed:
    root = _parse_xml(text)
    if root.tag != f"{ATOM}feed":
        raise SourceError("", f"XML, but not an Atom feed (the root element is <{_local(root.tag)}>)")
    entries = root.findall(f"{ATOM}entry")
    papers = []
    for number, entry in enumerate(entries, 1):
        entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
        if _ERROR_ID in entry_id:
            raise SourceError("", f"the arXiv API answered with an error: {unwrap(entry.findtext(f'{ATOM}summary'))}")
        papers.append(_entry_paper(entry, number))
    return Feed(papers, _int(root.findtext(f"{OPENSEARCH}totalResults")), _int(root.findtext(f"{OPENSEARCH}startIndex")) or 0)


def _parse_xml(text: str) -> Element:
    try:
        return fromstring(text.lstrip("\ufeff \t\r\n").encode("utf-8"))
    except DefusedXmlException as error:
        raise SourceError("", f"refused unsafe XML ({error})") from None
    except ParseError as error:
        raise SourceError("", f"not well-formed XML ({error})") from None


def _entry_paper(entry: Element, number: int) -> Paper:
    entry_id = (entry.findtext(f"{ATOM}id") or "").strip()
    title = unwrap(entry.findtext(f"{ATOM}title"))
    if not title:
        raise SourceError("", f"entry {number} has no title")
    arxiv_id = arxiv_id_from_url(entry_id)
    abstract = unwrap(entry.findtext(f"{ATOM}summary"))
    comment = unwrap(entry.findtext(f"{ARXIV}comment"))
    primary = entry.find(f"{ARXIV}primary_category")
    categories = [primary.get("term", "")] if primary is not None else []
    categories += [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    found = merge_links(find_links(comment), find_links(abstract))
    known = arxiv_paper_links(arxiv_id) if arxiv_id else _feed_links(entry)
    doi = " ".join((entry.findtext(f"{ARXIV}doi") or "").split())
    if doi:
        known = merge_links(known, [Link(f"https://doi.org/{doi.split()[0]}", "doi")])
    authors, affiliations = [], {}
    for author in entry.findall(f"{ATOM}author"):
        if name := unwrap(author.findtext(f"{ATOM}name")):
            authors.append(name)
            where = [text for a in author.findall(f"{ARXIV}affiliation") if (text := unwrap(a.text))]
            if where:
                affiliations[name] = where
    return Paper(
        id=paper_id(title, arxiv_id),
        title=title,
        abstract=abstract,
        authors=authors,
        affiliations=affiliations,
        published=(entry.findtext(f"{ATOM}published") or "").strip()[:10] or None,
        source=SOURCE,
        sources=[SOURCE],
        links=merge_links(found, known),
        categories=list(dict.fromkeys(c for c in categories if c)),
        arxiv_comment=comment,
        doi=doi,
        journal_ref=unwrap(entry.findtext(f"{ARXIV}journal_ref")),
    )


def _feed_links(entry: Element) -> list[Link]:
    """Links of an entry whose id is not an arXiv id (other Atom feeds): taken as they are."""
    return find_links(" ".join(link.get("href", "") for link in entry.findall(f"{ATOM}link")))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None
