"""Shared fixtures. Every test gets its own progress directory, never the real home."""

from __future__ import annotations

import gc
import itertools
import sys
from pathlib import Path

import pytest

# The suite keeps what it compiles (nn_tui's modules, and pytest's rewritten test modules,
# ``__pycache__/*-pytest-*.pyc``; both git-ignored) even where PYTHONDONTWRITEBYTECODE is set, as
# on our CI machine. Without that every xdist worker compiled nn_tui and rewrote the asserts of
# every test module again on every run: ``pytest --collect-only -p no:xdist`` took 3.3 s of CPU
# that way and 1.4 s with the cache. The tutors the tests start in processes of their own keep
# the environment's setting.
sys.dont_write_bytecode = False

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson

LESSONS = bundled_lessons_dir()


def pytest_addoption(parser, pluginmanager):
    """Without pytest-xdist (or with ``-p no:xdist``) the options pyproject.toml's addopts give
    it are accepted and ignored: the suite then runs in one process."""
    if pluginmanager.hasplugin("xdist"):
        return
    group = parser.getgroup("xdist", "stand-ins for pytest-xdist, which is not loaded")
    group.addoption("--numprocesses", dest="numprocesses", default=None,
                    help="ignored: pytest-xdist is not loaded")
    group.addoption("--dist", dest="dist", default="no", help="ignored: pytest-xdist is not loaded")


# A test that runs the tutor in a real terminal (tmux) or behind `nn-tui serve` (its own process,
# reached over the network or from a headless Chromium) is an end-to-end test: it is marked
# ``e2e`` from the fixtures it uses, so no test needs to remember the mark. pyproject.toml's
# addopts leave them out of a plain ``pytest``; CI runs them as its second command
# (``pytest -m e2e``).
E2E_FIXTURES = frozenset({"tmux_tutor", "served", "browser"})


def pytest_itemcollected(item):
    if E2E_FIXTURES.intersection(getattr(item, "fixturenames", ())):
        item.add_marker(pytest.mark.e2e)


def _finer_idle_polling(granularity: float = 0.001) -> None:
    """Pilot's ``pause()`` and ``press()`` wait for the app to go idle by sleeping in steps of
    ``textual._wait.SLEEP_GRANULARITY`` (20 ms) until a step passes with almost no CPU used
    (``SLEEP_IDLE``, 1/20 of a step). Each key and each pause thus slept 40–100 ms even when the
    app had finished in 2. Finer steps keep the same rule (idle = under 1/20 of a step of CPU):
    tests/ui/test_check_prompt_in_view_ui.py took 26.0 s wall with 5 ms steps and 16.5 s with
    2 ms (serial, same machine; CPU 12.2 s and 10.9 s); the whole suite 100 s and 87 s. From
    2 ms to 1 ms (turn about, same CPU): 59.5, 59.7, 57.9 s and 55.9, 52.8, 59.3, 51.3 s; at
    0.5 ms it was slower again (71.5, 60.8 s). The tests that need the app's work done wait for
    it by condition (``settle``, ``wait_until``), not by this heuristic.
    Nothing here if a Textual upgrade moves these names (the suite is then slower, not wrong)."""
    try:
        import textual._wait as textual_wait
    except ImportError:
        return
    if hasattr(textual_wait, "SLEEP_GRANULARITY") and hasattr(textual_wait, "SLEEP_IDLE"):
        textual_wait.SLEEP_GRANULARITY = granularity
        textual_wait.SLEEP_IDLE = granularity / 20.0


_finer_idle_polling()


def _css_parsed_once_per_process() -> None:
    """Each Textual app parses the default CSS of every widget class it mounts, and ours (app.tcss,
    panes.tcss) into a cache of its own, so each of the suite's ~450 Pilot apps parsed the same
    ~150 blocks of CSS again: ~14 ms of the ~110 ms of CPU it costs to open a lesson. Here the
    parsed rules are shared by every app in the process, keyed as Textual keys its own cache plus
    the CSS variables (the theme) they were parsed with. Textual already hands the same parsed
    rules to every parse of one app, so they are not changed after parsing. Nothing here if a
    Textual upgrade moves these names (the suite is then slower, not wrong)."""
    try:
        from textual.css.stylesheet import Stylesheet
    except ImportError:
        return
    parse_rules = getattr(Stylesheet, "_parse_rules", None)
    if parse_rules is None:
        return
    parsed: dict[tuple, list] = {}

    def _parse_rules(self, css, read_from, is_default_rules=False, tie_breaker=0, scope=""):
        variables = self.__dict__.get("_variables", {})
        seen = self.__dict__.get("_variables_key")
        if seen is None or seen[0] is not variables:
            seen = (variables, tuple(sorted(variables.items())))
            self.__dict__["_variables_key"] = seen
        key = (css, read_from, is_default_rules, tie_breaker, scope, seen[1])
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse_rules(self, css, read_from, is_default_rules,
                                              tie_breaker, scope)
        return rules

    Stylesheet._parse_rules = _parse_rules


_css_parsed_once_per_process()


def _fewer_collections(threshold: tuple[int, int, int] = (100_000, 50, 100)) -> None:
    """The collector runs less often in the test processes. Each Pilot app leaves behind what
    the tutor's ``gc.freeze`` (ui/perf/screen.py) moved out of the collector's reach, and builds
    hundreds of thousands of short-lived objects (strips, segments, styles), so at Python's
    default thresholds (700, 10, 10) a worker spent ~4 s of its ~45 s of CPU in ~15,000
    collections, ~80 of them full ones over its whole unfrozen heap. With these it makes
    far fewer: five UI test files took 35.3–35.5 s of CPU against 37.0–39.2 s at the default
    (serial, turn about). The tutor itself keeps Python's defaults."""
    gc.set_threshold(*threshold)


_fewer_collections()


@pytest.fixture(scope="session")
def _homes(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("homes")


_home_numbers = itertools.count()


@pytest.fixture(autouse=True)
def isolated_home(_homes, monkeypatch) -> Path:
    """NN_TUI_HOME (returned, not created) and HOME in a folder of this test's own.

    Not under ``tmp_path``: pytest makes each ``tmp_path`` by listing every folder made so far
    (its numbered-folder scheme), which made this autouse fixture cost each test more than the
    last: tests/test_format_v2_numbers.py alone (1,923 tests) took 11.7 s of CPU with it, 9.1 s
    without."""
    folder = _homes / str(next(_home_numbers))
    folder.mkdir()
    home = folder / "nn-tui-home"
    monkeypatch.setenv("NN_TUI_HOME", str(home))
    monkeypatch.setenv("HOME", str(folder / "home"))
    return home


@pytest.fixture
def psa_hidden():
    return load_lesson(LESSONS / "psa-hidden-layer.toml")


@pytest.fixture
def fruit():
    return load_lesson(LESSONS / "fruit.toml")


@pytest.fixture
def psa_softmax():
    return load_lesson(LESSONS / "psa-softmax.toml")


@pytest.fixture
def tmux_tutor(tmp_path):
    """Start ``nn-tui *args`` in tmux: ``term = tmux_tutor("lesson.toml")`` (see
    tests/tmux_helpers.py for the keywords); every session started is killed at the end."""
    from tmux_helpers import start_tutor

    terminals = []

    def start(*args: str, **options):
        terminal = start_tutor(tmp_path, *args, **options)
        terminals.append(terminal)
        return terminal

    yield start
    for terminal in terminals:
        terminal.kill()


@pytest.fixture
def quick_saves(monkeypatch):
    """The lesson screen saves the step reached 20 ms after a step instead of a second after
    (``LessonScreen.save_delay``): a test waits for the save instead of sleeping through it."""
    from nn_tui.ui.screens.lesson import LessonScreen

    monkeypatch.setattr(LessonScreen, "save_delay", 0.02)
