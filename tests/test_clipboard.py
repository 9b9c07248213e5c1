"""clipboard.copy_to_system: success only when the clipboard is read back holding the text."""

from __future__ import annotations

import os
import subprocess

import pytest

from app_helpers import FAKE_BEHAVIOURS, FAKE_SETUPS, FIRST_REPO, fake_tools, use_fake_tool
from tui_reader.ui.clipboard import copy_to_system


def test_real_xclip_copy_is_confirmed_and_readable(x_display):
    result = copy_to_system(FIRST_REPO)
    assert result.confirmed and result.tool == "xclip"
    pasted = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True, timeout=5)
    assert pasted.stdout == FIRST_REPO


def test_unicode_survives_the_round_trip(x_display):
    text = "https://example.org/ünïcode/路径"
    assert copy_to_system(text).confirmed


def test_no_tool_at_all_is_reported_not_confirmed(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = copy_to_system(FIRST_REPO)
    assert not result.confirmed and result.tool is None
    assert "no clipboard tool" in result.problem


@pytest.mark.parametrize("tool", list(FAKE_SETUPS))
@pytest.mark.parametrize("behaviour", list(FAKE_BEHAVIOURS))
def test_a_broken_tool_is_never_a_success(monkeypatch, tmp_path, tool, behaviour):
    folder = use_fake_tool(monkeypatch, tmp_path / "bin", tool, behaviour)
    result = copy_to_system(FIRST_REPO, timeout=0.3)
    assert not result.confirmed
    assert result.tool == tool
    assert result.problem
    if behaviour == "hang":
        assert "did not finish" in result.problem
        for pid in (folder / "pids").read_text().split():
            with pytest.raises(ProcessLookupError):  # the hung tool was killed, not left behind
                os.kill(int(pid), 0)


# A copy tool that, like xclip, exits before the child it leaves behind owns the clipboard: the
# text arrives a moment later, and a paste before that fails.
LATE_OWNER = """
store="${0%/*}/store"
case " $* " in
  *" -o "*) [ -f "$store" ] && exec /bin/cat "$store"; echo 'Error: target STRING not available' >&2; exit 1 ;;
esac
/bin/cat > "$store.in"
( /bin/sleep 0.2; /bin/mv "$store.in" "$store" ) > /dev/null 2>&1 &
"""


def test_a_copy_whose_owner_arrives_late_is_still_confirmed(monkeypatch, tmp_path):
    folder = tmp_path / "bin"
    fake_tools(folder, ["xclip"], LATE_OWNER)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = copy_to_system(FIRST_REPO)
    assert result.confirmed and result.tool == "xclip", result.problem
