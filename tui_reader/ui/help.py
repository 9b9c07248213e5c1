"""The help screen: every key binding (as remapped by the user's keymap), its id, what it does."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

SEARCH_HELP = (
    "Search (/): words match title, abstract, authors, tags and notes.  "
    '"exact phrase"  tag:NAME  author:NAME  title:WORD  is:starred is:unread is:read is:new is:hidden  '
    "has:code has:note has:tags  -TERM negates.  Esc clears.  F saves it as a sidebar view."
)


def binding_table(sections: list[tuple[str, list[tuple[str, Binding]]]]) -> Group:
    """Each section (title, [(keys shown, binding)]) as a heading and a table; all cells plain Text."""
    parts: list[Text | Table] = []
    for title, rows in sections:
        parts.append(Text(title, style="bold underline"))
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, min_width=10)
        table.add_column(ratio=1)
        table.add_column(no_wrap=True, style="dim")
        for keys, binding in rows:
            table.add_row(Text(keys, style="bold"), Text(binding.tooltip or binding.description), Text(binding.id or ""))
        parts += [table, Text("")]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close help", id="help-close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, Binding]]]]) -> None:
        super().__init__(classes="dialog-screen")
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Label(Text("Keys  ·  remap them by id in the config file's [keymap]"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(binding_table(self.sections), id="help-table")
                yield Static(Text(SEARCH_HELP), id="help-search")
            yield Label(Text("Esc, q or ? closes"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
