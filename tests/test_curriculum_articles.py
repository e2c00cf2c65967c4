"""The article lessons (fruit, PSA softmax, PSA hidden layer, XOR, learning rate) teach the
articles' numbers through their own steps, and every number their prose states is the engine's.

``STATED`` lists, per lesson, each number as the prose writes it, the step whose view it is read
at, and the trace expression it must equal (to the decimals written). A scan then requires
every decimal number in a lesson's prose to be in that table, to be a value the lesson file sets
itself (a weight, a data value, a learning rate), or to be in ``ALLOWED`` with the reason.
"""

from __future__ import annotations

import math
import re
import numpy as np
import pytest

from nn_tui.lessons.expressions import parse_expression
from nn_tui.lessons.model import Lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS
from test_curriculum import session_for as replayed_session  # same module object pytest loaded

ARTICLE_LESSONS = ("fruit", "psa-softmax", "psa-hidden-layer", "xor", "learning-rate")

# (number as written in the prose, title of the step whose view it is read at, answer expression)
STATED: dict[str, list[tuple[str, str, str]]] = {
    "fruit": [
        ("0.8", "Forward: the hidden layer", "layers[0].z[0]"),
        ("1.2", "Forward: the hidden layer", "layers[0].z[1]"),
        ("0.32", "Forward: the prediction", "layers[1].W[0][0] * layers[0].a[0]"),
        ("0.84", "Forward: the prediction", "layers[1].W[0][1] * layers[0].a[1]"),
        ("1.36", "Forward: the prediction", "layers[1].z[0]"),
        ("−1.36", "Forward: the prediction", "-layers[1].z[0]"),
        ("0.7958", "Forward: the prediction", "output[0]"),
        ("0.2285", "How wrong is it?", "loss"),
        # The check's explanation confirms ∂L/∂z₂ by nudging z₂ by 0.01 (issue 14).
        ("1.37", "Your turn: the output's error signal", "layers[1].z[0] + 0.01"),
        ("0.226424", "Your turn: the output's error signal",
         "ln(1 + exp(-(layers[1].z[0] + 0.01)))"),
        ("0.228458", "Your turn: the output's error signal", "loss"),
        ("−0.2042", "Your turn: the output's error signal", "grads[1].dL_dz[0]"),
        ("−0.2034", "Your turn: the output's error signal",
         "(ln(1 + exp(-(layers[1].z[0] + 0.01))) - loss) / 0.01"),
        ("−0.2042", "Backward: the output layer", "grads[1].dL_dz[0]"),
        ("−0.1634", "Backward: the output layer", "grads[1].W[0][0]"),
        ("−0.2451", "Backward: the output layer", "grads[1].W[0][1]"),
        ("−0.0817", "Backward: the hidden layer", "grads[0].dL_da[0]"),
        ("−0.1430", "Backward: the hidden layer", "grads[0].dL_da[1]"),
        ("0.5408", "One step of gradient descent", "after.layers[0].W[0][0]"),
        ("0.2408", "One step of gradient descent", "after.layers[0].W[0][1]"),
        ("0.3715", "One step of gradient descent", "after.layers[0].W[1][0]"),
        ("0.8715", "One step of gradient descent", "after.layers[0].W[1][1]"),
        ("0.1408", "One step of gradient descent", "after.layers[0].b[0]"),
        ("0.1715", "One step of gradient descent", "after.layers[0].b[1]"),
        ("0.4817", "One step of gradient descent", "after.layers[1].W[0][0]"),
        ("0.8225", "One step of gradient descent", "after.layers[1].W[0][1]"),
        ("0.3021", "One step of gradient descent", "after.layers[1].b[0]"),
        ("0.8710", "After the step", "output[0]"),
        ("0.1381", "After the step", "loss"),
        ("0.005308", "After training: a red fruit", "output[0]"),
        ("−5.2333", "After training: a red fruit", "layers[1].b[0]"),
    ],
    "psa-softmax": [
        ("0.6931", "The cost over all patients", "loss"),
        ("0.3143", "Backward: gradients of the cost", "grads[0].W[0][0]"),
        ("−0.3143", "Backward: gradients of the cost", "grads[0].W[1][0]"),
        ("0.1571", "One step", "after.layers[0].W[1][0]"),
        ("−0.1571", "One step", "after.layers[0].W[0][0]"),
        ("0.6580", "One step", "after.loss"),
        ("0.035", "One step", "loss - after.loss"),
        ("0.1302", "The trained network at PSA 2.0", "layers[0].z[0]"),
        ("−0.1302", "The trained network at PSA 2.0", "layers[0].z[1]"),
        ("0.6931", "Your turn: this patient's loss", "loss"),
        ("0.4353", "The trained network at PSA 2.0", "output[1]"),
        ("0.5647", "The trained network at PSA 2.0", "output[0]"),
        ("43.5", "The trained network at PSA 2.0", "100 * output[1]"),
        ("56.5", "The trained network at PSA 2.0", "100 * output[0]"),
    ],
    "psa-hidden-layer": [
        ("1.0", "Forward: the hidden neuron", "layers[0].z[0]"),
        ("0.7311", "Forward: the hidden neuron", "layers[0].a[0]"),
        ("−0.7311", "Forward: the prediction", "layers[1].z[0]"),
        ("0.3250", "Forward: the prediction", "output[0]"),
        ("0.32496", "A note on rounding: 0.3248 or 0.3250?", "output[0]"),
        ("0.05280", "How wrong: half the squared error", "loss"),
        ("0.6750", "Backward: the output layer", "1 - output[0]"),
        ("0.2194", "Backward: the output layer", "grads[1].da_dz[0]"),
        ("0.05211", "Backward: the output layer", "grads[1].W[0][0]"),
        ("0.07128", "Backward: the output layer", "grads[1].b[0]"),
        ("−0.07128", "Backward: the hidden layer", "grads[0].dL_da[0]"),
        ("0.1966", "Backward: the hidden layer", "grads[0].da_dz[0]"),
        ("−0.02803", "Backward: the hidden layer", "grads[0].W[0][0]"),
        ("−0.01402", "Backward: the hidden layer", "grads[0].b[0]"),
        ("0.5028", "One step of gradient descent", "after.layers[0].W[0][0]"),
        ("0.001402", "One step of gradient descent", "after.layers[0].b[0]"),
        ("−1.0052", "One step of gradient descent", "after.layers[1].W[0][0]"),
        ("−0.007128", "One step of gradient descent", "after.layers[1].b[0]"),
        ("0.3223", "Did it help?", "output[0]"),
        ("0.322", "Did it help?", "output[0]"),  # the article's rounding of the same value
        ("0.05193", "Did it help?", "loss"),
        ("0.0519", "Did it help?", "loss"),
        # After training: this borderline patient's score rose while the all-rows loss fell.
        ("0.4783", "After training: PSA 2.0", "output[0]"),
        ("0.1144", "After training: PSA 2.0", "loss"),
        ("0.1475", "After training: PSA 2.0", "training.main.initial_loss"),
        ("0.06836", "After training: PSA 2.0", "training.main.loss"),
    ],
    "xor": [
        ("0.75", "Forward: (1, 1)", "layers[0].z[0]"),
        ("0.6792", "Forward: (1, 1)", "output[0]"),
        ("0.6931", "Why it stalls at 0.6931", "training.linear.loss"),
        ("0.002489", "The trained hidden-layer network", "output[0][0]"),
        ("0.9955", "The trained hidden-layer network", "output[1][0]"),
        ("0.9956", "The trained hidden-layer network", "output[2][0]"),
        ("0.002140", "The trained hidden-layer network", "output[3][0]"),
        ("0.002489", "How many rows right?", "output[0][0]"),
        ("0.9955", "How many rows right?", "output[1][0]"),
        ("0.9956", "How many rows right?", "output[2][0]"),
        ("0.002140", "How many rows right?", "output[3][0]"),
    ],
    "learning-rate": [
        ("21", "The starting loss", "loss"),
        ("−17", "The gradients", "grads[0].W[0][0]"),
        ("−8", "The gradients", "grads[0].b[0]"),
        ("1.7", "The step with η = 0.1", "after.layers[0].W[0][0]"),
        ("0.8", "The step with η = 0.1", "after.layers[0].b[0]"),
        ("0.535", "The step with η = 0.1", "after.loss"),
        ("5.1", "The step with η = 0.3", "after.layers[0].W[0][0]"),
        ("2.4", "The step with η = 0.3", "after.layers[0].b[0]"),
        ("48.6150", "The step with η = 0.3", "after.loss"),
        ("7.5", "The step with η = 0.3", "after.output[1][0]"),
        ("12.6", "The step with η = 0.3", "after.output[2][0]"),
        ("17.7", "The step with η = 0.3", "after.output[3][0]"),
        ("3.8829", "Which one learned best?", "training.tiny.loss"),
    ],
}

# Decimal numbers the prose may state without a trace path, and why.
ALLOWED: dict[str, dict[str, str]] = {
    "fruit": {"0.01": "the size of a nudge the prose chooses"},
    "psa-softmax": {"0.01": "the size of a nudge the prose chooses",
                    "0.001": "the size of a nudge the prose chooses"},
    "psa-hidden-layer": {
        "0.3248": "the article's printed ŷ; test_the_article_rounding_is_explained_correctly",
        "0.731": "a₁ rounded to three decimals, in the rounding note (verified below)",
        "2.0772": "e^0.731, in the rounding note (verified below)",
        "2.079": "the rounded e^0.731 that reproduces 0.3248 (verified below)",
        "3.079": "1 + 2.079 (verified below)",
        "0.25": "the sigmoid's largest slope, σ′(0) = 0.25",
    },
    "xor": {},
    "learning-rate": {},
}

DECIMAL = re.compile(r"[−-]?\d+\.\d+")


def session_for(lesson_id: str) -> LessonSession:
    # Shared with test_curriculum.py, so each lesson is replayed (and trained) once per run.
    return replayed_session(LESSONS / f"{lesson_id}.toml")


def step_index(session: LessonSession, title: str) -> int:
    matches = [index for index, step in enumerate(session.steps) if step.title == title]
    assert len(matches) == 1, f"{session.lesson.id}: {len(matches)} steps titled {title!r}"
    return matches[0]


def evaluate(session: LessonSession, title: str, expression: str) -> float:
    view = session.view(step_index(session, title))
    return parse_expression(expression).evaluate(view.context())


def as_number(text: str) -> float:
    return float(text.replace("−", "-"))


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def prose(lesson: Lesson) -> list[str]:
    texts = [lesson.summary]
    for step in lesson.steps:
        texts += [step.title, step.text, step.prompt, step.explanation, *step.hints]
        texts += [choice.text for choice in step.choices]
    return texts


def values_set_by_the_file(lesson: Lesson) -> set[float]:
    """Weights, biases, data values and learning rates written in the lesson file itself."""
    found: set[float] = set()
    for spec in [lesson.network] + [variant.network for variant in lesson.variants]:
        found.add(spec.learning_rate)
        for layer in spec.layers:
            for row in layer.weights or ():
                found.update(row)
            found.update(layer.bias or ())
    found.update(lesson.rows.flatten().tolist())
    return {abs(value) for value in found}


@pytest.mark.parametrize(
    "lesson_id,stated,title,expression",
    [(lesson_id, *entry) for lesson_id, entries in STATED.items() for entry in entries],
)
def test_stated_number_is_the_trace(lesson_id, stated, title, expression):
    session = session_for(lesson_id)
    value = evaluate(session, title, expression)
    places = decimals(stated)
    assert round(value, places) == pytest.approx(as_number(stated), abs=1e-12), (
        f"{lesson_id}, step {title!r}: the prose says {stated}, the trace gives {value:.6f}"
    )


@pytest.mark.parametrize("lesson_id", ARTICLE_LESSONS)
def test_every_decimal_in_the_prose_is_verified(lesson_id):
    lesson = session_for(lesson_id).lesson
    verified = {stated for stated, _, _ in STATED[lesson_id]}
    from_file = values_set_by_the_file(lesson)
    unexplained = set()
    for text in prose(lesson):
        for token in DECIMAL.findall(text):
            if token in verified or token in ALLOWED[lesson_id]:
                continue
            if abs(as_number(token)) in from_file:
                continue
            unexplained.add(token)
    assert not unexplained, (
        f"{lesson_id} states {sorted(unexplained)}: add them to STATED with their trace path"
    )


@pytest.mark.parametrize("lesson_id", ARTICLE_LESSONS)
def test_stated_numbers_appear_in_the_prose(lesson_id):
    """The table does not list numbers the lesson no longer says."""
    text = "\n".join(prose(session_for(lesson_id).lesson))
    missing = [stated for stated, _, _ in STATED[lesson_id] if stated not in text]
    assert not missing, f"{lesson_id}: STATED lists {missing}, which the prose does not say"


# -- the articles, step by step ------------------------------------------------------------------


def test_fruit_forward_pass_and_step_towards_orange():
    session = session_for("fruit")
    forward = session.view(step_index(session, "Forward: the prediction")).trace
    assert list(forward.x) == [1.0, 1.0] and forward.y[0] == 1.0
    assert forward.layers[0].z == pytest.approx([0.8, 1.2])
    assert forward.layers[0].a == pytest.approx([0.8, 1.2])
    assert forward.layers[1].z[0] == pytest.approx(1.36)
    assert round(forward.output[0], 3) == 0.796
    after = session.view(step_index(session, "After the step")).trace
    assert after.output[0] > forward.output[0]
    assert session.view(step_index(session, "After the step")).updates_applied == 1


def test_fruit_training_learns_the_basket():
    session = session_for("fruit")
    (outcome,) = session.training_outcomes(step_index(session, "Training"))
    assert outcome.diverged is None and outcome.history[-1] < 0.01
    predictions = outcome.network.predict(session.X)
    assert np.array_equal(predictions[:, 0] > 0.5, session.Y[:, 0] > 0.5)


def test_psa_softmax_cost_is_the_mean_of_fourteen_losses():
    session = session_for("psa-softmax")
    view = session.view(step_index(session, "The cost over all patients"))
    assert view.trace.mode == "batch" and view.reveal.loss
    assert len(view.trace.per_sample_loss) == 14
    assert view.trace.loss == pytest.approx(np.mean(view.trace.per_sample_loss))


def test_psa_softmax_trained_prediction_at_two_is_healthy():
    session = session_for("psa-softmax")
    view = session.view(step_index(session, "The trained network at PSA 2.0"))
    assert view.epochs_trained == 1000 and view.trace.mode == "sample"
    assert view.trace.x[0] == 2.0 and list(view.trace.y) == [1.0, 0.0]
    healthy, cancer = view.trace.output
    assert cancer == pytest.approx(0.43, abs=0.01) and healthy > cancer
    # The article's 43 % / 57 % are within a percentage point of the trace.
    assert abs(100 * cancer - 43) < 1 and abs(100 * healthy - 57) < 1
    verdict = step_index(session, "The verdict")
    assert session.steps[verdict].choices[session.correct_choice(verdict)].text == "healthy"


def test_psa_hidden_layer_update_step_gives_the_article_numbers():
    session = session_for("psa-hidden-layer")
    update = session.view(step_index(session, "One step of gradient descent"))
    assert update.trace.x[0] == 2.0 and update.trace.y[0] == 0.0
    assert update.trace.learning_rate == 0.1
    assert round(update.trace.after.output[0], 4) == 0.3223
    assert round(update.trace.after.loss, 4) == 0.0519
    after = session.view(step_index(session, "Did it help?"))
    assert round(after.trace.output[0], 4) == 0.3223 and round(after.trace.loss, 4) == 0.0519
    # The four gradients each have a check or a revealed row before the update.
    revealed = session.view(step_index(session, "Backward: the hidden layer")).reveal
    assert revealed.backward == 2


def test_the_article_rounding_is_explained_correctly():
    """The note says: exact ŷ = 0.32496… → 0.3250; rounding a₁ to 0.731 still gives 0.3250;
    a slightly-off e^0.731 ≈ 2.079 (it is 2.0772) gives the article's 0.3248."""
    exact = session_for("psa-hidden-layer").view(0).trace.output[0]
    assert f"{exact:.5f}" == "0.32496" and round(exact, 4) == 0.3250
    assert round(1 / (1 + math.exp(0.731)), 4) == 0.3250
    assert round(math.exp(0.731), 4) == 2.0772
    assert round(1 / (1 + 2.079), 4) == 0.3248
    assert round(1 + 2.079, 3) == 3.079


def test_psa_hidden_layer_trains_over_epochs_and_gets_better():
    session = session_for("psa-hidden-layer")
    (outcome,) = session.training_outcomes(step_index(session, "Training on all 14 patients"))
    assert outcome.diverged is None and outcome.epochs_run == 6000
    assert outcome.history[-1] < 0.5 * outcome.history[0]
    assert all(later <= earlier + 1e-12 for earlier, later in zip(outcome.history, outcome.history[1:]))


def test_xor_hidden_layer_solves_it_and_no_hidden_layer_stalls():
    session = session_for("xor")
    race = step_index(session, "Race: with and without a hidden layer")
    assert session.steps[race].variants == ("hidden", "linear")
    outcomes = {outcome.variant_id: outcome for outcome in session.training_outcomes(race)}
    hidden, linear = outcomes["hidden"], outcomes["linear"]
    assert len(hidden.network.layers) == 2 and len(linear.network.layers) == 1
    targets = session.Y[:, 0]
    hidden_out = hidden.network.predict(session.X)[:, 0]
    assert np.all(np.abs(hidden_out - targets) < 0.1), hidden_out
    assert hidden.history[-1] < 0.01
    linear_out = linear.network.predict(session.X)[:, 0]
    assert np.all(np.abs(linear_out - 0.5) < 0.05), linear_out
    assert linear.history[-1] == pytest.approx(math.log(2), abs=0.005)
    count = step_index(session, "How many rows right?")
    assert session.answer(count) == 4


def test_learning_rate_small_right_and_too_large():
    session = session_for("learning-rate")
    race = step_index(session, "Three learning rates")
    outcomes = {outcome.variant_id: outcome for outcome in session.training_outcomes(race)}
    assert {key: outcome.network.learning_rate for key, outcome in outcomes.items()} == {
        "right": 0.1, "tiny": 0.001, "huge": 0.3,
    }
    # The prose says η = 0.3 "blew up in under 20 epochs", ending "in the tens of millions".
    assert outcomes["huge"].diverged and outcomes["huge"].epochs_run < 20
    assert 1e7 <= outcomes["huge"].history[-1] < 1e8
    assert outcomes["right"].diverged is None and outcomes["right"].history[-1] < 1e-6
    assert outcomes["tiny"].diverged is None
    assert 1 < outcomes["tiny"].history[-1] < outcomes["tiny"].history[0]
    first_huge_step = session.view(step_index(session, "The step with η = 0.3")).trace
    assert first_huge_step.after.loss > first_huge_step.loss
