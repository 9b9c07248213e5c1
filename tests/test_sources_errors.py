"""Every broken or unknown file gets one line, `tui-reader: error: FILE: …`, exit 1, and the library
stays exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol3;</title></entry></feed>"""

CASES = {
    "unknown format": (b"hello\nthis is a shopping list\n", "unknown format (expected an HF papers page"),
    "broken JSON": (b'[{"paper": {"id": "2503.07365", "title": "MM-Eureka"', "not valid JSON ("),
    "JSON object of another kind": (b'{"papers": 3}', "a JSON object that is neither a tui-reader backup nor an HF daily-papers entry"),
    "JSON array of numbers": (b"[1, 2, 3]", "item 1 is not an HF daily-papers entry"),
    "empty JSON array": (b"[]", "no papers found in this hf-api file"),
    "RSS, not Atom": (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
                      "XML, but not an Atom feed (the root element is <rss>)"),
    "HTML page": (b"<!DOCTYPE html><html><head><title>Papers</title></head><body><p>hi<br></body></html>", "not well-formed XML ("),
    "broken XML": (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>x</title>', "not well-formed XML ("),
    "XML bomb": (BILLION_LAUGHS.encode(), "refused unsafe XML ("),
    "Atom feed with no entries": (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>none</title></feed>', "no papers found in this arxiv file"),
    "arXiv API error feed": ((Path(__file__).parent / "fixtures" / "arxiv-error.xml").read_bytes(),
                             "the arXiv API answered with an error: incorrect id format for 1234.12345"),
    # One bad entry among good ones is skipped with a warning (test_real_inputs); alone, it fails the file.
    "broken BibTeX": (b"@article{a, title={Unclosed\n", "line 1: the @article entry 'a' was skipped (a brace opened at line 1 is never closed)"),
    "BibTeX with only macros": (b'@string{x = "y"}\n', "no papers here, only 1 @string macros: import this file together with the files that use them"),
    "broken backup": (b'{"format": "tui-reader-backup", "version": 1, "papers": 5, "states": {}}',
                      "a tui-reader backup without a 'papers' list and a 'states' object"),
    "backup from the future": (b'{"format": "tui-reader-backup", "version": 99, "papers": [], "states": {}}',
                               "a tui-reader backup of version 99, newer than this program reads (1)"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "this is a binary file, not a list of papers"),
    "not UTF-8": ("Titel: Über alles\n\nEin Absatz.".encode("latin-1"), "not UTF-8 text (bad byte at position 7)"),
    "empty": (b"", "the file is empty"),
    "only blank lines": (b"\n \n\t\n", "the file is empty"),
}  # fmt: skip


def snapshot(capsys, data_dir: Path) -> tuple[bytes, bytes, str]:
    code, out, err = run(capsys, data_dir, "list", "--json")
    assert code == 0, err
    files = [(data_dir / name).read_bytes() if (data_dir / name).exists() else b"" for name in ("papers.json", "state.json")]
    return files[0], files[1], out


@pytest.fixture
def library_dir(capsys, tmp_path, sample_path) -> Path:
    folder = tmp_path / "library"
    assert run(capsys, folder, "import", str(sample_path))[0] == 0
    ids = [record["id"] for record in json.loads(run(capsys, folder, "list", "--json")[1])[:2]]
    assert run(capsys, folder, "star", *ids)[0] == 0
    return folder


@pytest.mark.parametrize("case", list(CASES))
def test_import_error_is_one_line_and_changes_nothing(capsys, tmp_path, library_dir, case):
    content, reason = CASES[case]
    path = tmp_path / "input.file"
    path.write_bytes(content)
    before = snapshot(capsys, library_dir)
    code, out, err = run(capsys, library_dir, "import", str(path))
    assert code == 1
    assert err.startswith(f"tui-reader: error: {path}: {reason}"), err
    assert err.count("\n") == 1 and out == ""
    assert snapshot(capsys, library_dir) == before


def test_a_bad_file_among_good_ones_imports_none_of_them(capsys, tmp_path, library_dir):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"[1]")
    good = Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"
    before = snapshot(capsys, library_dir)
    code, out, err = run(capsys, library_dir, "import", str(good), str(bad))
    assert (code, err.startswith(f"tui-reader: error: {bad}: item 1")) == (1, True)
    assert snapshot(capsys, library_dir) == before


def test_missing_file(capsys, library_dir, tmp_path):
    code, out, err = run(capsys, library_dir, "import", str(tmp_path / "nope.json"))
    assert (code, err) == (1, f"tui-reader: error: {tmp_path / 'nope.json'}: no such file\n")
