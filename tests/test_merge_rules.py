"""Only the same work is merged: same arXiv id or DOI, or the same title with nothing contradicting it.
The user's state stays with the paper it was given to; the summary counts merges."""

from __future__ import annotations

import orjson

from cli_helpers import catalog, listed, run
from tui_reader.merge import distinct_id, same_work
from tui_reader.models import Paper, title_id
from tui_reader.store.library import Library


def paper(title="Simulated Annealing", authors=("Emile Aarts",), published="2005", **extra) -> Paper:
    return Paper(id=extra.pop("id", title_id(title)), title=title, authors=list(authors), published=published, **extra)


def test_what_contradicts_a_title_match():
    base = paper()
    assert same_work(base, paper(authors=["E. H. L. Aarts", "J. Korst"], published="2006"))
    assert not same_work(base, paper(authors=["Alexander Nikolaev"]))  # no author in common
    assert not same_work(base, paper(published="2010"))  # years apart
    assert not same_work(paper(entry_type="book"), paper(entry_type="article"))
    assert not same_work(paper(cite_key="a"), paper(cite_key="b"))  # a library lists a work once
    assert not same_work(paper(doi="10.1/x"), paper(doi="10.1/y"))
    assert same_work(paper(doi="10.1/X"), paper(doi="10.1/x", authors=["Someone Else"]))  # the DOI says so
    assert same_work(base, paper(authors=[], published=None))  # nothing to contradict
    assert same_work(paper(authors=["Thomas Stützle"]), paper(authors=["Stutzle, T."]))


def test_distinct_ids_are_stable_and_differ():
    one, other = paper(), paper(authors=["Alexander Nikolaev"], published="2010")
    assert distinct_id(one) == distinct_id(paper()) != distinct_id(other)
    assert distinct_id(one).startswith("t-") and distinct_id(one) != one.id


def bib(*entries: str) -> str:
    return "\n".join(entries) + "\n"


AARTS = "@incollection{AarKor, title={Simulated Annealing}, author={Aarts, Emile and Korst, Jan}, year={2005}, keywords={sa}}"
NIKOLAEV = "@incollection{NikJac, title={Simulated Annealing}, author={Nikolaev, Alexander}, year={2010}, keywords={other}}"


def test_two_works_with_one_title_stay_two_and_keep_their_own_state(capsys, tmp_path):
    (tmp_path / "a.bib").write_text(bib(AARTS))
    (tmp_path / "b.bib").write_text(bib(NIKOLAEV))
    lib = tmp_path / "lib"
    assert run(capsys, lib, "import", str(tmp_path / "a.bib"))[0] == 0
    (first,) = listed(capsys, lib)
    assert run(capsys, lib, "star", first["id"])[0] == 0
    assert run(capsys, lib, "note", first["id"], "mine")[0] == 0
    code, out, err = run(capsys, lib, "import", str(tmp_path / "b.bib"))
    assert out == "Imported 1 paper (1 new, 0 updated) from b.bib\n"
    records = {r["id"]: r for r in listed(capsys, lib)}
    assert len(records) == 2
    assert records[first["id"]]["starred"] and records[first["id"]]["note"] == "mine"
    assert records[first["id"]]["tags"] == ["sa"] and records[first["id"]]["authors"] == ["Emile Aarts", "Jan Korst"]
    (second,) = [r for pid, r in records.items() if pid != first["id"]]
    assert (second["starred"], second["note"], second["tags"]) == (False, "", ["other"])  # its keyword, on it
    assert second["authors"] == ["Alexander Nikolaev"]
    # Importing both again changes nothing and merges nothing by title.
    code, out, err = run(capsys, lib, "import", str(tmp_path / "a.bib"), str(tmp_path / "b.bib"))
    assert out == "Nothing new from a.bib + b.bib: its 2 papers are all already in your library\n"
    assert {r["id"]: r["starred"] for r in listed(capsys, lib)} == {first["id"]: True, second["id"]: False}


def test_one_file_listing_two_works_with_one_title(capsys, tmp_path):
    (tmp_path / "both.bib").write_text(bib(AARTS, NIKOLAEV))
    code, out, err = run(capsys, tmp_path / "lib", "import", str(tmp_path / "both.bib"))
    assert out == "Imported 2 papers (2 new, 0 updated) from both.bib\n"
    assert sorted(tuple(r["tags"]) for r in listed(capsys, tmp_path / "lib")) == [("other",), ("sa",)]


def test_the_same_work_twice_in_one_file_is_merged_and_said(capsys, tmp_path):
    entry = "@misc{same, title={A Work}, author={Ada Lovelace}, year={1843}, keywords={%s}}"
    (tmp_path / "twice.bib").write_text(bib(entry % "one", entry % "two"))
    code, out, err = run(capsys, tmp_path / "lib", "import", str(tmp_path / "twice.bib"))
    assert out == "Imported 1 paper (1 new, 0 updated; 1 merged with the same work listed earlier in it) from twice.bib\n"
    (record,) = listed(capsys, tmp_path / "lib")
    assert record["tags"] == ["one", "two"]


def test_a_title_match_with_nothing_against_it_merges_and_is_counted(capsys, tmp_path):
    lib = tmp_path / "lib"
    (tmp_path / "page.txt").write_text("Mar 11\n\nA Study of Things\n\nWe study things. They are studied.\n")
    assert run(capsys, lib, "import", str(tmp_path / "page.txt"))[0] == 0
    (before,) = listed(capsys, lib)
    assert run(capsys, lib, "star", before["id"])[0] == 0
    entry = {"paper": {"id": "2401.00009", "title": "A Study of Things", "summary": "We study things. They are studied."}}
    (tmp_path / "hf.json").write_text(orjson.dumps([entry]).decode())
    code, out, err = run(capsys, lib, "import", str(tmp_path / "hf.json"))
    assert out == "Imported 1 paper (0 new, 1 updated; 1 merged with papers you had) from hf.json\n"
    (after,) = listed(capsys, lib)
    assert (after["id"], after["starred"]) == ("2401.00009", True)


def test_an_old_catalog_without_the_new_fields_still_opens(tmp_path):
    with Library(tmp_path) as library:
        library.import_papers([paper(entry_type="book", cite_key="k", bibtex={"title": "Simulated Annealing"})])
        pid = library.ordered_ids()[0]
    raw = orjson.loads((tmp_path / "papers.json").read_bytes())
    for record in raw["papers"].values():
        for name in ("journal_ref", "affiliations", "entry_type", "cite_key", "bibtex"):
            del record[name]
    (tmp_path / "papers.json").write_bytes(orjson.dumps(raw))
    for derived in ("index.bin", "search.txt"):
        (tmp_path / derived).unlink(missing_ok=True)
    loaded = catalog(tmp_path)[pid]
    assert (loaded.title, loaded.authors, loaded.bibtex, loaded.entry_type, loaded.affiliations) == (
        "Simulated Annealing", ["Emile Aarts"], {}, "", {})
