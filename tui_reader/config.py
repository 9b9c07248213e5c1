"""The user's settings: a small TOML file in the config folder (theme, keymap, sidebar shown,
background fetch).

Read with tomllib; written by hand (the format is tiny) through the same atomic write as the
library. A broken file is reported, never fatal, and never written over: the user may have spent
time on their keymap, so the app runs on defaults and leaves the file for them to fix.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import msgspec

from tui_reader.errors import StorageWriteError
from tui_reader.search.query import SORT_ORDERS
from tui_reader.store.files import atomic_write_bytes

CONFIG_FILE = "config.toml"
THEMES_DIR = "themes"
DEFAULT_THEME = "paper-dark"


class FetchSettings(msgspec.Struct):
    """The [fetch] table: fetching new papers in the background while the app runs."""

    background: bool = False
    every_minutes: int = 60
    hf_daily: bool = True
    arxiv_queries: list[str] = msgspec.field(default_factory=list)
    arxiv_max: int = 50


class Config(msgspec.Struct):
    theme: str = DEFAULT_THEME
    show_sidebar: bool = True
    sort: str = "added"  # the list's sort order (S cycles it), one of search.query.SORT_ORDERS
    keymap: dict[str, str] = msgspec.field(default_factory=dict)  # binding id -> keys, e.g. {"star": "x"}
    fetch: FetchSettings = msgspec.field(default_factory=FetchSettings)
    path: Path | None = None  # where it was read from and is saved to
    writable: bool = True  # False when the file on disk could not be read


def config_path(folder: Path) -> Path:
    return Path(folder) / CONFIG_FILE


def load_config(folder: Path) -> tuple[Config, list[str]]:
    """The settings in `folder` (defaults when there is no file yet) and any problems found."""
    path = config_path(folder)
    config = Config(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return config, []
    except OSError as error:
        config.writable = False
        return config, [f"{path} could not be read ({error.strerror or error}); using the default settings"]
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        config.writable = False
        return config, [f"{path} is not valid TOML ({error}); using the default settings until it is fixed"]
    problems = []
    theme = data.get("theme", DEFAULT_THEME)
    if isinstance(theme, str) and theme.strip():
        config.theme = theme.strip()
    else:
        problems.append(f"{path}: `theme` must be a theme name; using {DEFAULT_THEME}")
    sidebar = data.get("show_sidebar", True)
    if isinstance(sidebar, bool):
        config.show_sidebar = sidebar
    else:
        problems.append(f"{path}: `show_sidebar` must be true or false")
    sort = data.get("sort", "added")
    if isinstance(sort, str) and sort in SORT_ORDERS:
        config.sort = sort
    else:
        problems.append(f"{path}: `sort` must be one of {', '.join(SORT_ORDERS)}")
    keymap = data.get("keymap", {})
    if isinstance(keymap, dict):
        for binding_id, keys in keymap.items():
            if isinstance(keys, str) and keys.strip():
                config.keymap[binding_id] = keys.strip()
            else:
                problems.append(f"{path}: keymap.{binding_id} must be a key like \"x\" or \"ctrl+x,f5\"")
    else:
        problems.append(f"{path}: `keymap` must be a table of binding id = \"keys\"")
    problems += read_fetch_settings(data.get("fetch", {}), config.fetch, path)
    if problems:
        config.writable = False  # keep the user's file as written; they can see what to fix
    return config, problems


def read_fetch_settings(table: object, settings: FetchSettings, path: Path) -> list[str]:
    """Fill `settings` from the [fetch] table; the problems found (each value wrong keeps its default)."""
    if not isinstance(table, dict):
        return [f"{path}: `fetch` must be a table ([fetch])"]
    problems = []
    for key in ("background", "hf_daily"):
        value = table.get(key, getattr(settings, key))
        if isinstance(value, bool):
            setattr(settings, key, value)
        else:
            problems.append(f"{path}: fetch.{key} must be true or false")
    for key, least in (("every_minutes", 5), ("arxiv_max", 1)):
        value = table.get(key, getattr(settings, key))
        if isinstance(value, int) and not isinstance(value, bool) and value >= least:
            setattr(settings, key, value)
        else:
            problems.append(f"{path}: fetch.{key} must be a whole number of at least {least}")
    queries = table.get("arxiv_queries", [])
    if isinstance(queries, list) and all(isinstance(q, str) for q in queries):
        settings.arxiv_queries = [q.strip() for q in queries if q.strip()]
    else:
        problems.append(f"{path}: fetch.arxiv_queries must be a list of arXiv searches, e.g. [\"cat:cs.CV AND ti:diffusion\"]")
    return problems


def render_fetch_settings(settings: FetchSettings) -> list[str]:
    return [
        "# Fetch new papers in the background: when the app starts, then every `every_minutes` while it",
        "# runs. Off by default. `hf_daily` fetches the Hugging Face daily papers; each of `arxiv_queries`",
        "# (arXiv API syntax, e.g. \"cat:cs.CV AND ti:diffusion\") fetches its newest `arxiv_max` papers.",
        "# A failed fetch is one quiet line in the footer and is tried again later. Palette: \"Fetch now\".",
        "[fetch]",
        f"background = {'true' if settings.background else 'false'}",
        f"every_minutes = {settings.every_minutes}",
        f"hf_daily = {'true' if settings.hf_daily else 'false'}",
        f"arxiv_queries = [{', '.join(json.dumps(q) for q in settings.arxiv_queries)}]",
        f"arxiv_max = {settings.arxiv_max}",
    ]


def render_config(config: Config) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    lines = [
        "# tui-reader settings. `tui-reader locate` prints where this file is.",
        "# Themes: the built-in ones, or a TOML or YAML file of your own in the `themes` folder next to this file.",
        f"theme = {json.dumps(config.theme)}",
        f"show_sidebar = {'true' if config.show_sidebar else 'false'}",
        f"# the list's order (S cycles it): {', '.join(SORT_ORDERS)}",
        f"sort = {json.dumps(config.sort)}",
        "",
        *render_fetch_settings(config.fetch),
        "",
        "# Remap keys by binding id (the help screen, `?`, lists the ids), e.g. star = \"x\"",
        "[keymap]",
    ]
    lines += [f"{json.dumps(binding_id)} = {json.dumps(keys)}" for binding_id, keys in sorted(config.keymap.items())]
    return "\n".join(lines) + "\n"


def save_config(config: Config) -> None:
    """Write the settings atomically. Raises StorageWriteError; does nothing for an unreadable file."""
    if config.path is None or not config.writable:
        return
    try:
        config.path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageWriteError(config.path, error) from error
    atomic_write_bytes(config.path, render_config(config).encode("utf-8"))
