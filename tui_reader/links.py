"""Find URLs in free text and classify them by what they point at: code repo, arXiv, PDF, HF paper
page, DOI, video, data set, else project page. The same rule for every source (HF `projectPage`
and `githubRepo`, arXiv comments, abstracts, BibTeX `url`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tui_reader.models import ARXIV_ID_PATTERN, Link

_URL_RE = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
# Characters that end a sentence or a clause rather than the URL.
_TRAILING = ".,;:!?'\"*>»”’`"
_BRACKETS = {")": "(", "]": "[", "}": "{"}

_CODE_HOSTS = {
    "github.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "git.sr.ht",
    "sourceforge.net",
    "gitee.com",
}
_ARXIV_HOSTS = {"arxiv.org", "export.arxiv.org"}
_DOI_HOSTS = {"doi.org", "dx.doi.org"}
_VIDEO_HOSTS = {"youtube.com", "youtu.be", "m.youtube.com", "vimeo.com", "bilibili.com", "b23.tv", "player.vimeo.com"}
_DATA_HOSTS = {"zenodo.org", "figshare.com", "datadryad.org", "dataverse.harvard.edu", "data.mendeley.com"}
_PAPER_FILE = re.compile(r"\.(?:pdf|ps|ps\.gz|djvu)$", re.IGNORECASE)
_ARXIV_ID_IN_PATH = re.compile(rf"/(?:abs|pdf)/({ARXIV_ID_PATTERN})(?:v\d+)?(?:\.pdf)?$")
_HF_PAPER_PATH = re.compile(rf"^/papers/({ARXIV_ID_PATTERN})(?:v\d+)?$")


def strip_trailing_punctuation(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a URL."""
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _BRACKETS and url.count(last) > url.count(_BRACKETS[last]):
            url = url[:-1]
        else:
            break
    return url


# scheme://[user@]host[:port]path — what urlsplit finds, at a fraction of its cost per link.
_HOST_AND_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::[^/?#]*)?([^?#]*)")


def host_and_path(url: str) -> tuple[str, str]:
    """The lowercase host without 'www.' and the path without a trailing '/'."""
    match = _HOST_AND_PATH.match(url)
    if not match:
        return "", ""
    return match.group(1).strip("[]").lower().removeprefix("www."), match.group(2).rstrip("/")


def classify(url: str) -> str:
    """One of LINK_KINDS: code, arxiv, pdf, hf, doi, video, data, project."""
    return _classify(*host_and_path(url))


def _classify(host: str, path: str) -> str:
    segments = [s for s in path.split("/") if s]
    if host in _CODE_HOSTS:
        return "code" if segments else "project"
    if host == "huggingface.co":
        if segments[:1] == ["papers"]:
            return "hf"
        if segments[:1] == ["datasets"] and len(segments) >= 3:
            return "data"
        if segments[:1] == ["spaces"] and len(segments) >= 3:
            return "code"
        if len(segments) == 2 and segments[0] not in ("docs", "blog", "learn", "posts", "collections"):
            return "code"  # a model repo: huggingface.co/{owner}/{model}
        return "project"
    if host in _ARXIV_HOSTS:
        return "pdf" if segments[:1] in (["pdf"], ["ps"]) else "arxiv"
    if host in _DOI_HOSTS:
        return "doi"
    if host in _VIDEO_HOSTS:
        return "video"
    if host in _DATA_HOSTS or (host == "kaggle.com" and segments[:1] == ["datasets"]):
        return "data"
    if _PAPER_FILE.search(path):
        return "pdf"
    return "project"


def find_urls(text: str) -> list[str]:
    """Every URL in `text`, in order, trailing punctuation stripped, duplicates dropped."""
    if not text or "://" not in text:  # most abstracts
        return []
    return unique(strip_trailing_punctuation(url) for url in _raw_urls(text))


def _raw_urls(text: str) -> Iterator[str]:
    """What `_URL_RE.finditer` finds, tried only where "://" is (the regex alone walks every
    character of every abstract, most of which have no URL)."""
    match = _URL_RE.match
    pos = 0
    while (at := text.find("://", pos)) >= 0:
        # the scheme is "http" or "https" right before: a match starts 4 or 5 characters back
        found = (at - 5 >= pos and match(text, at - 5)) or (at - 4 >= pos and match(text, at - 4))
        if found:
            yield found.group(0)
            pos = found.end()
        else:
            pos = at + 1


# The URLs arxiv_links and hf_link make (most links of an import): their key at once.
_CANONICAL_ARXIV_URL = re.compile(rf"https://(?:arxiv\.org/(abs|pdf)|huggingface\.co/(papers))/({ARXIV_ID_PATTERN})")
_CANONICAL_KIND = {"abs": "arxiv", "pdf": "pdf", "papers": "hf"}


def _same_link_key(url: str) -> str:
    """URLs with one key are one link: a trailing '/', http/https, or an arXiv version don't count."""
    canonical = _CANONICAL_ARXIV_URL.fullmatch(url)
    if canonical:
        return f"{_CANONICAL_KIND[canonical.group(1) or canonical.group(2)]}:{canonical.group(3)}"
    return _any_link_key(url)


def _any_link_key(url: str) -> str:
    lowered = url.lower()
    if "arxiv.org" in lowered or "huggingface.co" in lowered:  # only these hosts name arXiv ids
        host, path = host_and_path(url)
        arxiv_id = _arxiv_id(host, path)
        if arxiv_id:
            return f"{_classify(host, path)}:{arxiv_id}"
    return url.split("://", 1)[-1].rstrip("/")


def unique(urls: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    ordered = []
    for url in urls:
        key = _same_link_key(url)
        if url and key not in seen:
            seen.add(key)
            ordered.append(url)
    return ordered


def find_links(text: str) -> list[Link]:
    return [Link(url, classify(url)) for url in find_urls(text)]


def merge_links(*groups: Iterable[Link]) -> list[Link]:
    """United links of several sources, order kept, the same URL (modulo a trailing '/') once."""
    seen: set[str] = set()
    merged = []
    for group in groups:
        for link in group:
            key = _same_link_key(link.url)
            if key not in seen:
                seen.add(key)
                merged.append(link)
    return merged


def arxiv_links(arxiv_id: str) -> list[Link]:
    return [
        Link(f"https://arxiv.org/abs/{arxiv_id}", "arxiv"),
        Link(f"https://arxiv.org/pdf/{arxiv_id}", "pdf"),
    ]


def hf_link(arxiv_id: str) -> Link:
    return Link(f"https://huggingface.co/papers/{arxiv_id}", "hf")


def arxiv_id_from_url(url: str) -> str | None:
    """The versionless arXiv id named by an arXiv abs/pdf URL or an HF paper page, if any."""
    return _arxiv_id(*host_and_path(url))


def _arxiv_id(host: str, path: str) -> str | None:
    if host in _ARXIV_HOSTS:
        match = _ARXIV_ID_IN_PATH.search(path)
        return match.group(1) if match else None
    if host == "huggingface.co":
        match = _HF_PAPER_PATH.match(path)
        return match.group(1) if match else None
    return None


def first_link(links: Iterable[Link], kinds: Iterable[str], arxiv_id: str | None = None) -> str:
    """The URL of the first link of the first kind that has one; among arXiv, PDF and HF links
    the paper's own (`arxiv_id`) first, before one to another paper found in its text."""
    links = list(links)
    for kind in kinds:
        found = [link for link in links if link.kind == kind]
        if arxiv_id and kind in ("arxiv", "pdf", "hf"):
            found.sort(key=lambda link: arxiv_id_from_url(link.url) != arxiv_id)
        if found:
            return found[0].url
    return ""
