"""Nothing lost (issue 17, D1-D4): a file we did not write is never rewritten; after damage the good
backups stay until the user acts; a kill -9 during a backup import leaves the library as before or
after the whole import; a restore keeps every state reachable and a merge unites two states."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from cli_helpers import run
from reliability_helpers import ROOT, arxiv_paper, titled_paper, upgraded
from tui_reader.export.backup import to_json
from tui_reader.merge import unite_states
from tui_reader.models import PaperState, title_id
from tui_reader.store.files import list_backups
from tui_reader.store.library import Library

FOREIGN = {"_default": {"1": {"name": "alice"}}, "users": {"1": {"name": "bob", "email": "b@example.org"}}}


@pytest.fixture
def folder(tmp_path) -> Path:
    path = tmp_path / "lib"
    with Library(path) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(1, 6)] + [titled_paper(1)])
    for n in range(1, 7):  # one session each, so each leaves a backup (the state log is folded at close)
        with Library(path) as lib:
            lib.set_note("2401.00001", f"note version {n}")
    with Library(path) as lib:
        lib.set_starred(["2401.00002"])
    return path


# -- D1 ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["papers.json", "state.json"])
def test_another_programs_tinydb_file_is_never_rewritten(capsys, tmp_path, name):
    folder = tmp_path / "lib"
    folder.mkdir()
    foreign = orjson.dumps(FOREIGN)
    (folder / name).write_bytes(foreign)
    code, out, err = run(capsys, folder, "star", "2401.00001")
    assert "Traceback" not in err
    warning = err.splitlines()[0]
    assert str(folder / name) in warning and "another program" in warning
    kept = [p for p in folder.iterdir() if p.name.startswith(name + ".corrupt-")]
    assert [p.read_bytes() for p in kept] == [foreign]
    assert not (folder / name).exists() or (folder / name).read_bytes() != foreign or False
    for path in folder.rglob("*"):  # no file anywhere was written from its tables
        if path.is_file() and path not in kept:
            assert b"alice" not in path.read_bytes(), path


# -- D3 ----------------------------------------------------------------------------------------

def test_after_damage_the_backups_from_before_outlive_later_writes(capsys, folder):
    state = folder / "state.json"
    before = {p.name: p.read_bytes() for p in list_backups(state)}
    assert len(before) == 5
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    for n in range(6):
        code, out, err = run(capsys, folder, "star", f"2401.0000{n % 5 + 1}")
        assert code == 0
        assert "restore" in err and str(state) in err  # said at every write, not only the first
    after = {p.name: p.read_bytes() for p in list_backups(state)}
    assert before.items() <= after.items()
    code, out, err = run(capsys, folder, "restore")
    assert all(name in out for name in before)
    assert all("kept from before the damage" in line for line in out.splitlines() if any(n in line for n in before))
    with Library(folder) as lib:  # what the app offers: the newest from before the damage
        assert lib.backup_to_offer().name == max(before)

    code, out, err = run(capsys, folder, "restore", "--keep-current")
    assert code == 0 and "state.json" in out
    for n in range(6):
        run(capsys, folder, "note", "2401.00004", f"after the choice {n}")
    assert len(list_backups(state)) == 5  # the user chose: rotation as usual
    code, out, err = run(capsys, folder, "list")
    assert err == ""


def test_a_set_aside_catalog_is_never_covered_by_the_sample(capsys, folder):
    catalog = folder / "papers.json"
    good = list_backups(catalog)
    catalog.write_bytes(b"")
    with Library(folder) as lib:
        assert len(lib.problems) == 1 and lib.damage_pending()
        assert len(lib.papers) == 0
    # any later open: still said, the sample stays out, the catalog backup stays
    code, out, err = run(capsys, folder, "import", str(ROOT / "tests" / "fixtures" / "hf-daily-2025-03-11.json"))
    assert code == 0 and "papers.json" in err and "restore" in err
    with Library(folder) as lib:
        assert lib.damage_pending() and lib.problems
    assert all(p.exists() for p in good)
    code, out, err = run(capsys, folder, "import", str(ROOT / "tests" / "fixtures" / "hf-daily-sample-overlap.json"))
    assert all(p.exists() for p in good)


# -- D2 ----------------------------------------------------------------------------------------

def test_restore_then_reimport_keeps_every_mark(tmp_path):
    with Library(tmp_path / "lib") as lib:
        lib.import_papers([titled_paper(1), arxiv_paper(2)])
        lib.import_papers([upgraded(1, 10000)])  # the title-id paper moves to 2402.10000
        lib.set_starred(["2402.10000"])
        lib.set_note("2402.10000", "the careful note")
        older = list_backups(lib.catalog_path)[0]
        restored = lib.restore_backup(older)
        old_id = title_id(titled_paper(1).title)
        assert "2402.10000" not in lib.papers and old_id in lib.papers
        assert lib.state(old_id).starred and lib.state(old_id).note == "the careful note"
        assert "The state of 1 paper moved to the id it has in this catalog." in restored.notes
        lib.add_tags([old_id], ["later"])
        lib.import_papers([upgraded(1, 10000)])
        state = lib.state("2402.10000")
        assert (state.starred, state.note, state.tags) == (True, "the careful note", ["later"])
    with Library(tmp_path / "lib") as lib:
        state = lib.state("2402.10000")
        assert (state.starred, state.note, state.tags) == (True, "the careful note", ["later"])


def test_restore_says_what_it_leaves_out(tmp_path):
    with Library(tmp_path / "lib") as lib:
        lib.import_papers([arxiv_paper(1)])
        lib.import_papers([arxiv_paper(2)])
        lib.set_starred(["2401.00002"])
        restored = lib.restore_backup(list_backups(lib.catalog_path)[0])
        assert "2401.00002" not in lib.papers
        assert "1 paper with stars, read marks, tags or notes is not in this catalog; its state is kept and comes back when it is imported again." in restored.notes
        lib.import_papers([arxiv_paper(2)])
        assert lib.state("2401.00002").starred  # kept, and back with its paper


def test_a_merge_of_two_states_unites_them():
    mine = PaperState(read=True, tags=["a"], note="mine", read_at="2024-01-02T00:00:00Z")
    theirs = PaperState(starred=True, tags=["b", "a"], note="theirs", read=True, read_at="2024-01-01T00:00:00Z",
                        starred_at="2024-01-03T00:00:00Z")
    both = unite_states(mine, theirs)
    assert (both.read, both.starred, both.tags) == (True, True, ["a", "b"])
    assert "mine" in both.note and "theirs" in both.note
    assert both.read_at == "2024-01-01T00:00:00Z" and both.starred_at == "2024-01-03T00:00:00Z"
    assert unite_states(mine, mine) == mine
    assert unite_states(PaperState(note="short"), PaperState(note="short and longer")).note == "short and longer"


def test_a_backup_import_unites_notes_instead_of_dropping_one(tmp_path):
    with Library(tmp_path / "lib") as lib:
        lib.import_papers([arxiv_paper(1)])
        lib.set_note("2401.00001", "written here")
        backup = to_json([lib.papers["2401.00001"]], {"2401.00001": PaperState(note="from the backup", starred=True)})
    path = tmp_path / "backup.json"
    path.write_text(backup)
    from tui_reader.sources import read_source

    batch = read_source(path)
    with Library(tmp_path / "lib") as lib:
        lib.import_papers(batch.papers, states=batch.states, restore=batch.restore)
        assert lib.state("2401.00001").note == "written here\n\nfrom the backup" and lib.state("2401.00001").starred


# -- D4 ----------------------------------------------------------------------------------------

KILL_TRIES = int(os.environ.get("TUI_READER_IMPORT_KILLS", "100"))
KILL_SEED = int(os.environ.get("TUI_READER_IMPORT_KILL_SEED", "17"))


def make_backup(path: Path, papers: int) -> dict[str, PaperState]:
    rng = random.Random(KILL_SEED)
    records = [arxiv_paper(n) for n in range(papers)]
    states = {}
    for paper in records:
        if rng.random() < 0.4:
            states[paper.id] = PaperState(read=rng.random() < 0.5, starred=rng.random() < 0.3,
                                          tags=rng.sample(["ml", "vision", "later"], rng.randint(0, 2)),
                                          note=rng.choice(["", "", "a note"]))
    states = {pid: s for pid, s in states.items() if not s.is_default()}
    path.write_text(to_json(records, states))
    return states


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
@pytest.mark.slow  # a torture test
def test_kill_minus_nine_during_a_backup_import_is_all_or_nothing(tmp_path):
    print(f"seed {KILL_SEED}, {KILL_TRIES} tries (TUI_READER_IMPORT_KILL_SEED / TUI_READER_IMPORT_KILLS)")
    backup = tmp_path / "backup.json"
    papers = 400
    expected = make_backup(backup, papers)
    zygote = subprocess.Popen([sys.executable, str(ROOT / "tests" / "import_killer.py"), str(backup)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(line: str | None) -> str:
        if line is not None:
            zygote.stdin.write(line + "\n")
            zygote.stdin.flush()
        answer = zygote.stdout.readline().strip()
        assert answer, "the zygote died"
        return answer

    rng = random.Random(KILL_SEED)
    tally = {"tries": 0, "before": 0, "after": 0, "disagreements": 0}
    try:
        assert ask(None) == "ready"
        started = time.perf_counter()  # one whole import, to spread the kills over its length
        pid = ask(f"run {tmp_path / 'whole'}")
        assert ask(f"reap {pid}") == "exit 0"
        length = time.perf_counter() - started
        for n in range(KILL_TRIES):
            folder = tmp_path / f"try-{n}"
            pid = int(ask(f"run {folder}"))
            time.sleep(rng.uniform(0, length * 1.1))
            os.kill(pid, signal.SIGKILL)
            ask(f"reap {pid}")
            tally["tries"] += 1
            with Library(folder) as lib:
                count = len(lib.papers)
                seen = {pid: s for pid, s in lib.states.items() if pid in lib.papers}
                hidden = {pid for pid in lib.states if pid not in lib.papers}
            if count == 0 and not seen:
                tally["before"] += 1
            elif count == papers and seen == expected and not hidden:
                tally["after"] += 1
            else:
                tally["disagreements"] += 1
                print(f"try {n}: {count} papers, {len(seen)} states of {len(expected)}, {len(hidden)} hidden")
    finally:
        zygote.stdin.write("quit\n")
        zygote.stdin.close()
        zygote.wait()
    print(f"kill -9 during import: {tally['tries']} tries, {tally['disagreements']} disagreements "
          f"({tally['before']} before, {tally['after']} after)")
    assert tally["disagreements"] == 0
