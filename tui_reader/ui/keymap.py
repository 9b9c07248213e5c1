"""Checking the user's [keymap] before it is applied: an id no binding has, and a key that would
then do two things at once, are each said once, naming the config file and the line; the app
starts anyway, with those entries left out (the file itself is never changed)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from textual.binding import Binding


def keys_of(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def line_of(text: str, binding_id: str) -> int | None:
    """The line of `binding_id = …` in the config file's text, if it can be found."""
    pattern = re.compile(rf"""^\s*["']?{re.escape(binding_id)}["']?\s*=""")
    in_keymap = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_keymap = stripped.replace(" ", "") == "[keymap]"
        elif in_keymap and pattern.match(line):
            return number
    return None


def check_keymap(keymap: dict[str, str], scopes: Iterable[list[Binding]], path: Path | None,
                 text: str = "") -> tuple[dict[str, str], list[str]]:
    """The entries of `keymap` that can be applied, and one problem per entry that cannot.

    `scopes` are the groups of bindings active at the same time (the main screen with its panes
    and the app; each dialog): within one, two ids must not share a key."""
    scopes = [list(scope) for scope in scopes]
    known = {binding.id for scope in scopes for binding in scope if binding.id}
    where = str(path) if path else "the config file"

    def place(binding_id: str) -> str:
        line = line_of(text, binding_id) if text else None
        return f"{where}, line {line}" if line else where

    problems = []
    usable = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"{place(binding_id)}: [keymap] has no action with id {binding_id!r}; "
                            "ignored (? lists the ids)")
        else:
            usable[binding_id] = keys
    for binding_id in list(usable):
        clashes = sorted(clashing_ids(binding_id, usable, scopes))
        if clashes:
            key_list = ", ".join(keys_of(usable[binding_id]))
            problems.append(f"{place(binding_id)}: {binding_id} = {usable[binding_id]!r} takes {key_list} from "
                            f"{' and '.join(clashes)}; ignored, so both keep their keys (remap the other too)")
            del usable[binding_id]
    return usable, problems


def clashing_ids(binding_id: str, keymap: dict[str, str], scopes: list[list[Binding]]) -> set[str]:
    """The other ids that would answer a key `binding_id` gets from `keymap`, in any one scope."""
    wanted = set(keys_of(keymap[binding_id]))
    clashes: set[str] = set()
    for scope in scopes:
        if not any(binding.id == binding_id for binding in scope):
            continue
        for binding in scope:
            if binding.id and binding.id != binding_id:
                if wanted & set(keys_of(keymap.get(binding.id, binding.key))):
                    clashes.add(binding.id)
    return clashes
