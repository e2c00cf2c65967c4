"""Saves from threads end at the latest value: the digits setting (the ``d`` key).

A thread per ``d`` press that wrote its own value let an older save finish last and leave
settings.json at an in-between value. These tests make that order happen on purpose: the
first save is held until the second has finished (or, with the one-writer fix, until a newer
value is wanted, since the second then waits for the first), so they do not depend on timing.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from lesson_files import lesson_text, write_lesson
from ui_helpers import Cases, make_app, open_at, settle, wait_until

import nn_tui.lessons.settings as settings_module
from nn_tui.format.numbers import current_decimals

SMALL = (80, 24)


@pytest.fixture
def lesson(tmp_path) -> Path:
    return write_lesson(tmp_path, lesson_text("psa-1-1-1"), "race.toml")


class HeldFirstSave:
    """Wraps ``save_settings``: the first call waits (before writing) until another call has
    finished or the app's saver wants a newer value; every finished write is recorded."""

    def __init__(self, app, real):
        self.app, self.real = app, real
        self.started = threading.Event()
        self.finished: list[int] = []
        self.calls = 0
        self.lock = threading.Lock()

    def newer_wanted(self, decimals: int) -> bool:
        saver = getattr(self.app, "settings_saver", None)
        wanted = saver.wanted if saver is not None else None
        return wanted is not None and wanted.decimals != decimals

    def __call__(self, settings, directory=None):
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            self.started.set()
            deadline = time.monotonic() + 10.0  # a bound on a condition, not a pause
            while time.monotonic() < deadline:
                with self.lock:
                    if self.finished:
                        break
                if self.newer_wanted(settings.decimals):
                    break
                time.sleep(0.005)
        self.real(settings, directory)
        with self.lock:
            self.finished.append(settings.decimals)


async def test_an_older_digits_save_finishing_last_leaves_the_latest_value_and_quit_saves(
        lesson, isolated_home, monkeypatch):
    """Then, in the same app, digits pressed just before quitting are on disk."""
    cases = Cases()
    app = make_app(lesson)
    held = HeldFirstSave(app, settings_module.save_settings)
    monkeypatch.setattr(settings_module, "save_settings", held)
    async with app.run_test(size=SMALL) as pilot:
        await open_at(app, pilot, 1)
        with cases("an older digits save finishing last leaves the latest value"):
            await pilot.press("d")  # 4 → 6: its save is held
            await wait_until(pilot, held.started.is_set, "the first save starts")
            await pilot.press("d")  # 6 → 9
            assert current_decimals() == 9
            await settle(app, pilot)
            assert json.loads((isolated_home / "settings.json").read_text())["decimals"] == 9
            assert held.finished[0] == 6, "the held save of 6 did finish first"
        with cases("digits pressed just before quitting are on disk"):
            # (No save is held now: every one writes as it comes.)
            await pilot.press("d", "d", "d", "d")  # 4, 6, 9, 4; no waiting for the workers
            assert current_decimals() == 4
            await pilot.press("q")
    with cases("digits pressed just before quitting are on disk"):
        assert json.loads((isolated_home / "settings.json").read_text())["decimals"] == 4
    cases.check()
