"""The floor: the smallest Textual app that shows one line. bench/run times it next to the reader."""

from textual.app import App, ComposeResult
from textual.widgets import Static


class Floor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("floor app ready")


if __name__ == "__main__":
    Floor().run()
