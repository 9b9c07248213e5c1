"""The help screen, made from the bindings themselves (as remapped by the user's keymap), the
command palette's commands and the search language's table: nothing here lists a key by hand, so
a new binding shows up in the help by existing."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui_reader.search.query import SEARCH_TERMS
from tui_reader.ui.navigation import MovingScroll

WIDE_HELP = 70  # columns from which the help is a three-column table (keys, what, id)
KEYS_WIDTH = 24  # the keys column's widest


@dataclass(frozen=True)
class HelpRow:
    keys: str
    does: str
    id: str = ""


Section = tuple[str, list[HelpRow]]


def binding_rows(rows: list[tuple[str, Binding]]) -> list[HelpRow]:
    """(keys shown, binding) pairs as help rows; one row per id (a pane's copy of a move is the same key)."""
    seen: set[str] = set()
    found = []
    for keys, binding in rows:
        if binding.id and binding.id in seen:
            continue
        seen.add(binding.id or "")
        found.append(HelpRow(keys, binding.tooltip or binding.description, binding.id or ""))
    return found


def search_rows() -> list[HelpRow]:
    return [HelpRow("  ".join(terms), meaning) for terms, meaning in SEARCH_TERMS]


def render_sections(sections: list[Section], width: int) -> Group:
    """Each section as a heading and its rows: a table when wide, else each row's keys and id on
    one line and what it does under them (readable at 40 columns). All cells plain Text."""
    parts: list[Text | Table | Padding] = []
    for title, rows in sections:
        parts.append(Text(title, style="bold underline"))
        if width >= WIDE_HELP:
            table = Table.grid(padding=(0, 2))
            table.add_column(min_width=10, max_width=KEYS_WIDTH)  # long search terms wrap in it
            table.add_column(ratio=1)
            table.add_column(no_wrap=True, style="dim")
            for row in rows:
                table.add_row(Text(row.keys, style="bold"), Text(row.does), Text(row.id))
            parts.append(table)
        else:
            for row in rows:
                line = Text(row.keys, style="bold")
                if row.id:
                    line.append(f"  {row.id}", style="dim")
                parts += [line, Padding(Text(row.does), (0, 0, 0, 2))]
        parts.append(Text(""))
    return Group(*parts)


KEY_NAMES = {"slash": "/", "question_mark": "?", "escape": "Esc", "enter": "Enter", "tab": "Tab",
             "shift+tab": "shift+Tab", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
             "up": "↑", "down": "↓"}


def key_label(keys: str) -> str:
    return " ".join(f"`{KEY_NAMES.get(key.strip(), key.strip())}`" for key in keys.split(","))


def keymap_markdown() -> str:
    """The README's table of every binding id, its default keys and what it does (a test keeps
    the README equal to it: after adding a binding, paste this function's output there)."""
    from tui_reader.ui import dialogs
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.main_screen import MainScreen
    from tui_reader.ui.paper_list import PaperList
    from tui_reader.ui.sidebar import Sidebar

    bindings = [*MainScreen.BINDINGS, *PaperList.BINDINGS, *Sidebar.BINDINGS, *ReaderApp.BINDINGS,
                *(b for dialog in dialogs.HELP_DIALOGS for b in dialog.BINDINGS), *HelpScreen.BINDINGS]
    rows = ["| id | keys | does |", "| --- | --- | --- |"]
    seen: set[str] = set()
    for binding in bindings:
        if isinstance(binding, Binding) and binding.id and binding.id not in seen:
            seen.add(binding.id)
            rows.append(f"| `{binding.id}` | {key_label(binding.key)} | {binding.tooltip or binding.description} |")
    return "\n".join(rows)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close help", id="help-close")]

    def __init__(self, sections: list[Section], keymap_file: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.sections = sections
        self.keymap_file = keymap_file
        self._width = 0

    def compose(self) -> ComposeResult:
        where = f" of {self.keymap_file}" if self.keymap_file else ""
        with Vertical(classes="dialog help-dialog"):
            yield Label(Text(f"Keys · remap by id in the [keymap]{where}"), classes="dialog-title")
            with MovingScroll(id="help-body"):
                yield Static(id="help-table")
            yield Label(Text("j/k/PgDn scroll · Esc, q or ? closes"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def on_resize(self) -> None:
        width = self.size.width
        if width != self._width:
            self._width = width
            self.query_one("#help-table", Static).update(render_sections(self.sections, width))

    def action_close(self) -> None:
        self.dismiss(None)
