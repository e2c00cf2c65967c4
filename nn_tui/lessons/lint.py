"""Validating a lesson by replaying it: every answer, choice, mistake and goal resolves.

The loader checks a lesson file's keys and values; ``lint_lesson`` then replays the validated
lesson as the learner would see it (``LessonSession`` with training capped at
LINT_TRAINING_WORK, answer evaluation at ``loader.MAX_ANSWER_WORK``) and reports what cannot be
graded. ``nn-tui check``, the picker and the CLI all use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from nn_tui.lessons.errors import LessonError, Problem
from nn_tui.lessons.explore_goal import lint_goal
from nn_tui.lessons.expressions import (
    UNKNOWN,
    AnswerWorkExceeded,
    ExpressionError,
    WorkMeter,
    parse_expression,
)
from nn_tui.lessons.grading import CHOICE_TOLERANCE, default_tolerance
from nn_tui.lessons.model import Lesson, StepKind
from nn_tui.lessons.session import LessonSession

# Validating a lesson replays it, and replaying past a train step needs the run's result. A run
# bigger than this (data rows × epochs × parameters; see loader.MAX_TRAINING_WORK) is cut short
# while validating: enough to check that every answer resolves, not to train to the end (see
# also training.LINT_TRAINING_EPOCHS and LINT_TRAINING_BATCHES).
LINT_TRAINING_WORK = 2_000_000

# Notes about answers whose values validation could not check: at most this many lines.
MAX_UNCHECKED_NOTES = 5


def lint_session(session: LessonSession, cancelled: Callable[[], bool] | None = None,
                 answer_work: int | None = None,
                 ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(problems, notes) of ``session``'s replay, each a list of (key, message).

    Problems: every check answer that does not resolve to a finite number at its step,
    choices that match no answer, and answers that together read more than ``answer_work``
    values (see WorkMeter; named at the first step past it, with the file's total). Notes:
    answers (and choice matchings) whose value depends on a training run that
    the session's ``training_work`` cut short: their paths were checked, their values could not be.
    ``cancelled`` is asked during training and evaluation; when it returns True, raises
    TrainingCancelled (or WorkMeter.Cancelled).
    """
    found: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    meter = WorkMeter(answer_work, cancelled)
    crossed: int | None = None
    for index, step in enumerate(session.steps):
        if step.kind == StepKind.EXPLORE:
            _lint_explore(session, index, meter, found, notes, cancelled)
            continue
        if step.kind != StepKind.CHECK:
            continue
        if meter.measure_only:
            # Past the budget: only count what the rest of the answers read.
            try:
                session.view(index, cancelled=cancelled)
                session.answer(index, meter)
            except (ExpressionError, ArithmeticError, ValueError, IndexError, KeyError):
                pass
            continue
        before = meter.count
        try:
            session.view(index, cancelled=cancelled)
            expected = session.answer(index, meter)
        except AnswerWorkExceeded:
            # Count this step again in full (it stopped part-way), then the rest.
            crossed, meter.count, meter.measure_only = index, before, True
            session.answer(index, meter)
            continue
        except ExpressionError as error:
            found.append((f"steps[{index}].answer", str(error)))
            continue
        except (ArithmeticError, ValueError, IndexError, KeyError) as error:
            found.append((f"steps[{index}]", f"cannot be replayed: {error}"))
            continue
        if expected is UNKNOWN:
            trained, planned = session.unchecked_run(session.view(index))
            what = ("its value and the choice it picks were" if step.choices
                    else "its value was")
            notes.append((f"steps[{index}].answer", (
                f"reads the results of a training run longer than check trains "
                f"({trained:,} of {planned:,} epochs); {what} not checked")))
        elif not np.isfinite(expected):
            found.append((f"steps[{index}].answer",
                          f"resolves to {expected}, not a finite number"))
        if step.mistakes and (expected is UNKNOWN or np.isfinite(expected)):
            found.extend(_lint_mistakes(session, index, expected, meter))
        if expected is UNKNOWN or not np.isfinite(expected):
            pass
        elif step.choices:
            if min(abs(choice.value - expected) for choice in step.choices) > CHOICE_TOLERANCE:
                values = ", ".join(f"{choice.value:g}" for choice in step.choices)
                found.append((f"steps[{index}].choices",
                              f"the answer is {expected:g} but the choices' values are "
                              f"{values}"))
        elif step.tolerance is not None and expected != 0 and step.tolerance >= abs(expected):
            # The tolerance bug of issue 11, entering through a lesson file: 0 (and, from
            # twice the answer, its negation) would be graded right.
            found.append((f"steps[{index}].tolerance", (
                f"is {step.tolerance:g}, at least the answer itself ({expected:g}): typing 0 "
                f"would be graded right; give a tolerance below {abs(expected):g}, or leave "
                f"it out (the default here is {default_tolerance(expected):g})")))
    unchecked = [note for note in notes if note[0].endswith(".answer")]
    if len(unchecked) > MAX_UNCHECKED_NOTES:
        # One line per answer would bury the rest of check's output: the first few, a count.
        shown = unchecked[:MAX_UNCHECKED_NOTES - 1]
        rest = [key for key, _ in unchecked[MAX_UNCHECKED_NOTES - 1:]]
        notes = [note for note in notes if note not in unchecked] + shown + [(
            "steps", f"{len(rest)} more answers ({rest[0]} … {rest[-1]}) read the results "
                     "of a training run longer than check trains; their values were not "
                     "checked")]
    if crossed is not None:
        found.append((f"steps[{crossed}].answer", (
            f"the answers read {meter.count:,} trace values in all (every value a path or "
            f"function reads, such as each entry of a history that max() looks at); the "
            f"budget is {answer_work:,} and this is the first step past it: ask about "
            "fewer or smaller lists")))
    return found, notes


def _lint_explore(session: LessonSession, index: int, meter: WorkMeter,
                  found: list[tuple[str, str]], notes: list[tuple[str, str]],
                  cancelled: Callable[[], bool] | None) -> None:
    """The problems and notes of explore step ``index`` (see ``explore_goal.lint_goal``),
    appended to ``found`` and ``notes`` with the step's key."""

    try:
        view = session.view(index, cancelled=cancelled)
    except (ArithmeticError, ValueError, IndexError, KeyError) as error:
        found.append((f"steps[{index}]", f"cannot be replayed: {error}"))
        return
    x, y, _rows = session.selected_data(view.selection)
    context = view.context() if session.training_work is None else session.checked_context(view)
    # Past the answers' budget the goal is only counted (its value is not needed then).
    try:
        problems, goal_notes = lint_goal(view.step, context, view.network, x, y,
                                         None if meter.measure_only else meter)
    except AnswerWorkExceeded:
        found.append((f"steps[{index}].goal", "reads more trace values than the answers' "
                                              "budget allows: ask about fewer or smaller "
                                              "lists"))
        return
    found.extend((f"steps[{index}].{key}", message) for key, message in problems)
    notes.extend((f"steps[{index}].{key}", message) for key, message in goal_notes)


def _lint_mistakes(session: LessonSession, index: int, expected: Any,
                   meter: WorkMeter) -> list[tuple[str, str]]:
    """Problems of check ``index``'s teacher mistakes: an answer that does not resolve to a
    finite number at the step, or that the check would grade right (it would never be
    shown). Values a cut-short run decides are not checked (like the answer's)."""
    found = []
    view = session.view(index)
    context = view.context() if session.training_work is None else session.checked_context(view)
    tolerance = session.tolerance(index) if expected is not UNKNOWN else 0.0
    for number, mistake in enumerate(session.steps[index].mistakes):
        key = f"steps[{index}].mistakes[{number}].answer"
        try:
            with np.errstate(all="ignore"):
                value = parse_expression(mistake.answer).evaluate(context, meter)
        except AnswerWorkExceeded:
            found.append((key, f"reading it passes the budget of {meter.limit:,} trace "
                               "values that the answers of a lesson may read"))
            meter.measure_only = True  # the rest of the file is counted, not evaluated
            break
        except ExpressionError as error:
            found.append((key, str(error)))
            continue
        if value is UNKNOWN or expected is UNKNOWN:
            continue
        if abs(value - expected) <= tolerance:
            found.append((key, f"gives {value:g}, which the check grades right (the answer "
                               f"is {expected:g}), so its feedback would never be shown"))
    return found


def lint_lesson(lesson: Lesson, cancelled: Callable[[], bool] | None = None,
                ) -> tuple[list[Problem], list[Problem]]:
    """(problems, notes) of a validated lesson replayed as the learner would see it, with
    training capped at LINT_TRAINING_WORK and answer evaluation at MAX_ANSWER_WORK. This is the
    one test, after the loader's, that a lesson must pass to be opened, listed as fine, traced
    or trained (``nn-tui check`` prints the same problems). ``cancelled``: see
    ``lint_session``."""
    from nn_tui.lessons.loader import MAX_ANSWER_WORK

    session = LessonSession(lesson, training_work=LINT_TRAINING_WORK)
    problems, notes = lint_session(session, cancelled, MAX_ANSWER_WORK)
    return ([Problem(lesson.path, key, message) for key, message in problems],
            [Problem(lesson.path, key, message) for key, message in notes])


def check_lesson(lesson: Lesson, cancelled: Callable[[], bool] | None = None) -> list[Problem]:
    """The notes of ``lint_lesson``; raises LessonError carrying its problems, if any."""
    problems, notes = lint_lesson(lesson, cancelled)
    if problems:
        raise LessonError(lesson.path, problems)
    return notes
