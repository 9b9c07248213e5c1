"""The sidebar: smart views (Inbox, New, Starred, All, Has code, With notes, For you, Hidden), the user's
saved searches (unread count, and how many are new) and tags, each with a count.

A small list (views plus the user's tags), so an OptionList is right here. The counts are taken
once (after the first screen is painted: over a large library they are too slow for the first frame),
then kept up to date from each state change (`state_changed`), so a star or a read touches one or
two prompts, never a recount over every paper or state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TypeVar

import msgspec
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui_reader.store.library import Library
from tui_reader.models import PaperState
from tui_reader.search.query import FOR_YOU_VIEW, SMART_VIEWS, Term
from tui_reader.search.searcher import Searcher
from tui_reader.search.view_counts import NEW, SavedViewCounts
from tui_reader.store.views import SavedView
from tui_reader.ui.navigation import MovingOptionList
from tui_reader.ui.safe_text import safe_line
from tui_reader.ui.saved_views import SavedViewKeys

LABEL_WIDTH = 22  # characters for "label   count" until the sidebar knows its width
COUNT_IN_THREAD_FROM = 20_000  # papers from which the sidebar counts in a thread (keys are not held up)
SAVED_ONE_BY_ONE = 50  # a bigger change (a bulk action) counts the saved views again
DEFAULT_VIEW = "view:all"
T = TypeVar("T")


def view_counts(library: Library, with_code: int, new: int = 0, states: Mapping[str, PaperState] | None = None) -> dict[str, int]:
    """How many papers each smart view shows (hidden papers only in Hidden), with `states` (the
    library's now, by default). `with_code` and `new` are counted once per catalog change."""
    present = library.papers.row  # answers `pid in` in C (the catalog's own __contains__ is Python)
    states = [(pid, s) for pid, s in (library.states if states is None else states).items() if pid in present]
    hidden = [pid for pid, s in states if s.hidden]
    shown = [s for _, s in states if not s.hidden]
    total = len(library.papers) - len(hidden)
    return {
        "inbox": total - sum(s.read for s in shown),
        "new": new,
        "starred": sum(s.starred for s in shown),
        "all": total,
        "code": with_code - sum(library.papers.has_link(pid, "code") for pid in hidden),
        "notes": sum(bool(s.note.strip()) for s in shown),
        "foryou": total - sum(s.read or s.starred for s in shown),
        "hidden": len(hidden),
    }


def new_counts(library: Library, new_ids: set[str], states: Mapping[str, PaperState]) -> dict[str, int]:
    """How many new papers each smart view and tag holds (few papers: one pass over them)."""
    counts: dict[str, int] = {}
    for pid in new_ids:
        state = states.get(pid) or PaperState()
        if state.hidden:
            continue
        keys = [f"view:{key}" for key, n in state_counts(state).items() if n] + [f"tag:{tag}" for tag in state.tags]
        keys += ["view:all"] + (["view:code"] if library.papers.has_link(pid, "code") else [])
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    return counts


def state_counts(state: PaperState, with_code: bool = False) -> dict[str, int]:
    """What one paper's state adds to the view counts that depend on state (Inbox counts unread;
    a hidden paper counts in Hidden only, so it takes itself out of All and Has code)."""
    if state.hidden:
        return {"inbox": 0, "starred": 0, "notes": 0, "foryou": 0, "hidden": 1, "all": -1, "code": -int(with_code)}
    return {"inbox": 0 if state.read else 1, "starred": int(state.starred), "notes": int(bool(state.note.strip())),
            "foryou": int(not (state.read or state.starred)), "hidden": 0, "all": 0, "code": 0}


def shown_tags(state: PaperState) -> list[str]:
    """The tags a paper counts under in the sidebar: none while it is hidden."""
    return [] if state.hidden else state.tags


def count_with_code(library: Library) -> int:
    return library.papers.count_with_link("code")  # the catalog's index knows, unparsed


class Counted(msgspec.Struct, frozen=True):
    """The sidebar's counts, taken on one snapshot of the states."""

    states: Mapping[str, PaperState]
    with_code: int
    new_ids: set[str]
    views: dict[str, int]
    tags: dict[str, int]
    new: dict[str, int]


def view_label(view: str) -> str:
    """"view:inbox" -> "Inbox", "tag:vision" -> "#vision", "like:vision" -> "More like #vision"."""
    kind, _, name = view.partition(":")
    if kind == "view" and name in SMART_VIEWS:
        return SMART_VIEWS[name][0]
    if kind == "like":
        return f"More like #{safe_line(name)}"
    if kind == "saved":
        return safe_line(name)
    return f"#{safe_line(name)}"


class Sidebar(SavedViewKeys, MovingOptionList):
    """Pick a view with Enter or a click; the chosen one is marked."""

    BINDINGS = [Binding("enter", "select", "Show this view", id="choose-view", show=False,
                        tooltip="Show the highlighted view or tag (Esc goes back to the list)"),
                *SavedViewKeys.SAVED_VIEW_BINDINGS]

    class ViewChosen(Message):
        def __init__(self, view: str) -> None:
            self.view = view  # "view:<smart view key>", "saved:<name>" or "tag:<tag>"
            super().__init__()

    def __init__(self, library: Library, saved_views: list[SavedView] | None = None,
                 new_since: str | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.new_since = new_since
        self._searcher = Searcher(library.papers, library.states, new_since)  # its own: the list's may be busy in a thread
        self.saved_views = list(saved_views or [])
        self.saved = SavedViewCounts(library.papers, library.states, library.ordered_ids, new_since)
        self._saved_shown: list[str] = []
        self.active = DEFAULT_VIEW
        self._with_code: int | None = None
        self._new_ids: set[str] = set()  # papers added since the last visit
        self.new_counts: dict[str, int] = {}  # option id -> how many of its papers are new
        self._counting = 0  # the newest count of saved views in a thread
        self._refreshing = 0  # the newest count of everything in a thread
        self._changed_while_counting = False
        self._tags: list[str] = []
        self.counts: dict[str, int] = {}  # smart view key -> count, kept up to date
        self.tag_counts: dict[str, int] = {}  # tag -> count, sorted by tag
        self.label_width = LABEL_WIDTH  # follows the sidebar's width, so a count never wraps

    def on_resize(self) -> None:
        width = max(8, self.scrollable_content_region.width - 1)
        if width != self.label_width:
            self.label_width = width
            if self.counts:
                self._show_counts(None)

    def _prompt(self, view: str, count: int | str, new: int = 0) -> Text:
        marker = "▸ " if view == self.active else "  "
        number = f"+{new} {count}" if new else str(count)
        label = Text(marker + view_label(view), no_wrap=True, overflow="ellipsis")
        label.truncate(max(1, self.label_width - len(number) - 1), overflow="ellipsis", pad=True)
        label.append(" ")
        label.append(number, style="dim")
        if view == self.active:
            label.stylize("bold")
        return label

    def refresh_counts(self, catalog_changed: bool = False) -> None:
        """Count everything afresh (at start, after an import or a restored backup). A big
        library is counted in a thread: keys are handled meanwhile."""
        if catalog_changed:
            self._searcher = Searcher(self.library.papers, self.library.states, self.new_since)
        self._refreshing += 1
        if len(self.library.papers) < COUNT_IN_THREAD_FROM:
            self._take_counts(self._counted(self.searcher(), self.library.states, catalog_changed))
            return
        generation, states = self._refreshing, self.library.states
        searcher = Searcher(self.library.papers, states, self.new_since)  # its own: the sidebar's stays the main thread's
        lock = self.library.access  # held by an import while it changes the library

        def counted_in_thread(counted: Counted) -> None:
            if generation != self._refreshing:
                return
            if counted.states is not self.library.states:  # a state changed meanwhile: count it in
                self.refresh_counts(catalog_changed)
                return
            self._take_counts(counted)

        self._in_thread(lambda: self._counted(searcher, states, catalog_changed, lock), counted_in_thread,
                        "count the sidebar", group="counts")

    def _counted(self, searcher: Searcher, states: Mapping[str, PaperState], catalog_changed: bool,
                 lock: AbstractContextManager = nullcontext()) -> Counted:
        """Every count, on `states` (a snapshot: never changed in place). No widget is touched:
        this runs in a thread for a big library. `lock` is held for one step at a time, so a
        search waiting for it waits for one step at most."""
        library = self.library
        with_code, new_ids = self._with_code, self._new_ids
        if catalog_changed or with_code is None:
            with lock:
                with_code = count_with_code(library)
                new_ids = set(searcher.filter(library.ordered_ids(), [NEW])) if searcher.new_since else set()
        with lock:
            views = view_counts(library, with_code, len(new_ids), states)
        with lock:
            tags = library.tag_counts(states)
        with lock:
            return Counted(states, with_code, new_ids, views, tags, new_counts(library, new_ids, states))

    def _take_counts(self, counted: Counted) -> None:
        self._with_code, self._new_ids = counted.with_code, counted.new_ids
        self.counts, self.tag_counts, self.new_counts = counted.views, counted.tags, counted.new
        self._recount_saved()
        self._saved_shown = []  # rebuild the options: views may have been added, renamed or moved
        self._show_counts()

    def _recount_saved(self) -> None:
        self.saved.papers, self.saved.states = self.library.papers, self.library.states
        if len(self.library.papers) < COUNT_IN_THREAD_FROM:
            self.saved.recount(self.saved_views, self.searcher())
            if self.counts:
                self._show_counts([f"saved:{view.name}" for view in self.saved_views])
        else:
            self._count_saved_in_thread()

    def _count_saved_in_thread(self) -> None:
        """Count the saved views in a thread (each view's query is a pass over a big catalog), on
        a snapshot of the states with a Searcher of its own. A state changed meanwhile makes the
        result stale: then it counts again."""
        self.saved.apply(self.saved_views, {})  # unknown until counted
        self._counting += 1
        generation, views, self._changed_while_counting = self._counting, list(self.saved_views), False
        searcher = Searcher(self.library.papers, self.library.states, self.new_since)
        lock = self.library.access  # held by an import while it changes the library

        def counted_in_thread(counted: dict) -> None:
            if generation != self._counting or views != self.saved_views:
                return
            if self._changed_while_counting:
                self._count_saved_in_thread()
                return
            self.saved.apply(views, counted)
            self._show_counts([f"saved:{view.name}" for view in views])

        self._in_thread(lambda: self.saved.count((view.query for view in views), searcher, lock), counted_in_thread,
                        "count saved views", group="saved-counts")

    def _in_thread(self, count: Callable[[], T], then: Callable[[T], None], name: str, group: str) -> None:
        """`count()` in a worker thread (a newer one of `group` replaces it), then `then(result)`
        in the app's thread, unless the app is closing meanwhile."""

        def work() -> None:
            counted = count()
            try:
                self.app.call_from_thread(then, counted)
            except RuntimeError:  # the app is closing
                pass

        self.run_worker(work, thread=True, group=group, exclusive=True, name=name, description=name, exit_on_error=False)

    def set_saved_views(self, views: list[SavedView], renamed: tuple[str, str] | None = None) -> None:
        """Show a changed list of saved views; a view shown that is gone gives way to All."""
        names = {view.name for view in views}
        self.saved_views = list(views)
        if renamed and self.active == f"saved:{renamed[0]}":
            self.active = f"saved:{renamed[1]}"
        known = self.saved.known()  # moved, renamed or kept views keep their counts
        known.update(self.saved.count([v.query for v in views if v.query not in known], self.searcher()))
        self.saved.apply(self.saved_views, known)
        kind, _, name = self.active.partition(":")
        if self.counts:
            self._show_counts()
        if kind == "saved" and name not in names:
            self.choose(DEFAULT_VIEW)
        elif kind == "saved":
            self.post_message(self.ViewChosen(self.active))  # its query may differ

    def searcher(self) -> Searcher:
        """The sidebar's Searcher, on the library's current states."""
        self._searcher.states = self.library.states
        return self._searcher

    def saved_terms(self, name: str) -> list[Term]:
        """The terms of saved view `name` (none, so all papers, when it is gone)."""
        from tui_reader.search.query import parse_query

        view = next((v for v in self.saved_views if v.name == name), None)
        return parse_query(view.query) if view else []

    def state_changed(self, before: PaperState, after: PaperState, paper_id: str | None = None) -> None:
        """One paper's state went from `before` to `after`: adjust the counts it moves."""
        self.states_changed([(paper_id, before, after)])

    def states_changed(self, changes: Iterable[tuple[str | None, PaperState, PaperState]]) -> None:
        """Papers' states went from `before` to `after` (one undo step: a bulk mark-read of 10,000
        papers moves the counts here without a recount)."""
        if not self.counts:  # not counted yet: the first count will see the new state
            return
        self.saved.states = self.library.states
        self._changed_while_counting = True
        changes = list(changes)
        changed: list[str] = []
        if len(changes) > SAVED_ONE_BY_ONE:
            self._recount_saved()
        else:
            for paper_id, before, after in changes:
                if paper_id:
                    changed += [f"saved:{name}" for name in self.saved.state_changed(paper_id, before, after)]
        moved: dict[str, int] = {}
        tag_moves: dict[str, int] = {}
        for paper_id, before, after in changes:
            code = before.hidden != after.hidden and paper_id is not None and self.library.papers.has_link(paper_id, "code")
            old, new = state_counts(before, code), state_counts(after, code)
            is_new = paper_id in self._new_ids
            for key in old:
                if old[key] != new[key]:
                    moved[key] = moved.get(key, 0) + new[key] - old[key]
                    if is_new:
                        self.new_counts[f"view:{key}"] = self.new_counts.get(f"view:{key}", 0) + new[key] - old[key]
            old_tags, new_tags = set(shown_tags(before)), set(shown_tags(after))
            for tag in old_tags ^ new_tags:
                tag_moves[tag] = tag_moves.get(tag, 0) + (1 if tag in new_tags else -1)
                if is_new:
                    self.new_counts[f"tag:{tag}"] = self.new_counts.get(f"tag:{tag}", 0) + (1 if tag in new_tags else -1)
        for key, delta in moved.items():
            self.counts[key] += delta
        tags = dict(self.tag_counts)
        for tag, delta in tag_moves.items():
            tags[tag] = tags.get(tag, 0) + delta
            if tags[tag] <= 0:
                del tags[tag]
        self.tag_counts = dict(sorted(tags.items())) if list(tags) != list(self.tag_counts) else tags
        self._show_counts(changed + [f"view:{key}" for key in moved] + [f"tag:{tag}" for tag in tag_moves])

    def _count_of(self, view: str) -> int:
        kind, _, name = view.partition(":")
        if kind == "saved":
            return self.saved.unread.get(name, 0)
        return self.counts.get(name, 0) if kind == "view" else self.tag_counts.get(name, 0)

    def _option_prompt(self, view: str) -> Text:
        kind, _, name = view.partition(":")
        if kind == "saved":
            if name not in self.saved.unread:
                return self._prompt(view, "…")
            return self._prompt(view, self.saved.unread[name], self.saved.new.get(name, 0))
        if view == f"view:{FOR_YOU_VIEW}" and not self._count_of("view:starred"):
            return self._prompt(view, "–")  # nothing to rank by yet: the view says "star a few papers"
        return self._prompt(view, self._count_of(view), self.new_counts.get(view, 0) if view != "view:new" else 0)

    def _show_counts(self, changed: list[str] | None = None) -> None:
        """Show the counts; rebuild the option list only when the set of tags changed, else
        re-prompt the `changed` views (all when None)."""
        tag_counts = self.tag_counts
        saved = [f"saved:{view.name}" for view in self.saved_views]
        if list(tag_counts) == self._tags and saved == self._saved_shown and self.option_count:
            views = changed if changed is not None else [f"view:{key}" for key in SMART_VIEWS] + saved + [f"tag:{t}" for t in tag_counts]
            if "view:starred" in views:
                views = [*views, f"view:{FOR_YOU_VIEW}"]  # its count shows only while there are stars
            for view in dict.fromkeys(views):
                try:
                    self.replace_option_prompt(view, self._option_prompt(view))
                except OptionDoesNotExist:
                    pass
            return
        self._tags, self._saved_shown = list(tag_counts), saved
        highlighted = self.highlighted_option.id if self.highlighted_option else self.active
        self.clear_options()
        self.add_options([Option(self._option_prompt(f"view:{key}"), id=f"view:{key}") for key in SMART_VIEWS])
        if saved:
            self.add_option(None)
            self.add_option(Option(Text("Saved searches", style="bold"), id="heading:saved", disabled=True))
            self.add_options([Option(self._option_prompt(view), id=view) for view in saved])
        if tag_counts:
            self.add_option(None)
            self.add_option(Option(Text("Tags", style="bold"), id="heading:tags", disabled=True))
            self.add_options([Option(self._option_prompt(f"tag:{tag}"), id=f"tag:{tag}") for tag in tag_counts])
        try:
            self.highlighted = self.get_option_index(highlighted)
        except OptionDoesNotExist:  # the highlighted tag is gone: back to the first view
            self.highlighted = 0

    def choose(self, view: str) -> None:
        """Make `view` the active one (marked), and tell the screen."""
        before, self.active = self.active, view
        if self.counts:
            self._show_counts([before, view])  # move the marker
        self.post_message(self.ViewChosen(view))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.id.startswith("heading:"):
            self.choose(event.option.id)
