"""Themes: the built-in TOML palettes, users' own (TOML or YAML), switching, remembering, and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app_helpers import make_app, notices, paper_list, running
from tui_reader.ui.themes import APP_VARIABLES, ThemeFileError, builtin_theme_dir, load_all_themes, theme_from_file

GOOD_USER_THEME = """
name: my-theme
dark: true
primary: "#aa5500"
background: "#101010"
variables:
  paper-starred: "#ff00ff"
"""

GOOD_USER_TOML = """
name = "my-theme"
dark = true
primary = "#aa5500"
background = "#101010"

[variables]
paper-starred = "#ff00ff"
"""


def test_at_least_four_builtin_themes_with_the_apps_variables():
    loaded = load_all_themes(None)
    assert loaded.problems == []
    names = {t.name for t in loaded.themes}
    assert {"paper-dark", "paper-light", "paper-high-contrast"} <= names and len(names) >= 4
    assert any(not t.dark for t in loaded.themes)
    for theme in loaded.themes:
        assert set(APP_VARIABLES) <= set(theme.variables), theme.name


def test_builtin_folder_is_the_shipped_one():
    assert (builtin_theme_dir() / "paper-dark.toml").is_file()


@pytest.mark.parametrize(
    "name, text, complaint",
    [
        ("broken.yaml", "name: [unclosed", "not valid YAML"),
        ("broken.yaml", "- a list\n- not a mapping", "must be a mapping"),
        ("broken.yaml", "primary: '#ffffff'", "needs a `name`"),
        ("broken.yaml", "name: x", "needs a `primary`"),
        ("broken.yaml", "name: x\nprimary: 'not-a-colour'", "is not a colour"),
        ("broken.yaml", "name: x\nprimary: '#fff'\nvariables: [1, 2]", "`variables` must be a mapping"),
        ("broken.yaml", "name: x\nprimary: '#fff'\nvariables:\n  paper-tag: 12", "must be a colour"),
        ("broken.yaml", "name: x\nprimary: '#fff'\ntext_alpha: lots", "must be a number"),
        ("broken.toml", 'name = ["unclosed"', "not valid TOML"),
        ("broken.toml", 'name: x\nprimary: "#fff"', "not valid TOML"),  # YAML in a .toml file
        ("broken.toml", 'primary = "#ffffff"', "needs a `name`"),
        ("broken.toml", 'name = "x"\nprimary = "not-a-colour"', "is not a colour"),
        ("broken.toml", 'name = "x"\nprimary = "#fff"\nvariables = [1, 2]', "`variables` must be a mapping"),
        ("broken.toml", 'name = "x"\nprimary = "#fff"\n[variables]\npaper-tag = 12', "must be a colour"),
    ],
)
def test_broken_theme_files_say_what_is_wrong(tmp_path, name, text, complaint):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ThemeFileError) as error:
        theme_from_file(path)
    assert complaint in str(error.value) and str(path) in str(error.value)


def test_binary_theme_file_is_an_error_not_a_crash(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ThemeFileError):
        theme_from_file(path)


def user_theme(config_folder: Path, name: str, text: str) -> Path:
    folder = config_folder / "themes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


async def test_ctrl_t_switches_theme_and_it_is_remembered(library, config_folder):
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        assert app.theme == "paper-dark"
        await pilot.press("ctrl+t")
        assert app.theme != "paper-dark"
        chosen = app.theme
    assert f'theme = "{chosen}"' in (config_folder / "config.toml").read_text()
    again = make_app(library, config_folder)
    async with running(again):
        assert again.theme == chosen


async def test_the_theme_changes_the_list_colours(library, config_folder):
    library.set_starred([library.ordered_ids()[1]])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        papers = paper_list(app)
        dark = papers.get_component_rich_style("paperlist--starred").color
        app.theme = "paper-light"  # what the palette's theme switcher does
        await pilot.pause()
        light = papers.get_component_rich_style("paperlist--starred").color
        assert dark != light
        assert light.triplet.hex == app.get_theme("paper-light").variables["paper-starred"].lower()
    assert 'theme = "paper-light"' in (config_folder / "config.toml").read_text()


async def test_theme_option_is_used_and_remembered(library, config_folder):
    app = make_app(library, config_folder, theme="paper-high-contrast")
    async with running(app):
        assert app.theme == "paper-high-contrast"
    assert 'theme = "paper-high-contrast"' in (config_folder / "config.toml").read_text()


async def test_unknown_theme_falls_back_with_a_message(library, config_folder):
    app = make_app(library, config_folder, theme="no-such-theme")
    async with running(app):
        assert app.theme == "paper-dark"
        assert any("no-such-theme" in n.message for n in notices(app))


@pytest.mark.parametrize("name, text", [("mine.yaml", GOOD_USER_THEME), ("mine.toml", GOOD_USER_TOML)])
async def test_a_users_theme_is_offered_and_usable(library, config_folder, name, text):
    user_theme(config_folder, name, text)
    app = make_app(library, config_folder, theme="my-theme")
    async with running(app):
        assert app.theme == "my-theme"
        assert "my-theme" in app.reader_theme_names()
        # A variable the user left out comes from the theme's base colours.
        assert app.theme_variables["paper-starred"] == "#ff00ff"
        assert app.theme_variables["paper-tag"]


async def test_a_broken_user_theme_is_named_and_the_app_falls_back(library, config_folder):
    path = user_theme(config_folder, "broken.yaml", "name: broken\nprimary: [not, a, colour]\n")
    user_theme(config_folder, "mine.yaml", GOOD_USER_THEME)
    (config_folder / "config.toml").write_text('theme = "broken"\n')
    app = make_app(library, config_folder)
    async with running(app):
        assert app.theme == "paper-dark"
        texts = [n.message for n in notices(app)]
        assert any(str(path) in text for text in texts)
        assert "my-theme" in app.available_themes  # the good file still loads


async def test_textual_builtin_themes_work_with_the_apps_variables(library, config_folder):
    library.set_starred([library.ordered_ids()[0]])
    app = make_app(library, config_folder)
    async with running(app) as pilot:
        for name in ("nord", "textual-light", "dracula"):
            app.theme = name
            await pilot.pause()
            await pilot.press("j", "k")
            assert app.theme == name


@pytest.mark.parametrize("name", ["paper-light", "paper-gruvbox", "textual-light"])
async def test_the_start_theme_colours_the_first_screen(library, config_folder, name):
    """The theme asked for at start is the one the first screen is styled with (the start applies
    its variables before the first stylesheet parse instead of re-parsing afterwards)."""
    library.set_starred([library.ordered_ids()[0]])
    app = make_app(library, config_folder, theme=name)
    async with running(app):
        theme = app.get_theme(name)
        starred = app.theme_variables["paper-starred"]
        assert paper_list(app).get_component_rich_style("paperlist--starred").color.triplet.hex == starred.lower()
        assert app.screen.styles.background.hex.lower() == theme.background.lower()
