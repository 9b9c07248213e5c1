"""Copying and opening a paper's links: the code repo (`c`), the paper's own page (`C`), the browser
(`o`), every link numbered in a picker (`l`), the arXiv page (`a`) and the PDF (`p`) directly.

A copy goes to the terminal by OSC 52 at once and to the system clipboard tool in a thread; the
message says honestly which of them can be confirmed.
"""

from __future__ import annotations

from textual import work

from tui_reader.ui import clipboard
from tui_reader.models import Link, Paper
from tui_reader.ui.browser import open_in_browser
from tui_reader.ui.safe_text import safe_line, without_controls
from tui_reader.wording import shown


def paper_link(paper: Paper) -> Link | None:
    """The paper's own page: arXiv, else Hugging Face, else its PDF."""
    for kind in ("arxiv", "hf", "pdf"):
        links = paper.links_of(kind)
        if links:
            return links[0]
    return None


class LinkActions:
    """Mixed into the main screen, which provides `current_paper()`, `app` and `reader_app`."""

    def action_copy_code(self) -> None:
        if not (paper := self.current_paper()):
            return
        repos = paper.links_of("code")
        if not repos:
            self.app.notify("This paper has no code-repo link. C copies the paper's own link.", severity="warning")
        elif len(repos) == 1:
            self.copy(repos[0].url, "repo link")
        else:
            from tui_reader.ui.dialogs import PickOne, link_choices  # imported when first opened

            self.app.push_screen(PickOne("Copy which repo link?", link_choices(repos)), lambda url: url and self.copy(url, "repo link"))

    def action_copy_paper(self) -> None:
        if not (paper := self.current_paper()):
            return
        link = paper_link(paper)
        if link is None:
            self.app.notify("This paper has no arXiv, Hugging Face or PDF link.", severity="warning")
        else:
            self.copy(link.url, "paper link")

    def copy(self, url: str, what: str) -> None:
        """OSC 52 through the terminal at once, and the system clipboard tool in a thread."""
        url = without_controls(url)
        self.app.copy_to_clipboard(url)
        self.copy_with_tool(url, what)

    @work(thread=True, group="clipboard")
    def copy_with_tool(self, url: str, what: str) -> None:
        result = clipboard.copy_to_system(url, self.reader_app.clipboard_timeout)
        self.app.call_from_thread(self.report_copy, url, what, result)

    def report_copy(self, url: str, what: str, result: clipboard.CopyResult) -> None:
        visible = safe_line(shown(url))
        if result.confirmed:
            self.app.notify(f"Copied the {what} ({result.tool}):\n{visible}", title="Copied", markup=False)
            return
        reason = result.problem or "the copy could not be confirmed"
        self.app.notify(
            f"{reason[:1].upper()}{reason[1:]}. The {what} was also sent to the terminal (OSC 52), which "
            f"cannot be confirmed; if it did not arrive, select it here:\n{visible}",
            title="Copy not confirmed",
            severity="warning",
            timeout=20,
            markup=False,
        )

    def action_pick_link(self) -> None:
        """Every link of the paper, numbered: a number or Enter opens it, y copies it."""
        if not (paper := self.current_paper()):
            return
        if not paper.links:
            self.app.notify("This paper has no links.", severity="warning")
            return
        from tui_reader.ui.dialogs import LinkPicker  # imported when first opened

        def picked(answer: tuple[str, str] | None) -> None:
            if answer is None:
                return
            what, url = answer
            if what == "copy":
                self.copy(url, "link")
            else:
                self.open_link(without_controls(url))

        self.app.push_screen(LinkPicker(shown(paper.title), paper.links), picked)

    def action_open_arxiv(self) -> None:
        self._open_kind("arxiv", "arXiv page")

    def action_open_pdf(self) -> None:
        self._open_kind("pdf", "PDF")

    def _open_kind(self, kind: str, what: str) -> None:
        if not (paper := self.current_paper()):
            return
        links = paper.links_of(kind)
        if not links:
            self.app.notify(f"This paper has no {what} link. l lists the links it has.", severity="warning")
            return
        self.open_link(without_controls(links[0].url))

    def action_open_browser(self) -> None:
        if not (paper := self.current_paper()):
            return
        link = (paper.links_of("code") or [None])[0] or paper_link(paper) or (paper.links or [None])[0]
        if link is None:
            self.app.notify("This paper has no link to open.", severity="warning")
            return
        self.open_link(without_controls(link.url))

    @work(thread=True, group="browser")
    def open_link(self, url: str) -> None:
        problem = open_in_browser(url)
        if problem:
            message, severity = f"Could not open a browser: {problem}. The link:\n{safe_line(url)}", "warning"
        else:
            message, severity = f"Opened in the browser:\n{safe_line(url)}", "information"
        self.app.call_from_thread(self.app.notify, message, severity=severity, markup=False)
