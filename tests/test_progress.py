"""The progress store: NN_TUI_HOME, atomic writes, and a damaged file moved aside."""

from __future__ import annotations

import json
import os

import pytest

from nn_tui.lessons import progress as progress_module
from nn_tui.lessons.progress import ProgressStore, data_dir


def test_nn_tui_home_is_respected(isolated_home):
    assert data_dir() == isolated_home
    store = ProgressStore()
    assert store.path == isolated_home / "progress.json"
    store.record_step("fruit", 3, 10)
    store.save()
    assert (isolated_home / "progress.json").is_file()


def test_round_trip(isolated_home):
    store = ProgressStore()
    store.record_step("fruit", 4, 10)
    record = store.get("fruit").check(2)
    record.attempts = 2
    record.correct = True
    store.save()

    again = ProgressStore()
    assert again.notice is None
    fruit = again.peek("fruit")
    assert fruit.step == 4 and fruit.furthest == 4 and fruit.total == 10 and not fruit.done
    assert fruit.checks["2"].attempts == 2 and fruit.checks_right == 1
    assert again.peek("psa-softmax") is None


def test_record_step_keeps_the_furthest_and_marks_done(isolated_home):
    store = ProgressStore()
    store.record_step("xor", 7, 9)
    store.record_step("xor", 2, 9)
    assert store.get("xor").furthest == 7 and store.get("xor").step == 2
    store.record_step("xor", 8, 9)
    assert store.get("xor").done


def _listing(directory):
    """The directory's files, without the lock file every save takes."""
    return sorted(name for name in os.listdir(directory) if name != ".progress.lock")


def test_save_is_atomic_and_leaves_no_temp_files(isolated_home, monkeypatch):
    store = ProgressStore()
    store.record_step("fruit", 1, 5)
    store.save()
    before = (isolated_home / "progress.json").read_text(encoding="utf-8")

    # A crash half-way through writing must leave the old file intact and no temp file behind;
    # the failure is reported (once), not raised, and the change is kept for the next save.
    def crash(*args, **kwargs):
        raise OSError("disk full")

    store.record_step("fruit", 3, 5)
    monkeypatch.setattr(progress_module.os, "replace", crash)
    store.save()
    assert len(store.notices) == 1 and "cannot be saved" in store.notices[0]
    monkeypatch.undo()
    assert (isolated_home / "progress.json").read_text(encoding="utf-8") == before
    assert _listing(isolated_home) == ["progress.json"]

    store.save()
    assert json.loads((isolated_home / "progress.json").read_text())["lessons"]["fruit"]["step"] == 3
    assert _listing(isolated_home) == ["progress.json"]


def test_save_writes_through_a_temp_file_then_renames(isolated_home, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(source, target):
        seen.append((os.path.basename(source), os.path.basename(target)))
        return real_replace(source, target)

    monkeypatch.setattr(progress_module.os, "replace", spy)
    store = ProgressStore()
    store.record_step("fruit", 1, 5)
    store.save()
    assert len(seen) == 1
    temp, final = seen[0]
    assert temp.startswith(".progress-") and final == "progress.json"


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'{"lessons": 5}', b"\x00\x01",
                                     b"\xff\xfe{}", b"[" * 100_000 + b"]" * 100_000])
def test_a_corrupt_file_is_moved_aside_with_a_notice(isolated_home, content):
    isolated_home.mkdir(parents=True)
    (isolated_home / "progress.json").write_bytes(content)
    store = ProgressStore()
    assert store.lessons == {}
    assert store.notice and "moved to" in store.notice
    aside = [name for name in os.listdir(isolated_home) if name.startswith("progress.json.corrupt-")]
    assert len(aside) == 1
    assert (isolated_home / aside[0]).read_bytes() == content
    # A fresh, valid file replaced it.
    assert json.loads((isolated_home / "progress.json").read_text())["lessons"] == {}
    store.record_step("fruit", 1, 3)
    store.save()
    assert ProgressStore().notice is None


@pytest.mark.parametrize("record", [{"step": "two"}, {"checks": 5}])
def test_a_damaged_lesson_record_is_set_aside_alone(isolated_home, record):
    isolated_home.mkdir(parents=True)
    content = json.dumps({"lessons": {"fruit": record, "xor": {"step": 2, "total": 9}}})
    (isolated_home / "progress.json").write_text(content, encoding="utf-8")
    store = ProgressStore()
    assert set(store.lessons) == {"xor"} and store.peek("xor").step == 2
    assert store.notice and "fruit" in store.notice and "set aside" in store.notice
    aside = [name for name in os.listdir(isolated_home) if name.startswith("progress.json.corrupt-")]
    assert len(aside) == 1 and (isolated_home / aside[0]).read_text() == content
    assert ProgressStore().notice is None


def test_odd_entries_are_set_aside_not_fatal(isolated_home):
    isolated_home.mkdir(parents=True)
    payload = {"version": 1, "lessons": {"fruit": {"step": 2, "checks": {"1": "x", "3": {}}},
                                         "bad": 7}}
    (isolated_home / "progress.json").write_text(json.dumps(payload), encoding="utf-8")
    store = ProgressStore()
    assert store.notice and "set aside" in store.notice
    assert store.peek("fruit").step == 2 and set(store.peek("fruit").checks) == {"3"}
    assert store.peek("bad") is None


def test_an_explicit_directory_wins(tmp_path):
    store = ProgressStore(tmp_path / "elsewhere")
    store.record_step("fruit", 1, 5)
    store.save()
    assert (tmp_path / "elsewhere" / "progress.json").is_file()
