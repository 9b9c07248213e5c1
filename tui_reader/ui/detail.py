"""The detail pane: title, authors, date, labelled links, tags, abstract, related papers (ui/related.py),
and the note as Markdown.

Textual's Markdown widget (and markdown_it behind it) is slow to import, so it is imported
and mounted only when a paper with a note is first shown; until then the note's place holds a Static.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Static

from tui_reader.latex import to_unicode
from tui_reader.models import Paper, PaperState
from tui_reader.ui.navigation import MovingScroll
from tui_reader.ui.related import RelatedSection
from tui_reader.ui.safe_text import safe_block, safe_line
from tui_reader.ui.unchanged_text import UnchangedText
from tui_reader.wording import BLOCK_SHOWN, shown

LINK_LABELS = {"code": "code", "project": "project", "arxiv": "arXiv", "pdf": "PDF", "hf": "HF", "doi": "DOI", "video": "video", "data": "data"}
NO_NOTE = "No note yet: n writes one (Markdown)."


SEPARATOR = "  ·  "


def meta_parts(paper: Paper) -> list[str]:
    parts = []
    if paper.authors:
        first = ", ".join(paper.authors[:8])
        parts.append(shown(first) + (f" and {len(paper.authors) - 8} more" if len(paper.authors) > 8 else ""))
    if paper.published or paper.submitted:
        parts.append(str(paper.published or paper.submitted))
    parts.append(paper.arxiv_id and f"arXiv {paper.arxiv_id}" or f"id {paper.id}")
    if paper.categories:
        parts.append(shown(" ".join(paper.categories)))
    if paper.upvotes is not None:
        parts.append(f"▲ {paper.upvotes}")
    return [safe_line(part) for part in parts]


def meta_line(paper: Paper, width: int = 0) -> str:
    """Authors, date, id and upvotes joined by separators; with a `width`, lines break between
    parts, so no line ends or starts with a separator ("Knuth  ·  1984  ·")."""
    lines: list[str] = []
    for part in meta_parts(paper):
        if lines and (width <= 0 or cell_len(lines[-1] + SEPARATOR + part) <= width):
            lines[-1] += SEPARATOR + part
        else:
            lines.append(part)
    publication = [text for text in (paper.journal_ref, paper.doi and f"doi {paper.doi}", paper.arxiv_comment) if text]
    if publication:
        lines.append(safe_line(shown(SEPARATOR.join(publication))))
    return "\n".join(lines)


def links_text(paper: Paper) -> Text:
    text = Text()
    for link in paper.links:
        if text:
            text.append("\n")
        text.append(f"{LINK_LABELS.get(link.kind, link.kind):>7}  ", style="bold")
        text.append(safe_line(shown(link.url)))
    return text or Text("no links")


class DetailText(UnchangedText):
    """One part of the detail pane."""

    # Its size comes from the layout that placed it: a second layout for the virtual size it
    # then takes would place everything where it already is.
    virtual_size = Reactive(Size(0, 0), layout=False)


class DetailPane(MovingScroll, can_focus=True):
    """Everything about the paper under the list's cursor. Text is always built as Text, never markup."""

    def compose(self) -> ComposeResult:
        yield DetailText(id="detail-title")
        yield DetailText(id="detail-meta")
        yield DetailText(id="detail-links")
        yield DetailText(id="detail-tags")
        yield RelatedSection(id="detail-related")
        yield DetailText(id="detail-abstract")
        yield Static(Text("Note"), id="detail-note-heading")
        yield Static(Text(NO_NOTE), id="detail-no-note")

    def _show_note(self, note: str) -> None:
        """The note as Markdown (the widget made on first use), or the hint when there is none."""
        placeholder = self.query_one("#detail-no-note", Static)
        found = self.query("#detail-note")
        if not note and not found:
            return
        if found:
            markdown = found.first()
            if note and note != markdown.source:
                markdown.update(note)
        else:
            from textual.widgets import Markdown

            markdown = Markdown(note, id="detail-note")
            self.mount(markdown, after=placeholder)
        markdown.display = bool(note)
        placeholder.display = not note

    paper: Paper | None = None
    _meta_width = 0

    def _show_meta(self) -> None:
        if self.paper is not None:
            self._meta_width = self.scrollable_content_region.width
            width = self._meta_width - 1  # a scrollbar may come with the new text
            self.query_one("#detail-meta", DetailText).show(Text(meta_line(self.paper, width)))

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._meta_width:
            self._show_meta()

    def show(self, paper: Paper | None, state: PaperState) -> None:
        title = self.query_one("#detail-title", DetailText)
        if paper is None:
            self.paper = None
            title.show(Text("Nothing selected"))
            for name in ("meta", "links", "tags", "abstract"):
                self.query_one(f"#detail-{name}", DetailText).show(Text(""))
            self._show_note("")
            return
        marks = ("★ " if state.starred else "") + ("" if state.read else "● ")
        title.show(Text(marks + safe_line(to_unicode(shown(paper.title)))))
        another_paper = self.paper is None or self.paper.id != paper.id  # (a star or a tag keeps the place read to)
        self.paper = paper
        self._show_meta()
        self.query_one("#detail-links", DetailText).show(links_text(paper))
        tags = safe_line(shown("  ".join(f"#{t}" for t in state.tags))) if state.tags else "no tags: t adds some"
        self.query_one("#detail-tags", DetailText).show(Text(tags))
        abstract = safe_block(to_unicode(shown(paper.abstract.strip(), BLOCK_SHOWN))) or "No abstract."
        self.query_one("#detail-abstract", DetailText).show(Text(abstract))
        self._show_note(safe_block(shown(state.note.strip(), BLOCK_SHOWN)))
        if another_paper:
            self.scroll_home(animate=False, immediate=True)
