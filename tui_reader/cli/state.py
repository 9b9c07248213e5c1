"""State commands (star, unstar, read, unread, hide, unhide, tag, untag, note), remove, and the
library's housekeeping (locate, restore)."""

from __future__ import annotations

import argparse
import sys

from tui_reader.cli.common import PROG, fail, open_library
from tui_reader.locations import config_dir, data_dir
from tui_reader.store.control import apply_change, send
from tui_reader.wording import plural, shown


def cmd_state(args: argparse.Namespace) -> int:
    request = state_request(args)
    answer = send(data_dir(args.data_dir), request)  # the running app applies it, if one runs
    if answer is None:
        with open_library(args, write=True) as library:
            changed = apply_change(library, request)
    elif "error" in answer:
        fail(str(answer["error"]))
    else:
        changed = list(answer.get("changed", []))
    if changed:
        print(f"{args.command}: {plural(len(changed), 'paper')} changed")
    else:
        print(f"{args.command}: nothing to change (already so)")
    return 0


def state_request(args: argparse.Namespace) -> dict:
    """The command as the control socket carries it (store/control.py)."""
    if args.command in ("star", "unstar", "read", "unread", "hide", "unhide"):
        return {"command": args.command, "ids": args.ids}
    if args.command in ("tag", "untag"):
        return {"command": args.command, "ids": [args.id], "tags": args.tags}
    text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
    return {"command": "note", "ids": [args.id], "text": text.strip("\n")}


def cmd_remove(args: argparse.Namespace) -> int:
    with open_library(args, write=True) as library:
        titles = {library.resolve(pid): shown(library.get(pid).title) for pid in args.ids}  # every id known before anything goes
        removed = library.remove_papers(list(titles))
    for pid in removed:
        print(f"removed {pid}  {titles[pid]}")
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    from tui_reader.locations import CATALOG_FILE, STATE_FILE
    from tui_reader.store.state_log import log_path_of

    folder = data_dir(args.data_dir)
    config = config_dir(args.config_dir)
    print(f"data folder:   {folder}")
    print(f"catalog:       {folder / CATALOG_FILE}")
    print(f"state:         {folder / STATE_FILE}")
    print(f"state log:     {log_path_of(folder / STATE_FILE)}")
    print(f"backups:       {folder / 'backups'}")
    print(f"config folder: {config}")
    print(f"config file:   {config / 'config.toml'}")
    print(f"themes:        {config / 'themes'}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    with open_library(args, write=True) as library:
        if args.keep_current:
            kept = library.keep_current()
            if not kept:
                print("Nothing was set aside: there is no damage to dismiss.")
            for path in kept:
                print(f"Going on with {path.name} as it is; its backups from before the damage now rotate as usual.")
            return 0
        backups = library.backups()
        if args.number is None:
            if not backups:
                print("No backups yet: they are made as the library changes.")
            pinned = set(library.pinned_backups())
            for number, path in enumerate(backups, 1):
                mark = "  kept from before the damage" if path in pinned else ""
                print(f"{number:>3}  {path.name}  ({path.stat().st_size} bytes){mark}")
            return 0
        if not 1 <= args.number <= len(backups):
            fail(f"no backup number {args.number} (`{PROG} restore` lists {len(backups)})")
        restored = library.restore_backup(backups[args.number - 1])
        print(f"Restored {restored.name} from {restored.backup.name}")
        for note in restored.notes:
            print(note)
    return 0
