"""The `tui-reader` command. The cyclic collector is off from the first import until the app has
started: its many passes before the first screen walked objects that all live on. Every other
command turns it back on at once (tui_reader.cli.main); the app does so
once it has frozen what its start made (ReaderApp, FREEZE_AFTER)."""

from __future__ import annotations

from tui_reader.store import gc_pause


def main() -> int:
    gc_pause.off_while_starting()
    from tui_reader.cli import main as run

    return run()
