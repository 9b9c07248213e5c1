"""The importer for tests/test_nothing_lost.py's kill -9 torture: `python tests/import_killer.py BACKUP`.

A zygote: it imports the library once, then on each `run FOLDER` line on stdin forks a child that
imports the backup file BACKUP into FOLDER (a fresh data folder) and exits 0, and prints the
child's pid; `reap PID` waits for the child and prints how it ended (the signal number, or
`exit N`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tui_reader.sources import read_source
from tui_reader.store.library import Library


def import_into(folder: Path, batch) -> None:
    with Library(folder) as lib:
        lib.import_papers(batch.papers, states=batch.states, restore=batch.restore)


def zygote(backup: Path) -> None:
    batch = read_source(backup)  # parsed once: each child's time is the import's writes
    print("ready", flush=True)
    for line in sys.stdin:
        command, *args = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    import_into(Path(args[0]), batch)
                    code = 0
                finally:
                    os._exit(code)
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}", flush=True)
        elif command == "quit":
            return


if __name__ == "__main__":
    zygote(Path(sys.argv[1]))
