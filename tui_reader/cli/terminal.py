"""Text the CLI writes to a terminal never carries a control character from the data: an escape
sequence in a title (`\\x1b]52;…` sets the clipboard, `\\x1b[2J` clears the screen) is shown as
its escape (`\\x1b`), not obeyed. A pipe or a file gets the text as it is, and `--json` writes
bytes to the buffer underneath, untouched."""

from __future__ import annotations

import re
import sys
from typing import TextIO

# C0 but newline and tab, DEL, C1, and the bidirectional overrides that reorder what is shown
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TerminalText:
    """A text stream that escapes control characters on their way to a terminal."""

    def __init__(self, stream: TextIO):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(escape_controls(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):  # flush, buffer, fileno, isatty, encoding…
        return getattr(self._stream, name)


def guard_terminal_output() -> None:
    """Wrap stdout and stderr when they are terminals."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, TerminalText) and _is_terminal(stream):
            setattr(sys, name, TerminalText(stream))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
