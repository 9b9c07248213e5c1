"""Colour themes: TOML or YAML palettes (built-in `themes/` and the user's config `themes/`) as
Textual themes. The built-in ones are TOML, read by tomllib, which the settings load anyway; PyYAML
is imported only for a user's YAML file.

A theme file names Textual's base colours and the app's own variables (`paper-starred`,
`paper-unread`, `paper-tag`, ...). A file that cannot be used is reported by name and skipped.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import msgspec
from textual.color import Color, ColorParseError
from textual.theme import Theme

# The app's own theme variables, and which base colour stands in when a theme leaves one out
# (Textual's built-in themes know nothing of them).
APP_VARIABLES: dict[str, str] = {
    "paper-starred": "warning",
    "paper-unread": "primary",
    "paper-tag": "success",
    "paper-read": "foreground-muted",
    "paper-link": "primary",
}
_COLOURS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost", "warning", "error", "success")
_NUMBERS = ("luminosity_spread", "text_alpha")


class ThemeFileError(Exception):
    def __init__(self, path: Path, reason: str):
        self.path = path
        super().__init__(f"theme file {path}: {reason}")


class LoadedThemes(msgspec.Struct):
    themes: list[Theme] = msgspec.field(default_factory=list)
    problems: list[str] = msgspec.field(default_factory=list)


def builtin_theme_dir() -> Path:
    """`tui_reader.themes` when installed as a wheel; the checkout's top-level `themes/` otherwise."""
    try:
        import tui_reader.themes as package

        folder = Path(next(iter(package.__path__)))
        if any(folder.glob("*.toml")):
            return folder
    except (ImportError, StopIteration):
        pass
    return Path(__file__).resolve().parents[2] / "themes"


def _colour(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeFileError(path, f"`{key}` must be a colour in quotes, like \"#4ea1f3\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeFileError(path, f"`{key}` is not a colour: {value!r}") from None
    return value


def _read_yaml(text: str, path: Path) -> Any:
    import yaml  # only for a user's YAML theme

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when PyYAML was built with it
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as error:
        raise ThemeFileError(path, f"is not valid YAML ({str(error).splitlines()[0]})") from None


def _read_toml(text: str, path: Path) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(path, f"is not valid TOML ({error})") from None


def theme_from_file(path: Path) -> Theme:
    """One theme file (`.toml`, or `.yaml`/`.yml`) as a Theme; ThemeFileError says what is wrong with it."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ThemeFileError(path, f"cannot be read ({error})") from None
    data = _read_toml(text, path) if path.suffix == ".toml" else _read_yaml(text, path)
    if not isinstance(data, dict):
        raise ThemeFileError(path, "must be a mapping of `name`, `primary`, ... (see the built-in themes)")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError(path, "needs a `name`")
    if "primary" not in data:
        raise ThemeFileError(path, "needs a `primary` colour")
    values: dict[str, object] = {}
    for key in _COLOURS:
        if data.get(key) is not None:
            values[key] = _colour(path, key, data[key])
    for key in _NUMBERS:
        if key in data:
            if not isinstance(data[key], (int, float)) or isinstance(data[key], bool):
                raise ThemeFileError(path, f"`{key}` must be a number")
            values[key] = float(data[key])
    variables = data.get("variables") or {}
    if not isinstance(variables, dict):
        raise ThemeFileError(path, "`variables` must be a mapping of name: colour")
    for key, value in variables.items():
        _colour(path, f"variables.{key}", value)
    return Theme(
        name=name.strip(),
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in variables.items()},
        **values,  # type: ignore[arg-type]
    )


def load_theme_folder(folder: Path) -> LoadedThemes:
    loaded = LoadedThemes()
    if not folder.is_dir():
        return loaded
    for path in sorted([*folder.glob("*.toml"), *folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            loaded.themes.append(theme_from_file(path))
        except ThemeFileError as error:
            loaded.problems.append(f"{error}; it was skipped")
    return loaded


def load_all_themes(user_folder: Path | None) -> LoadedThemes:
    """The built-in themes, then the user's (a user theme with a built-in's name replaces it)."""
    loaded = load_theme_folder(builtin_theme_dir())
    if user_folder is not None:
        user = load_theme_folder(user_folder)
        loaded.themes += user.themes
        loaded.problems += user.problems
    return loaded


def variable_defaults(base_colours: dict[str, str]) -> dict[str, str]:
    """Values of the app's variables for a theme that does not set them, from its base colours."""
    return {name: base_colours.get(base, base_colours.get("foreground", "white")) for name, base in APP_VARIABLES.items()}
