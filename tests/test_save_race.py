"""Saves from threads end at the latest value: the settings saver and the progress store.

Each test holds the first write until a newer value is waiting, so an older write finishing
last (or an older failed write retried after a newer one) would show every time, not by luck.
"""

from __future__ import annotations

import json
import threading

import nn_tui.lessons.settings as settings_module
from nn_tui.lessons.progress import ProgressStore
from nn_tui.lessons.settings import Settings, SettingsSaver, load_settings

BOUND = 10.0  # seconds: a bound on waiting for a condition, never a pause


# -- the settings saver -------------------------------------------------------------------------

def test_each_write_writes_the_latest_wanted_settings(tmp_path, monkeypatch):
    """A thread started for 6 whose write is held, a thread started for 9: the file ends at 9,
    whichever thread ends last."""
    real = settings_module.save_settings
    release, started, written = threading.Event(), threading.Event(), []

    def held_save(settings, directory=None):
        if not written and not started.is_set():
            started.set()
            assert release.wait(BOUND)
        real(settings, directory)
        written.append(settings.decimals)

    monkeypatch.setattr(settings_module, "save_settings", held_save)
    saver = SettingsSaver(tmp_path)
    saver.want(Settings(decimals=6))
    first = threading.Thread(target=saver.write_latest)
    first.start()
    assert started.wait(BOUND)
    saver.want(Settings(decimals=9))
    second = threading.Thread(target=saver.write_latest)
    second.start()
    release.set()
    first.join(BOUND)
    second.join(BOUND)
    assert written == [6, 9]
    assert load_settings(tmp_path)[0].decimals == 9
    assert saver.write_latest() is False, "what is on disk is not written again"


def test_a_failed_settings_write_is_retried_with_the_latest_value(tmp_path, monkeypatch):
    real = settings_module.save_settings
    calls = []

    def failing_once(settings, directory=None):
        calls.append(settings.decimals)
        if len(calls) == 1:
            raise OSError(28, "No space left on device", str(tmp_path))
        real(settings, directory)

    monkeypatch.setattr(settings_module, "save_settings", failing_once)
    saver = SettingsSaver(tmp_path)
    saver.want(Settings(decimals=6))
    try:
        saver.write_latest()
    except OSError:
        pass
    else:
        raise AssertionError("the failure is raised to the caller")
    saver.want(Settings(decimals=9))
    assert saver.write_latest() is True
    assert calls == [6, 9]
    assert load_settings(tmp_path)[0].decimals == 9


def test_the_saver_keeps_its_own_copy_of_the_settings(tmp_path):
    saver = SettingsSaver(tmp_path)
    settings = Settings(decimals=6)
    saver.want(settings)
    settings.decimals = 9  # the caller's object changes after want(): not what was asked
    saver.write_latest()
    assert load_settings(tmp_path)[0].decimals == 6


# -- the progress store -------------------------------------------------------------------------

def steps_on_disk(store: ProgressStore) -> int:
    return json.loads(store.path.read_text())["lessons"]["race"]["step"]


class HeldWrites:
    """Wraps a store's ``_atomic_write``: the first write waits for ``release``, then does what
    ``first`` says ("write" or "fail"); every finished write's step is recorded, and no two
    writes may overlap."""

    def __init__(self, store: ProgressStore, first: str = "write"):
        self.store, self.real, self.first = store, store._atomic_write, first
        self.release, self.started = threading.Event(), threading.Event()
        self.steps: list[int] = []
        self.active = 0
        self.overlapped = False
        self.lock = threading.Lock()

    def __call__(self, payload):
        with self.lock:
            self.active += 1
            self.overlapped |= self.active > 1
            first = not self.started.is_set()
            self.started.set()
        try:
            if first:
                assert self.release.wait(BOUND)
                if self.first == "fail":
                    raise OSError(28, "No space left on device", str(self.store.path))
            self.real(payload)
            self.steps.append(payload["lessons"]["race"]["step"])
        finally:
            with self.lock:
                self.active -= 1


def test_progress_saves_are_written_in_order_by_one_writer(tmp_path):
    store = ProgressStore(tmp_path, background=True)
    held = HeldWrites(store)
    store._atomic_write = held
    store.record_step("race", 1, 5)
    store.save()
    assert held.started.wait(BOUND)
    store.record_step("race", 2, 5)
    store.save()  # queued behind the held write
    held.release.set()
    assert store.flush(BOUND)
    store.close(BOUND)
    assert not held.overlapped
    assert held.steps == [1, 2]
    assert steps_on_disk(store) == 2


def test_an_older_failed_progress_save_is_not_retried_over_a_newer_one(tmp_path):
    """Step 1's write fails while step 2's save waits; step 2 is written. The failed step 1
    must not be retried over it (at the next save, or at close on quit)."""
    store = ProgressStore(tmp_path, background=True)
    held = HeldWrites(store, first="fail")
    store._atomic_write = held
    store.record_step("race", 1, 5)
    store.save()
    assert held.started.wait(BOUND)
    store.record_step("race", 2, 5)
    store.save()
    held.release.set()
    assert store.flush(BOUND)
    assert steps_on_disk(store) == 2
    store.record_step("other", 0, 3)  # any later save
    store.save()
    store.close(BOUND)
    assert steps_on_disk(store) == 2
    assert ProgressStore(tmp_path).get("race").step == 2
