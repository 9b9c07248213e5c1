"""The command palette (ctrl+p): every action of the main screen, plus fetch/export when present."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ReaderCommands(Provider):
    """Every key binding's action by name, so nothing needs its key remembered."""

    def commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        sections = getattr(app, "binding_sections", None)
        screen = getattr(app, "main_screen", None)
        if sections is None or screen is None:
            return []
        found = []
        for _title, rows in sections():
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
        extra = getattr(app, "extra_commands", None)
        if extra:
            found += extra()
        return found

    async def discover(self) -> Hits:
        for name, help_text, run in self.commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
