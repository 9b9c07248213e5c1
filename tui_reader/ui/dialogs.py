"""Modal dialogs: tag prompt, file prompt, tag remover, note editor, link picker, confirmation,
backup restore, and the screen shown while papers are stored.

Each returns its answer through `dismiss`; the main screen does the saving, so every write
goes through one place.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from tui_reader.models import Link
from tui_reader.ui.navigation import MovingOptionList
from tui_reader.ui.safe_text import safe_block, safe_line
from tui_reader.wording import shown


T = TypeVar("T")


def split_tags(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class TagSuggester(Suggester):
    """Completes the tag being typed after the last comma from the tags already in use."""

    def __init__(self, tags: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.tags = tags

    async def get_suggestion(self, value: str) -> str | None:
        stem = value.rpartition(",")[2].lstrip().lstrip("#").lower()
        if not stem:
            return None
        for tag in self.tags:
            if tag.startswith(stem) and tag != stem:
                return value + tag[len(stem):]
        return None


class CompletingPrompt(ModalScreen[T]):
    """A one-line prompt whose tab takes the input's suggestion; Esc cancels. Subclasses name the
    tab binding (ids differ, for the keymap), the texts, the suggester and what Enter returns."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel", tooltip="Close a prompt or picker; nothing changes")]
    placeholder = ""
    hint = ""
    input_id = ""

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.prompt_title = title
        self.value = value

    def suggester(self) -> Suggester:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(safe_line(self.prompt_title)), classes="dialog-title")
            field = Input(self.value, placeholder=self.placeholder, suggester=self.suggester(), id=self.input_id)
            field.cursor_blink = getattr(self.app, "cursor_blink", True)  # off in snapshot tests
            yield field
            yield Label(Text(self.hint), classes="dialog-hint")

    def action_complete(self) -> None:
        field = self.query_one(Input)
        if field._suggestion:
            field.value = field._suggestion
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TagPrompt(CompletingPrompt[list[str] | None]):
    """Ask for tags to add, several at once separated by commas; tab completes."""

    BINDINGS = [Binding("tab", "complete", "Complete tag", id="tag-complete", priority=True,
                        tooltip="In the tag prompt (t): complete the tag being typed")]
    placeholder = "tags, comma-separated (tab completes)"
    hint = "Enter adds · Esc cancels"
    input_id = "tag-input"

    def __init__(self, title: str, existing_tags: list[str]) -> None:
        super().__init__(title)
        self.existing_tags = existing_tags

    def suggester(self) -> Suggester:
        return TagSuggester(self.existing_tags)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(split_tags(event.value) or None)


class PathSuggester(Suggester):
    """Completes the last part of a path from what is in its folder."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        typed = Path(value).expanduser()
        folder, stem = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
        try:
            names = sorted(entry.name for entry in folder.iterdir() if entry.name.startswith(stem))
        except OSError:
            return None
        if not names or (stem == "" and not value.endswith("/")):
            return None
        head = value[: len(value) - len(stem)]
        return head + names[0] + ("/" if (folder / names[0]).is_dir() else "")


class PathPrompt(CompletingPrompt[Path | None]):
    """Ask for a file to import; tab completes from the folder."""

    BINDINGS = [Binding("tab", "complete", "Complete path", id="path-complete", priority=True,
                        tooltip="In a file prompt (import, export): complete the file or folder name")]
    placeholder = "a file: HF page, HF JSON, arXiv Atom, BibTeX or a backup"
    hint = "Enter imports · tab completes · Esc cancels"
    input_id = "path-input"

    def suggester(self) -> Suggester:
        return PathSuggester()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # (a subclass overrides submit: Textual would call this handler of every class in the MRO)
        self.submit(event.value.strip())

    def submit(self, value: str) -> None:
        self.dismiss(Path(value).expanduser() if value else None)


class ExportPrompt(PathPrompt):
    """Ask where to write an export, pre-filled with a default name; tab completes; a file that
    is there already is replaced only when the user says so."""

    placeholder = "the file to write"
    hint = "Enter writes · tab completes · Esc cancels"
    input_id = "export-path"

    def submit(self, value: str) -> None:
        if not value:
            self.dismiss(None)
            return
        path = Path(value).expanduser()
        if path.is_dir():
            self.notify(f"{path} is a folder: add a file name.", severity="warning", markup=False)
            return
        if not path.exists():
            self.dismiss(path)
            return

        def answered(replace: bool | None) -> None:
            if replace:
                self.dismiss(path)

        self.app.push_screen(Confirm(f"{path} exists. Replace it?", yes="Replace", no="Keep it"), answered)


class PickOne(ModalScreen[str | None]):
    """Choose one of a few items (a tag to remove, a link to copy); Enter picks, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog-cancel")]

    def __init__(self, title: str, items: list[tuple[str, Text]]) -> None:
        super().__init__(classes="dialog-screen")
        self.pick_title = title
        self.items = items  # (value returned, what is shown)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.pick_title), classes="dialog-title")
            yield MovingOptionList(*[Option(label, id=value) for value, label in self.items], id="pick-list")
            yield Label(Text("Enter picks · Esc cancels"), classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


LINK_KIND_LABELS = {"code": "code", "project": "project", "arxiv": "arXiv", "pdf": "PDF", "hf": "HF"}


class LinkPicker(ModalScreen[tuple[str, str] | None]):
    """Every link of a paper, numbered and labelled by kind. A number or Enter opens one in the
    browser, y copies the highlighted one; the answer is ("open" or "copy", url)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="links-cancel"),
        Binding("y,c", "copy", "Copy the link", id="links-copy"),
        *[Binding(str(n), f"open_number({n})", f"Open link {n}", id=f"links-open-{n}", show=False) for n in range(1, 10)],
    ]

    def __init__(self, title: str, links: list[Link]) -> None:
        super().__init__(classes="dialog-screen")
        self.pick_title = title
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Links · " + safe_line(self.pick_title)), classes="dialog-title")
            yield OptionList(*[Option(link_label(n, link), id=str(n)) for n, link in enumerate(self.links, 1)], id="link-list")
            yield Label(Text("1-9 or Enter opens in the browser · y copies · Esc cancels"), classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(("open", self.links[int(event.option.id) - 1].url))

    def action_open_number(self, number: int) -> None:
        if number <= len(self.links):
            self.dismiss(("open", self.links[number - 1].url))

    def action_copy(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(("copy", self.links[highlighted].url))

    def action_cancel(self) -> None:
        self.dismiss(None)


def link_label(number: int, link: Link) -> Text:
    label = Text(f"{number if number < 10 else ' '}  ", style="bold")
    label.append(f"{LINK_KIND_LABELS.get(link.kind, link.kind):<8}", style="dim")
    label.append(safe_line(shown(link.url)))
    return label


def link_choices(links: list[Link]) -> list[tuple[str, Text]]:
    return [(link.url, Text(safe_line(shown(link.url)))) for link in links]


def tag_choices(tags: list[str]) -> list[tuple[str, Text]]:
    return [(tag, Text("#" + safe_line(tag))) for tag in tags]


class Confirm(ModalScreen[bool]):
    """A yes/no question; y or n, Enter on a button, Esc means no."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="In a question: yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no", tooltip="In a question: no"),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.yes, self.no = question, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Text(f"{self.yes} (y)"), id="yes", variant="warning")
                yield Button(Text(f"{self.no} (n)"), id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Storing(ModalScreen[None]):
    """Shown while papers are stored in a thread: it takes the keys, so nothing changes the library
    meanwhile. Closed by whoever started the store."""

    BINDINGS = [Binding("escape", "wait", "Wait", id="storing-wait", show=False)]  # quitting and the rest: ReaderApp

    def __init__(self, what: str) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.what), classes="dialog-title")
            yield Static(Text("Merging them into the library, then writing it…"), id="storing-progress", classes="dialog-hint")

    def show_progress(self, done: int, total: int) -> None:
        text = f"{done:,} of {total:,} merged, then the library is written…" if done < total else "Written."
        self.query_one("#storing-progress", Static).update(Text(text))

    def action_wait(self) -> None:
        self.app.held_while_storing()


class NoteEditor(ModalScreen[str | None]):
    """Edit a paper's note (Markdown). ctrl+s saves; Esc asks before dropping changes."""

    BINDINGS = [
        # not a priority binding: it waits behind the keys typed before it (see ui/key_order.py)
        Binding("ctrl+s", "save", "Save note", id="note-save", tooltip="In the note editor (n): save the note"),
        Binding("escape", "cancel", "Cancel", id="note-cancel", tooltip="In the note editor: close (asks before dropping changes)"),
    ]

    def __init__(self, paper_title: str, note: str, cursor_blink: bool = True) -> None:
        super().__init__(classes="dialog-screen")
        self.paper_title = paper_title
        self.original = note
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog"):
            yield Label(Text("Note · " + safe_line(self.paper_title)), classes="dialog-title")
            editor = TextArea(self.original, id="note-text", soft_wrap=True)  # tab_behavior "focus": Esc reaches us
            editor.cursor_blink = self.cursor_blink
            yield editor
            yield Label(Text("ctrl+s saves · Esc cancels · Markdown"), classes="dialog-hint")

    def on_mount(self) -> None:
        editor = self.query_one(TextArea)
        editor.focus()
        editor.move_cursor(editor.document.end)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        if self.text == self.original:
            self.dismiss(None)
            return

        def answered(drop: bool | None) -> None:
            if drop:
                self.dismiss(None)

        self.app.push_screen(Confirm("Drop the changes to this note?", yes="Drop", no="Keep editing"), answered)


class RestoreBackup(ModalScreen[Path | None]):
    """At start, when a library file could not be read: offer the newest backup."""

    BINDINGS = [Binding("escape", "keep", "Continue without restoring", id="restore-keep")]

    def __init__(self, problems: list[str], backup: Path | None) -> None:
        super().__init__(classes="dialog-screen")
        self.problems = problems
        self.backup = backup

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog restore-dialog"):
            yield Label(Text("Part of your library could not be read"), classes="dialog-title")
            yield Static(Text(safe_block("\n\n".join(self.problems))), id="restore-problems")
            if self.backup is not None:
                yield Static(Text(f"The newest backup is {safe_line(self.backup.name)}."), classes="dialog-hint")
            else:
                yield Static(Text("There is no backup to restore."), classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                if self.backup is not None:
                    yield Button(Text("Restore the newest backup"), id="restore", variant="primary")
                yield Button(Text("Continue without it"), id="keep")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.backup if event.button.id == "restore" else None)

    def action_keep(self) -> None:
        self.dismiss(None)


# The dialogs whose keys the help lists (ReaderApp.help_sections).
HELP_DIALOGS = (CompletingPrompt, TagPrompt, PathPrompt, Confirm, NoteEditor)
