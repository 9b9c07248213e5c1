"""Every file in ../shared/real-data (inputs written by others, see its PROVENANCE.md) imported through
the real command line: no traceback, the number of papers each holds (counted by hand: one per
BibTeX entry that is not @string/@preamble/@comment, one per Atom <entry>, one per HF entry, one
per paper of the page), spot checks of ids, titles, authors, dates and links, the iridia set
imported together, and BibTeX import -> export -> import field-equal.

The files are read from where they are and never copied into the project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_helpers import catalog, listed, run
from tui_reader.export.bibtex import to_bibtex
from tui_reader.latex import to_unicode
from tui_reader.sources import bibtex, read_sources
from tui_reader.wording import plural

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-data"
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"the shared real inputs are not here ({REAL})")

IRIDIA = ["abbrev.bib", "journals.bib", "authors.bib", "biblio.bib", "crossref.bib"]
BBT_NAMES = "bibtex/bbt-Do not caps-protect name fields #384 #565 #566"

# file -> papers it holds. Files that hold none (an error feed, an empty feed, files of @string
# macros only) are in REFUSED with the one line they are refused with.
EXPECTED = {
    "arxiv-atom/arxiv-docs-basics-hep-ex_0307015.xml": 1,
    "arxiv-atom/arxivpy-2016-search_au_del_maestro.xml": 10,
    "arxiv-atom/arxivpy-id_1707.08567.xml": 1,
    "arxiv-atom/arxivpy-id_astro-ph_0601001.xml": 1,
    "arxiv-atom/arxivpy-id_quant-ph_0201082v1.xml": 1,
    "arxiv-atom/arxivpy-q_testing_s0_m100.xml": 100,
    "bibtex/bbt-Auto Abbreviation of Proceedings Title #2245.bibtex": 2,
    "bibtex/bbt-Bulk performance test.bib": 1241,
    f"{BBT_NAMES}.biblatex": 40,
    f"{BBT_NAMES}.bibtex": 40,
    "bibtex/bbt-Export C as {v C}, not v{C} #152.bibtex": 1,
    "bibtex/bbt-Film references do not export properly for APA formating #2494.biblatex": 4,
    "bibtex/bbt-Setting the item type via the cheater syntax #587.bibtex": 5,
    "bibtex/cobib-example_literature.bib": 3,
    "bibtex/cobib-top10.bib": 11,
    "bibtex/papis-NBER_w29971.bib": 1,
    "bibtex/papis-dblp_1.bib": 1,
    "bibtex/papis-physrevlett-comments-in-fields.bib": 1,
    "bibtex/papis-zotero-export.bib": 7,
    "bibtex/iridia/biblio.bib": 1367,  # alone: its macros kept as written, and said so
    "bibtex/iridia/crossref.bib": 429,
    "hf-api/daily_papers-2024-05-27.json": 13,
    "hf-api/daily_papers-2024-06-26.json": 19,
    "hf-api/daily_papers-2025-08-25.json": 13,
    "hf-api/daily_papers-2026-03-10.json": 28,
    "hf-api/daily_papers-2026-04-14.json": 32,
    "hf-api/daily_papers-2026-08-21.json": 17,
    "hf-page/hf-papers-search-intercode-bash.excerpt.txt": 9,
}
REFUSED = {
    "arxiv-atom/arxiv-docs-error-1234.12345.xml": "the arXiv API answered with an error: incorrect id format for 1234.12345",
    "arxiv-atom/arxivpy-id_abc-error-http400.xml": "the arXiv API answered with an error: incorrect id format for abc",
    "arxiv-atom/arxivpy-id_0000.0000-empty.xml": "no papers found in this arxiv file",
    "bibtex/iridia/abbrev.bib": "no papers here, only 403 @string macros: import this file together with the files that use them, first",
    "bibtex/iridia/journals.bib": "no papers here, only 355 @string macros: import this file together",
    "bibtex/iridia/authors.bib": "no papers here, only 958 @string macros: import this file together",
}
BIBTEX_FILES = sorted(name for name in EXPECTED if name.startswith("bibtex/") and "/iridia/" not in name)


def imported(capsys, folder: Path, *names: str) -> tuple[str, str, dict[str, dict]]:
    code, out, err = run(capsys, folder, "import", *(str(REAL / name) for name in names))
    assert code == 0, err
    assert "Traceback" not in err
    return out, err, {r["id"]: r for r in listed(capsys, folder)}


def test_every_file_is_accounted_for():
    present = {str(p.relative_to(REAL)) for p in REAL.rglob("*") if p.is_file() and p.name != "PROVENANCE.md"}
    assert present == set(EXPECTED) | set(REFUSED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_imports_the_papers_it_holds(capsys, tmp_path, name):
    out, err, records = imported(capsys, tmp_path, name)
    assert len(records) == EXPECTED[name], out + err
    assert f"Imported {plural(EXPECTED[name], 'paper')} ({EXPECTED[name]:,} new" in out
    for record in records.values():
        assert record["title"].strip()


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_file_with_no_papers_is_refused_in_one_line(capsys, tmp_path, name):
    code, out, err = run(capsys, tmp_path, "import", str(REAL / name))
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert REFUSED[name] in err
    assert not (tmp_path / "papers.json").exists()


# -- BibTeX ------------------------------------------------------------------------------------


def test_iridia_imported_together_resolves_macros_and_crossrefs(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, *(f"bibtex/iridia/{name}" for name in IRIDIA))
    assert out == "Imported 1,796 papers (1,796 new, 0 updated) from " + " + ".join(IRIDIA) + "\n"
    assert err == ""  # every macro defined, every entry read
    papers = catalog(tmp_path)
    by_key = {p.cite_key: p for p in papers.values()}
    assert len(by_key) == 1796
    assert not [p.cite_key for p in papers.values() if any("#" in a or "_" in a for a in p.authors)]  # `Aarts #and# Korst_JHM`
    assert not [p.cite_key for p in papers.values() if not p.published]  # years from crossref'd entries
    annealing = by_key["AarKorMic2005"]
    assert annealing.authors == ["Emile H. L. Aarts", "Jan H. M. Korst", "Wil Michiels"]
    assert annealing.bibtex["crossref"] == "SearchMethod2005" and annealing.published == "2005"
    assert by_key["FavMorPel09:sls"].title == "On the explorative behavior of MAX–MIN Ant System"  # \MaxMinAntSystem from @preamble
    # Three works called "Ant Colony Optimization", two called "Simulated Annealing": never merged.
    aco = [p for p in papers.values() if p.title == "Ant Colony Optimization"]
    assert sorted(p.cite_key for p in aco) == ["BluLop2011ieh", "DorMonOliStu2011eorms", "DorStu2004:book"]
    assert len({p.id for p in aco}) == 3
    assert sorted(p.cite_key for p in papers.values() if p.title == "Simulated Annealing") == ["AarKorMic2005", "NikJac2010"]
    # A second import of the same files changes nothing and says what it did.
    code, out, err = run(capsys, tmp_path, "import", *(str(REAL / "bibtex/iridia" / n) for n in IRIDIA))
    assert (code, out) == (0, f"Nothing new from {' + '.join(IRIDIA)}: its 1,796 papers are all already in your library\n")
    assert len(listed(capsys, tmp_path)) == 1796


def test_iridia_entries_alone_say_which_macros_are_missing(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/iridia/biblio.bib")
    assert "@string macros are used but never defined" in err and "import it together with this one" in err
    assert len(records) == 1367


def test_one_bad_name_does_not_refuse_the_bulk_file(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/bbt-Bulk performance test.bib")
    assert err == ""
    assert len(records) == 1241
    assert any("Weilbach" in record["authors"] for record in records.values())  # `author = {Weilbach,}`


def test_entries_without_a_title_are_imported_under_their_key_and_reported(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, f"{BBT_NAMES}.biblatex")
    assert len(records) == 40
    assert "line 1: the entry 'al-hakim' has no title; it was imported under its key" in err
    by_title = {r["title"]: r for r in records.values()}
    assert by_title["al-hakim"]["authors"] == ["Tawfiq al-Hakim"]  # biblatex `family=Hakim, given=Tawfiq, prefix=al-`
    assert by_title["beauvoir"]["authors"] == ["Simone de Beauvoir"]
    assert by_title["dagama"]["authors"] == ["Vasco da Gama"]


def test_href_and_entry_types_of_the_cheater_syntax_file(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/bbt-Setting the item type via the cheater syntax #587.bibtex")
    types = sorted(p.entry_type for p in catalog(tmp_path).values())
    assert types == ["article", "article", "booklet", "misc", "misc"]


def test_four_films_with_one_title_stay_four(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/bbt-Film references do not export properly for APA formating #2494.biblatex")
    assert [r["title"] for r in records.values()] == ["One Flew over the Cuckoo's Nest"] * 4
    assert "merged" not in out


def test_cobib_macros_urls_and_accents(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/cobib-example_literature.bib")
    by_title = {r["title"]: r for r in records.values()}
    assert set(by_title) == {"Zur Elektrodynamik bewegter Körper", "The LaTeX Companion", "Knuth: Computers and Typesetting"}
    assert by_title["Knuth: Computers and Typesetting"]["links"] == [
        {"url": "http://www-cs-faculty.stanford.edu/~uno/abcde.html", "kind": "project"}]  # `\~{}` in a url
    einstein = by_title["Zur Elektrodynamik bewegter Körper"]
    assert einstein["published"] == "1905" and einstein["authors"] == ["Albert Einstein"]
    assert einstein["links"] == [{"url": "https://doi.org/10.1002/andp.19053221004", "kind": "doi"}]


def test_comment_lines_stay_out_of_names(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/papis-physrevlett-comments-in-fields.bib")
    (record,) = records.values()
    assert record["authors"][:3] == ["Fazhan Shi", "Xing Rong", "Nanyang Xu"] and len(record["authors"]) == 12
    assert not any("%" in author or "comment" in author for author in record["authors"])
    assert record["published"] == "2010-07"
    (paper,) = catalog(tmp_path).values()
    assert paper.bibtex["journal"] == "Phys. {Rev}. Lett." and paper.bibtex["pages"] == "040504"


def test_zotero_export_keeps_braced_words_and_splits_keywords_as_zotero_joined_them(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "bibtex/papis-zotero-export.bib")
    by_key = {p.cite_key: p for p in catalog(tmp_path).values()}
    forster = records[by_key["forster_qualitative_2016"].id]
    assert forster["title"].endswith("decision-making in the United Kingdom")  # `{United} {Kingdom}`
    roberts = records[by_key["roberts_receiving_2014"].id]
    assert roberts["published"] == "2014-01" and roberts["tags"] == ["abortion", "drugs", "pregnancy"]
    assert by_key["roberts_receiving_2014"].bibtex["pages"] == "63--70"  # `--` kept as written
    assert by_key["roberts_receiving_2014"].bibtex["journal"] == r"Drug \& Alcohol Dependence"
    # Zotero joins keywords with ", ", so the MeSH term "Child, Preschool" reads as two tags: the
    # file itself cannot tell them apart.
    assert {"child", "preschool"} <= set(records[by_key["adams_effectiveness_2015"].id]["tags"])


@pytest.mark.parametrize("names", [[n] for n in BIBTEX_FILES] + [[f"bibtex/iridia/{n}" for n in IRIDIA]], ids=lambda n: Path(n[-1]).name)
def test_bibtex_round_trip_is_field_equal(names):
    ((_, first),) = read_sources([REAL / name for name in names])
    again = bibtex.parse(to_bibtex(first.papers, first.states))
    assert again.warnings == first.warnings
    assert len(again.papers) == len(first.papers)
    after = {p.cite_key: p for p in again.papers}
    for paper in first.papers:
        back = after[paper.cite_key]
        for name in ("id", "title", "abstract", "authors", "published", "links", "doi", "entry_type", "bibtex", "categories"):
            assert getattr(back, name) == getattr(paper, name), (paper.cite_key, name)
    assert {k: (s.tags, s.note) for k, s in again.states.items()} == {k: (s.tags, s.note) for k, s in first.states.items()}


def test_round_trip_through_the_command_line(capsys, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    imported(capsys, first, "bibtex/papis-zotero-export.bib", "bibtex/cobib-top10.bib")
    exported = tmp_path / "out.bib"
    assert run(capsys, first, "export", "--format", "bibtex", "-o", str(exported))[0] == 0
    assert run(capsys, second, "import", str(exported))[0] == 0
    before, after = catalog(first), catalog(second)
    assert set(before) == set(after)
    for pid, paper in before.items():
        assert (after[pid].bibtex, after[pid].entry_type, after[pid].cite_key) == (paper.bibtex, paper.entry_type, paper.cite_key)
    assert listed(capsys, second) and [r["tags"] for r in listed(capsys, first)] == [r["tags"] for r in listed(capsys, second)]


# -- HF API ------------------------------------------------------------------------------------


def test_hf_responses_of_every_shape(capsys, tmp_path):
    names = sorted(n for n in EXPECTED if n.startswith("hf-api/"))
    out, err, records = imported(capsys, tmp_path, *names)
    papers = catalog(tmp_path)
    assert len(papers) == sum(EXPECTED[n] for n in names) == 122
    assert not [pid for pid, p in papers.items() if not p.submitted]
    assert papers["2405.15738"].submitted == "2024-05-27"  # 2024 shape: the entry's own publishedAt
    assert papers["2405.15738"].published == "2024-05-24"
    own = papers["2604.09212"]  # projectPage = its own arXiv page: an arXiv link, not a project
    assert [l.kind for l in own.links].count("arxiv") == 1 and not own.links_of("project")
    assert not papers["2608.19861"].links_of("project")  # projectPage = its own HF page
    assert papers["2406.17774"].authors[:2] == ["Ruben Wiersma", "Julien Philip"]  # hidden: still its authors
    assert papers["2508.15881"].title.endswith(r"Prefill \& Decode Inference")  # stored raw
    assert to_unicode(papers["2508.15881"].title).endswith("Prefill & Decode Inference")  # shown decoded
    assert to_unicode(papers["2603.07980"].title).startswith("$OneMillion-Bench")


# -- arXiv -------------------------------------------------------------------------------------


def test_arxiv_feeds_keep_journal_ref_doi_affiliations_and_old_ids(capsys, tmp_path):
    names = sorted(n for n in EXPECTED if n.startswith("arxiv-atom/"))
    imported(capsys, tmp_path, *names)
    papers = catalog(tmp_path)
    assert len(papers) == 114
    hot = papers["astro-ph/0601001"]
    assert hot.journal_ref == "ActaAstron.56:1-50,2006"
    assert hot.affiliations["Andrew Gould"] == ["Ohio State"]
    assert not hot.links_of("project")  # a .ps.gz of the paper is the paper, not a project page
    assert hot.links_of("pdf")[0].url == "http://www.astronomy.ohio-state.edu/~gould/ogle_hot_jupiters.ps.gz"
    luttinger = papers["1201.4869"]
    assert (luttinger.doi, luttinger.journal_ref) == ("10.1142/S021797921244002X", "Int. J. Mod. Phys. B, 26, 1244002 (2012)")
    assert luttinger.links_of("doi")[0].url == "https://doi.org/10.1142/S021797921244002X"
    assert "quant-ph/0201082" in papers and "hep-ex/0307015" in papers
    assert papers["hep-ex/0307015"].authors == ["H1 Collaboration"]
    assert len(papers["1707.08567"].authors) > 20


# -- a page copy -------------------------------------------------------------------------------


def test_hf_search_page_export_gives_its_nine_papers_and_their_counts(capsys, tmp_path):
    out, err, records = imported(capsys, tmp_path, "hf-page/hf-papers-search-intercode-bash.excerpt.txt")
    assert list(records) == ["2410.05434", "2306.14898", "2502.06858", "1802.08979", "2104.13100",
                             "1808.01400", "2409.02326", "2203.03850", "2510.21057"]  # fmt: skip
    assert records["2410.05434"]["title"] == "Better than Your Teacher: LLM Agents that learn from Privileged AI Feedback"
    counts = {pid: (p.upvotes, p.comments) for pid, p in catalog(tmp_path).items()}
    assert counts["2410.05434"] == (1, None) and counts["1808.01400"] == (2, None)
    assert counts["2409.02326"] == (19, 2) and counts["2510.21057"] == (5, 1)
    for record in records.values():
        assert not [l for l in record["links"] if "login" in l["url"] or l["url"].rstrip("/").endswith("huggingface.co")]
        assert "authors](" not in record["abstract"]
    assert records["2502.06858"]["links"][0] == {"url": "https://github.com/westenfelder/NL2SH", "kind": "code"}


def test_a_json_backup_keeps_every_new_field(capsys, tmp_path):
    imported(capsys, tmp_path / "a", "bibtex/cobib-example_literature.bib", "arxiv-atom/arxivpy-id_astro-ph_0601001.xml")
    assert run(capsys, tmp_path / "a", "export", "-f", "json", "-o", str(tmp_path / "backup.json"))[0] == 0
    assert run(capsys, tmp_path / "b", "import", str(tmp_path / "backup.json"))[0] == 0
    before, after = catalog(tmp_path / "a"), catalog(tmp_path / "b")
    assert before == after
    assert after["astro-ph/0601001"].affiliations["Andrew Gould"] == ["Ohio State"]
    assert {p.cite_key for p in after.values()} == {"einstein", "latexcompanion", "knuthwebsite", ""}
