"""Saved searches in the app: `F` (follow) saves the search as a sidebar view; in the sidebar, keys rename,
move and delete the highlighted one; the palette does the same for the view shown or one picked.

Every change reads the views file afresh (a `tui-reader view add` meanwhile is kept), changes it and
writes it atomically; the sidebar then shows the new list and counts.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding

from tui_reader.errors import ReaderError
from tui_reader.search.query import SMART_VIEWS
from tui_reader.store.views import SavedView, add_view, clean_name, load_views, move_view, remove_view, rename_view, save_views

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp
    from tui_reader.ui.main_screen import MainScreen

Command = tuple[str, str, Callable[[], object]]


def current_query(screen: MainScreen) -> str:
    """The view shown and the search typed, as one query of the language."""
    kind, _, name = screen.view.partition(":")
    if kind == "tag":
        base = shlex.quote(f"tag:{name}")
    elif kind == "saved":
        base = next((v.query for v in screen.sidebar.saved_views if v.name == name), "")
    else:
        base = SMART_VIEWS.get(name, ("", ""))[1]
    return " ".join(part for part in (base, screen.search_text.strip()) if part)


def change_views(app: ReaderApp, change: Callable[[list[SavedView]], list[SavedView]], done: str,
                 renamed: tuple[str, str] | None = None) -> bool:
    """Apply `change` to the views on disk (or in memory, without a config folder) and show them."""
    sidebar = app.main_screen.sidebar
    views = sidebar.saved_views
    folder = app.config_folder
    if folder is not None:
        fresh, problems = load_views(folder)
        for problem in problems:
            app.notify(problem, title="Saved views", severity="warning", timeout=15, markup=False)
        views = views if problems else fresh
    try:
        views = change(views)
        if folder is not None:
            save_views(folder, views)
    except ReaderError as error:
        app.notify(f"Not saved: {error}", severity="error", timeout=10, markup=False)
        return False
    sidebar.set_saved_views(views, renamed)
    app.notify(done, timeout=4, markup=False)
    return True


def save_search(screen: MainScreen) -> None:
    query = current_query(screen)
    if not query:
        screen.app.notify("Search first (/), then F saves the search as a view.", severity="warning", timeout=5)
        return

    def named(name: str | None) -> None:
        if name:
            if change_views(screen.app, lambda views: add_view(views, name, query), f"Saved view {name!r}: {query}"):
                screen.sidebar.choose(f"saved:{clean_name(name)}")
                screen.action_clear_search()  # the search is in the view now

    screen.app.push_screen(NamePrompt("Save the search as a view named", query), named)


def ask_rename(app: ReaderApp, name: str) -> None:
    def renamed(new_name: str | None) -> None:
        if new_name and new_name != name:
            change_views(app, lambda views: rename_view(views, name, new_name), f"Renamed {name!r} to {new_name!r}",
                         (name, clean_name(new_name)))

    app.push_screen(NamePrompt(f"Rename the view {name!r} to", name), renamed)


def ask_delete(app: ReaderApp, name: str) -> None:
    from tui_reader.ui.dialogs import Confirm

    def answered(yes: bool | None) -> None:
        if yes:
            change_views(app, lambda views: remove_view(views, name), f"Deleted the view {name!r}")

    app.push_screen(Confirm(f"Delete the saved view {name!r}? (papers are not touched)", "Delete", "Keep"), answered)


def move(app: ReaderApp, name: str, step: int) -> None:
    change_views(app, lambda views: move_view(views, name, step), f"Moved {name!r} {'up' if step < 0 else 'down'}")


def pick_view(app: ReaderApp, then: Callable[[str], None]) -> None:
    """Act on the saved view shown, else on one the user picks."""
    sidebar = app.main_screen.sidebar
    kind, _, name = app.main_screen.view.partition(":")
    if kind == "saved":
        then(name)
        return
    if not sidebar.saved_views:
        app.notify("No saved views yet: search, then press F.", severity="warning", timeout=5)
        return
    from tui_reader.ui.dialogs import PickOne
    from tui_reader.ui.safe_text import safe_line

    items = [(view.name, Text(f"{safe_line(view.name)}  ({safe_line(view.query)})")) for view in sidebar.saved_views]
    app.push_screen(PickOne("Which saved view?", items), lambda chosen: then(chosen) if chosen else None)


def saved_view_commands(app: ReaderApp) -> list[Command]:
    return [
        ("Save the search as a view", "the view and search shown, in the sidebar", lambda: save_search(app.main_screen)),
        ("Rename a saved view", "the one shown, else pick one", lambda: pick_view(app, lambda name: ask_rename(app, name))),
        ("Delete a saved view", "the one shown, else pick one", lambda: pick_view(app, lambda name: ask_delete(app, name))),
        ("Move a saved view up", "in the sidebar", lambda: pick_view(app, lambda name: move(app, name, -1))),
        ("Move a saved view down", "in the sidebar", lambda: pick_view(app, lambda name: move(app, name, 1))),
    ]


class SavedViewKeys:
    """The sidebar's actions on its highlighted saved view (a mixin for the Sidebar, which lists
    SAVED_VIEW_BINDINGS: Textual collects BINDINGS from widget classes only)."""

    SAVED_VIEW_BINDINGS = [
        Binding("e,f2", "rename_view", "Rename", id="rename-view", tooltip="Rename the highlighted saved view"),
        Binding("d,delete", "delete_view", "Delete", id="delete-view", tooltip="Delete the highlighted saved view"),
        Binding("K,shift+up", "move_view(-1)", "Move up", id="move-view-up", tooltip="Move the highlighted saved view up"),
        Binding("J,shift+down", "move_view(1)", "Move down", id="move-view-down", tooltip="Move the highlighted saved view down"),
    ]

    def _highlighted_saved(self) -> str | None:
        option = self.highlighted_option  # type: ignore[attr-defined]
        if option is not None and option.id and option.id.startswith("saved:"):
            return option.id.partition(":")[2]
        self.app.notify("Highlight a saved search in the sidebar first.", severity="warning", timeout=4)  # type: ignore[attr-defined]
        return None

    def action_rename_view(self) -> None:
        if name := self._highlighted_saved():
            ask_rename(self.app, name)  # type: ignore[attr-defined]

    def action_delete_view(self) -> None:
        if name := self._highlighted_saved():
            ask_delete(self.app, name)  # type: ignore[attr-defined]

    def action_move_view(self, step: int) -> None:
        if name := self._highlighted_saved():
            move(self.app, name, step)  # type: ignore[attr-defined]


@cache
def _name_prompt():
    from tui_reader.ui.dialogs import CompletingPrompt

    class NamePrompt(CompletingPrompt[str | None]):
        """Ask for a view's name, the current one filled in."""

        placeholder = "a name for the sidebar"
        hint = "Enter saves · Esc cancels"
        input_id = "view-name"

        def __init__(self, title: str, name: str) -> None:
            super().__init__(title)
            self.initial = name

        def suggester(self):
            return None

        def on_mount(self) -> None:
            field = self.query_one("#view-name")
            field.value = self.initial
            field.cursor_position = len(self.initial)
            field.focus()

        def on_input_submitted(self, event) -> None:
            event.stop()
            self.dismiss(event.value.strip() or None)

    return NamePrompt


def NamePrompt(title: str, name: str):  # noqa: N802 (built on first use: the dialogs load lazily)
    return _name_prompt()(title, name)
