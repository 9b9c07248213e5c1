"""A Static given the same text again does nothing: a new text costs a layout of the whole screen
(its height may change), and a star redraws every part of the detail pane."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class UnchangedText(Static):
    shown: Text | None = None

    def show(self, text: Text) -> None:
        if text != self.shown:
            self.shown = text
            self.update(text)
