"""Course v2 (issue 14): the lessons `slopes` and `chain-rule`, and the lessons that point back
to them.

- Both new lessons sit before `activations` in the course order and in the picker.
- Every check is answerable, has hints that lead idea → formula → numbers and an explanation;
  every explore step has a goal that the step's own numbers do not meet and that the nudge its
  prompt describes does meet (replayed with the same edit functions explore mode uses).
- Every number the prose of the new lessons states is the engine's: read from the step's trace,
  from the trace of a *nudged* network (the engine recomputing with the edit the text describes,
  as explore mode and ``nn-tui trace --set`` do), or from the engine's activations directly.
- Every bundled lesson is covered by one of the prose-number tests (this file,
  test_curriculum_basics.py, test_curriculum_articles.py), so a new lesson cannot slip past them.
- The later lessons show the calculus by pointing back and by nudging instead of asserting it;
  lesson references only point back (or say that the lesson comes later); the lessons that follow
  the PSA article name it.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Callable

import numpy as np
import pytest

from nn_tui.engine.activations import ACTIVATIONS
from nn_tui.lessons.catalog import build_catalog
from nn_tui.lessons.edits import parse_target
from nn_tui.lessons.explore_goal import edited_context, goal_met
from nn_tui.lessons.expressions import parse_expression
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import Step
from nn_tui.lessons.session import CHOICE_TOLERANCE, LessonSession
from tests.conftest import LESSONS

NEW_LESSONS = ("slopes", "chain-rule")
DECIMAL = re.compile(r"[−-]?\d+\.\d+")


@cache
def session_for(lesson_id: str) -> LessonSession:
    session = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    for index in range(session.total):
        session.view(index)
    return session


def index_of(session: LessonSession, title: str) -> int:
    matches = [k for k, step in enumerate(session.steps) if step.title == title]
    assert len(matches) == 1, f"{session.lesson.id}: {len(matches)} steps titled {title!r}"
    return matches[0]


def nudged_context(session: LessonSession, index: int, edits: dict[str, float]) -> dict:
    """The trace (as answers read it) of step ``index``'s network and data with ``edits``
    (edit path → new value) applied: what explore mode shows after those nudges."""
    network, x, y, rows = session.explore_data(index)
    step = session.steps[index]
    targets = {parse_target(path, network, x, y): value for path, value in edits.items()}
    if step.kind != "explore":
        # The edits describe what the text says would happen; any number may be edited there.
        step = Step(kind="explore", title=step.title, prompt="-", goal="loss > 0")
    return edited_context(step, network, x, y, targets, rows)


def prose(step: Step) -> str:
    parts = [step.title, step.text, step.prompt, step.explanation, *step.hints]
    parts.extend(choice.text for choice in step.choices)
    return "\n".join(parts)


# -- the place of the new lessons -----------------------------------------------------------------


def test_the_new_lessons_come_before_activations_in_order_and_in_the_picker():
    orders = {path.stem: load_lesson(path).order for path in LESSONS.glob("*.toml")}
    assert orders["layers"] < orders["slopes"] < orders["chain-rule"] < orders["activations"]
    catalog = build_catalog()
    picker = [entry.id for entry in sorted(catalog, key=lambda entry: entry.sort_key)
              if entry.bundled]
    assert picker[:6] == ["single-neuron", "layers", "slopes", "chain-rule", "activations",
                          "losses"]
    assert len(picker) == 11


def test_the_readme_lists_eleven_lessons_in_course_order():
    readme = (LESSONS.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The course", 1)[1].split("\n## ", 1)[0]
    assert section.lstrip().startswith("Eleven bundled lessons")
    named = re.findall(r"`([a-z-]+)`", section)
    by_order = sorted(LESSONS.glob("*.toml"), key=lambda path: load_lesson(path).order)
    assert named == [path.stem for path in by_order]


# -- shape: checks, hints, explanations, explore steps ----------------------------------------


@pytest.mark.parametrize("lesson_id", NEW_LESSONS)
def test_new_lesson_has_intro_checks_hints_explanations_and_summary(lesson_id):
    session = session_for(lesson_id)
    steps = session.steps
    assert session.problems() == []
    assert steps[0].kind == "text" and "you will be able to" in steps[0].text
    assert steps[-1].kind == "text" and steps[-1].title == "Summary"
    checks = [step for step in steps if step.kind == "check"]
    assert len(checks) >= 5 and any(step.choices for step in checks)
    for step in checks:
        # Idea, then the formula, then the formula with the numbers: a calculator is enough.
        assert len(step.hints) >= 3, step.title
        assert re.search(r"\d", step.hints[-1]), f"{step.title}: the last hint has no numbers"
        assert step.explanation.strip(), step.title
    explores = [step for step in steps if step.kind == "explore"]
    assert len(explores) >= 2
    for step in explores:
        assert step.prompt.strip() and step.goal.strip() and step.explanation.strip()
        assert step.editable, f"{step.title}: an explore step of the course names what to nudge"
        assert len(step.hints) >= 2, step.title


@pytest.mark.parametrize("lesson_id", NEW_LESSONS)
def test_every_check_of_a_new_lesson_is_answerable(lesson_id):
    session = session_for(lesson_id)
    for index, step in enumerate(session.steps):
        if step.kind != "check":
            continue
        value = session.answer(index)
        assert math.isfinite(value), step.title
        if step.choices:
            matching = [c for c in step.choices if abs(c.value - value) <= CHOICE_TOLERANCE]
            assert len(matching) == 1, step.title


# Per explore step of the course: the edits that carry out what its prompt asks.
SOLUTIONS: dict[tuple[str, str], dict[str, float]] = {
    ("slopes", "Try it: nudge the sigmoid's input"): {"x[0]": 1.1},
    ("slopes", "Try it: shrink the nudge"): {"layers[0].W[0][0]": 3.001},
    ("slopes", "Try it: nudge tanh"): {"x[0]": 1.1},
    ("slopes", "Try it: switch the slope on"): {"x[0]": 0.001},
    ("chain-rule", "Try it: nudge w₁"): {"layers[0].W[0][0]": 0.501},
    ("chain-rule", "Try it: nudge the bias b₂"): {"layers[1].b[0]": 0.001},
    ("losses", "Try it: nudge the apple sum"): {"layers[0].b[0]": -1.6094379124341003 + 0.01},
    ("psa-softmax", "Try it: nudge the cancer weight"): {"layers[0].W[1][0]": 0.001},
}


@pytest.mark.parametrize("lesson_id,title", list(SOLUTIONS), ids=lambda v: str(v))
def test_explore_goal_is_reached_by_the_nudge_the_prompt_asks_for(lesson_id, title):
    session = session_for(lesson_id)
    index = index_of(session, title)
    step = session.steps[index]
    assert not goal_met(step, nudged_context(session, index, {})), "met before any nudge"
    assert goal_met(step, nudged_context(session, index, SOLUTIONS[(lesson_id, title)]))


def test_every_explore_step_of_the_touched_lessons_has_a_solution():
    for lesson_id in (*NEW_LESSONS, "losses", "psa-softmax"):
        session = session_for(lesson_id)
        titles = {step.title for step in session.steps if step.kind == "explore"}
        assert titles <= {title for (lid, title) in SOLUTIONS if lid == lesson_id}, lesson_id


def test_a_nudge_in_the_wrong_direction_does_not_reach_the_goal():
    session = session_for("slopes")
    index = index_of(session, "Try it: switch the slope on")
    assert not goal_met(session.steps[index], nudged_context(session, index, {"x[0]": -0.001}))
    index = index_of(session, "Try it: shrink the nudge")
    # A nudge of 0.1 is a start, not the goal: the prompt asks to shrink it.
    assert not goal_met(session.steps[index],
                        nudged_context(session, index, {"layers[0].W[0][0]": 3.1}))


# -- numbers in the prose ------------------------------------------------------------------------


def _sigmoid(z: float) -> float:
    return float(ACTIVATIONS["sigmoid"](np.array([z]))[0])


def _tanh(z: float) -> float:
    return float(ACTIVATIONS["tanh"](np.array([z]))[0])


def _exp(z: float) -> float:
    # e^z as the engine's sigmoid defines it: σ(−z) = 1 / (1 + e^z).
    return 1 / _sigmoid(-z) - 1


# A source: an answer expression at the step, ("nudge", {path: value}, expression) evaluated on
# the nudged network at the step, ("ratio", {path: value}, h): ΔL/Δp for that nudge of size h,
# or a function asking the engine directly.
Source = str | tuple | Callable[[], float]

SLOPE_OF_LOSS_H = "(nudged - loss) / h"
STATED: list[tuple] = [
    # -- slopes ------------------------------------------------------------------------------------
    ("slopes", "What you will learn", "2.718", lambda: _exp(1)),
    ("slopes", "The number e", "2.718", lambda: _exp(1)),
    ("slopes", "The number e", "0.3679", "exp(-layers[0].z[0])"),
    ("slopes", "Your turn: σ(1) by hand", "0.3679", "exp(-layers[0].z[0])"),
    ("slopes", "Your turn: σ(1) by hand", "1.3679", "1 + exp(-layers[0].z[0])"),
    ("slopes", "Your turn: σ(1) by hand", "0.7311", "output[0]"),
    ("slopes", "σ(1) on screen", "0.7311", "output[0]"),
    ("slopes", "Try it: nudge the sigmoid's input", "1.1", ("nudge", {"x[0]": 1.1}, "x[0]")),
    ("slopes", "Try it: nudge the sigmoid's input", "0.1", ("nudge", {"x[0]": 1.1}, "x[0] - 1")),
    ("slopes", "Try it: nudge the sigmoid's input", "0.7311", "output[0]"),
    ("slopes", "Try it: nudge the sigmoid's input", "0.7503",
     ("nudge", {"x[0]": 1.1}, "output[0]")),
    ("slopes", "Your turn: a slope from a nudge", "0.7311", "output[0]"),
    ("slopes", "Your turn: a slope from a nudge", "0.7503",
     ("nudge", {"x[0]": 1.1}, "output[0]")),
    ("slopes", "Your turn: a slope from a nudge", "1.1", ("nudge", {"x[0]": 1.1}, "x[0]")),
    ("slopes", "Your turn: a slope from a nudge", "0.1", "0.1"),
    ("slopes", "Your turn: a slope from a nudge", "0.0192",
     ("nudge", {"x[0]": 1.1}, "output[0] - sigmoid(1)")),
    ("slopes", "Your turn: a slope from a nudge", "0.192",
     ("nudge", {"x[0]": 1.1}, "(output[0] - sigmoid(1)) / 0.1")),
    ("slopes", "Your turn: a slope from a nudge", "0.19", "(sigmoid(1.1) - output[0]) / 0.1"),
    ("slopes", "A square to nudge", "3.1", ("nudge", {"layers[0].W[0][0]": 3.1}, "output[0]")),
    ("slopes", "A square to nudge", "0.1", "0.1"),
    ("slopes", "A square to nudge", "9.61", ("nudge", {"layers[0].W[0][0]": 3.1}, "loss")),
    ("slopes", "Your turn: the loss's slope from a nudge", "3.1",
     ("nudge", {"layers[0].W[0][0]": 3.1}, "layers[0].W[0][0]")),
    ("slopes", "Your turn: the loss's slope from a nudge", "9.61",
     ("nudge", {"layers[0].W[0][0]": 3.1}, "loss")),
    ("slopes", "Your turn: the loss's slope from a nudge", "0.1", "0.1"),
    ("slopes", "Your turn: the loss's slope from a nudge", "0.61",
     ("nudge", {"layers[0].W[0][0]": 3.1}, "loss - 9")),
    ("slopes", "Your turn: the loss's slope from a nudge", "6.1",
     ("nudge", {"layers[0].W[0][0]": 3.1}, "(loss - 9) / 0.1")),
    ("slopes", "Your turn: the loss's slope from a nudge", "9.0601",
     ("nudge", {"layers[0].W[0][0]": 3.01}, "loss")),
    ("slopes", "Your turn: the loss's slope from a nudge", "0.01", "0.01"),
    ("slopes", "Your turn: the loss's slope from a nudge", "6.01",
     ("nudge", {"layers[0].W[0][0]": 3.01}, "(loss - 9) / 0.01")),
    ("slopes", "Try it: shrink the nudge", "0.1", "0.1"),
    ("slopes", "Try it: shrink the nudge", "0.01", "0.01"),
    ("slopes", "Try it: shrink the nudge", "0.001", "0.001"),
    ("slopes", "Try it: shrink the nudge", "3.001",
     ("nudge", {"layers[0].W[0][0]": 3.001}, "layers[0].W[0][0]")),
    ("slopes", "Try it: shrink the nudge", "6.1",
     ("nudge", {"layers[0].W[0][0]": 3.1}, "(loss - 9) / 0.1")),
    ("slopes", "Try it: shrink the nudge", "6.01",
     ("nudge", {"layers[0].W[0][0]": 3.01}, "(loss - 9) / 0.01")),
    ("slopes", "Try it: shrink the nudge", "6.001",
     ("nudge", {"layers[0].W[0][0]": 3.001}, "(loss - 9) / 0.001")),
    ("slopes", "Why the ½ in ½·(y − ŷ)²", "4.5", "loss"),
    ("slopes", "Predict: the slope with the ½", "1.5", "grads[0].dL_da[0] / 2"),
    ("slopes", "The sigmoid's slope rule", "0.1", "0.1"),
    ("slopes", "The sigmoid's slope rule", "0.192",
     ("nudge", {"x[0]": 1.1}, "(output[0] - sigmoid(1)) / 0.1")),
    ("slopes", "The sigmoid's slope rule", "0.01", "0.01"),
    ("slopes", "The sigmoid's slope rule", "0.1962",
     ("nudge", {"x[0]": 1.01}, "(output[0] - sigmoid(1)) / 0.01")),
    ("slopes", "The sigmoid's slope rule", "0.7311", "output[0]"),
    ("slopes", "Your turn: σ′(1) by the rule", "0.7311", "output[0]"),
    ("slopes", "Your turn: σ′(1) by the rule", "0.2689", "1 - output[0]"),
    ("slopes", "Your turn: σ′(1) by the rule", "0.1966", "grads[0].da_dz[0]"),
    ("slopes", "Your turn: σ′(1) by the rule", "0.001", "0.001"),
    ("slopes", "The slope in the Gradients pane", "0.1966", "grads[0].da_dz[0]"),
    ("slopes", "The slope in the Gradients pane", "0.7311", "output[0]"),
    ("slopes", "The slope in the Gradients pane", "−0.2689", "grads[0].dL_da[0]"),
    ("slopes", "The slope in the Gradients pane", "−0.01", "-0.01"),
    ("slopes", "The slope in the Gradients pane", "0.01", "0.01"),
    ("slopes", "The slope in the Gradients pane", "0.9900", lambda: _exp(-0.01)),
    ("slopes", "The slope in the Gradients pane", "0.25",
     lambda: _sigmoid(0) * (1 - _sigmoid(0))),
    ("slopes", "The slope in the Gradients pane", "0.5", lambda: _sigmoid(0)),
    ("slopes", "tanh at z = 1", "2.718", lambda: _exp(1)),
    ("slopes", "tanh at z = 1", "0.3679", lambda: _exp(-1)),
    ("slopes", "tanh at z = 1", "0.7616", "output[0]"),
    ("slopes", "Try it: nudge tanh", "1.1", ("nudge", {"x[0]": 1.1}, "x[0]")),
    ("slopes", "Try it: nudge tanh", "0.1", "0.1"),
    ("slopes", "Try it: nudge tanh", "0.7616", "output[0]"),
    ("slopes", "Try it: nudge tanh", "0.8005", ("nudge", {"x[0]": 1.1}, "output[0]")),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "1.1", "x[0] + 0.1"),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.1", "0.1"),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.8005",
     ("nudge", {"x[0]": 1.1}, "output[0]")),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.7616", "output[0]"),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.389",
     ("nudge", {"x[0]": 1.1}, "(output[0] - tanh(1)) / 0.1")),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.5800", "output[0]^2"),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.4200", "grads[0].da_dz[0]"),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.01", "0.01"),
    ("slopes", "Your turn: tanh′(1), nudged and by the rule", "0.4168",
     ("nudge", {"x[0]": 1.01}, "(output[0] - tanh(1)) / 0.01")),
    ("slopes", "tanh's slope on screen", "0.4200", "grads[0].da_dz[0]"),
    ("slopes", "Your turn: nudge ReLU to the right", "0.1",
     ("nudge", {"x[0]": 0.1}, "output[0]")),
    ("slopes", "Your turn: nudge ReLU to the right", "−0.1", ("nudge", {"x[0]": -0.1}, "x[0]")),
    ("slopes", "Your turn: the slope at the corner", "0.5", "0.5"),
    ("slopes", "Summary", "2.718", lambda: _exp(1)),
    ("slopes", "Summary", "0.7311", lambda: _sigmoid(1)),
    # -- chain-rule --------------------------------------------------------------------------------
    ("chain-rule", "A chain of links", "0.5", "layers[0].W[0][0]"),
    ("chain-rule", "Forward, link by link", "0.5", "layers[0].W[0][0]"),
    ("chain-rule", "Forward, link by link", "0.7616", "layers[0].a[0]"),
    ("chain-rule", "Forward, link by link", "1.5232", "output[0]"),
    ("chain-rule", "Forward, link by link", "−0.4768", "output[0] - y[0]"),
    ("chain-rule", "Forward, link by link", "0.1137", "loss"),
    ("chain-rule", "A nudge travels down the chain", "0.01", "0.01"),
    ("chain-rule", "A nudge travels down the chain", "0.02",
     ("nudge", {"layers[0].W[0][0]": 0.51}, "layers[0].z[0] - 1")),
    ("chain-rule", "A nudge travels down the chain", "0.7616", "layers[0].a[0]"),
    ("chain-rule", "A nudge travels down the chain", "0.42", "grads[0].da_dz[0]"),
    ("chain-rule", "A nudge travels down the chain", "0.0084", "grads[0].da_dz[0] * 0.02"),
    ("chain-rule", "A nudge travels down the chain", "0.0168",
     "layers[1].W[0][0] * grads[0].da_dz[0] * 0.02"),
    ("chain-rule", "A nudge travels down the chain", "−0.4768", "grads[1].dL_da[0]"),
    ("chain-rule", "Your turn: multiply the slopes", "0.42", "grads[0].da_dz[0]"),
    ("chain-rule", "Your turn: multiply the slopes", "−0.4768", "grads[1].dL_da[0]"),
    ("chain-rule", "Your turn: multiply the slopes", "−0.8010", "grads[0].W[0][0]"),
    ("chain-rule", "Your turn: multiply the slopes", "−0.008010", "grads[0].W[0][0] * 0.01"),
    ("chain-rule", "Your turn: multiply the slopes", "0.0168",
     "layers[1].W[0][0] * grads[0].da_dz[0] * 0.02"),
    ("chain-rule", "Your turn: multiply the slopes", "−0.80", "grads[0].W[0][0]"),
    ("chain-rule", "Your turn: multiply the slopes", "0.01", "0.01"),
    ("chain-rule", "Try it: nudge w₁", "0.1", "0.1"),
    ("chain-rule", "Try it: nudge w₁", "0.01", "0.01"),
    ("chain-rule", "Try it: nudge w₁", "0.001", "0.001"),
    ("chain-rule", "Try it: nudge w₁", "0.5", "layers[0].W[0][0]"),
    ("chain-rule", "Try it: nudge w₁", "−0.5833",
     ("ratio", {"layers[0].W[0][0]": 0.6}, 0.1)),
    ("chain-rule", "Try it: nudge w₁", "−0.7752",
     ("ratio", {"layers[0].W[0][0]": 0.51}, 0.01)),
    ("chain-rule", "Try it: nudge w₁", "−0.7984",
     ("ratio", {"layers[0].W[0][0]": 0.501}, 0.001)),
    ("chain-rule", "Try it: nudge w₁", "−0.8010", "grads[0].W[0][0]"),
    ("chain-rule", "δ: the chain up to a sum", "−0.4768", "grads[1].dL_dz[0]"),
    ("chain-rule", "Try it: nudge the bias b₂", "0.01", "0.01"),
    ("chain-rule", "Try it: nudge the bias b₂", "0.001", "0.001"),
    ("chain-rule", "Try it: nudge the bias b₂", "−0.4768", "grads[1].dL_dz[0]"),
    ("chain-rule", "Your turn: ∂L/∂w₂", "−0.4768", "grads[1].dL_dz[0]"),
    ("chain-rule", "Your turn: ∂L/∂w₂", "0.7616", "layers[0].a[0]"),
    ("chain-rule", "Your turn: ∂L/∂w₂", "−0.3631", "grads[1].W[0][0]"),
    ("chain-rule", "Backward: the output neuron", "−0.3631", "grads[1].W[0][0]"),
    ("chain-rule", "Backward: the output neuron", "−0.4768", "grads[1].b[0]"),
    ("chain-rule", "Passing δ back", "−0.4768", "grads[1].dL_dz[0]"),
    ("chain-rule", "Passing δ back", "−0.9536", "grads[0].dL_da[0]"),
    ("chain-rule", "Passing δ back", "0.4200", "grads[0].da_dz[0]"),
    ("chain-rule", "Passing δ back", "0.7616", "layers[0].a[0]"),
    ("chain-rule", "Your turn: ∂L/∂b₁", "−0.4005", "grads[0].dL_dz[0]"),
    ("chain-rule", "Your turn: ∂L/∂b₁", "0.4200", "grads[0].da_dz[0]"),
    ("chain-rule", "Your turn: ∂L/∂b₁", "−0.9536", "grads[0].dL_da[0]"),
    ("chain-rule", "Your turn: ∂L/∂b₁", "−0.8010", "grads[0].W[0][0]"),
    ("chain-rule", "Backward: the hidden neuron", "−0.3631", "grads[1].W[0][0]"),
    ("chain-rule", "Backward: the hidden neuron", "−0.4768", "grads[1].b[0]"),
    ("chain-rule", "Backward: the hidden neuron", "−0.8010", "grads[0].W[0][0]"),
    ("chain-rule", "Backward: the hidden neuron", "−0.4005", "grads[0].b[0]"),
    ("chain-rule", "Your turn: old or new w₂?", "2.0363", "after.layers[1].W[0][0]"),
    ("chain-rule", "Your turn: old or new w₂?", "0.1", "learning_rate"),
    ("chain-rule", "Your turn: old or new w₂?", "−0.3631", "grads[1].W[0][0]"),
    ("chain-rule", "Your turn: old or new w₂?", "−0.4768", "grads[1].dL_dz[0]"),
    ("chain-rule", "Your turn: old or new w₂?", "−0.9536", "grads[0].dL_da[0]"),
    ("chain-rule", "One step, from the old weights", "0.1", "learning_rate"),
    ("chain-rule", "One step, from the old weights", "0.5", "layers[0].W[0][0]"),
    ("chain-rule", "One step, from the old weights", "0.5801", "after.layers[0].W[0][0]"),
    ("chain-rule", "One step, from the old weights", "0.04005", "after.layers[0].b[0]"),
    ("chain-rule", "One step, from the old weights", "2.0363", "after.layers[1].W[0][0]"),
    ("chain-rule", "One step, from the old weights", "0.04768", "after.layers[1].b[0]"),
    ("chain-rule", "A second example", "−0.5", "layers[0].z[0]"),
    ("chain-rule", "A second example", "−0.4621", "layers[0].a[0]"),
    ("chain-rule", "A second example", "−0.9242", "output[0]"),
    ("chain-rule", "A second example", "1.0758", "grads[1].b[0]"),
    ("chain-rule", "A second example", "−0.4768", "grads[1].b[0]", "Forward, link by link"),
    ("chain-rule", "Your turn: the gradient of a batch", "−0.4768", "grads[1].b[0]",
     "Forward, link by link"),
    ("chain-rule", "Your turn: the gradient of a batch", "1.0758", "grads[1].b[0]",
     "A second example"),
    ("chain-rule", "Your turn: the gradient of a batch", "0.2995", "grads[1].b[0]"),
    ("chain-rule", "Backward over the batch", "0.2995", "grads[1].b[0]"),
]

# Numbers the prose chooses rather than computes: the size of a nudge, a slope the text names
# as a choice offered. Each is listed in STATED with a constant source, so nothing escapes.


def _value(session: LessonSession, where: int, source: Source) -> float:
    if callable(source):
        return source()
    if isinstance(source, tuple) and source[0] == "ratio":
        _, edits, h = source
        before = session.view(where).trace.loss
        return (nudged_context(session, where, edits)["loss"] - before) / h
    if isinstance(source, tuple):
        _, edits, expression = source
        return parse_expression(expression).evaluate(nudged_context(session, where, edits))
    return parse_expression(source).evaluate(session.view(where).context())


def _as_written(value: float, stated: str) -> str:
    places = len(stated.split(".")[1]) if "." in stated else 0
    text = f"{value:.{places}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


@pytest.mark.parametrize(
    "lesson_id, title, stated, source, at",
    [(*entry, None) if len(entry) == 4 else entry for entry in STATED],
    ids=[f"{entry[0]}:{entry[1]}:{entry[2]}" for entry in STATED],
)
def test_numbers_stated_in_the_new_lessons_are_the_engines(lesson_id, title, stated, source, at):
    session = session_for(lesson_id)
    where = index_of(session, title)
    assert re.search(rf"(?<![\d.]){re.escape(stated)}(?![\d]|\.\d)",
                     prose(session.steps[where])), f"{stated} is not written in {title!r}"
    value = _value(session, index_of(session, at) if at else where, source)
    assert _as_written(value, stated) == stated, f"{title!r} says {stated}, the engine {value!r}"


@pytest.mark.parametrize("lesson_id", NEW_LESSONS)
def test_every_decimal_in_the_new_lessons_is_checked(lesson_id):
    session = session_for(lesson_id)
    listed = {(entry[1], entry[2]) for entry in STATED if entry[0] == lesson_id}
    unchecked = [f"{step.title!r}: {found}" for step in session.steps
                 for found in DECIMAL.findall(prose(step)) if (step.title, found) not in listed]
    assert unchecked == [], "decimals in the prose without an entry in STATED"


def test_every_bundled_lesson_is_covered_by_a_prose_number_test():
    from test_curriculum_articles import ARTICLE_LESSONS
    from test_curriculum_basics import ORDER

    covered = set(ORDER) | set(ARTICLE_LESSONS) | set(NEW_LESSONS)
    bundled = {load_lesson(path).id for path in LESSONS.glob("*.toml")}
    assert bundled - covered == set(), "lessons whose prose numbers no test checks"


# -- what the new lessons claim about the engine --------------------------------------------------


def test_slopes_the_ratio_meets_the_gradient_as_the_nudge_shrinks():
    """6 + h for L = w² at w = 3, as the explore step says; the engine's ∂L/∂w is 6."""
    session = session_for("slopes")
    index = index_of(session, "Try it: shrink the nudge")
    gradient = session.view(index).trace.grads[0].W[0, 0]
    assert gradient == pytest.approx(6.0)
    for h in (0.1, 0.01, 0.001):
        loss = nudged_context(session, index, {"layers[0].W[0][0]": 3 + h})["loss"]
        assert (loss - 9) / h == pytest.approx(6 + h, rel=1e-9)


def test_slopes_relu_slope_at_exactly_zero_is_zero_and_one_just_right_of_it():
    session = session_for("slopes")
    index = index_of(session, "Your turn: the slope at the corner")
    assert session.view(index).trace.layers[0].z[0] == 0
    assert session.answer(index) == 0
    right = nudged_context(session, index, {"x[0]": 1e-9})
    assert right["grads"][0]["da_dz"][0] == 1


def test_chain_rule_gradients_come_from_the_old_weights():
    """The check's answer (1 = the old w₂) is what the engine does: ∂L/∂a₁ = old w₂ · δ₂."""
    session = session_for("chain-rule")
    index = index_of(session, "Your turn: old or new w₂?")
    assert session.answer(index) == 1
    trace = session.view(index).trace
    old_w2 = trace.layers[1].W[0, 0]
    assert trace.grads[0].dL_da[0] == pytest.approx(old_w2 * trace.grads[1].dL_dz[0])
    assert trace.after.layers[1].W[0, 0] != pytest.approx(old_w2)
    # The update is shown, not kept: the second example runs through the old weights.
    later = session.view(index_of(session, "A second example"))
    assert later.trace.layers[0].W[0, 0] == 0.5 and later.trace.layers[1].W[0, 0] == 2.0


def test_chain_rule_batch_gradient_is_the_mean_of_the_rows():
    session = session_for("chain-rule")
    batch = session.view(index_of(session, "Backward over the batch")).trace
    assert batch.mode == "batch"
    rows = [session.view(index_of(session, title)).trace
            for title in ("Forward, link by link", "A second example")]
    for layer in range(2):
        assert batch.grads[layer].W == pytest.approx(
            np.mean([row.grads[layer].W for row in rows], axis=0))
        assert batch.grads[layer].b == pytest.approx(
            np.mean([row.grads[layer].b for row in rows], axis=0))


def test_chain_rule_each_link_scales_the_nudge_by_its_slope():
    """The link-by-link story for a nudge of w₁ by 0.01 matches the nudged engine to first order."""
    session = session_for("chain-rule")
    index = index_of(session, "A nudge travels down the chain")
    base = session.view(index).trace
    nudged = nudged_context(session, index, {"layers[0].W[0][0]": 0.51})
    h = 0.01
    assert nudged["layers"][0]["z"][0] - base.layers[0].z[0] == pytest.approx(base.x[0] * h)
    moved_a = nudged["layers"][0]["a"][0] - base.layers[0].a[0]
    assert moved_a == pytest.approx(base.grads[0].da_dz[0] * base.x[0] * h, rel=0.02)
    moved_loss = nudged["loss"] - base.loss
    assert moved_loss == pytest.approx(base.grads[0].W[0, 0] * h, rel=0.05)


def test_plain_text_fields_carry_no_markdown():
    """Prompts, hints, choices and explanations are shown as plain text (only a step's text is
    Markdown), so ** or ` would appear literally."""
    for path in sorted(LESSONS.glob("*.toml")):
        for step in load_lesson(path).steps:
            for field in (step.prompt, step.explanation, *step.hints,
                          *(choice.text for choice in step.choices)):
                assert "**" not in field and "`" not in field, f"{path.name} {step.title!r}"


# -- the lessons that follow: pointing back, nudging, naming the article -------------------------


def _all_prose(lesson_id: str) -> str:
    return "\n".join(prose(step) for step in session_for(lesson_id).steps)


@pytest.mark.parametrize("lesson_id,asserted", [
    ("losses", "the derivative of"),
    ("fruit", "which simplifies to"),
    ("fruit", "has a very simple slope"),
    ("psa-softmax", "For softmax with cross-entropy ∂Lᵢ/∂z = ŷ − y;"),
    ("psa-hidden-layer", "with no stray 2"),
])
def test_later_lessons_no_longer_assert_the_calculus(lesson_id, asserted):
    assert asserted not in _all_prose(lesson_id)


@pytest.mark.parametrize("lesson_id,points_to", [
    ("activations", ("slopes lesson", "chain-rule lesson")),
    ("losses", ("slopes lesson", "chain-rule lesson")),
    ("fruit", ("slopes lesson", "chain-rule lesson", "losses lesson")),
    ("psa-softmax", ("losses lesson", "chain-rule lesson")),
    ("psa-hidden-layer", ("slopes lesson", "chain-rule lesson")),
])
def test_later_lessons_point_back_to_the_new_ones(lesson_id, points_to):
    text = _all_prose(lesson_id)
    for where in points_to:
        assert where in text, f"{lesson_id} does not mention {where}"


def test_softmax_cross_entropy_slope_is_shown_by_a_nudge_in_losses():
    """losses nudges a sum and asks for ŷ − y; the nudge ratio is within h of the gradient."""
    session = session_for("losses")
    index = index_of(session, "Try it: nudge the apple sum")
    trace = session.view(index).trace
    assert trace.loss_name == "cross_entropy"
    h = 1e-4
    bias = float(trace.layers[0].b[0])
    nudged = nudged_context(session, index, {"layers[0].b[0]": bias + h})
    ratio = (nudged["loss"] - trace.loss) / h
    assert ratio == pytest.approx(trace.output[0] - trace.y[0], abs=1e-3)
    check = index_of(session, "Your turn: the slope in the orange sum")
    assert session.answer(check) == pytest.approx(trace.output[1] - trace.y[1])


def test_lesson_references_point_back_or_say_later():
    """'the <id> lesson' names an earlier lesson, or the sentence says it is still to come."""
    order = {load_lesson(path).id: load_lesson(path).order for path in LESSONS.glob("*.toml")}
    names = {lesson_id: lesson_id for lesson_id in order}
    names["PSA hidden-layer"] = "psa-hidden-layer"
    pattern = re.compile(r"\bthe (" + "|".join(map(re.escape, names)) + r") lesson")
    for lesson_id in order:
        for sentence in re.split(r"(?<=[.!?])\s+", _all_prose(lesson_id)):
            for name in pattern.findall(sentence):
                target = names[name]
                if order[target] > order[lesson_id]:
                    assert re.search(r"\b(will|next|later|comes)\b", sentence), (
                        f"{lesson_id}: {sentence!r} refers to {target}, which comes later")


def test_the_psa_lessons_name_their_article():
    title = "“The Math Behind a Neural Network”"
    for lesson_id in ("psa-softmax", "psa-hidden-layer"):
        lesson = session_for(lesson_id).lesson
        assert any(title in source for source in lesson.sources), lesson_id
        assert title in _all_prose(lesson_id), f"{lesson_id} does not name its article"
