"""One rule for reading a paper id the way users paste it, for every command and the app's search.

`2006.11239`, `2006.11239v2`, `arXiv:2006.11239`, `https://arxiv.org/abs/2006.11239`, its PDF URL,
`https://huggingface.co/papers/2006.11239`, the arXiv DOI `10.48550/arXiv.2006.11239`, another DOI
the paper's record carries, and a former (title) id all name the same paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tui_reader.links import arxiv_id_from_url
from tui_reader.models import Paper, clean_arxiv_id

_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


def id_candidates(text: str) -> list[str]:
    """The ids `text` may name, most likely first (the text itself last but one, then lowercased)."""
    text = text.strip()
    found: list[str] = []
    if "://" in text and not _DOI_PREFIX.match(text):
        found.append(arxiv_id_from_url(text) or "")
    bare = _ARXIV_PREFIX.sub("", text)
    doi = doi_of(bare)
    if doi:
        arxiv_doi = _ARXIV_DOI.match(doi)
        if arxiv_doi:
            found.append(clean_arxiv_id(arxiv_doi.group(1)) or "")
    found.append(clean_arxiv_id(bare) or "")
    found += [text, bare, text.lower()]
    return [candidate for candidate in dict.fromkeys(found) if candidate]


def doi_of(text: str) -> str | None:
    """The DOI in `text` (`10.1000/xyz`, `doi:10.1000/xyz`, a doi.org URL), lowercased, else None."""
    doi = _DOI_PREFIX.sub("", text.strip())
    return doi.lower() if doi.startswith("10.") and "/" in doi else None


def find_paper_id(text: str, papers: Mapping[str, Paper], aliases: Mapping[str, str],
                  dois: Iterable[tuple[str, str]] = ()) -> str | None:
    """The current id of the paper `text` names, or None. `dois` ((paper id, DOI) pairs) is
    consulted only when `text` is a DOI that is not arXiv's own."""
    for candidate in id_candidates(text):
        if candidate in papers:
            return candidate
        if candidate in aliases:
            return aliases[candidate]
    doi = doi_of(_ARXIV_PREFIX.sub("", text.strip()))
    if doi:
        for pid, paper_doi in dois:
            if paper_doi.lower() == doi:
                return pid
    return None
