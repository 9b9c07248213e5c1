"""The digest: papers picked by period, query and stars, grouped by saved search and tag; Markdown and
HTML of a fixed library compared with snapshots (set UPDATE_DIGEST_SNAPSHOTS=1 to rewrite them after a
deliberate change); the HTML parsed by html5lib in strict mode."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cli_helpers import run
from tui_reader.export.digest import OTHER, collect, parse_since, to_html, to_markdown
from tui_reader.sources import hf_api
from tui_reader.store.library import Library
from tui_reader.store.views import SavedView, save_views

FIXTURE = Path(__file__).parent / "fixtures" / "hf-daily-2025-03-11.json"
SNAPSHOTS = Path(__file__).parent / "snapshots"
OLD, NEW, STARRED_LATE = "2026-01-01T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-09T10:00:00Z"
NOW = datetime(2026, 1, 10, 12, 0, tzinfo=timezone.utc)
VIEWS = [SavedView("Meng", 'author:"Fanqing Meng"'), SavedView("Reasoning", "reasoning"), SavedView("Broken", "is:nope")]
NOTE = "Worth a **close** read: see [the repo](https://example.org/x).\n\n<script>alert(1)</script> [bad](javascript:alert(1))"


@pytest.fixture
def fixed_library(tmp_path, monkeypatch):
    """The HF fixture: four papers imported on OLD, the rest on NEW; stars, tags and notes on some."""
    clock = {"now": OLD}
    monkeypatch.setattr("tui_reader.store.library.now_iso", lambda: clock["now"])
    papers = hf_api.parse(FIXTURE.read_text("utf-8"))
    library = Library(tmp_path / "data")
    library.import_papers(papers[-4:])
    clock["now"] = NEW
    library.import_papers(papers[:-4])
    ids = [p.id for p in papers]
    library.add_tags(ids[1:3], ["data"])
    library.add_tags([ids[4]], ["vision", "generation"])
    library.set_note(ids[0], NOTE)
    library.set_starred([ids[0], ids[-1]])  # one new, one old
    clock["now"] = STARRED_LATE
    library.set_starred([ids[5]])
    yield library
    library.close()


def digest_of(library, **options):
    return collect(library.papers, library.states, library.ordered_ids(), VIEWS, since=parse_since("7d", NOW), until=NOW, **options)


def compare(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_DIGEST_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.exists(), f"no snapshot {path}: run with UPDATE_DIGEST_SNAPSHOTS=1 once and read it"
    assert text == path.read_text("utf-8")


def test_grouping_and_picking(fixed_library):
    digest = digest_of(fixed_library)
    assert digest.count == 8  # the twelve papers less the four imported before the week
    titles = [group.title for group in digest.groups]
    assert titles == ["Meng", "Reasoning", "#data", "#generation", OTHER]
    assert [p.id for p, _ in digest.groups[0].papers] == ["2503.07365"]
    reasoning = [p for p, _ in digest.groups[1].papers]
    assert all("reasoning" in (p.title + p.abstract).lower() for p in reasoning)
    assert [p.upvotes for p in reasoning] == sorted((p.upvotes for p in reasoning), reverse=True)
    assert digest_of(fixed_library, query="has:code").count == sum(
        any(l.kind == "code" for l in p.links) for g in digest.groups for p, _ in g.papers)
    starred = digest_of(fixed_library, starred=True)
    assert [p.id for g in starred.groups for p, _ in g.papers] == ["2503.07365", "2503.06749", "2503.07334"]
    assert digest_of(fixed_library, starred=True, query="-has:note").count == 2


def test_since_spans_and_dates():
    assert parse_since("7d", NOW) == datetime(2026, 1, 3, 12, 0, tzinfo=timezone.utc)
    assert parse_since("24h", NOW) == datetime(2026, 1, 9, 12, 0, tzinfo=timezone.utc)
    assert parse_since("2w", NOW) == datetime(2025, 12, 27, 12, 0, tzinfo=timezone.utc)
    assert parse_since("2025-03-01", NOW) == datetime(2025, 3, 1, tzinfo=timezone.utc)
    with pytest.raises(Exception, match="give a span like 7d"):
        parse_since("last week", NOW)


def test_markdown_snapshot(fixed_library):
    text = to_markdown(digest_of(fixed_library))
    compare("digest.md", text)
    assert "<script>" not in text.split("> ")[0]


def test_html_snapshot_parses_strictly_and_is_self_contained(fixed_library):
    html5lib = pytest.importorskip("html5lib")
    text = to_html(digest_of(fixed_library))
    compare("digest.html", text)
    html5lib.HTMLParser(strict=True).parse(text)  # raises ParseError on any error
    assert "<script" not in text and "href=\"javascript:" not in text and "&lt;script&gt;" in text
    assert "<link" not in text and "<style" not in text and "src=" not in text  # nothing fetched, no style block
    first = text.index("MM-Eureka")
    assert text.index(">Code<", first) < text.index(">arXiv<", first)  # code first


def test_cli_digest(fixed_library, tmp_path, capsys):
    config = tmp_path / "config"
    save_views(config, VIEWS)
    data = fixed_library.folder
    fixed_library.close()
    code, out, err = run(capsys, data, "--config-dir", str(config), "digest", "--since", "2025-12-31", "--query", "-is:starred")
    assert code == 0, err
    assert out.startswith("# Papers added: tui-reader digest") and "## Meng" not in out and "## Reasoning" in out
    target = tmp_path / "digest.html"
    code, out, err = run(capsys, data, "--config-dir", str(config), "digest", "--starred", "--since", "30d", "-f", "html", "-o", str(target))
    assert code == 0 and "as html to" in err
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>") and oct(target.stat().st_mode & 0o777) == "0o644"
    code, out, err = run(capsys, data, "digest", "--since", "yesterday")
    assert code == 1 and "give a span like 7d" in err and "Traceback" not in err


async def test_the_palette_writes_a_digest(fixed_library, tmp_path, monkeypatch):
    from app_helpers import make_app, notices, running
    from tui_reader.ui.following import following_commands

    monkeypatch.chdir(tmp_path)  # the command writes to the current folder
    app = make_app(fixed_library, tmp_path / "config")
    async with running(app) as pilot:
        next(run for title, _, run in following_commands(app) if title.startswith("Write a digest") and "HTML" in title)()
        await pilot.pause()
        written = list(tmp_path.glob("tui-reader-digest-*.html"))
        assert len(written) == 1 and written[0].read_text("utf-8").startswith("<!DOCTYPE html>")
        assert any(str(written[0]) in n.message for n in notices(app))
