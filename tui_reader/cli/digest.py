"""`tui-reader digest [--since 7d|DATE] [--query Q] [--starred] [--format markdown|html] [-o FILE]`."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from tui_reader.cli.common import fail, open_library, warn
from tui_reader.export.digest import DEFAULT_SINCE, DIGEST_FORMATS, collect, parse_since, render, write_digest
from tui_reader.locations import config_dir
from tui_reader.store.views import load_views


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("digest", help="the papers added (or starred) lately, grouped by saved search and tag")
    parser.add_argument("--since", default=DEFAULT_SINCE, metavar="SPAN|DATE",
                        help=f"7d, 24h, 2w, or a date like 2025-03-01 (default {DEFAULT_SINCE})")  # fmt: skip
    parser.add_argument("--query", "-q", help="only the papers this search finds")
    parser.add_argument("--starred", action="store_true", help="the papers starred in the period, not those added")
    parser.add_argument("--format", "-f", choices=DIGEST_FORMATS, default="markdown")
    parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE (replaced atomically) instead of stdout")
    parser.set_defaults(handler=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    now = datetime.now(timezone.utc)
    since = parse_since(args.since, now)  # a bad --since fails before the library is opened
    path = Path(args.output) if args.output else None
    if path is not None and not path.parent.is_dir():
        fail(f"{path}: the folder {path.parent} does not exist")
    views, problems = load_views(config_dir(args.config_dir))
    for problem in problems:
        warn(problem)
    with open_library(args, write=False) as library:
        digest = collect(library.papers, library.states, library.ordered_ids(), views,
                         since=since, until=now, starred=args.starred, query=args.query)  # fmt: skip
    if path is None:
        sys.stdout.write(render(digest, args.format))
        sys.stdout.flush()
        return 0
    write_digest(path, digest, args.format)
    print(f"Wrote a digest of {digest.count} papers as {args.format} to {path}", file=sys.stderr)
    return 0
