"""tui_reader.sources.hf_page: the real sample page, constructed variants of it, and a round-trip property."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_reader.models import Link, normalise_title, title_id
from tui_reader.sources import hf_page

SAMPLE = Path(__file__).resolve().parents[1] / "tui_reader" / "data" / "hf-papers-page.txt"
FURNITURE = [
    "Get trending papers in your email inbox!",
    "Subscribe",
    "byAK and the research community",
    "Mar 11",
]


@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sample(sample_text: str) -> list:
    return hf_page.parse(sample_text)


def render(entries, sep: str = "\n\n", header: str = "new\n\nSubscribe\n\nMar 11\n\n") -> str:
    """A page: header furniture, then each title and its abstract paragraphs (None: no abstract)."""
    chunks = []
    for title, abstract in entries:
        chunks.append(title)
        if abstract is not None:
            chunks.extend([abstract] if isinstance(abstract, str) else abstract)
    return header + sep.join(chunks) + "\n"


def pairs(papers) -> list[tuple[str, str]]:
    return [(p.title, p.abstract) for p in papers]


ENTRIES = [
    ("Scaling Laws for Tiny Models", "We study tiny models. They scale too."),
    ("What Can Small Nets Learn? A Study in Generalization", "Small nets learn a lot, as we show here."),
    ("Humans vs. Machines: A Chess Benchmark", "We benchmark chess engines against people."),
]


# --- the real sample -------------------------------------------------------------------------


def test_sample_gives_81_papers_in_page_order(sample_text, sample):
    assert len(sample) == 81
    assert sample[0].title == "Recursive Generalization Transformer for Image Super-Resolution"
    assert sample[-1].title == "Deep neural networks as nested dynamical systems"
    # The sample is clean: after 5 furniture blocks, blocks alternate title / abstract.
    blocks = sample_text.strip().split("\n\n")[5:]
    assert pairs(sample) == list(zip(blocks[0::2], blocks[1::2], strict=True))
    assert "What Algorithms can Transformers Learn? A Study in Length Generalization" in {
        p.title for p in sample
    }


def test_sample_has_no_furniture_in_titles_or_abstracts(sample):
    for paper in sample:
        assert paper.title not in FURNITURE + ["new"]
        assert paper.abstract
        for furniture in FURNITURE:
            assert furniture not in paper.abstract


def test_sample_fields(sample):
    for paper in sample:
        assert paper.source == "hf-page"
        assert paper.sources == ["hf-page"]
        assert paper.id == title_id(paper.title)  # the page names no arXiv ids
        assert paper.authors == [] and paper.upvotes is None and paper.comments is None
    assert len({p.id for p in sample}) == 81


def test_sample_first_paper_links_its_code(sample):
    assert sample[0].links == [Link("https://github.com/zhengchen1999/RGT", "code")]


def test_sample_all_urls_become_links(sample_text, sample):
    urls = {u.rstrip(".") for u in re.findall(r"https?://\S+", sample_text)}
    assert len(urls) == 21
    found = [link.url for p in sample for link in p.links]
    assert set(found) == urls and len(found) == 21
    assert not [u for u in found if u[-1] in ".,;:!?)"]


def test_sample_is_detected(sample_text):
    assert hf_page.detect(sample_text)


# --- constructed pages -----------------------------------------------------------------------


def test_crlf_line_endings():
    assert pairs(hf_page.parse(render(ENTRIES).replace("\n", "\r\n"))) == ENTRIES


def test_blank_line_runs_trailing_spaces_tabs_and_nbsp():
    page = render(ENTRIES, sep=" \n\t\n\n \xa0\n\n")
    page = page.replace("Scaling Laws", "Scaling\tLaws  ").replace("tiny models.", "tiny\xa0\xa0models.   ")
    assert pairs(hf_page.parse(page)) == ENTRIES
    assert hf_page.detect(page)


def test_missing_abstract_in_the_middle_and_at_the_end():
    entries = [("First Paper Title", "An abstract."), ("Second Paper Title", None),
               ("Third Paper Title", "Another abstract."), ("Last Paper Title", None)]  # fmt: skip
    papers = hf_page.parse(render(entries))
    assert pairs(papers) == [(t, a or "") for t, a in entries]


def test_multi_paragraph_abstract():
    paragraphs = ["First paragraph. It has  two\nlines.", "Second paragraph.", "Code: https://github.com/a/b"]
    papers = hf_page.parse(render([("A Title", paragraphs), ("Next Title Here", "Short.")]))
    assert pairs(papers) == [
        ("A Title", "First paragraph. It has two lines.\n\nSecond paragraph.\n\nCode: https://github.com/a/b"),
        ("Next Title Here", "Short."),
    ]
    assert papers[0].links == [Link("https://github.com/a/b", "code")]


def test_prose_before_the_first_title_is_dropped():
    page = "Welcome. These are today's papers.\n\n" + render(ENTRIES, header="")
    assert pairs(hf_page.parse(page)) == ENTRIES


def test_daily_papers_furniture():
    page = "\n".join([
        "new", "", "Get trending papers in your email inbox!", "", "Subscribe", "",
        "Daily Papers", "", "byAK and the research community", "", "Previous", "Mar 11, 2025", "Next", "",
        "Submitted by", "akhaliq", "",
        "42", "",
        "Sparse Experts at Scale", "",
        "Alice Smith, Bob Jones", "· 12 authors", "",
        "We route tokens to experts. It is fast.", "",
        "Published on Mar 11", "", "3 comments", "",
        "Submitted by jdoe", "",
        "Dense Retrieval Revisited", "Carol de la Cruz, Dan Brown · 5 authors", "·", "Mar 10, 2025", "",
        "We revisit dense retrieval.", "", "A second paragraph.", "",
        "Upvote", "", "15", "", "2", "",
        "[-] 7", "Untitled Third Paper", "Upvote", "",
        "Previous", "Next",
    ])  # fmt: skip
    papers = hf_page.parse(page)
    got = [(p.title, p.abstract, p.authors, p.upvotes, p.comments) for p in papers]
    assert got == [
        ("Sparse Experts at Scale", "We route tokens to experts. It is fast.", ["Alice Smith", "Bob Jones"], 42, 3),
        ("Dense Retrieval Revisited", "We revisit dense retrieval.\n\nA second paragraph.",
         ["Carol de la Cruz", "Dan Brown"], 15, 2),
        ("Untitled Third Paper", "", [], 7, None),
    ]  # fmt: skip
    assert hf_page.detect(page)


def test_paper_view_card_furniture():
    # The single-paper card layout: counts and organisation after the abstract, submitter before the title.
    page = "\n\n".join([
        "Submitted by", "Jane Q Doe",
        "Tokens · Experts · Routers",
        "We route tokens.",
        "Kandinsky Lab · Published on Oct 4, 2026",
        "Upvote", "117", "GitHub 1.2k", "arXiv Page",
        "Submitted by", "Jane Q Doe",
        "Second Card Title",
        "Its abstract.",
        "Ann Lee · Mar 1, 2024",
    ])  # fmt: skip
    got = [(p.title, p.abstract, p.authors, p.upvotes, p.comments) for p in hf_page.parse(page)]
    assert got == [
        ("Tokens · Experts · Routers", "We route tokens.", [], 117, None),
        ("Second Card Title", "Its abstract.", [], None, None),
    ]


def test_one_sentence_abstract_short_code_paragraph_and_abbreviations():
    entries = [
        ("Humans vs. Machines at Go", "One sentence is enough."),
        ("Deep Learning, Fast and Slow", ["We learn.", "Code: https://github.com/a/b"]),
    ]
    papers = hf_page.parse(render(entries))
    assert pairs(papers) == [
        ("Humans vs. Machines at Go", "One sentence is enough."),
        ("Deep Learning, Fast and Slow", "We learn.\n\nCode: https://github.com/a/b"),
    ]


def test_arxiv_url_in_abstract_gives_the_id_and_links():
    page = render([("Attention Variants", "See https://arxiv.org/abs/2303.06373v2 for details.")])
    [paper] = hf_page.parse(page)
    assert paper.id == "2303.06373"
    kinds = {link.url: link.kind for link in paper.links}
    assert kinds["https://arxiv.org/abs/2303.06373v2"] == "arxiv"
    assert kinds["https://arxiv.org/pdf/2303.06373"] == "pdf"
    assert kinds["https://huggingface.co/papers/2303.06373"] == "hf"


def test_a_paper_listed_twice_is_returned_once():
    entries = [("Same Paper", None), ("Other Paper", "Other."), ("Same Paper", "Now with abstract.")]
    assert pairs(hf_page.parse(render(entries))) == [("Same Paper", "Now with abstract."), ("Other Paper", "Other.")]


# --- detect() --------------------------------------------------------------------------------

NOT_PAGES = {
    "empty": "",
    "blank": "  \n\n \r\n",
    "json": '{"papers": [{"title": "A Title", "abstract": "Some text."}]}',
    "json-list": '[\n  {"title": "A Title",\n   "abstract": "Some text."}\n]',
    "atom": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<entry>\n<title>A Title</title>\n\n<summary>Some text.</summary>\n</entry>\n</feed>\n"
    ),
    "bibtex": "@article{key2023,\n  title = {A Title},\n\n  abstract = {Some text.}\n}\n",
    "bibtex-after-comment": "% exported\n\n@inproceedings{k,\n  title={A Title}\n}\n",
    "html": "<!DOCTYPE html>\n<html><body>\n<h1>A Title</h1>\n\n<p>Some text.</p>\n</body></html>\n",
    "prose only": "Just a sentence.\n\nAnother sentence.\n",
    "furniture only": "new\n\nSubscribe\n\nMar 11\n\n42\n",
}


@pytest.mark.parametrize("text", NOT_PAGES.values(), ids=NOT_PAGES.keys())
def test_detect_rejects_other_text(text):
    assert not hf_page.detect(text)


def test_detect_accepts_constructed_pages():
    assert hf_page.detect(render(ENTRIES))
    assert hf_page.detect(render(ENTRIES).replace("\n", "\r\n"))
    assert hf_page.detect("A Title\n\nOne sentence.")


# --- round trip ------------------------------------------------------------------------------

_word = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=10)
_titles = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_word.filter(lambda w: any(c.isalpha() for c in w)), min_size=3, max_size=12),
    st.sampled_from(["", "?", ": A Study"]),
)
_sentences = st.builds(
    lambda words: " ".join([words[0].capitalize(), *words[1:]]) + ".",
    st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=9), min_size=1, max_size=15),
)
_paragraphs = st.lists(_sentences, min_size=1, max_size=4).map(" ".join)
_abstracts = st.lists(_paragraphs, min_size=1, max_size=3).map("\n\n".join)


@pytest.mark.slow  # a property test
@settings(max_examples=200, deadline=None)
@given(
    entries=st.lists(st.tuples(_titles, _abstracts), min_size=1, max_size=8,
                     unique_by=lambda e: normalise_title(e[0])),
    sep=st.sampled_from(["\n\n", "\n\n\n", " \n \n", "\n\t\n"]),
    crlf=st.booleans(),
)  # fmt: skip
def test_render_then_parse_round_trips(entries, sep, crlf):
    page = render([(t, a.split("\n\n")) for t, a in entries], sep=sep)
    if crlf:
        page = page.replace("\n", "\r\n")
    assert pairs(hf_page.parse(page)) == entries
    assert hf_page.detect(page)
