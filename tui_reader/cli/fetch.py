"""`tui-reader fetch hf|arxiv`: fetch everything first, then import it in one write."""

from __future__ import annotations

import argparse

from tui_reader.cli.common import import_batches
from tui_reader.models import Paper
from tui_reader.sources import http
from tui_reader.sources import Batch


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("fetch", help="fetch papers from the Hugging Face daily papers or arXiv APIs")
    sources = parser.add_subparsers(dest="source", metavar="SOURCE", required=True)

    hf = sources.add_parser("hf", help="Hugging Face daily papers (default: the latest day)")
    when = hf.add_mutually_exclusive_group()
    when.add_argument("--date", metavar="YYYY-MM-DD", help="the papers of one day")
    when.add_argument("--week", metavar="YYYY-Www", help="the papers of one ISO week, e.g. 2025-W11")
    when.add_argument("--month", metavar="YYYY-MM", help="the papers of one month")
    hf.add_argument("--sort", choices=http.HF_SORTS, help="the API's order (default: its own)")
    hf.add_argument("--submitter", metavar="USER", help="only papers this HF user submitted (all of them, unless a date, week or month is given)")
    hf.add_argument("--limit", type=positive_int, metavar="N", help="at most N papers")
    hf.add_argument("--page-size", type=positive_int, default=http.HF_PAGE_SIZE, metavar="N", help=argparse.SUPPRESS)
    _common(hf, http.HF_URL, http.HF_URL_ENV)
    hf.set_defaults(handler=cmd_fetch_hf)

    ax = sources.add_parser("arxiv", help="the arXiv API: plain words, or arXiv syntax like 'cat:cs.CV AND ti:diffusion'")
    ax.add_argument("query", nargs="*", metavar="QUERY", help="words (all must match) or an arXiv API search_query")
    ax.add_argument("--id", dest="ids", nargs="+", metavar="ID", help="fetch these arXiv ids (arXiv's id_list), e.g. --id 2303.06373 hep-th/9901001")
    ax.add_argument("--max", type=positive_int, default=100, metavar="N", help="at most N papers (default 100)")
    ax.add_argument("--sort", choices=http.ARXIV_SORTS, default="submittedDate", help="newest first by this (default submittedDate)")
    ax.add_argument("--page-size", type=positive_int, default=http.ARXIV_PAGE_SIZE, metavar="N", help=f"papers per request (default {http.ARXIV_PAGE_SIZE})")
    ax.add_argument("--delay", type=seconds, metavar="S",
                    help=f"pause between pages (default {http.ARXIV_DELAY:g} s, or ${http.ARXIV_DELAY_ENV})")  # fmt: skip
    _common(ax, http.ARXIV_URL, http.ARXIV_URL_ENV)
    ax.set_defaults(handler=cmd_fetch_arxiv)


def _common(parser: argparse.ArgumentParser, default: str, env: str) -> None:
    parser.add_argument("--base-url", metavar="URL", help=f"API server (default ${env} or {default})")
    parser.add_argument("--timeout", type=seconds, default=http.TIMEOUT, metavar="S",
                        help=f"seconds to wait for an answer (default {http.TIMEOUT:g})")  # fmt: skip


def cmd_fetch_hf(args: argparse.Namespace) -> int:
    params = http.hf_params(args.date, args.week, args.month, args.sort, args.submitter)  # bad input fails before any request
    what = ", ".join(f"{k} {v}" for k, v in params.items() if k != "sort") or "the latest day"
    with _progress(f"Fetching HF daily papers ({what})") as progress:
        papers = http.fetch_hf(
            args.date, args.week, args.month, args.sort, args.limit, submitter=args.submitter,
            base=args.base_url, timeout=args.timeout, page_size=args.page_size, progress=progress,
        )  # fmt: skip
    from tui_reader.sources import hf_api  # (loaded here: the parsers are not needed to build the parser)

    return _store(args, papers, hf_api.SOURCE, f"HF daily papers ({what})")


def cmd_fetch_arxiv(args: argparse.Namespace) -> int:
    query = " ".join(args.query)
    if args.ids:
        http.arxiv_ids(args.ids)  # a bad id fails before any request
        what = " ".join(args.ids) + (f" matching {query}" if query else "")
    elif not query:
        raise http.FetchError("give a query or --id ID…")
    else:
        what = query
    query_label = what
    with _progress(f"Fetching arXiv: {query_label}") as progress:
        papers = http.fetch_arxiv(
            query, args.max, ids=args.ids, sort=args.sort, base=args.base_url, timeout=args.timeout,
            delay=args.delay, page_size=args.page_size, progress=progress,
        )  # fmt: skip
    from tui_reader.sources import arxiv

    return _store(args, papers, arxiv.SOURCE, f"arXiv ({query_label})")


def _progress(label: str):
    from tui_reader.cli.progress import progress_bar

    return progress_bar(label)


def _store(args: argparse.Namespace, papers: list[Paper], source: str, name: str) -> int:
    """Import what was fetched in one go; only now is the library opened for writing."""
    if not papers:
        print(f"Nothing to import: {name} has no papers")
        return 0
    import_batches(args, [(name, Batch(source, papers), f"Importing {len(papers)} papers")])  # through the running app, if one listens
    return 0
