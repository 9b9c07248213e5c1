"""The list draws its rows from segments, not through rich.Text: the cut must be rich's own."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.text import Text

from tui_reader.ui.paper_list import fit

SAMPLES = [
    "",
    "Short title",
    "Recursive Generalization Transformer for Image Super-Resolution",
    "视觉语言模型的高效推理与长上下文理解",  # two cells a character
    "Mixed 中文 and emoji 🚀🚀 in one title",
    "e\u0301te\u0301 combining accents",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("width", [0, 1, 2, 5, 11, 12, 20, 40, 80])
@pytest.mark.parametrize("pad", [False, True])
def test_fit_cuts_and_pads_like_rich(text, width, pad):
    expected = Text(text)
    expected.truncate(width, overflow="ellipsis", pad=pad)
    got = fit(text, width, pad)
    if width == 0 and cell_len(text) > 0:
        assert got == ""  # rich leaves a one-cell ellipsis where there is no cell at all
    else:
        assert got == expected.plain
    assert cell_len(got) <= max(width, 0)
