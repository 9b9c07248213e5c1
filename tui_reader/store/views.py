"""The user's saved searches (sidebar views) and the time the app was last closed.

Saved views are the user's own work, so they live in the config folder (`views.json`), never in the
catalog, and are written through the same atomic write as the library. A file that cannot be read
is moved aside (never written over) and the app carries on with the built-in views only.

The last visit is a small file in the data folder (`visit.json`), because what is "new" is a
property of that library. It is a convenience: an unreadable one reads as "no visit yet".
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import msgspec

from tui_reader.errors import ReaderError, StorageWriteError
from tui_reader.store.files import atomic_write_bytes

VIEWS_FILE = "views.json"
VISIT_FILE = "visit.json"
VIEWS_VERSION = 1
MAX_NAME = 60


class ViewError(ReaderError):
    pass


class SavedView(msgspec.Struct, frozen=True):
    name: str
    query: str


def clean_name(name: str) -> str:
    """One line of printable text, trimmed: a name shown in the sidebar and typed on a command line."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())[:MAX_NAME]


def views_path(folder: Path) -> Path:
    return Path(folder) / VIEWS_FILE


def load_views(folder: Path) -> tuple[list[SavedView], list[str]]:
    """The saved views in `folder` (none when there is no file yet) and any problem to tell the user.
    A damaged file is moved aside as `views.json.corrupt-STAMP` and no views are returned."""
    path = views_path(folder)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [f"{path} could not be read ({error.strerror or error}); showing the built-in views only"]
    try:
        views = _parse(raw)
    except ValueError as error:
        aside = move_aside(path)
        where = f"it was kept as {aside.name}" if aside else "it could not be moved aside"
        return [], [f"{path} could not be read ({error}); {where}. Showing the built-in views only."]
    return views, []


def _parse(raw: bytes) -> list[SavedView]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not valid JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("views"), list):
        raise ValueError('expected {"views": [...]}')
    views: list[SavedView] = []
    for number, item in enumerate(data["views"], 1):
        if not (isinstance(item, dict) and isinstance(item.get("name"), str) and isinstance(item.get("query"), str)):
            raise ValueError(f"view {number} is not a name and a query")
        name = clean_name(item["name"])
        if name and all(view.name != name for view in views):
            views.append(SavedView(name, item["query"]))
    return views


def move_aside(path: Path) -> Path | None:
    """Rename an unreadable file so nothing writes over it; None when even that fails."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    try:
        path.replace(aside)
    except OSError:
        return None
    return aside


def save_views(folder: Path, views: list[SavedView]) -> None:
    """Write the saved views atomically. Raises StorageWriteError."""
    path = views_path(folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageWriteError(path, error) from error
    data = {"version": VIEWS_VERSION, "views": [{"name": v.name, "query": v.query} for v in views]}
    atomic_write_bytes(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


# -- changes: each returns the new list, or raises ViewError with a one-line reason ----------------


def add_view(views: list[SavedView], name: str, query: str) -> list[SavedView]:
    from tui_reader.search.query import parse_query  # the language decides what a query is

    name = clean_name(name)
    if not name:
        raise ViewError("a saved view needs a name")
    if any(view.name == name for view in views):
        raise ViewError(f"there is already a view named {name!r}")
    parse_query(query)  # QueryError (a ReaderError) names the problem
    return [*views, SavedView(name, query.strip())]


def find_view(views: list[SavedView], name: str) -> int:
    for index, view in enumerate(views):
        if view.name == name:
            return index
    raise ViewError(f"there is no saved view named {name!r}")


def remove_view(views: list[SavedView], name: str) -> list[SavedView]:
    index = find_view(views, name)
    return views[:index] + views[index + 1:]


def rename_view(views: list[SavedView], name: str, new_name: str) -> list[SavedView]:
    index = find_view(views, name)
    new_name = clean_name(new_name)
    if not new_name:
        raise ViewError("a saved view needs a name")
    if new_name != name and any(view.name == new_name for view in views):
        raise ViewError(f"there is already a view named {new_name!r}")
    return views[:index] + [SavedView(new_name, views[index].query)] + views[index + 1:]


def move_view(views: list[SavedView], name: str, step: int) -> list[SavedView]:
    """`name` moved `step` places (-1 up, +1 down), stopping at either end."""
    index = find_view(views, name)
    target = max(0, min(len(views) - 1, index + step))
    moved = list(views)
    moved.insert(target, moved.pop(index))
    return moved


# -- the last visit --------------------------------------------------------------------------------


def last_closed(folder: Path) -> str | None:
    """When the app was last closed on this library (ISO UTC), None before the first close."""
    try:
        data = json.loads((Path(folder) / VISIT_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    closed = data.get("closed") if isinstance(data, dict) else None
    return closed if isinstance(closed, str) and closed else None


def remember_closed(folder: Path, when: str) -> None:
    """Raises StorageWriteError."""
    atomic_write_bytes(Path(folder) / VISIT_FILE, json.dumps({"closed": when}).encode("utf-8"))
