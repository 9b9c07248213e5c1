"""The CLI alongside the open app (issue 17): `tui-reader star X` from another process is handed to
the running app through its control socket (store/control.py), applied at once and shown in its
list; the socket is the owner's only; with no app running the CLI writes directly."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import sys

import pytest

from app_helpers import make_app, notices, running, wait_until
from reliability_helpers import ROOT, one_line, snapshot
from tui_reader.store.control import SOCKET_FILE, send
from tui_reader.store.library import Library


async def cli(folder, *argv: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui_reader", "--data-dir", str(folder), *argv,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


def starred_count(app) -> str:
    return str(app.main_screen.sidebar.get_option("view:starred").prompt).split()[-1]


async def test_a_star_from_the_cli_shows_in_the_running_app(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        socket_file = library.folder / SOCKET_FILE
        assert stat.S_IMODE(socket_file.stat().st_mode) == 0o600
        first, second = library.ordered_ids()[:2]
        code, out, err = await cli(library.folder, "star", first, second)
        assert code == 0 and out == "star: 2 papers changed\n", err
        # shown with no key pressed (how soon: bench/cli_while_app.py; no timed assertion here)
        await wait_until(pilot, lambda: starred_count(app) == "2")
        assert library.state(first).starred and library.state(second).starred
        code, out, err = await cli(library.folder, "tag", first, "from-cli")
        assert code == 0 and library.state(first).tags == ["from-cli"]
        code, out, err = await cli(library.folder, "hide", second)
        assert code == 0 and out == "hide: 1 paper changed\n" and library.state(second).hidden, err
        code, out, err = await cli(library.folder, "star", "no-such-paper")
        assert code == 1 and "no paper with id" in err and "\n" not in err.strip()
    assert not (library.folder / SOCKET_FILE).exists()  # gone with the app
    with Library(library.folder, read_only=True) as fresh:
        assert fresh.state(first).starred and fresh.state(first).tags == ["from-cli"]


def test_without_an_app_the_cli_writes_directly(tmp_path):
    folder = tmp_path / "data"
    with Library(folder) as lib:
        from reliability_helpers import arxiv_paper

        lib.import_papers([arxiv_paper(1)])
    (folder / SOCKET_FILE).write_bytes(b"")  # a socket file left by an app that died
    assert send(folder, {"command": "star", "ids": ["2401.00001"]}) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second user")
async def test_the_socket_refuses_another_user(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app):
        path = library.folder / SOCKET_FILE
        script = ("import os, socket, sys; os.setgid(65534); os.setuid(65534); s = socket.socket(socket.AF_UNIX);"
                  "s.connect(sys.argv[1]); s.sendall(b'{\"command\":\"star\",\"ids\":[\"x\"]}\\n');"
                  "print(s.recv(1000).decode())")
        # the file's mode keeps another user out ...
        process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(path),
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await process.communicate()
        assert process.returncode != 0 and b"Permission denied" in err
        # ... and with the mode and the folders opened, the peer's uid does
        opened = {}
        for folder in (library.folder, *library.folder.parents):
            if str(folder) in ("/", "/tmp"):
                break
            opened[folder] = stat.S_IMODE(folder.stat().st_mode)
            os.chmod(folder, opened[folder] | 0o711)
        os.chmod(path, 0o666)
        try:
            process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, str(path),
                                                           stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await process.communicate()
        finally:
            for folder, mode in opened.items():
                os.chmod(folder, mode)
        assert b"refused" in out, err
        assert not any(state.starred for state in library.states.values())


# -- import and fetch from the CLI while the app runs: the app stores them as its own import does --

FIXTURES = ROOT / "tests" / "fixtures"


def on_disk(folder) -> tuple[set[str], dict]:
    with Library(folder, read_only=True) as fresh:
        return set(fresh.papers), {pid: state.to_dict() for pid, state in fresh.states.items()}


async def test_an_import_from_the_cli_is_stored_by_the_running_app(library, config_folder, tmp_path):
    shutil.copytree(library.folder, tmp_path / "alone")  # the same library, imported into with no app
    bib = FIXTURES / "zotero.bib"
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        code, out, err = await cli(library.folder, "import", str(bib))
        assert code == 0, err
        ids, states = on_disk(library.folder)
        new = ids - set(on_disk(tmp_path / "alone")[0])
        assert new and "1706.03762" in new
        await wait_until(pilot, lambda: new <= set(app.main_screen.paper_list.ids))  # shown at once
        await wait_until(pilot, lambda: any(n.message.startswith("Imported") and "zotero.bib" in n.message for n in notices(app)))
    code, alone_out, err = await cli(tmp_path / "alone", "import", str(bib))
    assert code == 0, err
    assert out == alone_out  # the same summary (and sample note) as the CLI's own import
    assert on_disk(library.folder) == on_disk(tmp_path / "alone")  # the same papers and notes


async def test_a_bad_file_is_one_line_from_the_cli_and_the_running_app_changes_nothing(library, config_folder, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"not": "papers"')
    app = make_app(library, config_folder)
    async with running(app):
        before = snapshot(library.folder)
        shown = list(app.main_screen.paper_list.ids)
        code, out, err = await cli(library.folder, "import", str(bad))
        assert code == 1 and out == "" and one_line(err) and "broken.json" in err, err
        assert snapshot(library.folder) == before and list(app.main_screen.paper_list.ids) == shown


async def test_a_fetch_from_the_cli_is_stored_by_the_running_app(library, config_folder, local_fetch_env):
    from test_fetch import HF_DAY, HF_ENTRIES, ApiServer

    api = ApiServer()
    app = make_app(library, config_folder)
    try:
        async with running(app) as pilot:
            code, out, err = await cli(library.folder, "fetch", "hf", "--date", HF_DAY, "--base-url", api.url("ok"))
            assert code == 0, err
            assert f"Imported {len(HF_ENTRIES)} papers" in out and f"from HF daily papers (date {HF_DAY})" in out, out
            fetched = {entry["paper"]["id"] for entry in HF_ENTRIES}
            assert fetched <= on_disk(library.folder)[0]
            await wait_until(pilot, lambda: fetched <= set(app.main_screen.paper_list.ids))
    finally:
        api.close()


async def test_a_second_app_hands_its_state_changes_to_the_app_that_writes(library, config_folder):
    """`tui-reader` opened while another app writes the library: read-only, with a banner, and each
    star, read mark or tag is handed to the first app through its socket (undo stays there)."""
    from app_helpers import current_id
    from tui_reader.cli import build_parser
    from tui_reader.cli.commands import open_for_app
    from tui_reader.store.control import ControlServer, apply_change

    # the fixture's Library writes, and listens as the first app does
    writer = ControlServer(library.folder, lambda request: {"changed": apply_change(library, request)})
    assert writer.start()
    second = open_for_app(build_parser().parse_args(["--data-dir", str(library.folder)]))
    try:
        assert second.read_only
        app = make_app(second, config_folder)
        async with running(app) as pilot:
            banner = str(app.main_screen.query_one("#read-only-banner").render())
            assert f"process {os.getpid()}" in banner and "handed to it" in banner
            first = current_id(app)
            await pilot.press("s")
            await wait_until(pilot, lambda: library.state(first).starred)  # the writer made it
            assert second.state(first).starred and starred_count(app) == "1"  # and this app shows it
            await pilot.press("t", "l", "a", "t", "e", "r", "enter")
            await wait_until(pilot, lambda: library.state(first).tags == ["later"])
            await pilot.press("u")  # undo belongs to the app that wrote: said, nothing undone
            await pilot.pause()
            said = notices(app)[-1]
            assert said.title == "Read-only" and said.message.startswith("Undo and redo are in the tui-reader") and f"process {os.getpid()}" in said.message
            assert library.state(first).tags == ["later"] and second.state(first).tags == ["later"]
    finally:
        second.close()
        writer.close()
    with Library(library.folder, read_only=True) as fresh:
        assert fresh.state(first).starred and fresh.state(first).tags == ["later"]


async def test_an_arxiv_snapshot_from_the_cli_streams_into_the_running_app(library, config_folder, tmp_path):
    from test_arxiv_snapshot import SHAPES, write_snapshot

    shutil.copytree(library.folder, tmp_path / "alone")
    snap = write_snapshot(tmp_path / "snap.json", SHAPES, {3: "{oops"})
    subset = ("--category", "hep", "--category", "math.GT")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        code, out, err = await cli(library.folder, "import", str(snap), *subset)
        assert code == 0 and f"{snap}: line 3: not valid JSON" in err, err
        assert {"hep-th/9901001", "math.GT/0309136"} <= on_disk(library.folder)[0]
        await wait_until(pilot, lambda: {"hep-th/9901001", "math.GT/0309136"} <= set(app.main_screen.paper_list.ids))
    code, alone_out, alone_err = await cli(tmp_path / "alone", "import", str(snap), *subset)
    assert code == 0 and out == alone_out and "Imported 2 papers (2 new, 0 updated)" in out
    assert on_disk(library.folder) == on_disk(tmp_path / "alone")


async def test_a_stream_cut_off_half_way_stores_nothing_in_the_running_app(library, config_folder):
    from tui_reader.models import Paper
    from tui_reader.store.control import send_stream

    def papers_then_a_read_error():  # more than one chunk is sent (SEND_CHUNK) before the error
        for n in range(90001, 90301):
            yield Paper(f"2401.{n:05d}", f"Streamed paper {n}", "long " * 2_000)
        raise OSError(5, "Input/output error")

    app = make_app(library, config_folder)
    async with running(app) as pilot:
        before = snapshot(library.folder)
        with pytest.raises(OSError):
            await asyncio.to_thread(send_stream, library.folder, papers_then_a_read_error(), "snap.json")
        await wait_until(pilot, lambda: any("nothing was stored" in n.message for n in notices(app)))
        assert snapshot(library.folder) == before and "2401.90001" not in library.papers
        await pilot.press("s")  # the app goes on
        await wait_until(pilot, lambda: library.state(app.main_screen.paper_list.current_id).starred)
