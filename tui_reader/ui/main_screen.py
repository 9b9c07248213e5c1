"""The main screen: sidebar, paper list, detail pane, and every action on the current paper.

Every change of the user's state goes through a Library method at once (which writes the state
file), and a failed write becomes a notification: the app keeps working and the user can retry.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets import Input

from tui_reader.errors import ReaderError
from tui_reader.store.library import Library
from tui_reader.models import Paper, PaperState
from tui_reader.search.query import SMART_VIEWS, SORT_ORDERS, QueryError, Term, parse_query, state_term_holds
from tui_reader.search.searcher import Query, SearchSession, Shown
from tui_reader.ui.detail import DetailPane
from tui_reader.ui.footer import QuietFooter
from tui_reader.ui.link_actions import LinkActions
from tui_reader.ui.paper_list import PaperList
from tui_reader.ui.related import LIKE_PREFIX, RELATED_AFTER, RELATED_BINDINGS, RelatedActions, ranked_view
from tui_reader.ui.safe_text import safe_line
from tui_reader.ui.scrolling import ResizingContentScrollView
from tui_reader.ui.sidebar import DEFAULT_VIEW, Sidebar, view_label
from tui_reader.ui.triage import TriageActions
from tui_reader.wording import plural, shown

if TYPE_CHECKING:
    from tui_reader.ui.app import ReaderApp

NARROW_WIDTH = 90  # below this the sidebar folds away (b shows it) and the detail pane goes under the list
TINY_WIDTH, TINY_HEIGHT = 60, 16  # below either: one pane at a time (Enter reads, Esc comes back)
PREPARE_SEARCH_AFTER = 0.5  # seconds after the screen is mounted
HIDDEN_OUT = Term("is", "hidden", negated=True)  # every view but Hidden


class SearchField(Input, ResizingContentScrollView):
    """The search field: a key lays out nothing (see ResizingContentScrollView)."""


class MainScreen(TriageActions, RelatedActions, LinkActions, Screen):
    BINDINGS = [
        Binding("s", "star", "Star", id="star", tooltip="Star or unstar the paper (or the selected ones)"),
        Binding("r", "toggle_read", "Read", id="toggle-read", tooltip="Mark the paper (or the selected ones) read or unread"),
        Binding("t", "tag", "Tag", id="tag", tooltip="Add tags to the paper or the selection (comma-separated, tab completes)"),
        Binding("T", "untag", "Untag", id="untag", show=False, tooltip="Remove a tag from the paper or the selection"),
        Binding("n", "note", "Note", id="note", tooltip="Edit the paper's note (Markdown)"),
        Binding("d", "hide", "Hide", id="hide", show=False, tooltip="Hide the paper or the selection (in Hidden: bring back)"),
        Binding("u,ctrl+z", "undo", "Undo", id="undo", show=False, tooltip="Undo the last change (several levels)"),
        Binding("U,ctrl+r", "redo", "Redo", id="redo", show=False, tooltip="Redo what was undone"),
        Binding("A", "mark_all_read", "All read", id="mark-all-read", show=False, tooltip="Mark every paper in this view or search read (asks first)"),
        Binding("space", "toggle_selection", "Select", id="select", show=False, tooltip="Select or unselect the paper, then move down"),
        Binding("shift+down", "extend_down", "Extend down", id="extend-down", show=False, tooltip="Select this paper and the next"),
        Binding("shift+up", "extend_up", "Extend up", id="extend-up", show=False, tooltip="Select this paper and the one above"),
        Binding("V", "select_range", "Select range", id="select-range", show=False, tooltip="Select from the last paper picked with space to here"),
        Binding("asterisk", "select_all", "Select all", id="select-all", show=False, tooltip="Select every paper shown (again: none)"),
        Binding("c", "copy_code", "Copy repo", id="copy-code", tooltip="Copy the code-repo link"),
        Binding("C", "copy_paper", "Copy link", id="copy-paper", show=False, tooltip="Copy the paper's own link (arXiv / HF)"),
        Binding("o", "open_browser", "Open", id="open-browser", show=False, tooltip="Open the repo (else the paper) in the browser"),
        Binding("l", "pick_link", "Links", id="pick-link", show=False, tooltip="Every link, numbered: a number or Enter opens, y copies"),
        Binding("a", "open_arxiv", "arXiv", id="open-arxiv", show=False, tooltip="Open the arXiv page in the browser"),
        Binding("p", "open_pdf", "PDF", id="open-pdf", show=False, tooltip="Open the PDF in the browser"),
        Binding("slash", "search", "Search", id="search", tooltip="Search as you type"),
        Binding("escape", "clear_search", "Back", id="clear-search", show=False, tooltip="Clear the selection; else back to the list; in the list, clear the search"),
        Binding("S", "cycle_sort", "Sort", id="sort", tooltip="Cycle the sort order"),
        Binding("F", "save_search", "Follow", id="save-view", show=False, tooltip="Save the search as a sidebar view"),
        Binding("b", "toggle_sidebar", "Sidebar", id="toggle-sidebar", show=False, tooltip="Show or hide the tag sidebar"),
        Binding("tab", "next_pane", "Next pane", id="next-pane", show=False, tooltip="Move to the next pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", id="previous-pane", show=False, tooltip="Move to the previous pane"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show every key"),
        Binding("J", "scroll_detail(1)", "Scroll detail down", id="detail-down", show=False, tooltip="Scroll the detail pane down a line (from any pane)"),
        Binding("K", "scroll_detail(-1)", "Scroll detail up", id="detail-up", show=False, tooltip="Scroll the detail pane up a line (from any pane)"),
        Binding("ctrl+d", "scroll_detail_page(1)", "Detail page down", id="detail-page-down", show=False, tooltip="Scroll the detail pane down a page"),
        Binding("ctrl+u", "scroll_detail_page(-1)", "Detail page up", id="detail-page-up", show=False, tooltip="Scroll the detail pane up a page"),
        *RELATED_BINDINGS,
    ]

    def __init__(self, library: Library, saved_views: list | None = None, new_since: str | None = None) -> None:
        super().__init__()
        self.library = library
        self.saved_views, self.new_since = saved_views or [], new_since  # the sidebar keeps them after
        self.session = SearchSession(library, new_since, ranker=self)  # what the list shows is the session's newest answer
        self.view = DEFAULT_VIEW
        self.sort = next(iter(SORT_ORDERS))
        self.search_text = ""
        self.shown_id: str | None = None  # the paper in the detail pane
        self.left_view: set[str] = set()  # papers shown that a state change took out of the view (kept until refreshed)
        self.shown_terms: tuple[Term, ...] = ()  # the query behind the rows shown, for the title
        self.shown_search = ""
        self._search_asked = ""
        self._laid_out_size: Size | None = None
        self.storing = False  # papers are being stored in a thread (see hold_for_store)
        self.progress: str | None = None  # background work's line, shown instead of the sort until done

    # -- layout --------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(self.library, self.saved_views, self.new_since, id="sidebar")
            with Horizontal(id="main"):
                with Vertical(id="list-column"):
                    yield SearchField(placeholder='search: words  "phrase"  tag:x  is:unread  has:code  -word', id="search")
                    yield PaperList(self.library, id="papers")
                yield DetailPane(id="detail")
        yield QuietFooter()

    @property
    def reader_app(self) -> ReaderApp:
        """The app this screen runs in, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def paper_list(self) -> PaperList:
        return self.query_one(PaperList)

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    def on_mount(self) -> None:
        self.apply_filter()
        self.paper_list.focus()
        self.call_after_refresh(self._fill_after_first_frame)
        self.set_timer(PREPARE_SEARCH_AFTER, self.prepare_search)
        self.set_timer(RELATED_AFTER, self.start_related_model)

    def _fill_after_first_frame(self) -> None:
        """The list is what the first frame is for; then the paper under the cursor; then the
        sidebar's counts (in a thread for a big library, which would slow the frames before)."""
        self.show_current()
        self.call_after_refresh(self.sidebar.refresh_counts, catalog_changed=True)

    def prepare_search(self) -> None:
        """In a big catalog, build the searcher's caches in a thread once the first screen is up:
        the first search key then costs what every later one does."""
        if not self.session.is_big():
            return
        self.run_worker(self.session.prepare, name="prepare search", description="prepare search", thread=True,
                        group="prepare", exit_on_error=False)

    def _screen_resized(self, size: Size) -> None:
        # Textual lays out and repaints the whole screen for every Resize it passes on, also one of
        # the size already laid out: at start there were four or five of them after the first frame,
        # and keys pressed meanwhile waited.
        if size == self._laid_out_size:
            return
        if self.stack_updates and self.is_attached:
            self._laid_out_size = size
        super()._screen_resized(size)

    def on_resize(self) -> None:
        width, height = self.size
        self.set_class(width < NARROW_WIDTH, "-narrow")
        self.set_class(width < TINY_WIDTH or height < TINY_HEIGHT, "-tiny")
        if not self.has_class("-narrow"):
            self.remove_class("-sidebar-open")
        if not self.has_class("-tiny"):
            self.remove_class("-reading")
        self.keep_focus_visible()
        self.update_titles()

    def keep_focus_visible(self) -> None:
        """After a resize or a pane folding away, focus what can be seen: never a hidden pane."""
        focused = self.focused
        if focused is self.detail and self.has_class("-tiny"):
            self.add_class("-reading")  # the paper being read stays on screen
        hidden = ((focused is self.sidebar and self.has_class("-narrow") and not self.has_class("-sidebar-open"))
                  or (focused is self.detail and self.has_class("-tiny") and not self.has_class("-reading"))
                  or (focused is self.paper_list and self.has_class("-reading")))
        if focused is None or hidden:
            (self.detail if self.has_class("-reading") else self.paper_list).focus()

    # -- what the list shows -------------------------------------------------------------------

    def view_terms(self) -> list[Term]:
        kind, _, name = self.view.partition(":")
        if kind == "tag":
            terms = [Term("tag", name)]
        elif self.view.startswith(LIKE_PREFIX):  # "More like #tag": the papers without it yet
            terms = [Term("tag", name, negated=True)]
        elif kind == "saved":
            terms = list(self.sidebar.saved_terms(name))
        else:
            terms = parse_query(SMART_VIEWS[name][1]) if name in SMART_VIEWS else []
        if self.view != "view:hidden" and self.library.has_hidden():
            terms.append(HIDDEN_OUT)  # only while a paper is hidden: the default view stays a plain list
        return terms

    def apply_filter(self) -> None:
        """Rebuild the list from the view, the search and the sort; the cursor stays on its paper.

        The search session decides how (see SearchSession); in a big catalog a query with terms
        runs in a thread, so keys are handled at once. The count and the rows are shown as soon
        as the answer is in."""
        search = self.query_one("#search", Input)
        try:
            terms = self.view_terms() + parse_query(self.search_text)
        except QueryError as error:
            self.session.cancel()
            search.border_subtitle = Text(str(error))
            search.add_class("-error")
            return
        search.border_subtitle = None
        search.remove_class("-error")
        query = self.session.ask(self.view, self.sort, terms, keep=self.paper_list.current_id)
        self._search_asked = self.search_text
        answer = None if self.session.in_thread(query) else self.session.run_now(query)
        if answer is not None:
            self._show_answer(query, answer)
        else:
            # name and description given: Textual's default is the repr of the callable, here a
            # partial holding every id, a slow repr on every key
            self.run_worker(partial(self._query_in_thread, query), name="search", description="search",
                            thread=True, exclusive=True, group="search", exit_on_error=False)

    def _query_in_thread(self, query: Query) -> None:
        answer = self.session.run(query)
        if answer is not None:
            try:
                self.app.call_from_thread(self._show_answer, query, answer)
            except RuntimeError:  # the app is closing
                pass

    def _show_answer(self, query: Query, answer: Shown) -> None:
        before = self.session.shown
        if not self.session.accept(query, answer):
            return
        self.left_view = set()
        self.shown_terms, self.shown_search = answer.terms, self._search_asked
        keep = self.take_pending_jump() or self.paper_list.current_id
        if keep is not None and keep == answer.keep:  # already looked for, in the query's thread
            self.paper_list.set_rows(answer.ids, keep_at=answer.kept_at)
        else:
            self.paper_list.set_rows(answer.ids, keep=keep)
        if before is None or before.view != answer.view:  # the For-you score shows in a ranked view only
            self.show_related(self.shown_id)
        self.update_titles()

    def update_titles(self) -> None:
        """The title says what the list holds: the view and search behind the rows shown (not a
        search still being typed, nor one that did not parse), and the papers a change took out."""
        papers = self.paper_list
        label = view_label(self.view)
        search = self.shown_search
        searched = f" matching {safe_line(search)!r}" if search else ""
        left = f" · {len(self.left_view)} leave on Esc" if self.left_view else ""
        papers.border_title = Text(f"{label} · {plural(len(papers.ids), 'paper')}{searched}{left}")
        note = self.for_you_note if ranked_view(self.view) else None  # For you: why it is empty
        if note:
            papers.empty_text = note
        elif search:
            papers.empty_text = f"Nothing in {label} matches {safe_line(search)!r}. Esc clears the search."
        else:
            papers.empty_text = f"No papers in {label}. " + ("b shows the other views." if self.has_class("-narrow") else "The sidebar has the other views.")
        hint = "views & tags: b · " if self.has_class("-narrow") else ""
        if papers.selected:
            hint = f"{len(papers.selected):,} selected (Esc clears) · " + hint
        papers.border_subtitle = Text(self.progress or f"{hint}sorted by {SORT_ORDERS[self.sort]} (S)")

    def show_progress(self, text: str | None) -> None:
        """Progress of background work in the list's bottom border (kept there while the list
        changes); None puts the sort back."""
        self.progress = text
        if text is None:
            self.update_titles()
        else:
            self.paper_list.border_subtitle = Text(text)

    def reload(self, catalog_changed: bool = True) -> None:
        """After a restored backup or an import: everything may differ. The list first: the
        sidebar's count of a big library holds the library's lock in a thread, which would send
        the list's query to a thread behind it."""
        self.session.reset()
        self.apply_filter()
        self.paper_list.refresh_all_rows()
        self.show_current(force=True)
        self.sidebar.refresh_counts(catalog_changed=catalog_changed)
        self.prepare_search()
        self.start_related_model()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.search_text = event.value
            self.apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self.paper_list.focus()

    def on_sidebar_view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.view = event.view
        self.apply_filter()
        if self.has_class("-narrow"):
            self.remove_class("-sidebar-open")
            self.paper_list.focus()

    def on_paper_list_selection_changed(self, event: PaperList.SelectionChanged) -> None:
        self.update_titles()

    # -- the detail pane follows the cursor ----------------------------------------------------

    def on_paper_list_highlighted(self, event: PaperList.Highlighted) -> None:
        # After the list's own frame: the rows and the count are not held back by the detail's
        # layout (a new abstract reflows the pane). Many moves in a row show the last paper once.
        self.call_after_refresh(self.show_current)

    def hold_for_store(self, holding: bool) -> None:
        """While papers are stored in a thread: the list draws only rows it has drawn before and
        the detail pane stays as it is (reload() shows everything afresh after)."""
        self.storing = holding
        self.paper_list.cached_rows_only = holding

    def show_current(self, force: bool = False) -> None:
        if self.storing:
            return
        pid = self.paper_list.current_id
        if pid == self.shown_id and not force:
            return
        self.shown_id = pid
        paper = self.library.papers.get(pid) if pid else None
        self.query_one(DetailPane).show(paper, self.library.state(pid) if pid else PaperState())
        self.show_related(pid)

    def action_read(self) -> None:
        """Enter on the list. Run here, not through a message from the list: the keys typed after
        Enter are held until the detail pane has them (key_order)."""
        if self.paper_list.current_id is not None:
            self.read(self.paper_list.current_id)

    def on_paper_list_chosen(self, event: PaperList.Chosen) -> None:  # a click on a row
        self.read(event.paper_id)

    def read(self, paper_id: str) -> None:
        """Read the paper. The detail pane takes the keys (j/k scroll it, Esc comes back); in a
        tiny terminal it takes the whole screen meanwhile."""
        self.show_current()
        if self.has_class("-tiny"):
            self.add_class("-reading")
        self.detail.focus()
        if not self.library.state(paper_id).read and (not self.library.read_only or self.library.forward):  # (the banner says why)
            self.save(paper_id, lambda: self.library.set_read([paper_id], True))

    # -- saving --------------------------------------------------------------------------------

    def save(self, paper_id: str, change: Callable[[], object]) -> bool:
        """Run one Library change; on failure say so and carry on (the disk is unchanged)."""
        if self.storing:  # a background store is writing the library: the change follows it
            self.app.background_fetch.defer(partial(self.save, paper_id, change))
            return True
        before = self.library.state(paper_id)  # the Library replaces a state, never changes it in place
        try:
            change()
        except ReaderError as error:
            self.app.notify(str(error), title="Not saved", severity="error", markup=False)
            ok = False
        else:
            ok = True
        self.session.states_changed()
        self.paper_list.refresh_paper(paper_id)
        if ok:
            self.sidebar.state_changed(before, self.library.state(paper_id), paper_id)
            self.note_left_view(paper_id)
        else:
            self.sidebar.refresh_counts()  # the states were reloaded from disk
        if paper_id == self.shown_id:
            self.show_current(force=True)
        return ok

    def note_left_view(self, paper_id: str) -> None:
        """A shown paper whose new state no longer fits the view stays (the cursor must not jump),
        and the title counts it."""
        if self.paper_list.row_of(paper_id) is None:
            return
        state = self.library.state(paper_id)
        if any(state_term_holds(term, state) is False for term in self.shown_terms):
            self.left_view.add(paper_id)
        else:
            self.left_view.discard(paper_id)
        self.update_titles()

    def current_paper(self) -> Paper | None:
        pid = self.paper_list.current_id
        if pid is None:
            self.app.notify("No paper selected.", severity="warning")
            return None
        return self.library.papers[pid]

    # -- actions -------------------------------------------------------------------------------

    def action_star(self) -> None:
        if ids := self.targets():
            starred = not all(self.library.state(pid).starred for pid in ids)  # a mixed selection: star all
            self.change_many(ids, lambda: self.library.set_starred(ids, starred))

    def action_toggle_read(self) -> None:
        if ids := self.targets():
            read = not all(self.library.state(pid).read for pid in ids)
            self.change_many(ids, lambda: self.library.set_read(ids, read))

    def action_tag(self) -> None:
        if not (ids := self.targets()):
            return

        def add(tags: list[str] | None) -> None:
            if tags:
                self.change_many(ids, lambda: self.library.add_tags(ids, tags))

        # The dialogs (TextArea and friends) are imported when one is first opened, not at start.
        from tui_reader.ui.dialogs import TagPrompt

        self.app.push_screen(TagPrompt(f"Add tags to: {self.target_label(ids)}", list(self.library.tag_counts())), add)

    def action_untag(self) -> None:
        if not (ids := self.targets()):
            return
        tags = list(dict.fromkeys(tag for pid in ids for tag in self.library.state(pid).tags))
        if not tags:
            self.app.notify("This paper has no tags to remove." if len(ids) == 1 else "The selected papers have no tags to remove.", severity="warning")
            return

        def remove(tag: str | None) -> None:
            if tag:
                self.change_many(ids, lambda: self.library.remove_tags(ids, [tag]))

        from tui_reader.ui.dialogs import PickOne, tag_choices

        self.app.push_screen(PickOne("Remove which tag?", tag_choices(tags)), remove)

    def action_note(self) -> None:
        if not (paper := self.current_paper()):
            return

        def store(note: str | None) -> None:
            if note is not None:
                self.save(paper.id, lambda: self.library.set_note(paper.id, note))

        blink = self.reader_app.cursor_blink
        from tui_reader.ui.dialogs import NoteEditor

        self.app.push_screen(NoteEditor(shown(paper.title), self.library.state(paper.id).note, blink), store)

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("-active")
        search.focus()

    def action_clear_search(self) -> None:
        if self.paper_list.selected:
            self.paper_list.clear_selection()
            return
        if self.has_class("-sidebar-open") or self.has_class("-reading") or self.sidebar.has_focus or self.detail.has_focus:
            self.remove_class("-sidebar-open", "-reading")
            self.paper_list.focus()
            return
        search = self.query_one("#search", Input)
        search.remove_class("-active")
        if search.value:
            search.value = ""  # Input.Changed re-filters
        else:
            self.apply_filter()  # drops the papers that no longer match (see note_left_view)
        self.paper_list.focus()

    def action_cycle_sort(self) -> None:
        orders = list(SORT_ORDERS)
        self.sort = orders[(orders.index(self.sort) + 1) % len(orders)]
        remember = getattr(self.app, "remember", None)
        if remember is not None:
            remember(sort=self.sort)  # the next start opens in this order
        self.apply_filter()
        self.app.notify(f"Sorted by {SORT_ORDERS[self.sort]}", timeout=2)

    def action_save_search(self) -> None:
        from tui_reader.ui.saved_views import save_search

        save_search(self)

    def action_toggle_sidebar(self) -> None:
        if self.has_class("-narrow"):
            self.toggle_class("-sidebar-open")
            if self.has_class("-sidebar-open"):
                self.remove_class("-reading")
                self.sidebar.focus()
            else:
                self.paper_list.focus()
            return
        shown = self.reader_app.toggle_sidebar_setting()
        self.set_class(not shown, "-sidebar-hidden")
        if not shown and self.sidebar.has_focus:
            self.paper_list.focus()

    def action_scroll_detail(self, lines: int) -> None:
        self.detail.scroll_by(lines, animate=False)

    def action_scroll_detail_page(self, pages: int) -> None:
        self.detail.scroll_by(pages * max(1, self.detail.scrollable_content_region.height - 1), animate=False)

    def action_next_pane(self) -> None:
        self.focus_next()

    def action_previous_pane(self) -> None:
        self.focus_previous()

    def action_help(self) -> None:
        self.reader_app.show_help()
