"""Titles, abstracts, tags and notes with Rich markup or terminal escapes are shown literally and safely."""

from __future__ import annotations

import os
import pty
import re
import select
import sys
import time

from app_helpers import make_app, paper_list, running
from tui_reader.store.library import Library
from tui_reader.models import Link, Paper
from tui_reader.ui.safe_text import safe_block, safe_line

OSC52 = "\x1b]52;c;aGFja2Vk\x07"  # would overwrite the user's clipboard with "hacked"
HOSTILE_TITLE = f"[bold]Bold[/] [link=https://evil.example]click[/link] {OSC52}\x1b[2J\x1b[31mred\x00nul\x07bel\x9bc1"
HOSTILE_ABSTRACT = f"[red]not red[/] and [/] alone; {OSC52} CSI \x1b[1;1H home; BEL\x07; NUL\x00."
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_paper() -> Paper:
    return Paper(
        id="2401.00001",
        title=HOSTILE_TITLE,
        abstract=HOSTILE_ABSTRACT,
        authors=["[i]Mallory[/i]", "Eve\x1b]0;title\x07"],
        links=[Link("https://github.com/x/y\x1b[31m", "code")],
        batch=99,
    )


def test_safe_text_makes_every_control_visible():
    assert safe_line("a\x1bb\x07c\x00d\x9be\nf\tg") == "a␛b␇c␀d\ufffde f g"
    assert safe_block("one\ntwo\x1b") == "one\ntwo␛"
    assert "[bold]" in safe_line("[bold]x[/]")


async def test_list_and_detail_show_markup_literally_and_no_control_character(library, config_folder):
    library.import_papers([hostile_paper()])
    library.add_tags(["2401.00001"], ["[red]tag\x1b"])
    library.set_note("2401.00001", f"[blink]note[/] {OSC52}")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        assert paper_list(app).current_id == "2401.00001"  # the newest import lists first
        await pilot.pause()
        row = paper_list(app).render_line(0)
        row_text = row.text
        assert "[bold]Bold[/] [" in row_text
        assert not CONTROL.search(row_text)
        for segment in row:
            assert segment.style is None or not segment.style.link  # no hyperlink was made from the text
        title = str(app.main_screen.query_one("#detail-title").render())
        assert "[bold]Bold[/]" in title and not CONTROL.search(title)
        abstract = str(app.main_screen.query_one("#detail-abstract").render())
        assert "[red]not red[/] and [/] alone" in abstract and not CONTROL.search(abstract)
        meta = str(app.main_screen.query_one("#detail-meta").render())
        assert "[i]Mallory[/i]" in meta and not CONTROL.search(meta)
        links = str(app.main_screen.query_one("#detail-links").render())
        assert not CONTROL.search(links)
        note = str(app.main_screen.query_one("#detail-note").query("MarkdownParagraph").first().render())
        assert note.startswith("[blink]note[/] ␛]52;") and not CONTROL.search(note)
        screenshot = app.export_screenshot()
        assert "hacked" not in screenshot and "aGFja2Vk" in screenshot  # shown as text, inert


async def test_a_hostile_link_is_copied_without_its_control_characters(library, config_folder, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no clipboard tool: OSC 52 only
    library.import_papers([hostile_paper()])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        await pilot.press("c")
        await app.workers.wait_for_complete()
        assert app.clipboard == "https://github.com/x/y[31m"


def test_no_escape_from_the_data_reaches_a_real_terminal(tmp_path):
    """The real program on a pseudo-terminal: the bytes it writes carry none of the paper's escapes."""
    data, config = tmp_path / "data", tmp_path / "config"
    with Library(data) as lib:
        lib.import_papers([hostile_paper()])
    pid, fd = pty.fork()
    if pid == 0:  # the child: the app, on the pty, 120x40
        os.environ.update(TERM="xterm-256color", COLUMNS="120", LINES="40")
        os.execv(sys.executable, [sys.executable, "-m", "tui_reader", "--data-dir", str(data), "--config-dir", str(config)])
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    output = bytearray()

    def read_until(marker: bytes, limit: float = 20.0) -> None:
        deadline = time.monotonic() + limit
        while marker not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output.extend(os.read(fd, 65536))
                except OSError:
                    return

    try:
        read_until(b"aGFja2Vk")  # the payload appears as visible text
        assert b"aGFja2Vk" in output, output[-2000:]
        os.write(fd, b"q")
        read_until(b"\x1b[?1049l")  # leaving the alternate screen
    finally:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    assert b"\x1b]52;" not in output and b"\x9d52;" not in output  # no clipboard write (OSC 52) got through
    own = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", bytes(output))  # Textual's own OSC 22 (pointer shape) ends in BEL
    assert b"\x07" not in own and b"\x00" not in own  # no BEL, no NUL from the data
    assert b"\x1b[2J\x1b[31m" not in output  # the title's own CSI never reached the terminal
    assert "[bold]Bold[/]".encode() in output  # shown literally


async def test_fields_stored_huge_before_the_import_cap_are_shown_cut_and_the_app_stays_responsive(tmp_path, monkeypatch, config_folder, capsys):
    """A library written before the import's size limit may hold a 50 MB title: the list row, the
    detail pane and `list` show the start of each field and count the rest; nothing stored changes."""
    from cli_helpers import run
    from reliability_helpers import arxiv_paper
    from tui_reader.store import library as library_module

    folder = tmp_path / "old"
    title, text = "T" * 50_000_000, "lorem ipsum " * 500_000
    with monkeypatch.context() as before_the_cap:
        before_the_cap.setattr(library_module, "clean_paper", lambda paper: [])
        with Library(folder) as old:
            huge = Paper("2401.00002", title, text, [text], source="hf-api", sources=["hf-api"])
            old.import_papers([arxiv_paper(1), huge])
            old.set_note("2401.00002", text)
    library = Library(folder)
    try:
        assert len(library.papers["2401.00002"].title) == len(title)  # stored as it was
        app = make_app(library, config_folder)
        async with running(app) as pilot:
            rows = paper_list(app)
            while rows.current_id != "2401.00002":
                await pilot.press("j")
            await pilot.pause()
            detail = app.main_screen.detail
            shown_title = str(detail.query_one("#detail-title").render())
            assert shown_title.endswith(f"… ({len(title) - 2_000:,} characters not shown)") and len(shown_title) < 2_100
            shown_abstract = str(detail.query_one("#detail-abstract").render())
            assert shown_abstract.endswith(f"({len(text.strip()) - 100_000:,} characters not shown)")
            assert detail.query_one("#detail-note").source.endswith(f"({len(text.strip()) - 100_000:,} characters not shown)")
            assert "characters not shown" in str(detail.query_one("#detail-meta").render())
            await pilot.press("k")  # the app still takes keys
            await pilot.pause()
            assert rows.current_id == "2401.00001" and detail.query_one("#detail-title").render()
    finally:
        library.close()
    code, out, err = run(capsys, folder, "list")
    line = next(line for line in out.splitlines() if "2401.00002" in line)
    assert code == 0 and len(line) < 2_100 and line.endswith(f"({len(title) - 2_000:,} characters not shown)"), err
