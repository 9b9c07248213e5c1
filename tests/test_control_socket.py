"""The CLI alongside the open app (issue 17): `tui-reader star X` from another process is handed to
the running app through its control socket (store/control.py), applied at once and shown in its
list; the socket is the owner's only; with no app running the CLI writes directly."""

from __future__ import annotations

import asyncio
import os
import stat
import sys

import pytest

from app_helpers import make_app, running, wait_until
from reliability_helpers import ROOT
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
