"""The footer, recomposed only when the keys it shows change.

Textual's Footer rebuilds itself (a widget per key, then a layout of the whole screen) each time the
screen publishes "bindings updated", and the screen does that on every focus call, even to the widget
that already has focus, and on each screen-stack change. At start-up that was three or four rebuilds
after the first frame, and keys pressed meanwhile waited behind them.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    _shown: tuple | None = None

    def _keys_shown(self) -> tuple:
        app = self.app
        return tuple(
            (key, binding.key, binding.description, binding.action, enabled, tooltip, app.get_key_display(binding))
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == app.COMMAND_PALETTE_BINDING
        )

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = self._keys_shown()
            if self._bindings_ready and shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
