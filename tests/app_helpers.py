"""Shared set-up for the app tests: a real Library in a temp folder holding the bundled sample."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tui_reader.cli import sample_batch
from tui_reader.library import Library
from tui_reader.ui.app import ReaderApp
from tui_reader.ui.main_screen import MainScreen
from tui_reader.ui.paper_list import PaperList

FIRST_TITLE = "Recursive Generalization Transformer for Image Super-Resolution"
FIRST_REPO = "https://github.com/zhengchen1999/RGT"


def sample_library(folder: Path) -> Library:
    library = Library(folder)
    library.import_papers(sample_batch().papers)
    return library


@pytest.fixture
def library(tmp_path):
    lib = sample_library(tmp_path / "data")
    yield lib
    lib.close()


@pytest.fixture
def config_folder(tmp_path) -> Path:
    return tmp_path / "config"


def make_app(library: Library, config_folder: Path, **options) -> ReaderApp:
    options.setdefault("cursor_blink", False)
    return ReaderApp(library, config_folder=config_folder, **options)


@asynccontextmanager
async def running(app: ReaderApp, size: tuple[int, int] = (120, 40)):
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        yield pilot
        await app.workers.wait_for_complete()


def main(app: ReaderApp) -> MainScreen:
    return app.main_screen


def paper_list(app: ReaderApp) -> PaperList:
    return app.main_screen.query_one(PaperList)


def current_id(app: ReaderApp) -> str:
    pid = paper_list(app).current_id
    assert pid is not None
    return pid


def reopen_state(library: Library):
    """The state as a fresh process would read it from disk."""
    fresh = Library(library.folder, read_only=True)
    try:
        return dict(fresh.states)
    finally:
        fresh.close()
