"""BibTeX syntax: entries with their fields as written, @string macros and `#` resolved, @preamble
command definitions collected, and a problem line (file, line, key) for each entry that cannot be
read; reading goes on with the next entry.

Several files read as one (`read_files`): a lab's bibliography keeps its macros in one file and
its entries in another (`abbrev.bib journals.bib biblio.bib crossref.bib`), as BibTeX reads them.

`%` starts a comment only at the start of a line (after spaces): BibTeX itself has no comments,
but exporters write `% …` lines between and inside entries, and `50%` in a value is text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

# BibTeX's own month macros.
MONTH_MACROS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
    "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
}  # fmt: skip

_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_KEY = re.compile(r"[^\s,{}()\"]*")
_SPACE = re.compile(r"(?:\s+|%[^\n]*)+")  # between fields a "%" can only start a comment
_BRACE = re.compile(r"[{}]")
_BRACE_OR_PAREN = re.compile(r"[{})]")
_QUOTE_OR_BRACE = re.compile(r'[{}"]')
_COMMENT_LINE = re.compile(r"^[ \t]*%[^\n]*\n?", re.MULTILINE)
_ENTRY_AT = re.compile(r"@[ \t]*([A-Za-z][\w-]*)[ \t\r\n]*([{(])")
_NEWCOMMAND = re.compile(r"\\(?:providecommand|newcommand|renewcommand|def)\s*\{?\\([A-Za-z]+)\}?\s*(\[\d\])?\s*\{")


PREAMBLE_FIELD = "@preamble"  # in a Paper's kept fields: the @preamble commands the entry uses


def preamble_commands(value: str) -> dict[str, str]:
    """Zero-argument commands a @preamble defines: name -> body."""
    commands = {}
    for match in _NEWCOMMAND.finditer(value):
        if match.group(2):  # a command with arguments: not expanded
            continue
        body, end = _group_at(value, match.end())
        if end > 0:
            commands.setdefault(match.group(1), body)
    return commands


@dataclass
class RawEntry:
    type: str  # lowercase: article, inproceedings, …
    key: str
    fields: dict[str, str]  # lowercase name -> value as written, macros resolved, delimiters removed
    file: str
    line: int


@dataclass
class BibText:
    entries: list[RawEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    commands: dict[str, str] = field(default_factory=dict)  # @preamble's \providecommand{\X}{body}
    undefined: dict[str, int] = field(default_factory=dict)  # macro name -> uses
    defined: int = 0  # @string macros the files define


class _Syntax(Exception):
    pass


def read_files(texts: list[tuple[str, str]]) -> BibText:
    """(name, text) pairs read in order, sharing their @string macros."""
    result = BibText()
    strings: dict[str, str] = dict(MONTH_MACROS)
    for name, text in texts:
        _Reader(text, name, strings, result).read()
    return result


class _Reader:
    def __init__(self, text: str, name: str, strings: dict[str, str], result: BibText):
        self.text = text
        self.name = name
        self.strings = strings
        self.result = result
        self.pos = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, pos: int) -> int:
        return bisect_right(self.newlines, pos - 1) + 1

    def where(self, pos: int) -> str:
        return f"{self.name}, line {self.line(pos)}" if self.name else f"line {self.line(pos)}"

    def read(self) -> None:
        text = self.text
        while (found := _ENTRY_AT.search(text, self.pos)) is not None:
            start = found.start()
            kind = found.group(1).lower()
            self.pos = found.end()
            closer = "}" if found.group(2) == "{" else ")"
            if kind == "comment":
                self._skip_group(closer)
                continue
            try:
                if kind == "string":
                    self._string(closer)
                elif kind == "preamble":
                    self._preamble(closer)
                else:
                    self._entry(kind, closer, start)
            except _Syntax as error:
                key = self._key_at(found.end())
                named = f" {key!r}" if key else ""
                self.result.problems.append(f"{self.where(start)}: the @{kind} entry{named} was skipped ({error})")
                self._recover(start)

    def _key_at(self, pos: int) -> str:
        match = _KEY.match(self.text, pos)
        return match.group(0).strip() if match and kind_is_entry(self.text, match.end()) else ""

    def _recover(self, start: int) -> None:
        """Go on at the next "@" that starts a line after the bad entry's own."""
        found = re.compile(r"^[ \t]*@", re.MULTILINE).search(self.text, start + 1)
        self.pos = found.start() if found else len(self.text)

    def _skip_group(self, closer: str) -> None:
        try:
            self._braced(closer)
        except _Syntax:
            self.pos = self.text.find("\n", self.pos) % (len(self.text) + 1)

    def _space(self) -> None:
        match = _SPACE.match(self.text, self.pos)
        if match:
            self.pos = match.end()

    def _expect(self, chars: str) -> str:
        self._space()
        if self.pos >= len(self.text):
            raise _Syntax("the file ends inside it")
        char = self.text[self.pos]
        if char not in chars:
            found = self.text[self.pos : self.pos + 20].split("\n")[0]
            raise _Syntax(f"expected {' or '.join(repr(c) for c in chars)} at line {self.line(self.pos)}, found {found!r}")
        self.pos += 1
        return char

    def _string(self, closer: str) -> None:
        self._space()
        name = self._name()
        self._expect("=")
        self.strings[name.lower()] = self._value()
        self.result.defined += 1
        self._expect(closer)

    def _preamble(self, closer: str) -> None:
        value = self._value()
        self._expect(closer)
        for name, body in preamble_commands(value).items():
            self.result.commands.setdefault(name, body)

    def _entry(self, kind: str, closer: str, start: int) -> None:
        self._space()
        match = _KEY.match(self.text, self.pos)
        key = match.group(0) if match else ""
        self.pos = match.end() if match else self.pos
        fields: dict[str, str] = {}
        separator = self._expect(",}" if closer == "}" else ",)")
        while separator == ",":
            self._space()
            if self.pos < len(self.text) and self.text[self.pos] == closer:
                self.pos += 1
                break
            name = self._name().lower()
            self._expect("=")
            value = self._value()
            if name in fields:  # BibTeX too uses the first
                self.result.problems.append(f"{self.where(start)}: the entry {key!r} gives {name} twice; the first is kept")
            else:
                fields[name] = value
            separator = self._expect("," + closer)
        self.result.entries.append(RawEntry(kind, key, fields, self.name, self.line(start)))

    def _name(self) -> str:
        match = _NAME.match(self.text, self.pos)
        if not match:
            found = self.text[self.pos : self.pos + 20].split("\n")[0]
            raise _Syntax(f"expected a field name at line {self.line(self.pos)}, found {found!r}")
        self.pos = match.end()
        return match.group(0)

    def _value(self) -> str:
        parts = [self._piece()]
        while True:
            self._space()
            if self.pos < len(self.text) and self.text[self.pos] == "#":
                self.pos += 1
                parts.append(self._piece())
            else:
                return "".join(parts)

    def _piece(self) -> str:
        self._space()
        if self.pos >= len(self.text):
            raise _Syntax("the file ends inside it")
        char = self.text[self.pos]
        if char == "{":
            self.pos += 1
            return _drop_comment_lines(self._braced("}"))
        if char == '"':
            self.pos += 1
            return _drop_comment_lines(self._quoted())
        name = self._name()
        if name.isdigit():
            return name
        value = self.strings.get(name.lower())
        if value is None:
            self.result.undefined[name] = self.result.undefined.get(name, 0) + 1
            return name  # kept as written: nothing lost, and the summary names it
        return value

    def _braced(self, closer: str = "}") -> str:
        """The text up to the `closer` that balances (braces inside must balance)."""
        text, start, depth = self.text, self.pos, 0
        pattern = _BRACE if closer == "}" else _BRACE_OR_PAREN
        for match in pattern.finditer(text, start):
            char = match.group(0)
            if char == "{":
                depth += 1
            elif char == "}":
                if depth == 0:
                    if closer == "}":
                        self.pos = match.end()
                        return text[start : match.start()]
                    raise _Syntax(f"an unbalanced '}}' at line {self.line(match.start())}")
                depth -= 1
            elif depth == 0:  # ")" closing an @comment(…)
                self.pos = match.end()
                return text[start : match.start()]
        raise _Syntax(f"a brace opened at line {self.line(start)} is never closed")

    def _quoted(self) -> str:
        text, start, depth = self.text, self.pos, 0
        for match in _QUOTE_OR_BRACE.finditer(text, start):
            char = match.group(0)
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    raise _Syntax(f"an unbalanced '}}' inside a quoted value at line {self.line(match.start())}")
            elif depth == 0:
                self.pos = match.end()
                return text[start : match.start()]
        raise _Syntax(f"a quote opened at line {self.line(start)} is never closed")


def kind_is_entry(text: str, pos: int) -> bool:
    return text[pos : pos + 1] in (",", "") or text[pos : pos + 1].isspace()


def _drop_comment_lines(value: str) -> str:
    return _COMMENT_LINE.sub("", value) if "%" in value else value


def _group_at(text: str, pos: int) -> tuple[str, int]:
    """The braced group whose "{" is just before `pos`: (its text, end) or ("", -1)."""
    depth = 0
    for match in _BRACE.finditer(text, pos):
        if match.group(0) == "{":
            depth += 1
        elif depth == 0:
            return text[pos : match.start()], match.end()
        else:
            depth -= 1
    return "", -1
