"""Full disks and I/O errors: OSError(ENOSPC) / OSError(EIO) at the k-th os.open / os.write /
os.fsync / os.replace call of a library change, for every k the change makes.

For each fault: the change raises StorageWriteError with a one-line message naming the file and
the cause; the file being written is byte-identical to before (and its backups too); the library's
memory equals a freshly opened library; no temp file is left; and the same change succeeds once the
fault clears. A fault that lands after the file was replaced (the folder fsync) cannot undo the
write: then the change succeeds, and memory and disk agree on the new state.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reliability_helpers import (
    FAULTABLE,
    Faults,
    arxiv_paper,
    eio,
    enospc,
    snapshot,
    state_view,
    temp_files,
    titled_paper,
    upgraded,
)
from tui_reader.errors import StorageWriteError
from tui_reader.store.library import Library
from tui_reader.store.files import list_backups

Op = Callable[[Library], object]

OPS: dict[str, Op] = {
    "star": lambda lib: lib.set_starred(["2401.00003"]),
    "star-three-at-once": lambda lib: lib.set_starred(["2401.00004", "2401.00005", "2401.00006"]),
    "unstar-to-default": lambda lib: lib.set_starred(["2401.00001"], False),
    "tag": lambda lib: lib.add_tags(["2401.00002"], ["disk", "full"]),
    "long-note": lambda lib: lib.set_note("2401.00007", "a long note, over several writes. " * 600),
    "import-new": lambda lib: lib.import_papers([arxiv_paper(n) for n in range(200, 260)]),
    "import-moving-state": lambda lib: lib.import_papers([upgraded(1, 1)]),  # catalog write, then state write
    "import-stream": lambda lib: lib.import_stream([arxiv_paper(n) for n in range(200, 260)]),  # the snapshot's way
    "import-stream-moving-state": lambda lib: lib.import_stream([upgraded(1, 1)]),
    "restore-backup": lambda lib: lib.restore_backup(list_backups(lib.state_path)[0]),
    "restore-catalog-backup": lambda lib: lib.restore_backup(list_backups(lib.catalog_path)[0]),
}
ERRORS = {"ENOSPC": (enospc, "No space left on device"), "EIO": (eio, "Input/output error")}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A library with 60 papers (10 title-only) and some state, and backups of the state file."""
    folder = tmp_path_factory.mktemp("template") / "lib"
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(50)] + [titled_paper(n) for n in range(10)])
        lib.set_starred(["2401.00001"])
        lib.add_tags([titled_paper(1).id], ["moves-with-it"])
        lib.set_note("2401.00002", "first note")
    with Library(folder) as lib:  # a second session: its changes are folded at close, the old file kept as a backup
        lib.set_read(["2401.00003"])
        lib.import_papers([arxiv_paper(n) for n in range(50, 55)])  # a catalog backup to restore
    return folder


def fresh_copy(template: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(template, folder)
    return folder


def calls_made(template: Path, tmp_path: Path, op: str) -> dict[str, int]:
    """How many open/write/fsync/replace calls in the data folder the change makes (no fault)."""
    folder = fresh_copy(template, tmp_path)
    with Library(folder) as lib, Faults(folder) as counter:
        OPS[op](lib)
    return counter.counts


def expected_after(template: Path, tmp_path: Path, op: str) -> dict:
    folder = fresh_copy(template, tmp_path)
    with Library(folder) as lib:
        OPS[op](lib)
        return state_view(lib)


def assert_memory_matches_disk(lib: Library) -> None:
    with Library(lib.folder, read_only=True) as fresh:
        assert fresh.problems == []
        assert lib.papers == fresh.papers
        assert lib.states == fresh.states
        assert state_view(lib) == state_view(fresh)


@pytest.mark.parametrize("op", list(OPS))
def test_every_fault_in_a_change_leaves_old_file_and_memory_matching_disk(template, tmp_path, op):
    counts = calls_made(template, tmp_path, op)
    assert counts["write"] >= 1 and counts["fsync"] >= 1
    wanted = expected_after(template, tmp_path, op)
    tally = {"combinations": 0, "raised": 0, "absorbed-after-commit": 0}
    for name in FAULTABLE:
        for k in range(1, counts[name] + 1):
            for label, (make_error, reason) in ERRORS.items():
                folder = fresh_copy(template, tmp_path)
                case = f"{op}: {label} at {name} call {k} of {counts[name]}"
                with Library(folder) as lib:
                    before = snapshot(folder)
                    view_before = state_view(lib)
                    with Faults(folder, name, k, make_error()) as faults:
                        try:
                            OPS[op](lib)
                        except StorageWriteError as error:
                            raised = error
                        else:
                            raised = None
                    assert faults.fired, case
                    tally["combinations"] += 1
                    assert temp_files(folder) == [], case
                    assert_memory_matches_disk(lib)
                    if faults.fired_in_flight:
                        tally["raised"] += 1
                        target = faults.fired_in_flight
                        assert raised is not None, f"{case}: the fault was swallowed"
                        message = str(raised)
                        assert "\n" not in message and target in message and reason in message, message
                        assert raised.path.name == target, case
                        after = snapshot(folder)
                        # the file being written and its backups: byte-identical to before
                        touched = {p for p in before.keys() | after.keys() if Path(p).name.startswith(Path(target).stem)}
                        assert {p: before.get(p) for p in touched} == {p: after.get(p) for p in touched}, case
                        if len(before) == len(after) and before == after:
                            assert state_view(lib) == view_before, case
                    else:
                        tally["absorbed-after-commit"] += 1
                        assert faults.fired_after_commit, case
                        assert raised is None, f"{case}: an error after the file was replaced: {raised}"
                        assert state_view(lib) == wanted, case
                    # the fault clears: the same change goes through
                    if raised is not None:
                        OPS[op](lib)
                    assert state_view(lib) == wanted, case
                    assert temp_files(folder) == [], case
                    assert_memory_matches_disk(lib)
                with Library(folder) as reopened:
                    assert reopened.problems == [], case
                    assert state_view(reopened) == wanted, case
    # every call of every faultable kind was tried with every error, and a fault before the
    # replace always reached the caller
    assert tally["combinations"] == sum(counts[name] for name in FAULTABLE) * len(ERRORS)
    assert tally["raised"] + tally["absorbed-after-commit"] == tally["combinations"]
    assert tally["raised"] >= len(ERRORS)


def test_a_fault_in_the_state_move_never_resurrects_an_old_state(template, tmp_path):
    """The catalog moves a title-only paper to its arXiv id, then the state write fails: the state
    stays under the old id on disk and is followed through the alias. Clearing that state later
    must really clear it, not bring the old one back on the next start."""
    assert calls_made(template, tmp_path, "import-moving-state")["replace"] == 2  # journal, catalog (the state: appended)
    folder = fresh_copy(template, tmp_path)
    old_id = titled_paper(1).id
    with Library(folder) as lib:
        with Faults(folder, "fsync", 1, enospc(), only="state.log"), pytest.raises(StorageWriteError):
            lib.import_papers([upgraded(1, 1)])
        assert lib.resolve(old_id) == "2402.00001"
        assert lib.state("2402.00001").tags == ["moves-with-it"]
        lib.remove_tags(["2402.00001"], ["moves-with-it"])
        assert lib.state("2402.00001").is_default()
    with Library(folder) as reopened:
        assert reopened.state("2402.00001").is_default()
        assert reopened.tag_counts() == {}

