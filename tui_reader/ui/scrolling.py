"""A ScrollView whose content can grow or shrink without laying out the whole screen."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView


class ResizingContentScrollView(ScrollView):
    """Textual lays out the screen, and repaints every widget, whenever a widget's virtual size
    changes (`layout=True`): for the paper list on each search result and for the search field on
    each key, a full repaint apiece. Here only the scrollbars follow the new size; a
    scrollbar that appears or goes still lays the screen out (that reactive is Textual's own)."""

    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)
