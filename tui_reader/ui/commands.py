"""The command palette (ctrl+p): every action of the main screen, plus import, fetch and export."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp


class ReaderCommands(Provider):
    """Every key binding's action by name, so nothing needs its key remembered."""

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: ReaderApp = self.app  # type: ignore[assignment]  # the palette of a ReaderApp
        screen = app.main_screen
        found = []
        for _title, rows in app.binding_sections():
            for keys, binding in rows:
                if binding.action in ("command_palette",):
                    continue
                target = app if binding in app.BINDINGS else screen
                if binding.action.startswith(("cursor_", "first", "last", "page_", "choose")):
                    target = screen.paper_list
                if binding in screen.sidebar.BINDINGS:
                    target = screen.sidebar
                name = binding.tooltip or binding.description
                found.append((name, f"{keys} · {binding.description}", partial(target.run_action, binding.action)))
        return found + app.extra_commands()

    async def discover(self) -> Hits:
        for name, help_text, run in self.commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
