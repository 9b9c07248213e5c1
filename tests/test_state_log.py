"""The state log (store/state_log.py): a change is one line appended to state.log, read back over
state.json by every opener, folded into state.json by a writer; a crash (a real process that dies
without closing) loses nothing acknowledged, and a damaged log is never read as less without a word."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from reliability_helpers import arxiv_paper, one_line
from tui_reader.store import files
from tui_reader.store.control import apply_change
from tui_reader.store.files import list_backups
from tui_reader.store.library import Library
from tui_reader.store.state_log import log_path_of

# A writer in its own process that makes the changes named on its command line, then dies without
# closing (no fold): what a kill -9 right after the last acknowledged change leaves.
DIES_AFTER_CHANGES = """
import os, sys
from tui_reader.store.library import Library
lib = Library(sys.argv[1])
for pid in sys.argv[2:]:
    lib.set_starred([pid])
    lib.add_tags([pid], ["t-" + pid[-1]])
print("done", flush=True)
os._exit(0)
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "lib"
    with Library(path) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(1, 9)])
        lib.set_note("2401.00008", "from the first session")
    return path


def log_of(folder: Path) -> Path:
    return log_path_of(folder / "state.json")


def states_of(folder: Path, read_only: bool = True) -> dict[str, dict]:
    with Library(folder, read_only=read_only) as lib:
        assert lib.problems == []
        return {pid: state.to_dict() for pid, state in lib.states.items()}


def die_after_changes(folder: Path, *ids: str) -> None:
    done = subprocess.run([sys.executable, "-c", DIES_AFTER_CHANGES, str(folder), *ids], capture_output=True, text=True, timeout=60)
    assert done.stdout == "done\n", done.stderr


def test_every_kind_of_change_is_appended_and_read_back(folder):
    state_file = folder / "state.json"
    with Library(folder) as lib:
        before = state_file.stat()
        lib.set_starred(["2401.00001"])
        lib.add_tags(["2401.00002", "2401.00003"], ["graphs"])
        lib.set_note("2401.00004", "a note\nover two lines, \u00e9")
        lib.set_read(["2401.00005"])
        lib.set_hidden(["2401.00006"])
        lib.set_starred(["2401.00007"])
        lib.undo()  # the star on 00007 goes again
        lib.remove_tags(["2401.00003"], ["graphs"])
        after = state_file.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # never rewritten
        assert log_of(folder).read_bytes().count(b"\n") == 8
        assert stat.S_IMODE(log_of(folder).stat().st_mode) == 0o600  # notes are private, as in state.json
        expected = {pid: state.to_dict() for pid, state in lib.states.items()}
        assert states_of(folder) == expected  # a reader: state.json and the log
    assert log_of(folder).stat().st_size == 0  # folded in at close
    assert orjson.loads(state_file.read_bytes())["state"] == expected
    assert states_of(folder, read_only=False) == expected
    assert expected["2401.00004"]["note"] == "a note\nover two lines, \u00e9"
    assert "2401.00007" not in expected and "2401.00003" not in expected  # back to the default: no record


def test_a_crash_leaves_the_log_and_the_next_opener_reads_it(folder):
    die_after_changes(folder, "2401.00001", "2401.00002")
    assert log_of(folder).read_bytes().count(b"\n") == 4
    seen = states_of(folder)  # a reader: nothing folded, nothing lost
    assert seen["2401.00001"]["starred"] and seen["2401.00002"]["tags"] == ["t-2"]
    assert seen["2401.00008"]["note"] == "from the first session"
    with Library(folder) as lib:  # a writer folds it in at open
        assert lib.problems == []
        assert log_of(folder).stat().st_size == 0
        assert {pid: s.to_dict() for pid, s in lib.states.items()} == seen
    assert states_of(folder) == seen


def test_a_torn_last_line_is_ignored_and_cut(folder):
    die_after_changes(folder, "2401.00001")
    whole = log_of(folder).read_bytes()
    with open(log_of(folder), "ab") as log:  # a crash in the middle of an append: never acknowledged
        log.write(b'{"table":"state","put":{"2401.00005":{"starred":tr')
    seen = states_of(folder)
    assert seen["2401.00001"]["starred"] and "2401.00005" not in seen
    with Library(folder) as lib:
        assert lib.problems == [] and lib.warnings == []
        assert not lib.state("2401.00005").starred
        assert log_of(folder).stat().st_size == 0  # folded and cut
    assert states_of(folder) == seen
    assert whole.endswith(b"\n")


def test_a_torn_last_line_is_cut_before_the_next_append(folder):
    """A reader-free path: the writer that finds a torn tail at open cuts it, so the next line
    never follows half a line."""
    die_after_changes(folder, "2401.00001")
    with open(log_of(folder), "ab") as log:
        log.write(b'{"table":"sta')
    with Library(folder) as lib:
        lib.set_starred(["2401.00002"])
        raw = log_of(folder).read_bytes()
        assert raw.endswith(b"\n") and b'{"table":"sta{' not in raw
        for line in raw.splitlines():
            orjson.loads(line)
    assert states_of(folder)["2401.00002"]["starred"]


def test_a_damaged_line_in_the_middle_is_set_aside_said_and_the_rest_kept(folder):
    die_after_changes(folder, "2401.00001", "2401.00002", "2401.00003")
    lines = log_of(folder).read_bytes().split(b"\n")
    lines[3] = b"\x00\x00 garbage where a change was"  # the tag of 00002 (its newest whole record)
    damaged = b"\n".join(lines)
    log_of(folder).write_bytes(damaged)

    with Library(folder, read_only=True) as reader:  # a reader says so and moves nothing
        [problem] = reader.problems
        assert one_line(problem) and str(log_of(folder)) in problem and "line 4" in problem
        assert reader.state("2401.00001").starred and reader.state("2401.00003").tags == ["t-3"]
    assert log_of(folder).read_bytes() == damaged

    with Library(folder) as lib:  # the writer keeps it aside, says so once, and keeps what it read
        [problem] = lib.problems
        asides = sorted(folder.glob("state.log.corrupt-*"))
        assert len(asides) == 1 and asides[0].read_bytes() == damaged
        assert one_line(problem) and str(log_of(folder)) in problem and asides[0].name in problem
        assert lib.state("2401.00001").starred and lib.state("2401.00001").tags == ["t-1"]
        assert lib.state("2401.00002").starred and lib.state("2401.00002").tags == []  # its record before the damaged one
        assert lib.state("2401.00003").starred and lib.state("2401.00003").tags == ["t-3"]
        assert lib.state("2401.00008").note == "from the first session"
        assert not log_of(folder).exists() or log_of(folder).stat().st_size == 0
    with Library(folder) as again:
        assert again.problems == [] and again.state("2401.00003").starred


def test_a_log_line_with_a_record_of_the_wrong_shape_is_damage_in_the_log_not_in_the_state_file(folder):
    """Before: the record went into the table read, and the whole state file was blamed and set aside."""
    die_after_changes(folder, "2401.00001", "2401.00002")
    lines = log_of(folder).read_bytes().split(b"\n")
    lines[1] = orjson.dumps({"table": "state", "put": {"2401.00001": {"starred": "yes"}}, "drop": []})
    log_of(folder).write_bytes(b"\n".join(lines))

    with Library(folder, read_only=True) as reader:
        [problem] = reader.problems
        assert str(log_of(folder)) in problem and "line 2" in problem and "starred is str" in problem
        assert reader.state("2401.00002").tags == ["t-2"] and reader.state("2401.00008").note == "from the first session"
    with Library(folder) as lib:
        assert lib.state("2401.00001").starred and lib.state("2401.00002").starred  # the lines around it
        assert lib.state("2401.00008").note == "from the first session"
    assert not list(folder.glob("state.json.corrupt-*")) and len(list(folder.glob("state.log.corrupt-*"))) == 1


def test_a_state_file_with_a_key_this_version_does_not_know_keeps_every_state(folder):
    """In memory a newer release's field is left out (this one has no use for it), the rest of each
    record is kept, and nothing is reported (the file keeps the field: the test after this one)."""
    data = orjson.loads((folder / "state.json").read_bytes())
    data["state"]["2401.00008"]["colour"] = "red"
    data["state"]["2401.00002"] = {"starred": True, "pinned": {"at": 3}}
    (folder / "state.json").write_bytes(orjson.dumps(data))
    note = {k: v for k, v in data["state"]["2401.00008"].items() if k != "colour"}
    assert note["note"] == "from the first session"
    assert states_of(folder) == {"2401.00008": note, "2401.00002": {"starred": True}}


def test_a_newer_releases_key_stays_in_the_file_through_a_fold_and_a_log_line(folder):
    """This release cannot show it, but it is the user's: the untouched records keep it on disk."""
    data = orjson.loads((folder / "state.json").read_bytes())
    data["state"]["2401.00008"]["colour"] = "red"
    (folder / "state.json").write_bytes(orjson.dumps(data))
    with log_of(folder).open("ab") as log:  # a newer release's change, still in the log
        log.write(orjson.dumps({"table": "state", "put": {"2401.00005": {"read": True, "pinned": 2}}, "drop": []}) + b"\n")
    with Library(folder) as lib:  # the writer folds the log at its open and at its close
        assert lib.problems == [] and lib.state("2401.00008").note == "from the first session"
        assert lib.state("2401.00005").read
        lib.set_starred(["2401.00001"])
    kept = orjson.loads((folder / "state.json").read_bytes())["state"]
    assert kept["2401.00008"]["colour"] == "red" and kept["2401.00005"]["pinned"] == 2
    assert kept["2401.00001"]["starred"] is True


def test_the_log_is_folded_in_past_its_bound(folder, monkeypatch):
    monkeypatch.setattr(files, "FOLD_LINES", 3)
    state_file = folder / "state.json"
    backups_before = len(list_backups(state_file))
    with Library(folder) as lib:
        for n in range(1, 4):
            lib.set_starred([f"2401.0000{n}"])
        assert log_of(folder).read_bytes().count(b"\n") == 3  # at the bound: not yet
        lib.set_read(["2401.00004"])  # past it: folded
        assert log_of(folder).stat().st_size == 0
        on_disk = orjson.loads(state_file.read_bytes())["state"]
        assert all(on_disk[f"2401.0000{n}"]["starred"] for n in range(1, 4)) and on_disk["2401.00004"]["read"]
        assert len(list_backups(state_file)) == backups_before + 1  # the old file rotates into the backups
        lib.set_starred(["2401.00005"])  # and appending goes on
        assert log_of(folder).read_bytes().count(b"\n") == 1
    assert states_of(folder)["2401.00005"]["starred"]


def test_a_crash_between_folding_and_emptying_the_log_changes_nothing(folder):
    """The fold writes state.json first, then empties the log: a crash in between leaves both,
    and replaying whole documents already in the file gives the same states."""
    die_after_changes(folder, "2401.00001", "2401.00002")
    with open(log_of(folder), "ab") as log:  # and an unstar of 00001 after its star, in the same log
        log.write(orjson.dumps({"table": "state", "put": {}, "drop": ["2401.00001"]}) + b"\n")
    left = log_of(folder).read_bytes()
    expected = states_of(folder)
    assert "2401.00001" not in expected
    Library(folder).close()  # folds: state.json now holds it all, the log is empty
    assert log_of(folder).stat().st_size == 0
    log_of(folder).write_bytes(left)  # as if the crash came before the log was emptied
    assert states_of(folder) == expected
    assert states_of(folder, read_only=False) == expected


def test_a_second_library_reads_the_writers_appended_changes(folder):
    with Library(folder) as writer, Library(folder, read_only=True) as reader:
        reader.forward = lambda request: apply_change(writer, request)  # what the control socket does
        writer.set_starred(["2401.00001"])
        writer.add_tags(["2401.00002"], ["seen-by-the-reader"])
        assert not reader.state("2401.00001").starred  # read at its open, before the change
        reader.set_read(["2401.00003"])  # handed to the writer; the reader then re-reads the disk
        assert reader.state("2401.00001").starred and reader.state("2401.00002").tags == ["seen-by-the-reader"]
        assert reader.state("2401.00003").read
        assert reader.states == writer.states
        assert log_of(folder).read_bytes().count(b"\n") == 3


def test_a_read_only_open_beside_a_running_writer_sees_its_log(folder):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom tui_reader.store.library import Library\nlib = Library(sys.argv[1])\n"
         "lib.set_starred(['2401.00006'])\nprint('starred', flush=True)\nsys.stdin.readline()\nlib.close()\n", str(folder)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "starred\n"
        with Library(folder, read_only=True) as reader:
            assert reader.held_by is None or reader.read_only
            assert reader.state("2401.00006").starred and reader.problems == []
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    assert log_of(folder).stat().st_size == 0 and states_of(folder)["2401.00006"]["starred"]


def test_restoring_a_backup_is_not_undone_by_the_log(folder):
    with Library(folder) as lib:
        lib.set_starred(["2401.00001"])
    with Library(folder) as lib:
        lib.set_starred(["2401.00002"])
        lib.set_note("2401.00008", "after the backup")
        lib.restore_backup(list_backups(lib.state_path)[0])  # the file the last session's fold replaced
        assert not lib.state("2401.00002").starred and not lib.state("2401.00001").starred
        assert os.path.getsize(log_of(folder)) == 0
    seen = states_of(folder)
    assert "2401.00002" not in seen and seen["2401.00008"]["note"] == "from the first session"


def test_a_reader_never_takes_the_old_file_with_the_emptied_log(folder, monkeypatch):
    """The writer folds the log between a reader's read of state.json and its read of the log:
    the reader sees state.json was replaced meanwhile and reads both again."""
    with Library(folder) as writer:
        writer.set_starred(["2401.00001"])
        writer.add_tags(["2401.00002"], ["in-the-log"])
        real_read_log = files.read_log
        folds = []

        def fold_first(path, *check):
            if not folds:  # between this reader's two reads, once
                folds.append(writer._state_db.storage.fold_log())
            return real_read_log(path, *check)

        monkeypatch.setattr(files, "read_log", fold_first)
        with Library(folder, read_only=True) as reader:
            assert folds and log_of(folder).stat().st_size == 0
            assert reader.state("2401.00001").starred and reader.state("2401.00002").tags == ["in-the-log"]
            assert reader.states == writer.states
