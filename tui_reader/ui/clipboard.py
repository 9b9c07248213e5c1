"""Copy text to the system clipboard and report honestly whether it got there.

pyperclip picks the backend (`determine_clipboard`), but for the command-line tools (xclip, xsel,
wl-copy, pbcopy) we run the tool ourselves: pyperclip ignores their exit status and waits forever
on a hung tool. A copy only counts as done when the clipboard is read back and holds the text.
Blocking: call it from a worker thread. No Textual here; the app adds OSC 52 on top.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from functools import partial

import msgspec

TIMEOUT = 2.0  # seconds each tool may take; a tool that hangs longer has failed
# xclip and wl-copy exit once a child of theirs will serve the text; on a busy machine that child
# may not own the clipboard yet when it is read back: the read is asked again for this long.
SETTLE = 0.5
SETTLE_POLL = 0.02

# pyperclip's copy function name -> (tool name, copy command, paste command).
_TOOLS: dict[str, tuple[str, list[str], list[str]]] = {
    "copy_xclip": ("xclip", ["xclip", "-selection", "clipboard"], ["xclip", "-selection", "clipboard", "-o"]),
    "copy_xsel": ("xsel", ["xsel", "--clipboard", "--input"], ["xsel", "--clipboard", "--output"]),
    "copy_wl": ("wl-copy", ["wl-copy"], ["wl-paste", "--no-newline", "--type", "text"]),
    "copy_osx_pbcopy": ("pbcopy", ["pbcopy"], ["pbpaste"]),
}


class CopyResult(msgspec.Struct, frozen=True):
    confirmed: bool  # read back from the system clipboard, and equal to what was copied
    tool: str | None  # the backend tried; None when there is none
    problem: str = ""  # why the copy is not confirmed


class ClipboardFailure(Exception):
    pass


def copy_to_system(text: str, timeout: float = TIMEOUT) -> CopyResult:
    """Copy `text` with the platform's clipboard tool and read it back to confirm."""
    import pyperclip  # on the first copy, not at start

    try:
        copy, paste = pyperclip.determine_clipboard()
    except Exception as error:  # pyperclip probes optional GUI modules; any failure means "none"
        return CopyResult(False, None, f"no clipboard tool could be set up ({error})")
    if not copy:  # pyperclip's stand-in when nothing is found is falsy
        return CopyResult(False, None, "no clipboard tool was found (xclip, xsel, wl-copy, pbcopy)")
    name = getattr(copy, "__name__", type(copy).__name__)
    tool = _TOOLS[name][0] if name in _TOOLS else name.removeprefix("copy_")
    try:
        if name in _TOOLS:
            _, copy_argv, paste_argv = _TOOLS[name]
            _run(copy_argv, text.encode("utf-8"), timeout, capture=False)
            pasted = _read_back(paste_argv, text, timeout)
        else:  # GUI toolkits, clip.exe: pyperclip's own functions, under a time limit
            _in_thread(partial(copy, text), timeout, tool)
            pasted = str(_in_thread(paste, timeout, tool))
    except ClipboardFailure as failure:
        return CopyResult(False, tool, str(failure))
    if not _same(pasted, text):
        return CopyResult(False, tool, f"{tool} seemed to work, but the clipboard holds something else")
    return CopyResult(True, tool)


def _same(pasted: str, text: str) -> bool:
    return pasted.rstrip("\r\n") == text.rstrip("\r\n")


def _read_back(argv: list[str], text: str, timeout: float) -> str:
    """The clipboard as the paste tool reads it, read again for up to SETTLE seconds while the
    read fails or does not hold `text` yet (see SETTLE)."""
    settled = time.monotonic() + SETTLE
    while True:
        try:
            pasted = _run(argv, None, timeout, capture=True).decode("utf-8", "replace")
        except ClipboardFailure:
            if time.monotonic() >= settled:
                raise
        else:
            if _same(pasted, text) or time.monotonic() >= settled:
                return pasted
        time.sleep(SETTLE_POLL)


def _run(argv: list[str], stdin: bytes | None, timeout: float, *, capture: bool) -> bytes:
    """Run a clipboard tool; its own process group, so a hung tool and its children can be killed.

    A copy tool's output is not captured: xclip and wl-copy leave a child behind to serve the
    selection, and that child would hold a captured pipe open forever.
    """
    try:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as error:
        raise ClipboardFailure(f"{argv[0]} could not be started ({error.strerror or error})") from None
    try:
        out, _ = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ClipboardFailure(f"{argv[0]} did not finish within {timeout:g} s") from None
    if proc.returncode != 0:
        raise ClipboardFailure(f"{argv[0]} failed (exit status {proc.returncode})")
    return out or b""


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        proc.kill()
    try:
        proc.communicate(timeout=1)
    except subprocess.TimeoutExpired:
        pass  # something outside the group still holds the pipe; give up on it, not on the app


def _in_thread(call: Callable[[], object], timeout: float, tool: str) -> object:
    """Run a pyperclip call that may hang (GUI toolkits, clip.exe) with a time limit."""
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = call()
        except Exception as error:  # pyperclip raises many kinds; each is a failed copy
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True, name=f"clipboard-{tool}")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise ClipboardFailure(f"{tool} did not finish within {timeout:g} s")
    if "error" in outcome:
        raise ClipboardFailure(f"{tool} failed ({outcome['error']})")
    return outcome.get("value")
