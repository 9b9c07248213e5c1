"""Where things live: the data folder (catalog, state, lock, backups) and the config folder."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "tui-reader"
DATA_ENV = "TUI_READER_DATA_DIR"
CONFIG_ENV = "TUI_READER_CONFIG_DIR"

CATALOG_FILE = "papers.json"
STATE_FILE = "state.json"


def data_dir(explicit: str | Path | None = None) -> Path:
    """--data-dir, else $TUI_READER_DATA_DIR, else the platform's user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    return user_data_path(APP_NAME)


def config_dir(explicit: str | Path | None = None) -> Path:
    """--config-dir, else $TUI_READER_CONFIG_DIR, else the platform's user config folder."""
    if explicit:
        return Path(explicit).expanduser()
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    return user_config_path(APP_NAME)
