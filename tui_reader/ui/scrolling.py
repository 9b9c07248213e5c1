"""ScrollViews that redraw no more than what changed: their content can grow or shrink without a
layout of the whole screen, and a layout of the screen leaves their scrollbars alone."""

from __future__ import annotations

from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView


class OwnVirtualSize:
    """A mixin for ScrollViews. Each layout of the screen (a new abstract in the detail pane, after
    every cursor move) hands a ScrollView the size of its children as its virtual size; it has none,
    so that never equals its own, and Textual redrew its scrollbars every time, and with them every
    line of the screen between two panes' scrollbars. Here a layout updates the scrollbars only
    when the view's own virtual size changed since the last one (or its size did)."""

    _virtual_size_laid_out = None

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        own = self.virtual_size  # type: ignore[attr-defined]
        if own == self._virtual_size_laid_out:
            virtual_size = own  # nothing new: compare like with like
        self._virtual_size_laid_out = own
        return super()._size_updated(size, virtual_size, container_size, layout)  # type: ignore[misc]


class ResizingContentScrollView(OwnVirtualSize, ScrollView):
    """Textual lays out the screen, and repaints every widget, whenever a widget's virtual size
    changes (`layout=True`): for the paper list on each search result and for the search field on
    each key, a full repaint apiece. Here only the scrollbars follow the new size; a
    scrollbar that appears or goes still lays the screen out (that reactive is Textual's own)."""

    virtual_size = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, size: Size) -> None:
        self._scroll_update(size)
