"""Make untrusted text (titles, abstracts, notes, URLs) safe to put on a terminal.

Text from papers is never parsed as markup (callers build `rich.text.Text` from it), and every
control character is swapped for a visible stand-in here, so no escape sequence (CSI, OSC 52, ...)
and no BEL or NUL byte can reach the terminal.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, and the Unicode bidi overrides that can reorder what is shown.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\r\n\t]+")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ESC -> ␛, BEL -> ␇, NUL -> ␀
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def safe_line(text: str) -> str:
    """One line of display text: every control character, newlines and tabs included, made visible."""
    return _UNSAFE.sub(_stand_in, _LINE_BREAKS.sub(" ", text))


def safe_block(text: str) -> str:
    """Multi-line display text: newlines kept, tabs become spaces, other controls made visible."""
    text = text.replace("\r\n", "\n").replace("\t", "    ")
    return "\n".join(_UNSAFE.sub(_stand_in, line) for line in text.split("\n"))


def without_controls(text: str) -> str:
    """For text that leaves the app (a URL to copy or open): control characters removed, not shown.

    A raw URL never holds one; a pasted ESC could act on the terminal it is pasted into.
    """
    return _UNSAFE.sub("", text)
