"""The sidebar: smart views (Inbox, Starred, All, Has code, With notes) and tags, each with a count.

A small list (views plus the user's tags), so an OptionList is right here; counts come from the
state file's records, never from a scan of the whole catalog on each keypress.
"""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from tui_reader.library import Library
from tui_reader.query import SMART_VIEWS
from tui_reader.ui.safe_text import safe_line

LABEL_WIDTH = 22  # characters for "label   count" inside the sidebar's fixed width
DEFAULT_VIEW = "view:all"


def view_counts(library: Library, with_code: int) -> dict[str, int]:
    """How many papers each smart view shows. `with_code` is counted once per catalog change."""
    states = [s for pid, s in library.states.items() if pid in library.papers]
    total = len(library.papers)
    return {
        "inbox": total - sum(s.read for s in states),
        "starred": sum(s.starred for s in states),
        "all": total,
        "code": with_code,
        "notes": sum(bool(s.note.strip()) for s in states),
    }


def count_with_code(library: Library) -> int:
    fast = getattr(library.papers, "count_with_link", None)  # the catalog's index knows, unparsed
    if fast is not None:
        return fast("code")
    return sum(any(link.kind == "code" for link in p.links) for p in library.papers.values())


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

    def on_mount(self) -> None:
        self.refresh_counts(catalog_changed=True)

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
        """Update every count; rebuild the option list only when the set of tags changed."""
        if catalog_changed or self._with_code is None:
            self._with_code = count_with_code(self.library)
        counts = view_counts(self.library, self._with_code)
        tag_counts = self.library.tag_counts()
        options = [(f"view:{key}", counts[key]) for key in SMART_VIEWS]
        options += [(f"tag:{tag}", n) for tag, n in tag_counts.items()]
        if list(tag_counts) == self._tags and self.option_count:
            for view, count in options:
                self.replace_option_prompt(view, self._prompt(view, count))
            return
        self._tags = list(tag_counts)
        highlighted = self.highlighted_option.id if self.highlighted_option else self.active
        self.clear_options()
        self.add_options([Option(self._prompt(view, count), id=view) for view, count in options[: len(SMART_VIEWS)]])
        if tag_counts:
            self.add_option(None)
            self.add_option(Option(Text("Tags", style="bold"), id="heading:tags", disabled=True))
            self.add_options([Option(self._prompt(view, count), id=view) for view, count in options[len(SMART_VIEWS):]])
        try:
            self.highlighted = self.get_option_index(highlighted)
        except OptionDoesNotExist:  # the highlighted tag is gone: back to the first view
            self.highlighted = 0

    def choose(self, view: str) -> None:
        """Make `view` the active one (marked), and tell the screen."""
        self.active = view
        self.refresh_counts()
        self.post_message(self.ViewChosen(view))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and not event.option.id.startswith("heading:"):
            self.choose(event.option.id)
