"""What the app keeps to follow topics: the saved views (config folder), the last visit (data
folder), and the palette commands of saved views, the background fetch and the digest."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
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

    digests = [(f"Write a digest of the last 7 days ({label})", "papers added, by saved search and tag, to a file in the current folder",
                lambda fmt=fmt: write_digest_file(app, fmt)) for fmt, label in (("html", "HTML"), ("markdown", "Markdown"))]
    fetch = ("Fetch now", "new papers from the sources in the [fetch] settings (else the HF daily papers), in the background",
             lambda: app.background_fetch.fetch_now(asked=True))
    return saved_view_commands(app) + [fetch] + digests


def write_digest_file(app: ReaderApp, fmt: str, folder: Path | None = None) -> Path | None:
    from tui_reader.export.digest import DEFAULT_SINCE, collect, digest_filename, parse_since, write_digest

    if app.held_while_storing():
        return None
    now = datetime.now(timezone.utc)
    library = app.library
    digest = collect(library.papers, library.states, library.ordered_ids(), app.main_screen.sidebar.saved_views,
                     since=parse_since(DEFAULT_SINCE, now), until=now)  # fmt: skip
    path = (folder or Path.cwd()) / digest_filename(fmt, f"{now:%Y-%m-%d}")
    try:
        write_digest(path, digest, fmt)
    except ReaderError as error:
        app.notify(f"Digest failed: {error}", severity="error", timeout=12, markup=False)
        return None
    app.notify(f"Wrote a digest of {digest.count} papers to {path}", timeout=10, markup=False)
    return path
