"""Two processes on one data folder, for real: a second writer is refused at once with the holder's
pid; CLI state commands wait briefly for the lock, then fail in one line; concurrent CLI commands
never lose an acknowledged change; after kill -9 of the holder the next start works at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reliability_helpers import arxiv_paper, one_line, snapshot
from tui_reader.errors import LibraryLockedError
from tui_reader.store.files import DataLock
from tui_reader.store.library import Library

HOLDER = """
import sys
from tui_reader.store.library import Library
lib = Library(sys.argv[1], purpose="tui-reader open")
print("held", flush=True)
for line in sys.stdin:
    if line.strip() == "release":
        lib.close()
        print("released", flush=True)
"""

SECOND_WRITER = """
import sys
from tui_reader.errors import LibraryLockedError
from tui_reader.store.library import Library
try:
    Library(sys.argv[1]).close()
except LibraryLockedError as error:
    print(error)
    raise SystemExit(3)
print("opened")
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "lib"
    with Library(path) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(1, 11)])
    return path


class Holder:
    """A real process holding the library open (as the app does)."""

    def __init__(self, folder: Path):
        self.process = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline().strip() == "held"
        self.pid = self.process.pid

    def release(self) -> None:
        self.process.stdin.write("release\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


@pytest.fixture
def holder(folder):
    running = Holder(folder)
    yield running
    running.stop()


# The command as `python -m tui_reader` runs it, with the state commands' patience for the lock
# (tui_reader.cli.common.STATE_LOCK_WAIT, read at call time) set first.
PATIENT_CLI = """
import sys
from tui_reader.cli import common
common.STATE_LOCK_WAIT = float(sys.argv.pop(1))
from tui_reader.entry import main
raise SystemExit(main())
"""


def cli(folder: Path, *args: str, wait: bool = True, lock_wait: float | None = None,
        **popen) -> subprocess.Popen | subprocess.CompletedProcess:
    start = ["-m", "tui_reader"] if lock_wait is None else ["-c", PATIENT_CLI, str(lock_wait)]
    command = [sys.executable, *start, "--data-dir", str(folder), *args]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_a_second_writer_process_is_refused_at_once_with_the_holders_pid(folder, holder):
    before = snapshot(folder)
    second = subprocess.run([sys.executable, "-c", SECOND_WRITER, str(folder)], capture_output=True, text=True, timeout=120)
    assert second.returncode == 3, second.stderr
    assert f"process {holder.pid}" in second.stdout and "tui-reader open" in second.stdout
    assert snapshot(folder) == before


async def test_a_second_app_beside_a_holder_that_does_not_listen_is_read_only_with_a_banner(folder, holder, tmp_path, monkeypatch):
    from app_helpers import make_app, notices, running, wait_until
    from tui_reader.cli import build_parser
    from tui_reader.cli.commands import open_for_app
    from tui_reader.ui.transfers import ask_import, export_view, fetch_today

    from test_background_fetch import fetching_config

    before = snapshot(folder)
    library = open_for_app(build_parser().parse_args(["--data-dir", str(folder)]))  # as `tui-reader` opens it
    assert library.read_only
    monkeypatch.setenv("TUI_READER_HF_URL", "http://127.0.0.1:9")  # never asked: the writer fetches
    try:
        app = make_app(library, fetching_config(tmp_path / "config"))  # background fetching on
        async with running(app) as pilot:
            assert not app.background_fetch.running and app.background_fetch.last_line is None
            banner = str(app.main_screen.query_one("#read-only-banner").render())
            assert banner.startswith("This library is open in another tui-reader") and f"process {holder.pid}" in banner
            first = library.ordered_ids()[0]
            for key in ("s", "r", "d", "A", "u", "t", "n"):  # no prompt opens: a note typed in full would be lost
                await pilot.press(key)
                await pilot.pause()
                assert app.screen is app.main_screen
                refusals = [n.message for n in notices(app) if n.title == "Read-only"]
                assert len(refusals) == 1 and f"process {holder.pid}" in refusals[0], (key, refusals)
                notices(app).clear()
            for command in (ask_import, fetch_today):  # the palette's: said before any file or server is read
                command(app)
                await pilot.pause()
                assert app.screen is app.main_screen and [n.title for n in notices(app)] == ["Read-only"], command
                notices(app).clear()
            await pilot.press("enter", "escape")  # reading a paper marks it read no more
            assert library.state(first) == library.state(first).__class__()  # nothing changed in memory
            await pilot.press("slash", "3", "enter")  # search works
            await wait_until(pilot, lambda: list(app.main_screen.paper_list.ids) == ["2401.00003"])
            assert export_view(app, "bibtex", tmp_path / "view.bib") is not None  # export works
            assert "2401.00003" in (tmp_path / "view.bib").read_text()
    finally:
        library.close()
    assert snapshot(folder) == before


def test_a_state_command_waits_briefly_then_fails_in_one_line(folder, holder):
    before = snapshot(folder)
    result = cli(folder, "star", "2401.00001", lock_wait=0.2)  # the default waits 3 s
    assert result.returncode == 1 and result.stdout == ""
    assert one_line(result.stderr) and f"process {holder.pid}" in result.stderr and "in use" in result.stderr
    assert snapshot(folder) == before


def test_a_reader_works_beside_the_holder(folder, holder):
    result = cli(folder, "list")
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 10, result.stderr


def _waiting(pid: int) -> bool:
    """True while the process sleeps in the lock's poll loop (nothing else in the CLI sleeps)."""
    try:
        return "nanosleep" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


def _wchan_shows_sleep() -> bool:
    """Some kernels and containers hide wchan (it reads "0"): then this cannot be observed."""
    if not Path("/proc/self/wchan").exists():
        return False
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if _waiting(sleeper.pid):
                return True
            time.sleep(0.01)
        return False
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_state_command_that_meets_the_lock_goes_through_once_it_is_free(folder, holder):
    if not _wchan_shows_sleep():
        pytest.skip("needs /proc/<pid>/wchan to see a process waiting")
    command = cli(folder, "star", "2401.00002", wait=False)
    deadline = time.monotonic() + 60  # a guard against a hang, not a measurement
    while not _waiting(command.pid):
        assert command.poll() is None, f"the command gave up without waiting: {command.communicate()}"
        assert time.monotonic() < deadline, "the command never started waiting for the lock"
        time.sleep(0.005)
    holder.release()
    out, err = command.communicate(timeout=120)
    assert command.returncode == 0, err
    assert out == "star: 1 paper changed\n"
    with Library(folder, read_only=True) as lib:
        assert lib.state("2401.00002").starred


def test_after_kill_9_of_the_holder_the_next_start_works_at_once(folder, holder):
    holder.kill()
    with Library(folder, lock_timeout=0) as lib:  # no waiting, no stale-lock cleanup needed
        lib.set_starred(["2401.00003"])
        # a third process now names this process, not the dead one
        third = subprocess.run([sys.executable, "-c", SECOND_WRITER, str(folder)], capture_output=True, text=True, timeout=120)
        assert third.returncode == 3 and f"process {os.getpid()}" in third.stdout
        assert f"process {holder.pid}" not in third.stdout
    result = cli(folder, "tag", "2401.00003", "survived")
    assert result.returncode == 0, result.stderr
    with Library(folder, read_only=True) as lib:
        assert lib.state("2401.00003").starred and lib.state("2401.00003").tags == ["survived"]


def test_concurrent_cli_commands_never_lose_an_acknowledged_change(folder):
    """Eight processes tag different papers at the same time: each waits its turn; every command
    that reported success has its change on disk (with TinyDB's own storage, some vanished)."""
    commands = [cli(folder, "tag", f"2401.{n:05d}", f"t{n}", wait=False) for n in range(1, 9)]
    results = [(n, c.wait(timeout=120), *c.communicate()) for n, c in zip(range(1, 9), commands)]
    with Library(folder, read_only=True) as lib:
        for n, code, out, err in results:
            if code == 0:
                assert lib.state(f"2401.{n:05d}").tags == [f"t{n}"], f"command {n} said done; its tag is gone"
            else:  # waited longer than the CLI's patience: refused in one line, nothing written
                assert one_line(err) and "in use" in err and lib.state(f"2401.{n:05d}").tags == []
    assert sum(code == 0 for _, code, _, _ in results) >= 1


def test_a_second_writer_in_the_same_process_is_refused_too_with_the_holder_named(folder):
    with Library(folder):
        with pytest.raises(LibraryLockedError) as error:
            Library(folder)
    assert f"process {os.getpid()}" in str(error.value)


def test_the_folder_lock_taken_twice_is_held_until_released_twice(tmp_path):
    """A reader's check-then-save takes the lock its own library may already hold: the inner
    release must not free the folder for another writer."""
    outer, other = DataLock(tmp_path), DataLock(tmp_path)
    outer.acquire()
    outer.acquire()
    outer.release()
    assert outer.held
    with pytest.raises(LibraryLockedError):
        other.acquire()
    outer.release()
    assert not outer.held
    other.acquire()  # free at once
    other.release()
