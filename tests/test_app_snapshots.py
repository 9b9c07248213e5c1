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


def test_help_screen(snap_compare, styled_library, tmp_path):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-dark"), terminal_size=(160, 45), press=["question_mark"])


def test_note_editor(snap_compare, styled_library, tmp_path):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-dark"), terminal_size=(160, 45), press=["n"])


def test_high_contrast_narrow_with_sidebar(snap_compare, styled_library, tmp_path):
    assert snap_compare(app_for(styled_library, tmp_path, "paper-high-contrast"), terminal_size=(80, 24), press=["b"])
