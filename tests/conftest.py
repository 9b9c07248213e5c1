import os
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "tui_reader" / "data" / "hf-papers-page.txt"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """No test ever touches the user's real library or config."""
    monkeypatch.setenv("TUI_READER_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("TUI_READER_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def data_dir() -> Path:
    return Path(os.environ["TUI_READER_DATA_DIR"])
