"""The paper list: a Line-API widget (ScrollView + render_line), like Toolong's log view.

Only the rows on screen are ever rendered, each once, then served from a cache; a state change
re-renders that one row. So a large library costs a list of ids, not a widget per paper.
"""

from __future__ import annotations

import textwrap
from itertools import islice

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from tui_reader.latex import to_unicode
from tui_reader.store.library import Library
from tui_reader.search.searcher import position
from tui_reader.ui.navigation import moves
from tui_reader.ui.safe_text import safe_line
from tui_reader.wording import shown
from tui_reader.ui.scrolling import ResizingContentScrollView

UNREAD_MARK = "●"
STAR_MARK = "★"
SELECTED_MARK = "▌"
CODE_MARK = "</>"
MARKS_WIDTH = cell_len(f" {UNREAD_MARK}{STAR_MARK} ")
EMPTY_TEXT = "No papers here."  # until the screen says why (MainScreen.update_titles)
# The columns after the title (and its tags), left to right, with their widths; on a narrow list
# they drop out in DROP_ORDER so that the title keeps at least TITLE_SHARE of the row.
COLUMN_WIDTHS = {"author": 18, "date": 10, "upvotes": 4, "code": 3}
DROP_ORDER = ("author", "upvotes", "date", "code")  # the widest and least needed first
TITLE_SHARE = 0.45
TITLE_MIN = 24
AUTHORS_LOOKED_AT = 200  # papers whose authors are looked at to decide on an author column


class PaperList(ResizingContentScrollView, can_focus=True, inherit_bindings=False):
    """Rows of papers with a cursor. Posts Highlighted when the cursor lands on a paper, Chosen on a click
    on its row (Enter runs the screen's `read` at once: see MainScreen.action_read)."""

    BINDINGS = [
        *moves("cursor_down", "cursor_up", "first", "last", "page_down", "page_up"),
        Binding("enter", "screen.read", "Read it: mark read, then j/k scroll it (Esc comes back)", id="open", show=False),
    ]

    COMPONENT_CLASSES = {
        "paperlist--cursor",
        "paperlist--unread",
        "paperlist--starred",
        "paperlist--tag",
        "paperlist--read",
        "paperlist--empty",
        "paperlist--selected",
        "paperlist--meta",
    }

    class Highlighted(Message):
        def __init__(self, paper_id: str | None) -> None:
            self.paper_id = paper_id
            super().__init__()

    class SelectionChanged(Message):
        pass

    class Chosen(Message):
        def __init__(self, paper_id: str) -> None:
            self.paper_id = paper_id
            super().__init__()

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.ids: list[str] = []
        self.cursor = 0
        self._rows_by_id: dict[str, int] | None = None  # built only when a far row must be found
        self._strips: LRUCache[tuple[str, bool], Strip] = LRUCache(1024)
        self._strip_width = 0
        self._styles: dict[str, Style] | None = None  # the row styles, computed once per style change
        self._looks: tuple[dict[str, Style], dict[str, Style], dict[str, Style]] | None = None
        self.cached_rows_only = False  # while the library changes in a thread: read nothing from it
        self.selected: set[str] = set()  # papers picked for a bulk action (space, J/K, V, *)
        self._anchor: str | None = None  # where V selects from
        self._data_columns: tuple[tuple, tuple[str, ...]] | None = None  # (catalog key, columns with data)
        self.empty_text = EMPTY_TEXT

    # -- what is shown -------------------------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        return self.ids[self.cursor] if self.cursor < len(self.ids) else None

    def set_rows(self, ids: list[str], keep: str | None = None, keep_at: int | None = None) -> None:
        """Show `ids`; the cursor stays on `keep` if it is among them (or goes to `keep_at`, where
        the caller found it), else goes to the top."""
        self.ids = ids
        self._rows_by_id = None  # (a row's look depends on its paper, not on its place: the strips stay)
        self.virtual_size = Size(self._row_width(), len(ids))
        row = keep_at if keep_at is not None else position(ids, keep)
        self._move(row if row is not None else 0, force=True)
        self.refresh()

    def row_of(self, paper_id: str) -> int | None:
        if self.current_id == paper_id:
            return self.cursor
        if self._rows_by_id is None:
            self._rows_by_id = {pid: row for row, pid in enumerate(self.ids)}
        return self._rows_by_id.get(paper_id)

    def refresh_paper(self, paper_id: str) -> None:
        """Re-render one paper's row after its state changed; the other rows stay cached."""
        self._strips.discard((paper_id, True))
        self._strips.discard((paper_id, False))
        row = self.row_of(paper_id)
        if row is not None:
            self.refresh_line(row)

    def refresh_all_rows(self) -> None:
        """After something that touches many rows at once (a restored backup, an import)."""
        self._strips.clear()
        self.refresh()

    # -- the selection -------------------------------------------------------------------------

    def _set_selected(self, pid: str, selected: bool) -> None:
        if selected:
            self.selected.add(pid)
        else:
            self.selected.discard(pid)
        self.refresh_paper(pid)

    def toggle_selected(self) -> None:
        """Select or unselect the paper under the cursor, then move down (space)."""
        pid = self.current_id
        if pid is None:
            return
        self._set_selected(pid, pid not in self.selected)
        self._anchor = pid
        self._move(self.cursor + 1)
        self.post_message(self.SelectionChanged())

    def extend_selection(self, step: int) -> None:
        """Select the paper under the cursor and the one `step` rows away (J/K, shift+arrows)."""
        pid = self.current_id
        if pid is None:
            return
        self._set_selected(pid, True)
        self._move(self.cursor + step)
        if self.current_id is not None:
            self._set_selected(self.current_id, True)
        self.post_message(self.SelectionChanged())

    def select_range(self) -> None:
        """Select every paper from the last one toggled with space to the cursor (V)."""
        anchor = self.row_of(self._anchor) if self._anchor is not None else None
        start = self.cursor if anchor is None else anchor
        low, high = sorted((start, self.cursor))
        for pid in self.ids[low: high + 1]:
            self.selected.add(pid)
        self.refresh_all_rows()
        self.post_message(self.SelectionChanged())

    def select_all(self) -> None:
        self.selected = set(self.ids)
        self.refresh_all_rows()
        self.post_message(self.SelectionChanged())

    def clear_selection(self) -> None:
        if self.selected:
            self.selected = set()
            self._anchor = None
            self.refresh_all_rows()
            self.post_message(self.SelectionChanged())

    # -- cursor --------------------------------------------------------------------------------

    def _move(self, row: int, force: bool = False) -> None:
        row = max(0, min(row, len(self.ids) - 1)) if self.ids else 0
        if row == self.cursor and not force:
            return
        old = self.cursor
        self.cursor = row
        for changed in {old, row}:
            if changed < len(self.ids):
                self._strips.discard((self.ids[changed], True))
                self._strips.discard((self.ids[changed], False))
                self.refresh_line(changed)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.current_id))

    def _scroll_to_cursor(self) -> None:
        # force: a list that just grew has no scrollbar yet, and without one Textual refuses to scroll.
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, force=True)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.ids) - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + self._page())

    def action_page_up(self) -> None:
        self._move(self.cursor - self._page())

    def action_choose(self) -> None:
        if self.current_id is not None:
            self.post_message(self.Chosen(self.current_id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + round(self.scroll_y)
        if row < len(self.ids):
            self._move(row)
            if event.chain >= 2:
                self.action_choose()

    # -- rendering -----------------------------------------------------------------------------

    def _row_width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def on_resize(self, event: events.Resize) -> None:
        self._strips.clear()
        self.virtual_size = Size(self._row_width(), len(self.ids))
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # theme or focus changed: every cached row has the old colours
        self._styles = None
        self._looks = None

    def _row_styles(self) -> dict[str, Style]:
        """rich_style walks the widget's ancestors each time it is read: once per style change,
        not five times per row."""
        styles = self._styles
        if styles is None:
            base = self.rich_style
            styles = {name: self.get_component_rich_style(name) for name in self.COMPONENT_CLASSES}
            styles["base"] = base
            styles["cursor-base"] = base + styles["paperlist--cursor"]
            self._styles = styles
        return styles

    def render_line(self, y: int) -> Strip:
        width = self._row_width()
        row = y + round(self.scroll_y)
        if width != self._strip_width:
            self._strips.clear()
            self._strip_width = width
        styles = self._row_styles()
        if not self.ids:
            lines = textwrap.wrap(self.empty_text, max(1, width - 2))
            if y < len(lines):
                return self._strip(Text(" " + lines[y], style=styles["paperlist--empty"]), width, styles["base"])
            return Strip.blank(width, styles["base"])
        if row >= len(self.ids):
            return Strip.blank(width, styles["base"])
        paper_id = self.ids[row]
        key = (paper_id, row == self.cursor)
        strip = self._strips.get(key)
        if strip is None:
            if self.cached_rows_only:
                return Strip.blank(width, styles["base"])
            strip = self._render_row(paper_id, row == self.cursor, width)
            self._strips.set(key, strip)
        return strip

    def columns_with_data(self) -> tuple[str, ...]:
        """The columns some paper of the catalog has a value for (the bundled sample has no dates,
        authors or upvotes: no empty columns for it). Looked at once per catalog."""
        papers = self.library.papers
        key = (id(papers), getattr(papers, "generation", None), len(papers))
        if self._data_columns is not None and self._data_columns[0] == key:
            return self._data_columns[1]
        published = getattr(papers, "published", None)
        if published is not None:
            dates, upvotes = published.any_text(), papers.upvotes.any_value()
        else:
            dates, upvotes = any(p.published for p in papers.values()), any(p.upvotes is not None for p in papers.values())
        authors = any(papers[pid].authors for pid in islice(papers, AUTHORS_LOOKED_AT))  # stops at the first
        found = {"author": authors, "date": dates, "upvotes": upvotes, "code": True}
        columns = tuple(name for name in COLUMN_WIDTHS if found[name])
        self._data_columns = (key, columns)
        return columns

    def columns_for(self, width: int) -> tuple[str, ...]:
        """The columns shown at this width: all that leave the title its share, dropped in
        DROP_ORDER."""
        columns = list(self.columns_with_data())
        room = max(TITLE_MIN, int(width * TITLE_SHARE))
        for name in DROP_ORDER:
            if width - MARKS_WIDTH - sum(COLUMN_WIDTHS[c] + 1 for c in columns) >= room:
                break
            if name in columns:
                columns.remove(name)
        return tuple(columns)

    def _render_row(self, paper_id: str, is_cursor: bool, width: int) -> Strip:
        # Segments made directly: rich.Text and the console cost several times more per row, and a
        # search result or a page shows a screenful of new rows at once.
        state = self.library.state(paper_id)
        selected = paper_id in self.selected
        look = self._row_looks()[2 if selected and not is_cursor else int(is_cursor)]
        columns = self.columns_for(width)
        room = max(0, width - MARKS_WIDTH - sum(COLUMN_WIDTHS[c] + 1 for c in columns))
        tags = safe_line(shown(" ".join("#" + tag for tag in state.tags)))
        if cell_len(tags) > room // 4:  # long tag lists give way to the title
            tags = fit(tags, room // 4)
        gap = 1 if columns else 0  # between the tags and the next column
        title_width = max(0, room - (cell_len(tags) + 2 + gap if tags else 0))
        segments = [
            Segment(SELECTED_MARK, look["paperlist--selected"]) if selected else Segment(" ", look["base"]),
            Segment(" " if state.read else UNREAD_MARK, look["paperlist--unread"]),
            Segment((STAR_MARK if state.starred else " ") + " ", look["paperlist--starred"]),
            Segment(fit(safe_line(self._title(paper_id)), title_width, pad=bool(columns or tags)),
                    look["paperlist--read"] if state.read else look["base"]),
        ]
        if tags:
            segments += [Segment("  ", look["base"]), Segment(tags + " " * gap, look["paperlist--tag"])]
        for name in columns:
            text, style = self._column(name, paper_id, state, look)
            segments += [Segment(" ", look["base"]), Segment(fit(text, COLUMN_WIDTHS[name], pad=True), style)]
        strip = Strip(segments)
        if strip.cell_length > width:  # too narrow for even the marks
            strip = strip.crop(0, width)
        return strip.extend_cell_length(width, look["base"])

    def _column(self, name: str, paper_id: str, state, look: dict[str, Style]) -> tuple[str, Style]:
        meta = look["paperlist--meta"]
        papers = self.library.papers
        row = papers.row_of(paper_id)  # the catalog's index: no record parsed
        if name == "date":
            published = papers.published[row] if row is not None else papers[paper_id].published
            return published or "", meta
        if name == "upvotes":
            upvotes = papers.upvotes[row] if row is not None else papers[paper_id].upvotes
            return (f"▲{upvotes}".rjust(COLUMN_WIDTHS["upvotes"]) if upvotes is not None else ""), meta
        if name == "code":
            has = papers.has_link(paper_id, "code") if row is not None else any(link.kind == "code" for link in papers[paper_id].links)
            return (CODE_MARK if has else ""), meta
        authors = papers[paper_id].authors if paper_id in papers else []
        first = safe_line(shown(authors[0])) if authors else ""
        return (first + " et al." if len(authors) > 1 else first), meta

    def _row_looks(self) -> tuple[dict[str, Style], dict[str, Style], dict[str, Style]]:
        """Each part's finished style, off the cursor, on it (where every part takes the cursor's
        colours: a marker coloured like the cursor background would vanish), and selected."""
        looks = self._looks
        if looks is None:
            styles = self._row_styles()
            base, cursor = styles["base"], styles["cursor-base"]
            off = {name: base + styles[name] for name in self.COMPONENT_CLASSES}
            chosen = base + styles["paperlist--selected"]  # a selected row: its background throughout
            on = {name: chosen + styles[name] for name in self.COMPONENT_CLASSES}
            looks = self._looks = ({**off, "base": base}, dict.fromkeys([*off, "base"], cursor), {**on, "base": chosen})
        return looks

    def _title(self, paper_id: str) -> str:
        try:
            return to_unicode(shown(self.library.papers.title(paper_id)))  # from the catalog's index; TeX shown as Unicode
        except KeyError:
            return paper_id

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.truncate(width, overflow="ellipsis")
        segments = [Segment(s.text, s.style) for s in text.render(self.app.console) if s.text != "\n"]
        return Strip(segments).extend_cell_length(width).apply_style(base).simplify()


def fit(text: str, width: int, pad: bool = False) -> str:
    """`text` cut to `width` cells with an ellipsis (as rich's Text.truncate does), padded if asked."""
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if width > 0 else ""
    return text + " " * (width - length) if pad else text
