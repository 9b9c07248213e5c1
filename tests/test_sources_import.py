"""`tui-reader import` of the API formats, BibTeX and our backup; merging with the sample page."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

from tui_reader.errors import SourceError
from tui_reader.sources import arxiv, bibtex, hf_api, parse_text, read_source
from cli_helpers import run, listed, catalog

FIXTURES = Path(__file__).parent / "fixtures"


# -- detection ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("hf-daily-2025-03-11.json", hf_api.SOURCE),
        ("arxiv-page-1.xml", arxiv.SOURCE),
        ("zotero.bib", bibtex.SOURCE),
    ],
)
def test_each_file_is_read_by_its_own_format(name, fmt):
    assert read_source(FIXTURES / name).format == fmt


def test_sample_page_is_still_read_as_a_page(sample_path):
    batch = read_source(sample_path)
    assert batch.format == "hf-page" and len(batch.papers) == 81


def test_a_single_hf_paper_object_is_read():
    text = json.dumps({"id": "2503.07365v1", "title": "MM-Eureka", "summary": "A model.", "upvotes": 3})
    batch = parse_text(text, "paper.json")
    assert [(p.id, p.title, p.upvotes) for p in batch.papers] == [("2503.07365", "MM-Eureka", 3)]


def test_hf_optional_fields_of_the_wrong_type_read_as_missing():
    entry = {"paper": {"id": "2503.00001", "title": "T", "upvotes": "many", "authors": "nobody", "githubRepo": 5}, "numComments": None}
    (paper,) = hf_api.parse(json.dumps([entry]))
    assert (paper.upvotes, paper.authors, paper.comments, paper.links_of("code")) == (None, [], None, [])


def test_hf_entry_without_an_arxiv_id_gets_a_title_id():
    (paper,) = hf_api.parse(json.dumps([{"paper": {"title": "A Paper Without An Id", "summary": "x"}}]))
    assert paper.id.startswith("t-") and paper.links == []


# -- importing files ---------------------------------------------------------------------------


def test_import_saved_hf_response(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "import", str(FIXTURES / "hf-daily-2025-03-11.json"))
    assert (code, out) == (0, "Imported 12 papers (12 new, 0 updated) from hf-daily-2025-03-11.json\n"), err
    papers = catalog(tmp_path)
    assert papers["2503.07365"].authors[0] == "Fanqing Meng"
    assert papers["2503.07365"].links_of("code")[0].url == "https://github.com/ModalMinds/MM-EUREKA"


def test_import_saved_arxiv_feeds(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "import", str(FIXTURES / "arxiv-page-1.xml"), str(FIXTURES / "arxiv-page-2.xml"))
    assert code == 0, err
    ids = {r["id"] for r in listed(capsys, tmp_path)}
    assert ids == {"2303.06373", "2502.01234", "hep-th/9901001", "math/0309136", "2411.00042"}


def test_import_bibtex_maps_fields_and_keywords_to_tags(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, "import", str(FIXTURES / "zotero.bib"))
    assert (code, "4 new" in out) == (0, True), err
    records = {r["id"]: r for r in listed(capsys, tmp_path)}
    attention = records["1706.03762"]  # eprint + archivePrefix
    assert attention["title"] == "Attention Is All You Need"  # protective braces gone
    assert attention["authors"] == ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit"]
    assert attention["published"] == "2017-06"
    assert attention["abstract"].startswith("The dominant sequence transduction models are based on complex recurrent or convolutional")
    assert attention["tags"] == ["computer-science-computation-and-language", "transformers"]
    assert attention["note"] == ""  # Zotero's "arXiv:1706.03762 [cs]" note is not a user note
    assert [l["url"] for l in attention["links"]][:2] == ["https://arxiv.org/abs/1706.03762", "https://arxiv.org/pdf/1706.03762"]

    resnet = records["1512.03385"]  # arXiv id from "arXiv preprint arXiv:…"
    assert resnet["authors"][-1] == "Jürgen Müller"  # LaTeX accents decoded
    assert resnet["tags"] == ["vision", "classics"]
    ldm = records["2112.10752"]  # biblatex: eprinttype and date
    assert ldm["published"] == "2021-12-20"
    assert ldm["note"] == "Read for the autoencoder section; compare with & against DALL-E 2."
    assert {"kind": "code", "url": "https://github.com/CompVis/latent-diffusion"} in ldm["links"]
    book = next(r for r in records.values() if r["authors"] == ["Donald E. Knuth"])
    assert book["id"].startswith("t-") and book["published"] == "1984"
    papers = catalog(tmp_path)
    assert papers["1706.03762"].doi == "10.48550/arXiv.1706.03762"
    assert papers["1706.03762"].categories == ["cs.CL"]


def test_bibtex_entries_with_one_key_are_both_kept():
    text = "@misc{same, title={First Paper}}\n@misc{same, title={Second Paper}}\n"
    assert [p.title for p in bibtex.parse(text).papers] == ["First Paper", "Second Paper"]


# -- merging across sources --------------------------------------------------------------------


def test_hf_response_merges_into_the_sample_keeping_stars(capsys, tmp_path, sample_path):
    assert run(capsys, tmp_path, "import", str(sample_path))[0] == 0
    page = {r["title"]: r for r in listed(capsys, tmp_path)}
    rgt = page["Recursive Generalization Transformer for Image Super-Resolution"]
    agent = page["AgentRefine: Enhancing Agent Generalization through Refinement Tuning"]
    third = page["Self-Judge: Selective Instruction Following with Alignment Self-Evaluation"]
    assert run(capsys, tmp_path, "star", rgt["id"], agent["id"], third["id"])[0] == 0
    assert run(capsys, tmp_path, "tag", rgt["id"], "to-read")[0] == 0

    code, out, err = run(capsys, tmp_path, "import", str(FIXTURES / "hf-daily-sample-overlap.json"))
    assert (code, out) == (0, "Imported 3 papers (1 new, 2 updated; 2 merged with papers you had) from hf-daily-sample-overlap.json\n"), err

    records = {r["id"]: r for r in listed(capsys, tmp_path)}
    assert len(records) == 82
    assert rgt["id"] not in records and agent["id"] not in records  # title ids gave way to arXiv ids
    assert {pid for pid, r in records.items() if r["starred"]} == {"2211.13654", "2501.01702", third["id"]}
    assert records["2211.13654"]["tags"] == ["to-read"]
    for new_id, old in (("2211.13654", rgt), ("2501.01702", agent)):
        merged = records[new_id]
        assert merged["abstract"] == old["abstract"]  # the page's longer abstract
        assert merged["authors"] and merged["published"]  # from the API
        assert merged["added"] == old["added"]
        assert [l for l in old["links"] if l not in merged["links"]] == []  # the page's links kept
        kinds = [l["kind"] for l in merged["links"]]
        assert kinds.count("arxiv") == 1 and kinds.count("hf") == 1
    assert [l["url"] for l in records["2211.13654"]["links"]].count("https://github.com/zhengchen1999/RGT") == 1
    papers = catalog(tmp_path)
    assert papers["2501.01702"].sources == ["hf-page", "hf-api"]
    assert papers["2501.01702"].upvotes == 12
    assert papers["2211.13654"].aliases == [rgt["id"]]
    # the id the user knew still works
    assert run(capsys, tmp_path, "read", rgt["id"])[0] == 0
    assert {r["id"]: r for r in listed(capsys, tmp_path)}["2211.13654"]["read"] is True


def test_arxiv_feed_then_hf_response_is_one_record_per_paper(capsys, tmp_path):
    assert run(capsys, tmp_path, "import", str(FIXTURES / "arxiv-page-1.xml"))[0] == 0
    entry = {"paper": {"id": "2303.06373", "title": "Recursive Diffusion Samplers for Image Restoration: A Study of Step Schedules",
                       "upvotes": 17, "githubRepo": "https://github.com/example-lab/diffusion-restore"}}  # fmt: skip
    (tmp_path / "hf.json").write_text(json.dumps([entry]))
    code, out, err = run(capsys, tmp_path, "import", str(tmp_path / "hf.json"))
    assert (code, "(0 new, 1 updated)" in out) == (0, True), err
    paper = catalog(tmp_path)["2303.06373"]
    assert paper.upvotes == 17 and paper.doi == "10.1109/CVPR52729.2023.01234"
    assert [l.url for l in paper.links].count("https://github.com/example-lab/diffusion-restore") == 1


@pytest.mark.parametrize("arxiv_id", ["2503.00001", "hep-th/9901001", None])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"githubRepo": "https://github.com/a/b"},
        {"projectPage": "https://x.org", "summary": "See https://arxiv.org/abs/2503.00001v2 and https://x.org/."},
        {"summary": "Code: https://github.com/a/b."},
    ],
)
def test_hf_entry_links_are_the_merged_links_of_its_fields(arxiv_id, extra):
    """An entry with only its arXiv links takes them unmerged; any entry's links are the merge."""
    from tui_reader.links import find_links, merge_links
    from tui_reader.models import Link
    from tui_reader.sources.arxiv import arxiv_paper_links

    fields = {"title": "T", "summary": "Plain.", **extra, **({"id": arxiv_id} if arxiv_id else {})}
    paper = hf_api.entry_paper({"paper": fields})
    given = [Link(fields[key], kind) for key, kind in (("githubRepo", "code"), ("projectPage", "project")) if key in fields]
    known = arxiv_paper_links(arxiv_id) if arxiv_id else []
    assert paper.links == merge_links(given, find_links(fields["summary"]), known)


def test_hf_json_parses_the_same_with_or_without_non_ascii_text():
    entries = [{"paper": {"id": f"2503.0000{n}", "title": title, "summary": "s"}} for n, title in enumerate(("Plain", "Müller’s “model” 😀"))]
    assert [p.title for p in hf_api.parse(json.dumps(entries))] == ["Plain", "Müller’s “model” 😀"]
    assert [p.title for p in hf_api.parse(json.dumps(entries, ensure_ascii=False))] == ["Plain", "Müller’s “model” 😀"]
    for broken in ('[{"paper": {"title": "é", }}]', '[{"paper": {"title": "\ud800"}}]'):
        with pytest.raises(orjson.JSONDecodeError) as from_the_str:
            orjson.loads(broken)
        with pytest.raises(SourceError) as raised:
            hf_api.parse(broken)
        assert raised.value.reason == f"not valid JSON ({from_the_str.value})"


def test_hf_author_names_are_cleaned_once_and_shared_between_papers():
    entries = [
        {"paper": {"id": "2503.00001", "title": "A", "authors": [{"name": " Ada  Lovelace\n"}, {"name": "Alan Turing"}, {"name": " "}, {}, "x"]}},
        {"paper": {"id": "2503.00002", "title": "B", "authors": [{"name": "Alan Turing"}, {"name": " Ada  Lovelace\n"}, {"name": 5}]}},
    ]
    first, second = hf_api.parse(json.dumps(entries))
    assert first.authors == ["Ada Lovelace", "Alan Turing"]
    assert second.authors == ["Alan Turing", "Ada Lovelace"]
    assert second.authors[1] is first.authors[0]
    assert hf_api.entry_paper(entries[1]).authors == second.authors  # without a shared table
