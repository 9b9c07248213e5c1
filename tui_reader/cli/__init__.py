"""The command line's parser and entry point; each group of commands lives in its own module."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from tui_reader import __version__
from tui_reader.cli import digest, export, fetch, related, views
from tui_reader.cli.commands import FOR_YOU_SORT, cmd_import, cmd_list, cmd_open
from tui_reader.cli.common import PROG, OneLineParser, fail
from tui_reader.cli.state import cmd_locate, cmd_remove, cmd_restore, cmd_state
from tui_reader.cli.terminal import guard_terminal_output
from tui_reader.errors import ReaderError
from tui_reader.search.query import SORT_ORDERS, search_terms_text
from tui_reader.store import gc_pause


RAW = argparse.RawDescriptionHelpFormatter
ID_TEXT = ("ID is a paper id as `list` shows it, or as you paste it: 2006.11239v2, arXiv:2006.11239, "
           "an arXiv abs/pdf or Hugging Face paper URL, a DOI, or a former id.")
IMPORT_TEXT = """Import papers from files; each file's format is detected:
  - a Hugging Face papers page, copied as text (https://huggingface.co/papers)
  - the HF daily-papers API's JSON (https://huggingface.co/api/daily_papers)
  - an arXiv API Atom feed (https://export.arxiv.org/api/query?...)
  - BibTeX / BibLaTeX (.bib; keywords become tags, note fields notes)
  - a tui-reader JSON backup (`export --format json`): papers and your state

Re-importing a paper merges it into the one you have and keeps your stars, tags and notes.
All files are read before anything is written; a bad file leaves the library as it was."""
LIST_TEXT = """List papers, newest added first: one per line as

  N* ID  TITLE  [tags]

where N marks an unread paper and * a starred one. Nothing matched is said on stderr,
so stdout holds only papers (--json: a JSON array)."""
SEARCH_TEXT = "search terms (all must hold):\n" + search_terms_text()


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog=PROG, description="A terminal reader for research papers.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--data-dir", help="the library folder (default: $TUI_READER_DATA_DIR or the user data folder)")
    parser.add_argument("--config-dir", help="the config folder (default: $TUI_READER_CONFIG_DIR or the user config folder)")
    parser.add_argument("--theme", help="colour theme for the app (remembered)")
    parser.set_defaults(command="open", handler=cmd_open)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("open", help="open the reader app (the default)",
                       description="Open the reader app; `?` in it lists every key. The same as no command.")
    p.set_defaults(handler=cmd_open)

    p = sub.add_parser("import", help="import papers from files (format detected)", formatter_class=RAW, description=IMPORT_TEXT)
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--category", action="append", metavar="PREFIX",
                   help="arXiv snapshot only: keep papers with a category starting with PREFIX (cs.LG, or cs); repeatable")
    p.add_argument("--since", type=iso_date, metavar="YYYY-MM-DD",
                   help="arXiv snapshot only: keep papers whose first version is from this date on")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("list", help="list papers", formatter_class=RAW, description=LIST_TEXT, epilog=SEARCH_TEXT)
    p.add_argument("--query", "-q", help="search, e.g. 'is:starred tag:vision diffusion'")
    p.add_argument("--sort", choices=[*SORT_ORDERS, FOR_YOU_SORT], default="added",
                   help="for-you: unread, unstarred papers first, most like your stars first (then the rest)")
    p.add_argument("--json", action="store_true", help="a JSON array of flat objects (for-you adds score and why)")
    p.set_defaults(handler=cmd_list)

    for name, text in (("star", "star papers"), ("unstar", "unstar papers"), ("read", "mark papers read"), ("unread", "mark papers unread"),
                       ("hide", "hide papers from every view but Hidden (state kept)"), ("unhide", "bring hidden papers back")):
        p = sub.add_parser(name, help=text, description=f"{text[0].upper()}{text[1:]}. {ID_TEXT}")
        p.add_argument("ids", nargs="+", metavar="ID")
        p.set_defaults(handler=cmd_state)
    for name, text in (("tag", "add tags to a paper"), ("untag", "remove tags from a paper")):
        p = sub.add_parser(name, help=text, description=f"{text[0].upper()}{text[1:]} (a leading # is dropped: #NLP is nlp). {ID_TEXT}")
        p.add_argument("id", metavar="ID")
        p.add_argument("tags", nargs="+", metavar="TAG")
        p.set_defaults(handler=cmd_state)
    p = sub.add_parser("note", help="set a paper's note (TEXT, or - to read it from stdin; empty clears)",
                       description=f"Set a paper's note (Markdown): TEXT, or - to read it from stdin; an empty TEXT clears it. {ID_TEXT}")
    p.add_argument("id", metavar="ID")
    p.add_argument("text", nargs="+", metavar="TEXT")
    p.set_defaults(handler=cmd_state)

    p = sub.add_parser("remove", help="remove papers from the library for good, with your stars, tags and notes on them",
                       description=f"Remove papers from the library for good, with their state. {ID_TEXT}")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=cmd_remove)

    p = sub.add_parser("locate", help="print the data and config paths",
                       description="Print where the library, its backups, the config file and your themes live.")
    p.set_defaults(handler=cmd_locate)

    p = sub.add_parser("restore", help="list backups, or restore backup N",
                       description="List the state file's backups (newest first), or put backup N back.")
    p.add_argument("number", nargs="?", type=int, metavar="N")
    p.add_argument("--keep-current", action="store_true",
                   help="after damage: go on with the files as they are (the backups from before it then rotate away)")
    p.set_defaults(handler=cmd_restore)

    fetch.register(sub)
    related.register(sub)
    export.register(sub)
    views.register(sub)
    digest.register(sub)
    return parser


def iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2020-01-01") from None


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
        gc_pause.back_on()  # off only while the app starts (see tui_reader.entry)
        guard_terminal_output()  # the app draws its own screen, with its own escaping
    try:
        return args.handler(args)
    except ReaderError as error:
        fail(str(error))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as error:  # a path the checks above did not foresee: still one line
        where = f"{error.filename}: " if error.filename else ""
        fail(f"{where}{error.strerror or error}")
