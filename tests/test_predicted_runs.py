"""A check about training runs asked before its run is graded by that run (predicted_run)."""

from __future__ import annotations

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession

LESSONS = bundled_lessons_dir()


def _session(lesson_id: str) -> LessonSession:
    return LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))


def _index(session: LessonSession, title: str) -> int:
    return next(i for i, step in enumerate(session.steps) if step.title == title)


def test_a_prediction_is_graded_by_the_run_that_follows_it():
    session = _session("learning-rate")
    check = _index(session, "Predict: which one will diverge?")
    race = _index(session, "Three learning rates")
    assert session.predicted_run(check) == race
    assert session.view(check).trainings == ()  # nothing of the run on the check's screen
    outcomes = {outcome.variant_id: outcome for outcome in session.training_outcomes(race)}
    assert outcomes["huge"].diverged and not outcomes["right"].diverged
    assert session.steps[check].choices[session.correct_choice(check)].text == "η = 0.3"
    best = _index(session, "Predict: which one will learn best?")
    assert session.steps[best].choices[session.correct_choice(best)].text == "η = 0.1"


def test_the_run_trains_with_the_replay_not_when_answered():
    session = _session("xor")
    check = _index(session, "Predict: which one will learn?")
    race = session.predicted_run(check)
    assert session.steps[race].kind == "train" and race > check
    assert session.needs_training(check)  # the screen prepares it off the UI thread
    session.view(check)
    assert race in session._outcomes and not session.needs_training(check)
    assert session.steps[check].choices[session.correct_choice(check)].text.startswith(
        "the one with a hidden layer")


def test_a_check_after_its_run_reads_that_run():
    # A check about runs with a train step before it is not a prediction.
    session = _session("xor")
    check = _index(session, "Predict: which one will learn?")
    for index in range(check + 1, session.total):
        if session.steps[index].kind == "check":
            assert session.predicted_run(index) is None
