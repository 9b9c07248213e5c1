"""The sidebar: smart views (Inbox, Starred, All, Has code, With notes, Hidden) and tags, each with a count.

A small list (views plus the user's tags), so an OptionList is right here. The counts are taken
once (after the first screen is painted: over a large library they are too slow for the first frame),
then kept up to date from each state change (`state_changed`), so a star or a read touches one or
two prompts, never a recount over every paper or state.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui_reader.store.library import Library
from tui_reader.models import PaperState
from tui_reader.search.query import SMART_VIEWS
from tui_reader.ui.safe_text import safe_line

LABEL_WIDTH = 22  # characters for "label   count" inside the sidebar's fixed width
DEFAULT_VIEW = "view:all"


def view_counts(library: Library, with_code: int) -> dict[str, int]:
    """How many papers each smart view shows (hidden papers only in Hidden). `with_code` is
    counted once per catalog change."""
    present = known_ids(library)
    states = [(pid, s) for pid, s in library.states.items() if pid in present]
    hidden = [pid for pid, s in states if s.hidden]
    shown = [s for _, s in states if not s.hidden]
    total = len(library.papers) - len(hidden)
    return {
        "inbox": total - sum(s.read for s in shown),
        "starred": sum(s.starred for s in shown),
        "all": total,
        "code": with_code - sum(has_code(library, pid) for pid in hidden),
        "notes": sum(bool(s.note.strip()) for s in shown),
        "hidden": len(hidden),
    }


def state_counts(state: PaperState, with_code: bool = False) -> dict[str, int]:
    """What one paper's state adds to the view counts that depend on state (Inbox counts unread;
    a hidden paper counts in Hidden only, so it takes itself out of All and Has code)."""
    if state.hidden:
        return {"inbox": 0, "starred": 0, "notes": 0, "hidden": 1, "all": -1, "code": -int(with_code)}
    return {"inbox": 0 if state.read else 1, "starred": int(state.starred), "notes": int(bool(state.note.strip())),
            "hidden": 0, "all": 0, "code": 0}


def has_code(library: Library, pid: str) -> bool:
    fast = getattr(library.papers, "has_link", None)
    return fast(pid, "code") if fast is not None else any(link.kind == "code" for link in library.papers[pid].links)


def shown_tags(state: PaperState) -> list[str]:
    """The tags a paper counts under in the sidebar: none while it is hidden."""
    return [] if state.hidden else state.tags


def known_ids(library: Library):
    """What answers `pid in` fastest: the catalog's row dict (its own __contains__ is Python)."""
    return getattr(library.papers, "row", library.papers)


def tag_counts(library: Library) -> dict[str, int]:
    counts: dict[str, int] = {}
    present = known_ids(library)
    for pid, state in library.states.items():
        if pid in present and state.tags:
            for tag in shown_tags(state):
                counts[tag] = counts.get(tag, 0) + 1
    return dict(sorted(counts.items()))


def count_with_code(library: Library) -> int:
    return library.papers.count_with_link("code")  # the catalog's index knows, unparsed


def view_label(view: str) -> str:
    """"view:inbox" -> "Inbox", "tag:vision" -> "#vision"."""
    kind, _, name = view.partition(":")
    if kind == "view" and name in SMART_VIEWS:
        return SMART_VIEWS[name][0]
    return f"#{safe_line(name)}"


class Sidebar(OptionList):
    """Pick a view with Enter or a click; the chosen one is marked."""

    class ViewChosen(Message):
        def __init__(self, view: str) -> None:
            self.view = view  # "view:<smart view key>" or "tag:<tag>"
            super().__init__()

    def __init__(self, library: Library, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.library = library
        self.active = DEFAULT_VIEW
        self._with_code: int | None = None
        self._tags: list[str] = []
        self.counts: dict[str, int] = {}  # smart view key -> count, kept up to date
        self.tag_counts: dict[str, int] = {}  # tag -> count, sorted by tag

    def on_mount(self) -> None:
        # The list of papers is what the first screen is for: count after it is painted.
        self.call_after_refresh(self.refresh_counts, catalog_changed=True)

    def _prompt(self, view: str, count: int) -> Text:
        marker = "▸ " if view == self.active else "  "
        number = str(count)
        label = Text(marker + view_label(view), no_wrap=True, overflow="ellipsis")
        label.truncate(max(1, LABEL_WIDTH - len(number) - 1), overflow="ellipsis", pad=True)
        label.append(" ")
        label.append(number, style="dim")
        if view == self.active:
            label.stylize("bold")
        return label

    def refresh_counts(self, catalog_changed: bool = False) -> None:
        """Count everything afresh (at start, after an import, a restored backup or a bulk change);
        only the entries whose count moved are drawn again."""
        if catalog_changed or self._with_code is None:
            self._with_code = count_with_code(self.library)
        old_counts, old_tags = self.counts, self.tag_counts
        self.counts = view_counts(self.library, self._with_code)
        self.tag_counts = tag_counts(self.library)
        if old_counts and list(old_tags) == list(self.tag_counts) and not catalog_changed:
            moved = [f"view:{key}" for key, count in self.counts.items() if old_counts.get(key) != count]
            moved += [f"tag:{tag}" for tag, count in self.tag_counts.items() if old_tags.get(tag) != count]
            self._show_counts(moved)
        else:
            self._show_counts()

    def state_changed(self, before: PaperState, after: PaperState, paper_id: str | None = None) -> None:
        """One paper's state went from `before` to `after`: adjust the counts it moves."""
        self.states_changed([(paper_id, before, after)])

    def states_changed(self, changes: Iterable[tuple[str | None, PaperState, PaperState]]) -> None:
        """Papers' states went from `before` to `after` (one undo step: a bulk mark-read of 10,000
        papers moves the counts here without a recount)."""
        if not self.counts:  # not counted yet: the first count will see the new state
            return
        moved: dict[str, int] = {}
        tag_moves: dict[str, int] = {}
        for paper_id, before, after in changes:
            code = before.hidden != after.hidden and paper_id is not None and has_code(self.library, paper_id)
            old, new = state_counts(before, code), state_counts(after, code)
            for key in old:
                if old[key] != new[key]:
                    moved[key] = moved.get(key, 0) + new[key] - old[key]
            old_tags, new_tags = set(shown_tags(before)), set(shown_tags(after))
            for tag in old_tags ^ new_tags:
                tag_moves[tag] = tag_moves.get(tag, 0) + (1 if tag in new_tags else -1)
        for key, delta in moved.items():
            self.counts[key] += delta
        tags = dict(self.tag_counts)
        for tag, delta in tag_moves.items():
            tags[tag] = tags.get(tag, 0) + delta
            if tags[tag] <= 0:
                del tags[tag]
        self.tag_counts = dict(sorted(tags.items())) if list(tags) != list(self.tag_counts) else tags
        self._show_counts([f"view:{key}" for key in moved] + [f"tag:{tag}" for tag in tag_moves])

    def _count_of(self, view: str) -> int:
        kind, _, name = view.partition(":")
        return self.counts.get(name, 0) if kind == "view" else self.tag_counts.get(name, 0)

    def _show_counts(self, changed: list[str] | None = None) -> None:
        """Show the counts; rebuild the option list only when the set of tags changed, else
        re-prompt the `changed` views (all when None)."""
        tag_counts = self.tag_counts
        if list(tag_counts) == self._tags and self.option_count:
            views = changed if changed is not None else [f"view:{key}" for key in SMART_VIEWS] + [f"tag:{t}" for t in tag_counts]
            for view in dict.fromkeys(views):
                try:
                    self.replace_option_prompt(view, self._prompt(view, self._count_of(view)))
                except OptionDoesNotExist:
                    pass
            return
        self._tags = list(tag_counts)
        highlighted = self.highlighted_option.id if self.highlighted_option else self.active
        self.clear_options()
        self.add_options([Option(self._prompt(f"view:{key}", self.counts[key]), id=f"view:{key}") for key in SMART_VIEWS])
        if tag_counts:
            self.add_option(None)
            self.add_option(Option(Text("Tags", style="bold"), id="heading:tags", disabled=True))
            self.add_options([Option(self._prompt(f"tag:{tag}", n), id=f"tag:{tag}") for tag, n in tag_counts.items()])
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
