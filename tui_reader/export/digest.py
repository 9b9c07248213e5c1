"""A digest of the papers added (or starred) in a period, grouped by saved search, then by tag:
Markdown to paste into a lab chat, or one self-contained HTML file for a mail or a browser.

`collect` picks and groups the papers (the catalog's fast search path does the picking); the two
renderers are pure functions of the Digest, so a fixed library gives a fixed text.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import msgspec

from tui_reader.errors import ReaderError
from tui_reader.export.formats import main_url, md_escape
from tui_reader.models import Paper, PaperState
from tui_reader.search.query import Term, parse_query
from tui_reader.search.searcher import Searcher
from tui_reader.store.views import SavedView

DIGEST_FORMATS = ("markdown", "html")
DIGEST_SUFFIXES = {"markdown": ".md", "html": ".html"}
DEFAULT_SINCE = "7d"
MAX_AUTHORS = 6
LINK_ORDER = (("code", "Code"), ("project", "Project"), ("arxiv", "arXiv"), ("pdf", "PDF"), ("hf", "HF"))
OTHER = "Other papers"
_SPAN = re.compile(r"^(\d+)\s*([hdw])$")
_SPAN_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class DigestError(ReaderError):
    pass


class DigestGroup(msgspec.Struct):
    title: str
    query: str | None  # the saved search behind the group, if any
    papers: list[tuple[Paper, PaperState]] = msgspec.field(default_factory=list)


class Digest(msgspec.Struct):
    since: datetime
    until: datetime
    starred: bool
    query: str | None
    groups: list[DigestGroup]

    @property
    def count(self) -> int:
        return sum(len(group.papers) for group in self.groups)

    @property
    def heading(self) -> str:
        return "Papers starred" if self.starred else "Papers added"

    @property
    def period(self) -> str:
        return f"{self.since:%Y-%m-%d %H:%M} – {self.until:%Y-%m-%d %H:%M} UTC"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_since(text: str, now: datetime) -> datetime:
    """`7d`, `24h`, `2w` before `now`, or a date (`2025-03-01`) or ISO time; DigestError otherwise."""
    text = text.strip()
    span = _SPAN.match(text.lower())
    if span:
        return now - timedelta(**{_SPAN_UNITS[span.group(2)]: int(span.group(1))})
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise DigestError(f"--since {text!r}: give a span like 7d, 24h, 2w or a date like 2025-03-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def collect(
    papers: Mapping[str, Paper],
    states: Mapping[str, PaperState],
    ordered_ids: Sequence[str],
    views: Sequence[SavedView],
    *,
    since: datetime,
    until: datetime,
    starred: bool = False,
    query: str | None = None,
) -> Digest:
    """The papers added since `since` (or starred since then, with `starred`) that match `query`,
    each in the first saved view it matches, else under its first tag, else under "Other papers";
    most upvoted first within a group."""
    terms = parse_query(query) if query else []
    searcher = Searcher(papers, states, iso(since))  # is:new = added after `since`
    if starred:
        found = searcher.filter(ordered_ids, [Term("is", "starred"), *terms])
        found = [pid for pid in found if (states[pid].starred_at or "") >= iso(since)]
    else:
        found = searcher.filter(ordered_ids, [Term("is", "new"), *terms])
    left = list(found)
    groups: list[DigestGroup] = []
    for view in views:
        try:
            matched = set(searcher.filter(left, view.query)) if left else set()
        except ReaderError:  # a query the language no longer accepts: its papers go elsewhere
            continue
        if matched:
            groups.append(DigestGroup(view.name, view.query, [(papers[pid], _state(states, pid)) for pid in left if pid in matched]))
            left = [pid for pid in left if pid not in matched]
    by_tag: dict[str, list[str]] = {}
    untagged = []
    for pid in left:
        tags = sorted(_state(states, pid).tags)
        if tags:
            by_tag.setdefault(tags[0], []).append(pid)
        else:
            untagged.append(pid)
    groups += [DigestGroup(f"#{tag}", None, [(papers[pid], _state(states, pid)) for pid in pids]) for tag, pids in sorted(by_tag.items())]
    if untagged:
        groups.append(DigestGroup(OTHER, None, [(papers[pid], _state(states, pid)) for pid in untagged]))
    for group in groups:
        group.papers.sort(key=lambda item: -(item[0].upvotes or 0))  # stable: ties keep the library order
    return Digest(since, until, starred, query, groups)


def _state(states: Mapping[str, PaperState], pid: str) -> PaperState:
    return states.get(pid) or PaperState()


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, url) of the paper's links, code first; several of a kind are numbered."""
    found = []
    for kind, label in LINK_ORDER:
        links = [link.url for link in paper.links_of(kind) if link.url.startswith(("https://", "http://"))]
        for number, url in enumerate(dict.fromkeys(links), 1):
            found.append((label if len(links) == 1 else f"{label} {number}", url))
    return found


def authors_line(paper: Paper) -> str:
    shown = paper.authors[:MAX_AUTHORS]
    more = len(paper.authors) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")


def _summary(digest: Digest, code: Callable[[str], str], escape: Callable[[str], str]) -> str:
    count = digest.count
    searched = f" matching {code(digest.query)}" if digest.query else ""
    return f"{count} paper{'s' if count != 1 else ''}{searched}, {escape(digest.period)}"


def _md_heading(title: str) -> str:
    """A tag group's "#tag" reads as it is: a "#" after the heading's own marks starts no heading."""
    return "#" + md_escape(title[1:]) if title.startswith("#") else md_escape(title)


def _md_code(text: str) -> str:
    return f"`{text.replace('`', '')}`"


# -- Markdown -----------------------------------------------------------------------------------------


def to_markdown(digest: Digest) -> str:
    lines = [f"# {digest.heading}: tui-reader digest", "", _summary(digest, _md_code, md_escape), ""]
    if not digest.count:
        lines += ["Nothing in this period.", ""]
    for group in digest.groups:
        lines.append(f"## {_md_heading(group.title)} ({len(group.papers)})")
        if group.query:
            lines.append(f"*saved search:* {_md_code(group.query)}")
        lines.append("")
        for paper, state in group.papers:
            url = main_url(paper)
            title = md_escape(paper.title)
            star = " ★" if state.starred else ""
            lines.append(f"- **[{title}](<{url}>)**{star}" if url else f"- **{title}**{star}")
            if paper.authors:
                lines.append(f"  {md_escape(authors_line(paper))}")
            details = [f"[{label}](<{url}>)" for label, url in paper_links(paper)]
            if paper.upvotes:
                details.append(f"▲ {paper.upvotes}")
            details += [f"`#{tag}`" for tag in state.tags]
            if details:
                lines.append("  " + " · ".join(details))
            if state.note.strip():
                lines += [f"  > {line}".rstrip() for line in state.note.strip().splitlines()]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# -- HTML ---------------------------------------------------------------------------------------------
# Mail clients drop <style> blocks and scripts: every style is inline, there are no external files,
# and the layout is one centred column that also reads well in a browser.

FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif"
STYLES = {
    "body": f"margin:0;padding:24px 12px;background:#f4f5f7;color:#1f2328;{FONT};font-size:15px;line-height:1.5",
    "sheet": "max-width:720px;margin:0 auto;background:#ffffff;border:1px solid #d8dee4;border-radius:8px;padding:24px 28px",
    "h1": "margin:0 0 4px 0;font-size:22px",
    "summary": "margin:0 0 20px 0;color:#59636e;font-size:13px",
    "h2": "margin:28px 0 4px 0;padding-bottom:4px;border-bottom:2px solid #d8dee4;font-size:17px",
    "query": "margin:0 0 8px 0;color:#59636e;font-size:12px",
    "code": "font-family:Menlo,Consolas,monospace;background:#eff1f3;padding:1px 4px;border-radius:4px",
    "paper": "margin:14px 0 0 0",
    "title": "font-weight:600;font-size:16px;color:#0b57d0;text-decoration:none",
    "authors": "margin:2px 0 0 0;color:#59636e;font-size:13px",
    "links": "margin:4px 0 0 0;font-size:13px",
    "link": "color:#0b57d0",
    "code-link": "color:#ffffff;background:#1a7f37;padding:1px 6px;border-radius:4px;text-decoration:none;font-weight:600",
    "meta": "color:#59636e",
    "note": "margin:6px 0 0 0;padding:2px 12px;border-left:3px solid #bf8700;background:#fff8e1;font-size:14px",
    "footer": "margin:28px 0 0 0;color:#8c959f;font-size:12px",
}


def _e(text: str) -> str:
    import html  # (its entity tables load with the first HTML digest, not with the command line)

    return html.escape(text, quote=True)


@cache
def _note_renderer() -> Callable[[str], str]:
    from markdown_it import MarkdownIt

    # Raw HTML in a note is shown as text; markdown-it refuses javascript: and similar links.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).render


def note_html(note: str) -> str:
    return _note_renderer()(note.strip()).strip()


def to_html(digest: Digest) -> str:
    s = STYLES
    title = f"{digest.heading}: tui-reader digest"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        "</head>",
        f'<body style="{s["body"]}">',
        f'<div style="{s["sheet"]}">',
        f'<h1 style="{s["h1"]}">{_e(title)}</h1>',
        f'<p style="{s["summary"]}">{_summary(digest, _html_code, _e)}</p>',
    ]
    if not digest.count:
        parts.append("<p>Nothing in this period.</p>")
    for group in digest.groups:
        parts.append(f'<h2 style="{s["h2"]}">{_e(group.title)} <span style="{s["meta"]}">({len(group.papers)})</span></h2>')
        if group.query:
            parts.append(f'<p style="{s["query"]}">saved search {_html_code(group.query)}</p>')
        for paper, state in group.papers:
            parts.append(_paper_html(paper, state))
    parts += [
        f'<p style="{s["footer"]}">Made by tui-reader.</p>',
        "</div>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _html_code(text: str) -> str:
    return f'<code style="{STYLES["code"]}">{_e(text)}</code>'


def _paper_html(paper: Paper, state: PaperState) -> str:
    s = STYLES
    url = main_url(paper)
    title = _e(paper.title)
    if url.startswith(("https://", "http://")):
        title = f'<a href="{_e(url)}" style="{s["title"]}">{title}</a>'
    else:
        title = f'<span style="{s["title"]}">{title}</span>'
    star = ' <span title="starred">★</span>' if state.starred else ""
    lines = [f'<div style="{s["paper"]}">', f"<div>{title}{star}</div>"]
    if paper.authors:
        lines.append(f'<div style="{s["authors"]}">{_e(authors_line(paper))}</div>')
    details = []
    for label, link in paper_links(paper):
        style = s["code-link"] if label.startswith("Code") else s["link"]
        details.append(f'<a href="{_e(link)}" style="{style}">{_e(label)}</a>')
    if paper.upvotes:
        details.append(f'<span style="{s["meta"]}">▲ {paper.upvotes}</span>')
    details += [_html_code(f"#{tag}") for tag in state.tags]
    if details:
        lines.append(f'<div style="{s["links"]}">{" · ".join(details)}</div>')
    if state.note.strip():
        lines.append(f'<div style="{s["note"]}">{note_html(state.note)}</div>')
    lines.append("</div>")
    return "\n".join(lines)


def render(digest: Digest, fmt: str) -> str:
    if fmt not in DIGEST_FORMATS:
        raise DigestError(f"unknown digest format {fmt!r} (one of {', '.join(DIGEST_FORMATS)})")
    return to_html(digest) if fmt == "html" else to_markdown(digest)


def digest_filename(fmt: str, day: str) -> str:
    return f"tui-reader-digest-{day}{DIGEST_SUFFIXES[fmt]}"


def write_digest(path: Path, digest: Digest, fmt: str) -> Path:
    """Atomically, like every export. Raises StorageWriteError."""
    from tui_reader.store.files import atomic_write_bytes

    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644  # the temp file is private (0600)
    atomic_write_bytes(path, render(digest, fmt).encode("utf-8"))
    os.chmod(path, mode)
    return path
