"""No choice check about training runs shows the runs' outcome before it is answered.

A check whose answer reads ``training`` (which run diverged, which ended lower) is decided by
what the Loss pane writes about the runs: "✗ diverged" beside a run that diverged, and each
run's final loss. One app per bundled lesson at 120×40; the test goes to each such check and
reads the whole screen: neither "diverged" (when a run it reads diverged) nor any run's final
loss, written as the Loss pane writes it, may be there. Such a check is asked as a prediction
before its run (``LessonSession.predicted_run``) and graded by that run.
"""

from __future__ import annotations

import re

import pytest

from nn_tui.format.numbers import num
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.widgets.check import CheckArea
from ui_helpers import make_app, screen_text, settle, wait_for_screen

LESSONS = bundled_lessons_dir()
LESSON_IDS = sorted(path.stem for path in LESSONS.glob("*.toml"))


def run_checks(session: LessonSession) -> list[int]:
    """The choice checks whose answer reads training runs."""
    return [index for index, step in enumerate(session.steps)
            if step.kind == "check" and step.choices and session.asks_about_training(index)]


def deciding_texts(session: LessonSession, index: int) -> list[str]:
    """What the Loss pane writes that decides check ``index``: "diverged" if a run it reads
    diverged, and every run's final loss (``num`` of its last history entry)."""
    run = session.predicted_run(index)
    outcomes = (session.training_outcomes(run) if run is not None
                else session.view(index).trainings)
    assert outcomes, f"check {index + 1} reads training runs but none grades it"
    texts = ["diverged"] if any(outcome.diverged for outcome in outcomes) else []
    return texts + [num(outcome.history[-1]) for outcome in outcomes]


def shown(text: str, form: str) -> bool:
    """Whether ``form`` is on screen as a whole word or number (not inside a longer one)."""
    if form[0].isalpha():
        return re.search(rf"\b{re.escape(form)}\b", text, re.IGNORECASE) is not None
    return re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", text) is not None


def test_the_rule_sees_the_loss_panes_words():
    assert shown("│ ■ η = 0.3: ✗ diverged │", "diverged")
    assert not shown("which run will diverge?", "diverged")
    assert shown("│ •• without: L 0.6931 (from 0.6931) │", "0.6931")
    assert not shown("│ W 10.6931 │", "0.6931")


def test_the_bundled_course_has_such_checks():
    """The test below must not pass vacuously: the course asks about runs."""
    counted = sum(len(run_checks(LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))))
                  for lesson_id in ("learning-rate", "xor"))
    assert counted >= 3


async def _go(app, pilot, screen, index: int) -> None:
    screen.go(index)
    for _ in range(400):
        await settle(app, pilot)
        if (screen.view is not None and screen.view.index == index
                and not screen.steps.busy):
            return
    raise AssertionError(f"step {index + 1} never became ready")


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
async def test_no_run_outcome_is_on_screen_before_its_check(lesson_id):
    session = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    checks = run_checks(session)
    if not checks:
        pytest.skip(f"{lesson_id} asks no choice check about training runs")
    app = make_app(LESSONS / f"{lesson_id}.toml")
    found = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        screen = app.screen
        for index in checks:
            await _go(app, pilot, screen, index)
            check = screen.query_one(CheckArea)
            assert check.index == index and not check.settled  # a fresh home: unanswered
            text = screen_text(app)
            found += [f"step {index + 1} ({session.steps[index].title}): {form}"
                      for form in deciding_texts(session, index) if shown(text, form)]
    assert found == [], f"{lesson_id}: run outcomes on screen before their check:\n" + "\n".join(found)
