"""Triage on the main screen: undo and redo, hide, the selection, and marking a whole view read.

Mixed into MainScreen, which provides `library`, `paper_list`, `sidebar`, `save`, `apply_filter`,
`current_paper` and `app`. Every action here is one Library call, so one undo step, however many
papers it touches.
"""

from __future__ import annotations

from collections.abc import Callable

from tui_reader.errors import ReaderError
from tui_reader.store.undo import Step
from tui_reader.ui.safe_text import safe_line
from tui_reader.wording import shown

ROWS_REFRESHED_ONE_BY_ONE = 50  # a bigger change redraws the list and recounts the sidebar


class TriageActions:
    # -- which papers an action is for -----------------------------------------------------------

    def targets(self) -> list[str]:
        """The selected papers that are shown, in list order; else the paper under the cursor."""
        papers = self.paper_list
        if papers.selected:
            return [pid for pid in papers.ids if pid in papers.selected]
        pid = papers.current_id
        if pid is None:
            self.app.notify("No paper selected.", severity="warning")
            return []
        return [pid]

    def target_label(self, ids: list[str]) -> str:
        return safe_line(shown(self.library.papers[ids[0]].title)) if len(ids) == 1 else f"{len(ids):,} papers"

    def change_many(self, ids: list[str], change: Callable[[], object], refilter: bool = False) -> bool:
        """Run one Library change over `ids` and redraw what it touched; a failed write is said."""
        if len(ids) == 1 and not refilter:
            return self.save(ids[0], change)
        log = self.library.undo_log
        last = log.done[-1] if log.done else None
        try:
            change()
        except ReaderError as error:
            self.app.notify(str(error), title="Not saved", severity="error", timeout=12, markup=False)
            self.states_changed(ids, refilter)  # the states were read back from disk: count afresh
            return False
        step = log.done[-1] if log.done and log.done[-1] is not last else None  # None: nothing changed
        self.states_changed(ids, refilter, step.before if step else None, step.after if step else None)
        return True

    def states_changed(self, ids: list[str] | None, refilter: bool = False, before: dict | None = None,
                       after: dict | None = None) -> None:
        """Redraw after the states of `ids` (None: any) changed; `refilter` when papers may have
        left or joined the view (hide, undo). With the states `before` and `after`, the sidebar's
        counts move by the difference; else they are counted afresh."""
        self.session.states_changed()
        if ids is not None and len(ids) <= ROWS_REFRESHED_ONE_BY_ONE:
            for pid in ids:
                self.paper_list.refresh_paper(pid)
        else:
            self.paper_list.refresh_all_rows()
        if before is not None and after is not None:
            self.sidebar.states_changed((pid, before[pid], after[pid]) for pid in before)
        else:
            self.sidebar.refresh_counts()
        if refilter:
            self.apply_filter()
        self.show_current(force=True)

    # -- undo ----------------------------------------------------------------------------------

    def action_undo(self) -> None:
        self._undo_or_redo(self.library.undo, "Undone", "Nothing to undo.")

    def action_redo(self) -> None:
        self._undo_or_redo(self.library.redo, "Redone", "Nothing to redo.")

    def _undo_or_redo(self, run: Callable[[], Step | None], done: str, nothing: str) -> None:
        try:
            step = run()
        except ReaderError as error:
            self.app.notify(str(error), title="Not saved", severity="error", timeout=12, markup=False)
            self.states_changed(None, refilter=True)
            return
        if step is None:
            self.app.notify(nothing, timeout=3)
            return
        ids = list(step.before)
        written, replaced = (step.before, step.after) if done == "Undone" else (step.after, step.before)
        self.states_changed(ids, True, replaced, written)
        title_of = lambda pid: safe_line(shown(self.library.papers[pid].title)) if pid in self.library.papers else pid  # noqa: E731
        self.app.notify(f"{done}: {step.describe(title_of)}", timeout=4, markup=False)

    # -- hide ----------------------------------------------------------------------------------

    def action_hide(self) -> None:
        """Hide the paper(s); in the Hidden view, bring them back."""
        ids = self.targets()
        if not ids:
            return
        hide = self.view != "view:hidden"
        if self.change_many(ids, lambda: self.library.set_hidden(ids, hide), refilter=True):
            self.paper_list.clear_selection()
            verb = "Hidden" if hide else "Back in the views"
            self.app.notify(f"{verb}: {self.target_label(ids)} (u undoes)", timeout=4, markup=False)

    # -- the selection -------------------------------------------------------------------------

    def action_toggle_selection(self) -> None:
        self.paper_list.toggle_selected()

    def action_extend_down(self) -> None:
        self.paper_list.extend_selection(1)

    def action_extend_up(self) -> None:
        self.paper_list.extend_selection(-1)

    def action_select_range(self) -> None:
        self.paper_list.select_range()

    def action_select_all(self) -> None:
        papers = self.paper_list
        if papers.ids and all(pid in papers.selected for pid in papers.ids):
            papers.clear_selection()
        else:
            papers.select_all()
        self.update_titles()

    # -- the whole view ------------------------------------------------------------------------

    def action_mark_all_read(self) -> None:
        ids = list(self.paper_list.ids)
        unread = [pid for pid in ids if not self.library.state(pid).read]
        if not unread:
            self.app.notify("Every paper here is read already.", timeout=3)
            return

        def answered(yes: bool | None) -> None:
            if yes and self.change_many(unread, lambda: self.library.set_read(unread, True)):
                self.app.notify(f"Marked {len(unread):,} papers read (u undoes).", timeout=4)

        from tui_reader.ui.dialogs import Confirm  # imported when first opened

        where = f"matching {safe_line(self.search_text)!r}" if self.search_text else "in this view"
        self.app.push_screen(Confirm(f"Mark {len(unread):,} unread papers {where} read?", yes="Mark read", no="Cancel"), answered)
