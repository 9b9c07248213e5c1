"""Property-based tests (Hypothesis).

1. The parsers never crash: any text, and any bytes in a file, gives papers or a SourceError.
2. A state machine drives a real Library (real files in a temp folder) with random star / read /
   tag / note / import / reopen / crash steps and compares it with a plain dict after every step.
   A crash is simulated two ways: the object dropped without close() (its lock released, as the
   OS does for a dead process), and a SimulatedCrash raised at the k-th open/write/fsync/replace
   of a change, which nothing catches - the interrupted change must then be wholly there or wholly
   absent after the next start. Full-disk faults (ENOSPC, EIO) at the k-th call must leave the
   change wholly absent, unless the file was already replaced.

Derandomized (the same examples every run, so CI is stable); TUI_READER_HYPOTHESIS_SCALE=10 runs
ten times as many, with fresh random examples.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from reliability_helpers import FAULTABLE, Faults, SimulatedCrash, arxiv_paper, eio, enospc, state_view, temp_files, titled_paper, upgraded
from tui_reader.errors import SourceError, StorageWriteError
from tui_reader.store.library import Library
from tui_reader.store.state_log import log_path_of
from tui_reader.sources import parse_text, read_source

pytestmark = pytest.mark.slow

SCALE = int(os.environ.get("TUI_READER_HYPOTHESIS_SCALE", "1"))
FIXED = SCALE == 1
PARSER_SETTINGS = settings(max_examples=500 * SCALE, deadline=None, report_multiple_bugs=False, derandomize=FIXED, database=None if FIXED else settings().database,
                           suppress_health_check=[HealthCheck.too_slow])

# -- 1. parsers ------------------------------------------------------------------------------

FRAGMENTS = [
    "{", "}", "[", "]", '"', ":", ",", "null", "true", "1e999", '"paper"', '"title"', '"summary"', '"id"', '"2401.00001"',
    '{"format": "tui-reader-backup", "version": 1, ', '"papers": [', '"states": {', "<?xml version='1.0'?>",
    '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>", "<title>", "</title>", "<summary>",
    "<id>http://arxiv.org/abs/2401.00001v2</id>", "&amp;", "&lol;", "<!DOCTYPE x [<!ENTITY lol 'x'>]>", "@article{", "@misc(",
    "title = {", "author = ", " and ", "}", "\n", "\n\n", "  ", "\t", "\r\n", "Upvote", "42", "Submitted by", "Mar 11",
    "https://github.com/a/b.", "https://arxiv.org/abs/2401.00001", "https://huggingface.co/papers/2401.00001",
    "A Title Of A Paper", "We study things. They work.", "·", "\u00a0", "\ufeff", "\x1b[31m", "[red]", "\x00", "é",
]
texty = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join),
)


@PARSER_SETTINGS
@given(text=texty)
def test_parse_text_gives_papers_or_a_source_error(text):
    try:
        batch = parse_text(text, "input")
    except SourceError as error:
        assert "\n" not in str(error) and str(error).startswith("input: ")
        return
    assert batch.papers
    for paper in batch.papers:
        assert isinstance(paper.title, str) and paper.title.strip() and isinstance(paper.id, str) and paper.id


@PARSER_SETTINGS
@given(data=st.one_of(st.binary(max_size=2000), texty.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_read_source_gives_papers_or_a_source_error(tmp_path_factory, data):
    file = tmp_path_factory.mktemp("src") / "input.txt"
    file.write_bytes(data)
    try:
        batch = read_source(file)
    except SourceError as error:
        assert "\n" not in str(error)
        return
    assert batch.papers


# -- 2. the library against a dict -------------------------------------------------------------

ARXIV = 8
TITLED = 4
TAGS = ["ml", "vision", "to-read", "kill-9"]
# notes include lone surrogates (what a terminal's undecodable bytes become): refused, never a crash
notes = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40) | st.sampled_from(["", "a note", "x" * 5000])
papers = st.integers(0, ARXIV + TITLED - 1)


def arxiv_title(n: int) -> str:
    return arxiv_paper(n).title


def title_of(index: int) -> str:
    return arxiv_paper(index).title if index < ARXIV else titled_paper(index - ARXIV).title


class LibraryMachine(RuleBasedStateMachine):
    """The model: {title: (has arXiv id, read, starred, tags, note)} - what state_view shows."""

    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="tui-reader-sm-")) / "lib"
        self.lib: Library | None = None
        self.model: dict[str, tuple] = {}
        self.next_new = 100

    @initialize()
    def start(self):
        self.lib = Library(self.folder)
        self.lib.import_papers([arxiv_paper(n) for n in range(ARXIV)] + [titled_paper(n) for n in range(TITLED)])
        self.model = state_view(self.lib)

    def teardown(self):
        if self.lib is not None:
            self.lib.close()
            with Library(self.folder, read_only=True) as fresh:
                assert state_view(fresh) == self.model
        shutil.rmtree(self.folder.parent, ignore_errors=True)

    # model helpers
    def _id(self, title: str) -> str:
        return next(pid for pid in self.lib.papers if self.lib.papers[pid].title == title)

    def _set(self, title: str, **fields) -> None:
        names = ("arxiv", "read", "starred", "tags", "note")
        values = dict(zip(names, self.model[title]))
        values.update(fields)
        self.model[title] = tuple(values[n] for n in names)

    # each change: (what to call, what the model becomes)
    def _change(self, kind: str, args: tuple):
        model = dict(self.model)
        saved, self.model = self.model, model
        try:
            if kind == "star":
                indexes, value = args
                for i in indexes:
                    self._set(title_of(i), starred=value)
                call = lambda lib: lib.set_starred([self._id(title_of(i)) for i in indexes], value)  # noqa: E731
            elif kind == "read":
                indexes, value = args
                for i in indexes:
                    self._set(title_of(i), read=value)
                call = lambda lib: lib.set_read([self._id(title_of(i)) for i in indexes], value)  # noqa: E731
            elif kind == "tag":
                index, tags = args
                have = self.model[title_of(index)][3]
                self._set(title_of(index), tags=have + tuple(t for t in dict.fromkeys(tags) if t not in have))
                call = lambda lib: lib.add_tags([self._id(title_of(index))], tags)  # noqa: E731
            elif kind == "untag":
                index, tags = args
                self._set(title_of(index), tags=tuple(t for t in self.model[title_of(index)][3] if t not in tags))
                call = lambda lib: lib.remove_tags([self._id(title_of(index))], tags)  # noqa: E731
            elif kind == "note":
                index, text = args
                if _encodable(text):
                    self._set(title_of(index), note=text)
                call = lambda lib: lib.set_note(self._id(title_of(index)), text)  # noqa: E731
            elif kind == "new":
                (n,) = args
                self.model.setdefault(arxiv_title(n), (True, False, False, (), ""))
                call = lambda lib: lib.import_papers([arxiv_paper(n)])  # noqa: E731
            elif kind == "upgrade":
                (index,) = args
                self._set(titled_paper(index).title, arxiv=True)
                call = lambda lib: lib.import_papers([upgraded(index, index)])  # noqa: E731
            else:
                raise AssertionError(kind)
        finally:
            after, self.model = self.model, saved
        return call, after

    def _apply(self, kind: str, args: tuple) -> None:
        call, after = self._change(kind, args)
        try:
            call(self.lib)
        except StorageWriteError:
            assert kind == "note" and not _encodable(args[1])
            after = self.model
        self.model = after

    # -- rules ---------------------------------------------------------------------------------

    changes = st.one_of(
        st.tuples(st.just("star"), st.tuples(st.lists(papers, min_size=1, max_size=3), st.booleans())),
        st.tuples(st.just("read"), st.tuples(st.lists(papers, min_size=1, max_size=3), st.booleans())),
        st.tuples(st.just("tag"), st.tuples(papers, st.lists(st.sampled_from(TAGS), min_size=1, max_size=3))),
        st.tuples(st.just("untag"), st.tuples(papers, st.lists(st.sampled_from(TAGS), min_size=1, max_size=2))),
        st.tuples(st.just("note"), st.tuples(papers, notes)),
        st.tuples(st.just("upgrade"), st.tuples(st.integers(0, TITLED - 1))),
    )

    @rule(change=changes)
    def change(self, change):
        self._apply(*change)

    @rule()
    def import_new(self):
        self._apply("new", (self.next_new,))
        self.next_new += 1

    @rule()
    def reopen(self):
        self.lib.close()
        self.lib = Library(self.folder)
        assert self.lib.problems == []

    @rule()
    def crash_dropping_the_object(self):
        self.lib.lock.release()  # what the OS does when the process dies; nothing else runs
        self.lib = None
        self._start_after_crash()

    @rule(change=changes, name=st.sampled_from(FAULTABLE), k=st.integers(1, 3))
    def crash_in_the_middle_of_a_change(self, change, name, k):
        call, after = self._change(*change)
        log = log_path_of(self.lib.state_path)
        logged = log.stat().st_size if log.exists() else 0
        with Faults(self.folder, name, k, SimulatedCrash()) as faults:
            try:
                call(self.lib)
            except SimulatedCrash:
                pass
            except StorageWriteError:
                assert change[0] == "note" and not _encodable(change[1][1])
                after = self.model
        # wholly there once a file of the change was replaced (the import journal commits nothing:
        # the catalog's replace does) or its line is whole in the state log (a crash before the
        # fsync keeps what was written), else wholly absent
        replaced = faults.counts["replace"] - (1 if faults.fired and name == "replace" else 0) - faults.journal_replaces
        appended = log.exists() and log.stat().st_size > logged and log.read_bytes().endswith(b"\n")
        expected = after if (not faults.fired or replaced > 0 or appended) else self.model
        self.lib.lock.release()
        self.lib = None
        self._start_after_crash()
        assert state_view(self.lib) == expected
        self.model = expected

    @rule(change=changes, name=st.sampled_from(FAULTABLE), k=st.integers(1, 3), error=st.sampled_from([enospc, eio]))
    def disk_fault_in_a_change(self, change, name, k, error):
        call, after = self._change(*change)
        with Faults(self.folder, name, k, error()) as faults:
            try:
                call(self.lib)
                failed = False
            except StorageWriteError:
                failed = True
        replaced = faults.counts["replace"] - (1 if faults.fired and name == "replace" else 0) - faults.journal_replaces
        if change[0] == "note" and not _encodable(change[1][1]):
            expected = self.model
        elif failed:
            assert faults.fired_in_flight
            expected = after if replaced > 0 else self.model  # a catalog move done before the state write failed
        else:
            expected = after
        assert state_view(self.lib) == expected
        with Library(self.folder, read_only=True) as fresh:
            assert state_view(fresh) == expected and fresh.states == self.lib.states
        self.model = expected

    def _start_after_crash(self):
        self.lib = Library(self.folder, lock_timeout=0)
        assert self.lib.problems == []
        assert temp_files(self.folder) == []

    @invariant()
    def matches_the_model(self):
        if self.lib is not None:
            assert state_view(self.lib) == self.model


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


LibraryMachine.TestCase.settings = settings(
    max_examples=80 * SCALE, stateful_step_count=25, deadline=None, derandomize=FIXED, report_multiple_bugs=False,
    database=None if FIXED else settings().database, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_library_behaves_like_a_dict = LibraryMachine.TestCase
