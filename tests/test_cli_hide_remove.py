"""hide / unhide / remove on the command line, and the bundled sample leaving at the first import
of the user's own papers."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import catalog, listed, run
from tui_reader.cli.common import sample_batch
from tui_reader.store.library import Library
from tui_reader.store.sample import SAMPLE_IDS_FILE, remember_sample

FIXTURES = Path(__file__).parent / "fixtures"


def first_open(folder: Path) -> list[str]:
    """A library as `tui-reader` leaves it on its first open: the sample and its ids noted."""
    with Library(folder) as library:
        result = library.import_papers(sample_batch().papers)
        remember_sample(folder, result.new_ids)
    return result.new_ids


def test_hide_takes_a_paper_out_of_list_and_unhide_brings_it_back(capsys, data_dir, sample_path):
    run(capsys, data_dir, "import", str(sample_path))
    first = listed(capsys, data_dir)[0]["id"]
    run(capsys, data_dir, "star", first)
    code, out, _ = run(capsys, data_dir, "hide", first)
    assert code == 0 and "hide: 1 paper changed" in out
    assert first not in [p["id"] for p in listed(capsys, data_dir)]
    [hidden] = listed(capsys, data_dir, "--query", "is:hidden")
    assert hidden["id"] == first and hidden["starred"]  # the state is kept
    run(capsys, data_dir, "unhide", first)
    assert first in [p["id"] for p in listed(capsys, data_dir)]


def test_remove_deletes_the_paper_and_its_state(capsys, data_dir, sample_path):
    run(capsys, data_dir, "import", str(sample_path))
    first, second = [p["id"] for p in listed(capsys, data_dir)[:2]]
    run(capsys, data_dir, "tag", first, "keep")
    code, out, _ = run(capsys, data_dir, "remove", first)
    assert code == 0 and out.startswith(f"removed {first}")
    assert first not in catalog(data_dir) and second in catalog(data_dir)
    with Library(data_dir, read_only=True) as library:
        assert first not in library.states and len(library.papers) == 80


def test_remove_with_an_unknown_id_removes_nothing(capsys, data_dir, sample_path):
    run(capsys, data_dir, "import", str(sample_path))
    first = listed(capsys, data_dir)[0]["id"]
    code, _, err = run(capsys, data_dir, "remove", first, "no-such-id")
    assert code == 1 and "no-such-id" in err and "Traceback" not in err
    assert len(catalog(data_dir)) == 81


def test_the_first_own_import_removes_the_sample_but_what_the_user_marked(capsys, data_dir):
    ids = first_open(data_dir)
    run(capsys, data_dir, "star", ids[0])
    run(capsys, data_dir, "tag", ids[1], "mine")
    run(capsys, data_dir, "note", ids[2], "my note")
    run(capsys, data_dir, "read", ids[3])  # a read mark alone does not keep a paper
    code, out, _ = run(capsys, data_dir, "import", str(FIXTURES / "hf-daily-2025-03-11.json"))
    assert code == 0
    assert "The bundled sample (78 papers) was removed; 3 you starred, tagged or noted were kept." in out
    left = catalog(data_dir)
    assert set(ids) & set(left) == set(ids[:3])
    assert not (data_dir / SAMPLE_IDS_FILE).exists()
    with Library(data_dir, read_only=True) as library:
        assert library.state(ids[0]).starred and library.state(ids[1]).tags == ["mine"]
    code, out, _ = run(capsys, data_dir, "import", str(FIXTURES / "arxiv-page-1.xml"))
    assert "sample" not in out and set(ids[:3]) <= set(catalog(data_dir))


def test_a_sample_paper_the_import_brings_again_stays(capsys, data_dir):
    from tui_reader.sources import read_source

    first_open(data_dir)
    overlap = FIXTURES / "hf-daily-sample-overlap.json"
    brought = {p.id for p in read_source(overlap).papers}
    run(capsys, data_dir, "import", str(overlap))
    with Library(data_dir, read_only=True) as library:
        assert set(library.papers) == brought  # the sample's others are gone, the ones brought again merged in
        titles = {library.papers[pid].title for pid in brought}
    assert titles & {p.title for p in sample_batch().papers}  # some of them were sample papers
