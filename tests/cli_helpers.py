"""Running the real command line in-process, for tests of every command."""

from __future__ import annotations

import json
from pathlib import Path

from tui_reader.cli import main
from tui_reader.cli.common import sample_batch
from tui_reader.store.library import Library


def sample_library(folder: Path) -> Library:
    """A real Library in `folder` holding the bundled sample."""
    library = Library(folder)
    library.import_papers(sample_batch().papers)
    return library


def run(capsys, data_dir: Path | None, *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `tui-reader [--data-dir DIR] ARGV…`."""
    capsys.readouterr()
    prefix = ["--data-dir", str(data_dir)] if data_dir is not None else []
    try:
        code = main([*prefix, *argv])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, data_dir: Path | None, *query: str) -> list[dict]:
    code, out, err = run(capsys, data_dir, "list", "--json", *query)
    assert code == 0, err
    return json.loads(out)


def catalog(data_dir: Path) -> dict:
    with Library(data_dir, read_only=True) as library:
        return dict(library.papers)
