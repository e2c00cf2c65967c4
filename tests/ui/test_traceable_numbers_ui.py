"""Numbers a learner can trace: where a loss curve starts is written, not only drawn."""

from __future__ import annotations

from nn_tui.format.numbers import num
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.panes.loss import loss_summary

LESSONS = bundled_lessons_dir()


def _after_training(lesson_id: str):
    session = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    train = max(i for i, step in enumerate(session.steps) if step.kind == "train")
    return session.view(train + 1)


def test_one_run_says_the_loss_before_training():
    view = _after_training("psa-hidden-layer")
    (outcome,) = view.trainings
    text = loss_summary(view).plain
    assert f"before training (epoch 0): L {num(outcome.history[0])}" in text
    assert "before training (epoch 0): L 0.1475" in text  # the curve's first point, in words


def test_each_raced_run_says_where_its_curve_starts():
    view = _after_training("xor")
    text = loss_summary(view).plain
    assert len(view.trainings) == 2
    for outcome in view.trainings:
        assert f"{outcome.label}: L {num(outcome.history[-1])} (from {num(outcome.history[0])})" \
            in text
