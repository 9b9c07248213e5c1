"""`tui-reader view list|add NAME QUERY|remove NAME`: the saved searches the app shows in its sidebar."""

from __future__ import annotations

import argparse

from tui_reader.cli.common import fail
from tui_reader.locations import config_dir
from tui_reader.store.views import add_view, load_views, remove_view, save_views


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("view", help="list, add or remove saved searches (the app's sidebar views)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the saved views, one per line: NAME<tab>QUERY").set_defaults(handler=cmd_view)
    add = actions.add_parser("add", help="save QUERY as the view NAME, e.g. add Kaiming 'author:\"Kaiming He\"'")
    add.add_argument("name", metavar="NAME")
    add.add_argument("query", nargs="+", metavar="QUERY")
    add.set_defaults(handler=cmd_view)
    remove = actions.add_parser("remove", help="forget the view NAME (no paper is touched)")
    remove.add_argument("name", metavar="NAME")
    remove.set_defaults(handler=cmd_view)


def cmd_view(args: argparse.Namespace) -> int:
    folder = config_dir(args.config_dir)
    views, problems = load_views(folder)
    if problems:
        fail(problems[0])
    if args.action == "list":
        for view in views:
            print(f"{view.name}\t{view.query}")
        return 0
    if args.action == "add":
        query = " ".join(args.query)
        save_views(folder, add_view(views, args.name, query))
        print(f"Saved view {args.name!r}: {query}")
    else:
        save_views(folder, remove_view(views, args.name))
        print(f"Removed view {args.name!r}")
    return 0
