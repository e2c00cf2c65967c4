"""Shared fixtures. Every test gets its own progress directory, never the real home."""

from __future__ import annotations

from pathlib import Path

import pytest

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson

LESSONS = bundled_lessons_dir()


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
