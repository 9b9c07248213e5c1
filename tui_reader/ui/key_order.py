"""Every key lands where it was typed, however fast the keys arrive.

Textual hands a key to the focused widget through that widget's message queue, and a binding's
action runs only when the key has bubbled back up to the app. Keys that arrived in the same read
from the terminal were by then already handed to the same widget: `/diffusion` typed in one burst
focused the search field after `d`, `i`, `f`… had run as commands (`s` starred a paper, `n` opened
the note editor). Here the app looks at each key as it arrives: when its binding opens a field (a
search field, a prompt, a picker, a dialog), the keys after it are held until the action has run
and the field has focus, then handed on in order, each to whatever has focus at its turn.

Keys typed before the app has taken the terminal over (while Python starts) were read by the
terminal in its ordinary mode, which turns Enter into a line feed: they arrive as ctrl+j, and are
taken as the Enter they were (as readline and prompt_toolkit do).
"""

from __future__ import annotations

import sys
from functools import partial

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

HOLD_LIMIT = 2.0  # seconds: a safety net, should an action open nothing and say nothing


def is_text_field(widget: Widget | None) -> bool:
    """An Input, or a TextArea. Only the dialogs make TextAreas (the note editor), and they are
    imported when one first opens: TextArea's module is not loaded at start for this test."""
    if isinstance(widget, Input):
        return True
    dialogs = sys.modules.get("tui_reader.ui.dialogs")
    return dialogs is not None and isinstance(widget, dialogs.TextArea)


class InOrderKeys(App):
    """Mixed into the app. `FIELD_ACTIONS` names the actions (as bound) that move the focus: ones
    that open a field or a dialog, and ones that close it (Enter in a prompt, Esc, ctrl+s)."""

    FIELD_ACTIONS: frozenset[str] = frozenset({"command_palette"})

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_keys: list[events.Key] | None = None
        self._hold_origin: tuple[Screen, Widget | None] | None = None
        self._hold_action = ""  # the action the keys wait for; "" once it has run
        self._hold_timer = None
        self._hold_number = 0  # a release scheduled for one hold never ends a later one

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)

    @property
    def holding_keys(self) -> bool:
        return self._held_keys is not None

    def _field_action(self, event: events.Key) -> str | None:
        """The focus-moving action this key will run, if it runs one."""
        focused = self.focused
        if is_text_field(focused) and event.is_printable:
            return None  # typed into the field it is in
        active = self.screen.active_bindings.get(event.key)
        if active is None or not active.enabled:
            return None
        action = active.binding.action.partition("(")[0].rpartition(".")[2]
        return action if action in self.FIELD_ACTIONS else None

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if event.key == "ctrl+j":
                event = events.Key("enter", "\r")
            if self._held_keys is not None:
                self._held_keys.append(event)
                return
            action = self._field_action(event)
            if action is not None:
                self._hold(action)
        await super().on_event(event)

    def _hold(self, action: str) -> None:
        self._held_keys = []
        self._hold_origin = (self.screen, self.focused)
        self._hold_action = action
        self._hold_number += 1
        self._hold_timer = self.set_timer(HOLD_LIMIT, partial(self._release, self._hold_number))

    async def run_action(self, action, default_namespace=None, namespaces=None) -> bool:
        ran = await super().run_action(action, default_namespace, namespaces)
        self.action_done(action)
        return ran

    def action_done(self, action: object) -> None:
        """The keys held for `action` may go on (also for an action refused before it ran)."""
        if self._held_keys is not None and isinstance(action, str):
            if action.partition("(")[0].rpartition(".")[2] == self._hold_action:
                self._hold_action = ""
                self.call_later(self._settle, self._hold_number)  # after the focus change the action asked for

    def _moved(self) -> bool:
        screen, focused = self._hold_origin or (None, None)
        return self.screen is not screen or self.focused is not focused

    async def _settle(self, number: int) -> None:
        """The action has run. Keys go on once the focus has moved: at once to a field focused
        here; after its first refresh to a new screen (which focuses its field as it mounts). An
        action that moved nothing opened nothing ("no paper selected"): its keys go on at once,
        unless it was typed in a field or a dialog, whose answer (Enter) closes it a moment later."""
        if self._held_keys is None or number != self._hold_number:
            return
        screen, focused = self._hold_origin or (None, None)
        if self.screen is not screen:
            self.screen.call_after_refresh(self._release, number)
        elif self.focused is not focused:
            await self._release(number)
        elif not (is_text_field(focused) or screen.is_modal):
            await self._release(number)

    def _screen_changed(self, screen: Screen) -> None:
        if self._held_keys is not None and self._hold_action == "":
            screen.call_after_refresh(self._release, self._hold_number)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self._held_keys is not None and self._hold_action == "" and self._moved():
            self.call_later(self._release, self._hold_number)

    async def _release(self, number: int) -> None:
        if number != self._hold_number:
            return
        self._hold_number += 1
        held, self._held_keys = self._held_keys, None
        self._hold_origin = None
        self._hold_action = ""
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        for event in held or ():
            await self.on_event(event)  # a held key may move the focus in turn: the rest wait again
