"""Pilot tests for hostile lesson input in the tutor (issue 9, items 12, 19 and 21)."""

from __future__ import annotations

import os

from lesson_files import lesson_data, lesson_text
from textual.widgets import Input, Static
from ui_helpers import make_app, screen_text, settle, wait_for_screen

BIG = (120, 40)

# y = 2·x with one identity unit (the tiny-checks fixture's first three steps, on two rows):
# step 2 asks for the output.
LESSON = lesson_text(
    "tiny-checks",
    lesson={"id": "tiny-robust", "title": "Tiny robust",
            "summary": "A linear unit and one question."},
    data={"rows": [[1.0, 2.0], [2.0, 4.0]]}, training=None,
    steps=lesson_data("tiny-checks")["steps"][:3])


async def test_a_long_typed_answer_is_not_a_number_at_once(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(LESSON, encoding="utf-8")
    app = make_app(path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        app.screen.go(2)
        await settle(app, pilot)
        box = app.screen.query_one("#check-input", Input)
        # The 2,002 characters that froze the tutor for 47 s (typed as one paste).
        box.value = "1" * 1000 + "/" + "1" * 1000 + " x"
        await pilot.press("enter")
        await pilot.pause()
        feedback = str(app.screen.query_one("#check-feedback", Static).render())
        assert "not a number" in feedback
        assert len(feedback) < 400  # the long input is not echoed in full


async def test_a_lesson_whose_answer_cannot_resolve_opens_the_error_screen(tmp_path):
    path = tmp_path / "unresolved.toml"
    path.write_text(LESSON.replace('answer = "output[0]"', 'answer = "layers[1].z[0]"'),
                    encoding="utf-8")
    app = make_app(path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "ErrorScreen")
        shown = screen_text(app)
        assert "steps[2].answer" in shown and "out of range" in shown


async def test_a_choice_that_matches_no_answer_is_broken_in_the_picker(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "choices.toml").write_text(LESSON.replace(
        'answer = "output[0]"',
        'answer = "output[0] > 0"\nchoices = [{ text = "a", value = 5 }, { text = "b", value = 6 }]'),
        encoding="utf-8")
    os.mkfifo(folder / "pipe.toml")
    app = make_app(folder)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        shown = screen_text(app)
        assert "choices.toml (broken)" in shown and "pipe.toml (broken)" in shown
        await pilot.press(*"choices", "enter")
        await wait_for_screen(app, pilot, "ErrorScreen")
        assert "steps[2].choices" in screen_text(app)


async def test_a_file_name_with_an_escape_sequence_is_shown_escaped(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "esc\x1b[2J.toml").write_text("not = [toml", encoding="utf-8")
    app = make_app(folder)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        entry = app.screen.infos[0].entry
        assert "\x1b" not in entry.title and "\\x1b" in entry.title
        assert "\x1b" not in entry.summary
