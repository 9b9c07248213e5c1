"""`tui-reader export --format bibtex|markdown|json|csv [--query Q] [-o FILE]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui_reader.cli.common import fail, open_library, selected_ids
from tui_reader.export.formats import EXPORT_FORMATS, export_text, write_export
from tui_reader.search.query import SORT_ORDERS


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("export", help="export papers as BibTeX, Markdown, JSON (a full backup) or CSV")
    parser.add_argument("--format", "-f", choices=EXPORT_FORMATS, required=True)
    parser.add_argument("--query", "-q", help="only the papers this search finds (default: all)")
    parser.add_argument("--sort", choices=list(SORT_ORDERS), default="added")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE (replaced atomically) instead of stdout")
    parser.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    with open_library(args, write=False) as library:
        ids = selected_ids(library, args.query, args.sort)
        papers = [library.papers[pid] for pid in ids]
        states = dict(library.states)
    if args.output is None:
        sys.stdout.write(export_text(args.format, papers, states))
        sys.stdout.flush()
        return 0
    path = Path(args.output)
    if not path.parent.is_dir():
        fail(f"{path}: the folder {path.parent} does not exist")
    write_export(path, args.format, papers, states)
    print(f"Exported {len(ids)} papers as {args.format} to {path}", file=sys.stderr)
    return 0
