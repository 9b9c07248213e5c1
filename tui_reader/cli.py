"""The command line: open the app (default), import, list, state changes, locate, restore."""

from __future__ import annotations

import argparse
import gc
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import orjson

from tui_reader import __version__
from tui_reader.catalog import INDEX_FILE
from tui_reader.errors import ReaderError
from tui_reader.library import ImportResult, Library
from tui_reader.locations import config_dir, data_dir
from tui_reader.query import SORT_ORDERS, Searcher, sort_ids

if TYPE_CHECKING:
    from tui_reader.sources import Batch

PROG = "tui-reader"
STATE_LOCK_WAIT = 3.0  # seconds a state command waits for a running app to let go
SAMPLE_NAME = "hf-papers-page.txt"
REBUILD_NOTICE_BYTES = 20_000_000  # a catalog this big (~10,000 papers) takes a second or more to re-index


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line and exit status 1 like every other failure."""

    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{PROG}: error: {message} (see `{self.prog} --help`)\n")


def fail(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def open_library(args: argparse.Namespace, *, write: bool, wait: float = STATE_LOCK_WAIT) -> Library:
    folder = data_dir(args.data_dir)

    def rebuilding(size: int) -> None:
        # e.g. a folder copied without its times: seconds of parsing at 100,000 papers, said first
        if size >= REBUILD_NOTICE_BYTES:
            print(f"{PROG}: {folder / INDEX_FILE} is missing or out of date: rebuilding it from the "
                  f"catalog ({size / 1e6:.0f} MB)…", file=sys.stderr, flush=True)

    library = Library(folder, read_only=not write, lock_timeout=wait, purpose=f"{PROG} {args.command}", on_rebuild=rebuilding)
    for problem in library.problems:
        warn(problem)
    return library


def summary(result: ImportResult, name: str) -> str:
    return f"Imported {result.total} papers ({result.new} new, {result.updated} updated) from {name}"


def import_batch(library: Library, batch: Batch, progress_label: str) -> ImportResult:
    from tui_reader.progress import progress_bar

    with progress_bar(progress_label) as progress:
        return library.import_papers(batch.papers, progress, batch.states, batch.restore)


def sample_batch() -> Batch:
    # the parsers load only for an import: ~10 ms off the start
    from tui_reader.sources import parse_text

    text = resources.files("tui_reader.data").joinpath(SAMPLE_NAME).read_text("utf-8")
    return parse_text(text, SAMPLE_NAME)


# -- commands ----------------------------------------------------------------------------------


def cmd_open(args: argparse.Namespace) -> int:
    library = open_library(args, write=True, wait=0.0)
    try:
        message = None
        if not library.papers and not library.problems:
            result = library.import_papers(sample_batch().papers)
            message = f"Your library was empty, so it opens on the bundled sample: {result.new} papers from a Hugging Face papers page."
            print(message, file=sys.stderr)
        try:
            from tui_reader.ui.app import run_app
        except ImportError as error:
            fail(f"the reader app is not available ({error})")
        return run_app(library, theme=args.theme, config_folder=config_dir(args.config_dir), startup_message=message)
    finally:
        library.close()


def cmd_import(args: argparse.Namespace) -> int:
    from tui_reader.sources import read_source

    batches = [(Path(f), read_source(Path(f))) for f in args.files]  # all parsed before any write
    with open_library(args, write=True) as library:
        for path, batch in batches:
            print(summary(import_batch(library, batch, f"Importing {path.name}"), path.name))
    return 0


def selected_ids(library: Library, query: str | None, sort: str = "added") -> list[str]:
    ids = library.ordered_ids()
    if query:
        ids = Searcher(library.papers, library.states).filter(ids, query)
    return sort_ids(ids, sort, library.papers, library.states)


def cmd_list(args: argparse.Namespace) -> int:
    with open_library(args, write=False) as library:
        ids = selected_ids(library, args.query, args.sort)
        if args.json:
            from tui_reader.export import paper_record

            records = [paper_record(library.papers[pid], library.state(pid)) for pid in ids]
            sys.stdout.buffer.write(orjson.dumps(records, option=orjson.OPT_INDENT_2) + b"\n")
            return 0
        for pid in ids:
            state = library.state(pid)
            marks = ("N" if not state.read else " ") + ("*" if state.starred else " ")
            tags = f"  [{', '.join(state.tags)}]" if state.tags else ""
            print(f"{marks} {pid:<16} {library.papers[pid].title}{tags}")
    return 0


def cmd_state(args: argparse.Namespace) -> int:
    with open_library(args, write=True) as library:
        if args.command in ("star", "unstar"):
            changed = library.set_starred(args.ids, args.command == "star")
        elif args.command in ("read", "unread"):
            changed = library.set_read(args.ids, args.command == "read")
        elif args.command == "tag":
            changed = library.add_tags([args.id], args.tags)
        elif args.command == "untag":
            changed = library.remove_tags([args.id], args.tags)
        else:
            text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
            changed = library.set_note(args.id, text.strip("\n"))
    print(f"{args.command}: {len(changed)} paper(s) changed")
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    from tui_reader.locations import CATALOG_FILE, STATE_FILE

    folder = data_dir(args.data_dir)
    config = config_dir(args.config_dir)
    print(f"data folder:   {folder}")
    print(f"catalog:       {folder / CATALOG_FILE}")
    print(f"state:         {folder / STATE_FILE}")
    print(f"backups:       {folder / 'backups'}")
    print(f"config folder: {config}")
    print(f"config file:   {config / 'config.toml'}")
    print(f"themes:        {config / 'themes'}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    with open_library(args, write=True) as library:
        backups = library.backups()
        if args.number is None:
            if not backups:
                print("No backups yet: they are made as the library changes.")
            for number, path in enumerate(backups, 1):
                print(f"{number:>3}  {path.name}  ({path.stat().st_size} bytes)")
            return 0
        if not 1 <= args.number <= len(backups):
            fail(f"no backup number {args.number} (`{PROG} restore` lists {len(backups)})")
        restored = library.restore_backup(backups[args.number - 1])
        print(f"Restored {restored.name} from {backups[args.number - 1].name}")
    return 0


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog=PROG, description="A terminal reader for research papers.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--data-dir", help="the library folder (default: $TUI_READER_DATA_DIR or the user data folder)")
    parser.add_argument("--config-dir", help="the config folder (default: $TUI_READER_CONFIG_DIR or the user config folder)")
    parser.add_argument("--theme", help="colour theme for the app (remembered)")
    parser.set_defaults(command="open", handler=cmd_open)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("open", help="open the reader app (the default)")
    p.set_defaults(handler=cmd_open)

    p = sub.add_parser("import", help="import papers from files (format detected)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", help="list papers")
    p.add_argument("--query", "-q", help="search, e.g. 'is:starred tag:vision diffusion'")
    p.add_argument("--sort", choices=list(SORT_ORDERS), default="added")
    p.add_argument("--json", action="store_true", help="a JSON array of flat objects")
    p.set_defaults(handler=cmd_list)

    for name, text in (("star", "star papers"), ("unstar", "unstar papers"), ("read", "mark papers read"), ("unread", "mark papers unread")):
        p = sub.add_parser(name, help=text)
        p.add_argument("ids", nargs="+", metavar="ID")
        p.set_defaults(handler=cmd_state)
    for name, text in (("tag", "add tags to a paper"), ("untag", "remove tags from a paper")):
        p = sub.add_parser(name, help=text)
        p.add_argument("id", metavar="ID")
        p.add_argument("tags", nargs="+", metavar="TAG")
        p.set_defaults(handler=cmd_state)
    p = sub.add_parser("note", help="set a paper's note (TEXT, or - to read it from stdin; empty clears)")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.set_defaults(handler=cmd_state)

    p = sub.add_parser("locate", help="print the data and config paths")
    p.set_defaults(handler=cmd_locate)

    p = sub.add_parser("restore", help="list backups, or restore backup N")
    p.add_argument("number", nargs="?", type=int, metavar="N")
    p.set_defaults(handler=cmd_restore)

    for register in extra_commands():
        register(sub)
    return parser


def extra_commands() -> list:
    """Commands that live in their own modules (fetch, export)."""
    found = []
    for module_name in ("tui_reader.fetch_cli", "tui_reader.export_cli"):
        try:
            module = __import__(module_name, fromlist=["register"])
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        found.append(module.register)
    return found


def attach_option_values(argv: list[str]) -> list[str]:
    """`--query -is:read` would read as an unknown option; bind the value as `--query=-is:read`."""
    joined: list[str] = []
    items = iter(argv)
    for item in items:
        if item in ("--query", "-q"):
            value = next(items, None)
            joined.append(item if value is None else f"--query={value}")
        else:
            joined.append(item)
    return joined


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(attach_option_values(sys.argv[1:] if argv is None else argv))
    if args.handler is not cmd_open:
        gc.enable()  # off only while the app starts (see tui_reader.entry)
    try:
        return args.handler(args)
    except ReaderError as error:
        fail(str(error))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
