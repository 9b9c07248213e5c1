"""Where things live: the data folder (catalog, state, lock, backups) and the config folder."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

from tui_reader.errors import FolderError

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


def usable_folder(path: Path, what: str, *, create: bool = True) -> Path:
    """`path` as a folder that exists (made when `create`), else FolderError naming the path and
    what is wrong, in words (never an OSError's traceback)."""
    try:
        if create:
            path.mkdir(parents=True, exist_ok=True)
        elif not path.exists():
            return path
    except FileExistsError:
        raise FolderError(path, what, "is a file, not a folder") from None
    except NotADirectoryError:
        raise FolderError(path, what, "a part of this path is a file, not a folder") from None
    except OSError as error:
        raise FolderError(path, what, _reason(error)) from None
    if not path.is_dir():
        raise FolderError(path, what, "is a file, not a folder")
    return path  # one that cannot be written is the library's to say (it opens read-only where it can)


def _reason(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot be created here (permission denied)"
    if error.errno == errno.ENOENT:
        return "cannot be created here (its parent cannot hold it)"
    if error.errno == errno.EROFS:
        return "is on a read-only file system"
    return f"cannot be used ({error.strerror or error})"
