"""A data folder that cannot be written (a read-only mount, an immutable lock file) or that holds a
file named `backups`: one clear line, never a traceback; a read-only folder still opens read-only
(browse, search, export), with a banner in the app (issue 17)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app_helpers import make_app, running
from cli_helpers import run, sample_library
from reliability_helpers import ROOT, one_line
from tui_reader.cli import build_parser
from tui_reader.cli.commands import open_for_app
from tui_reader.store.library import Library
from tui_reader.ui.app import READ_ONLY_BANNER


def immutable(path: Path) -> bool:
    """chattr +i (root on a file system that has it); False when it cannot be done here."""
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0


@pytest.fixture
def folder(tmp_path):
    sample_library(tmp_path / "data").close()
    yield tmp_path / "data"
    subprocess.run(["chattr", "-i", str(tmp_path / "data" / "lock")], capture_output=True)


def test_an_immutable_lock_file_is_one_line_and_reads_still_work(capsys, folder):
    if not immutable(folder / "lock"):
        pytest.skip("chattr +i is not available here")
    code, out, err = run(capsys, folder, "star", "2401.00001")
    assert code == 1 and one_line(err) and str(folder) in err and "read-only" in err, err
    code, out, err = run(capsys, folder, "list")
    assert code == 0 and len(out.splitlines()) > 10


async def test_the_app_opens_a_folder_it_cannot_write_read_only_with_a_banner(capsys, folder, tmp_path):
    if not immutable(folder / "lock"):
        pytest.skip("chattr +i is not available here")
    args = build_parser().parse_args(["--data-dir", str(folder)])
    library = open_for_app(args)
    assert library.read_only and "cannot be written" in capsys.readouterr().err
    try:
        app = make_app(library, tmp_path / "config")
        async with running(app) as pilot:
            banner = app.main_screen.query_one("#read-only-banner")
            assert str(banner.render()) == READ_ONLY_BANNER
            first = library.ordered_ids()[0]
            await pilot.press("s")  # a change is refused in a line, the app goes on
            await pilot.pause()
            assert not library.state(first).starred
            await pilot.press("slash", "t", "r", "a", "n", "s", "enter")
            await pilot.pause()
    finally:
        library.close()


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs unshare for a read-only mount")
def test_a_read_only_mount_is_one_line_for_writes_and_opens_for_reads(folder):
    def cli(*argv: str) -> subprocess.CompletedProcess:
        script = f'mount --bind -o ro "{folder}" "{folder}" && exec "{sys.executable}" -m tui_reader --data-dir "{folder}" "$@"'
        return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *argv], capture_output=True, text=True,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})

    probe = cli("locate")
    if probe.returncode != 0:
        pytest.skip(f"no read-only mount here: {probe.stderr.strip()[:200]}")
    for argv in (["star", "2401.00001"], ["import", str(ROOT / "tests" / "fixtures" / "zotero.bib")], ["restore", "1"]):
        done = cli(*argv)
        assert done.returncode == 1 and one_line(done.stderr) and "read-only" in done.stderr, (argv, done.stderr)
    listed = cli("list")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) > 10, listed.stderr
    os.utime(folder / "papers.json", ns=(0, 0))  # a copy's time: checked by its checksum, nothing saved
    (folder / "index.bin").write_bytes(b"damaged")  # a rebuild, held in memory only
    listed = cli("list")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) > 10, listed.stderr
    exported = cli("export", "--format", "bibtex")
    assert exported.returncode == 0 and "@" in exported.stdout, exported.stderr


def test_a_file_named_backups_costs_the_backups_not_the_change(capsys, folder):
    shutil.rmtree(folder / "backups", ignore_errors=True)
    (folder / "backups").write_text("not a folder")
    with Library(folder, read_only=True) as lib:
        first = lib.ordered_ids()[0]
    code, out, err = run(capsys, folder, "star", first)
    assert code == 0 and "backups" in err and "not a folder" in err and "Traceback" not in err, err
    run(capsys, folder, "note", first, "saved twice")  # a write with a state file to back up
    with Library(folder, read_only=True) as lib:
        assert lib.state(first).starred and lib.state(first).note == "saved twice"
    assert (folder / "backups").read_text() == "not a folder"


EVIL_TITLE = "Evil \x1b]52;c;ZXZpbA==\x07 clipboard \x1b[2J and \u202ereversed"


def terminal_run(folder: Path, *argv: str) -> bytes:
    """The CLI in a real process whose stdout and stderr are a terminal (a pty); what it wrote."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "tui_reader", "--data-dir", str(folder), *argv],
                               stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, cwd=ROOT,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    os.close(follower)
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the process closed its end
            break
        if not chunk:
            break
        output += chunk
    process.wait()
    os.close(leader)
    return output


def test_cli_output_to_a_terminal_escapes_control_characters(tmp_path):
    from tui_reader.models import Paper
    from tui_reader.store.library import Library as Lib

    folder = tmp_path / "data"
    with Lib(folder) as lib:
        lib.import_papers([Paper("2401.00001", "plain")])
        # a catalog from before imports were cleaned: written the way an older version did
        lib.papers.write({"2401.00001": Paper("2401.00001", EVIL_TITLE, "", ["Mal \x1b[31mRed"])}, (), 0)
        lib.add_tags(["2401.00001"], ["tag\x1b[2J"])
    shown = terminal_run(folder, "list")
    assert b"Evil" in shown and b"\x1b" not in shown and b"\x07" not in shown and "\u202e".encode() not in shown
    assert b"\\x1b]52;c;ZXZpbA==\\x07" in shown  # shown as escapes, not obeyed
    shown = terminal_run(folder, "star", "2401.00001\x1b[2J")  # an error naming what the user typed
    assert b"no paper with id" in shown and b"\x1b" not in shown
    piped = subprocess.run([sys.executable, "-m", "tui_reader", "--data-dir", str(folder), "list", "--json"],
                           capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    import json

    assert json.loads(piped.stdout)[0]["title"] == EVIL_TITLE  # --json stays exact
