"""Pilot tests of the learner's progress in the tutor (issue 9: items 11, 13, 15, 17)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList, Static

from nn_tui.lessons import progress as progress_module
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.progress import LessonShape, ProgressStore
from lesson_files import lesson_text as base_lesson_text, write_lesson
from ui_helpers import (goto_step, make_app, notices, screen_text, settle, wait_for_screen,
                        wait_for_step_saved, wait_until)

BIG = (120, 40)
REAL_FSYNC = os.fsync
SMALL = (80, 24)

# The tiny-checks unit without its steps (and its training, which no step here runs).
HEAD = base_lesson_text("tiny-checks", lesson={"id": "tiny-progress", "title": "Tiny progress",
                                               "summary": "A linear unit and two questions."},
                        training=None, steps=None)

TEXT_STEP = """
[[steps]]
kind = "text"
title = "Text {n}"
text = "Reading {n}."
"""

OUTPUT_CHECK = """
[[steps]]
kind = "check"
title = "Your turn"
prompt = "What is the output ŷ?"
answer = "output[0]"
explanation = "ŷ = w·x + b = 0.5·1 + 0.25."
"""

WEIGHT_CHECK = """
[[steps]]
kind = "check"
title = "The weight"
prompt = "What is the weight w?"
answer = "layers[0].W[0][0]"
"""


def lesson_text(*parts: str) -> str:
    steps = []
    for number, part in enumerate(parts):
        steps.append(TEXT_STEP.format(n=number) if part == "text" else part)
    return HEAD + "".join(steps)


# Five steps: text, text, the output question, the weight question, text.
FIVE = lesson_text("text", "text", OUTPUT_CHECK, WEIGHT_CHECK, "text")


@pytest.fixture
def lesson_file(tmp_path) -> Path:
    return write_lesson(tmp_path, FIVE, "tiny.toml")


def saved_progress(path: Path, step: int, correct: tuple[int, ...] = ()) -> None:
    """Progress as the tutor saves it, for the lesson in ``path`` as it is now."""
    lesson = load_lesson(path)
    store = ProgressStore()
    store.match(lesson.id, LessonShape.of(lesson.steps), lesson.title)
    for index in range(step + 1):
        store.record_step(lesson.id, index, len(lesson.steps))
    for index in correct:
        record = store.get(lesson.id).check(index)
        record.attempts, record.correct = 1, True
    store.save()


def feedback(app) -> str:
    return str(app.screen.query_one("#check-feedback", Static).render())


def picker_text(app) -> str:
    option_list = app.screen.query_one(OptionList)
    return "\n".join(str(option_list.get_option_at_index(i).prompt)
                     for i in range(option_list.option_count))


async def dialog_drawn(app, pilot) -> None:
    """Wait until the resume dialog on top is laid out (its buttons have their size), then for
    its first paint: waited for on the widget, cheaply, not by reading the whole screen (an
    SVG export, ~25 ms) every 2 ms."""
    dialog = app.screen

    def laid_out() -> bool:
        # The dialog can be the screen on top a turn before its buttons are mounted.
        buttons = dialog.query("#resume").results(Button)
        return any(button.size.area > 0 for button in buttons)

    await wait_until(pilot, laid_out, "the dialog is laid out")
    await pilot.pause()


# -- 17: the dialog's keys ----------------------------------------------------------------------


async def test_resume_dialog_keys_do_not_collide_with_the_lesson_keys(lesson_file):
    saved_progress(lesson_file, 1)
    app = make_app(lesson_file)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_screen(app, pilot, "ResumeDialog")
        await dialog_drawn(app, pilot)
        text = screen_text(app)
        assert "Resume at step 2" in text and "Start over (s)" in text
        assert "(Enter)" not in text  # Enter presses the highlighted button, either one
        assert "s: start over · Esc: back" in text
        # r reveals on the lesson screen: here it does nothing.
        await pilot.press("r")
        await pilot.pause()
        assert type(app.screen).__name__ == "ResumeDialog"
        # Esc goes back to the lesson list, without opening the lesson.
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        assert ProgressStore().peek("tiny-progress").step == 1
        # Opened again: Enter resumes.
        [info] = [info for info in app.catalog if info.entry.id == "tiny-progress"]
        app.open_entry(info.entry)
        await wait_for_screen(app, pilot, "ResumeDialog")
        await pilot.press("enter")
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert app.screen.view.index == 1


async def test_resume_dialog_buttons_move_with_the_arrows(lesson_file):
    saved_progress(lesson_file, 1)
    app = make_app(lesson_file)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_screen(app, pilot, "ResumeDialog")
        assert app.focused.id == "resume"
        await pilot.press("right")
        assert isinstance(app.focused, Button) and app.focused.id == "start-over"
        await pilot.press("enter")  # the highlighted button: start over
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert app.screen.view.index == 0


# -- 15: start over gives a fresh attempt at every question ------------------------------------


async def test_start_over_opens_every_question_again(lesson_file):
    saved_progress(lesson_file, 4, correct=(2, 3))
    app = make_app(lesson_file)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "ResumeDialog")
        await pilot.press("s")
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert app.screen.view.index == 0
        await goto_step(app, pilot, 2)
        assert "Correct" not in feedback(app)
        answer_box = app.screen.query_one("#check-input", Input)
        assert app.focused is answer_box
        await pilot.press(*"0.75", "enter")
        await pilot.pause()
        assert "Correct" in feedback(app)
        app.store.flush()
        stored = ProgressStore().peek("tiny-progress")
        assert stored.check(2).correct and stored.check(2).attempts == 1
        assert not stored.check(3).correct
        # The earlier answers are kept in the history.
        assert stored.history[-1]["checks"]["3"]["correct"] is True


# -- 11: progress for a lesson that changed ---------------------------------------------------


async def test_progress_from_a_longer_lesson_is_fitted_to_the_lesson_now(lesson_file):
    # Saved at step 50 of 60, with the output question (then at index 10) answered and a
    # different question at index 2.
    long_parts = ["text"] * 60
    long_parts[2] = WEIGHT_CHECK.replace("weight w?", "bias b?").replace("W[0][0]", "b[0]")
    long_parts[10] = OUTPUT_CHECK
    lesson_file.write_text(lesson_text(*long_parts), encoding="utf-8")
    saved_progress(lesson_file, 50, correct=(2, 10))
    lesson_file.write_text(FIVE, encoding="utf-8")

    app = make_app(lesson_file)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")  # no place to resume at: step 1
        await settle(app, pilot)
        assert app.screen.view.index == 0
        assert any("now has 5 steps" in text for text in notices(app))
        assert "51" not in screen_text(app)
        # The output question kept its answer (it moved from step 11 to step 3); the record of
        # the question that was at index 2 did not attach to it.
        await goto_step(app, pilot, 2)
        assert "Correct" in feedback(app)
        await goto_step(app, pilot, 3)
        assert "Correct" not in feedback(app)
        await pilot.press("escape", "escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        assert "done" not in picker_text(app)
        app.store.flush()
        assert not ProgressStore().peek("tiny-progress").done


@pytest.mark.parametrize("last, resumed", [("text", None), (WEIGHT_CHECK, 3)],
                         ids=["last step gone", "last step kept"])
async def test_resume_within_a_shorter_lesson_offers_a_real_step_and_is_not_done(
        lesson_file, quick_saves, last, resumed):
    """A lesson done at its step 12 of 12, then cut to 5 steps: the old place is a step of
    the new lesson when that step is still in it (the weight question, now step 4: the dialog
    offers it), else the lesson starts again at step 1 (no dialog: nothing to resume); either
    way no step past the end is offered and the lesson is no longer done."""
    long_parts = ["text"] * 12
    long_parts[2] = OUTPUT_CHECK
    long_parts[11] = last
    lesson_file.write_text(lesson_text(*long_parts), encoding="utf-8")
    saved_progress(lesson_file, 11)  # done: the last step of 12
    assert ProgressStore().peek("tiny-progress").done
    lesson_file.write_text(FIVE, encoding="utf-8")

    app = make_app(lesson_file)
    async with app.run_test(size=BIG) as pilot:
        # (The file named on the command line opens as soon as it is checked: the picker may
        # never be the screen on top.)
        await wait_until(pilot, lambda: type(app.screen).__name__ in ("ResumeDialog",
                                                                      "LessonScreen"),
                         "the lesson or the dialog opens")
        if resumed is None:
            assert type(app.screen).__name__ == "LessonScreen"
            assert any("starts again at the first step" in text for text in notices(app)), \
                notices(app)
        else:
            assert type(app.screen).__name__ == "ResumeDialog"
            await dialog_drawn(app, pilot)
            text = screen_text(app)
            assert f"step {resumed + 1} of 5" in text, text
            assert "step 12" not in text and "step 13" not in text
            await pilot.press("enter")
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert app.screen.view.index == (resumed or 0)
        await wait_for_step_saved(app, pilot)
        app.store.flush()
        assert not ProgressStore().peek("tiny-progress").done


# -- 13: progress that cannot be saved --------------------------------------------------------


async def test_home_that_is_a_file_leaves_the_lesson_usable_with_one_notice(
        lesson_file, isolated_home, quick_saves):
    isolated_home.parent.mkdir(parents=True, exist_ok=True)
    isolated_home.write_text("a file, not a folder")
    app = make_app(lesson_file)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        await pilot.press("right")
        await settle(app, pilot)
        await wait_for_step_saved(app, pilot)
        await goto_step(app, pilot, 2)
        await pilot.press(*"0.75", "enter")
        await pilot.pause()
        assert "Correct" in feedback(app)
        await pilot.press("right")
        await settle(app, pilot)
        await pilot.press("left")
        await settle(app, pilot)
        await wait_for_step_saved(app, pilot)
        app.store.flush()
        await pilot.pause()
        # Still in the lesson, which remembers the answer for this session.
        assert type(app.screen).__name__ == "LessonScreen" and app.screen.view.index == 2
        assert "Correct" in feedback(app)
        said = [text for text in notices(app) if "progress" in text.lower()]
        assert len(said) == 1 and "is a file" in said[0]
    assert isolated_home.read_text() == "a file, not a folder"


async def test_a_full_disk_gives_one_notice_however_many_saves(lesson_file, quick_saves,
                                                              monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    app = make_app(lesson_file)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        monkeypatch.setattr(progress_module.os, "fsync", full)
        await goto_step(app, pilot, 2)
        for typed in ("1", "2", "0.75"):  # three saves of attempts
            await pilot.press(*typed, "enter")
            await pilot.pause()
        await wait_for_step_saved(app, pilot)
        app.store.flush()
        await wait_until(pilot, lambda: any("cannot be saved" in text for text in notices(app)),
                         "the notice arrives")
        await pilot.pause()  # (every save is written: any other notice is in the queue)
        said = [text for text in notices(app) if "cannot be saved" in text]
        assert len(said) == 1 and "No space" in said[0]
        assert type(app.screen).__name__ == "LessonScreen" and "Correct" in feedback(app)
        # Room again: the next save writes everything, and says so.
        monkeypatch.setattr(progress_module.os, "fsync", REAL_FSYNC)
        await pilot.press("right")
        await settle(app, pilot)
        await wait_for_step_saved(app, pilot)
        app.store.flush()
        assert ProgressStore().peek("tiny-progress").check(2).correct



# -- QA items 1, 2 (kind 13): a progress home that cannot be used in any way ------------------


@pytest.mark.parametrize("case", ["unknown-user", "name-too-long", "lock-is-a-folder",
                                  "progress-json-is-a-folder"])
async def test_an_unusable_home_leaves_the_lesson_usable_with_one_notice(
        lesson_file, tmp_path, monkeypatch, case):
    homes = {
        "unknown-user": ("~nosuchuser-nn-tui/x", "~nosuchuser-nn-tui"),
        "name-too-long": (str(tmp_path / ("a" * 300) / "x"), "File name too long"),
        "lock-is-a-folder": (str(tmp_path / "h1"), ".progress.lock is a folder"),
        "progress-json-is-a-folder": (str(tmp_path / "h2"), "progress.json is a folder"),
    }
    (tmp_path / "h1" / ".progress.lock").mkdir(parents=True)
    (tmp_path / "h2" / "progress.json").mkdir(parents=True)
    home, named = homes[case]
    monkeypatch.setenv("NN_TUI_HOME", home)
    app = make_app(lesson_file)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        await goto_step(app, pilot, 2)
        await pilot.press(*"0.75", "enter")
        await pilot.pause()
        assert "Correct" in feedback(app)
        app.store.save()
        app.store.flush()
        await wait_until(pilot, lambda: any("progress will not be kept" in text
                                            for text in notices(app)), "the notice")
        await pilot.pause()  # (every save is written: any other notice is in the queue)
        said = [text for text in notices(app) if "progress" in text.lower()]
        assert len(said) == 1 and named in said[0], said
        assert type(app.screen).__name__ == "LessonScreen"


# -- QA item 4: two lesson files that share an id ---------------------------------------------


async def test_a_copy_sharing_the_id_is_marked_and_keeps_the_originals_progress(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    full = folder / "tiny.toml"
    full.write_text(FIVE, encoding="utf-8")
    saved_progress(full, 4, correct=(2, 3))  # done, both questions right
    copy = folder / "tiny-short.toml"
    copy.write_text(lesson_text("text", "text", OUTPUT_CHECK), encoding="utf-8")

    def entry_of(path):
        return next(info.entry for info in app.catalog if info.entry.path.name == path.name)

    app = make_app(folder)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await wait_until(pilot, lambda: app.catalog, "the catalogue")
        await settle(app, pilot)
        text = picker_text(app)
        assert "shares its id with tiny-short.toml" in text
        assert "shares its id with tiny.toml" in text
        assert "checks right 2/2 · done" in text
        # The copy is opened: it gets a fitted record of its own.
        app.open_entry(entry_of(copy))
        await wait_until(pilot, lambda: type(app.screen).__name__ != "PickerScreen",
                         "the copy opens")
        # The original's place (step 5, done) is not in the copy's 3 steps: the copy opens at
        # its first step, with no resume dialog (nothing of its own to resume).
        assert type(app.screen).__name__ == "LessonScreen"
        await settle(app, pilot)
        assert app.screen.view.index == 0
        assert any("other version is kept" in text for text in notices(app))
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        assert "checks right 2/2 · done" in picker_text(app)  # the original's, untouched
        app.store.flush()
        # The original is opened again: its own record, whole.
        app.open_entry(entry_of(full))
        await wait_for_screen(app, pilot, "ResumeDialog")
        await pilot.press("enter")
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert app.screen.view.index == 4
        await goto_step(app, pilot, 3)
        assert "Correct" in feedback(app)
        app.store.save()
        app.store.flush()
        stored = ProgressStore().peek("tiny-progress")
        assert stored.done and stored.checks_right == 2
