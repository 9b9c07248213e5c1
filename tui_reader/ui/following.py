"""What the app keeps to follow topics: the saved views (config folder), the last visit (data
folder), and the palette commands of saved views, the background fetch and the digest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui_reader.errors import ReaderError
from tui_reader.store.library import Library, now_iso
from tui_reader.store.views import SavedView, last_closed, load_views, remember_closed

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp


def load_following(app: ReaderApp, library: Library) -> tuple[list[SavedView], str | None]:
    """The saved views (problems go to the start-up messages) and when the app was last closed."""
    views: list[SavedView] = []
    if app.config_folder is not None:
        views, problems = load_views(app.config_folder)
        app.start_problems += problems
    return views, last_closed(library.folder)


def remember_visit(app: ReaderApp) -> None:
    """On closing: the next start's New view holds what is added after now."""
    if app.library.read_only:
        return
    try:
        remember_closed(app.library.folder, now_iso())
    except (ReaderError, OSError):
        pass  # at worst the next New view shows more: never worth a failure on the way out


def following_commands(app: ReaderApp) -> list:
    from tui_reader.ui.saved_views import saved_view_commands

    return saved_view_commands(app)
