"""`tui-reader related ID` and the For-you order of `tui-reader list --sort for-you`.

The model is loaded from the data folder, or built here when it is missing or stale (and stored
for the next command and the app: it is a cache, like the catalog's index)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import orjson

from tui_reader.cli.common import PROG, fail, open_library
from tui_reader.cli.fetch import positive_int
from tui_reader.latex import to_unicode
from tui_reader.store.library import Library
from tui_reader.wording import shown

NO_STARS = f"For you learns from your stars: star a few papers first (`{PROG} star ID`, or s in the app)."
BUILD_NOTICE_PAPERS = 5_000  # from here a build takes seconds: say so first


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("related", help="papers most like a paper (tf-idf over title, abstract, keywords, authors)")
    parser.add_argument("id", metavar="ID")
    parser.add_argument("-n", type=positive_int, default=10, help="how many (default: 10)")
    parser.add_argument("--json", action="store_true", help="a JSON array of flat objects (as list --json, plus score and why)")
    parser.set_defaults(handler=cmd_related)


def model_of(library: Library):
    """The library's related-papers model, built now when the stored one does not fit the catalog."""
    from tui_reader.search import related

    catalog = library.papers
    model = related.load(catalog.folder, catalog.generation, len(catalog))
    if model is None:
        if len(catalog) >= BUILD_NOTICE_PAPERS:
            print(f"{PROG}: building the related-papers model ({len(catalog)} papers)…", file=sys.stderr, flush=True)
        model = related.build_catalog(catalog)
        related.write(catalog.folder, model)
    return model


def cmd_related(args: argparse.Namespace) -> int:
    with open_library(args, write=False) as library:
        pid = library.resolve(args.id)
        model = model_of(library)
        ids = library.papers.ids
        matches = [(ids[m.row], m.score, m.terms) for m in model.related(library.papers.row[pid], args.n)]
        if args.json:
            from tui_reader.export.formats import paper_record

            records = [{**paper_record(library.papers[rid], library.state(rid)), "score": round(score, 4), "why": list(why)}
                       for rid, score, why in matches]
            sys.stdout.buffer.write(orjson.dumps(records, option=orjson.OPT_INDENT_2) + b"\n")
            return 0
        if not matches:
            print(f"No paper shares enough words with {pid} yet.", file=sys.stderr)
        for rid, score, why in matches:
            state = library.state(rid)
            marks = ("N" if not state.read else " ") + ("*" if state.starred else " ")
            print(f"{score:.2f} {marks} {rid:<16} {to_unicode(shown(library.papers.title(rid)))}  ({', '.join(why)})")
    return 0


def for_you(library: Library, ids: list[str]) -> tuple[list[str], dict[str, float], Callable[[str], tuple[str, ...]]]:
    """`ids` in the For-you order (unread, unstarred papers first, best first; then the others),
    each one's score, and its why (asked for per paper). Fails with one line when nothing is starred."""
    from tui_reader.search import related

    model = model_of(library)
    row = library.papers.row
    found = related.for_you_scores(model, row, library.states)
    if found is None:
        fail(NO_STARS)
    scores, classifier = found
    ordered = related.for_you_order(ids, scores, row, library.states)
    values = scores.tolist()
    return ordered, {pid: values[row[pid]] for pid in ordered}, lambda pid: model.why(row[pid], classifier)
