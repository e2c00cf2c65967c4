"""Shared fixtures. Every test gets its own progress directory, never the real home."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "nn-tui-home"
    monkeypatch.setenv("NN_TUI_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
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
