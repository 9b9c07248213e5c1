"""The catalog's write path: records encoded from the dataclass, the file streamed and mapped back."""

from __future__ import annotations

import base64
import itertools
import os
import zlib

import orjson
import pytest
from reliability_helpers import arxiv_paper, temp_files, titled_paper, upgraded

from tui_reader.store.derived import INDEX_FILE, INDEX_VERSION, read_index, write_index
from tui_reader.store import catalog as catalog_module
from tui_reader.store.catalog import record_bytes
from tui_reader.store.index_v4 import OLD_INDEX_FILE
from tui_reader.store.columns import OptionalInts, TextColumn, narrowest
from tui_reader.store.search_text import search_line
from tui_reader.store.library import Library
from tui_reader.models import Link, Paper
from tui_reader.store.files import WRITE_BUFFER, atomic_write_chunks


@pytest.mark.parametrize(
    "paper",
    [
        Paper(id="t-0123456789ab", title="Only a title"),
        Paper(
            id="hep-th/9901001", title="Ünïcode “quotes” \\ and \"escapes\"\n", abstract="a\u2028b \x1f",
            authors=("A. One", "B. Two"), published="2024-01-02", source="arxiv", sources=["arxiv", "hf-api"],
            links=[Link("https://arxiv.org/abs/hep-th/9901001", "arxiv"), Link("https://github.com/a/b", "code")],
            upvotes=0, comments=None, keywords=["k"], categories=["hep-th"], github_stars=12, ai_summary="s",
            arxiv_comment="c", doi="10.1/x", submitted=None, aliases=["t-0123456789ab"], added="2024-01-01T00:00:00Z",
            batch=3, seq=7,
        ),
    ],
)
def test_record_bytes_are_the_bytes_of_the_record_dict(paper):
    record = paper.to_dict()
    del record["id"]
    assert record_bytes(paper) == orjson.dumps(record)


def catalog_view(lib: Library) -> tuple:
    """Everything the catalog keeps in memory that a fresh open rebuilds from the files."""
    c = lib.papers
    rows = [(pid, bytes(c._blob[c.spans[2 * i]: c.spans[2 * i + 1]]), c.titles[i], c.published[i], c.upvotes[i],
             c.flags[i], c.batches[i], c.seqs[i]) for i, pid in enumerate(c.ids)]
    return rows, bytes(c._text[:]), list(c.text_starts), c.order, c.aliases, c.max_batch, c.generation


def test_after_an_import_memory_is_what_a_fresh_open_reads(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(30)] + [titled_paper(n) for n in range(5)])
        lib.import_papers([upgraded(1, 1), arxiv_paper(3, upvotes=9), arxiv_paper(40)])  # a move, an update, a new one
        lib.import_papers([arxiv_paper(41)])  # the moved record copied as it is, its alias kept
        assert lib.resolve(titled_paper(1).id) == "2402.00001"
        assert bytes(lib.papers._blob[:]) == lib.catalog_path.read_bytes()
        written = catalog_view(lib)
        with Library(folder, read_only=True) as fresh:
            assert not fresh.papers.rebuilt
            assert catalog_view(fresh) == written
            assert dict(fresh.papers.items()) == dict(lib.papers.items())


def test_an_open_from_the_index_finds_every_paper_by_id_before_and_after_the_whole_id_map(tmp_path, monkeypatch):
    """The first screen's papers are found without the id -> row map (built when first needed):
    both must give each paper its own row, in file and in display order."""
    monkeypatch.setattr(catalog_module, "FRONT_ROWS", 3)
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(10)])
        lib.import_papers([arxiv_paper(n) for n in range(20, 26)])  # shown first, stored last
    with Library(folder, read_only=True) as fresh:
        papers = fresh.papers
        assert not papers.rebuilt
        ids = list(papers.ids)
        shown_first = papers.order[0]
        assert ids.index(shown_first) >= 10
        assert papers.row_of(shown_first) == ids.index(shown_first) and papers.row_of(ids[2]) == 2
        assert papers._row is None  # the first screen's rows answered without the whole map
        asked = [shown_first, ids[0], "2401.99999", *reversed(ids)]
        for pid in asked:
            row = papers.row_of(pid)
            if pid == "2401.99999":
                assert row is None and pid not in papers
                with pytest.raises(KeyError):
                    papers.title(pid)
                continue
            assert row == ids.index(pid) and pid in papers
            assert papers.title(pid) == papers[pid].title == arxiv_paper(int(pid[-5:])).title
        assert papers.row == {pid: i for i, pid in enumerate(ids)}


def test_without_its_search_file_the_catalog_searches_from_memory(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "search.txt").mkdir()  # the derived file cannot be written
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(5)])
        c = lib.papers
        lines = [search_line(p.title, p.abstract, p.authors) for p in c.values()]
        assert [c._text[c.text_starts[i]: c.text_starts[i + 1] - 1] for i in range(len(c))] == lines
        assert c.search_rows("thing 3") == {3}


def test_chunks_are_written_in_order_small_and_large(tmp_path):
    path = tmp_path / "f"
    chunks = [b"a" * 10, b"b" * (WRITE_BUFFER + 5), b"c", b"d" * (WRITE_BUFFER - 1), b"e" * 3]
    atomic_write_chunks(path, iter(chunks))
    assert path.read_bytes() == b"".join(chunks)


def test_an_error_while_producing_chunks_leaves_the_old_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")

    def chunks():
        yield b"x" * (WRITE_BUFFER * 2)  # already on disk in the temp file
        raise ValueError("cannot encode")

    with pytest.raises(ValueError, match="cannot encode"):
        atomic_write_chunks(path, chunks(), keep_backups=1)
    assert path.read_bytes() == b"old"
    assert temp_files(tmp_path) == [] and os.listdir(tmp_path) == ["f"]


@pytest.mark.parametrize("numbers", [[], [0], [1, 255], [256, 70_000], [2**32 + 5, 1], [-1, 3], list(range(1000))])
def test_a_column_of_numbers_reads_back_the_same_from_the_index_file(numbers, tmp_path):
    write_index(tmp_path / "i", {"version": INDEX_VERSION, "n": narrowest(numbers), "o": OptionalInts.of([*numbers, None])})
    read = read_index(tmp_path / "i")
    assert list(read["n"]) == numbers and list(read["o"]) == [*numbers, None]
    assert read["o"].any_value() == bool(numbers)


@pytest.mark.parametrize("strings", [
    [], [""], [None], ["a", None, "", "b"],
    ["Diffusion Models", "视觉语言模型", "emoji 🚀 title", "x\x00y", "e\u0301"],
    ["a line\nbreak", "", None, "next"],  # a hand-edited catalog: a newline where the column splits
    [f"title {n}" for n in range(500)],
])
def test_a_string_column_reads_back_the_same_one_by_one_and_all_at_once(strings, tmp_path):
    write_index(tmp_path / "i", {"version": INDEX_VERSION, "column": TextColumn.of(strings)})
    column = read_index(tmp_path / "i")["column"]  # as the index file holds it
    assert column.any_text() == any(strings)
    assert len(column) == len(strings)
    assert [column[i] for i in range(len(strings))] == strings
    if strings:
        assert column[-1] == strings[-1]
    assert list(column) == strings
    assert [column[i] for i in range(len(strings))] == strings  # also once made whole


def test_an_index_of_an_older_layout_is_rebuilt_from_the_catalog(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(5)])
        written = catalog_view(lib)
    index_path = folder / INDEX_FILE
    raw = index_path.read_bytes()
    index_path.write_bytes(raw.replace(b"tui-reader index %d " % INDEX_VERSION, b"tui-reader index %d " % (INDEX_VERSION - 1), 1))
    with Library(folder) as reopened:
        assert reopened.papers.rebuilt and catalog_view(reopened) == written
    assert read_index(index_path)["version"] == INDEX_VERSION  # written anew


def as_version_4(index: dict) -> bytes:
    """index.json as release 4 wrote it: JSON, numbers as base64 arrays, strings as one text."""
    def numbers(values) -> str:
        values = narrowest(list(values))
        return values.typecode + ":" + base64.b64encode(values.tobytes()).decode()

    def strings(column) -> dict:
        values = list(column)
        text = "".join(v or "" for v in values)
        starts = list(itertools.accumulate((len(v or "") for v in values), initial=0))
        return {"text": text, "starts": numbers(starts), "nones": numbers(i for i, v in enumerate(values) if v is None)}

    old = {key: value for key, value in index.items() if key != "columns"}
    old.update(version=4, ids=list(index["ids"]), upvotes=list(index["upvotes"]),
               **{name: numbers(index[name]) for name in ("spans", "text_starts", "batches", "seqs", "order", "flags", "text_crcs")},
               **{name: strings(index[name]) for name in ("titles", "published", "categories")})
    body = orjson.dumps(old)
    return b"tui-reader index 4 %08x\n" % zlib.crc32(body) + body


@pytest.mark.parametrize("read_only", [True, False])
def test_an_older_releases_index_json_is_converted_not_rebuilt_and_replaced(tmp_path, read_only):
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(5)] + [Paper("hf-1", "Dated, no upvotes", published="2024-01-02")])
        lib.set_starred(["hf-1"])
        written = catalog_view(lib)
    (folder / OLD_INDEX_FILE).write_bytes(as_version_4(read_index(folder / INDEX_FILE)))
    (folder / INDEX_FILE).unlink()  # as an upgrade finds the folder
    with Library(folder, read_only=read_only) as opened:
        assert not opened.papers.rebuilt and catalog_view(opened) == written
        assert opened.state("hf-1").starred and opened.papers.published[opened.papers.row["hf-1"]] == "2024-01-02"
    assert not (folder / OLD_INDEX_FILE).exists() and read_index(folder / INDEX_FILE)["version"] == INDEX_VERSION
    with Library(folder, read_only=True) as reopened:
        assert not reopened.papers.rebuilt and catalog_view(reopened) == written


def test_an_index_json_that_is_not_a_whole_version_4_index_means_a_rebuild(tmp_path):
    folder = tmp_path / "lib"
    with Library(folder) as lib:
        lib.import_papers([arxiv_paper(n) for n in range(5)])
        written = catalog_view(lib)
    (folder / OLD_INDEX_FILE).write_bytes(as_version_4(read_index(folder / INDEX_FILE))[:-10])  # cut short
    (folder / INDEX_FILE).unlink()
    with Library(folder, read_only=True) as reader:
        assert reader.papers.rebuilt and catalog_view(reader) == written
    assert not (folder / OLD_INDEX_FILE).exists() and read_index(folder / INDEX_FILE)["version"] == INDEX_VERSION
