"""Issue 9, the numbers the engine produces: overflow, exact log losses, saturation, strict JSON.

- Every loss/activation pairing the validator accepts is computed from the logits where
  clipping would change the number: checked against a 150-digit mpmath reference (the loss and
  its gradient) on confident, wrong networks (logits 30 to 100 apart).
- Training that overflows: diverged from the start when the starting loss is already ∞ (nothing
  trained); an epoch that overflows is not recorded and the network goes back to the last finite
  one; a saturated or overshooting run says why it stopped learning.
- Every ``--json`` output is strict JSON (no Infinity/NaN words): non-finite numbers are null and
  the "non_finite" report names them; the text output says "overflow".
- No NumPy RuntimeWarning escapes the engine.
"""

from __future__ import annotations

import json
import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nn_tui.cli import main, strict_json
from engine_runs import train
from lesson_files import fixture_text, lesson_data, lesson_text
from nn_tui.engine import ACTIVATIONS, LOSSES, Network, Trainer
from nn_tui.format import worked
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import parse_lesson_text
from nn_tui.lessons.session import LessonSession

# 1 − ŷ of a confident output (ŷ = 1 − e^−100) loses 44 digits to cancellation: keep 150.
mpmath.mp.dps = 150
LESSONS = sorted(bundled_lessons_dir().glob("*.toml"))


def accepted(output: str, loss: str) -> bool:
    """The pairings the lesson validator accepts (test_validation checks the refusals), from
    the rules the Loss objects carry; loss "none" has no value to compare."""
    return LOSSES[loss].has_value and LOSSES[loss].accepts_output(output)


PAIRS = [(act, loss) for act in ACTIVATIONS for loss in LOSSES if accepted(act, loss)]


# -- a high-precision reference ---------------------------------------------------------------------


def _mp_activation(name: str, z: list) -> list:
    if name == "identity":
        return z
    if name == "relu":
        return [max(v, 0) for v in z]
    if name == "sigmoid":
        return [1 / (1 + mpmath.exp(-v)) for v in z]
    if name == "tanh":
        return [mpmath.tanh(v) for v in z]
    if name == "softplus":
        return [mpmath.log(1 + mpmath.exp(v)) for v in z]
    if name == "leaky_relu":
        return [v if v > 0 else mpmath.mpf("0.01") * v for v in z]
    exps = [mpmath.exp(v) for v in z]
    total = sum(exps)
    return [e / total for e in exps]


def _mp_loss(name: str, y: list, p: list) -> mpmath.mpf:
    k = len(y)
    if name == "mse":
        return sum((t - q) ** 2 for t, q in zip(y, p)) / k
    if name == "half_sse":
        return sum((t - q) ** 2 for t, q in zip(y, p)) / 2
    if name == "sse":
        return sum((t - q) ** 2 for t, q in zip(y, p))
    if name == "bce":
        return -sum((t * mpmath.log(q) if t else 0) + ((1 - t) * mpmath.log(1 - q) if t != 1 else 0)
                    for t, q in zip(y, p)) / k
    return -sum(t * mpmath.log(q) for t, q in zip(y, p) if t)


def _mp(value) -> mpmath.mpf:
    """A parameter as a high-precision number (a perturbed one already is: keep its digits)."""
    return value if isinstance(value, mpmath.mpf) else mpmath.mpf(float(value))


def reference_loss(params, activations, loss, X, Y, reduction="mean") -> mpmath.mpf:
    """The reported loss, computed with 150 significant digits (no clipping, no overflow)."""
    per_row = []
    for x, y in zip(X, Y):
        a = [mpmath.mpf(float(v)) for v in x]
        for (W, b), name in zip(params, activations):
            z = [sum(_mp(w) * v for w, v in zip(row, a)) + _mp(bias)
                 for row, bias in zip(W, b)]
            a = _mp_activation(name, z)
        per_row.append(_mp_loss(loss, [mpmath.mpf(float(t)) for t in y], a))
    total = sum(per_row)
    return total if reduction == "sum" else total / len(per_row)


def reference_gradients(params, activations, loss, X, Y, reduction="mean"):
    """Central differences of the 150-digit loss with a step of 1e-40: exact to float64."""
    step = mpmath.mpf("1e-40")
    grads = []
    for index, (W, b) in enumerate(params):
        found = []
        for array in (W, b):
            g = np.zeros(array.shape)
            for position in np.ndindex(array.shape):
                def moved(delta):
                    changed = [(np.array(w, dtype=object), np.array(c, dtype=object))
                               for w, c in params]
                    target = changed[index][0 if array is W else 1]
                    target[position] = mpmath.mpf(float(array[position])) + delta
                    return reference_loss(changed, activations, loss, X, Y, reduction)
                g[position] = float((moved(step) - moved(-step)) / (2 * step))
            found.append(g)
        grads.append(tuple(found))
    return grads


def _confident_wrong(rng, output: str, loss: str, gap: float, batch: int, hidden: list[str]):
    """A network whose output logits sit ``gap`` apart on the wrong side of every target."""
    k = int(rng.integers(2, 4)) if output == "softmax" else int(rng.integers(1, 3))
    n_in = int(rng.integers(1, 3))
    sizes = [n_in] + [int(rng.integers(1, 3)) for _ in hidden] + [k]
    activations = hidden + [output]
    params = [(rng.normal(scale=0.3, size=(units, fan_in)), rng.normal(scale=0.1, size=units))
              for fan_in, units in zip(sizes[:-1], sizes[1:])]
    X = rng.uniform(0.5, 1.5, size=(batch, n_in))
    network = Network.build(sizes, activations, loss, 0.1, params=params)
    zs, acts = network.forward(X)
    h = acts[-2] if hidden else X
    # Targets: the class (or side) the network does NOT favour after we push the logits.
    if loss == "cross_entropy" or (output == "softmax" and loss == "bce"):
        wrong = rng.integers(0, k, size=batch)
        Y = np.eye(k)[(wrong + 1) % k]
        if rng.random() < 0.3:  # soft targets (in 0..1), little weight on the favoured class
            Y = rng.uniform(0.0, 1.0, size=(batch, k))
            Y[np.arange(batch), wrong] = rng.uniform(0.0, 0.1, size=batch)
        push = np.where(np.eye(k)[wrong] > 0, gap / 2, -gap / 2)
    else:
        Y = rng.integers(0, 2, size=(batch, k)).astype(float)
        if loss == "bce" and rng.random() < 0.3:  # soft targets near the wrong side
            Y = np.abs(Y - rng.uniform(0.0, 0.1, size=(batch, k)))
        push = np.where(Y > 0.5, -gap / 2, gap / 2)
    # Move the output biases so each row's logits land where ``push`` says (on average).
    W_out = network.layers[-1].W
    base = h @ W_out.T
    network.layers[-1].b = np.mean(push - base, axis=0)
    b_new = network.layers[-1].b.copy()
    params = [(layer.W.copy(), layer.b.copy()) for layer in network.layers]
    params[-1] = (W_out.copy(), b_new)
    return network, params, activations, X, Y


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    pair=st.sampled_from(PAIRS),
    gap=st.floats(30.0, 100.0),
    seed=st.integers(0, 2**31 - 1),
    batch=st.integers(1, 3),
    hidden=st.lists(st.sampled_from(["identity", "tanh", "sigmoid"]), max_size=1),
    reduction=st.sampled_from(["mean", "sum"]),
)
def test_confident_wrong_networks_match_a_high_precision_reference(pair, gap, seed, batch, hidden,
                                                              reduction):
    output, loss = pair
    rng = np.random.default_rng(seed)
    network, params, activations, X, Y = _confident_wrong(rng, output, loss, gap, batch, hidden)
    network.reduction = reduction
    if output == "relu" and np.min(np.abs(network.forward(X)[0][-1])) < 1e-3:
        return  # a finite difference across ReLU's kink means nothing
    expected = float(reference_loss(params, activations, loss, X, Y, reduction))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning may escape the engine
        value, grads = network.gradients(X, Y)
        trace = network.trace(X if batch > 1 else X[0], Y if batch > 1 else Y[0])
    assert value == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert trace.loss == pytest.approx(expected, rel=1e-9, abs=1e-12)
    reference = reference_gradients(params, activations, loss, X, Y, reduction)
    for (dW, db), (rW, rb), traced in zip(grads, reference, trace.grads):
        scale = max(1.0, float(np.max(np.abs(rW))), float(np.max(np.abs(rb))))
        np.testing.assert_allclose(dW, rW, rtol=1e-6, atol=1e-9 * scale)
        np.testing.assert_allclose(db, rb, rtol=1e-6, atol=1e-9 * scale)
        np.testing.assert_allclose(traced.dL_dW, dW, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("weight, loss_value", [(15.0, 30.0), (50.0, 100.0), (400.0, 800.0)])
def test_softmax_bce_from_the_issue_is_exact(weight, loss_value):
    network = Network.build([1, 2], ["softmax"], "bce", 0.1,
                            params=[(np.array([[weight], [-weight]]), np.zeros(2))])
    trace = network.trace(np.array([1.0]), np.array([0.0, 1.0]))
    assert trace.loss == pytest.approx(loss_value, rel=1e-12)
    np.testing.assert_allclose(trace.grads[0].dL_dW.ravel(), [1.0, -1.0], rtol=1e-12)
    # The worked line shows 30.0000, not the clipped 27.6310.
    assert worked.loss_lines(trace)[0].value == f"{loss_value:.4f}"


def test_softmax_bce_at_plus_minus_50_learns():
    lesson = parse_lesson_text(fixture_text("softmax-at-50"))
    result = train(lesson.network.build(), lesson.X, lesson.Y, 1000)
    assert result.history[0] == pytest.approx(100.0)
    assert result.history[-1] < 0.01  # it used to sit at 27.63 for all 1000 epochs


# Each output with the losses it accepts (sigmoid with cross_entropy is refused: it used to be
# parametrised too, and passed by returning before any check).
CHAIN_RULE_CASES = [(output, y, loss) for output, y in (("sigmoid", [0.0]), ("softmax", [0.0, 1.0]))
                    for loss in ("bce", "cross_entropy") if accepted(output, loss)]


@pytest.mark.parametrize("z", [20.0, 50.0, 400.0, 1000.0])
@pytest.mark.parametrize("output, y, loss", CHAIN_RULE_CASES)
def test_the_worked_chain_rule_never_contradicts_itself(z, output, y, loss):
    """∂L/∂ŷ · ∂ŷ/∂z shown with numbers equals the ∂L/∂z used; where one factor overflows and the
    other underflows, the delta is written as the single number it is, never "∞ · 0 = 1"."""
    k = len(y)
    W = np.array([[z]]) if k == 1 else np.array([[z], [-z]])
    network = Network.build([1, k], [output], loss, 0.1, params=[(W, np.zeros(k))])
    trace = network.trace(np.array([1.0]), np.array(y))
    grad = trace.grads[0]
    for unit in range(k):
        if output != "softmax":
            with np.errstate(all="ignore"):  # ∞ · 0 in the check itself
                product = grad.dL_da[unit] * grad.da_dz[unit]
            if np.isfinite(product) and grad.da_dz[unit] != 0:
                assert product == pytest.approx(grad.dL_dz[unit], rel=1e-9)
    for row in worked.backward_rows(trace, 0):
        text = row.text()
        assert "∞ ·" not in text and "· ∞" not in text and "nan" not in text
        assert "1.0000·(1 − 1.0000)" not in text and "ln 0.0000" not in text
    assert "ln 0.0000" not in worked.loss_lines(trace)[0].text()


# -- training that overflows, stalls or overshoots ----------------------------------------------

# The overflow fixture without its opening text step: update, train, text.
OVERFLOW = lesson_text("overflow", steps=lesson_data("overflow")["steps"][1:])


@pytest.fixture
def overflow_path(tmp_path):
    path = tmp_path / "overflow.toml"
    path.write_text(OVERFLOW, encoding="utf-8")
    return path


def test_a_network_that_overflows_before_training_is_diverged_from_the_start():
    lesson = parse_lesson_text(OVERFLOW)
    network = lesson.network.build()
    network.apply_gradients(network.gradients(lesson.X, lesson.Y)[1])  # the update step
    before = [layer.W.copy() for layer in network.layers]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer = Trainer(network, lesson.X, lesson.Y)
        assert trainer.run(10) == []
    assert trainer.history == [float("inf")] and trainer.epoch == 0
    assert "already ∞" in trainer.diverged and "nothing was trained" in trainer.diverged
    for layer, W in zip(trainer.network.layers, before):
        np.testing.assert_array_equal(layer.W, W)


@pytest.mark.parametrize("batch_size", [None, 1])
def test_an_epoch_that_overflows_goes_back_to_the_last_finite_network(batch_size):
    lesson = parse_lesson_text(OVERFLOW)
    network = lesson.network.build()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train(network, lesson.X, lesson.Y, 10, batch_size=batch_size)
    assert result.epochs_run == 1 and result.history == [pytest.approx(1e60)]
    assert "overflowed at epoch 1" in result.diverged and "before training" in result.diverged
    # The network kept is the starting one, with the loss the history ends on.
    for kept, start in zip(result.network.layers, network.layers):
        np.testing.assert_array_equal(kept.W, start.W)
    assert result.network.total_loss(lesson.X, lesson.Y) == result.history[-1]


def test_a_nan_loss_is_named_as_not_a_number():
    # ReLU layers whose sums overflow to ∞ − ∞ give nan, not ∞.
    network = Network.build([1, 2, 1], ["relu", "identity"], "mse", 1e300,
                            params=[(np.array([[1e200], [1e200]]), np.zeros(2)),
                                    (np.array([[1e200, -1e200]]), np.zeros(1))])
    X, Y = np.array([[1e200]]), np.array([[1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train(network, X, Y, 5)
    assert result.diverged and "nan (not a number" in result.diverged
    # The starting loss is already nan: nothing is trained after it (its one entry is that nan).
    assert len(result.history) == 1 and np.isnan(result.history[0]), result.history


def test_session_after_a_run_that_overflows(overflow_path):
    from nn_tui.lessons.loader import load_lesson

    session = LessonSession(load_lesson(overflow_path))
    [outcome] = session.training_outcomes(1)
    assert outcome.diverged and outcome.epochs_run == 0 and not outcome.finite
    after = session.view(2)
    # The update's weights are kept (the run trained nothing) and the view says it diverged.
    assert after.trainings[0].diverged and after.epochs_trained == 0
    assert after.network.layers[0].W[0, 0] == pytest.approx(-2e60, rel=1e-3)


def saturating(eta: float, **overrides) -> str:
    """The saturating fixture's network and data at learning rate ``eta``, without steps."""
    network = {"learning_rate": eta, **overrides}
    return lesson_text("saturating", network=network, steps=None)


def test_a_saturated_run_is_explained():
    lesson = parse_lesson_text(saturating(1e6))
    result = train(lesson.network.build(), lesson.X, lesson.Y, 200)
    assert result.diverged is None
    assert result.stalled and result.stalled.startswith("saturated:")
    assert "pinned at 0 or 1" in result.stalled and "σ′ ≈ 0" in result.stalled
    assert "η = 1e+06" in result.stalled and "smaller" in result.stalled


def test_a_run_saturated_from_the_start_blames_the_starting_weights_not_eta():
    """A tiny η cannot have pushed the weights out: the network started saturated."""
    text = saturating(1e-6, layers={0: {"weights": [[1000.0]]}, 1: {"weights": [[1000.0]]}})
    lesson = parse_lesson_text(text)
    result = train(lesson.network.build(), lesson.X, lesson.Y, 200)
    assert result.stalled and result.stalled.startswith("saturated:")
    assert "from the start" in result.stalled and "starting weights" in result.stalled
    assert "grew" not in result.stalled and "η = 1e-06" not in result.stalled
    # η = 1e6 from ordinary weights: the weights grew, and η is named.
    lesson = parse_lesson_text(saturating(1e6))
    grown = train(lesson.network.build(), lesson.X, lesson.Y, 200).stalled
    assert "grew" in grown and "from the start" not in grown


def test_an_ordinary_run_is_not_called_stalled():
    lesson = parse_lesson_text(saturating(0.5))
    assert train(lesson.network.build(), lesson.X, lesson.Y, 200).stalled is None
    for path in LESSONS:
        from nn_tui.lessons.loader import load_lesson

        lesson = load_lesson(path)
        result = train(lesson.network.build(), lesson.X, lesson.Y, 300,
                       lesson.training.batch_size, lesson.training.shuffle_seed)
        assert result.stalled is None, (path.name, result.stalled)


def test_a_run_that_ends_far_above_its_start_is_explained():
    from nn_tui.lessons.loader import load_lesson

    lesson = load_lesson(bundled_lessons_dir() / "fruit.toml")
    result = train(lesson.network.build(), lesson.X, lesson.Y, 300, learning_rate=1e6)
    assert result.diverged is None
    assert result.stalled and result.stalled.startswith("overshooting:")


# -- strict JSON from every --json output ------------------------------------------------------


def strict_loads(text: str):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def json_commands(path):
    yield ("trace", path, "--json")
    yield ("trace", path, "--json", "--batch")
    yield ("train", path, "--json", "--epochs", "20")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_json_output_of_the_bundled_lessons_is_strict(capsys, path):
    for argv in json_commands(path):
        status, out, _err = run(capsys, *argv)
        assert status == 0
        data = strict_loads(out)
        assert data["non_finite"] == {}


def test_list_json_is_strict(capsys, tmp_path, overflow_path):
    status, out, _err = run(capsys, "list", "--json", "--lessons", overflow_path.parent)
    assert status == 0
    assert any(record["id"] == "overflow" for record in strict_loads(out))


def test_trace_json_of_an_overflowing_lesson_is_strict(capsys, overflow_path):
    status, out, _err = run(capsys, "trace", overflow_path, "--json")
    assert status == 0 and "Infinity" not in out and "NaN" not in out
    data = strict_loads(out)
    assert data["after"]["loss"] is None
    assert data["non_finite"]["after.loss"] == "inf"
    assert data["loss"] == pytest.approx(1e60)


def test_train_json_of_an_overflowing_lesson_is_strict(capsys, overflow_path):
    # Predictions take inputs within the data rows' ±1e6, so the kept (finite) network cannot
    # overflow on them: 1e6 through four identity layers of weight 1e6 is 1e30.
    status, out, _err = run(capsys, "train", overflow_path, "--json", "--predict", "1e6")
    assert status == 0
    data = strict_loads(out)
    assert data["epochs"] == 1 and data["kept_epoch"] == 0
    assert data["loss_history"] == [pytest.approx(1e60)]
    assert "overflowed at epoch 1" in data["diverged"]
    assert data["predictions"][0]["output"] == [pytest.approx(1e30)]
    assert data["non_finite"] == {}
    status, _out, err = run(capsys, "train", overflow_path, "--json", "--predict", "1e300")
    assert status == 2 and "1e300" in err


def test_strict_json_reports_each_array_once():
    clean, report = strict_json({"loss": float("inf"), "layers": [
        {"z": [[1.0, float("-inf")], [float("nan"), 2.0]]}], "n": 3})
    assert clean == {"loss": None, "layers": [{"z": [[1.0, None], [None, 2.0]]}], "n": 3}
    assert report == {"loss": "inf", "layers[0].z": "-inf, nan"}


def test_trace_and_train_text_say_the_numbers_overflowed(capsys, overflow_path):
    status, out, _err = run(capsys, "trace", overflow_path)
    assert status == 0 and "overflow" in out and "after.loss" in out
    assert "L new = " in out and "= ∞ (overflow)" in out and "by ∞" not in out
    assert "L 1.000e+60 → ∞\n" in out  # old → new, and no change to tell
    status, out, _err = run(capsys, "train", overflow_path, "--predict", "1e6")
    assert status == 0
    assert "overflowed at epoch 1" in out and "the starting network" in out
    for word in ("inf", "nan", "Infinity"):
        assert word not in out.replace("information", "")


def test_train_text_says_a_run_stalled(capsys, tmp_path):
    path = tmp_path / "saturating.toml"
    path.write_text(saturating(1e6), encoding="utf-8")
    status, out, _err = run(capsys, "train", path)
    assert status == 0 and "stalled, saturated:" in out
    status, out, _err = run(capsys, "train", path, "--json")
    assert strict_loads(out)["stalled"].startswith("saturated:")


def test_print_json_escapes_what_a_terminal_would_obey(capsys):
    from nn_tui.cli import print_json

    print_json({"title": "a\x9b2J\x7fb ∞", "loss": float("nan")})
    out = capsys.readouterr().out
    assert "\x9b" not in out and "\x7f" not in out and "∞" in out
    assert strict_loads(out) == {"title": "a\x9b2J\x7fb ∞", "loss": None,
                                 "non_finite": {"loss": "nan"}}
