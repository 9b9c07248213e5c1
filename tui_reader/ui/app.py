"""The reader app: themes, settings, keymap and start-up checks around the main screen.

`run_app` is what `tui-reader` (cli.cmd_open) calls with an opened Library.
"""

from __future__ import annotations

import asyncio
import os
import signal
from functools import partial
from pathlib import Path

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.notifications import Notify, SeverityLevel

from tui_reader.ui import clipboard
from tui_reader.config import THEMES_DIR, Config, load_config, save_config
from tui_reader.errors import ReaderError, ReadOnlyError
from tui_reader.store import gc_pause
from tui_reader.store.library import Library
from tui_reader.ui.commands import ReaderCommands
from tui_reader.ui.background_fetch import BackgroundFetch
from tui_reader.ui.following import load_following, remember_visit
from tui_reader.ui.key_order import InOrderKeys
from tui_reader.ui.keymap import check_keymap
from tui_reader.ui.main_screen import TINY_HEIGHT, TINY_WIDTH, MainScreen
from tui_reader.ui.paper_list import PaperList
from tui_reader.ui.sidebar import Sidebar
from tui_reader.ui.themes import load_all_themes, variable_defaults

FALLBACK_THEME = "paper-dark"

FREEZE_AFTER = 1.0  # seconds after the main screen is pushed
TOAST_SECONDS: dict[str, float] = {"information": 3, "warning": 8, "error": 8}
MAX_TOASTS = 2  # on screen at once: a new one sends the oldest away
EXIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGHUP", "SIGTERM") if hasattr(signal, name))
HANGUP = getattr(signal, "SIGHUP", None)
STORE_POLL = 0.05  # seconds between looks at a store in flight, after a signal
READ_ONLY_BANNER = "Read-only: this library's folder cannot be written. Browse, search and export work; changes are not saved."
HELD_BANNER = ("This library is open in another tui-reader, {owner}: your stars, read marks, tags, notes and "
               "hides are handed to it. Undo, import and fetch work there.")
# the main screen's actions that change the library: refused in a read-only app before any prompt opens
CHANGING_ACTIONS = frozenset({"star", "toggle_read", "tag", "untag", "note", "hide", "undo", "redo", "mark_all_read"})
WRITER_ONLY_ACTIONS = frozenset({"undo", "redo"})  # ... even when another app takes the state changes


class ReaderApp(InOrderKeys, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "tui-reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    # the keys typed after one of these wait until the field or dialog it opens has focus
    FIELD_ACTIONS = frozenset({
        "command_palette", "search", "clear_search", "tag", "untag", "note", "help", "mark_all_read", "pick_link",  # open or leave a field
        "submit", "select", "save", "cancel", "answer", "close", "keep", "wait", "copy", "open_number",  # in a dialog
        "read",  # Enter on the list: the detail pane takes the keys
    })
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (everything is already saved)"),
        Binding("ctrl+t", "next_theme", "Theme", id="next-theme", show=False, tooltip="Switch to the next colour theme"),
    ]

    def __init__(
        self,
        library: Library,
        *,
        config_folder: Path | None = None,
        theme: str | None = None,
        startup_message: str | None = None,
        cursor_blink: bool = True,
        clipboard_timeout: float | None = None,
        freeze_after_start: bool = False,
        related: bool = True,
    ) -> None:
        self.library = library
        self.config_folder = Path(config_folder) if config_folder else None
        self.startup_message = startup_message
        self.cursor_blink = cursor_blink  # off in snapshot tests, so screens are reproducible
        self.clipboard_timeout = clipboard_timeout or clipboard.TIMEOUT  # tests shorten the wait for hung tools
        self.requested_theme = theme
        self.freeze_after_start = freeze_after_start  # off in tests: what is frozen stays for the process
        self.related_enabled = related  # load (or build) the related-papers model after the first screen
        self.start_problems: list[str] = []
        self._reader_themes: list[str] = []
        self._started = False
        if self.config_folder is not None:
            self.config, self.start_problems = load_config(self.config_folder)
        else:
            self.config = Config()  # nowhere to keep settings: defaults, never saved
        super().__init__()
        self.saved_views, self.new_since = load_following(self, library)
        self.main_screen = MainScreen(library, self.saved_views, self.new_since)
        self.control = None  # the CLI's socket while the app writes (listen_for_cli)
        self.background_fetch = BackgroundFetch(self)
        self.main_screen.sort = self.config.sort
        # Before the stylesheet's first parse: a theme chosen later has it parsed twice more.
        self.register_reader_themes()
        self.choose_start_theme()

    # -- themes --------------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Textual's own themes know nothing of the app's variables: derive them from base colours.
        return variable_defaults(self.current_theme.to_color_system().generate())

    def register_reader_themes(self) -> None:
        user_folder = self.config_folder / THEMES_DIR if self.config_folder else None
        loaded = load_all_themes(user_folder)
        for theme in loaded.themes:
            self.register_theme(theme)
        self._reader_themes = [theme.name for theme in loaded.themes]
        self.start_problems += loaded.problems

    def reader_theme_names(self) -> list[str]:
        """The themes `ctrl+t` cycles through: the built-in YAML ones and the user's, not Textual's."""
        return list(dict.fromkeys(self._reader_themes))

    def choose_start_theme(self) -> None:
        wanted = self.requested_theme or self.config.theme
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.start_problems.append(
                f"There is no theme named {wanted!r}; using {FALLBACK_THEME}. "
                f"Themes: {', '.join(self.reader_theme_names())}"
            )
            self.theme = FALLBACK_THEME
        if self.requested_theme and self.theme == self.requested_theme:
            self.remember(theme=self.theme)

    def refresh_css(self, animate: bool = True) -> None:
        """Before the first screen, the new theme's variables are all there is to do: Textual's
        refresh parses every stylesheet in a scratch copy whose parse cache it then drops, and the
        first screen's parse, moments later, parses them all again (app.tcss twice per start)."""
        if not self.screen_stack:
            self.stylesheet.set_variables(self.get_css_variables())
            return
        super().refresh_css(animate)

    def watch_theme(self, theme: str) -> None:
        if self._started and self.config.theme != theme:
            self.remember(theme=theme)

    # -- while papers are stored in a thread (ui/transfers.py, store_batch) -------------------------

    def held_while_storing(self) -> bool:
        """True (and said) while a store runs: quitting, the palette and the theme wait for it."""
        if self.main_screen.storing:
            self.notify("Still storing papers: this closes by itself when it is done.", timeout=3)
            return True
        return False

    async def run_action(self, action, default_namespace=None, *args, **kwargs) -> bool:
        if self.library.read_only and self.refused_read_only(str(action), default_namespace):
            self.action_done(action)
            return True
        # A background store has no screen over the app: a key that reads or changes a paper runs
        # right after it (ui/background_fetch.py)
        if self.background_fetch.must_wait(str(action), default_namespace):
            self.background_fetch.defer(lambda: self.run_action(action, default_namespace, *args, **kwargs))
            return True
        return await super().run_action(action, default_namespace, *args, **kwargs)

    async def action_quit(self) -> None:
        if not self.held_while_storing():
            await super().action_quit()

    def action_command_palette(self) -> None:
        if not self.held_while_storing():
            super().action_command_palette()

    def action_next_theme(self) -> None:
        if self.held_while_storing():
            return
        names = self.reader_theme_names()
        index = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(index + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2, markup=False)

    # -- messages ------------------------------------------------------------------------------

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast lasts as long as its kind does (info is read at a glance; a warning or an
        error stays until dismissed by a click or TOAST_SECONDS); `timeout` can only shorten it."""
        longest = TOAST_SECONDS[severity]
        super().notify(message, title=title, severity=severity, markup=markup,
                       timeout=longest if timeout is None else min(timeout, longest))

    def on_notify(self, event: Notify) -> None:
        # Runs before Textual's own handler adds the new toast: keep room for it, no pile.
        shown = list(self._notifications)
        for old in shown[: max(0, len(shown) - (MAX_TOASTS - 1))]:
            self._unnotify(old, refresh=False)

    # -- settings ------------------------------------------------------------------------------

    def remember(self, **changes: object) -> None:
        for key, value in changes.items():
            setattr(self.config, key, value)
        try:
            save_config(self.config)
        except ReaderError as error:
            self.notify(f"Settings not saved: {error}", severity="warning", markup=False)

    def toggle_sidebar_setting(self) -> bool:
        self.remember(show_sidebar=not self.config.show_sidebar)
        return self.config.show_sidebar

    def apply_keymap(self) -> None:
        """The user's keymap, checked first: an unknown id or a key that would do two things is
        reported once (with the file and line) and left out; everything else applies."""
        if not self.config.keymap:
            return
        from tui_reader.ui import dialogs
        from tui_reader.ui.detail import DetailPane
        from tui_reader.ui.help import HelpScreen
        from tui_reader.ui.navigation import MovingOptionList
        from tui_reader.ui.sidebar import Sidebar

        screen = [*self.BINDINGS, *MainScreen.BINDINGS]
        scopes = [[*screen, *PaperList.BINDINGS], [*screen, *Sidebar.BINDINGS, *MovingOptionList.BINDINGS],
                  [*screen, *DetailPane.BINDINGS], HelpScreen.BINDINGS,
                  *([*self.BINDINGS, *dialog.BINDINGS, *dialogs.CompletingPrompt.BINDINGS] for dialog in dialogs.HELP_DIALOGS),
                  dialogs.PickOne.BINDINGS]
        try:
            text = self.config.path.read_text("utf-8") if self.config.path else ""
        except (OSError, UnicodeDecodeError):
            text = ""
        usable, problems = check_keymap(self.config.keymap, scopes, self.config.path, text)
        self.start_problems += problems
        if usable:
            self.set_keymap(usable)

    def on_resize(self, event: events.Resize) -> None:
        # Dialogs drop their padding and margins in a tiny terminal (app.tcss: ReaderApp.-tiny)
        width, height = event.size
        self.set_class(width < TINY_WIDTH or height < TINY_HEIGHT, "-tiny")

    # -- start ---------------------------------------------------------------------------------

    def on_mount(self) -> None:  # (InOrderKeys.on_mount runs too: Textual calls each class's handler)
        self.exit_on_signals()
        self.apply_keymap()
        # The app mounts inside Textual's start-up batch, where nothing reaches the terminal: a screen
        # pushed here is laid out and rendered once for nothing, and its after-refresh work runs
        # before the first frame. Pushed from the message loop, its first render is the first frame.
        self.call_later(self.start_main_screen)

    def start_main_screen(self) -> None:
        self.push_screen(self.main_screen)
        if self.config.path is not None and not self.config.path.exists():
            self.remember()  # write the defaults once, so the user finds a file to edit
        self.main_screen.set_class(not self.config.show_sidebar, "-sidebar-hidden")
        said = self.start_problems + self.library.warnings
        if said:  # one toast for all: toasts do not pile up (MAX_TOASTS)
            title = "Settings" if not self.library.warnings else "Backups" if not self.start_problems else "At start"
            self.notify("\n\n".join(said), title=title, severity="warning", markup=False)
        if self.startup_message:
            self.notify(self.startup_message, markup=False)
        if self.library.read_only:
            self.show_read_only_banner()
        else:
            self.listen_for_cli()
        if self.library.problems:
            self.offer_backup()
        self.main_screen.call_after_refresh(self.background_fetch.start)  # once the list is up
        if self.freeze_after_start:
            # Textual's own start-up objects too (every full collection walked them), once the first
            # frame and the work after it are done
            self.set_timer(FREEZE_AFTER, self.settle_collector)
        self._started = True

    def settle_collector(self) -> None:
        """Freeze what the start made, and turn the collector back on (the command keeps it off
        while the app starts: tui_reader.entry)."""
        gc_pause.settle_after_start()

    # -- SIGHUP / SIGTERM: the write in flight ends, then the app ----------------------------------

    def exit_on_signals(self) -> None:
        """A closed terminal (SIGHUP) or a `kill` (SIGTERM) ends the app as `q` does: the loop
        takes the signal between two steps, so a change being written is written whole first, and
        a store in a thread is waited for."""
        try:
            loop = asyncio.get_running_loop()
            for number in EXIT_SIGNALS:
                loop.add_signal_handler(number, self.exit_when_stored, number == HANGUP)
        except (NotImplementedError, RuntimeError, ValueError):  # no signals here (Windows, a thread)
            return
        self._signals_taken = True

    def stop_listening(self) -> None:
        """The control socket and the signal handlers go with the app."""
        if self.control is not None:
            self.control.close()
        if getattr(self, "_signals_taken", False):
            loop = asyncio.get_running_loop()
            for number in EXIT_SIGNALS:
                loop.remove_signal_handler(number)

    def exit_when_stored(self, hangup: bool = False) -> None:
        if self.main_screen.storing:
            self.set_timer(STORE_POLL, lambda: self.exit_when_stored(hangup))
            return
        if hangup:
            self.end_without_terminal()
        self.exit()

    def end_without_terminal(self) -> None:
        """The terminal is gone: Textual's shutdown would wait forever to restore it (its writer's
        queue fills and is never drained), leaving the app alive and holding the library. Do the
        closing writes that shutdown would do, then leave."""
        try:
            remember_visit(self)
            self.stop_listening()
            self.library.close()
        finally:
            os._exit(0)

    # -- the CLI's changes, handed over through the control socket (store/control.py) ----------------

    def listen_for_cli(self) -> None:
        from tui_reader.store.control import ControlServer
        from tui_reader.ui.transfers import import_from_cli

        server = ControlServer(self.library.folder, self.control_request, partial(import_from_cli, self))
        if server.start():
            self.control = server

    def control_request(self, request: dict) -> dict:
        """In the socket's thread: the change is made on the app's thread, as a key would."""
        try:
            return self.call_from_thread(self.apply_control, request)
        except RuntimeError:  # the app is closing
            return {"error": "the app is closing; try again"}

    def apply_control(self, request: dict) -> dict:
        from tui_reader.store.control import apply_change

        try:
            ids = [self.library.resolve(pid) for pid in request.get("ids") or []]
        except ReaderError as error:
            return {"error": str(error)}
        if not ids:
            return {"error": "no paper given"}
        changed: list[str] = []
        failure: list[str] = []

        def change() -> None:
            try:
                changed.extend(apply_change(self.library, {**request, "ids": ids}))
            except ReaderError as error:
                failure.append(str(error))
                raise

        screen = self.main_screen
        screen.save(ids[0], change)
        for pid in ids[1:]:
            screen.paper_list.refresh_paper(pid)
        if len(ids) > 1:
            screen.sidebar.refresh_counts()
        return {"error": failure[0]} if failure else {"changed": changed}

    def refused_read_only(self, action: str, namespace: object) -> bool:
        """A key that would change the library of a read-only app: said in one toast, nothing done
        (a note typed in full and then refused would be lost)."""
        name = action.partition("(")[0].rpartition(".")[2]
        if namespace is not self.main_screen or name not in CHANGING_ACTIONS:
            return False
        forwarding = self.forwarding()
        if forwarding and name not in WRITER_ONLY_ACTIONS:
            return False  # handed to the app that writes (Library.forward)
        if forwarding:
            self.say_read_only(f"Undo and redo are in the tui-reader that holds this library, {self.library.held_by}: "
                               "the changes made here are undone there.")
        else:
            self.say_read_only()
        return True

    def say_read_only(self, said: str | None = None) -> None:
        """What a read-only app says when asked for a change (import, fetch, a key)."""
        said = said or str(ReadOnlyError(self.library.folder, self.library.held_by))
        self.notify(said, title="Read-only", severity="warning", markup=False)

    def forwarding(self) -> bool:
        """State changes can be handed to the app that writes the library (not to a command that
        holds it for a moment, which does not listen)."""
        from tui_reader.store.control import socket_path

        return self.library.forward is not None and socket_path(self.library.folder).exists()

    def show_read_only_banner(self) -> None:
        from textual.widgets import Static

        owner = self.library.held_by
        text = HELD_BANNER.format(owner=owner) if owner else READ_ONLY_BANNER
        banner = Static(text, id="read-only-banner", markup=False)
        self.main_screen.mount(banner, before=0)

    def offer_backup(self) -> None:
        newest = self.library.backup_to_offer()

        def restore(backup: Path | None) -> None:
            if backup is None:
                return
            try:
                restored = self.library.restore_backup(backup)
            except (ReaderError, OSError) as error:
                self.notify(f"Could not restore {backup.name}: {error}", severity="error", markup=False)
                return
            self.library.problems.clear()
            self.main_screen.reload()
            self.notify(" ".join([f"Restored {restored.name} from {backup.name}.", *restored.notes]), markup=False, timeout=12)

        # The dialogs (TextArea and friends) are imported when one is first opened, not at start.
        from tui_reader.ui.dialogs import RestoreBackup

        self.push_screen(RestoreBackup(list(self.library.problems), newest), restore)

    # -- help ----------------------------------------------------------------------------------

    def binding_sections(self) -> list[tuple[str, list[tuple[str, Binding]]]]:
        """Every binding the user can press on the main screen, with its keys after the keymap
        (the palette offers each of them)."""
        from tui_reader.ui.main_screen import MainScreen as Main

        def rows(bindings: list[Binding]) -> list[tuple[str, Binding]]:
            return [(self.keys_for(b), b) for b in bindings]

        moving_ids = {b.id for b in PaperList.BINDINGS}
        detail_ids = {"detail-down", "detail-up", "detail-page-down", "detail-page-up", "next-pane", "previous-pane",
                      "toggle-sidebar", "clear-search"}
        return [
            ("Papers", rows([b for b in Main.BINDINGS if b.id not in detail_ids])),
            ("Moving: the same keys in the list, the detail pane, the sidebar and pickers",
             rows([*PaperList.BINDINGS, *(b for b in Main.BINDINGS if b.id in detail_ids and b.id not in moving_ids)])),
            ("Sidebar: views and saved searches (b shows it; tab moves to it)", rows(Sidebar.BINDINGS)),
            ("App", rows([*self.BINDINGS, Binding("ctrl+p", "command_palette", "Command palette", id="command-palette", tooltip="Every action, searchable, and Import / Fetch / Export")])),
        ]

    def help_sections(self) -> list:
        """The help: the main screen's bindings, the sidebar's and the dialogs', the palette's own
        commands and the search language, each from where it is defined."""
        from tui_reader.ui import dialogs
        from tui_reader.ui.help import HelpRow, binding_rows, search_rows

        def rows(*classes: type) -> list:
            return binding_rows([(self.keys_for(b), b) for cls in classes for b in cls.BINDINGS if isinstance(b, Binding)])

        sections = [(title, binding_rows(found)) for title, found in self.binding_sections()]
        sections.insert(3, ("Prompts, pickers and the note editor", rows(*dialogs.HELP_DIALOGS)))
        sections.append(("Command palette only (ctrl+p, then type)", [HelpRow("ctrl+p", f"{name}: {does}") for name, does, _run in self.extra_commands()]))
        sections.append(("Search (/): all terms must hold; Esc clears", search_rows()))
        return sections

    def keys_for(self, binding: Binding) -> str:
        keys = self._keymap.get(binding.id, binding.key) if binding.id else binding.key
        return " ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))

    def extra_commands(self) -> list:
        from tui_reader.ui.following import following_commands
        from tui_reader.ui.transfers import transfer_commands

        return transfer_commands(self) + following_commands(self)

    def on_unmount(self) -> None:
        remember_visit(self)
        self.stop_listening()

    def show_help(self) -> None:
        from tui_reader.ui.help import HelpScreen  # when first asked for, not at start

        keymap_file = self.config.path.name if self.config.path else None  # `tui-reader locate` says where
        self.push_screen(HelpScreen(self.help_sections(), keymap_file))


def run_app(library: Library, theme: str | None = None, config_folder: Path | None = None, startup_message: str | None = None) -> int:
    app = ReaderApp(library, config_folder=config_folder, theme=theme, startup_message=startup_message,
                    freeze_after_start=True)
    gc_pause.freeze_survivors()  # the library is loaded: keep the collector's full passes off it
    app.run()
    return app.return_code or 0
