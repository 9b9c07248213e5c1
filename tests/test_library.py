import pytest

from tui_reader.errors import ReadOnlyError, UnknownPaperError
from tui_reader.store.library import Library
from tui_reader.store.state_log import log_path_of
from tui_reader.links import arxiv_links
from tui_reader.models import Link, Paper, paper_id
from tui_reader.sources import read_source


def titled(title: str, **fields) -> Paper:
    return Paper(id=paper_id(title), title=title, source="hf-page", sources=["hf-page"], **fields)


def arxived(arxiv_id: str, title: str, **fields) -> Paper:
    return Paper(id=arxiv_id, title=title, source="hf-api", sources=["hf-api"], **fields)


@pytest.fixture
def library(tmp_path):
    with Library(tmp_path / "lib") as lib:
        yield lib


def reopen(library: Library) -> Library:
    library.close()
    return Library(library.folder)


def test_import_of_the_sample_then_again_adds_nothing(library, sample_path):
    batch = read_source(sample_path)
    first = library.import_papers(batch.papers)
    assert (first.new, first.updated) == (81, 0)
    again = library.import_papers(read_source(sample_path).papers)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 81)
    assert len(library) == 81


def test_order_is_newest_import_first_then_source_order(library):
    library.import_papers([titled("A"), titled("B")])
    library.import_papers([titled("C"), titled("D"), titled("A")])
    titles = [library.papers[pid].title for pid in library.ordered_ids()]
    assert titles == ["C", "D", "A", "B"]


def test_everything_survives_a_reopen(library):
    library.import_papers([titled("A", abstract="abs", links=[Link("https://github.com/a/b", "code")])])
    pid = paper_id("A")
    library.set_starred([pid])
    library.set_read([pid])
    library.add_tags([pid], ["Vision", "sr", "vision"])
    library.set_note(pid, "# heading\nbody")
    before_papers, before_states = dict(library.papers), dict(library.states)
    library = reopen(library)
    try:
        assert library.papers == before_papers
        assert library.states == before_states
        state = library.state(pid)
        assert (state.starred, state.read, state.tags, state.note) == (True, True, ["vision", "sr"], "# heading\nbody")
        assert state.starred_at and state.read_at
    finally:
        library.close()


def test_a_state_change_never_rewrites_the_catalog(library, sample_path):
    library.import_papers(read_source(sample_path).papers)
    stat = library.catalog_path.stat()
    pid = library.ordered_ids()[0]
    library.set_starred([pid])
    library.add_tags([pid], ["x"])
    library.set_note(pid, "note")
    after = library.catalog_path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (stat.st_mtime_ns, stat.st_ino)
    assert log_path_of(library.state_path).read_bytes().count(b"\n") == 3  # one appended line per change


def test_unstarring_back_to_default_drops_the_record(library):
    library.import_papers([titled("A")])
    pid = paper_id("A")
    library.set_starred([pid])
    assert pid in library.states
    library.set_starred([pid], False)
    assert pid not in library.states


def test_removing_tags(library):
    library.import_papers([titled("A")])
    pid = paper_id("A")
    library.add_tags([pid], ["a", "b", "c"])
    library.remove_tags([pid], ["B", "zzz"])
    assert library.state(pid).tags == ["a", "c"]
    assert library.tag_counts() == {"a": 1, "c": 1}


def test_unknown_ids_change_nothing(library):
    library.import_papers([titled("A")])
    with pytest.raises(UnknownPaperError):
        library.set_starred([paper_id("A"), "nope"])
    assert library.states == {}


def test_title_paper_moves_to_its_arxiv_id_with_its_state(library):
    library.import_papers([titled("Deep Nets", abstract="short", links=[Link("https://github.com/a/b", "code")])])
    old = paper_id("Deep Nets")
    library.set_starred([old])
    library.add_tags([old], ["keep"])
    result = library.import_papers(
        [arxived("2303.06373", "Deep nets", abstract="a longer abstract", authors=["Ada L"], upvotes=7,
                 links=arxiv_links("2303.06373"))]
    )
    assert (result.new, result.updated) == (0, 1)
    assert list(library.papers) == ["2303.06373"]
    paper = library.papers["2303.06373"]
    assert paper.title == "Deep Nets"  # the title the user first saw is kept
    assert paper.abstract == "a longer abstract"
    assert paper.authors == ["Ada L"] and paper.upvotes == 7
    assert [l.url for l in paper.links] == [
        "https://github.com/a/b", "https://arxiv.org/abs/2303.06373", "https://arxiv.org/pdf/2303.06373"
    ]
    assert paper.sources == ["hf-page", "hf-api"]
    assert paper.aliases == [old]
    assert library.state("2303.06373").starred and library.state("2303.06373").tags == ["keep"]
    assert old not in library.states
    # the old id still finds the paper, for scripts that kept it
    assert library.resolve(old) == "2303.06373"
    library = reopen(library)
    try:
        assert library.state("2303.06373").starred
        assert library.resolve(old) == "2303.06373"
    finally:
        library.close()


def test_a_title_only_source_merges_into_a_known_arxiv_paper(library):
    library.import_papers([arxived("2303.06373", "Deep Nets", authors=["Ada L"])])
    result = library.import_papers([titled("Deep nets", links=[Link("https://github.com/a/b", "code")])])
    assert (result.new, result.updated) == (0, 1)
    assert list(library.papers) == ["2303.06373"]
    assert library.papers["2303.06373"].links == [Link("https://github.com/a/b", "code")]


def test_two_arxiv_papers_with_one_title_stay_two(library):
    library.import_papers([arxived("2303.00001", "Survey"), arxived("2303.00002", "Survey")])
    assert sorted(library.papers) == ["2303.00001", "2303.00002"]


def test_duplicates_within_one_import_merge(library):
    result = library.import_papers([titled("A", abstract="x"), titled("A", abstract="longer x")])
    assert (result.new, result.updated) == (1, 0)
    assert library.papers[paper_id("A")].abstract == "longer x"


def test_a_reader_can_open_beside_the_writer_but_not_write(library):
    library.import_papers([titled("A")])
    with Library(library.folder, read_only=True) as reader:
        assert list(reader.papers) == [paper_id("A")]
        with pytest.raises(ReadOnlyError):
            reader.set_starred([paper_id("A")])


def test_the_lock_is_free_after_close(tmp_path):
    Library(tmp_path).close()
    Library(tmp_path).close()


def test_leftover_temp_files_are_removed_at_start(tmp_path):
    Library(tmp_path).close()
    leftover = tmp_path / ".state.json.abc123.tmp"
    leftover.write_text("{half a write")
    Library(tmp_path).close()
    assert not leftover.exists()

