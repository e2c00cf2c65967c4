"""Every bundled lesson is a complete, valid lesson of the course (issue 4).

Generic over every file in lessons/: it loads, its self-checks resolve, it has the shape every
lesson of the course shares (introduction, at least three checks with a multiple-choice one,
hints, a summary), the course order is unambiguous, and numeric checks ask for numbers the
learner must work out rather than read off the screen.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pytest

from nn_tui.lessons.expressions import parse_expression
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS

REQUIRED_IDS = (
    "single-neuron", "layers", "slopes", "chain-rule", "activations", "losses",
    "fruit", "psa-softmax", "psa-hidden-layer", "xor", "learning-rate",
)

LESSON_FILES = sorted(LESSONS.glob("*.toml"))


@cache
def session_for(path: Path) -> LessonSession:
    """One replayed session per file for the whole test run (training is the slow part)."""
    session = LessonSession(load_lesson(path))
    for index in range(session.total):
        session.view(index)
    return session


def checks(session: LessonSession) -> list[int]:
    return [index for index, step in enumerate(session.steps) if step.kind == "check"]


def test_the_course_has_every_required_lesson():
    ids = {load_lesson(path).id for path in LESSON_FILES}
    missing = [lesson_id for lesson_id in REQUIRED_IDS if lesson_id not in ids]
    assert not missing, f"lessons missing from {LESSONS}: {missing}"


def test_course_order_is_set_and_unique():
    orders = {}
    for path in LESSON_FILES:
        lesson = load_lesson(path)
        assert lesson.order is not None, f"{path.name}: [lesson] order is not set"
        assert lesson.order not in orders, (
            f"{path.name} and {orders[lesson.order]} share order {lesson.order}"
        )
        orders[lesson.order] = path.name


def test_the_required_lessons_come_in_the_issue_order():
    order_of = {load_lesson(path).id: load_lesson(path).order for path in LESSON_FILES}
    present = [lesson_id for lesson_id in REQUIRED_IDS if lesson_id in order_of]
    assert present == sorted(present, key=order_of.__getitem__)


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.stem)
def test_lesson_loads_and_every_check_resolves(path):
    session = session_for(path)
    assert not session.generated, f"{path.name} has no authored [[steps]]"
    assert session.problems() == []
    for index in checks(session):
        value = session.answer(index)
        assert math.isfinite(value), f"{path.name} steps[{index}] resolves to {value}"


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.stem)
def test_lesson_has_intro_checks_hints_and_summary(path):
    session = session_for(path)
    steps = session.steps
    assert steps[0].kind == "text" and steps[0].text.strip(), "the first step introduces"
    assert steps[-1].kind == "text" and steps[-1].text.strip(), "the last step summarises"
    found = checks(session)
    assert len(found) >= 3, f"{path.name} has {len(found)} checks; the course needs at least 3"
    assert any(steps[index].choices for index in found), f"{path.name} has no choices check"
    for index in found:
        step = steps[index]
        assert step.prompt.strip(), f"{path.name} steps[{index}] has no prompt"
        assert len(step.hints) >= 2, f"{path.name} steps[{index}]: hints should lead idea → numbers"
        assert step.explanation.strip(), f"{path.name} steps[{index}] has no explanation"


def _reads_hidden_numbers(session: LessonSession, index: int) -> bool:
    """Whether a check's answer reads part of the trace the learner cannot see yet."""
    view = session.view(index)
    depth = len(view.network.layers)
    reveal = view.reveal
    hidden_roots = {
        "after": not reveal.update,
        "loss": not reveal.loss,
        "per_sample_loss": not reveal.loss,
        "grads": reveal.backward < depth,
        "output": reveal.forward < depth,
        # A layer's weights are always shown, its sums and activations only once revealed.
        "layers": reveal.forward < depth,
    }
    roots = parse_expression(session.steps[index].answer).roots
    return any(hidden_roots.get(root, False) for root in roots)


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.stem)
def test_lesson_asks_at_least_one_prediction(path):
    """A "predict before you step" check: a choice about numbers the next steps reveal."""
    session = session_for(path)
    predictions = [
        index for index in checks(session)
        if session.steps[index].choices and _reads_hidden_numbers(session, index)
    ]
    assert predictions, f"{path.name} has no choices check that predicts a hidden result"


def _revealed_on_screen(session: LessonSession, index: int) -> str | None:
    """What a plain trace-path answer already shows at this step, or None if it is hidden."""
    answer = session.steps[index].answer.replace(" ", "")
    view = session.view(index)
    depth = len(view.network.layers)
    reveal = view.reveal
    if answer.startswith("layers["):
        layer = int(answer[len("layers["):answer.index("]")])
        field = answer.split(".", 1)[1][:1]
        if field in "za" and reveal.forward > layer:
            return f"the forward pass of layer {layer + 1}"
    if answer.startswith("grads["):
        layer = int(answer[len("grads["):answer.index("]")])
        if reveal.backward >= depth - layer:
            return f"the gradients of layer {layer + 1}"
    if answer == "loss" and reveal.loss:
        return "the loss"
    if answer.startswith("after.") and reveal.update:
        return "the update"
    return None


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.stem)
def test_numeric_checks_ask_for_numbers_not_yet_on_screen(path):
    session = session_for(path)
    for index in checks(session):
        if session.steps[index].choices:
            continue
        shown = _revealed_on_screen(session, index)
        assert shown is None, (
            f"{path.name} steps[{index}] asks for {session.steps[index].answer!r}, "
            f"but {shown} is already on screen"
        )


def _worked_texts(trace) -> list[str]:
    from nn_tui.format import worked

    depth = len(trace.layers)
    lines = list(worked.loss_lines(trace)) + list(worked.after_lines(trace))
    for layer in range(depth):
        if trace.mode == "sample":
            lines += worked.forward_lines(trace, layer)
        lines += worked.backward_rows(trace, layer) + worked.update_lines(trace, layer)
    return [line.text() for line in lines]


@pytest.mark.parametrize("path", LESSON_FILES, ids=lambda path: path.stem)
def test_a_negative_number_after_an_operator_is_in_parentheses(path):
    # "1 − −0.9490²" reads as −0.9006; "1 − (−0.9490)²" is what the slope is.
    session = session_for(path)
    for index in range(session.total):
        for text in _worked_texts(session.view(index).trace):
            for bare in ("− −", "+ −", "·−", "ln −"):
                assert bare not in text, f"step {index}: {text}"
