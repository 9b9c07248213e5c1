"""The config file: defaults, round trip, atomic writes, keymap, and broken files that never crash."""

from __future__ import annotations

import pytest

from app_helpers import current_id, make_app, notices, running
from tui_reader.config import Config, config_path, load_config, save_config


def test_no_file_means_defaults(tmp_path):
    config, problems = load_config(tmp_path)
    assert problems == [] and config.theme == "paper-dark" and config.show_sidebar and config.keymap == {}


def test_round_trip_with_awkward_strings(tmp_path):
    config = Config(theme='we"ird\\name', show_sidebar=False, keymap={"star": "x", "copy-code": "ctrl+y,f5"}, path=config_path(tmp_path))
    save_config(config)
    loaded, problems = load_config(tmp_path)
    assert problems == []
    assert (loaded.theme, loaded.show_sidebar, loaded.keymap) == (config.theme, False, config.keymap)
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temp file left behind


def test_save_replaces_the_file_atomically(tmp_path):
    config = Config(path=config_path(tmp_path))
    save_config(config)
    before = config.path.stat().st_ino
    config.theme = "paper-light"
    save_config(config)
    assert config.path.stat().st_ino != before  # a new file renamed over the old, not rewritten in place


@pytest.mark.parametrize(
    "text, complaint",
    [
        ("theme = ", "not valid TOML"),
        ("theme = 3", "`theme` must be"),
        ('show_sidebar = "yes"', "`show_sidebar` must be"),
        ("keymap = 1", "`keymap` must be"),
        ("[keymap]\nstar = 1", "keymap.star"),
    ],
)
def test_broken_settings_are_reported_and_never_overwritten(tmp_path, text, complaint):
    path = config_path(tmp_path)
    path.write_text(text)
    config, problems = load_config(tmp_path)
    assert any(complaint in p for p in problems)
    config.theme = "paper-light"
    save_config(config)
    assert path.read_text() == text


def test_invalid_utf8_is_reported(tmp_path):
    config_path(tmp_path).write_bytes(b"theme = \"\xff\"")
    _, problems = load_config(tmp_path)
    assert problems and "not valid TOML" in problems[0]


async def test_the_app_writes_a_default_config_on_first_start(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app):
        pass
    config, problems = load_config(config_folder)
    assert problems == [] and config.theme == "paper-dark"


async def test_a_broken_config_is_a_notification_not_a_crash(library, config_folder):
    config_folder.mkdir(parents=True)
    config_path(config_folder).write_text("theme = [")
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        assert any("not valid TOML" in n.message for n in notices(app))
        await pilot.press("ctrl+t", "s")  # still works; the broken file is left for the user to fix
        assert library.state(current_id(app)).starred
    assert config_path(config_folder).read_text() == "theme = ["


async def test_the_keymap_remaps_bindings_by_id(library, config_folder):
    config_folder.mkdir(parents=True)
    config_path(config_folder).write_text('[keymap]\nstar = "x"\nfirst = "0"\n')
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        pid = current_id(app)
        await pilot.press("s")
        assert not library.state(pid).starred
        await pilot.press("x")
        assert library.state(pid).starred
        await pilot.press("j", "j", "0")
        assert current_id(app) == pid
        keys = {b.id: k for _, rows in app.binding_sections() for k, b in rows}
        assert keys["star"] == "x"
