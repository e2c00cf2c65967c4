"""Course v2 (issue 14): the lessons `slopes` and `chain-rule`, and the lessons that point back
to them.

- Both new lessons sit before `activations` in the course order and in the picker.
- Every check is answerable, has hints that lead idea → formula → numbers and an explanation;
  every explore step has a goal that the step's own numbers do not meet and that the nudge its
  prompt describes does meet (replayed with the same edit functions explore mode uses).
- Every number the prose of the new lessons states is the engine's (read from the step's trace,
  from the trace of a *nudged* network, or from the engine's activations directly): checked with
  every other lesson's numbers, by the one rule set of tests/test_curriculum.py.
- The later lessons show the calculus by pointing back and by nudging instead of asserting it;
  lesson references only point back (or say that the lesson comes later); the lessons that follow
  the PSA article name it.
"""

from __future__ import annotations

import math
import re
from functools import cache

import numpy as np
import pytest

from nn_tui.lessons.catalog import build_catalog
from nn_tui.lessons.edits import parse_target
from nn_tui.lessons.explore_goal import edited_context, goal_met
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import Step
from nn_tui.lessons.session import CHOICE_TOLERANCE, LessonSession
from tests.conftest import LESSONS

NEW_LESSONS = ("slopes", "chain-rule")


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
def test_new_lesson_has_the_checks_and_explore_steps_issue_14_asks(lesson_id):
    """Beyond the rules of every lesson (tests/test_curriculum.py): five checks, hints whose last
    one has the numbers (a calculator is enough), and explore steps that name what to nudge."""
    session = session_for(lesson_id)
    steps = session.steps
    assert "you will be able to" in steps[0].text
    checks = [step for step in steps if step.kind == "check"]
    assert len(checks) >= 5
    for step in checks:
        assert re.search(r"\d", step.hints[-1]), f"{step.title}: the last hint has no numbers"
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


# -- what the new lessons claim about the engine --------------------------------------------------


def test_slopes_the_ratio_meets_the_gradient_as_the_nudge_shrinks():
    """6 + h for L = w² at w = 3, as the explore step says; the engine's ∂L/∂w is 6."""
    session = session_for("slopes")
    index = index_of(session, "Try it: shrink the nudge")
    gradient = session.view(index).trace.grads[0].dL_dW[0, 0]
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
        assert batch.grads[layer].dL_dW == pytest.approx(
            np.mean([row.grads[layer].dL_dW for row in rows], axis=0))
        assert batch.grads[layer].dL_db == pytest.approx(
            np.mean([row.grads[layer].dL_db for row in rows], axis=0))


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
    assert moved_loss == pytest.approx(base.grads[0].dL_dW[0, 0] * h, rel=0.05)


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
