"""State commands (star, unstar, read, unread, hide, unhide, tag, untag, note), remove, and the
library's housekeeping (locate, restore)."""

from __future__ import annotations

import argparse
import sys

from tui_reader.cli.common import PROG, fail, open_library
from tui_reader.locations import config_dir, data_dir


def cmd_state(args: argparse.Namespace) -> int:
    with open_library(args, write=True) as library:
        if args.command in ("star", "unstar"):
            changed = library.set_starred(args.ids, args.command == "star")
        elif args.command in ("read", "unread"):
            changed = library.set_read(args.ids, args.command == "read")
        elif args.command in ("hide", "unhide"):
            changed = library.set_hidden(args.ids, args.command == "hide")
        elif args.command == "tag":
            changed = library.add_tags([args.id], args.tags)
        elif args.command == "untag":
            changed = library.remove_tags([args.id], args.tags)
        else:
            text = sys.stdin.read() if args.text == ["-"] else " ".join(args.text)
            changed = library.set_note(args.id, text.strip("\n"))
    print(f"{args.command}: {len(changed)} paper(s) changed")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_library(args, write=True) as library:
        titles = {library.resolve(pid): library.get(pid).title for pid in args.ids}  # every id known before anything goes
        removed = library.remove_papers(list(titles))
    for pid in removed:
        print(f"removed {pid}  {titles[pid]}")
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
            for number, path in enumerate(backups, 1):
                print(f"{number:>3}  {path.name}  ({path.stat().st_size} bytes)")
            return 0
        if not 1 <= args.number <= len(backups):
            fail(f"no backup number {args.number} (`{PROG} restore` lists {len(backups)})")
        restored = library.restore_backup(backups[args.number - 1])
        print(f"Restored {restored.name} from {restored.backup.name}")
        for note in restored.notes:
            print(note)
    return 0
