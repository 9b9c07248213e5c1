"""`tui-reader export`: the JSON backup restores exactly, BibTeX reads back with bibtexparser, Markdown
and CSV carry what a reader needs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser import middlewares

from tui_reader.export.bibtex import base_key, citation_keys, latex_escape, to_bibtex
from tui_reader.export.formats import export_text
from tui_reader.store.library import Library
from tui_reader.models import Paper, PaperState
from tui_reader.sources import bibtex
from cli_helpers import run

FIXTURES = Path(__file__).parent / "fixtures"


def listed(capsys, data_dir: Path) -> str:
    code, out, err = run(capsys, data_dir, "list", "--json")
    assert code == 0, err
    return out


def ok(capsys, data_dir: Path, *argv: str) -> str:
    code, out, err = run(capsys, data_dir, *argv)
    assert code == 0, err
    return out


@pytest.fixture
def rich_library(capsys, tmp_path, sample_path) -> Path:
    """The sample, an HF response merged into it, an arXiv feed, and user state of every kind."""
    folder = tmp_path / "rich"
    ok(capsys, folder, "import", str(sample_path))
    ok(capsys, folder, "import", str(FIXTURES / "hf-daily-sample-overlap.json"))
    ok(capsys, folder, "import", str(FIXTURES / "arxiv-page-1.xml"), str(FIXTURES / "arxiv-page-2.xml"))
    ok(capsys, folder, "star", "2211.13654", "hep-th/9901001", "2303.06373")
    ok(capsys, folder, "read", "2501.01702", "2303.06373")
    ok(capsys, folder, "tag", "2303.06373", "diffusion", "to-cite")
    ok(capsys, folder, "tag", "2211.13654", "vision")
    ok(capsys, folder, "note", "2303.06373", "Compare with DDIM; 50% fewer steps & {braces} — see §3.\nSecond line, with a comma.")
    return folder


def bib_entries(text: str, decode: bool = False):
    stack = [middlewares.LatexDecodingMiddleware()] if decode else []
    library = bibtexparser.parse_string(text, append_middleware=stack)
    assert library.failed_blocks == []
    return library.entries


# -- JSON backup -------------------------------------------------------------------------------


def test_json_backup_restores_identically_into_an_empty_library(capsys, tmp_path, rich_library):
    backup = tmp_path / "backup.json"
    ok(capsys, rich_library, "export", "--format", "json", "-o", str(backup))
    empty = tmp_path / "empty"
    out = ok(capsys, empty, "import", str(backup))
    count = len(json.loads(listed(capsys, rich_library)))
    assert out == f"Imported {count} papers ({count} new, 0 updated) from backup.json\n"
    assert listed(capsys, empty) == listed(capsys, rich_library)
    with Library(rich_library, read_only=True) as before, Library(empty, read_only=True) as after:
        assert after.papers == before.papers  # every catalog field, aliases, added, batch, order
        assert after.states == before.states  # timestamps too
        assert after.ordered_ids() == before.ordered_ids()
        assert after.resolve("t-e17b8328ee67") == "2211.13654"  # the old id still leads to the paper


def test_json_backup_to_stdout_and_a_second_import_changes_nothing(capsys, tmp_path, rich_library):
    text = ok(capsys, rich_library, "export", "--format", "json")
    assert json.loads(text)["format"] == "tui-reader-backup"
    (tmp_path / "b.json").write_text(text)
    ok(capsys, tmp_path / "copy", "import", str(tmp_path / "b.json"))
    again = ok(capsys, tmp_path / "copy", "import", str(tmp_path / "b.json"))
    assert "are all already in your library" in again
    assert listed(capsys, tmp_path / "copy") == listed(capsys, rich_library)


def test_json_backup_of_a_query_holds_only_those_papers(capsys, rich_library):
    data = json.loads(ok(capsys, rich_library, "export", "-f", "json", "--query", "is:starred"))
    assert sorted(p["id"] for p in data["papers"]) == ["2211.13654", "2303.06373", "hep-th/9901001"]
    assert set(data["states"]) == {"2211.13654", "2303.06373", "hep-th/9901001"}


# -- BibTeX ------------------------------------------------------------------------------------


def test_bibtex_export_of_the_sample_parses_into_81_entries_with_unique_keys(capsys, tmp_path, sample_path):
    folder = tmp_path / "sample"
    ok(capsys, folder, "import", str(sample_path))
    text = ok(capsys, folder, "export", "--format", "bibtex")
    entries = bib_entries(text)
    assert len(entries) == 81
    assert len({e.key for e in entries}) == 81
    with Library(folder, read_only=True) as library:
        papers = [library.papers[pid] for pid in library.ordered_ids()]
    decoded = bib_entries(text, decode=True)
    for paper, entry, plain in zip(papers, decoded, entries):
        assert entry.entry_type == "misc"
        assert plain.fields_dict["title"].value == latex_escape(paper.title)
        assert entry.fields_dict["title"].value == paper.title.replace("---", "—").replace("--", "–")  # TeX ligatures
        if paper.abstract:
            assert plain.fields_dict["abstract"].value == latex_escape(paper.abstract)
        own = [link.url for link in paper.links if link.kind != "code"]  # a code repo is not the paper's url
        if own:
            assert entry.fields_dict["url"].value == own[0]
        else:
            assert "url" not in entry.fields_dict
    assert entries[0].key == "recursive"  # no authors or date on the page: the title word alone


def test_bibtex_fields_of_rich_records(capsys, rich_library):
    entries = {e.key: e for e in bib_entries(ok(capsys, rich_library, "export", "-f", "bibtex"), decode=True)}
    samplers = entries["lovelace2023recursive"]
    fields = {f.key: f.value for f in samplers.fields}
    assert fields["title"] == "Recursive Diffusion Samplers for Image Restoration: A Study of Step Schedules"
    assert fields["author"] == "Ada Lovelace and Jürgen Schmidhuber"
    assert (fields["year"], fields["eprint"], fields["archivePrefix"], fields["primaryClass"]) == ("2023", "2303.06373", "arXiv", "cs.CV")
    assert fields["doi"] == "10.1109/CVPR52729.2023.01234"
    assert fields["url"] == "https://arxiv.org/abs/2303.06373"
    assert fields["keywords"] == "diffusion, to-cite"
    # the note's unbalanced-looking text survives: & and % escaped, balanced braces kept
    assert fields["note"].startswith("Compare with DDIM; 50% fewer steps & braces — see §3.")
    old = entries["dirac1999diffusion"]
    assert old.fields_dict["eprint"].value == "hep-th/9901001"
    rgt = entries["chen2022recursive"]
    assert rgt.fields_dict["keywords"].value == "vision"


def test_bibtex_round_trip_through_our_importer(capsys, tmp_path, rich_library):
    bib = tmp_path / "export.bib"
    ok(capsys, rich_library, "export", "-f", "bibtex", "-o", str(bib))
    fresh = tmp_path / "fresh"
    ok(capsys, fresh, "import", str(bib))
    before = {r["id"]: r for r in json.loads(listed(capsys, rich_library))}
    after = {r["id"]: r for r in json.loads(listed(capsys, fresh))}
    arxiv_ids = {pid for pid in before if not pid.startswith("t-")}
    assert arxiv_ids <= set(after)  # arXiv papers keep their ids through BibTeX
    assert len(after) == len(before)
    for pid in arxiv_ids:
        assert after[pid]["title"] == before[pid]["title"]
        assert after[pid]["authors"] == before[pid]["authors"]
        assert after[pid]["tags"] == before[pid]["tags"]
    assert after["2303.06373"]["note"] == before["2303.06373"]["note"].replace("{braces}", "braces")


def test_bibtex_escaping_survives_hostile_text():
    nasty = [
        "Q&A at 50% off: #1 a_b ~ x^2 $lone",
        "Inline math $O(n^2)$ and \\% already escaped",
        "Unbalanced } closing and { opening",
        "ends with a backslash \\",
        "Ψ-Sampler — Straße, café, 漢字",
        "Rock and Roll",
    ]
    papers = [Paper(id=f"t-{i}", title=title, abstract=title, authors=["Smith and Jones Lab", "Ada Lovelace"]) for i, title in enumerate(nasty)]
    text = to_bibtex(papers, {"t-0": PaperState(tags=["a&b"], note="100% sure_\n{x}")})
    entries = bib_entries(text, decode=True)
    assert len(entries) == len(nasty)
    titles = [e.fields_dict["title"].value for e in entries]
    assert titles[0] == "Q&A at 50% off: #1 a_b ~ x^2 $lone".replace("^", "\u02c6")  # pylatexenc's caret
    assert titles[4] == nasty[4] and titles[5] == "Rock and Roll"
    assert titles[2] == "Unbalanced  closing and  opening"
    assert entries[0].fields_dict["keywords"].value == "a&b"
    assert entries[0].fields_dict["note"].value == "100% sure_\nx"
    # an author whose name holds " and " stays one author
    plain = bib_entries(text)
    assert plain[0].fields_dict["author"].value == "{Smith and Jones Lab} and Ada Lovelace"
    # our importer reads it back as two authors
    assert bibtex.parse(text).papers[0].authors == ["Smith and Jones Lab", "Ada Lovelace"]


def test_citation_keys():
    a = Paper(id="2303.00002", title="The Diffusion Model", authors=["Ada Lovelace"], published="2023-03-01")
    b = Paper(id="2303.00001", title="Diffusion, again", authors=["Lovelace, Ada"], published="2023-05-01")
    c = Paper(id="2301.00003", title="Über Alles", authors=["Jürgen Müller"], published="2023-01-01")
    d = Paper(id="t-abc", title="A", authors=[])
    assert base_key(a) == "lovelace2023diffusion"  # "The" is skipped
    assert base_key(c) == "muller2023uber"  # ASCII only
    assert base_key(d) == "a"
    keys = citation_keys([a, b, c, d])
    assert keys == {"2303.00001": "lovelace2023diffusion", "2303.00002": "lovelace2023diffusionb",
                    "2301.00003": "muller2023uber", "t-abc": "a"}  # fmt: skip
    assert citation_keys([d, c, b, a]) == keys  # stable whatever the view's order
    # a suffixed key never collides with another paper's own key
    e = Paper(id="2303.00009", title="Diffusionb", authors=["Ada Lovelace"], published="2023")
    keys = citation_keys([a, b, e])
    assert len(set(keys.values())) == 3 and keys["2303.00009"] == "lovelace2023diffusionb"


# -- Markdown and CSV --------------------------------------------------------------------------


def test_markdown_reading_list(capsys, rich_library):
    text = ok(capsys, rich_library, "export", "-f", "markdown", "--query", "is:starred")
    assert text.startswith("# Reading list\n\n3 papers\n")
    section = text[text.index("## [Recursive Diffusion Samplers") :].split("\n## ")[0]
    assert section.splitlines()[0] == "## [Recursive Diffusion Samplers for Image Restoration: A Study of Step Schedules](<https://arxiv.org/abs/2303.06373>) ★"
    assert "- Authors: Ada Lovelace, Jürgen Schmidhuber" in section
    assert "- Code: <https://github.com/example-lab/diffusion-restore>" in section
    assert "- Tags: `diffusion`, `to-cite`" in section
    assert "> Compare with DDIM; 50% fewer steps & {braces} — see §3.\n> Second line, with a comma." in section


def test_markdown_escapes_titles():
    text = export_text("markdown", [Paper(id="t-1", title="[Bracket] *star* _under_ <tag>")], {})
    assert "## \\[Bracket\\] \\*star\\* \\_under\\_ \\<tag\\>" in text


def test_csv_one_row_per_paper(capsys, rich_library):
    text = ok(capsys, rich_library, "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(json.loads(listed(capsys, rich_library)))
    row = next(r for r in rows if r["id"] == "2303.06373")
    assert row["authors"] == "Ada Lovelace; Jürgen Schmidhuber"
    assert row["starred"] == "yes" and row["read"] == "yes"
    assert row["tags"] == "diffusion; to-cite"
    assert row["note"].endswith("\nSecond line, with a comma.")
    assert row["code"] == "https://github.com/example-lab/diffusion-restore; https://github.com/example-lab/recursive-samplers"
    assert row["url"] == "https://arxiv.org/abs/2303.06373"


# -- the command -------------------------------------------------------------------------------


def test_export_to_a_file_replaces_it_and_leaves_no_temp_files(capsys, tmp_path, rich_library):
    target = tmp_path / "out" / "list.md"
    target.parent.mkdir()
    target.write_text("old contents")
    code, out, err = run(capsys, rich_library, "export", "-f", "markdown", "-o", str(target))
    assert (code, out) == (0, "")
    assert err.startswith("Exported ") and str(target) in err
    assert target.read_text("utf-8").startswith("# Reading list")
    assert [p.name for p in target.parent.iterdir()] == ["list.md"]


def test_export_into_a_missing_folder_fails_cleanly(capsys, tmp_path, rich_library):
    target = tmp_path / "nowhere" / "list.bib"
    code, out, err = run(capsys, rich_library, "export", "-f", "bibtex", "-o", str(target))
    assert (code, err) == (1, f"tui-reader: error: {target}: the folder {target.parent} does not exist\n")


def test_export_needs_a_known_format(capsys, rich_library):
    code, out, err = run(capsys, rich_library, "export", "-f", "docx")
    assert code == 1 and "invalid choice: 'docx'" in err
    with pytest.raises(ValueError):
        export_text("docx", [], {})


def test_write_export_for_the_app(tmp_path, capsys, rich_library):
    from tui_reader.export.formats import export_filename, write_export

    with Library(rich_library, read_only=True) as library:
        papers = [library.papers[pid] for pid in library.ordered_ids()]
        name = export_filename("bibtex", "2025-03-11")
        path = write_export(tmp_path / name, "bibtex", papers, library.states)
    assert path.name == "tui-reader-2025-03-11.bib"
    assert len(bib_entries(path.read_text("utf-8"))) == len(papers)


def test_a_backup_with_sorted_keys_is_still_a_backup(capsys, tmp_path, rich_library):
    data = json.loads(ok(capsys, rich_library, "export", "-f", "json"))
    (tmp_path / "sorted.json").write_text(json.dumps(data, sort_keys=True, indent=1))
    ok(capsys, tmp_path / "copy", "import", str(tmp_path / "sorted.json"))
    assert listed(capsys, tmp_path / "copy") == listed(capsys, rich_library)


def test_an_export_file_is_readable_like_any_file(capsys, tmp_path, rich_library):
    target = tmp_path / "list.csv"
    ok(capsys, rich_library, "export", "-f", "csv", "-o", str(target))
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o640)
    ok(capsys, rich_library, "export", "-f", "csv", "-o", str(target))
    assert target.stat().st_mode & 0o777 == 0o640


def test_csv_cells_that_a_spreadsheet_would_run_are_defused():
    from tui_reader.export.formats import to_csv

    papers = [
        Paper(id="t-1", title='=HYPERLINK("http://evil.example","x")', abstract="@SUM(A1)"),
        Paper(id="t-2", title="-2+3", abstract="- a plain bullet stays"),
        Paper(id="t-3", title="+cmd|' /C calc'!A0", abstract="normal text"),
    ]
    rows = list(csv.DictReader(io.StringIO(to_csv(papers, {}))))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'-2+3", "'+cmd|' /C calc'!A0"]
    assert [r["abstract"] for r in rows] == ["'@SUM(A1)", "- a plain bullet stays", "normal text"]


def test_the_url_is_the_paper_s_own_page_even_when_its_abstract_names_another_paper():
    from tui_reader.links import arxiv_links, find_links

    cited = "Builds on https://arxiv.org/abs/1706.03762 and https://github.com/a/b."
    paper = Paper(id="2303.06373", title="T", abstract=cited, links=[*find_links(cited), *arxiv_links("2303.06373")])
    assert "url = {https://arxiv.org/abs/2303.06373}" in to_bibtex([paper], {})


def test_a_month_macro_comes_back_as_the_macro():
    text = "@article{k, title={T}, month = oct, year = 2001}\n"
    paper = bibtex.parse(text).papers[0]
    written = to_bibtex([paper], {})
    assert "month = oct," in written
    assert bibtex.parse(written).papers[0].bibtex == paper.bibtex
