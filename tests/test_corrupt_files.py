"""Corrupt or foreign state.json / papers.json: never read as an empty library without a word,
never written over. The file is moved aside as `<name>.corrupt-<time>` (byte for byte), `problems`
names it, the CLI says so in one line with the path, and `tui-reader restore` lists and restores
the rotating backups (the last 5 distinct versions of the state file).
"""

from __future__ import annotations

import time
from pathlib import Path

import orjson
import pytest

from reliability_helpers import arxiv_paper, one_line, state_view, temp_files, titled_paper
from tui_reader import cli
from tui_reader.errors import CorruptFileError
from tui_reader.store.library import Library
from tui_reader.store.files import list_backups

TABLE = {"state.json": "state", "papers.json": "papers"}


def flip(data: bytes, position: int, mask: int) -> bytes:
    position %= len(data)
    return data[:position] + bytes([data[position] ^ mask]) + data[position + 1 :]


def first(data: bytes, char: bytes) -> int:
    return data.index(char)


# Each turns the good bytes of the file (and its table name) into a damaged or foreign file.
VARIANTS = {
    "truncated-half": lambda good, t: good[: len(good) // 2],
    "truncated-last-byte": lambda good, t: good[:-1],
    "zero-bytes": lambda good, t: b"",
    "whitespace-only": lambda good, t: b" \n\t\n",
    "nul-bytes": lambda good, t: b"\x00" * len(good),
    "flipped-high-bit-start": lambda good, t: flip(good, 1, 0x80),
    "flipped-high-bit-middle": lambda good, t: flip(good, len(good) // 2, 0x80),
    "flipped-high-bit-end": lambda good, t: flip(good, -2, 0x80),
    "flipped-open-brace": lambda good, t: flip(good, 0, 0x20),  # '{' -> '['
    "flipped-quote": lambda good, t: flip(good, first(good, b'"'), 0x01),  # '"' -> '#'
    "flipped-colon": lambda good, t: flip(good, first(good, b":"), 0x01),  # ':' -> ';'
    "invalid-utf8": lambda good, t: good[:20] + b"\xff\xfe\xc3" + good[20:],
    "json-array": lambda good, t: b"[]",
    "json-null": lambda good, t: b"null",
    "json-string": lambda good, t: b'"state"',
    "json-number": lambda good, t: b"42",
    "table-is-a-string": lambda good, t: orjson.dumps({t: "oops"}),
    "table-of-strings": lambda good, t: orjson.dumps({t: {"2401.00001": "starred", "2401.00002": "read"}}),
    "table-is-a-list": lambda good, t: orjson.dumps({t: [{"title": "x"}]}),
    "record-with-wrong-field-type": lambda good, t: orjson.dumps(
        {t: {"2401.00001": {"tags": 5} if t == "state" else {"title": "A", "links": 5}}}
    ),
    "record-with-text-for-a-list": lambda good, t: orjson.dumps(  # "ml" must not read as tags m, l
        {t: {"2401.00001": {"tags": "ml"} if t == "state" else {"title": "A", "authors": "A. Person"}}}
    ),
    "record-with-wrong-value-types": lambda good, t: orjson.dumps(
        {t: {"2401.00001": {"starred": "no", "note": 5} if t == "state" else {"title": 5, "batch": "1"}}}
    ),
    "record-missing-required-field": lambda good, t: orjson.dumps(
        {t: {"2401.00001": {"tags": [1, 2]} if t == "state" else {"abstract": "no title"}}}
    ),
    "html-error-page": lambda good, t: b"<html><body>502 Bad Gateway</body></html>",
    "git-conflict-markers": lambda good, t: b"<<<<<<< HEAD\n" + good + b"\n=======\n" + good + b"\n>>>>>>> other\n",
}
# Damage that still reads as a valid document (a flipped letter inside a title) cannot be seen
# without a checksum; these variants all break the structure, the encoding or the shape.


def cases(variants):
    return [
        pytest.param(name, variant)
        for name in TABLE
        for variant in variants
    ]


@pytest.fixture
def folder(tmp_path) -> Path:
    """A library with papers and state, written in several sessions (so there are backups: the
    state log is folded into state.json when a writer closes, and the old file becomes a backup)."""
    path = tmp_path / "lib"
    with Library(path) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(1, 6)] + [titled_paper(1)])
        lib.set_starred(["2401.00001"])
    with Library(path) as lib:
        lib.add_tags(["2401.00002"], ["keep"])
    with Library(path) as lib:
        lib.set_note("2401.00003", "months of judgement")
        lib.import_papers([arxiv_paper(n) for n in range(6, 9)])
    return path


def damage(folder: Path, name: str, variant: str) -> bytes:
    path = folder / name
    bad = VARIANTS[variant](path.read_bytes(), TABLE[name])
    path.write_bytes(bad)
    return bad


def asides(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f"{name}.corrupt-*"))


def run_cli(capsys, folder: Path, *args: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["--data-dir", str(folder), *args])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("name", "variant"), cases(VARIANTS))
def test_a_damaged_file_is_kept_aside_and_reported(folder, name, variant):
    other = "papers.json" if name == "state.json" else "state.json"
    other_bytes = (folder / other).read_bytes()
    bad = damage(folder, name, variant)
    with Library(folder) as lib:
        assert len(lib.problems) == 1, lib.problems
        problem = lib.problems[0]
        assert str(folder / name) in problem and "\n" not in problem
        kept = asides(folder, name)
        assert len(kept) == 1 and kept[0].read_bytes() == bad
        assert kept[0].name in problem
        assert not (folder / name).exists()  # nothing was written in its place
        assert (folder / other).read_bytes() == other_bytes
        if name == "state.json":
            assert len(lib.papers) == 9 and lib.states == {}
        else:
            assert lib.papers == {}
    # nothing later writes over the kept file; the damage is said at every open until the user acts
    with Library(folder) as lib:
        assert len(lib.problems) == 1 and "damaged earlier" in lib.problems[0] and kept[0].name in lib.problems[0]
        if name == "state.json":
            lib.set_starred(["2401.00004"])
        else:
            lib.import_papers([arxiv_paper(1)])
        assert lib.keep_current() == [folder / name]
    with Library(folder) as lib:
        assert lib.problems == []
    assert [p.read_bytes() for p in asides(folder, name)] == [bad]


@pytest.mark.parametrize(("name", "variant"), cases(VARIANTS))
def test_a_reader_refuses_a_damaged_file_and_leaves_it_alone(folder, name, variant):
    bad = damage(folder, name, variant)
    with pytest.raises(CorruptFileError) as error:
        Library(folder, read_only=True)
    assert error.value.path == folder / name
    assert "\n" not in str(error.value)
    assert (folder / name).read_bytes() == bad and asides(folder, name) == []


@pytest.mark.parametrize(
    ("name", "variant"),
    cases(["truncated-half", "zero-bytes", "invalid-utf8", "json-null", "table-of-strings", "record-missing-required-field"]),
)
def test_the_cli_says_it_in_one_line_with_the_path(capsys, folder, name, variant):
    bad = damage(folder, name, variant)
    code, out, err = run_cli(capsys, folder, "list")
    assert code == 1 and out == ""
    assert one_line(err) and str(folder / name) in err, err
    assert (folder / name).read_bytes() == bad  # a reader moves nothing

    code, out, err = run_cli(capsys, folder, "star", "2401.00004")
    lines = err.splitlines()
    assert "Traceback" not in err
    assert lines[0].startswith("tui-reader: warning: ") and str(folder / name) in lines[0]
    assert asides(folder, name)[0].name in lines[0]
    if name == "state.json":
        assert code == 0 and lines == lines[:1] and out == "star: 1 paper changed\n"
    else:  # with the catalog set aside there is no such paper: a second one-line error
        assert code == 1 and len(lines) == 2 and "2401.00004" in lines[1]
    assert [p.read_bytes() for p in asides(folder, name)] == [bad]


def test_repeated_damage_keeps_every_damaged_copy(folder):
    """Two damaged files set aside within the same second must not overwrite each other."""
    stamp_now = time.time()
    squatters = {}
    for ahead in range(0, 30):  # names the next seconds would get, already taken
        stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(stamp_now + ahead))
        squatter = folder / f"state.json.corrupt-{stamp}"
        squatter.write_bytes(f"an earlier damaged file {ahead}".encode())
        squatters[squatter] = squatter.read_bytes()
    kept = []
    for variant in ("truncated-half", "json-null", "invalid-utf8"):
        if not (folder / "state.json").exists():
            with Library(folder) as lib:
                lib.set_starred(["2401.00005"])
        kept.append(damage(folder, "state.json", variant))
        Library(folder).close()
    for squatter, content in squatters.items():
        assert squatter.read_bytes() == content
    everything = {p.read_bytes() for p in asides(folder, "state.json")}
    assert set(kept) <= everything and len(everything) == len(squatters) + len(kept)


def test_backups_keep_the_last_five_distinct_versions(folder):
    for n in range(8):  # one session each: a backup is made when a session's changes are folded in
        with Library(folder) as lib:
            lib.set_note("2401.00001", f"version {n}")
    with Library(folder) as lib:
        newest = list_backups(lib.state_path)[0]
        assert b"version 6" in newest.read_bytes()  # the newest backup is the version before this one
        lib.restore_backup(newest)
        assert lib.state("2401.00001").note == "version 6"
        # restoring the newest backup again and again makes the same versions come round
        for _ in range(4):
            lib.restore_backup(list_backups(lib.state_path)[0])
        backups = list_backups(lib.state_path)
        contents = [p.read_bytes() for p in backups]
        assert len(backups) == 5
        assert len(set(contents)) == 5, "two backups hold the same version"
        assert lib.state_path.read_bytes() not in contents or len(set(contents)) == 5
        for raw in contents:
            orjson.loads(raw)  # every backup is a whole, readable version
    # every backup is a complete earlier version, newest first by name
    assert [p.name for p in backups] == sorted((p.name for p in backups), reverse=True)


def test_the_catalog_keeps_a_backup_of_its_previous_version(folder):
    before = (folder / "papers.json").read_bytes()
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(40)])
        backups = list_backups(lib.catalog_path)
    assert len(backups) == 1 and backups[0].read_bytes() == before


def test_restore_lists_and_restores_after_damage(capsys, folder):
    with Library(folder) as lib:
        lib.set_note("2401.00003", "the last good note")
    with Library(folder) as lib:  # the last session's changes: in state.json only, not in a backup
        lib.set_starred(["2401.00005"])
        good_view = state_view(lib)
    damage(folder, "state.json", "truncated-half")

    code, out, err = run_cli(capsys, folder, "restore")
    assert code == 0 and "state.json" in err and one_line(err)
    listed = out.splitlines()
    assert listed and all(line.split()[0].isdigit() for line in listed)
    assert listed[0].split()[1].startswith("state-")
    assert any(line.split()[1].startswith("papers-") for line in listed)

    code, out, err = run_cli(capsys, folder, "restore", "1")
    assert code == 0 and out.startswith("Restored state.json from state-")
    assert all("damaged earlier" in line for line in err.splitlines())
    with Library(folder) as lib:
        assert lib.problems == []
        # the newest backup is the version before the damaged one: everything but the last change
        view = state_view(lib)
        assert view[arxiv_paper(3).title][4] == "the last good note"
        assert view == {**good_view, arxiv_paper(5).title: view[arxiv_paper(5).title]}
        assert view[arxiv_paper(1).title][2] is True and view[arxiv_paper(2).title][3] == ("keep",)
    assert temp_files(folder) == []

    code, out, err = run_cli(capsys, folder, "restore", "99")
    assert code == 1 and one_line(err) and "99" in err


def test_restore_refuses_a_damaged_backup(capsys, folder):
    newest = list_backups(folder / "state.json")[0]
    newest.write_bytes(b"{half")
    current = (folder / "state.json").read_bytes()
    code, out, err = run_cli(capsys, folder, "restore", "1")
    assert code == 1 and one_line(err) and newest.name in err
    assert (folder / "state.json").read_bytes() == current

