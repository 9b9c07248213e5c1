"""Derived files (index.bin, search.txt, words.idx) are verified, never trusted (issue 17 W1-W2,
issue 12 item 5): a copied folder opens without a rebuild; a same-length edit of the catalog, or any
damage to a derived file (cut, a range zeroed, bytes flipped at the same size), costs a rebuild and
never a wrong answer or a crash. Answers are checked against a brute-force oracle over the papers."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from tui_reader.models import Paper
from tui_reader.store.catalog import Catalog
from tui_reader.store.library import Library
from tui_reader.store.derived import TEXT_BLOCK, BlockCrcs, block_crcs

SEED = int(os.environ.get("TUI_READER_FUZZ_SEED", "1717"))
WORDS = ["model", "models", "diffusion", "LowubDiff", "transformer", "self-supervised", "fine-tuning", "graph",
         "vision", "language", "robust", "storage", "naïve", "café", "x2", "gpt-4o", "Ada", "Lovelace", "Bo", "Li"]
QUERIES = [("model", None), ("models", None), ("diff", None), ("lowubdiff", None), ("self-supervised", None),
           ("fine-tuning model", None), ("graph", 0), ("vision", 0), ("ada", 2), ("li", 2), ("bo", 2), ("o", None),
           ("a", None), ("café", None), ("naïve", 0), ("x2", None), ("gpt-4o", None), ("storage robust", None),
           ("transformer", 0), ("lovelace", 2), ("e", 0), ("zzz", None), ("with", None), ("ge", None)]


def make_papers(n: int, rng: random.Random) -> list[Paper]:
    papers = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
        abstract = " ".join(rng.choice(WORDS + ["with", "the", "of"]) for _ in range(rng.randint(10, 40)))
        authors = [f"{rng.choice(['Ada', 'Bo', 'Li', 'Cy'])} {rng.choice(['Lovelace', 'Storage', 'Graph'])}"
                   for _ in range(rng.randint(1, 3))]
        papers.append(Paper(f"2401.{i:05d}", title, abstract, authors, batch=1, seq=i))
    return papers


def oracle(papers: list[Paper], needle: str, segment: int | None) -> set[int]:
    """Which rows hold the term: straight from the papers, no file involved."""
    found = set()
    for row, paper in enumerate(papers):
        parts = [paper.title.lower(), paper.abstract.lower(), ", ".join(paper.authors).lower()]
        text = " ".join(parts) if segment is None else parts[segment]
        if needle in text:
            found.add(row)
    return found


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> tuple[Path, list[Paper]]:
    folder = tmp_path_factory.mktemp("derived") / "lib"
    papers = make_papers(300, random.Random(SEED))
    with Library(folder) as lib:
        lib.import_papers(papers)
        lib.papers.build_word_index(write=True)
        order = [lib.papers[pid] for pid in lib.papers.ids]  # rows are file order
    assert (folder / "words.idx").exists()
    return folder, order


def copy_of(template: tuple[Path, list[Paper]], tmp_path: Path, name: str = "copy", same_times: bool = False) -> Path:
    """A copy of the library with new mtimes, as `cp -r` gives, or with the same ones."""
    target = tmp_path / name
    shutil.copytree(template[0], target, copy_function=shutil.copy2 if same_times else shutil.copyfile)
    return target


def wrong_answers(folder: Path, papers: list[Paper], writable: bool = False) -> list[str]:
    catalog = Catalog(folder / "papers.json", writable=writable)
    catalog.load()
    wrong = []
    if [catalog.title(pid) for pid in catalog.ids] != [p.title for p in papers]:
        wrong.append("the titles column")
    if [catalog[pid].abstract for pid in catalog.ids] != [p.abstract for p in papers]:
        wrong.append("the records")
    for needle, segment in QUERIES:
        got = catalog.search_rows(needle, segment)
        want = oracle(papers, needle, segment)
        if got != want:
            wrong.append(f"{needle!r} in {segment}: {len(got)} rows, expected {len(want)}")
    return wrong


def test_a_copied_library_opens_from_its_index_without_a_rebuild(template, tmp_path):
    folder = copy_of(template, tmp_path)
    with Library(folder, read_only=True) as lib:
        assert not lib.papers.rebuilt and len(lib.papers) == 300
    with Library(folder) as lib:  # a writer records the new time: the fast path from now on
        assert not lib.papers.rebuilt
    with Library(folder, read_only=True) as lib:
        assert not lib.papers.rebuilt
    assert wrong_answers(folder, template[1]) == []


def test_a_same_length_edit_of_the_catalog_is_seen_by_every_derived_file(template, tmp_path):
    folder = copy_of(template, tmp_path)
    papers = list(template[1])
    row = next(i for i, p in enumerate(papers) if "LowubDiff" in p.title)
    raw = (folder / "papers.json").read_bytes()
    assert raw.count(b"LowubDiff") >= 1
    (folder / "papers.json").write_bytes(raw.replace(b"LowubDiff", b"LowubDiqq"))
    papers = [Paper(p.id, p.title.replace("LowubDiff", "LowubDiqq"), p.abstract.replace("LowubDiff", "LowubDiqq"),
                    p.authors) for p in papers]
    with Library(folder, read_only=True) as lib:
        assert lib.papers.rebuilt
        assert row in lib.papers.search_rows("lowubdiqq") and lib.papers.search_rows("lowubdiff") == set()
    assert wrong_answers(folder, papers, writable=True) == []
    assert wrong_answers(folder, papers) == []  # and again, from what the reader and writer saved


def damaged(data: bytes, kind: str, rng: random.Random) -> bytes:
    if kind == "truncate":
        return data[: rng.randrange(len(data))]
    if kind == "zero-range":
        start = rng.randrange(len(data))
        length = rng.randint(1, max(1, len(data) // 10))
        return data[:start] + bytes(len(data[start: start + length])) + data[start + length:]
    if kind == "flip-bytes":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        return bytes(out)
    raise ValueError(kind)


TRIES = int(os.environ.get("TUI_READER_FUZZ_TRIES", "12"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["index.bin", "search.txt", "words.idx"])
@pytest.mark.parametrize("kind", ["truncate", "zero-range", "flip-bytes"])
def test_a_damaged_derived_file_never_gives_a_wrong_answer(template, tmp_path, name, kind):
    print(f"seed {SEED} (TUI_READER_FUZZ_SEED), {TRIES} tries")
    rng = random.Random(f"{SEED}-{name}-{kind}")
    wrong = []
    for attempt in range(TRIES):
        folder = copy_of(template, tmp_path, f"try-{attempt}", same_times=True)  # the damage is all that changed
        path = folder / name
        path.write_bytes(damaged(path.read_bytes(), kind, rng))
        if name == "search.txt" and attempt % 3 == 0:
            (folder / "words.idx").unlink()  # every term is then scanned in the damaged text
        writable = attempt % 2 == 1
        wrong += [f"try {attempt}: {w}" for w in wrong_answers(folder, template[1], writable)]
        wrong += [f"try {attempt} reopened: {w}" for w in wrong_answers(folder, template[1])]
        shutil.rmtree(folder)
    print(f"{name} {kind}: {TRIES} tries x {len(QUERIES)} queries x 2 opens, {len(wrong)} wrong")
    assert wrong == []


def test_control_characters_never_reach_the_search_text(tmp_path):
    """W3: a \\x1f (the segment separator) or an escape in a title, abstract or author is cleaned
    at import: title: and author: find what is there and nothing more."""
    papers = [Paper("2401.00001", "Split\x1fTitle \x1b[2Jclear", "Abstract with\x1fsep\nand a line", ["Ada\x1fLovelace"]),
              Paper("2401.00002", "Plain title", "nothing", ["Bo Li"])]
    with Library(tmp_path / "lib") as lib:
        lib.import_papers(papers)
        stored = lib.papers["2401.00001"]
        assert not any(ch in stored.title + stored.abstract + "".join(stored.authors) for ch in "\x1f\x1b")
        assert "\n" in stored.abstract  # line breaks stay in an abstract
        reopened = Catalog(lib.catalog_path, writable=False)
        reopened.load()
        for catalog in (lib.papers, reopened):
            assert catalog.search_rows("title", 0) == {0, 1}
            assert catalog.search_rows("lovelace", 2) == {0}
            assert catalog.search_rows("sep", 0) == set() and catalog.search_rows("sep", 1) == {0}
            assert catalog.search_rows("abstract", 2) == set()


def test_a_huge_field_is_cut_and_the_import_says_so(capsys, tmp_path):
    from tui_reader.export.backup import to_json
    from cli_helpers import run

    huge = Paper("2401.00001", "T" * 50_000_000, "short", ["Ada"])
    path = tmp_path / "huge.json"
    path.write_text(to_json([huge], {}))
    del huge
    code, out, err = run(capsys, tmp_path / "lib", "import", str(path))
    assert code == 0 and "title of 1 paper" in out, out + err
    with Library(tmp_path / "lib", read_only=True) as lib:
        assert len(lib.papers["2401.00001"].title) <= 2_000
    assert (tmp_path / "lib" / "papers.json").stat().st_size < 100_000


def test_the_index_read_ahead_is_taken_only_while_it_is_the_file_on_disk(template, tmp_path):
    """The app's start reads the index in a thread while it imports (store/derived.py); the
    library takes that read only when the file was not replaced since, and checks it all the same."""
    from tui_reader.store import derived

    folder = copy_of(template, tmp_path, same_times=True)
    index = folder / "index.bin"
    derived.read_index_ahead(index)
    with Library(folder, read_only=True) as lib:
        assert not lib.papers.rebuilt and len(lib.papers) == 300
    assert wrong_answers(folder, template[1]) == []
    # read ahead, then a damaged index put in its place: the damage is seen, not the read
    derived.read_index_ahead(index)
    raw = bytearray(index.read_bytes())
    raw[len(raw) // 2] ^= 0x20
    index.with_suffix(".new").write_bytes(raw)
    os.replace(index.with_suffix(".new"), index)
    assert derived.read_index(index) is None
    with Library(folder, read_only=True) as lib:
        assert lib.papers.rebuilt and len(lib.papers) == 300
    assert wrong_answers(folder, template[1]) == []
    # a read ahead of a folder with no index yet is no error: the open reads (and fails) as before
    derived.read_index_ahead(tmp_path / "nowhere" / "index.bin")
    with pytest.raises(OSError):
        derived.read_index(tmp_path / "nowhere" / "index.bin")


@pytest.mark.parametrize("size", [0, 5, TEXT_BLOCK, TEXT_BLOCK + 1, 3 * TEXT_BLOCK - 7])
def test_block_checksums_taken_as_the_text_is_written_equal_those_of_the_whole_text(size):
    rng = random.Random(f"{SEED}-{size}")
    text = rng.randbytes(size)
    along, at = BlockCrcs(), 0
    while at < size:
        step = rng.choice([1, 100, 5000, TEXT_BLOCK + 3])
        along.feed(text[at: at + step])
        at += step
    assert list(along.result()) == list(block_crcs(text))
