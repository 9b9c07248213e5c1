"""Fetching papers over HTTP: the Hugging Face daily-papers API and the arXiv API.

Everything is fetched before anything is returned, so a failed fetch leaves the library as it was:
callers import the returned papers only when the whole fetch succeeded. Every expected failure is
a FetchError with a one-line message.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from datetime import date as Date

from typing import TYPE_CHECKING

from tui_reader import __version__
from tui_reader.errors import FetchError, SourceError
from tui_reader.models import Paper

if TYPE_CHECKING:
    import httpx

HF_URL = "https://huggingface.co"
ARXIV_URL = "http://export.arxiv.org"
HF_URL_ENV = "TUI_READER_HF_URL"
ARXIV_URL_ENV = "TUI_READER_ARXIV_URL"
ARXIV_DELAY_ENV = "TUI_READER_ARXIV_DELAY"  # seconds between arXiv pages; 0 in tests
RETRY_WAIT_ENV = "TUI_READER_RETRY_WAIT"  # first backoff in seconds; doubles each try
ARXIV_DELAY = 3.0  # arXiv asks for one request every 3 s
TIMEOUT = 30.0
ATTEMPTS = 4  # one try and three retries
RETRY_WAIT = 1.0
MAX_RETRY_AFTER = 60.0  # a server asking for a longer wait gets an error instead
MAX_PAGES = 200  # a server that ignores paging cannot keep us looping
HF_PAGE_SIZE = 50
ARXIV_PAGE_SIZE = 100
RETRY_STATUSES = {429, 500, 502, 503, 504}

Progress = Callable[[int, int | None], None]  # papers so far, total when known


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ[name])
    except (KeyError, ValueError):
        return default


def base_url(given: str | None, env: str, default: str) -> str:
    return (given or os.environ.get(env) or default).rstrip("/")


class Fetcher:
    """An HTTP client with timeouts, bounded retries with backoff on 429/5xx, and one-line errors."""

    def __init__(self, timeout: float = TIMEOUT, attempts: int = ATTEMPTS, retry_wait: float | None = None):
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.retry_wait = _env_float(RETRY_WAIT_ENV, RETRY_WAIT) if retry_wait is None else retry_wait
        import httpx  # here, not at the top: every start of the CLI or app would pay for it

        self.httpx = httpx
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            headers={"User-Agent": f"tui-reader/{__version__} (terminal paper reader)"},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(self, url: str, params: dict[str, str | int]) -> httpx.Response:
        host = self.httpx.URL(url).host or url
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.get(url, params=params)
            except self.httpx.TimeoutException:
                # Not retried: a server that does not answer should fail within the timeout asked for.
                raise FetchError(f"{host} did not answer within {self.timeout:g} s; try again later") from None
            except self.httpx.TransportError as error:
                raise FetchError(f"could not reach {host} ({_reason(error)}); are you offline?") from None
            if response.status_code not in RETRY_STATUSES:
                break
            wait = self._wait(response, attempt)
            if attempt == self.attempts or wait is None:
                break
            time.sleep(wait)
        if response.status_code >= 400:
            tries = f" after {attempt} tries" if attempt > 1 else ""
            reason = _error_text(response)
            said = f": {reason}" if reason else ""
            raise FetchError(f"{host} answered HTTP {response.status_code} {response.reason_phrase}{tries}{said} ({response.url})")
        return response

    def _wait(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before the next try: Retry-After when given, else exponential backoff."""
        wait = self.retry_wait * 2 ** (attempt - 1)
        header = response.headers.get("Retry-After", "").strip()
        if header:
            try:
                wait = float(header)
            except ValueError:
                from email.utils import parsedate_to_datetime  # (email loads only when a server asks to wait)

                try:
                    wait = parsedate_to_datetime(header).timestamp() - time.time()
                except (TypeError, ValueError):
                    pass
        wait = max(0.0, wait)
        return wait if wait <= MAX_RETRY_AFTER else None


def _error_text(response: httpx.Response) -> str:
    """The server's own reason, when its error body gives one: arXiv's Atom error entry (the 2026
    API answers HTTP 400 with it), or an HF JSON {"error": …}. One line, at most 200 characters."""
    from tui_reader.sources import arxiv, hf_api

    text = response.text[:100_000] if response.content else ""
    reason = ""
    if text.lstrip().startswith("<"):
        try:
            arxiv.parse_feed(text)
        except SourceError as error:
            reason = error.reason.removeprefix("the arXiv API answered with an error: ")
    elif text.lstrip().startswith("{"):
        try:
            found = hf_api.load_json(text)
            reason = found.get("error", "") if isinstance(found, dict) else ""
        except SourceError:
            pass
    reason = " ".join(str(reason).split())
    return reason[:200] if reason and "not well-formed" not in reason else ""


def _reason(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0]


# -- Hugging Face daily papers -----------------------------------------------------------------

HF_SORTS = ("publishedAt", "trending")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def hf_params(date: str | None = None, week: str | None = None, month: str | None = None, sort: str | None = None,
              submitter: str | None = None) -> dict[str, str]:
    """Validated query parameters; FetchError on a malformed date, week or month."""
    if sum(v is not None for v in (date, week, month)) > 1:
        raise FetchError("give only one of a date, a week and a month")
    params = {}
    if date is not None:
        try:
            params["date"] = Date.fromisoformat(date).isoformat()
        except ValueError:
            raise FetchError(f"not a date: {date!r} (expected YYYY-MM-DD)") from None
    if week is not None:
        if not _WEEK.match(week):
            raise FetchError(f"not a week: {week!r} (expected YYYY-Www, e.g. 2025-W11)")
        params["week"] = week
    if month is not None:
        if not _MONTH.match(month):
            raise FetchError(f"not a month: {month!r} (expected YYYY-MM)")
        params["month"] = month
    if sort is not None:
        if sort not in HF_SORTS:
            raise FetchError(f"unknown sort {sort!r} (one of {', '.join(HF_SORTS)})")
        params["sort"] = sort
    if submitter is not None:
        if not submitter.strip():
            raise FetchError("the submitter is empty (expected an HF user name)")
        params["submitter"] = submitter.strip()
    return params


def fetch_hf(
    date: str | None = None,
    week: str | None = None,
    month: str | None = None,
    sort: str | None = None,
    limit: int | None = None,
    *,
    submitter: str | None = None,
    base: str | None = None,
    timeout: float = TIMEOUT,
    page_size: int = HF_PAGE_SIZE,
    progress: Progress | None = None,
) -> list[Paper]:
    """HF daily papers, each paper once. Pages with `p`/`limit` until a short page, an empty page,
    or `limit` papers.

    With no date, week or month the API answers with its most recent papers, page after page back
    in time; we take the latest day only: its date is read from the first page, and that day is
    then fetched as if asked for. With only a `submitter`, all of that user's papers come."""
    from tui_reader.sources import hf_api  # the parsers load when first used, not with the command line

    params = hf_params(date, week, month, sort, submitter)
    url = base_url(base, HF_URL_ENV, HF_URL) + "/api/daily_papers"
    papers: dict[str, Paper] = {}
    with Fetcher(timeout) as fetcher:
        if not {"date", "week", "month", "submitter"} & params.keys():
            latest = _latest_day(fetcher, url, params)
            if latest is None:
                return []
            params["date"] = latest
        # `p` counts pages of `limit` entries, so the page size must stay the same on every page.
        size = page_size if limit is None else min(page_size, limit)
        for page in range(MAX_PAGES):
            response = fetcher.get(url, {**params, "p": page, "limit": size})
            try:
                entries = hf_api.load_json(response.text)
                if not isinstance(entries, list):
                    raise SourceError("", f"expected a JSON array, found {type(entries).__name__}")
                found = hf_api.parse_entries(entries)
            except SourceError as error:
                raise FetchError(f"{response.url}: not an HF daily-papers response ({error.reason})") from None
            before = len(papers)
            for paper in found:
                papers.setdefault(paper.id, paper)
            if progress:
                progress(len(papers), None)
            if len(entries) < size or len(papers) == before or (limit is not None and len(papers) >= limit):
                break  # a short page is the last; a page of repeats means the server ignores paging
    result = list(papers.values())
    return result[:limit] if limit is not None else result


def _latest_day(fetcher: Fetcher, url: str, params: dict[str, str]) -> str | None:
    """The newest submission day among the API's most recent papers (None: there are none)."""
    from tui_reader.sources import hf_api

    response = fetcher.get(url, {**params, "p": 0, "limit": HF_PAGE_SIZE})
    try:
        entries = hf_api.load_json(response.text)
        if not isinstance(entries, list):
            raise SourceError("", f"expected a JSON array, found {type(entries).__name__}")
        days = [paper.submitted for paper in hf_api.parse_entries(entries) if paper.submitted]
    except SourceError as error:
        raise FetchError(f"{response.url}: not an HF daily-papers response ({error.reason})") from None
    if entries and not days:
        raise FetchError(f"{response.url}: the papers carry no submission date, so the latest day is unknown; give --date")
    return max(days) if days else None


# -- arXiv -------------------------------------------------------------------------------------

ARXIV_SORTS = ("submittedDate", "lastUpdatedDate", "relevance")


def arxiv_query(query: str) -> str:
    """Plain words become `all:` terms joined by AND; arXiv syntax (`cat:cs.CV AND ti:diffusion`) is kept."""
    query = " ".join(query.split())
    if not query:
        raise FetchError("the arXiv query is empty")
    if ":" in query or re.search(r"\b(AND|OR|ANDNOT)\b", query):
        return query
    return " AND ".join(f"all:{word}" for word in query.split())


def arxiv_ids(ids: list[str]) -> list[str]:
    """arXiv ids as `id_list` takes them (a version kept if given); FetchError names a bad one."""
    from tui_reader.models import clean_arxiv_id

    cleaned = []
    for given in ids:
        for part in filter(None, given.replace(",", " ").split()):
            part = part.removeprefix("arXiv:").removeprefix("arxiv:")
            if not clean_arxiv_id(part):
                raise FetchError(f"not an arXiv id: {part!r} (expected e.g. 2303.06373 or hep-th/9901001)")
            cleaned.append(part)
    if not cleaned:
        raise FetchError("no arXiv ids given")
    return list(dict.fromkeys(cleaned))


def fetch_arxiv(
    query: str,
    max_results: int = 100,
    *,
    ids: list[str] | None = None,
    sort: str = "submittedDate",
    base: str | None = None,
    timeout: float = TIMEOUT,
    delay: float | None = None,
    page_size: int = ARXIV_PAGE_SIZE,
    progress: Progress | None = None,
) -> list[Paper]:
    """Up to `max_results` papers matching `query` (or with the arXiv `ids`, fetched by `id_list`),
    newest first, paged with `start`/`max_results` and a polite pause between pages."""
    from tui_reader.sources import arxiv

    if sort not in ARXIV_SORTS:
        raise FetchError(f"unknown sort {sort!r} (one of {', '.join(ARXIV_SORTS)})")
    if max_results < 1:
        raise FetchError("--max must be at least 1")
    delay = _env_float(ARXIV_DELAY_ENV, ARXIV_DELAY) if delay is None else delay
    url = base_url(base, ARXIV_URL_ENV, ARXIV_URL) + "/api/query"
    if ids:
        wanted = arxiv_ids(ids)
        params: dict[str, str | int] = {"id_list": ",".join(wanted)}
        if query.strip():
            params["search_query"] = arxiv_query(query)
        max_results = max(max_results, len(wanted)) if not query.strip() else max_results
    else:
        params = {"search_query": arxiv_query(query), "sortBy": sort, "sortOrder": "descending"}
    papers: dict[str, Paper] = {}
    start = 0
    with Fetcher(timeout) as fetcher:
        for _ in range(MAX_PAGES):
            size = min(page_size, max_results - len(papers))
            response = fetcher.get(url, {**params, "start": start, "max_results": size})
            try:
                feed = arxiv.parse_feed(response.text)
            except SourceError as error:
                raise FetchError(f"{response.url}: not an arXiv Atom feed ({error.reason})") from None
            before = len(papers)
            for paper in feed.papers:
                papers.setdefault(paper.id, paper)
            start += len(feed.papers)
            if progress:
                progress(len(papers), min(feed.total, max_results) if feed.total is not None else None)
            done = len(papers) >= max_results or not feed.papers or len(papers) == before
            if done or (feed.total is not None and start >= feed.total):
                break
            if delay > 0:
                time.sleep(delay)
    return list(papers.values())[:max_results]
