"""Fixtures shared by the test modules, the `slow` marker's meaning, and Hypothesis's profile.

`slow` marks the torture, property, 100 MB and real-terminal suites: CI runs them (the README's
command runs everything); `pytest -n auto -m "not slow"` leaves them out locally.
"""

import compileall
import gc
import importlib
import os
import shutil
import sys
from pathlib import Path

import pytest
import textual._wait as textual_wait
from hypothesis import settings

from cli_helpers import sample_library
from tui_reader.store.library import Library

SAMPLE = Path(__file__).resolve().parents[1] / "tui_reader" / "data" / "hf-papers-page.txt"

# The same examples on every run, so a failure replays: HYPOTHESIS_PROFILE=explore draws fresh ones.
settings.register_profile("fixed", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))

# A test process runs hundreds of apps and Hypothesis searches one after another, each leaving
# cyclic garbage, over a heap of every test module and library: at Python's default (a young pass
# every 700 allocations, full ones as the survivors pile up) the collector took a sixth of the
# suite's CPU, mostly re-walking the same long-lived objects. Rarer passes collect the same garbage.
gc.set_threshold(50_000, 10, 10)

# Pilot (press, pause) waits for the app to be idle: it sleeps in slices until one passes in which
# the process used under 5% of a CPU. The slices were 20 ms, so every key a test pressed cost at
# least 40 ms of sleep (~7 s of the suite's wall time); 4 ms slices keep the same test of idleness.
# (Textual has no public setting for it; its version is pinned exactly.) Tests wait on conditions
# they can see (`wait_until`), never on idleness alone.
textual_wait.SLEEP_GRANULARITY = 0.004
textual_wait.SLEEP_IDLE = textual_wait.SLEEP_GRANULARITY / 20


def pytest_configure(config):
    """Compile the package's byte code once, as an install does: the many processes the tests start
    (the CLI, writers, the app in tmux, each xdist worker) then read it instead of each compiling
    every module (PYTHONDONTWRITEBYTECODE, set on some machines, stops them writing it)."""
    if not hasattr(config, "workerinput"):  # the main process only, before any worker starts
        compileall.compile_dir(Path(__file__).resolve().parents[1] / "tui_reader", quiet=1)
        _rewrite_test_modules_once()


def _rewrite_test_modules_once():
    """pytest rewrites each test module's asserts when it imports it, and caches the result only
    where byte code may be written: under PYTHONDONTWRITEBYTECODE every xdist worker redid all of it
    (~3 s of CPU each). Importing them here once, with writing allowed, leaves the cache the workers
    read. A module that fails to import is left for its worker to report."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        for path in sorted(Path(__file__).parent.glob("test_*.py")):
            try:
                importlib.import_module(path.stem)
            except Exception:
                pass
    finally:
        sys.dont_write_bytecode = before


def pytest_sessionfinish(session):
    """A test process ends with a few million objects of cyclic garbage (the apps and libraries of
    its tests) that pytest's last sweep freed one by one, ~4 s per process, all four at the same
    moment after the last test. Frozen, they go with the process. (So a ResourceWarning from an
    object that only that sweep would have freed is not shown.)"""
    if hasattr(session.config, "workerinput"):
        gc.freeze()


def pytest_collection_modifyitems(config, items):
    """The slow tests first (the order is otherwise kept): the workers hand out tests in this
    order, and a long one handed out last keeps one worker busy after the others are done."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_xdist_auto_num_workers(config):
    """`-n auto`: two workers per CPU. A third of the suite's time is spent waiting (Pilot's idle
    waits after each key, subprocesses, a real terminal), which a second worker per CPU fills."""
    return 2 * (os.cpu_count() or 1)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """No test ever touches the user's real library or config."""
    monkeypatch.setenv("TUI_READER_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("TUI_READER_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def _no_app_kept_alive():
    """Textual keeps the styles caches of every app's widgets in a class-level lru_cache
    (StylesCache.get_inner_outer, keyed by the instance), so each app a test ran stayed alive with
    all its widgets: the worker's heap grew test after test and every garbage collection walked
    it. One app per process, as in use, never sees this; a test process runs hundreds."""
    yield
    from textual._styles_cache import StylesCache

    StylesCache.get_inner_outer.cache_clear()


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture
def data_dir() -> Path:
    return Path(os.environ["TUI_READER_DATA_DIR"])


@pytest.fixture(scope="session")
def sample_folder(tmp_path_factory) -> Path:
    """A data folder holding the bundled sample, imported once per test process."""
    folder = tmp_path_factory.mktemp("sample") / "data"
    sample_library(folder).close()
    return folder


@pytest.fixture
def library(tmp_path, sample_folder) -> Library:
    """A real Library in a temp folder holding the bundled sample (81 papers): a copy of the
    imported folder, times and all, which opens as the imported one would."""
    shutil.copytree(sample_folder, tmp_path / "data")
    lib = Library(tmp_path / "data")
    yield lib
    lib.close()


@pytest.fixture
def config_folder(tmp_path) -> Path:
    return tmp_path / "config"


@pytest.fixture
def x_display(monkeypatch):
    """A real X server (Xvfb) on a free display, with DISPLAY set; skipped without Xvfb and xclip."""
    import shutil
    import subprocess

    if not (shutil.which("Xvfb") and shutil.which("xclip")):
        pytest.skip("needs Xvfb and xclip (apt-get install -y xvfb xclip; .ci/run installs them)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        number = pipe.readline().strip()  # Xvfb writes its display number once it accepts clients
    if not number:
        server.kill()
        pytest.fail("Xvfb did not start")
    monkeypatch.setenv("DISPLAY", f":{number}")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def browser(tmp_path, monkeypatch) -> Path:
    """$BROWSER is a script that writes the URL it was given to the returned file."""
    import webbrowser

    opened = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f"#!/bin/sh\nprintf '%s' \"$1\" > {opened}\n")
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # webbrowser reads $BROWSER once; read it again
    return opened


@pytest.fixture
def local_fetch_env(monkeypatch) -> None:
    """Fetching talks to the test's own server on 127.0.0.1: no proxy, no configured base URL,
    and no waiting between retries or pages."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
                 "TUI_READER_HF_URL", "TUI_READER_ARXIV_URL"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TUI_READER_RETRY_WAIT", "0.01")
    monkeypatch.setenv("TUI_READER_ARXIV_DELAY", "0")
