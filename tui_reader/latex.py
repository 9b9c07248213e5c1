"""TeX in titles, abstracts and BibTeX values as Unicode text, for display and search.

`to_unicode(text)` is for text shown as it came (arXiv and HF titles and abstracts): math, macros
and escapes are converted; a text with no backslash and no `$` is returned as it is, and results
are cached, so a list row pays for it once. `decode_bibtex(value)` reads a BibTeX field value:
the same, plus protective braces dropped, `~` as a space, ``` `` ```/`''` as quotes and `--` as dashes.

Nothing is lost: a macro this module does not know is kept as its name (`\\MaxMinAntSystem` ->
"MaxMinAntSystem") with its arguments, and callers keep the raw text (the catalog stores titles as
they came; BibTeX fields are kept raw for export). Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["to_unicode", "decode_bibtex"]

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "b": "\u0331", "d": "\u0323", "t": "\u0361",
    # math accents
    "hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7", "dot": "\u0307",
    "ddot": "\u0308", "acute": "\u0301", "grave": "\u0300", "breve": "\u0306", "check": "\u030c",
    "widehat": "\u0302", "widetilde": "\u0303", "overline": "\u0305",
}  # fmt: skip

_SYMBOLS = {
    # text symbols
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ",
    "NG": "Ŋ", "dj": "đ", "DJ": "Đ", "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "copyright": "©",
    "pounds": "£", "euro": "€", "textendash": "–", "textemdash": "—", "ldots": "…", "dots": "…",
    "textellipsis": "…", "textasciitilde": "~", "textasciicircum": "^", "textbackslash": "\\",
    "textbar": "|", "textless": "<", "textgreater": ">", "textregistered": "®", "texttrademark": "™",
    "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”",
    "guillemotleft": "«", "guillemotright": "»", "textdegree": "°", "textperiodcentered": "·",
    "textbullet": "•", "textunderscore": "_", "textdollar": "$", "textsection": "§",
    "textquotesingle": "'", "textquotedbl": '"', "slash": "/", "textslash": "/",
    "LaTeX": "LaTeX", "TeX": "TeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "LuaTeX": "LuaTeX", "eTeX": "eTeX", "AmS": "AMS", "MF": "Metafont", "today": "today",
    # math
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω", "infty": "∞", "times": "×", "cdot": "·", "cdots": "⋯",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "pm": "±", "mp": "∓", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐",
    "leftrightarrow": "↔", "Leftrightarrow": "⇔", "mapsto": "↦", "uparrow": "↑", "downarrow": "↓",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃",
    "supseteq": "⊇", "cap": "∩", "cup": "∪", "setminus": "∖", "emptyset": "∅", "varnothing": "∅",
    "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "land": "∧", "wedge": "∧",
    "lor": "∨", "vee": "∨", "oplus": "⊕", "otimes": "⊗", "sum": "∑", "prod": "∏", "int": "∫",
    "oint": "∮", "partial": "∂", "nabla": "∇", "ell": "ℓ", "hbar": "ℏ", "Re": "ℜ", "Im": "ℑ",
    "aleph": "ℵ", "circ": "∘", "star": "⋆", "ast": "∗", "bullet": "•", "mid": "|", "vert": "|",
    "Vert": "‖", "parallel": "∥", "perp": "⊥", "angle": "∠", "triangle": "△", "langle": "⟨",
    "rangle": "⟩", "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "prime": "′",
    "dagger": "†", "div": "÷", "ll": "≪", "gg": "≫", "sqrt": "√", "surd": "√", "top": "⊤",
    "bot": "⊥", "vdash": "⊢", "models": "⊨", "lbrace": "{", "rbrace": "}", "backslash": "\\",
    "colon": ":", "quad": " ", "qquad": " ", "log": "log", "ln": "ln", "exp": "exp", "min": "min",
    "max": "max", "sin": "sin", "cos": "cos", "tan": "tan", "arg": "arg", "det": "det",
    "lim": "lim", "sup": "sup", "inf": "inf", "argmin": "argmin", "argmax": "argmax",
    "deg": "deg", "dim": "dim", "ker": "ker", "Pr": "Pr", "gcd": "gcd", "sharp": "♯",
}  # fmt: skip

_ESCAPES = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": " ",
    ";": " ", ":": " ", "!": "", "-": "", "/": "", "\\": " ", "@": "", "|": "‖",
}  # fmt: skip

# Macros whose argument is the text itself: the macro goes, the argument stays.
_KEEP_ARGUMENT = set(
    "emph textbf textit texttt textsc textrm textsf textup textsl textmd textnormal mathrm mathbf "
    "mathit mathsf mathtt mathnormal text mbox hbox fbox makebox underline url nolinkurl "
    "boldsymbol bm pmb operatorname ensuremath NoCaseChange nocase textsuperscript textsubscript "
    "uline uppercase lowercase MakeUppercase MakeLowercase textcolor textenglish em it bf "
    "protect path doi".split()
)  # fmt: skip
# Switches (`{\em x}`) and spacing commands that print nothing.
_NOTHING = set(
    "em it bf sc rm tt sf sl up md normalfont itshape bfseries scshape rmfamily sffamily ttfamily "
    "upshape slshape mdseries small large Large LARGE huge Huge tiny scriptsize footnotesize "
    "normalsize cal left right big Big bigg Bigg bigl bigr Bigl Bigr displaystyle textstyle "
    "scriptstyle limits nolimits relax noindent newblock ignorespaces unskip xspace "
    "allowbreak hfill vfill break linebreak newline par smallskip medskip bigskip".split()
)  # fmt: skip
_TWO_ARGUMENTS = {"href": 1, "foreignlanguage": 1, "textcolor": 1, "frac": None, "dfrac": None, "tfrac": None}

_SCRIPT = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "𝒜ℬ𝒞𝒟ℰℱ𝒢ℋℐ𝒥𝒦ℒℳ𝒩𝒪𝒫𝒬ℛ𝒮𝒯𝒰𝒱𝒲𝒳𝒴𝒵"))
_BLACKBOARD = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "𝔸𝔹ℂ𝔻𝔼𝔽𝔾ℍ𝕀𝕁𝕂𝕃𝕄ℕ𝕆ℙℚℝ𝕊𝕋𝕌𝕍𝕎𝕏𝕐ℤ"))
_FRAKTUR = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "𝔄𝔅ℭ𝔇𝔈𝔉𝔊ℌℑ𝔍𝔎𝔏𝔐𝔑𝔒𝔓𝔔ℜ𝔖𝔗𝔘𝔙𝔚𝔛𝔜ℨ"))
_ALPHABETS = {"mathcal": _SCRIPT, "mathscr": _SCRIPT, "mathbb": _BLACKBOARD, "mathfrak": _FRAKTUR}
_SUPERSCRIPT = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPT = dict(zip("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"))

MAX_NESTING = 64
_MACRO = re.compile(r"\\([A-Za-z]+)\s*|\\(.)?", re.DOTALL)


def to_unicode(text: str) -> str:
    """Text from arXiv or HF with its TeX shown as Unicode (`$\\mathcal{O}(n)$` -> 𝒪(n)). Cheap
    when there is nothing to convert; the raw text is what callers keep."""
    if "\\" not in text and "$" not in text:
        return text
    return _cached_display(text)


@lru_cache(maxsize=8192)
def _cached_display(text: str) -> str:
    return _Reader(text, bibtex=False).read()


def decode_bibtex(value: str, macros: dict[str, str] | None = None) -> str:
    """A BibTeX field value as text: `K{\\"o}rper` -> Körper, `{\\TeX}book` -> TeXbook.
    `macros`: zero-argument commands defined in the file's @preamble (name -> TeX)."""
    if not any(c in value for c in "\\{}$~`'-"):
        return value
    return _Reader(value, bibtex=True, macros=macros or {}).read()


class _Reader:
    """A small recursive reader: groups, math, macros with their arguments."""

    def __init__(self, text: str, *, bibtex: bool, macros: dict[str, str] | None = None, depth: int = 0):
        self.text = text
        self.bibtex = bibtex
        self.macros = macros or {}
        self.depth = depth
        self.pos = 0
        self.nesting = 0  # open groups: past MAX_NESTING a brace is shown, not followed (no deep recursion)

    def read(self) -> str:
        out = self._until(None, math=False)
        return unicodedata.normalize("NFC", out)

    def _until(self, stop: str | None, *, math: bool) -> str:
        text, out = self.text, []
        while self.pos < len(text):
            char = text[self.pos]
            if stop is not None and char == stop:
                self.pos += 1
                return "".join(out)
            if char == "\\":
                out.append(self._macro(math))
            elif char == "{":
                self.pos += 1
                out.append(self._group(math) if self.nesting < MAX_NESTING else "{")
            elif char == "}":  # unbalanced: shown, not lost
                self.pos += 1
                out.append("}")
            elif char == "$" and not math:
                out.append(self._math())
            elif math and char in "^_":
                self.pos += 1
                out.append(self._script(char))
            elif self.bibtex and not math:
                out.append(self._bibtex_char(char))
            else:
                out.append(char)
                self.pos += 1
        return "".join(out)

    def _group(self, math: bool) -> str:
        self.nesting += 1
        try:
            return self._until("}", math=math)
        finally:
            self.nesting -= 1

    def _bibtex_char(self, char: str) -> str:
        text = self.text
        self.pos += 1
        if char == "~":
            return " "
        if char == "-" and text.startswith("--", self.pos - 1):
            if text.startswith("---", self.pos - 1):
                self.pos += 2
                return "—"
            self.pos += 1
            return "–"
        if char in "`'" and self.pos < len(text) and text[self.pos] == char:
            self.pos += 1
            return "“" if char == "`" else "”"
        return char

    def _math(self) -> str:
        text = self.text
        display = text.startswith("$$", self.pos)
        start = self.pos + (2 if display else 1)
        end = text.find("$$" if display else "$", start)
        while end > 0 and not display and text[end - 1] == "\\":  # an escaped \$ inside
            end = text.find("$", end + 1)
        if end < 0:  # a lone dollar (a price): kept
            self.pos += 1
            return "$"
        inner = _Reader(text[start:end], bibtex=self.bibtex, macros=self.macros, depth=self.depth + 1)
        self.pos = end + (2 if display else 1)
        return inner._until(None, math=True)

    def _script(self, kind: str) -> str:
        argument = self._argument(math=True)
        table = _SUPERSCRIPT if kind == "^" else _SUBSCRIPT
        if argument and all(c in table for c in argument):
            return "".join(table[c] for c in argument)
        return kind + (argument if len(argument) <= 1 else f"({argument})")

    def _argument(self, math: bool) -> str:
        """The next argument: a group, a macro, or one character (spaces before it skipped)."""
        text = self.text
        while self.pos < len(text) and text[self.pos] in " \t\n":
            self.pos += 1
        if self.pos >= len(text):
            return ""
        char = text[self.pos]
        if char == "{":
            self.pos += 1
            return self._group(math) if self.nesting < MAX_NESTING else "{"
        if char == "\\":
            return self._macro(math)
        if char == "}":
            return ""
        self.pos += 1
        return char

    def _macro(self, math: bool) -> str:
        match = _MACRO.match(self.text, self.pos)
        self.pos = match.end()
        name = match.group(1)
        if name is None:
            symbol = match.group(2)
            if symbol is None:
                return "\\"
            if symbol in _ACCENTS and symbol.isascii() and not symbol.isalnum():
                return self._accent(symbol, math)
            return _ESCAPES.get(symbol, symbol)
        if name in self.macros and self.depth < 8:
            inner = _Reader(self.macros[name], bibtex=True, macros=self.macros, depth=self.depth + 1)
            return inner._until(None, math=math)
        if name in _ACCENTS:
            return self._accent(name, math)
        if name in _ALPHABETS:
            table = _ALPHABETS[name]
            return "".join(table.get(c, c) for c in self._argument(math))
        if name in _TWO_ARGUMENTS:
            first = self._argument(math)
            second = self._argument(math)
            if _TWO_ARGUMENTS[name] is None:  # a fraction
                return f"{_wrap(first)}/{_wrap(second)}"
            return second
        if name in ("sqrt",) and self._next_is("{"):
            return "√" + _wrap(self._argument(math))
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _KEEP_ARGUMENT:
            return self._argument(math) if self._next_is("{") else ""
        if name in _NOTHING:
            return ""
        # Unknown: its name stays (never lost), and its braced arguments follow as text.
        return name

    def _accent(self, accent: str, math: bool) -> str:
        base = self._argument(math)
        if not base:
            return _COMBINING_ALONE.get(accent, "")
        return base[0] + _ACCENTS[accent] + base[1:]

    def _next_is(self, char: str) -> bool:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in " \t\n":
            pos += 1
        return pos < len(text) and text[pos] == char


_COMBINING_ALONE = {"'": "´", "`": "`", "^": "^", '"': "¨", "~": "~", "=": "¯", ".": "˙"}


def _wrap(part: str) -> str:
    return part if len(part) <= 1 or part.isalnum() else f"({part})"
