"""Snapshots of each screen at fixed sizes and themes, on fixed data (no times of "now" on screen).

Update after an intended change with `pytest tests/test_app_snapshots.py --snapshot-update`, and look
at the SVGs before committing them.
"""

from __future__ import annotations

import pytest

from app_helpers import make_app
from cli_helpers import sample_library


@pytest.fixture
def styled_library(tmp_path):
    library = sample_library(tmp_path / "data")
    ids = library.ordered_ids()
    library.set_starred([ids[0], ids[3]])
    library.set_read(ids[1:5])
    library.add_tags([ids[0]], ["vision", "sr"])
    library.add_tags([ids[2]], ["agents"])
    library.set_note(ids[0], "## Why it matters\n\n- **global** context at *low* cost\n- code: `RGT`")
    yield library
    library.close()


def app_for(library, tmp_path, theme):
    return make_app(library, tmp_path / "config", theme=theme)


@pytest.mark.parametrize("theme", ["paper-dark", "paper-light"])
@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
def test_main_screen(snap_compare, styled_library, tmp_path, theme, size):
    assert snap_compare(app_for(styled_library, tmp_path, theme), terminal_size=size)


def test_main_screen_with_search(snap_compare, styled_library, tmp_path):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-dark"), terminal_size=(160, 45), press=["slash", *"self", "enter"])


SIZES = [(160, 45), (80, 24), (40, 12)]


def test_main_screen_tiny(snap_compare, styled_library, tmp_path):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-dark"), terminal_size=(40, 12))


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, styled_library, tmp_path, size):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-dark"), terminal_size=size, press=["question_mark"])


async def main_screen_up(pilot):
    while pilot.app.screen is not pilot.app.main_screen:
        await pilot.pause()


async def open_import(pilot):
    from tui_reader.ui.dialogs import PathPrompt

    await main_screen_up(pilot)
    pilot.app.push_screen(PathPrompt("Import papers from a file"))
    await pilot.pause()


async def open_export(pilot):
    from tui_reader.ui.dialogs import ExportPrompt

    await main_screen_up(pilot)
    pilot.app.push_screen(ExportPrompt("Export the 81 papers in the list as BibTeX to", "/home/me/tui-reader-2025-03-11.bib"))
    await pilot.pause()


async def open_confirm(pilot):
    from tui_reader.ui.dialogs import Confirm

    await main_screen_up(pilot)
    pilot.app.push_screen(Confirm("/home/me/tui-reader-2025-03-11.bib exists. Replace it?", yes="Replace", no="Keep it"))
    await pilot.pause()


PROMPTS = {"tag": {"press": ["t"]}, "untag": {"press": ["T"]}, "note": {"press": ["n"]},
           "import": {"run_before": open_import}, "export": {"run_before": open_export},
           "confirm": {"run_before": open_confirm}}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("prompt", list(PROMPTS))
def test_prompt(snap_compare, styled_library, tmp_path, prompt, size):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-dark"), terminal_size=size, **PROMPTS[prompt])


def test_high_contrast_narrow_with_sidebar(snap_compare, styled_library, tmp_path):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-high-contrast"), terminal_size=(80, 24), press=["b"])
