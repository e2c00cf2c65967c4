"""Claims in lesson prose that a test can check, checked against the engine's trace.

The prose-number tests (tests/test_curriculum*.py, tests/test_course_v2_lessons.py) check that a
number quoted in a lesson is the engine's number. This file checks the *words* around numbers:
"exactly", "cancels", "moves exactly as", "stalls at 0.5". Each row of CLAIMS names the lesson, the
step (by title), a phrase that must still be in the step's text (so an edit that rewords the claim
makes the row fail and get revisited), and a check evaluated on that step's trace.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nn_tui.format.numbers import num
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS

_SESSIONS: dict[str, LessonSession] = {}


def session_for(lesson_id: str) -> LessonSession:
    if lesson_id not in _SESSIONS:
        _SESSIONS[lesson_id] = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    return _SESSIONS[lesson_id]


def step_index(session: LessonSession, title: str) -> int:
    matches = [i for i, step in enumerate(session.steps) if step.title == title]
    assert len(matches) == 1, f"{session.lesson.id}: no single step titled {title!r}"
    return matches[0]


def step_words(session: LessonSession, index: int) -> str:
    step = session.steps[index]
    return " ".join([step.text or "", step.prompt or "", step.explanation or "",
                     *(step.hints or ())])


def terms(context: dict) -> list[float]:
    """The products w·x of the first neuron of the first layer (the pane's terms)."""
    layer = context["layers"][0]
    return [w * x for w, x in zip(layer["W"][0], layer["a_prev"])]


def _tiredness_cancels_free_hours(session, index, context):
    hours, sunshine, tiredness = terms(context)
    # "took away exactly what the free hours added, and more than the sunshine added"
    return hours + tiredness == 0 and abs(tiredness) > abs(sunshine)


def _previous_check_explained(session, index, context):
    # The explanation of the check before "The weighted sum, term by term" says the same.
    hours, sunshine, tiredness = terms(context)
    bias = context["layers"][0]["b"][0]
    return hours + tiredness == 0 and sunshine + bias > 0


def _half_cancels_the_two(session, index, context):
    # ½·(ŷ − y)²: the slope in ŷ is the miss ŷ − y itself, no factor 2 left.
    last = context["grads"][-1]
    miss = np.array(context["output"]) - np.array(context["y"])
    return np.allclose(np.array(last["dL_da"]).reshape(miss.shape), miss)


def _moves_exactly_as_w(session, index, context):
    # "ŷ = w₁·1 + 0 moves exactly as w₁ does": the input is 1 and the bias 0.
    layer = context["layers"][0]
    return layer["a_prev"] == [1.0] and layer["b"] == [0.0]


def _bias_slope_is_one(session, index, context):
    # "a bias receives a slope of 1": ∂L/∂b equals δ = ∂L/∂z in every layer.
    return all(np.allclose(grad["b"], grad["dL_dz"]) for grad in context["grads"])


def _linear_net_stalls_at_half(session, index, context):
    # "that net stalls at ŷ = 0.5, loss ln 2 = 0.6931" (the network without a hidden layer).
    train = max(i for i, step in enumerate(session.steps[:index]) if step.kind == "train")
    outcome = next(o for o in session.training_outcomes(train) if o.variant_id == "linear")
    x, y, _ = session.selected_data(session.view(index).selection.__class__(mode="batch"))
    output = outcome.network.trace(x, y).output
    return (np.allclose(output, 0.5, atol=5e-3) and num(outcome.to_dict()["loss"]) == num(math.log(2))
            and "0.6931" == num(math.log(2)))


def _start_weights_are_glorot_from_seed_one(session, index, context):
    # "only a seed (1) ... between ±√(6/(n_in + n_out)) ... the biases start at 0"
    variant = next(v for v in session.lesson.variants if v.id == "hidden")
    from nn_tui.engine.network import init_weights
    sizes = [len(context["x"])] + [len(layer["b"]) for layer in context["layers"]]
    activations = [layer["activation"] for layer in context["layers"]]
    drawn = init_weights(sizes, activations, 1)
    within = all(
        np.all(np.abs(layer["W"]) <= math.sqrt(6 / (n_in + n_out)))
        for layer, n_in, n_out in zip(context["layers"], sizes[:-1], sizes[1:]))
    return (variant.network.seed == 1 and within
            and all(np.allclose(layer["W"], W) and np.allclose(layer["b"], 0)
                    for layer, (W, _b) in zip(context["layers"], drawn)))


# (lesson, step title, phrase in the step's words, check(session, index, context))
CLAIMS = [
    ("single-neuron", "The weighted sum, term by term",
     "took away exactly what the free hours added", _tiredness_cancels_free_hours),
    ("single-neuron", "Your turn: the dot product",
     "cancels the free hours", _previous_check_explained),
    ("psa-hidden-layer", None, "The ½ cancels the 2", _half_cancels_the_two),
    ("slopes", None, "moves exactly as w₁ does", _moves_exactly_as_w),
    ("chain-rule", None, "slope of 1", _bias_slope_is_one),
    ("xor", "Add a hidden layer", "only a **seed** (1)", _start_weights_are_glorot_from_seed_one),
    ("xor", "Summary", "stalls at ŷ = 0.5, loss ln 2 = 0.6931", _linear_net_stalls_at_half),
]


def _find(session: LessonSession, title: str | None, phrase: str) -> int:
    if title is not None:
        return step_index(session, title)
    found = [i for i in range(session.total) if phrase in step_words(session, i)]
    assert found, f"{session.lesson.id}: no step says {phrase!r}"
    return found[0]


@pytest.mark.parametrize("lesson_id, title, phrase, check", CLAIMS,
                         ids=[f"{row[0]}:{row[2][:30]}" for row in CLAIMS])
def test_claim_holds_on_the_trace(lesson_id, title, phrase, check):
    session = session_for(lesson_id)
    index = _find(session, title, phrase)
    assert phrase in step_words(session, index), (
        f"{lesson_id} step {index + 1}: the claim {phrase!r} is gone; update CLAIMS")
    context = session.view(index).context()
    assert check(session, index, context), (
        f"{lesson_id} step {index + 1} ({session.steps[index].title}): the text says "
        f"{phrase!r}, but the trace disagrees")


def test_the_old_false_claim_is_gone():
    """single-neuron once said the tiredness "took away exactly what the sunshine added" while
    the panes showed +2 (sunshine) and −3 (tiredness)."""
    session = session_for("single-neuron")
    words = " ".join(step_words(session, i) for i in range(session.total))
    assert "exactly what the sunshine added" not in words
    assert "tiredness cancels the sunshine" not in words.lower()
