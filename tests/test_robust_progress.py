"""The progress file under damage, change, failing disks, kills and a second tutor (issue 9:
items 3, 11, 13, 15, 22)."""

from __future__ import annotations

import errno
import json
import os
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from table_checks import check_each

from nn_tui.lessons import progress as progress_module
from nn_tui.lessons.progress import LessonShape, ProgressStore

ROOT = Path(__file__).resolve().parent.parent


def write_file(home: Path, content: str | bytes) -> None:
    home.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    (home / "progress.json").write_bytes(data)


def aside_files(home: Path) -> list[Path]:
    return sorted(home.glob("progress.json.corrupt-*"))


def good_record(step: int = 2) -> dict:
    return {"step": step, "furthest": step, "total": 9, "done": False,
            "checks": {"1": {"attempts": 1, "correct": True}}}


def steps(*specs: str):
    """Fake lesson steps: "text:Title" or "check:prompt=answer"."""
    result = []
    for spec in specs:
        kind, _, rest = spec.partition(":")
        prompt, _, answer = rest.partition("=")
        result.append(SimpleNamespace(kind=kind, title=prompt if kind != "check" else "Q",
                                      prompt=prompt if kind == "check" else "",
                                      answer=answer, choices=()))
    return result


# -- item 3: numbers that are not numbers, nesting, one bad record -----------------------------


@pytest.mark.parametrize("bad", [
    '{"step": 1e999}', '{"step": Infinity}', '{"step": NaN}', '{"updated": -Infinity}',
    '{"checks": {"0": {"attempts": Infinity}}, "step": 1e999}',
    '{"step": 1' + "0" * 5000 + "}", '{"done": "false"}', '{"step": -1}', '{"step": 2.5}',
    '{"step": true}', '{"total": "9"}', '{"shape": 5}', '[1, 2]', '"fruit"', "null",
])
def test_one_damaged_record_keeps_the_others(isolated_home, bad):
    content = ('{"version": 1, "lessons": {"good": ' + json.dumps(good_record())
               + ', "fruit": ' + bad + ', "other": ' + json.dumps(good_record(5)) + "}}")
    write_file(isolated_home, content)
    store = ProgressStore()
    assert set(store.lessons) == {"good", "other"}
    assert store.peek("good").step == 2 and store.peek("other").step == 5
    assert store.peek("good").checks["1"].correct
    assert store.notice and "fruit" in store.notice and "set aside" in store.notice
    # The original is kept, byte for byte; the file now holds the good records only.
    [aside] = aside_files(isolated_home)
    assert aside.read_text(encoding="utf-8") == content
    assert set(json.loads((isolated_home / "progress.json").read_text())["lessons"]) == {
        "good", "other"}
    assert ProgressStore().notice is None  # reported once


@pytest.mark.parametrize("bad", ['{"attempts": Infinity}', '{"attempts": 1e999}',
                                 '{"correct": "true"}', '{"attempts": -3}', '7'])
def test_a_damaged_check_record_is_dropped_alone(isolated_home, bad):
    content = ('{"lessons": {"fruit": {"step": 3, "total": 9, "checks": {"1": '
               '{"attempts": 2, "correct": true}, "2": ' + bad + '}}}}')
    write_file(isolated_home, content)
    store = ProgressStore()
    fruit = store.peek("fruit")
    assert fruit.step == 3 and set(fruit.checks) == {"1"} and fruit.checks["1"].correct
    assert store.notice and "set aside" in store.notice
    assert aside_files(isolated_home)[0].read_text() == content


def test_done_must_be_a_real_boolean(isolated_home):
    write_file(isolated_home, '{"lessons": {"fruit": {"step": 1, "total": 9, "done": "false"}}}')
    store = ProgressStore()
    # The record is not trusted at all (not kept with done read as true or false): it is set
    # aside whole, and said so.
    assert store.peek("fruit") is None
    assert store.notice and "set aside" in store.notice, store.notice
    assert '"done": "false"' in aside_files(isolated_home)[0].read_text()


@pytest.mark.parametrize("content", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"lessons": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"lessons": {"a": 1}',
    b"\xef\xbb\xbf{}",
])
def test_unreadable_files_are_moved_aside_whole(isolated_home, content):
    write_file(isolated_home, content)
    store = ProgressStore()
    assert store.lessons == {}
    assert store.notice and "moved to" in store.notice
    assert aside_files(isolated_home)[0].read_bytes() == content


def test_a_file_over_the_size_limit_is_refused_quickly(isolated_home, monkeypatch):
    monkeypatch.setattr(progress_module, "MAX_FILE_BYTES", 100_000)
    lessons = {f"lesson-{n}": good_record() for n in range(2000)}
    content = json.dumps({"lessons": lessons})
    assert len(content) > 100_000
    write_file(isolated_home, content)
    store = ProgressStore()
    assert store.lessons == {}
    assert "larger than" in store.notice and "moved to" in store.notice
    assert aside_files(isolated_home)[0].read_text() == content


def test_two_damaged_copies_in_one_second_get_their_own_names(isolated_home, monkeypatch):
    monkeypatch.setattr(progress_module.time, "strftime", lambda *args: "20260101-000000")
    contents = []
    for number in range(3):
        content = "{broken %d" % number
        contents.append(content)
        write_file(isolated_home, content)
        ProgressStore()
    kept = sorted(path.read_text() for path in aside_files(isolated_home))
    assert kept == sorted(contents)


def test_a_fifo_in_place_of_the_file_does_not_hang(isolated_home):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    isolated_home.mkdir(parents=True)
    os.mkfifo(isolated_home / "progress.json")
    store = ProgressStore()
    assert store.notice  # said, and the tutor goes on
    assert store.lessons == {}


# -- item 22: temp files, ranges, the size limit, saving off the UI thread, two tutors ---------


def test_stale_temp_files_are_cleaned_up_on_load_and_only_ours(isolated_home):
    isolated_home.mkdir(parents=True)
    stale = isolated_home / ".progress-999999-abc123.tmp"
    legacy_old = isolated_home / ".progress-k2j3h4.tmp"
    legacy_new = isolated_home / ".progress-zzzz.tmp"
    other = isolated_home / "notes.tmp"
    for path in (stale, legacy_old, legacy_new, other):
        path.write_text("{")
    an_hour_ago = time.time() - 3600
    os.utime(legacy_old, (an_hour_ago, an_hour_ago))
    ProgressStore()
    assert not stale.exists() and not legacy_old.exists()
    # An old-style temp file may belong to an older tutor writing right now; not ours: kept.
    assert legacy_new.exists() and other.exists()


def test_temp_files_are_not_removed_while_another_tutor_holds_the_lock(isolated_home):
    isolated_home.mkdir(parents=True)
    temp = isolated_home / ".progress-1-abcdef.tmp"
    temp.write_text("{")
    with progress_module._Lock(isolated_home / ".progress.lock"):
        ProgressStore()  # does not wait for the lock, and leaves the file being written alone
        assert temp.exists()
    ProgressStore()
    assert not temp.exists()


def test_a_saved_step_beyond_the_lesson_is_clamped(isolated_home):
    write_file(isolated_home, '{"lessons": {"fruit": {"step": 99999, "furthest": 99999, '
                              '"total": 18, "done": false}}}')
    store = ProgressStore()
    assert store.notice is None
    shape = LessonShape.of(steps(*["text:t%d" % n for n in range(18)]))
    store.match("fruit", shape, "Fruit")
    fruit = store.peek("fruit")
    assert 0 <= fruit.step < 17 and fruit.furthest < 17 and not fruit.done


def test_saving_in_the_background_does_not_wait_for_the_disk(isolated_home, monkeypatch):
    store = ProgressStore(background=True)
    release = threading.Event()
    entered = threading.Event()
    real_write = ProgressStore._atomic_write

    def slow_write(self, payload):
        entered.set()
        release.wait(10)
        real_write(self, payload)

    monkeypatch.setattr(ProgressStore, "_atomic_write", slow_write)
    store.record_step("fruit", 1, 9)
    started = time.monotonic()
    store.save()
    assert time.monotonic() - started < 0.5
    assert entered.wait(5)
    store.record_step("fruit", 2, 9)  # the UI goes on changing progress meanwhile
    store.save()
    release.set()
    assert store.flush(10)
    assert ProgressStore().peek("fruit").step == 2
    store.close()


def test_two_tutors_keep_each_others_lessons(isolated_home):
    first = ProgressStore()
    second = ProgressStore()
    first.record_step("fruit", 3, 9)
    first.save()
    second.record_step("xor", 4, 9)
    second.save()
    first.record_step("fruit", 5, 9)
    first.save()
    on_disk = ProgressStore()
    assert on_disk.peek("fruit").step == 5 and on_disk.peek("xor").step == 4
    # Each adopts what the other saved, where it changed nothing itself.
    assert first.peek("xor").step == 4
    second.record_step("xor", 6, 9)
    second.save()
    assert second.peek("fruit").step == 5


def test_two_tutors_saving_at_once_lose_nothing(isolated_home, tmp_path):
    from script_runs import run_scripts

    script = tmp_path / "tutor.py"
    script.write_text(
        "import sys\n"
        "from nn_tui.lessons.progress import ProgressStore\n"
        "store = ProgressStore(sys.argv[1])\n"
        "for n in range(60):\n"
        "    store.record_step(sys.argv[2] + str(n % 6), n, 100)\n"
        "    store.save()\n", encoding="utf-8")
    # Two processes at the same time, forked from an interpreter that has imported the store.
    runs = run_scripts([(script, isolated_home, name) for name in ("a", "b")],
                       dict(os.environ, PYTHONPATH=str(ROOT)),
                       preload=["nn_tui.lessons.progress"], timeout=60, together=True)
    for run in runs:
        assert run.returncode == 0, run.stderr
    store = ProgressStore()
    assert store.notice is None
    assert sorted(store.lessons) == sorted(f"{name}{n}" for name in "ab" for n in range(6))
    assert all(store.peek(f"{name}{n}").step == 54 + n for name in "ab" for n in range(6))


# -- item 13: a home that cannot be written ---------------------------------------------------


def test_home_that_is_a_file_gives_one_notice_and_no_exception(isolated_home):
    isolated_home.parent.mkdir(parents=True, exist_ok=True)
    isolated_home.write_text("not a folder")
    store = ProgressStore()
    assert store.notice and "is a file" in store.notice
    for step in range(5):
        store.record_step("fruit", step, 9)
        store.save()
    assert store.notices == []  # said once, at start-up
    assert isolated_home.read_text() == "not a folder"


@pytest.mark.parametrize("failing", ["fsync", "mkdir", "open"])
def test_a_full_disk_gives_one_notice_then_recovers(isolated_home, monkeypatch, failing):
    store = ProgressStore()
    told = []
    store.on_notice = told.append

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        if failing == "mkdir":
            patch.setattr(Path, "mkdir", full)
        else:
            patch.setattr(progress_module.os, failing, full)
        for step in range(4):
            store.record_step("fruit", step, 9)
            store.save()
    assert len(told) == 1 and "cannot be saved" in told[0] and "No space" in told[0]
    assert not list(isolated_home.glob(".progress-*.tmp")) if isolated_home.exists() else True
    store.save()  # the change that could not be written is written with the next save
    assert ProgressStore().peek("fruit").step == 3
    assert told[-1] == "Progress is being saved again."


def test_a_read_only_home_gives_one_notice(isolated_home, monkeypatch):
    isolated_home.mkdir(parents=True)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    # (Simulated: the tests may run as root, for whom chmod does not deny.)
    store = ProgressStore()
    monkeypatch.setattr(progress_module.os, "open", denied)
    store.record_step("fruit", 1, 9)
    store.save()
    store.save()
    store.record_step("fruit", 2, 9)
    store.save()
    assert len(store.notices) == 1 and "Permission denied" in store.notices[0]


def test_an_unreadable_home_gives_one_notice_at_start_up(isolated_home, monkeypatch):
    isolated_home.mkdir(parents=True)

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(progress_module.os, "open", denied)
    store = ProgressStore()
    assert store.notice and "Permission denied" in store.notice
    for step in range(3):
        store.record_step("fruit", step, 9)
        store.save()
    assert store.notices == []


# -- item 11: progress matched to the lesson as it is now -------------------------------------


SIXTY = ["text:t%d" % n for n in range(60)]
SIXTY[10] = "check:What is y?=output[0]"
SIXTY[20] = "check:What is L?=loss"


def saved_at_fifty(store: ProgressStore) -> None:
    store.match("les", LessonShape.of(steps(*SIXTY)), "Lesson")
    for step in range(51):
        store.record_step("les", step, 60)
    store.get("les").check(10).correct = True
    store.get("les").check(20).attempts = 3
    store.save()


def test_progress_past_the_end_of_a_shorter_lesson_is_not_resumed_nor_done(isolated_home):
    store = ProgressStore()
    saved_at_fifty(store)
    again = ProgressStore()
    eight = steps("text:a", "check:What is y?=output[0]", "text:b", "check:New question?=w",
                  "text:c", "text:d", "text:e", "text:f")
    notice = again.match("les", LessonShape.of(eight), "Lesson")
    progress = again.peek("les")
    assert notice and "8 steps" in notice
    assert progress.step < 7 and progress.furthest < 7 and not progress.done
    # The answered question moved to index 1 and keeps its record; nothing attaches to index 3.
    assert set(progress.checks) == {"1"} and progress.checks["1"].correct
    assert progress.checks_right == 1
    assert progress.history  # the record that matches no question was kept aside
    # Opening the lesson at its resume point does not mark it done.
    again.record_step("les", progress.step, 8)
    assert not again.peek("les").done


def test_a_saved_done_lesson_that_grew_is_no_longer_done(isolated_home):
    store = ProgressStore()
    shape = LessonShape.of(steps("text:a", "text:b", "text:c"))
    store.match("les", shape)
    store.record_step("les", 2, 3)
    assert store.peek("les").done
    store.match("les", LessonShape.of(steps("text:a", "text:b", "text:c", "text:d")))
    assert not store.peek("les").done
    assert store.peek("les").step == 2  # found by its step's key


def test_an_unchanged_lesson_keeps_everything_silently(isolated_home):
    store = ProgressStore()
    saved_at_fifty(store)
    again = ProgressStore()
    assert again.match("les", LessonShape.of(steps(*SIXTY)), "Lesson") is None
    progress = again.peek("les")
    assert progress.step == 50 and set(progress.checks) == {"10", "20"}


def test_a_changed_question_loses_its_record_only(isolated_home):
    store = ProgressStore()
    saved_at_fifty(store)
    changed = list(SIXTY)
    changed[10] = "check:What is y now?=output[1]"
    again = ProgressStore()
    notice = again.match("les", LessonShape.of(steps(*changed)), "Lesson")
    progress = again.peek("les")
    assert notice and "no longer matches" in notice
    assert set(progress.checks) == {"20"} and progress.step == 50


def test_old_records_without_keys_are_matched_by_position_only_if_the_count_is_the_same(
        isolated_home):
    write_file(isolated_home, json.dumps({"lessons": {"les": {
        "step": 50, "furthest": 50, "total": 60, "done": False,
        "checks": {"3": {"attempts": 1, "correct": True}}}}}))
    store = ProgressStore()
    eight = steps("text:a", "text:b", "text:c", "check:Q=x", "text:d", "text:e", "text:f",
                  "text:g")
    store.match("les", LessonShape.of(eight))
    progress = store.peek("les")
    assert progress.checks == {} and progress.step == 0 and not progress.done


# -- item 15: start over ----------------------------------------------------------------------


def test_start_over_opens_every_question_again_and_keeps_history(isolated_home):
    store = ProgressStore()
    saved_at_fifty(store)
    store.start_over("les")
    progress = store.peek("les")
    assert progress.step == 0 and progress.checks == {}
    assert not progress.check(10).correct and progress.check(10).attempts == 0
    assert progress.history[-1]["checks"]["10"]["correct"] is True
    store.save()
    assert ProgressStore().peek("les").history[-1]["checks"]["10"]["correct"] is True


def test_history_is_bounded(isolated_home):
    store = ProgressStore()
    for _ in range(progress_module.MAX_HISTORY + 5):
        store.get("les").check(1).attempts = 1
        store.start_over("les")
    assert len(store.peek("les").history) == progress_module.MAX_HISTORY


# -- proof: kills -----------------------------------------------------------------------------


def test_killed_saves_leave_the_old_or_the_new_file(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import progress_kill
    finally:
        sys.path.pop(0)
    results = progress_kill.run(30, tmp_path / "kills", seed=9)
    assert results.failures == []
    assert results.kills == 30 and results.old + results.new == 30
    assert results.temps_after_cleanup == 0


# -- QA items 1, 2 (kind 13): no file-system error on the progress home escapes ----------------


def _home_cases(base: Path) -> dict[str, tuple[str, str]]:
    """NN_TUI_HOME values that cannot be used, and what the notice must name."""
    base.mkdir(parents=True, exist_ok=True)
    a_file = base / "a-file"
    a_file.write_text("not a folder")
    loop = base / "loop"
    os.symlink(loop, loop)
    folder_file = base / "json-folder"
    (folder_file / "progress.json").mkdir(parents=True)
    folder_lock = base / "lock-folder"
    (folder_lock / ".progress.lock").mkdir(parents=True)
    return {
        "unknown-user": ("~nosuchuser-nn-tui/x", "~nosuchuser-nn-tui"),
        "name-too-long": (str(base / ("a" * 300) / "x"), "File name too long"),
        "home-is-a-file": (str(a_file), f"{a_file} is a file"),
        "under-a-file": (str(a_file / "sub" / "deeper"), f"{a_file} is a file"),
        "symlink-loop": (str(loop), "Too many levels of symbolic links"),
        "progress-json-is-a-folder": (str(folder_file),
                                      f"{folder_file / 'progress.json'} is a folder"),
        "lock-is-a-folder": (str(folder_lock), f"{folder_lock / '.progress.lock'} is a folder"),
    }


@pytest.mark.parametrize("case", ["unknown-user", "name-too-long", "home-is-a-file",
                                  "under-a-file", "symlink-loop", "progress-json-is-a-folder",
                                  "lock-is-a-folder"])
def test_an_unusable_home_gives_one_notice_naming_the_right_path(tmp_path, monkeypatch, case):
    home, named = _home_cases(tmp_path / "homes")[case]
    monkeypatch.setenv("NN_TUI_HOME", home)
    store = ProgressStore()
    for step in range(4):
        store.record_step("fruit", step, 9)
        store.save()
    store.close()
    said = ([store.notice] if store.notice else []) + store.notices
    assert len(said) == 1, said
    assert "progress will not be kept" in said[0] and named in said[0], said[0]
    assert len(said[0]) < 700  # long paths are shortened
    assert store.peek("fruit").step == 3  # the lesson goes on in memory


ERRNOS = [errno.EACCES, errno.ENAMETOOLONG, errno.ELOOP, errno.EROFS, errno.ENOSPC, errno.EIO]


@pytest.mark.parametrize("call", ["stat", "open", "mkdir", "listdir", "replace", "fstat"])
def test_any_errno_from_any_call_gives_one_notice(isolated_home, call):
    """Each errno of ERRNOS from ``call`` in turn, each with a home of its own (table_checks:
    every failing errno named)."""
    def one_notice(code):
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setenv("NN_TUI_HOME", str(isolated_home.with_name(f"home-{code}")))
            _one_notice_when_failing(monkeypatch, code, call)

    check_each(one_notice, [(errno.errorcode[code], (code,)) for code in ERRNOS])


def _one_notice_when_failing(monkeypatch, code, call):
    # (Simulated: the tests may run as root, for whom chmod does not deny.) os.stat failing too
    # is what Path.exists() does on EACCES: the notice's own probing must survive it.
    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code), str(args[0]) if args else None)

    if call == "mkdir":
        monkeypatch.setattr(Path, "mkdir", failing)
    else:
        monkeypatch.setattr(progress_module.os, call, failing)
    monkeypatch.setattr(progress_module.os, "stat", failing)
    store = ProgressStore()
    for step in range(3):
        store.record_step("fruit", step, 9)
        store.save()
    said = ([store.notice] if store.notice else []) + store.notices
    assert len(said) <= 1 and store.peek("fruit").step == 2
    if call in ("open", "mkdir", "replace", "fstat"):
        assert len(said) == 1 and "progress will not be kept" in said[0], said


def test_data_dir_names_the_unknown_user(monkeypatch):
    monkeypatch.setenv("NN_TUI_HOME", "~nosuchuser-nn-tui/x")
    with pytest.raises(OSError, match="NN_TUI_HOME"):
        progress_module.data_dir()


# -- QA item 4: a lesson file that shares its id with another must not destroy its progress ---


FIFTEEN = ["text:s%d" % n for n in range(15)]
FIFTEEN[2] = "check:What is z?=z"
FIFTEEN[4] = "check:What is y?=output[0]"
FIFTEEN[9] = "check:What is L?=loss"
FIFTEEN[12] = "check:What is dW?=grads"


def finished_bundled(store: ProgressStore) -> dict:
    shape = LessonShape.of(steps(*FIFTEEN))
    store.match("single-neuron", shape, "A single neuron")
    for step in range(15):
        store.record_step("single-neuron", step, 15)
    store.get("single-neuron").check(2).correct = True
    store.get("single-neuron").check(4).correct = True
    store.get("single-neuron").check(9).attempts = 2
    store.record_step("single-neuron", 14, 15)
    store.save()
    return {key: value for key, value in store.peek("single-neuron").to_dict().items()
            if key != "others"}


def test_a_shortened_copy_sharing_the_id_keeps_the_bundled_record_whole(isolated_home):
    before = finished_bundled(ProgressStore())
    store = ProgressStore()
    short = LessonShape.of(steps(*FIFTEEN[:6]))
    notice = store.match("single-neuron", short, "A single neuron")
    # The copy gets a fitted record, and says so (as for an edited lesson) ...
    assert notice and "now has 6 steps" in notice and "other version is kept" in notice
    copy = store.peek("single-neuron")
    assert not copy.done and copy.step < 6
    assert set(copy.checks) == {"2", "4"}  # the questions the copy still has keep their record
    store.record_step("single-neuron", 3, 6)
    store.get("single-neuron").check(4).attempts = 5
    store.save()
    # ... and the bundled lesson, opened again (even by another tutor), gets its own back.
    again = ProgressStore()
    assert again.match("single-neuron", LessonShape.of(steps(*FIFTEEN)),
                       "A single neuron") is None
    bundled = again.peek("single-neuron")
    after = {key: value for key, value in bundled.to_dict().items() if key != "others"}
    assert after == before
    assert bundled.done and bundled.checks_right == 2 and bundled.step == 14
    again.save()
    # And the copy's own record is back when the copy is opened again.
    third = ProgressStore()
    assert third.match("single-neuron", short, "A single neuron") is None
    assert third.peek("single-neuron").step == 3
    assert third.peek("single-neuron").checks["4"].attempts == 5
    # Listing both without opening either shows each its own record.
    assert third.record_for("single-neuron", LessonShape.of(steps(*FIFTEEN))).done
    assert third.record_for("single-neuron", short).step == 3


def test_a_genuinely_edited_lesson_still_fits_its_record(isolated_home):
    store = ProgressStore()
    saved_at_fifty(store)
    edited = list(SIXTY[:40])
    again = ProgressStore()
    notice = again.match("les", LessonShape.of(steps(*edited)), "Lesson")
    assert notice and "40 steps" in notice
    progress = again.peek("les")
    assert progress.step < 40 and set(progress.checks) == {"10", "20"}


def test_versions_kept_aside_are_bounded_and_validated(isolated_home):
    store = ProgressStore()
    for size in range(2, 2 + progress_module.MAX_VERSIONS + 6):
        store.match("les", LessonShape.of(steps(*["text:v%d" % n for n in range(size)])))
        store.record_step("les", 1, size)
    store.save()
    raw = json.loads((isolated_home / "progress.json").read_text())
    assert len(raw["lessons"]["les"]["others"]) == progress_module.MAX_VERSIONS
    raw["lessons"]["les"]["others"]["x"] = {"step": 1e999}
    write_file(isolated_home, json.dumps(raw).replace("1e+999", "1e999"))
    damaged = ProgressStore()
    assert damaged.notice and "another version" in damaged.notice
    assert len(damaged.peek("les").others) == progress_module.MAX_VERSIONS


# -- QA item 7, kind 3: notices say precisely what was set aside, with ids shortened -----------


def test_a_dropped_question_record_is_named_as_such(isolated_home):
    write_file(isolated_home, json.dumps({"lessons": {
        "a": {"step": 3, "total": 9, "checks": {"1": {"attempts": 1, "correct": True},
                                                 "³": {"attempts": 1}}},
        "b": {"step": "x"}}}))
    store = ProgressStore()
    assert set(store.lessons) == {"a"} and store.peek("a").checks["1"].correct
    assert "one question record of lesson a" in store.notice
    assert "the record of lesson b" in store.notice
    assert "the record of lesson a" not in store.notice


def test_huge_keys_start_quickly_with_a_short_notice(isolated_home):
    huge = 1_500_000
    content = json.dumps({"lessons": {
        "k" * huge: good_record(),
        "fruit": {**good_record(), "checks": {"q" * huge: {"attempts": 1}}}}})
    write_file(isolated_home, content)
    started = time.perf_counter()
    store = ProgressStore()
    elapsed = time.perf_counter() - started
    assert elapsed < 1.5, elapsed
    assert store.notice and len(store.notice) < 1500, len(store.notice)
    assert "kkkk…" in store.notice and "one question record of lesson fruit" in store.notice
    assert set(store.lessons) == {"fruit"}
    assert store.match("k" * huge, LessonShape.of(steps("text:a", "text:b"))) is None
    long_title = "T" * huge
    store.get("fruit").shape = "old"
    notice = store.match("fruit", LessonShape.of(steps(*["text:x"] * 3)), long_title)
    assert notice and len(notice) < 1000, notice


def _short_copy(folder: Path) -> Path:
    """A teacher's shortened copy of the bundled single-neuron lesson, keeping its id."""
    text = (ROOT / "lessons" / "single-neuron.toml").read_text(encoding="utf-8")
    parts = text.split("\n[[steps]]")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "short.toml"
    path.write_text("\n[[steps]]".join(parts[:7]), encoding="utf-8")
    return path


def test_list_and_check_warn_about_files_that_share_an_id(tmp_path, capsys):
    from nn_tui.cli import main

    short = _short_copy(tmp_path / "mine")
    assert main(["list", "--lessons", str(short.parent), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    shared = {record["path"]: record for record in records if "warning" in record}
    assert str(short) in shared and len(shared) == 2
    assert "shares its id with" in shared[str(short)]["warning"]
    assert "share progress" in shared[str(short)]["warning"]
    assert shared[str(short)]["shares_id_with"] == [
        path for path in shared if path != str(short)]
    assert all("warning" not in record for record in records if record["id"] != "single-neuron")
    assert main(["list", "--lessons", str(short.parent)]) == 0
    assert "warning: shares its id with" in capsys.readouterr().out
    bundled = ROOT / "lessons" / "single-neuron.toml"
    assert main(["check", str(short), str(bundled), str(ROOT / "lessons" / "fruit.toml")]) == 0
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if line.startswith("note:")]
    assert len(notes) == 2 and all("share progress" in line for line in notes)
    assert main(["check", str(short)]) == 0
    assert "shares its id" not in capsys.readouterr().out
