"""The library commands: open the app (the default), import, list."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from tui_reader.cli.common import PROG, fail, import_batches, import_snapshot_anywhere, open_library, sample_batch, selected_ids, summary, warn
from tui_reader.errors import FolderNotWritableError, LibraryLockedError
from tui_reader.store.derived import INDEX_FILE
from tui_reader.store.derived import read_index_ahead
from tui_reader.store.library import Library
from tui_reader.latex import to_unicode
from tui_reader.locations import config_dir, data_dir, usable_folder
from tui_reader.store.control import forwarder
from tui_reader.store.sample import remember_sample
from tui_reader.wording import shown

FOR_YOU_SORT = "for-you"  # the CLI's name of the For-you order (see cli/related.py)


def open_for_app(args: argparse.Namespace) -> Library:
    """The library for the app: for writing, or read-only when its folder or lock file cannot be
    written (with a warning) or another process writes it (the app's banner names it)."""
    try:
        return open_library(args, write=True, wait=0.0)
    except FolderNotWritableError as error:
        warn(str(error))
        return open_library(args, write=False)
    except LibraryLockedError as error:
        library = open_library(args, write=False)
        library.held_by = error.owner
        library.forward = forwarder(library.folder)  # state changes go to the app that writes
        return library


def cmd_open(args: argparse.Namespace) -> int:
    config_folder = usable_folder(config_dir(args.config_dir), "config folder")
    read_index_ahead(data_dir(args.data_dir) / INDEX_FILE)  # read while Python imports the app
    try:
        from tui_reader.ui.app import run_app
    except ImportError as error:
        run_app, missing = None, error
    library = open_for_app(args)
    try:
        message = None
        if not library.read_only and not library.papers and not library.problems and not library.damage_pending():
            result = library.import_papers(sample_batch().papers)
            remember_sample(library.folder, result.new_ids)  # removed at the user's first own import
            message = f"Your library was empty, so it opens on the bundled sample: {result.new} papers from a Hugging Face papers page."
            print(message, file=sys.stderr)
        if run_app is None:
            fail(f"the reader app is not available ({missing})")
        return run_app(library, theme=args.theme, config_folder=config_folder, startup_message=message)
    finally:
        library.close()


def cmd_import(args: argparse.Namespace) -> int:
    from tui_reader.sources import arxiv_snapshot, read_sources

    paths = [Path(f) for f in args.files]
    snapshots = [path for path in paths if arxiv_snapshot.detect_file(path)]
    # all parsed before any write (a snapshot is read as it is imported: it is too large to hold)
    batches = read_sources([path for path in paths if path not in snapshots])
    subset = arxiv_snapshot.Subset(tuple(args.category or ()), args.since)
    named = []
    for name, batch in batches:
        label = Path(name).name if " + " not in name else name
        for problem in batch.warnings[:MAX_WARNINGS]:
            warn(f"{label}: {problem}")
        if len(batch.warnings) > MAX_WARNINGS:
            warn(f"{label}: … and {len(batch.warnings) - MAX_WARNINGS} more problems like these")
        named.append((label, batch, f"Importing {label}"))
    import_batches(args, named)  # through the running app, if one listens
    for path in snapshots:
        print(summary(import_snapshot_anywhere(args, path, subset), path.name))
    return 0


MAX_WARNINGS = 20


def cmd_list(args: argparse.Namespace) -> int:
    with open_library(args, write=False) as library:
        query = args.query or ""
        if "is:hidden" not in query and library.has_hidden():
            query += " -is:hidden"  # as in the app: hidden papers only when asked for
        query = query.strip()
        scores: dict[str, float] | None = None
        if args.sort == FOR_YOU_SORT:
            from tui_reader.cli.related import for_you

            ids, scores, why = for_you(library, selected_ids(library, query))
        else:
            ids = selected_ids(library, query, args.sort)
        if not ids:  # said on stderr: stdout stays empty for scripts
            if not library.papers:
                print(f"The library is empty: `{PROG} import FILE` or `{PROG} fetch hf` brings papers in.", file=sys.stderr)
            else:
                print(f"No papers match {args.query!r}.", file=sys.stderr)
        if args.json:
            from tui_reader.export.formats import paper_record

            records = [paper_record(library.papers[pid], library.state(pid)) for pid in ids]
            if scores is not None:
                for record in records:
                    record["score"] = round(scores[record["id"]], 4)
                    record["why"] = list(why(record["id"]))
            sys.stdout.buffer.write(orjson.dumps(records, option=orjson.OPT_INDENT_2) + b"\n")
            return 0
        for pid in ids:
            state = library.state(pid)
            marks = ("N" if not state.read else " ") + ("*" if state.starred else " ")
            tags = f"  [{shown(', '.join(state.tags))}]" if state.tags else ""
            score = f"{scores[pid]:+.2f} " if scores is not None else ""
            print(f"{score}{marks} {pid:<16} {to_unicode(shown(library.papers.title(pid)))}{tags}")
    return 0
