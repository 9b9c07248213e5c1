"""The core never imports Textual: storage, parsers, queries and exports are usable without a UI."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tui_reader"


def core_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_there_are_core_modules_to_check():
    names = {p.name for p in core_modules()}
    assert {"models.py", "library.py", "files.py", "query.py", "searcher.py", "commands.py", "formats.py"} <= names


def test_no_core_module_imports_textual():
    offenders = [str(p) for p in core_modules() if "textual" in imported_names(p)]
    assert offenders == []


def test_importing_the_core_loads_no_textual():
    code = (
        "import sys, tui_reader.cli, tui_reader.store.library, tui_reader.search.query, tui_reader.search.searcher, tui_reader.export.formats, "
        "tui_reader.sources; tui_reader.sources.formats(); print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_apps_start_loads_no_parser_exporter_or_editor():
    """What the first screen does not use loads when first used (launch time): the command line
    and the app imported as `tui-reader` starts them, and the built-in themes read (PyYAML is for a
    user's YAML theme only)."""
    deferred = ["tui_reader.sources.arxiv", "tui_reader.sources.hf_api", "email.utils", "xml.etree.ElementTree",
                "csv", "html", "importlib.resources", "textual.widgets._text_area", "tui_reader.ui.dialogs",
                "tui_reader.search.related", "numpy", "yaml"]
    code = ("import sys, tui_reader.entry, tui_reader.cli, tui_reader.ui.app; from tui_reader.ui.themes import load_all_themes; "
            f"load_all_themes(None); print([m for m in {deferred!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
