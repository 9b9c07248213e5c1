"""Expected failures. Each carries a one-line message fit to show a user as is."""

from __future__ import annotations

from pathlib import Path


class ReaderError(Exception):
    """Base for every failure the user should see as one line, never as a traceback."""


class CorruptFileError(ReaderError):
    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{self.path}: {reason}")


class StorageWriteError(ReaderError):
    def __init__(self, path: Path, error: OSError):
        self.path, self.error = Path(path), error
        reason = error.strerror or str(error)
        super().__init__(f"could not save {self.path}: {reason}; nothing was changed on disk")


class LibraryLockedError(ReaderError):
    def __init__(self, data_dir: Path, owner: str):
        self.data_dir, self.owner = Path(data_dir), owner
        super().__init__(f"the library in {self.data_dir} is in use by {owner}; close it first")


class FolderError(ReaderError):
    """A data or config folder that cannot be used: a file in its place, no permission, no parent."""

    def __init__(self, path: Path, what: str, reason: str):
        self.path = Path(path)
        super().__init__(f"{what} {self.path}: {reason}")


class ReadOnlyError(ReaderError):
    def __init__(self, data_dir: Path, held_by: str | None = None):
        if held_by:  # another process writes it (the lock file's owner line: "process N (…)")
            super().__init__(f"the library in {data_dir} is open in another tui-reader, {held_by}: "
                             "make the change there, or quit it and open this one again")
        else:
            super().__init__(f"the library in {data_dir} is open read-only")


class UnknownPaperError(ReaderError):
    def __init__(self, paper_id: str):
        self.paper_id = paper_id
        super().__init__(f"no paper with id {paper_id!r}")


class SourceError(ReaderError):
    """A file or response that cannot be read as papers."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


class FetchError(ReaderError):
    pass


class DerivedFileError(ReaderError):
    """A derived file (index, search text, word index) that fails its check: it is rebuilt from
    the catalog, never trusted, and never reaches the user as an error."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(f"{self.path}: {reason}")


class FolderNotWritableError(ReaderError):
    """The data folder (or its lock file) cannot be written: a read-only mount, an immutable file."""

    def __init__(self, data_dir: Path, error: OSError):
        self.data_dir, self.error = Path(data_dir), error
        reason = error.strerror or str(error)
        super().__init__(f"the library in {self.data_dir} cannot be written ({reason}); it can still be opened "
                         "read-only (browse, search, export)")
