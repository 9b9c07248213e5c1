"""Every command's success and error path, through the real entry point and real files."""

import io
import os
import json
import subprocess
import sys

import orjson
import pytest

from tui_reader import cli
from tui_reader.cli import common as cli_common
from tui_reader.store.library import Library

LIST_KEYS = ["id", "title", "abstract", "authors", "published", "links", "read", "starred", "tags", "note", "added"]


def run(capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = cli.main(list(args))
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, *query):
    code, out, err = run(capsys, "list", "--json", *query)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def imported(capsys, sample_path):
    code, out, _ = run(capsys, "import", str(sample_path))
    assert code == 0
    return listed(capsys)


def test_import_reports_new_then_nothing_new(capsys, sample_path):
    assert run(capsys, "import", str(sample_path))[1] == (
        "Imported 81 papers (81 new, 0 updated) from hf-papers-page.txt\n"
    )
    assert run(capsys, "import", str(sample_path))[1] == (
        "Nothing new from hf-papers-page.txt: its 81 papers are all already in your library\n"
    )


def test_list_json_of_the_sample(imported):
    papers = imported
    assert len(papers) == 81
    assert all(list(p) == LIST_KEYS for p in papers)
    assert papers[0]["title"] == "Recursive Generalization Transformer for Image Super-Resolution"
    assert papers[-1]["title"] == "Deep neural networks as nested dynamical systems"
    assert {"url": "https://github.com/zhengchen1999/RGT", "kind": "code"} in papers[0]["links"]
    urls = [link["url"] for p in papers for link in p["links"]]
    assert len(urls) == 21 and len(set(urls)) == 21
    assert not any(url.endswith((".", ",", ";", ")")) for url in urls)
    assert all(p["read"] is False and p["starred"] is False and p["tags"] == [] and p["note"] == "" for p in papers)
    assert all(p["added"].endswith("Z") for p in papers)


def test_list_text_lines_show_markers(capsys, imported):
    first = imported[0]["id"]
    run(capsys, "star", first)
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 81
    assert lines[0].startswith("N* " + first)
    assert lines[1].startswith("N  ")


def test_state_commands_change_only_the_state_file(capsys, imported, data_dir):
    first, second = imported[0]["id"], imported[1]["id"]
    catalog = data_dir / "papers.json"
    mtime = catalog.stat().st_mtime_ns
    assert run(capsys, "star", first, second)[1] == "star: 2 papers changed\n"
    assert run(capsys, "tag", first, "Vision", "sr")[0] == 0
    assert run(capsys, "note", first, "worth", "reading")[0] == 0
    assert run(capsys, "read", second)[0] == 0
    papers = {p["id"]: p for p in listed(capsys)}
    assert papers[first]["starred"] and papers[first]["tags"] == ["vision", "sr"]
    assert papers[first]["note"] == "worth reading"
    assert papers[second]["read"] and papers[second]["starred"]
    assert catalog.stat().st_mtime_ns == mtime
    run(capsys, "unstar", first)
    run(capsys, "unread", second)
    run(capsys, "untag", first, "sr")
    papers = {p["id"]: p for p in listed(capsys)}
    assert not papers[first]["starred"] and papers[first]["tags"] == ["vision"]
    assert not papers[second]["read"]
    assert catalog.stat().st_mtime_ns == mtime


def test_note_from_stdin(capsys, imported, monkeypatch):
    first = imported[0]["id"]
    code, _, _ = run(capsys, "note", first, "-", stdin="line one\nline two\n", monkeypatch=monkeypatch)
    assert code == 0
    assert listed(capsys)[0]["note"] == "line one\nline two"


def test_list_query_and_sort(capsys, imported):
    first = imported[0]["id"]
    run(capsys, "star", first)
    run(capsys, "tag", first, "vision")
    assert [p["id"] for p in listed(capsys, "--query", "is:starred")] == [first]
    assert [p["id"] for p in listed(capsys, "--query", "tag:vision")] == [first]
    assert len(listed(capsys, "--query", "-is:starred")) == 80
    assert len(listed(capsys, "--query", "has:code")) == 17  # 17 github.com URLs, one per paper
    titles = [p["title"] for p in listed(capsys, "--sort", "title")]
    assert titles == sorted(titles, key=str.casefold)


@pytest.mark.parametrize(
    "args, message",
    [
        (["star", "no-such-id"], "no paper with id 'no-such-id'"),
        (["tag", "no-such-id", "x"], "no paper with id 'no-such-id'"),
        (["note", "no-such-id", "x"], "no paper with id 'no-such-id'"),
        (["list", "--query", "is:bogus"], "unknown is:bogus"),
        (["list", "--sort", "bogus"], "invalid choice: 'bogus'"),
        (["restore", "9"], "no backup number 9"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["star"], "the following arguments are required: ID"),
    ],
)
def test_errors_are_one_line_with_exit_1(capsys, imported, args, message):
    code, out, err = run(capsys, *args)
    assert code == 1
    assert err.startswith("tui-reader: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_import_errors_leave_the_library_unchanged(capsys, imported, tmp_path, data_dir):
    before = (data_dir / "papers.json").read_bytes()
    missing = tmp_path / "missing.txt"
    code, _, err = run(capsys, "import", str(missing))
    assert code == 1 and err == f"tui-reader: error: {missing}: no such file\n"
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    code, _, err = run(capsys, "import", str(empty))
    assert code == 1 and err == f"tui-reader: error: {empty}: the file is empty\n"
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    code, _, err = run(capsys, "import", str(binary))
    assert code == 1 and str(binary) in err and "binary" in err
    assert (data_dir / "papers.json").read_bytes() == before


def test_data_dir_option_beats_the_environment(capsys, sample_path, tmp_path):
    other = tmp_path / "elsewhere"
    run(capsys, "--data-dir", str(other), "import", str(sample_path))
    assert (other / "papers.json").exists()
    assert listed(capsys) == []


def test_locate_names_the_files(capsys, data_dir):
    code, out, _ = run(capsys, "locate")
    assert code == 0
    assert f"catalog:       {data_dir / 'papers.json'}" in out
    assert f"state:         {data_dir / 'state.json'}" in out
    assert f"state log:     {data_dir / 'state.log'}" in out
    assert "config file:" in out


def test_restore_lists_and_restores(capsys, imported):
    first = imported[0]["id"]
    run(capsys, "note", first, "one")
    run(capsys, "note", first, "two")
    code, out, _ = run(capsys, "restore")
    assert code == 0 and out.splitlines()[0].split()[0] == "1" and "state-" in out
    code, out, _ = run(capsys, "restore", "1")
    assert code == 0 and "Restored state.json" in out
    assert listed(capsys)[0]["note"] == "one"


def test_state_command_waits_then_fails_while_the_library_is_held(capsys, imported, data_dir, monkeypatch):
    monkeypatch.setattr(cli_common, "STATE_LOCK_WAIT", 0.2)
    with Library(data_dir):
        code, _, err = run(capsys, "star", imported[0]["id"])
    assert code == 1 and "is in use by process" in err
    assert listed(capsys)[0]["starred"] is False  # reading works beside the holder


def test_python_dash_m_runs_the_cli(tmp_path, sample_path):
    out = subprocess.run(
        [sys.executable, "-m", "tui_reader", "--data-dir", str(tmp_path), "import", str(sample_path)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0 and out.stdout.startswith("Imported 81 papers (81 new")


def test_the_command_keeps_the_collector_off_only_for_the_app(tmp_path):
    # tui_reader.entry turns it off before the first import; every command but the app's start
    # turns it back on (the app does once it has started: test_app_large_library).
    code = (
        "import gc, sys\n"
        "from tui_reader.entry import main\n"
        f"sys.argv = ['tui-reader', '--data-dir', {str(tmp_path / 'data')!r}, 'list']\n"
        "main()\n"
        "print('collector on:', gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("collector on: True")


def test_an_index_rebuilt_from_a_big_catalog_is_announced_first(capsys, imported, data_dir, sample_path, monkeypatch):
    monkeypatch.setattr(cli_common, "REBUILD_NOTICE_BYTES", 1)  # the sample stands in for a big catalog
    code, _, err = run(capsys, "list")
    assert code == 0 and "rebuilding" not in err  # the index is current: nothing to say
    catalog = data_dir / "papers.json"
    os.utime(catalog, ns=(catalog.stat().st_atime_ns, catalog.stat().st_mtime_ns + 1))  # as `cp -r` does
    code, out, err = run(capsys, "list")
    assert code == 0 and len(out.splitlines()) == 81
    assert "rebuilding" not in err  # same token, size and checksum: a copy is not rebuilt
    raw = catalog.read_bytes()
    title = orjson.loads(raw)["papers"][next(iter(orjson.loads(raw)["papers"]))]["title"].encode()
    edited = title[:-1] + (b"Q" if title[-1:] != b"Q" else b"R")
    catalog.write_bytes(raw.replace(b'"title":' + orjson.dumps(title.decode()), b'"title":' + orjson.dumps(edited.decode()), 1))
    assert catalog.stat().st_size == len(raw)  # an edit by hand of the same length
    code, out, err = run(capsys, "list")
    assert "index.bin is missing or out of date: rebuilding it from the catalog" in err
    assert edited.decode() in out and title.decode() not in out
    assert "rebuilding" not in run(capsys, "list")[2]  # said once: the reader saved it (no writer held the folder)
