"""`c` and `C` in the app: OSC 52 always, the system clipboard when a tool works, honest messages."""

from __future__ import annotations

import subprocess

import pytest

from app_helpers import FAKE_BEHAVIOURS, FAKE_SETUPS, FIRST_REPO, make_app, notices, paper_list, running, use_fake_tool
from tui_reader.models import Link


def messages(app):
    return [(n.title, n.message, n.severity) for n in notices(app)]


async def test_c_puts_the_repo_link_on_the_x_clipboard(library, config_folder, x_display):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pasted = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True, timeout=5)
        assert pasted.stdout == FIRST_REPO
        assert app.clipboard == FIRST_REPO  # the OSC 52 copy too
        assert ("Copied", f"Copied the repo link (xclip):\n{FIRST_REPO}", "information") in messages(app)


async def test_with_no_tool_the_app_says_so_and_shows_the_url(library, config_folder, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == FIRST_REPO
        [(title, message, severity)] = messages(app)
        assert title == "Copy not confirmed" and severity == "warning"
        assert "No clipboard tool" in message and "OSC 52" in message
        assert message.endswith(FIRST_REPO)


@pytest.mark.parametrize("tool", list(FAKE_SETUPS))
@pytest.mark.parametrize("behaviour", list(FAKE_BEHAVIOURS))
async def test_a_broken_tool_never_freezes_the_app_nor_reports_success(library, config_folder, monkeypatch, tmp_path, tool, behaviour):
    use_fake_tool(monkeypatch, tmp_path / "bin", tool, behaviour)
    app = make_app(library, config_folder, clipboard_timeout=0.3)
    async with running(app) as pilot:
        await pilot.press("c", "j")  # the copy runs in a thread: the list keeps answering
        assert paper_list(app).cursor == 1
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.clipboard == FIRST_REPO
        [(title, message, severity)] = messages(app)
        assert title == "Copy not confirmed" and severity == "warning"
        assert message.endswith(FIRST_REPO)
        assert "Copied" not in message


async def test_C_copies_the_papers_own_link(library, config_folder, monkeypatch, tmp_path):
    from dataclasses import replace

    monkeypatch.setenv("PATH", str(tmp_path))
    first = library.papers[library.ordered_ids()[0]]
    arxiv = Link("https://arxiv.org/abs/2303.06373", "arxiv")
    library.import_papers([replace(first, links=[*first.links, arxiv])])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("C")
        await app.workers.wait_for_complete()
        assert app.clipboard == arxiv.url


async def test_C_without_a_paper_link_says_so(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("C")  # the first sample paper has only a code link
        assert app.clipboard == ""
        assert "no arXiv" in messages(app)[0][1]


async def test_c_without_a_repo_says_so(library, config_folder):
    no_code = next(pid for pid in library.ordered_ids() if not library.papers[pid].links_of("code"))
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        paper_list(app)._move(paper_list(app).row_of(no_code))
        await pilot.press("c")
        assert app.clipboard == ""
        assert "no code-repo link" in messages(app)[0][1]


async def test_c_with_several_repos_offers_a_picker(library, config_folder, monkeypatch, tmp_path):
    from dataclasses import replace

    from tui_reader.ui.dialogs import PickOne

    monkeypatch.setenv("PATH", str(tmp_path))
    first = library.papers[library.ordered_ids()[0]]
    second = Link("https://gitlab.com/other/mirror", "code")
    library.import_papers([replace(first, links=[*first.links, second])])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, PickOne)
        await pilot.press("down", "enter")
        await app.workers.wait_for_complete()
        assert app.clipboard == second.url
