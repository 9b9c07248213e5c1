"""The footer: the keys that fit the width, `?` and `q` always among them; recomposed only when
the keys it shows or its width change.

Textual's Footer rebuilds itself (a widget per key, then a layout of the whole screen) each time the
screen publishes "bindings updated", and the screen does that on every focus call, even to the widget
that already has focus, and on each screen-stack change. At start-up that was three or four rebuilds
after the first frame, and keys pressed meanwhile waited behind them.
Textual's Footer also lays every key out in a row and lets the last ones fall off the edge: at
80 columns that was `? Help` and `q Quit`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

ESSENTIAL_ACTIONS = ("help", "quit")  # shown at every width, last, just before the palette key
KEY_GAP = 3  # cells a footer key takes beyond its key and description (padding)


def key_width(display: str, description: str) -> int:
    return len(display) + len(description) + KEY_GAP


class QuietFooter(Footer):
    _composed: tuple | None = None  # (width, keys shown) the footer was last composed for
    _recompose_pending = False

    def _keys_shown(self) -> tuple:
        app = self.app
        return tuple(
            (key, binding.key, binding.description, binding.action, enabled, tooltip, app.get_key_display(binding))
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )

    def _layout(self) -> tuple:
        return (self.size.width or self.app.size.width, self._keys_shown())

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._recompose_soon()

    def on_resize(self) -> None:
        self._recompose_soon()

    def _recompose_soon(self) -> None:
        """One recompose after the next refresh, however many changes asked for it, and none when
        the keys and the width are those already shown."""
        if not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._recompose_pending = False
        if self.is_attached and self._bindings_ready and self._layout() != self._composed:
            await self.recompose()

    def fitting(self, width: int) -> list[tuple[Binding, bool, str]]:
        """The shown keys (one per action) that fit `width` cells: the essential ones always, the
        others in order while there is room, the essential ones after them."""
        by_action: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                by_action.setdefault(binding.action, (binding, enabled, tooltip))
        essential = [by_action.pop(action) for action in ESSENTIAL_ACTIONS if action in by_action]
        room = width - sum(key_width(self.app.get_key_display(b), b.description) for b, _, _ in essential)
        kept = []
        for entry in by_action.values():
            needed = key_width(self.app.get_key_display(entry[0]), entry[0].description)
            if needed > room:
                break
            room -= needed
            kept.append(entry)
        return kept + essential

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._composed = self._layout()
        active = self.screen.active_bindings
        palette = active.get(self.app.COMMAND_PALETTE_BINDING) if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else None
        width = self.size.width or self.app.size.width
        if palette is not None:
            width -= key_width(self.app.get_key_display(palette[1]), palette[1].description)
        for binding, enabled, tooltip in self.fitting(width):
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if palette is not None:
            _node, binding, enabled, _tooltip = palette
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            classes="-command-palette", disabled=not enabled, tooltip=binding.tooltip or binding.description)
