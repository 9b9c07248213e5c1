"""The app's Related section, its jump keys, and the For-you view, against the CLI's answers."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from app_helpers import current_id, make_app, notices, paper_list, running
from cli_helpers import run
from tui_reader.search import related
from tui_reader.store.library import Library
from tui_reader.ui.related import NO_STARS, RelatedSection

WAIT = 120.0  # seconds a condition may take (a model build in a process on a busy machine)


async def until(pilot, condition, what: str) -> None:
    """Wait (handling messages) until `condition()` holds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def section(app) -> RelatedSection:
    return app.main_screen.query_one(RelatedSection)


@pytest.fixture(scope="module")
def modelled_folder(tmp_path_factory, sample_folder):
    """The sample library with its related-papers model built once (the model depends on the
    catalog only): the app loads it instead of each test building it in a process."""
    folder = tmp_path_factory.mktemp("modelled") / "data"
    shutil.copytree(sample_folder, folder)
    assert related.build_file(folder)
    return folder


@pytest.fixture
def library(tmp_path, modelled_folder):
    """Here, the sample Library comes with its model: a copy of `modelled_folder`."""
    shutil.copytree(modelled_folder, tmp_path / "data")
    with Library(tmp_path / "data") as library:
        yield library


async def model_ready(app, pilot) -> None:
    """Start loading the model now (the app waits RELATED_AFTER for the first keys), then wait for it."""
    if app.main_screen.related_model is None:
        app.main_screen.start_related_model()
    await until(pilot, lambda: app.main_screen.related_model is not None and section(app).display, "the related model")


def cli_related(capsys, library, pid: str, n: int = 5) -> list[str]:
    code, out, err = run(capsys, library.folder, "related", pid, "-n", str(n), "--json")
    assert code == 0, err
    return [record["id"] for record in json.loads(out)]


async def test_related_section_matches_the_cli_and_its_keys_jump_and_come_back(library, config_folder, capsys):
    app = make_app(library, config_folder, related=True)
    async with running(app) as pilot:  # (the CLI runs after the app: Textual holds stdout meanwhile)
        await model_ready(app, pilot)
        first = current_id(app)
        assert section(app).paper_id == first
        expected = section(app).related_ids
        assert len(expected) == 5
        shown = str(section(app).render())
        assert "Related" in shown and library.papers.title(expected[0])[:30] in shown
        await pilot.press("1")
        await until(pilot, lambda: current_id(app) == expected[0], "the jump to related 1")
        await until(pilot, lambda: section(app).paper_id == expected[0], "the related papers of related 1")
        second = section(app).related_ids
        await pilot.press("3")
        await until(pilot, lambda: current_id(app) == second[2], "the jump to related 3")
        await pilot.press("backspace")
        await until(pilot, lambda: current_id(app) == expected[0], "back once")
        await pilot.press("backspace")
        await until(pilot, lambda: current_id(app) == first, "back twice")
    assert expected == cli_related(capsys, library, first)  # from the model file the app loaded
    assert second == cli_related(capsys, library, expected[0])


async def test_a_jump_to_a_paper_outside_the_view_shows_it_in_all(library, config_folder):
    ids = library.ordered_ids()
    library.set_starred([ids[5]])
    app = make_app(library, config_folder, related=True)
    async with running(app) as pilot:
        await model_ready(app, pilot)
        screen = app.main_screen
        screen.sidebar.choose("view:starred")
        await until(pilot, lambda: paper_list(app).ids == [ids[5]] and section(app).paper_id == ids[5], "the Starred view")
        target = section(app).related_ids[0]
        await pilot.press("1")
        await until(pilot, lambda: screen.view == "view:all" and current_id(app) == target, "the jump into All")
        assert len(paper_list(app).ids) == len(library.papers)


async def test_for_you_says_what_it_needs_then_agrees_with_the_cli(library, config_folder, capsys):
    ids = library.ordered_ids()
    app = make_app(library, config_folder, related=True)
    async with running(app) as pilot:
        await model_ready(app, pilot)
        screen = app.main_screen
        screen.sidebar.choose("view:foryou")
        await until(pilot, lambda: screen.session.shown is not None and screen.session.shown.view == "view:foryou", "the For-you view")
        assert paper_list(app).ids == [] and paper_list(app).empty_text == NO_STARS
        # three papers on self-supervised representation learning, starred in the app
        for pid in (ids[23], ids[28], ids[52]):
            screen.sidebar.choose("view:all")
            await until(pilot, lambda: screen.session.shown.view == "view:all", "All")
            screen.jump_to(pid)
            await until(pilot, lambda: current_id(app) == pid, "the paper to star")
            await pilot.press("s")
        screen.sidebar.choose("view:foryou")
        await until(pilot, lambda: screen.session.shown.view == "view:foryou" and paper_list(app).ids, "the ranked view")
        shown = list(paper_list(app).ids)
        assert paper_list(app).empty_text != NO_STARS  # trained: the view no longer says what it needs
        await until(pilot, lambda: section(app).paper_id == current_id(app) and "For you" in str(section(app).render()),
                    "the score and the why of the paper under the cursor")
    code, out, err = run(capsys, library.folder, "list", "--sort", "for-you", "--json")
    assert code == 0, err
    records = json.loads(out)
    assert shown == [r["id"] for r in records if not (r["read"] or r["starred"])]
    assert {r["id"] for r in records if r["starred"]} == {ids[23], ids[28], ids[52]}


async def test_without_the_model_the_section_stays_hidden_and_keys_say_why(tmp_path, sample_folder, config_folder):
    shutil.copytree(sample_folder, tmp_path / "plain")  # a library with no model file
    library = Library(tmp_path / "plain")
    app = make_app(library, config_folder)  # related off: the model never loads
    async with running(app) as pilot:
        assert not section(app).display
        await pilot.press("1")
        await until(pilot, lambda: any("being prepared" in str(n.message) for n in notices(app)), "the notice")
        assert related.model_path(library.folder).exists() is False
    library.close()


async def test_more_like_a_tag_ranks_the_untagged_papers_by_the_tagged_ones(library, config_folder):
    ids = library.ordered_ids()
    tagged = [ids[63], ids[65], ids[69]]  # reinforcement learning
    library.add_tags(tagged, ["rl"])
    app = make_app(library, config_folder, related=True)
    async with running(app) as pilot:
        await model_ready(app, pilot)
        screen = app.main_screen
        await pilot.press("m")  # not in a tag's view: it says what it needs
        await until(pilot, lambda: any("Pick a tag" in str(n.message) for n in notices(app)), "the hint")
        screen.sidebar.choose("tag:rl")
        await until(pilot, lambda: screen.session.shown.view == "tag:rl", "the tag's view")
        await pilot.press("m")
        await until(pilot, lambda: screen.session.shown.view == "like:rl" and paper_list(app).ids, "More like #rl")
        shown = list(paper_list(app).ids)
        assert "More like #rl" in str(paper_list(app).border_title)
    model = related.load(library.folder, library.papers.generation, len(library.papers))
    scores, _ = related.for_you_scores(model, library.papers.row, library.states, tag="rl")
    untagged = [pid for pid in ids if pid not in tagged]
    assert shown == related.for_you_order(untagged, scores, library.papers.row, {})
    assert not set(shown) & set(tagged)


async def test_after_an_import_the_app_rebuilds_the_model_for_the_new_catalog(library, config_folder):
    from tui_reader.models import Paper

    app = make_app(library, config_folder, related=True)
    async with running(app) as pilot:
        await model_ready(app, pilot)
        screen = app.main_screen
        before = screen.related_model.generation
        newcomer = Paper(id="2501.00001", title="Policy Gradient Agents for Open-Ended Reinforcement Learning",
                         abstract="Reinforcement learning agents trained with policy gradients in open-ended environments.",
                         source="test", sources=["test"])
        library.import_papers([newcomer])
        screen.reload()  # what the app does after its own import
        generation = library.papers.generation
        assert generation != before
        await until(pilot, lambda: screen.related_model is not None and screen.related_model.generation == generation,
                    "the model of the new catalog")
        assert screen.related_model.rows == len(library.papers) == 82
        screen.jump_to("2501.00001")
        await until(pilot, lambda: section(app).paper_id == "2501.00001" and section(app).related_ids, "its related papers")
    stored = related.load(library.folder, library.papers.generation, len(library.papers))
    assert stored is not None and stored.rows == 82
