"""Related papers in the detail pane, the For-you view's ranking, and the keys that jump between them.

The model (search/related.py, numpy/scipy/scikit-learn) is imported and loaded in a thread after
the first screen; when the stored one does not fit the catalog, a background process builds it
first. Until it is ready the Related section stays hidden and the For-you view says so. Keys:
1-5 jump to the detail pane's related papers, backspace comes back.
"""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.worker import get_current_worker

from tui_reader.latex import to_unicode
from tui_reader.search.query import FOR_YOU_VIEW
from tui_reader.ui.safe_text import safe_line
from tui_reader.ui.unchanged_text import UnchangedText
from tui_reader.wording import shown

if TYPE_CHECKING:
    from tui_reader.search.related import Match, RelatedModel

RELATED_SHOWN = 5
RELATED_AFTER = 3.0  # seconds after the screen is mounted: numpy/scipy load in a thread once the first keys are in
INLINE_BELOW = 20_000  # papers under which Related is worked out at once, not in a thread
BAR = 5  # cells of the similarity bar
NO_STARS = "For you learns from your stars: star a few papers (s) to train it."
BUILDING = "For you is learning your library's words; the view fills in when that is done."
FOR_YOU_VIEW_ID = f"view:{FOR_YOU_VIEW}"
LIKE_PREFIX = "like:"  # "like:TAG": More like #TAG, the papers like those tagged TAG, without it yet
NO_TAGGED = "More like #{tag} learns from the papers tagged {tag}: none is in this library."

RELATED_BINDINGS = [
    *(Binding(str(n), f"jump_related({n})", f"Related {n}", id=f"related-{n}", show=False,
              tooltip=f"Jump to related paper {n} (detail pane)") for n in range(1, RELATED_SHOWN + 1)),
    Binding("backspace", "jump_back", "Back", id="jump-back", show=False, tooltip="Back to the paper before the jump"),
    Binding("m", "more_like_tag", "More like", id="more-like-tag", show=False,
            tooltip="In a tag's view: papers like the tagged ones, without the tag yet"),
]


def ranked_view(view: str) -> bool:
    """Views the model orders: For you, and More like #tag."""
    return view == FOR_YOU_VIEW_ID or view.startswith(LIKE_PREFIX)


def similarity_bar(score: float) -> str:
    eighths = max(1, round(min(1.0, score) * BAR * 8)) if score > 0 else 0
    full, part = divmod(eighths, 8)
    return ("█" * full + (" ▏▎▍▌▋▊▉"[part] if part else "")).ljust(BAR)


class RelatedModelLoaded(Message):
    """From the load thread: the model of catalog `generation` (None: it could not be built).
    A message, not call_from_thread: a thread never waits on the app, also while it exits."""

    def __init__(self, model: RelatedModel | None, generation: str) -> None:
        self.model, self.generation = model, generation
        super().__init__()


class RelatedFound(Message):
    """From a Related thread (big libraries): a paper's related papers."""

    def __init__(self, paper_id: str, matches: list[Match]) -> None:
        self.paper_id, self.matches = paper_id, matches
        super().__init__()


class RelatedSection(UnchangedText):
    """The detail pane's Related section (hidden until the model is ready)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.display = False
        self.paper_id: str | None = None
        self.related_ids: list[str] = []

    def show_matches(self, paper_id: str, matches: list[tuple[str, Match]], library,
                     for_you: tuple[float, tuple[str, ...]] | None, label: str = "For you") -> None:
        """One line each (cut to the pane's width): the For-you score and its why, then the related
        papers: number (the key), similarity bar and value, starred/unread marks, title, shared terms."""
        self.paper_id = paper_id
        self.related_ids = [pid for pid, _ in matches]
        text = Text(no_wrap=True, overflow="ellipsis")
        if for_you is not None:
            score, why = for_you
            text.append(safe_line(label) + " ", style="bold")
            text.append(f"{score:+.2f}")
            if why:
                text.append("  " + " · ".join(safe_line(w) for w in why), style="italic")
            text.append("\n")
        text.append("Related", style="bold")
        text.append(f"  1-{len(matches)} jump · backspace back" if matches else "  no paper shares enough words with this one", style="dim")
        for n, (pid, match) in enumerate(matches, 1):
            state = library.state(pid)
            marks = ("★" if state.starred else " ") + (" " if state.read else "●")
            text.append(f"\n{n} ", style="bold")
            text.append(f"{similarity_bar(match.score)} {match.score:.2f} {marks} ")
            text.append(safe_line(to_unicode(shown(library.papers.title(pid)))))
            if match.terms:
                text.append("  " + " · ".join(safe_line(t) for t in match.terms), style="dim italic")
        self.show(text)
        self.display = True


class RelatedActions:
    """Mixed into the main screen, which provides `library`, `view`, `paper_list`, `sidebar`,
    `shown_id`, `apply_filter`, `run_worker` and `app`."""

    related_model: RelatedModel | None = None
    related_failed = False
    for_you_note: str | None = None  # why the For-you view is empty, when it is
    _for_you: tuple[str, object, object] | None = None  # the last ranking's view, scores and classifier (for the why)
    _jumps: tuple[str, ...] = ()  # the papers jumped from, the last one last
    _pending_jump: str | None = None

    # -- the model -------------------------------------------------------------------------------

    def start_related_model(self) -> None:
        """Load (or have built) the model of the catalog as it is now, in a thread."""
        catalog = self.library.papers
        if not getattr(self.app, "related_enabled", True) or not len(catalog):
            return
        if self.related_model is not None and self.related_model.generation == catalog.generation:
            return
        self.related_model = None
        self._for_you = None
        self.run_worker(lambda: self._load_related(catalog.folder, catalog.generation, len(catalog)),
                        name="related model", description="related model", thread=True, exclusive=True,
                        group="related-model", exit_on_error=False)

    def _load_related(self, folder, generation: str, rows: int) -> None:
        from tui_reader.search import related

        worker = get_current_worker()
        model = related.load(folder, generation, rows)
        if model is None:
            process = related.spawn_build(folder)
            while process is not None:
                try:
                    process.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    if worker.is_cancelled:
                        return  # the builder goes on by itself and stores its model for the next start
            model = related.load(folder, generation, rows)
        if model is not None:
            model.columns()  # here, not on the first Related shown
        if not worker.is_cancelled:
            self.post_message(RelatedModelLoaded(model, generation))

    def on_related_model_loaded(self, message: RelatedModelLoaded) -> None:
        model, generation = message.model, message.generation
        if generation != self.library.papers.generation:
            return  # the catalog changed meanwhile: a newer load is on its way
        self.related_model = model
        self.related_failed = model is None
        if ranked_view(self.view):
            self.apply_filter()
        self.show_related(self.shown_id)

    # -- the Related section -------------------------------------------------------------------

    @property
    def related_section(self) -> RelatedSection:
        return self.query_one(RelatedSection)

    def show_related(self, paper_id: str | None) -> None:
        model = self.related_model
        section = self.related_section
        row = self.library.papers.row_of(paper_id) if paper_id and model is not None else None
        if row is None:
            section.display = False
            section.related_ids = []
            return
        if model.rows < INLINE_BELOW:
            self._show_matches(paper_id, model.related(row, RELATED_SHOWN))
            return

        def work() -> None:
            matches = model.related(row, RELATED_SHOWN)
            if not get_current_worker().is_cancelled:
                self.post_message(RelatedFound(paper_id, matches))

        self.run_worker(work, name="related", description="related", thread=True, exclusive=True,
                        group="related", exit_on_error=False)

    def on_related_found(self, message: RelatedFound) -> None:
        self._show_matches(message.paper_id, message.matches)

    def _show_matches(self, paper_id: str, matches: list[Match]) -> None:
        if paper_id != self.shown_id:
            return
        ids = self.library.papers.ids
        for_you = None
        if self._for_you is not None and self._for_you[0] == self.view and self.related_model is not None:
            _, scores, classifier = self._for_you
            row = self.library.papers.row_of(paper_id)
            if row is not None:
                for_you = (float(scores[row]), self.related_model.why(row, classifier))
        label = "For you" if self.view == FOR_YOU_VIEW_ID else "Like #" + self.view[len(LIKE_PREFIX):]
        self.related_section.show_matches(paper_id, [(ids[m.row], m) for m in matches], self.library, for_you, label)

    # -- the For-you view --------------------------------------------------------------------------

    def ranks(self, view: str) -> bool:
        """The search session asks: views this screen orders itself (see `rank`)."""
        return ranked_view(view)

    def rank(self, view: str, mask: bytes, states: dict) -> list[str]:
        """The For-you (or More like #tag) view's papers (`mask`: one byte per catalog row) as ids,
        best first; [] with the reason in `for_you_note` when there is nothing to rank by yet. Runs
        in the session's thread (it trains the classifier) on the states as they were asked with."""
        model = self.related_model
        if model is None:
            self.for_you_note = BUILDING if not self.related_failed else "The related-papers model could not be built."
            return []
        from tui_reader.search import related

        catalog = self.library.papers
        row = catalog.row
        tag = view[len(LIKE_PREFIX):] if view.startswith(LIKE_PREFIX) else None
        found = related.for_you_scores(model, row, states, tag=tag)
        if found is None:
            self.for_you_note = NO_STARS if tag is None else NO_TAGGED.format(tag=tag)
            return []
        self.for_you_note = None
        scores, classifier = found
        self._for_you = (view, scores, classifier)
        # More like #tag ranks by likeness alone. For you puts the unread, unstarred papers first:
        # its own query (SMART_VIEWS) shows no other, so the read and starred need not be looked for.
        return related.for_you_view_order(mask, catalog.order_rows, scores, catalog.ids)

    def action_more_like_tag(self) -> None:
        kind, _, tag = self.view.partition(":")
        if kind not in ("tag", "like"):
            self.app.notify("Pick a tag in the sidebar first: m then shows the papers like the tagged ones.",
                            severity="warning", timeout=4)
            return
        self.sidebar.choose(LIKE_PREFIX + tag)

    # -- jumping -----------------------------------------------------------------------------------

    def action_jump_related(self, number: int) -> None:
        section = self.related_section
        if self.related_model is None:
            self.app.notify("Related papers are still being prepared." if not self.related_failed
                            else "The related-papers model could not be built.", severity="warning", timeout=3)
            return
        if not 1 <= number <= len(section.related_ids) or section.paper_id != self.shown_id:
            self.app.notify(f"No related paper {number} here.", severity="warning", timeout=3)
            return
        if self.shown_id:
            self._jumps = (*self._jumps, self.shown_id)
        self.jump_to(section.related_ids[number - 1])

    def action_jump_back(self) -> None:
        if not self._jumps:
            self.app.notify("No jump to go back from.", severity="warning", timeout=3)
            return
        back, self._jumps = self._jumps[-1], self._jumps[:-1]
        self.jump_to(back)

    def jump_to(self, paper_id: str) -> None:
        """Put the list's cursor on a paper: in the list shown, else in All with the search cleared."""
        papers = self.paper_list
        if papers.row_of(paper_id) is not None:
            papers.set_rows(papers.ids, keep=paper_id)
            return
        self._pending_jump = paper_id
        search = self.query_one("#search")
        self.search_text = ""
        if search.value:
            search.value = ""
        if self.view != "view:all":
            self.sidebar.choose("view:all")
        else:
            self.apply_filter()

    def take_pending_jump(self) -> str | None:
        paper_id, self._pending_jump = self._pending_jump, None
        return paper_id
