"""The word index (word_index.py) answers exactly what the scan of search.txt answers, and the
catalog's Searcher answers what the plain-dict oracle (tests/search_oracle.py) answers.

Constructed catalogs of random papers (words with digits, hyphens, unicode, punctuation, segment and
line boundaries), random terms (substrings of the text, prefixes, phrases, noise), compared three
ways. Derandomised, like test_properties.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_reader.store import catalog as catalog_module
from tui_reader.store.catalog import Catalog
from tui_reader.models import Link, Paper, PaperState
from tui_reader.search.searcher import Searcher
from tui_reader.search.word_index import WordIndex, build_file

from search_oracle import DictSearcher

SCALE = int(os.environ.get("TUI_READER_HYPOTHESIS_SCALE", "1"))
SETTINGS = settings(max_examples=60 * SCALE, deadline=None, derandomize=SCALE == 1, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["model", "models", "Modal", "self-supervised", "fine-tuning", "fine", "tuning", "2024", "x2", "gpt-4o",
         "naïve", "Straße", "İstanbul", "中文模型", "x²", "e.g.", "ab_cd", "a", "li", "Li", "l'avion", "—", "(RL)",
         "U.S.", "über-model", "3d", "Ⅻ", "ǅemal", "café", "ﬁne"]
CLEAN_SEPARATORS = [" ", " ", " ", ", ", ". ", "-", "/", ": ", "'"]
HOSTILE_SEPARATORS = CLEAN_SEPARATORS + ["\n", "\t", "\x1f", "\u2028", "\x00"]


def phrase(separators, max_words=8):
    return st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(separators)), max_size=max_words).map(
        lambda parts: "".join(w + s for w, s in parts).strip(" "))


def papers_strategy(separators):
    paper = st.tuples(phrase(separators, 5), phrase(separators, 14), st.lists(phrase(separators, 2), max_size=3))
    return st.lists(paper, min_size=1, max_size=12)


def make_catalog(folder: Path, specs) -> Catalog:
    catalog = Catalog(folder / "papers.json", writable=True)
    papers = {}
    for n, (title, abstract, authors) in enumerate(specs):
        pid = f"2401.{n:05d}"
        links = [Link(f"https://github.com/a/{n}", "code")] if n % 3 == 0 else []
        papers[pid] = Paper(pid, title or "untitled", abstract, authors, links=links, batch=1 + n % 2, seq=n)
    catalog.write(papers, (), keep_backups=0)
    return catalog


def term_candidates(specs):
    """Terms: substrings of the lowercased text around word and segment boundaries, and noise."""
    text = "\x1f".join("\x1f".join((t, a, ", ".join(au))) for t, a, au in specs).lower()
    return st.one_of(
        st.sampled_from(WORDS).map(str.lower),
        st.builds(lambda i, k: text[i % max(len(text), 1):][:k], st.integers(0, 10_000), st.integers(1, 12)),
        st.text(alphabet="aeilmnost-. 2²ßé中", min_size=1, max_size=5),
    )


@pytest.mark.slow  # a property test
@SETTINGS
@given(data=st.data(), specs=papers_strategy(HOSTILE_SEPARATORS))
def test_index_answers_what_the_scan_answers(data, specs):
    with tempfile.TemporaryDirectory() as tmp:
        catalog = make_catalog(Path(tmp), specs)
        words = catalog.build_word_index(write=False)
        assert words is not None and catalog.word_index() is words
        for _ in range(12):
            term = data.draw(term_candidates(specs))
            for segment in (None, 0, 2):
                assert catalog.search_rows(term, segment) == catalog.scan_rows(term, segment), (term, segment)


@pytest.mark.slow  # a property test
@SETTINGS
@given(data=st.data(), specs=papers_strategy(CLEAN_SEPARATORS))
def test_searcher_on_the_index_answers_what_the_plain_dict_searcher_answers(data, specs):
    with tempfile.TemporaryDirectory() as tmp:
        catalog = make_catalog(Path(tmp), specs)
        catalog.build_word_index(write=False)
        plain = {pid: catalog[pid] for pid in catalog}
        ids = list(catalog.order)
        states = {ids[0]: PaperState(read=True, tags=["nlp", "model-zoo"], note="Naïve baseline"),
                  ids[-1]: PaperState(starred=True, note="re-read"), "gone": PaperState(read=True, tags=["nlp"])}
        on_catalog, on_dict = Searcher(catalog, states), DictSearcher(plain, states)
        for _ in range(10):
            terms = data.draw(st.lists(st.one_of(
                term_candidates(specs).filter(lambda t: t.strip() and '"' not in t).map(lambda t: f'"{t}"' if " " in t else t),
                st.sampled_from(["is:unread", "is:starred", "tag:nlp", "has:code", "has:note", "has:tags", "title:model",
                                 "author:li", "title:fine-tuning", 'author:"li, "'])), min_size=1, max_size=3))
            negate = data.draw(st.lists(st.booleans(), min_size=len(terms), max_size=len(terms)))
            query = " ".join(("-" if neg else "") + term for term, neg in zip(terms, negate))
            for view in (catalog.order, ids[::-1], ids[: len(ids) // 2 + 1]):
                assert on_catalog.filter(view, query) == on_dict.filter(view, query), query


def test_a_term_the_index_cannot_answer_is_scanned(tmp_path):
    catalog = make_catalog(tmp_path, [("A, B", "x -- y", ["Li, Wei"]), ("C", "z", [])])
    catalog.build_word_index(write=False)
    assert catalog.word_index().term_mask("--", None, catalog._text, catalog.text_starts) is None
    assert catalog.search_rows("--") == {0} and catalog.search_rows(", ", 2) == {0} and catalog.search_rows(", ", 1) == set()
    assert catalog.search_rows("") == set() and catalog.search_rows("a\x1fx") == set()


def test_the_index_file_belongs_to_one_search_text(tmp_path):
    catalog = make_catalog(tmp_path, [("Diffusion models", "We fine-tune.", ["Ada Li"])])
    assert not catalog.words_path.exists()  # small: no background build
    catalog.build_word_index(write=True)
    assert catalog.words_path.exists()
    reopened = Catalog(tmp_path / "papers.json", writable=False)
    reopened.load()
    assert reopened.word_index() is not None
    assert reopened.search_rows("fine-tun") == {0} and reopened.search_rows("ada", 2) == {0}
    # Another catalog generation: the old file is not used, and the answers still hold (scan).
    catalog.write({"2401.99999": Paper("2401.99999", "Models of models", "", ["Bo"])}, (), keep_backups=0)
    assert catalog.word_index() is None
    assert catalog.search_rows("models") == {0, 1}
    # A damaged file is ignored.
    catalog.words_path.write_bytes(b"tui-reader words garbage\n{}\n")
    assert WordIndex.open(catalog.words_path, catalog.text_token()) is None
    assert catalog.word_index() is None and catalog.search_rows("models") == {0, 1}


def test_the_background_builder_writes_the_index(tmp_path):
    catalog = make_catalog(tmp_path, [("Diffusion models", "We fine-tune.", ["Ada Li"]), ("Other", "", [])])
    assert build_file(tmp_path)
    assert catalog.word_index() is not None and catalog.search_rows("diff") == {0}
    os.remove(catalog.words_path)
    result = subprocess.run([sys.executable, "-m", "tui_reader.search.word_index", str(tmp_path)], timeout=60)
    assert result.returncode == 0 and catalog.words_path.exists()
    assert build_file(tmp_path / "nowhere") is False


def test_a_large_writable_catalog_starts_a_build_and_uses_it(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog_module, "WORD_INDEX_MIN_BYTES", 0)
    catalog = make_catalog(tmp_path, [("Diffusion models", "We fine-tune.", ["Ada Li"]), ("Other", "", [])])
    builder = catalog._builder
    assert builder is not None
    assert builder.wait(timeout=60) == 0
    assert catalog.word_index() is not None
    assert catalog.search_rows("tune") == {0}


@pytest.mark.parametrize("query", ["", "models", "-models", "is:unread", "tag:x models"])
def test_filter_keeps_the_order_of_any_view(tmp_path, query):
    catalog = make_catalog(tmp_path, [("Models", "", []), ("Other models", "", []), ("None", "", [])])
    searcher = Searcher(catalog, {})
    view = ["2401.00002", "2401.00000", "2401.00001"]
    assert searcher.filter(view, query) == DictSearcher({pid: catalog[pid] for pid in catalog}, {}).filter(view, query)


def test_a_state_replaced_or_forgotten_is_searched_afresh(tmp_path):
    catalog = make_catalog(tmp_path, [("Models", "", []), ("Other", "", [])])
    states = {"2401.00001": PaperState(tags=["alpha"])}
    searcher = Searcher(catalog, states)
    assert searcher.filter(catalog.order, "alpha") == ["2401.00001"]
    assert searcher.filter(catalog.order, "beta") == []
    # the Library makes a new states snapshot for each change
    searcher.states = states = {**states, "2401.00000": PaperState(note="Beta test")}
    assert searcher.filter(catalog.order, "beta") == ["2401.00000"]
    searcher.states = states = {"2401.00000": states["2401.00000"]}
    assert searcher.filter(catalog.order, "alpha") == []
    states["2401.00000"].tags.append("gamma")  # edited in place: forget() says so
    searcher.forget()
    assert searcher.filter(catalog.order, "gamma") == ["2401.00000"]


def test_one_letter_terms_come_from_their_own_masks_and_match_the_scan(tmp_path):
    specs = [("Models of mind", "A study of 3D scenes.", ["Zoë Quinn"]), ("Vision", "no such letter here", []),
             ("x_y", "under_score and 42", ["Li"]), ("Ünïcode title", "naïve façade", ["Jürgen"])]
    catalog = make_catalog(tmp_path, specs)
    words = catalog.build_word_index(write=False)
    assert words is not None and words._letters  # built with them
    for letter in "abcdefghijklmnopqrstuvwxyz0123456789_":
        assert catalog.search_rows(letter) == catalog.scan_rows(letter), letter
        assert words.term_mask(letter, None, catalog._text, catalog.text_starts) == words.letter_mask(letter)


def test_one_background_build_per_folder_at_a_time(tmp_path):
    """A builder started while another holds the folder's build lock leaves at once, writing
    nothing; once the lock is free a builder builds."""
    import fcntl
    import subprocess
    import sys

    from tui_reader.models import Paper
    from tui_reader.search.word_index import BUILDING_LOCK
    from tui_reader.store.library import Library

    with Library(tmp_path) as library:
        library.import_papers([Paper(f"2101.{n:05d}", f"Paper {n} on lock files") for n in range(50)])
    command = [sys.executable, "-m", "tui_reader.search.word_index", str(tmp_path)]
    with open(tmp_path / BUILDING_LOCK, "wb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        assert subprocess.run(command).returncode == 1
        assert not (tmp_path / "words.idx").exists()
    assert subprocess.run(command).returncode == 0
    assert (tmp_path / "words.idx").exists()
