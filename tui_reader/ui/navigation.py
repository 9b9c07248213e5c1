"""One vocabulary of moving keys for every pane: the paper list, the detail pane, the sidebar and
the pickers all answer j/k, g/G, Home/End and PgUp/PgDn the same way. The ids are shared, so a
remap in the keymap (`cursor-down = "n"`) moves the cursor the same way everywhere."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList

from tui_reader.ui.scrolling import OwnVirtualSize


def moves(down: str, up: str, first: str, last: str, page_down: str, page_up: str) -> list[Binding]:
    """The moving keys bound to a widget's own actions of those names."""
    return [
        Binding("j,down", down, "Down", id="cursor-down", show=False, tooltip="Down: the next paper, line, view or item (every pane)"),
        Binding("k,up", up, "Up", id="cursor-up", show=False, tooltip="Up: the previous paper, line, view or item"),
        Binding("g,home", first, "First", id="first", show=False, tooltip="To the top"),
        Binding("G,end", last, "Last", id="last", show=False, tooltip="To the bottom"),
        Binding("pageup", page_up, "Page up", id="page-up", show=False, tooltip="Up a page"),
        Binding("pagedown", page_down, "Page down", id="page-down", show=False, tooltip="Down a page"),
    ]


class MovingOptionList(OwnVirtualSize, OptionList):
    """An OptionList (the sidebar, a picker) that moves with j/k/g/G as well as the arrows."""

    BINDINGS = moves("cursor_down", "cursor_up", "first", "last", "page_down", "page_up")


class MovingScroll(VerticalScroll):
    """A scrolling pane (the detail pane, the help) that scrolls with j/k/g/G as well.

    Each key scrolls from where the key before it lands, at once: Textual's own line and page
    scrolls wait for the next frame and count from the pane's position then, so two keys before a
    frame (a burst, a paste, a held key) scrolled one line."""

    BINDINGS = moves("scroll_down", "scroll_up", "scroll_home", "scroll_end", "page_down", "page_up")

    def scroll_by(self, lines: float, animate: bool = True) -> None:
        self.scroll_to(y=self.scroll_target_y + lines, animate=animate, immediate=True)

    def action_scroll_down(self) -> None:
        self.scroll_by(1)

    def action_scroll_up(self) -> None:
        self.scroll_by(-1)

    def action_page_down(self) -> None:
        self.scroll_by(self.scrollable_content_region.height)

    def action_page_up(self) -> None:
        self.scroll_by(-self.scrollable_content_region.height)
