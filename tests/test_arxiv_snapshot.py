"""The arXiv metadata snapshot: records of every shape, subsets, re-import keeping the user's
state, and an interrupted import leaving the library as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import listed, run
from tui_reader.models import Paper
from tui_reader.sources import arxiv_snapshot, parse_text
from tui_reader.sources.arxiv_snapshot import Subset
from tui_reader.store.library import Library

ROOT = Path(__file__).resolve().parents[1]


def record(arxiv_id: str, title: str, **fields) -> dict:
    """A snapshot record as arXiv writes it (wrapped title and abstract, leading spaces)."""
    base = {
        "id": arxiv_id,
        "submitter": "A. Submitter",
        "authors": "Ada Lovelace and Alan Turing",
        "title": title,
        "comments": None,
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.LG stat.ML",
        "license": None,
        "abstract": "  We study things.\nAcross two lines.\n",
        "versions": [{"version": "v1", "created": "Mon, 11 Jan 2021 20:31:27 GMT"},
                     {"version": "v2", "created": "Tue, 2 Mar 2021 10:00:00 GMT"}],
        "update_date": "2021-03-02",
        "authors_parsed": [["Lovelace", "Ada", ""], ["Turing", "Alan", "Jr"]],
    }
    base.update(fields)
    return base


def write_snapshot(path: Path, records: list, extra_lines: dict[int, str] | None = None) -> Path:
    lines = [json.dumps(r) for r in records]
    for at, line in sorted((extra_lines or {}).items()):
        lines.insert(at - 1, line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SHAPES = [
    record("2101.04567", "Deep learning of\n  wrapped titles", comments="10 pages, code at https://github.com/ada/engine."),
    record("hep-th/9901001", "Old-style $\\mathcal{N}=4$ strings", categories="hep-th",
           versions=[{"version": "v1", "created": "Fri, 1 Jan 1999 00:00:01 GMT"}], update_date="2008-11-26",
           **{"journal-ref": "Nucl.Phys. B550 (1999) 1", "doi": "10.1016/S0550-3213(99)00001-2"}),
    record("0704.0001", "Minimal record", comments=None, abstract=None, authors_parsed=None, versions=None,
           authors="M. Curie, P. Curie and H. Becquerel", update_date="2007-05-23", categories="physics.gen-ph"),
    record("math.GT/0309136", "Knots with TeX: $\\pi_1(S^3 \\setminus K)$", categories="math.GT",
           abstract="  First paragraph\nwrapped.\n\n  Second paragraph with \\emph{TeX}.\n",
           versions=[{"version": "v1", "created": "Mon, 8 Sep 2003 12:00:00 GMT"}]),
]


def test_every_shape_reads_into_papers(tmp_path):
    bad: list[tuple[int, str]] = []
    path = write_snapshot(tmp_path / "snap.json", SHAPES)
    with open(path, "rb") as f:
        papers = {p.id: p for p in arxiv_snapshot.read_papers(f, Subset(), lambda n, why: bad.append((n, why)))}
    assert bad == []
    assert list(papers) == ["2101.04567", "hep-th/9901001", "0704.0001", "math.GT/0309136"]
    new = papers["2101.04567"]
    assert new.title == "Deep learning of wrapped titles"
    assert new.abstract == "We study things. Across two lines."
    assert new.authors == ["Ada Lovelace", "Alan Turing Jr"]
    assert new.published == "2021-01-11"  # the first version, not the update
    assert new.categories == ["cs.LG", "stat.ML"]
    assert new.arxiv_comment == "10 pages, code at https://github.com/ada/engine."
    assert [link.url for link in new.links_of("code")] == ["https://github.com/ada/engine"]
    assert new.links_of("hf")  # new-style ids have an HF paper page
    old = papers["hep-th/9901001"]
    assert old.title == "Old-style $\\mathcal{N}=4$ strings"  # TeX kept as written
    assert old.journal_ref == "Nucl.Phys. B550 (1999) 1"
    assert old.doi == "10.1016/S0550-3213(99)00001-2"
    assert old.published == "1999-01-01"
    assert [link.url for link in old.links_of("arxiv")] == ["https://arxiv.org/abs/hep-th/9901001"]
    assert not old.links_of("hf")
    minimal = papers["0704.0001"]
    assert minimal.abstract == "" and minimal.arxiv_comment == "" and minimal.journal_ref == ""
    assert minimal.authors == ["M. Curie", "P. Curie", "H. Becquerel"]  # from the authors text
    assert minimal.published == "2007-05-23"  # no versions: the update date
    knots = papers["math.GT/0309136"]
    assert knots.abstract == "First paragraph wrapped.\n\nSecond paragraph with \\emph{TeX}."


def test_bad_lines_are_reported_by_number_and_skipped(tmp_path):
    good = [record("2101.00001", "One"), record("2101.00002", "Two"), record("2101.00003", "Three")]
    path = write_snapshot(tmp_path / "snap.json", good, {
        2: '{"id": "2101.09999", "title": "cut off',  # a truncated line
        4: json.dumps(record("not an id", "Bad id")),
        5: json.dumps(record("2101.00004", "")),  # no title
        6: json.dumps(record("2101.00005", "Wrong type", categories=["cs.LG"])),
        7: "[1, 2]",
    })
    bad: list[tuple[int, str]] = []
    with open(path, "rb") as f:
        ids = [p.id for p in arxiv_snapshot.read_papers(f, Subset(), lambda n, why: bad.append((n, why)))]
    assert ids == ["2101.00001", "2101.00002", "2101.00003"]
    assert [n for n, _ in bad] == [2, 4, 5, 6, 7]
    assert "not valid JSON" in bad[0][1] and "no arXiv id" in bad[1][1] and "no title" in bad[2][1]
    assert "categories is a list" in bad[3][1]


def test_detected_among_the_other_formats():
    text = "\n".join(json.dumps(r) for r in SHAPES)
    batch = parse_text(text, "snap.json")
    assert batch.format == "arxiv-snapshot"
    assert len(batch.papers) == 4
    assert not arxiv_snapshot.detect('{"id": "x", "title": "an HF entry"}')
    assert not arxiv_snapshot.detect('[{"id": "2101.00001"}]')


def test_subset_by_category_prefix_and_date():
    papers = [
        Paper("a", "A", categories=["cs.LG"], published="2021-01-01"),
        Paper("b", "B", categories=["cs.CL", "stat.ML"], published="2019-05-01"),
        Paper("c", "C", categories=["hep-th"], published="2022-01-01"),
    ]
    keep = lambda subset: [p.id for p in papers if subset.wants(p)]  # noqa: E731
    assert keep(Subset(("cs.LG",))) == ["a"]
    assert keep(Subset(("cs",))) == ["a", "b"]
    assert keep(Subset(("hep", "stat.ML"))) == ["b", "c"]
    assert keep(Subset(since="2020-01-01")) == ["a", "c"]
    assert keep(Subset(("cs",), "2020-01-01")) == ["a"]


def test_cli_import_with_subset_options(tmp_path, capsys):
    path = write_snapshot(tmp_path / "snap.json", SHAPES, {3: "{oops"})
    code, out, err = run(capsys, tmp_path / "lib", "import", str(path), "--category", "hep", "--category", "math.GT")
    assert code == 0, err
    assert "Imported 2 papers (2 new, 0 updated)" in out
    assert f"{path}: line 3: not valid JSON" in err
    ids = {p["id"] for p in listed(capsys, tmp_path / "lib")}
    assert ids == {"hep-th/9901001", "math.GT/0309136"}
    code, out, err = run(capsys, tmp_path / "lib", "import", str(path), "--since", "2020-01-01")
    assert code == 0, err
    assert "Imported 1 paper (1 new, 0 updated)" in out
    code, out, err = run(capsys, tmp_path / "lib", "import", str(path), "--since", "2020-13-01")
    assert code == 1 and "not a date" in err


def test_reimport_of_a_newer_snapshot_updates_papers_and_keeps_state(tmp_path, capsys):
    lib_dir = tmp_path / "lib"
    first = write_snapshot(tmp_path / "old.json", SHAPES)
    assert run(capsys, lib_dir, "import", str(first))[0] == 0
    with Library(lib_dir) as library:
        library.set_starred(["2101.04567"])
        library.add_tags(["hep-th/9901001"], ["strings"])
        library.set_note("0704.0001", "my note")
        library.set_read(["math.GT/0309136"])
        states_before = {pid: library.state(pid) for pid in library.papers}
    newer = [
        record("2101.04567", "Deep learning of wrapped titles, corrected", comments="ICML 2021",
               **{"journal-ref": "ICML 2021"}),
        *SHAPES[1:],
        record("2403.00001", "A brand new paper"),
    ]
    second = write_snapshot(tmp_path / "new.json", newer)
    code, out, err = run(capsys, lib_dir, "import", str(second))
    assert code == 0, err
    assert "Imported 5 papers (1 new, 1 updated)" in out
    with Library(lib_dir) as library:
        assert len(library.papers) == 5
        assert {pid: library.state(pid) for pid in states_before} == states_before
        changed = library.papers["2101.04567"]
        assert changed.title == "Deep learning of wrapped titles, corrected"
        assert changed.journal_ref == "ICML 2021"
        assert changed.links_of("code")  # the link found in the old comment is kept


def test_a_title_only_paper_gains_its_arxiv_id_with_its_state(tmp_path):
    with Library(tmp_path) as library:
        library.import_papers([Paper("t-123456789abc", "Old-style $\\mathcal{N}=4$ strings")])
        library.set_starred(["t-123456789abc"])
        result = library.import_stream([arxiv_snapshot.paper_of(SHAPES[1])], arxiv_snapshot.refresh)
        assert (result.new, result.updated) == (0, 1)
        assert list(library.papers) == ["hep-th/9901001"]
        assert library.state("hep-th/9901001").starred
        assert library.resolve("t-123456789abc") == "hep-th/9901001"


def test_interrupting_the_stream_leaves_the_library_as_it_was(tmp_path):
    with Library(tmp_path) as library:
        library.import_papers([Paper("2001.00001", "Kept")])
        library.set_starred(["2001.00001"])

        def papers_then_interrupt():
            yield arxiv_snapshot.paper_of(SHAPES[0])
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            library.import_stream(papers_then_interrupt())
        assert list(library.papers) == ["2001.00001"]
    with Library(tmp_path) as library:
        assert list(library.papers) == ["2001.00001"]
        assert library.state("2001.00001").starred
        assert not library.problems
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the temp file went


def test_kill_mid_import_leaves_a_consistent_library(tmp_path):
    """A real `tui-reader import` of a snapshot killed (SIGKILL) while it streams: the library
    reopens with what it had, the user's state intact, and importing again works."""
    lib_dir = tmp_path / "lib"
    with Library(lib_dir) as library:
        library.import_papers([Paper("2001.00001", "Kept")])
        library.set_starred(["2001.00001"])
    snapshot = write_snapshot(tmp_path / "snap.json", [record(f"2102.{n:05d}", f"Paper {n}") for n in range(40_000)])
    command = [sys.executable, "-m", "tui_reader", "--data-dir", str(lib_dir), "--config-dir", str(tmp_path / "config"), "import"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([*command, str(snapshot)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        # the new catalog's temp file exists from the first record to the commit: kill in between
        while process.poll() is None and not list(lib_dir.glob(".papers.json.*")):
            time.sleep(0.002)  # a polling interval, not a wait for time to pass
        assert process.poll() is None, "the import ended before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with Library(lib_dir) as library:
        assert list(library.papers) == ["2001.00001"]
        assert library.state("2001.00001").starred
        assert not library.problems
    complete = write_snapshot(tmp_path / "complete.json", [record("2102.00001", "Paper 1")])
    assert subprocess.run([*command, str(complete)], env=env, capture_output=True).returncode == 0
    with Library(lib_dir) as library:
        assert sorted(library.papers) == ["2001.00001", "2102.00001"]
        assert library.state("2001.00001").starred


def test_cat_searches_categories_by_prefix(tmp_path, capsys):
    path = write_snapshot(tmp_path / "snap.json", SHAPES)
    assert run(capsys, tmp_path / "lib", "import", str(path))[0] == 0

    def found(query: str) -> set[str]:
        return {p["id"] for p in listed(capsys, tmp_path / "lib", "--query", query)}

    assert found("cat:cs.LG") == {"2101.04567"}
    assert found("cat:hep") == {"hep-th/9901001"}
    assert found("cat:math.GT") == {"math.GT/0309136"}
    assert found("cat:physics -cat:math") == {"0704.0001"}
    assert found("cat:LG") == set()  # a prefix of the category, not any part of it
    assert found("cat:cs -cat:stat.ml") == set()
    assert found("cat:stat") == {"2101.04567"}


async def test_detail_pane_shows_categories_and_publication(tmp_path):
    from app_helpers import make_app, running
    from textual.widgets import Static

    with Library(tmp_path / "lib") as library:
        library.import_stream([arxiv_snapshot.paper_of(SHAPES[1])])
        app = make_app(library, tmp_path / "config")
        async with running(app) as pilot:
            await pilot.pause()
            meta = str(app.screen.query_one("#detail-meta", Static).render())
            assert "hep-th" in meta
            assert "Nucl.Phys. B550 (1999) 1" in meta and "doi 10.1016/S0550-3213(99)00001-2" in meta
