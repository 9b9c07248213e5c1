"""The catalog and the user's state, and every change to them. The one place that writes.

Two files in TinyDB's JSON format, kept apart because a write rewrites a whole file: the catalog
(papers.json, written by our own record-at-a-time writer in store/catalog.py, only on import) and the
state file (state.json, through store/files.py's KeyedDB); a user action appends one line to the
state log beside it (state.log, store/state_log.py), folded into state.json now and then.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from operator import attrgetter
from pathlib import Path

import msgspec

from tui_reader.store.catalog import META_TABLE, Catalog, new_generation, read_generation_of
from tui_reader.store.catalog import TABLE as CATALOG_TABLE
from tui_reader.store.gc_pause import gc_paused
from tui_reader.store.sample import SampleRemoval, sample_ids, sample_path, user_keeps
from tui_reader.store.undo import Step, UndoJournal
from tui_reader.errors import CorruptFileError, FolderNotWritableError, LibraryLockedError, ReadOnlyError, StorageWriteError, UnknownPaperError
from tui_reader.locations import CATALOG_FILE, STATE_FILE
from tui_reader.merge import distinct_id, merge_papers, same_work, unite_states
from tui_reader.models import Paper, PaperState, is_arxiv_id, normalise_tag, normalise_title, states_from_docs
from tui_reader.paper_ids import find_paper_id
from tui_reader.store.files import (
    DataLock,
    KeyedDB,
    Records,
    atomic_write_bytes,
    backup_dir,
    decode_own_tables,
    is_pinned,
    list_backups,
    open_db,
    pin_backups,
    pinned_backups,
    read_pins,
    remove_temp_files,
    set_aside,
    unpin_backups,
)
from tui_reader.store.clean import clean_paper
from tui_reader.store.journal import ImportJournal, JournalEntry
from tui_reader.wording import plural

STATE_TABLE = "state"
STATE_RECORDS = Records(PaperState, states_from_docs)
_HIDDEN = attrgetter("hidden")
STATE_BACKUPS = 5
CATALOG_BACKUPS = 1

Progress = Callable[[int, int], None]


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class ImportResult(msgspec.Struct):
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    new_ids: list[str] = msgspec.field(default_factory=list)
    cut: dict[str, int] = msgspec.field(default_factory=dict)  # field name -> papers whose field was cut to its limit
    merged_existing: int = 0  # records taken by title for papers already in the library
    merged_in_batch: int = 0  # records that were the same work as an earlier one of this import
    sample_note: str = ""  # what became of the bundled sample, when this import removed it

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged


class Library:
    """Open with `Library(folder)`; a writer holds the folder's lock until `close()`."""

    def __init__(
        self,
        folder: Path,
        *,
        read_only: bool = False,
        lock_timeout: float = 0.0,
        purpose: str = "tui-reader",
        on_rebuild: Callable[[int], None] | None = None,
    ):
        self.folder = Path(folder)
        self.read_only = read_only
        self.held_by: str | None = None  # read-only because another process holds the lock: who (its owner line)
        # ... and how to hand it a state change (store/control.py: the ids changed, None when it is gone)
        self.forward: Callable[[dict], list[str] | None] | None = None
        self.problems: list[str] = []  # what the user must be told: files moved aside, repairs
        self.warnings: list[str] = []  # what the user should know, with nothing to restore
        self.folder.mkdir(parents=True, exist_ok=True)
        self.lock = DataLock(self.folder, purpose)
        if not read_only:
            self.lock.acquire(lock_timeout)
            remove_temp_files(self.folder)
        self.catalog_path = self.folder / CATALOG_FILE
        self.state_path = self.folder / STATE_FILE
        self._state_db = open_db(self.state_path, STATE_BACKUPS, read_only, own_tables=(STATE_TABLE,), log=True, records=STATE_RECORDS)
        self.journal = ImportJournal(self.folder)
        self._pending_journal: JournalEntry | None = None  # committed, its state write not yet done
        # A read-only Mapping[str, Paper]: records are parsed from the catalog's bytes when asked for.
        self.papers: Catalog = Catalog(self.catalog_path, writable=not read_only, on_rebuild=on_rebuild)
        # Replaced on every change, never changed in place: whoever holds it (a query in a thread)
        # reads a consistent snapshot.
        self.states: dict[str, PaperState] = {}
        # Held while an import changes the catalog in place; a reader in another thread (a
        # query) takes it too, so that it never sees a catalog half written.
        self.access = threading.Lock()
        self._aliases: dict[str, str] = {}
        self._hidden_in: tuple[dict, bool] | None = None  # has_hidden's answer, for these states
        self.undo_log = UndoJournal()  # every state change below is one step (store/undo.py)
        try:
            self._load()
        except BaseException:
            self.close()
            raise

    # -- opening -------------------------------------------------------------------------------

    def _load(self) -> None:
        with gc_paused():  # titles and states that all live on: nothing in them is garbage
            self._load_all()

    def _load_all(self) -> None:
        try:
            self.papers.load()
        except CorruptFileError as error:
            self._damaged(error)
            self.papers.load()
        if self.read_only and self.papers.needs_saving():
            self._save_derived_if_free()
        elif not self.read_only:
            self.papers.save_index()
        self._aliases = self.papers.aliases
        pending = self._settle_journal()
        self.states = self._load_states()
        self._fold_state_log()
        self._apply_in_memory(pending)  # read-only: the committed import's states, in memory only
        self._report_damage_pending()
        self._check_backup_folder()

    def _load_states(self) -> dict[str, PaperState]:
        states = self._read_table(self._state_db, STATE_TABLE)  # records as read: never changed in place
        if not all(map(isinstance, states.values(), repeat(PaperState))):  # some kept as written (checked)
            states = states_from_docs(states)
        # A crash between moving a record to its arXiv id and moving its state leaves the state
        # under the old id: follow the alias.
        moved = [pid for pid in states if pid in self._aliases and pid not in self.papers] if self._aliases else ()
        for old_id in moved:
            states.setdefault(self._aliases[old_id], states.pop(old_id))
        return states

    def _fold_state_log(self) -> None:
        """A writer starts with the state log folded into state.json, a damaged log set aside
        (every change it could read is kept); a reader says that the log is damaged."""
        storage = self._state_db.storage
        damage = storage.log_damage
        aside = None
        if not self.read_only:
            try:
                aside = storage.fold_log()
            except StorageWriteError:
                pass  # the log stays, read again at the next open; a state write says what is wrong
        if damage is not None:
            kept = (f"it was kept as {aside.name}, and every change that could be read from it is in {self.state_path.name}"
                    if aside is not None else "every change that could be read from it is shown; the next writer keeps them and sets it aside")
            self.problems.append(f"{damage.path} could not be read whole ({damage.reason}); {kept}.")

    def _settle_journal(self) -> JournalEntry | None:
        """Finish or drop an import a crash interrupted (see store/journal.py). A reader cannot
        write: it gets the entry back to apply in memory."""
        entry = self.journal.read()
        if entry is None:
            if self.journal.exists() and not self.read_only:
                self.journal.clear()
            return None
        if entry.generation != self.papers.generation:  # the catalog was never replaced: no import
            if not self.read_only:
                self.journal.clear()
            return None
        if self.read_only:
            return entry
        table = self._state_db.table(STATE_TABLE)
        try:
            try:
                table.put_many(entry.put, entry.drop)
            except CorruptFileError as error:
                self._damaged(error)
                table.put_many(entry.put, entry.drop)
        except StorageWriteError:  # kept for the next state write (and the next open)
            self._pending_journal = entry
            return entry
        self.journal.clear()
        return None

    def _apply_in_memory(self, entry: JournalEntry | None) -> None:
        if entry is not None:
            states = self.states.copy()  # a new snapshot, as every change makes
            for pid in entry.drop:
                states.pop(pid, None)
            states.update(states_from_docs(entry.put))
            self.states = states

    @staticmethod
    def _with_pending(entry: JournalEntry | None, docs: dict[str, PaperState], dropped: list[str]) -> tuple[dict[str, PaperState], list[str]]:
        """A state write after a committed import whose own state write failed carries the
        journal's records along (the newer change to a paper wins), so the journal can go."""
        if entry is None:
            return docs, dropped
        changed = set(docs) | set(dropped)
        docs = {**{pid: doc for pid, doc in entry.put.items() if pid not in changed}, **docs}
        return docs, dropped + [pid for pid in entry.drop if pid not in docs]

    def _save_derived_if_free(self) -> None:
        """A reader that had to rebuild the index (or check a copied catalog's checksum) writes it
        when no writer holds the folder, so that is paid once, not at every `list`."""
        try:
            self.lock.acquire(0)
        except (LibraryLockedError, FolderNotWritableError, OSError):
            return  # the writer that holds it, or the next one, writes it (none on a read-only folder)
        try:
            self.papers.save_derived()
            self.papers.save_index()
        finally:
            self.lock.release()

    def _read_table(self, db: KeyedDB, name: str) -> dict[str, dict]:
        try:
            return db.table(name).raw()
        except CorruptFileError as error:
            self._damaged(error)
        try:
            return db.table(name).raw()  # the file set aside: what the state log holds beside it
        except CorruptFileError as error:
            self._damaged(error)
            return {}

    def _damaged(self, error: CorruptFileError) -> None:
        """A reader reports a damaged file and leaves it where it is; the writer sets it aside."""
        if self.read_only:
            raise error
        self._set_aside(error)

    def _set_aside(self, error: CorruptFileError) -> None:
        """Keep an unreadable file under a new name, so nothing ever writes over it."""
        aside = set_aside(error.path)
        if error.path == self.state_path:
            self._state_db.storage.forget()
        try:
            pin_backups(error.path, aside)
        except StorageWriteError:
            pass  # a folder we cannot write to: the damage is still reported below
        self.problems.append(
            f"{error.path} could not be read ({error.reason}); it was kept as {aside.name}. "
            f"{self._restore_hint(error.path)}"
        )

    def _restore_hint(self, path: Path) -> str:
        kept = list_backups(path)
        if kept:
            them = "it" if len(kept) == 1 else "them"
            return (f"The {plural(len(kept), 'backup')} from before {'is' if len(kept) == 1 else 'are'} kept until you choose: "
                    f"`tui-reader restore` lists {them}, `tui-reader restore --keep-current` goes on with the file as it is now.")
        return "There is no backup of it; `tui-reader restore --keep-current` goes on with the file as it is now."

    def _report_damage_pending(self) -> None:
        """Damage the user has not yet acted on is said at every open (and keeps its backups)."""
        for path in (self.catalog_path, self.state_path):
            if is_pinned(path) and not any(str(path) in problem for problem in self.problems):
                aside = ", ".join(read_pins(path)["set_aside"]) or "a damaged copy"
                self.problems.append(f"{path} was damaged earlier and kept as {aside}. {self._restore_hint(path)}")

    def _check_backup_folder(self) -> None:
        folder = backup_dir(self.state_path)
        if not self.read_only and folder.exists() and not folder.is_dir():
            self.warnings.append(f"{folder} is not a folder, so no backups can be kept; move it away to have them again")

    def pinned_backups(self) -> list[Path]:
        return pinned_backups(self.state_path) + pinned_backups(self.catalog_path)

    def backup_to_offer(self) -> Path | None:
        """The backup to offer after damage: the newest from before it (pinned) of a damaged file,
        else the newest of a file the problems name."""
        damaged = [p for p in (self.state_path, self.catalog_path) if any(str(p) in text for text in self.problems)]
        for path in damaged:
            pinned = pinned_backups(path)
            if pinned:
                return pinned[0]
        return next((b for path in damaged for b in list_backups(path)), None)

    def damage_pending(self) -> bool:
        """True while a damaged file was set aside and the user has not restored or dismissed it:
        nothing (such as the bundled sample) is imported over it then."""
        return is_pinned(self.catalog_path) or is_pinned(self.state_path)

    def keep_current(self) -> list[Path]:
        """The user goes on with the files as they are: the damage is no longer said, and the
        backups from before it rotate away as usual. Returns the files that were pinned."""
        if self.read_only:
            raise ReadOnlyError(self.folder, self.held_by)
        pinned = [path for path in (self.catalog_path, self.state_path) if is_pinned(path)]
        for path in pinned:
            unpin_backups(path)
        self.problems = [p for p in self.problems if not any(str(path) in p for path in pinned)]
        return pinned

    def close(self) -> None:
        if hasattr(self, "_state_db"):
            if not self.read_only:
                try:
                    self._state_db.storage.fold_log()
                except (StorageWriteError, OSError):
                    pass  # the log keeps every change; folded at the next open
            self._state_db.close()
        self.lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.papers)

    def resolve(self, paper_id: str) -> str:
        """The current id of a paper, following former ids; UnknownPaperError if none."""
        if paper_id in self.papers:
            return paper_id
        found = find_paper_id(paper_id, self.papers, self._aliases, self._dois())
        if found is None:
            raise UnknownPaperError(paper_id)
        return found

    def _dois(self) -> Iterator[tuple[str, str]]:
        """(id, DOI) of every paper that has one: read only when a DOI is asked for."""
        return ((pid, paper.doi) for pid, paper in self.papers.items() if paper.doi)

    def get(self, paper_id: str) -> Paper:
        return self.papers[self.resolve(paper_id)]

    def state(self, paper_id: str) -> PaperState:
        return self.states.get(paper_id) or PaperState()

    def ordered_ids(self) -> list[str]:
        """Newest import first; within one import, the source's own order."""
        return self.papers.order

    def tag_counts(self, states: dict[str, PaperState] | None = None) -> dict[str, int]:
        """Papers per tag, with `states` (the library's now, by default); a hidden paper counts under none."""
        counts: dict[str, int] = {}
        present = self.papers.row  # `in` answered in C
        for pid, state in (self.states if states is None else states).items():
            if pid in present and not state.hidden:
                for tag in state.tags:
                    counts[tag] = counts.get(tag, 0) + 1
        return dict(sorted(counts.items()))

    # -- user state ----------------------------------------------------------------------------

    def _change(self, paper_ids: Iterable[str], change: Callable[[PaperState], None], what: str, request: dict) -> list[str]:
        """Apply `change` to each paper's state and save them in one write of the state file: one
        undo step, named `what`. Read-only, with a process that writes (`forward`): `request`, the
        same change as the control socket carries it, is handed to that process."""
        if self.read_only:
            if self.forward is None:
                raise ReadOnlyError(self.folder, self.held_by)
            return self._forwarded(self.forward, {**request, "ids": list(paper_ids)})
        updated: dict[str, PaperState] = {}
        befores: dict[str, PaperState] = {}
        stamp = now_iso()
        for pid in dict.fromkeys(self.resolve(p) for p in paper_ids):
            before = self.state(pid)
            after = before.copy()
            change(after)
            if after != before:
                after.updated = stamp
                updated[pid] = after
                befores[pid] = before  # states are replaced, never changed in place: kept as they are
        if updated:
            self._write_states(updated)
            self.undo_log.record(Step(what, befores, dict(updated)))
        return list(updated)

    def _forwarded(self, forward: Callable[[dict], list[str] | None], request: dict) -> list[str]:
        """The change made by the process that writes the library; memory then follows the disk
        (with that process's own changes too). ReaderError when it refuses or is gone."""
        changed = forward(request)
        if changed is None:  # it closed, or it is a command that does not listen
            raise ReadOnlyError(self.folder, self.held_by)
        self._state_db.storage.forget()
        self.states = self._load_states()
        return changed

    def _write_states(self, updated: dict[str, PaperState], remove: Iterable[str] = ()) -> None:
        docs = {pid: s for pid, s in updated.items() if not s.is_default()}
        dropped = [pid for pid, s in updated.items() if s.is_default()] + list(remove)
        # A state left under a former id (a crash between the catalog write and the state move) is
        # followed on load; once the paper's state is written under its id, the old record must go,
        # or clearing the state would bring the old one back on the next start.
        # (from the catalog's alias index: reading each record's aliases parsed 10,000 records for a
        # bulk mark-read)
        former = [alias for alias, pid in self._aliases.items() if pid in updated]
        pending = self._pending_journal
        docs, dropped = self._with_pending(pending, docs, dropped)
        try:
            self._state_db.table(STATE_TABLE).put_many(docs, dropped + former)
        except StorageWriteError:
            self.states = self._load_states()  # memory follows the disk, which is unchanged
            self._apply_in_memory(pending)  # ... and the committed import the journal holds
            raise
        if pending is not None:
            self._pending_journal = None
            self.journal.clear()
        # A new snapshot: readers of the old one are undisturbed. copy(), not dict(): after a record
        # was dropped, dict() of the snapshot takes CPython's slow path, one insert per state.
        states = self.states.copy()
        for pid in dropped:
            states.pop(pid, None)
        states.update({pid: s for pid, s in updated.items() if not s.is_default()})
        self.states = states

    def set_starred(self, paper_ids: Iterable[str], starred: bool = True) -> list[str]:
        stamp = now_iso() if starred else None

        def change(state: PaperState) -> None:
            if state.starred != starred:
                state.starred = starred
                state.starred_at = stamp

        return self._change(paper_ids, change, "star" if starred else "unstar", {"command": "star" if starred else "unstar"})

    def set_read(self, paper_ids: Iterable[str], read: bool = True) -> list[str]:
        stamp = now_iso() if read else None

        def change(state: PaperState) -> None:
            if state.read != read:
                state.read = read
                state.read_at = stamp

        return self._change(paper_ids, change, "mark read" if read else "mark unread", {"command": "read" if read else "unread"})

    def add_tags(self, paper_ids: Iterable[str], tags: Iterable[str]) -> list[str]:
        wanted = [t for t in dict.fromkeys(normalise_tag(t) for t in tags) if t]

        def change(state: PaperState) -> None:
            state.tags.extend(t for t in wanted if t not in state.tags)

        return self._change(paper_ids, change, "tag " + " ".join("#" + t for t in wanted), {"command": "tag", "tags": wanted})

    def remove_tags(self, paper_ids: Iterable[str], tags: Iterable[str]) -> list[str]:
        unwanted = {normalise_tag(t) for t in tags}

        def change(state: PaperState) -> None:
            state.tags = [t for t in state.tags if t not in unwanted]

        return self._change(paper_ids, change, "untag " + " ".join("#" + t for t in sorted(unwanted)),
                            {"command": "untag", "tags": sorted(unwanted)})

    def set_note(self, paper_id: str, note: str) -> list[str]:
        def change(state: PaperState) -> None:
            state.note = note

        return self._change([paper_id], change, "note", {"command": "note", "text": note})

    # -- hide, remove, undo (the undo log: store/undo.py) -----------------------------------------------

    def set_hidden(self, paper_ids: Iterable[str], hidden: bool = True) -> list[str]:
        def change(state: PaperState) -> None:
            state.hidden = hidden

        return self._change(paper_ids, change, "hide" if hidden else "unhide", {"command": "hide" if hidden else "unhide"})

    def has_hidden(self) -> bool:
        """Asked on every search key: answered once per states snapshot (each change makes a new one)."""
        states = self.states
        if self._hidden_in is None or self._hidden_in[0] is not states:
            self._hidden_in = (states, any(map(_HIDDEN, states.values())))
        return self._hidden_in[1]

    def remove_papers(self, paper_ids: Iterable[str]) -> list[str]:
        """Take papers out of the catalog for good, with their state (one catalog write, then one
        state write). Not an undo step: `tui-reader remove` asks for it by id."""
        self._check_writable()
        ids = list(dict.fromkeys(self.resolve(pid) for pid in paper_ids))
        if not ids:
            return []
        with self.access:  # as an import: no query in a thread reads the catalog half written
            self.papers.write({}, ids, CATALOG_BACKUPS)  # StorageWriteError: memory unchanged
            self._aliases = self.papers.aliases
        gone = [pid for pid in ids if pid in self.states]
        if gone:
            self._write_states({}, remove=gone)
        return ids

    def drop_sample(self, brought: Iterable[str] = ()) -> SampleRemoval:
        """After the user's first own import: remove the bundled sample's papers, but those the
        user starred, tagged or noted, and those the import `brought` again (store/sample.py)."""
        ids = sample_ids(self.folder)
        if not ids:
            return SampleRemoval()
        again = set(brought)
        present = [pid for pid in ids if pid in self.papers and pid not in again]
        kept = [pid for pid in present if user_keeps(self.state(pid))]
        drop = [pid for pid in present if pid not in set(kept)]
        if drop:
            self.remove_papers(drop)
        sample_path(self.folder).unlink(missing_ok=True)
        return SampleRemoval(removed=len(drop), kept=len(kept))

    def undo(self) -> Step | None:
        """Put back the states before the newest change (one write); None when nothing is left."""
        self._check_writable()
        return self.undo_log.undo(self._put_states)

    def redo(self) -> Step | None:
        self._check_writable()
        return self.undo_log.redo(self._put_states)

    def _check_writable(self) -> None:
        if self.read_only:
            raise ReadOnlyError(self.folder, self.held_by)

    def _put_states(self, states: dict[str, PaperState]) -> None:
        """Write these states as they are (a default one drops its record); papers removed from
        the catalog since are passed over."""
        present = {pid: state for pid, state in states.items() if pid in self.papers}
        if present:
            self._write_states(present)

    # -- import --------------------------------------------------------------------------------

    def import_papers(
        self,
        papers: Iterable[Paper],
        progress: Progress | None = None,
        states: dict[str, PaperState] | None = None,
        restore: bool = False,
    ) -> ImportResult:
        """Add new papers, merge known ones (same id, or same title gaining an arXiv id).

        `states` (from a backup) are merged into the user's state; `restore` keeps the records'
        own added times and order instead of making this import the newest.
        """
        with self.access, gc_paused():
            return self._import_papers(papers, progress, states, restore)

    def _import_papers(
        self,
        papers: Iterable[Paper],
        progress: Progress | None,
        states: dict[str, PaperState] | None,
        restore: bool,
    ) -> ImportResult:
        if self.read_only:
            raise ReadOnlyError(self.folder, self.held_by)
        incoming = list(papers)
        result = ImportResult()
        self._clean_incoming(incoming, result)
        batch = self.papers.max_batch + 1
        added = now_iso()
        by_title = {normalise_title(title): pid for pid, title in zip(self.papers.ids, self.papers.titles)}
        changed: dict[str, Paper] = {}  # id -> record to write
        removed: dict[str, str] = {}  # old title id -> new arXiv id
        new_ids: set[str] = set()

        def current(pid: str | None) -> Paper | None:
            if pid is None or pid in removed:
                return None
            found = changed.get(pid)
            if found is None and pid in self.papers:  # `in` first: a miss by lookup would raise
                found = self.papers[pid]
            return found

        for index, paper in enumerate(incoming):
            key = normalise_title(paper.title)
            given_id = paper.id
            existing_id = self._match(paper, key, current, by_title)
            if paper.id != given_id and states and given_id in states:  # another work had its title id
                states = {**states, paper.id: states[given_id]}
                del states[given_id]
            if existing_id is not None:  # by id it is the same paper again; by title, a merge to report
                if existing_id in new_ids:
                    result.merged_in_batch += 1
                elif existing_id != given_id:
                    result.merged_existing += 1
            if existing_id is None:
                record = paper  # the incoming records become the library's: no copy of the batch
                if not restore:
                    record.added, record.batch, record.seq, record.aliases = added, batch, index, []
                new_ids.add(record.id)
            else:
                old = current(existing_id)
                record = merge_papers(old, paper)
                if record == old:
                    if existing_id not in changed:
                        result.unchanged += 1
                    continue
                if record.id != existing_id:
                    removed[existing_id] = record.id
                    changed.pop(existing_id, None)
                    if existing_id in new_ids:
                        new_ids.discard(existing_id)
                        new_ids.add(record.id)
            changed[record.id] = record
            by_title[key if record.title is paper.title else normalise_title(record.title)] = record.id
            if progress and index % 500 == 0:
                progress(index, len(incoming))
        result.new = len(new_ids)
        result.updated = len(changed) - len(new_ids)
        result.new_ids = [pid for pid in changed if pid in new_ids]
        if changed:
            self._write_catalog(changed, removed, states or {})
        elif states:
            self._merge_states(states)
        if progress:
            progress(len(incoming), len(incoming))
        return result

    def import_stream(
        self,
        papers: Iterable[Paper],
        merge: Callable[[Paper, Paper], Paper] = merge_papers,
    ) -> ImportResult:
        """import_papers for an import too large to hold in memory (the arXiv snapshot): each
        paper is cleaned, merged (by `merge`, old first) and written as it comes, in one write of
        the catalog that is committed only at the end, so an interruption (Ctrl-C, a crash)
        leaves the library as it was. The papers must have arXiv ids; each id counts once."""
        if self.read_only:
            raise ReadOnlyError(self.folder, self.held_by)
        with gc_paused():
            return self._import_stream(papers, merge)

    def _import_stream(self, papers: Iterable[Paper], merge: Callable[[Paper, Paper], Paper]) -> ImportResult:
        result = ImportResult()
        catalog = self.papers
        batch = catalog.max_batch + 1
        added = now_iso()
        # An arXiv id meets its paper by id; only a title-id record can be met by title.
        by_title = {normalise_title(catalog.titles[row]): pid for row, pid in enumerate(catalog.ids) if not is_arxiv_id(pid)}
        removed: dict[str, str] = {}  # old title id -> new arXiv id
        seen: set[str] = set()

        def records() -> Iterator[Paper]:
            for seq, paper in enumerate(papers):
                if paper.id in seen:
                    continue
                seen.add(paper.id)
                self._clean_incoming([paper], result)
                existing = paper.id if paper.id in catalog else self._aliases.get(paper.id)
                if existing is None and by_title:
                    existing = by_title.pop(normalise_title(paper.title), None)
                if existing is not None and existing != paper.id and (existing in seen or existing in removed):
                    existing = None  # that record is already this import's
                if existing is None:
                    paper.added, paper.batch, paper.seq, paper.aliases = added, batch, seq, []
                    result.new += 1
                    result.new_ids.append(paper.id)
                    yield paper
                    continue
                old = catalog.read_record(existing)
                record = merge(old, paper)
                if record == old:
                    result.unchanged += 1
                    continue
                if record.id != existing:
                    removed[existing] = record.id
                result.updated += 1
                yield record

        catalog.write_stream(records(), removed, CATALOG_BACKUPS)  # StorageWriteError: memory unchanged
        self._aliases = catalog.aliases
        # The states of title-id papers that gained their arXiv id follow them. Not journalled (the
        # moves are known only once the stream is spent, with the catalog in flight): a crash
        # before this write leaves such a state under the former id, and opening follows the alias.
        put, drop = self._moving_states({}, removed, None)
        if put or drop:
            self._write_states(put, remove=drop)
        return result

    @staticmethod
    def _clean_incoming(incoming: list[Paper], result: ImportResult) -> None:
        """No control character or oversized field enters the catalog (store/clean.py)."""
        for paper in incoming:
            for name in clean_paper(paper):
                result.cut[name] = result.cut.get(name, 0) + 1

    def _merge_states(self, states: dict[str, PaperState]) -> None:
        """Fold states from a backup into the user's, united field by field (merge.unite_states)."""
        merged = self._united_states(states, self.resolve_or_none, {})
        if merged:
            self._write_states(merged)

    def resolve_or_none(self, paper_id: str) -> str | None:
        try:
            return self.resolve(paper_id)
        except UnknownPaperError:
            return None

    def _united_states(self, states: dict[str, PaperState], resolve: Callable[[str], str | None],
                       base: dict[str, PaperState]) -> dict[str, PaperState]:
        """`states` united with the user's (or with `base`, states already on their way): only the
        ones that change, under the ids `resolve` gives (None: not a paper of the library)."""
        merged = dict(base)
        for pid, theirs in states.items():
            pid = resolve(pid)
            if pid is None:
                continue
            mine = merged.get(pid) or self.state(pid)
            both = unite_states(mine, theirs)
            if both != mine:
                merged[pid] = both
        return merged

    @staticmethod
    def _match(paper: Paper, key: str, current: Callable[[str | None], Paper | None], by_title: dict[str, str]) -> str | None:
        """The id of the paper's record, if known: by id or former id, else by title (`key`) when
        nothing contradicts it (merge.same_work). A title id held by another work with the same
        title gives the paper an id of its own (set on `paper`)."""
        for candidate in (paper.id, *paper.aliases):
            found = current(candidate)
            if found is None:
                continue
            if is_arxiv_id(candidate) or same_work(found, paper):
                return candidate
            if candidate == paper.id:
                for attempt in range(1000):
                    paper.id = distinct_id(paper, attempt)
                    found = current(paper.id)
                    if found is None:
                        return None
                    if same_work(found, paper):
                        return paper.id
        same_title = by_title.get(key)
        found = current(same_title)
        if found is not None and same_work(found, paper):
            return same_title
        return None

    def _write_catalog(self, changed: dict[str, Paper], removed: dict[str, str],
                       incoming_states: dict[str, PaperState] | None = None) -> None:
        """Write the catalog and the states it moves (a title-id paper gaining its arXiv id) or
        brings (a backup), as one step: the states go to the journal first, the catalog's replace
        commits both (store/journal.py)."""
        put, drop = self._moving_states(changed, removed, incoming_states)
        entry = None
        if put or drop:
            entry = JournalEntry(new_generation(), {pid: s for pid, s in put.items() if not s.is_default()}, drop)
            self.journal.write(entry)
        # StorageWriteError: memory unchanged; the journal stays, and is dropped at the next open
        # unless the catalog was replaced after all
        self.papers.write(changed, removed, CATALOG_BACKUPS, generation=entry and entry.generation)
        self._aliases = self.papers.aliases
        if entry is not None:
            self._pending_journal = entry  # _write_states clears it once written
            self._write_states(put, remove=drop)

    def _moving_states(self, changed: dict[str, Paper], removed: dict[str, str],
                       incoming_states: dict[str, PaperState] | None) -> tuple[dict[str, PaperState], list[str]]:
        """The states a catalog write moves or brings: (the states to put, the ids to drop)."""
        moved = {old: new for old, new in removed.items() if old in self.states}
        put: dict[str, PaperState] = {}
        for old, new in moved.items():  # united with what the new id already has, never replaced
            put[new] = unite_states(put.get(new) or self.state(new), self.states[old])
        if incoming_states:
            put = self._united_states(incoming_states, self._future_resolver(changed, removed), put)
        return put, list(moved)

    def _future_resolver(self, changed: dict[str, Paper], removed: dict[str, str]) -> Callable[[str], str | None]:
        """resolve() as it will be once `changed` and `removed` are in the catalog."""
        aliases = dict(self._aliases)
        aliases.update(removed)
        for pid, paper in changed.items():
            aliases.update(dict.fromkeys(paper.aliases, pid))

        def resolve(pid: str) -> str | None:
            if pid in changed or (pid in self.papers and pid not in removed):
                return pid
            target = aliases.get(pid)
            if target is not None and (target in changed or target in self.papers):
                return target
            return None

        return resolve

    # -- backups -------------------------------------------------------------------------------

    def backups(self) -> list[Path]:
        """State backups (newest first), then catalog backups."""
        return list_backups(self.state_path) + list_backups(self.catalog_path)

    def restore_backup(self, backup: Path) -> Restored:
        """Put a backup back in place (the current file becomes a backup itself) and say what that
        changed. Restoring an older catalog keeps every state reachable: a state whose paper is
        not in it moves to the paper's former id (united with what that id has), or, with no
        home, stays in the state file until the paper is imported again."""
        if self.read_only:
            raise ReadOnlyError(self.folder, self.held_by)
        target = self.state_path if backup.name.startswith(self.state_path.stem) else self.catalog_path
        raw = backup.read_bytes()
        if target == self.state_path:
            decode_own_tables(raw, backup, (STATE_TABLE,), STATE_RECORDS)  # a damaged backup is refused before anything is replaced
            before = dict(self.states)
            self._state_db.storage.replace_file(raw)
            unpin_backups(target)
            self._load()
            return Restored(target, backup, describe_state_change(before, self.states))
        tables = decode_own_tables(raw, backup, (META_TABLE, CATALOG_TABLE))
        papers_before = len(self.papers)
        moves, homeless = self._homes_in(tables.get(CATALOG_TABLE, {}))
        generation = read_generation_of(raw)
        put: dict[str, PaperState] = {}
        for old, new in moves.items():
            put[new] = unite_states(put.get(new) or self.state(new), self.states[old])
        if moves and generation:
            self.journal.write(JournalEntry(generation, dict(put), list(moves)))
        atomic_write_bytes(target, raw, CATALOG_BACKUPS)  # the commit point: _load applies the journal
        self._state_db.storage.forget()
        unpin_backups(target)
        self._load()
        if moves and not generation:  # a catalog from before generation tokens: no journal possible
            self._write_states(put, remove=list(moves))
        notes = [f"The catalog now holds {len(self.papers)} papers (it held {papers_before})."]
        if moves:
            one = len(moves) == 1
            notes.append(f"The state of {plural(len(moves), 'paper')} moved to the {'id it has' if one else 'ids they have'} in this catalog.")
        if homeless:
            one = len(homeless) == 1
            notes.append(f"{plural(len(homeless), 'paper')} with stars, read marks, tags or notes {'is' if one else 'are'} not in "
                         f"this catalog; {'its' if one else 'their'} state is kept and comes back when {'it is' if one else 'they are'} "
                         "imported again.")
        return Restored(target, backup, notes)

    def _homes_in(self, docs: dict[str, dict]) -> tuple[dict[str, str], list[str]]:
        """For a catalog about to be restored (its records by id): the states that would lose
        their paper, as {state id: the id of the same paper there} and the ones with no home."""
        aliases = {alias: pid for pid, doc in docs.items() for alias in (doc.get("aliases") or [])}
        by_title = {normalise_title(str(doc.get("title", ""))): pid for pid, doc in docs.items()}
        moves: dict[str, str] = {}
        homeless: list[str] = []
        for pid, state in self.states.items():
            if pid in docs or state.is_default():
                continue
            home = aliases.get(pid)
            if home is None and pid in self.papers:
                paper = self.papers[pid]
                home = next((a for a in paper.aliases if a in docs), None) or by_title.get(normalise_title(paper.title))
            if home is None:
                homeless.append(pid)
            else:
                moves[pid] = home
        return moves, homeless


class Restored(msgspec.Struct):
    target: Path  # the file restored
    backup: Path  # from this backup
    notes: list[str]  # what it changed, one sentence each

    @property
    def name(self) -> str:
        return self.target.name


def describe_state_change(before: dict[str, PaperState], after: dict[str, PaperState]) -> list[str]:
    """One sentence on what a restored state file changed, counted per kind of mark."""
    def counts(states: dict[str, PaperState]) -> dict[str, int]:
        return {"starred": sum(s.starred for s in states.values()), "read": sum(s.read for s in states.values()),
                "tagged": sum(bool(s.tags) for s in states.values()), "with a note": sum(bool(s.note) for s in states.values())}

    old, new = counts(before), counts(after)
    changes = [f"{kind} {old[kind]} -> {new[kind]}" for kind in old if old[kind] != new[kind]]
    return [f"Papers {', '.join(changes)}." if changes else "The marks, tags and notes are the same as before."]
