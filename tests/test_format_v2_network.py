"""Lesson format v2, network conventions (issue 11): ``use_bias = false``, ``shared_bias``,
``freeze``, the ``sse`` loss, ``softplus`` and ``leaky_relu`` (with ``negative_slope``),
``[training] shuffle = false`` and ``loss = "none"`` with given ``dL_dy`` values.

Each is checked against central finite differences and against hand-written NumPy references
(PyTorch-style: torch is not installed here, so the references spell out what torch.nn does),
through the loader's refusals (file, key, line), the worked text of the panes and ``nn-tui
trace``, and both exporters (the exported script must reproduce ``nn-tui trace --json`` and
``nn-tui train --json``).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from engine_runs import numeric_gradients
from lesson_files import dense_lesson, fixture_text
from rich.console import Console
from script_runs import run_scripts
from table_checks import check_each

from nn_tui.cli import main
from nn_tui.engine import ACTIVATIONS, LOSSES, Network, Trainer, get_activation, get_loss
from nn_tui.engine.network import DenseLayer
from nn_tui.format import worked
from nn_tui.lessons.catalog import load_checked_lesson
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.loader import parse_lesson_text
from nn_tui.lessons.session import LessonSession

EPS = 1e-6


# -- helpers -----------------------------------------------------------------------------------


def layer(W, b, activation="sigmoid", use_bias=True, shared_bias=False, freeze=(),
          negative_slope=None) -> DenseLayer:
    return DenseLayer(np.array(W, dtype=float), np.array(b, dtype=float),
                      get_activation(activation, negative_slope), use_bias, shared_bias,
                      tuple(freeze))


def conventions_network(loss="sse", hidden="softplus", output="leaky_relu", reduction="mean"):
    """2 → 3 → 2 with every convention: a hidden layer without a bias, an output layer with one
    shared bias."""
    rng = np.random.default_rng(7)
    return Network([
        layer(rng.normal(size=(3, 2)), np.zeros(0), hidden, use_bias=False),
        layer(rng.normal(size=(2, 3)), [0.35], output, shared_bias=True,
              negative_slope=0.2 if output == "leaky_relu" else None),
    ], loss, 0.1, reduction)


def render(renderable, width: int = 140) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


MAZUR = fixture_text("mazur")

UPSTREAM = fixture_text("upstream")

ONLINE = fixture_text("online-sgd")


def lesson_file(tmp_path: Path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refusal(text: str, path: str = "lesson.toml") -> list:
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(text, path)
    return caught.value.problems


def line_of(text: str, fragment: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


# -- activations -------------------------------------------------------------------------------


def test_softplus_value_and_slope_match_a_reference_and_stay_finite():
    softplus = ACTIVATIONS["softplus"]
    z = np.array([-1000.0, -40.0, -3.0, -1e-9, 0.0, 2.0, 40.0, 1000.0])
    # torch.nn.Softplus (beta 1): log1p(exp(z)), switching to z itself where exp overflows.
    with np.errstate(over="ignore"):
        reference = np.where(z > 20, z, np.log1p(np.exp(z)))
    a = softplus(z)
    assert np.all(np.isfinite(a))
    np.testing.assert_allclose(a, reference, rtol=1e-15, atol=0)
    assert a[0] > 0 or a[0] == 0.0  # e^−1000 underflows quietly, never ln(0) = −∞
    assert a[-1] == 1000.0
    slope = softplus.jacobian(z, a)
    with np.errstate(over="ignore", invalid="ignore"):  # σ(z) both ways, each where exact
        sigma = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    np.testing.assert_allclose(slope, sigma, rtol=1e-14)
    assert softplus.formula == "softplus(z) = ln(1 + e^z)"
    assert "σ(z)" in softplus.derivative_formula


@pytest.mark.parametrize("slope", [None, 0.1, 0.3])
def test_leaky_relu_value_and_slope(slope):
    leaky = get_activation("leaky_relu", slope)
    s = 0.01 if slope is None else slope
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    # torch.nn.LeakyReLU(negative_slope=s): max(0, z) + s·min(0, z); its gradient at 0 is s.
    np.testing.assert_array_equal(leaky(z), np.maximum(0, z) + s * np.minimum(0, z))
    np.testing.assert_array_equal(leaky.jacobian(z, leaky(z)), [s, s, s, 1.0, 1.0])
    assert f"{s:g}·z" in leaky.formula and f"else {s:g}" in leaky.derivative_formula


def test_negative_slope_is_refused_on_other_activations_by_the_engine():
    with pytest.raises(ValueError, match="negative_slope"):
        get_activation("sigmoid", 0.2)


@pytest.mark.parametrize("name", ["softplus", "leaky_relu"])
def test_new_activation_slopes_are_finite_difference_slopes(name):
    activation = ACTIVATIONS[name]
    z = np.array([-3.1, -0.7, 0.4, 2.9])  # away from leaky ReLU's kink at 0
    numeric = (activation(z + EPS) - activation(z - EPS)) / (2 * EPS)
    np.testing.assert_allclose(activation.jacobian(z, activation(z)), numeric, rtol=1e-7)


# -- losses ------------------------------------------------------------------------------------


def test_sse_is_the_plain_sum_of_squared_residuals():
    sse = LOSSES["sse"]
    y = np.array([[0.0, 1.0], [2.0, -1.0]])
    y_hat = np.array([[0.5, 0.25], [1.0, 1.0]])
    np.testing.assert_allclose(sse(y, y_hat), [0.25 + 0.5625, 1.0 + 4.0])
    np.testing.assert_allclose(sse.grad(y, y_hat), 2 * (y_hat - y))
    # No ½, no 1/K: twice half_sse, K times mse.
    np.testing.assert_allclose(sse(y, y_hat), 2 * LOSSES["half_sse"](y, y_hat))
    np.testing.assert_allclose(sse(y, y_hat), 2 * LOSSES["mse"](y, y_hat))
    for row in range(2):
        numeric = [(sse(y[row], y_hat[row] + EPS * e) - sse(y[row], y_hat[row] - EPS * e))
                   / (2 * EPS) for e in np.eye(2)]
        np.testing.assert_allclose(sse.grad(y[row], y_hat[row]), numeric, rtol=1e-7)


def test_every_loss_names_what_sources_call_it():
    assert "SSR" in LOSSES["sse"].also_called
    assert "E_total" in " ".join(LOSSES["half_sse"].also_called)
    assert "log loss" in LOSSES["bce"].also_called
    assert "categorical cross-entropy" in LOSSES["cross_entropy"].also_called
    assert "MSE" in LOSSES["mse"].also_called
    doc = (Path(__file__).parents[1] / "docs" / "lesson-format.md").read_text(encoding="utf-8")
    for words in ("MSE", "½SSE", "SSR", "E_total", "log loss", "categorical cross-entropy"):
        assert words in doc


# -- gradients with every convention: finite differences ----------------------------------------


@pytest.mark.parametrize("loss", ["sse", "mse", "half_sse"])
@pytest.mark.parametrize("hidden,output", [("softplus", "leaky_relu"), ("leaky_relu", "softplus"),
                                           ("softplus", "identity")])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradients_with_no_bias_and_a_shared_bias_match_finite_differences(loss, hidden,
                                                                          output, reduction):
    network = conventions_network(loss, hidden, output, reduction)
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 2))
    Y = rng.normal(size=(4, 2))
    _, grads = network.gradients(X, Y)
    numeric = numeric_gradients(network, X, Y)
    for (dW, db), (nW, nb) in zip(grads, numeric):
        np.testing.assert_allclose(dW, nW, rtol=1e-6, atol=1e-8)
        assert db.shape == nb.shape
        np.testing.assert_allclose(db, nb, rtol=1e-6, atol=1e-8)
    assert grads[0][1].shape == (0,)  # no bias, no gradient
    assert grads[1][1].shape == (1,)  # one shared bias, one gradient
    # Sample mode: the trace's gradients are the same functions of one row.
    trace = network.trace(X[1], Y[1])
    numeric = numeric_gradients(network, X[1:2], Y[1:2])
    np.testing.assert_allclose(trace.grads[1].dL_db, numeric[1][1], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(trace.grads[0].dL_dW, numeric[0][0], rtol=1e-6, atol=1e-8)


def test_shared_bias_gradient_is_the_sum_over_the_units():
    shared = conventions_network("half_sse", "softplus", "sigmoid")
    # The same network with an ordinary bias of equal values in every unit.
    per_unit = shared.copy()
    per_unit.layers[1] = layer(shared.layers[1].W, [0.35, 0.35], "sigmoid")
    x, y = np.array([0.3, -1.2]), np.array([0.2, 0.9])
    a, b = shared.trace(x, y), per_unit.trace(x, y)
    np.testing.assert_allclose(a.output, b.output, rtol=1e-15)
    assert a.grads[1].dL_db.shape == (1,)
    assert a.grads[1].dL_db[0] == pytest.approx(float(np.sum(b.grads[1].dL_db)), rel=1e-14)
    assert a.grads[1].dL_db[0] == pytest.approx(float(np.sum(a.grads[1].dL_dz)), rel=1e-14)
    # And the update moves the one bias by −η·(that sum).
    assert a.after.layers[1].b[0] == pytest.approx(0.35 - 0.1 * a.grads[1].dL_db[0], rel=1e-14)


def test_a_layer_without_bias_computes_z_from_the_weights_alone():
    network = conventions_network()
    x = np.array([0.4, -0.9])
    trace = network.trace(x, np.array([0.0, 1.0]))
    np.testing.assert_array_equal(trace.layers[0].z, network.layers[0].W @ x)
    data = trace.to_dict()
    assert data["layers"][0]["b"] == [] and data["grads"][0]["b"] == []
    assert data["after"]["layers"][0]["b"] == []
    assert data["layers"][0]["use_bias"] is False
    assert data["layers"][1]["shared_bias"] is True and len(data["layers"][1]["b"]) == 1
    assert data["layers"][1]["negative_slope"] == 0.2


# -- frozen parameters -------------------------------------------------------------------------


@pytest.mark.parametrize("freeze", [("weights",), ("bias",), ("weights", "bias")])
def test_frozen_parameters_do_not_move_in_an_update_or_in_training(freeze):
    rng = np.random.default_rng(11)
    network = Network([
        layer(rng.normal(size=(2, 2)), rng.normal(size=2), "tanh", freeze=freeze),
        layer(rng.normal(size=(1, 2)), rng.normal(size=1), "sigmoid"),
    ], "bce", 0.5)
    X = rng.normal(size=(6, 2))
    Y = rng.integers(0, 2, size=(6, 1)).astype(float)
    before = network.copy()
    trace = network.trace(X[0], Y[0])
    grads = trace.grads[0]
    new = trace.after.layers[0]
    for group, old, grad, now, change in (
            ("weights", before.layers[0].W, grads.dL_dW, new.W, new.step_W),
            ("bias", before.layers[0].b, grads.dL_db, new.b, new.step_b)):
        assert np.any(grad != 0)  # the gradient is still computed (and shown)
        if group in freeze:
            np.testing.assert_array_equal(now, old)
            assert not np.any(change)
        else:
            np.testing.assert_allclose(now, old - 0.5 * grad, rtol=1e-15)
    # The unfrozen layer moves as ever.
    assert np.any(trace.after.layers[1].W != before.layers[1].W)
    for batch_size in (None, 2):
        trainer = Trainer(network.copy(), X, Y, batch_size=batch_size, seed=4)
        trainer.run(25)
        trained = trainer.network.layers[0]
        if "weights" in freeze:
            np.testing.assert_array_equal(trained.W, before.layers[0].W)
        else:
            assert np.any(trained.W != before.layers[0].W)
        if "bias" in freeze:
            np.testing.assert_array_equal(trained.b, before.layers[0].b)
        else:
            assert np.any(trained.b != before.layers[0].b)
        assert trainer.history[-1] < trainer.history[0]


def test_mazur_example_is_reproduced_to_the_published_digits():
    """Matt Mazur's "A Step by Step Backpropagation Example" (2015): one bias per layer, shared
    by its units and never updated; E_total = ½Σ(target − out)²."""
    lesson = parse_lesson_text(MAZUR)
    trace = lesson.network.build().trace(lesson.X[0], lesson.Y[0])
    assert trace.output == pytest.approx([0.75136507, 0.772928465], abs=5e-9)
    assert trace.loss == pytest.approx(0.298371109, abs=5e-10)
    after = trace.after.layers
    assert after[1].W.ravel() == pytest.approx([0.35891648, 0.408666186, 0.511301270,
                                                0.561370121], abs=5e-9)
    assert after[0].W.ravel() == pytest.approx([0.149780716, 0.19956143, 0.24975114,
                                                0.29950229], abs=5e-9)
    assert after[0].b[0] == 0.35 and after[1].b[0] == 0.60  # frozen
    # The bias gradients are shown all the same, marked as not applied.
    rows = worked.backward_rows(trace, 1)
    bias_row = next(row for row in rows if row.path == "grads[1].b[0]")
    assert not bias_row.applied and "not applied" in bias_row.text()
    assert bias_row.symbol == "∂L/∂b₂" and "Σⱼ ∂L/∂z₂[j]" in bias_row.formula
    assert all(row.applied for row in rows if row.path.startswith("grads[1].W"))
    lines = [line.text() for line in worked.update_lines(trace, 0)]
    assert any(text.startswith("b₁ new = b₁ (frozen") and text.endswith("= 0.3500")
               for text in lines)


# -- shuffle = false ---------------------------------------------------------------------------


def _hand_loop(network: Network, X, Y, epochs: int, batch_size: int) -> list[float]:
    """Mini-batch SGD written as a textbook writes it: for each epoch, the rows in order."""
    params = [(item.W.copy(), item.b.copy()) for item in network.layers]
    eta = network.learning_rate
    history = []
    for _ in range(epochs):
        for start in range(0, len(X), batch_size):
            rows = slice(start, start + batch_size)
            # Forward and backward by hand, for sigmoid → identity with mse.
            (W1, b1), (W2, b2) = params
            a0 = X[rows]
            z1 = a0 @ W1.T + b1
            a1 = 1 / (1 + np.exp(-z1))
            y_hat = a1 @ W2.T + b2
            n = len(a0)
            dz2 = 2 * (y_hat - Y[rows]) / Y.shape[1] / n
            dz1 = (dz2 @ W2) * a1 * (1 - a1)
            params = [(W1 - eta * dz1.T @ a0, b1 - eta * dz1.sum(axis=0)),
                      (W2 - eta * dz2.T @ a1, b2 - eta * dz2.sum(axis=0))]
        (W1, b1), (W2, b2) = params
        out = (1 / (1 + np.exp(-(X @ W1.T + b1)))) @ W2.T + b2
        history.append(float(np.mean(np.mean((Y - out) ** 2, axis=1))))
    return history


@pytest.mark.parametrize("batch_size", [1, 2, 3])
def test_shuffle_false_visits_the_rows_in_file_order(batch_size):
    rng = np.random.default_rng(5)
    network = Network([layer(rng.normal(size=(3, 2)), rng.normal(size=3), "sigmoid"),
                       layer(rng.normal(size=(1, 3)), rng.normal(size=1), "identity")],
                      "mse", 0.3)
    X = rng.normal(size=(7, 2))
    Y = rng.normal(size=(7, 1))
    expected = _hand_loop(network, X, Y, 15, batch_size)
    trainer = Trainer(network.copy(), X, Y, batch_size=batch_size, seed=9, shuffle=False)
    trainer.run(15)
    np.testing.assert_allclose(trainer.history[1:], expected, rtol=1e-12)
    # Shuffled (the default) is another order, so the test above can tell them apart.
    shuffled = Trainer(network.copy(), X, Y, batch_size=batch_size, seed=9)
    shuffled.run(15)
    assert not np.allclose(shuffled.history[1:], expected, rtol=1e-9)


def test_shuffle_false_reaches_the_session_and_nn_tui_train(tmp_path, capsys):
    path = lesson_file(tmp_path, ONLINE)
    lesson = parse_lesson_text(ONLINE, str(path))
    assert lesson.training.shuffle is False
    session = LessonSession(lesson)
    train_step = next(i for i, step in enumerate(session.steps) if step.kind == "train")
    job = session.training_jobs(train_step)[0]
    assert job.shuffle is False
    # The walk-through trains on from the weights its update step left.
    expected = Trainer(job.network.copy(), lesson.X, lesson.Y, 2, shuffle=False)
    expected.run(30)
    assert session.training_outcomes(train_step)[0].history == tuple(expected.history)
    expected = Trainer(lesson.network.build(), lesson.X, lesson.Y, 2, shuffle=False)
    expected.run(30)
    assert main(["train", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["loss"] == pytest.approx(expected.history[-1],
                                                                         rel=1e-15)


# -- loss = "none" -----------------------------------------------------------------------------


def test_loss_none_starts_backprop_from_the_given_gradient():
    rng = np.random.default_rng(2)
    W1, b1, W2, b2 = (rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 2)),
                      rng.normal(size=2))
    given = Network([layer(W1, b1, "tanh"), layer(W2, b2, "sigmoid")], "none", 0.2)
    x = np.array([0.5, -1.0])
    dL_dy = np.array([1.0, -0.5])
    trace = given.trace(x, dL_dy)
    np.testing.assert_array_equal(trace.grads[1].dL_da, dL_dy)
    # half_sse has ∂L/∂ŷ = ŷ − y: targets y = ŷ − dL_dy give exactly the same backward pass.
    same = Network([layer(W1, b1, "tanh"), layer(W2, b2, "sigmoid")], "half_sse", 0.2)
    targets = same.predict(x) - dL_dy
    reference = same.trace(x, targets)
    for a, b in zip(trace.grads, reference.grads):
        np.testing.assert_allclose(a.dL_dW, b.dL_dW, rtol=1e-13)
        np.testing.assert_allclose(a.dL_db, b.dL_db, rtol=1e-13)
    np.testing.assert_allclose(trace.after.layers[0].W, reference.after.layers[0].W, rtol=1e-13)
    data = trace.to_dict()
    assert data["loss"] is None and data["per_sample_loss"] is None
    assert data["after"]["loss"] is None and data["dL_dy"] == [1.0, -0.5] and "y" not in data
    assert json.dumps(data, allow_nan=False)  # strict JSON: null, never NaN
    # Over a batch with the mean reduction each row's given gradient is scaled by 1/n.
    batch = given.trace(np.array([x, -x]), np.array([dL_dy, dL_dy]))
    np.testing.assert_allclose(batch.grads[1].dL_da, np.array([dL_dy, dL_dy]) / 2)


def test_loss_none_cannot_be_trained():
    network = Network([layer([[1.0]], [0.0], "identity")], "none", 0.1)
    with pytest.raises(ValueError, match="nothing to train"):
        Trainer(network, np.array([[1.0]]), np.array([[1.0]]))


def test_loss_none_lesson_shows_no_loss_anywhere(tmp_path, capsys):
    path = lesson_file(tmp_path, UPSTREAM)
    lesson, notes = load_checked_lesson(path)
    session = LessonSession(lesson)
    kinds = [step.kind for step in session.steps]
    assert "train" not in kinds and "loss" not in kinds
    last = session.view(session.total - 1)
    assert not last.trace.has_loss
    assert worked.loss_lines(last.trace)[0].value == "none"
    assert "no loss value" in worked.loss_lines(last.trace)[0].meaning
    from nn_tui.ui.panes.forward import forward_renderable
    from nn_tui.ui.panes.loss import loss_summary
    from nn_tui.ui.panes.network import network_renderable

    summary = loss_summary(last).plain
    assert "No loss" in summary and "nan" not in summary and "0.0000" not in summary
    forward = render(forward_renderable(last, 140))
    assert "no loss value" in forward and "nan" not in forward
    diagram = render(network_renderable(last, 140, 40))
    assert "L none" in diagram and "dL_dy" in diagram
    # nn-tui trace: the given gradient named as such, no loss number.
    assert main(["trace", str(path)]) == 0
    out = capsys.readouterr().out
    assert "given dL_dy" in out and "∂L/∂ŷ = dL_dy, given = 1.0000" in out
    assert "L = nan" not in out and "no loss value" in out
    # nn-tui train refuses, naming the file, the key and its line.
    assert main(["train", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line_of(UPSTREAM, 'loss = ')}: network.loss" in err
    assert "nothing to train" in err


# -- the loader's refusals: file, key, line ----------------------------------------------------


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


REFUSED = [
    # (change to MAZUR, key, words)
    ('bias = 0.35\nshared_bias = true\n', 'bias = 0.35\nuse_bias = false\n',
     "network.layers[0].bias", "use_bias = false"),
    ('bias = 0.35\nshared_bias = true\n', 'use_bias = false\nshared_bias = true\n',
     "network.layers[0].shared_bias", "no bias to share"),
    ('bias = 0.35\nshared_bias = true\nfreeze = ["bias"]', 'use_bias = false\nfreeze = ["bias"]',
     "network.layers[0].freeze", "no bias to freeze"),
    ('bias = 0.35\n', 'bias = [0.35, 0.35]\n', "network.layers[0].bias", "one number"),
    ('bias = 0.35\nshared_bias = true\n', 'bias = 0.35\n', "network.layers[0].bias",
     "add shared_bias = true"),
    ('bias = 0.35\nshared_bias = true\n', 'bias = [0.35, 0.35]\nshared_bias = "yes"\n',
     "network.layers[0].shared_bias", "true or false"),
    ('freeze = ["bias"]\n\n[[network.layers]]', 'freeze = ["biases"]\n\n[[network.layers]]',
     "network.layers[0].freeze[0]", "not a parameter group"),
    ('freeze = ["bias"]\n\n[[network.layers]]', 'freeze = ["bias", "bias"]\n\n[[network.layers]]',
     "network.layers[0].freeze", "twice"),
    ('freeze = ["bias"]\n\n[[network.layers]]', 'freeze = "bias"\n\n[[network.layers]]',
     "network.layers[0].freeze", "must be a list"),
    ('freeze = ["bias"]\n\n[[network.layers]]', 'negative_slope = 0.2\n\n[[network.layers]]',
     "network.layers[0].negative_slope", "only leaky_relu"),
    ('activation = "sigmoid"\nweights = [[0.15',
     'activation = "leaky_relu"\nnegative_slope = nan\nweights = [[0.15',
     "network.layers[0].negative_slope", "finite"),
    ('activation = "sigmoid"\nweights = [[0.15',
     'activation = "leaky_relu"\nnegative_slope = "small"\nweights = [[0.15',
     "network.layers[0].negative_slope", "must be a number"),
    ('[data]', '[training]\nshuffle = "no"\n\n[data]', "training.shuffle", "true or false"),
    ('loss = "half_sse"', 'loss = "ssr"', "network.loss", "sse"),
    ('rows = [[0.05, 0.10, 0.01, 0.99]]', 'rows = [[0.05, 0.10]]', "data.rows[0]",
     "targets"),
]


def test_misuse_is_refused_with_file_key_and_line(tmp_path, capsys):
    """Every refusal of REFUSED, each lesson in a folder of its own (table_checks: every failing
    refusal named key:words)."""
    cases = []
    for number, (old, new, key, words) in enumerate(REFUSED):
        folder = tmp_path / str(number)
        folder.mkdir()
        cases.append((f"{key}:{words}", (folder, capsys, old, new, key, words)))
    check_each(_refused_with_file_key_and_line, cases)


def _refused_with_file_key_and_line(tmp_path, capsys, old, new, key, words):
    text = _with(MAZUR, old, new)
    path = lesson_file(tmp_path, text)
    status = main(["check", str(path)])
    err = capsys.readouterr()  # before any assertion: the next case reads only its own output
    assert status == 2
    shown = err.out + err.err
    problems = refusal(text, str(path))
    problem = next(p for p in problems if p.key == key)
    assert words in problem.message, problem.message
    assert problem.line is not None and f"{path}:{problem.line}: {key}:" in shown
    assert problem.line == line_of(text, key.rsplit(".", 1)[-1].split("[")[0])


def test_loss_none_without_dl_dy_values_is_refused():
    text = _with(UPSTREAM, "rows = [[1.0, 2.0, 1.0], [0.5, -1.0, -2.0]]", "rows = [[1.0, 2.0]]")
    problem = refusal(text)[0]
    assert problem.key == "data.rows[0]" and "dL_dy values" in problem.message
    assert problem.line == line_of(text, "rows = ")


def test_a_check_cannot_ask_for_the_loss_of_loss_none(tmp_path, capsys):
    text = (UPSTREAM + '\n[[steps]]\nkind = "backward"\n\n[[steps]]\nkind = "check"\n'
            'prompt = "L?"\nanswer = "loss"\n\n[[steps]]\nkind = "check"\nprompt = "twice?"\n'
            'answer = "2 * dL_dy[0]"\n')
    path = lesson_file(tmp_path, text)
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    line = line_of(text, 'answer = "loss"')
    assert f"{path}:{line}: steps[1].answer:" in out
    assert 'no loss' in out and "steps[2]" not in out  # dL_dy is a path like any other


def test_loss_none_refuses_train_steps_and_mixed_variants():
    text = UPSTREAM + '\n[[steps]]\nkind = "forward"\n\n[[steps]]\nkind = "train"\n'
    problem = refusal(text)[0]
    assert problem.key == "steps[1].kind" and "nothing to train" in problem.message
    assert problem.line == len(text.splitlines())
    text = UPSTREAM + '\n[[variants]]\nid = "lossy"\nloss = "mse"\n'
    problem = refusal(text)[0]
    assert problem.key == "variants[0].loss" and "dL_dy" in problem.message
    text = _with(MAZUR, "[data]", '[[variants]]\nid = "given"\nloss = "none"\n\n[data]')
    assert refusal(text)[0].key == "variants[0].loss"
    custom = UPSTREAM + '\n[[steps]]\nkind = "forward"\nx = [1.0, 2.0]\n'
    problem = refusal(custom)[0]
    assert "dL_dy values" in problem.message


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_the_loader_reads_loss_compatibility_from_the_loss(loss):
    """The loader accepts an output activation exactly where the Loss object says it may: each
    activation in turn (table_checks: every failing activation named)."""
    check_each(_reads_loss_compatibility,
               [(activation, (loss, activation)) for activation in sorted(ACTIVATIONS)])


def _reads_loss_compatibility(loss, activation):
    row = [0.5, 1.0, 0.0] if loss != "none" else [0.5, 1.0, -1.0]
    text = dense_lesson(["a"], ["p", "q"], [{"units": 2, "activation": activation}], [row],
                        loss=loss, learning_rate=0.1)
    expected = get_loss(loss).accepts_output(activation)
    try:
        parse_lesson_text(text)
        accepted = True
    except LessonError as error:
        accepted = False
        assert error.problems[0].key == "network.loss"
        assert get_loss(loss).requirement in error.problems[0].message
    assert accepted == expected


def test_every_new_key_is_in_the_guide():
    doc = (Path(__file__).parents[1] / "docs" / "lesson-format.md").read_text(encoding="utf-8")
    for key in ("use_bias", "shared_bias", "freeze", "negative_slope", "shuffle", "dL_dy",
                "`sse`", "`none`", "`softplus`", "`leaky_relu`"):
        assert key in doc, key
    assert "shared_bias = true" in doc and 'freeze = ["bias"]' in doc
    assert "shuffle = false" in doc and 'loss = "none"' in doc


# -- worked text and panes ---------------------------------------------------------------------


def test_worked_text_of_the_new_activations_and_the_bias_conventions():
    lesson = parse_lesson_text(UPSTREAM)
    trace = lesson.network.build().trace(lesson.X[0], lesson.Y[0])
    forward = [line.text() for line in worked.forward_lines(trace, 0)]
    assert forward[0] == "z₁[1] = W₁[1,1]·x₁ + W₁[1,2]·x₂ = 0.5000·1 + (−1.0000)·2 = −1.5000"
    assert "b₁" not in " ".join(forward)
    assert forward[2] == "a₁[1] = z₁[1] if z₁[1] > 0 else 0.1·z₁[1] = 0.1·(−1.5000) = −0.1500"
    output = [line.text() for line in worked.forward_lines(trace, 1)]
    assert output[-1] == "ŷ = softplus(z₂) = ln(1 + e^z₂) = ln(1 + e^−2.6500) = 0.06827"
    rows = {row.path: row.text() for row in worked.backward_rows(trace, 1)}
    assert rows["grads[1].da_dz[0]"] == ("∂ŷ/∂z₂ = σ(z₂) = 1 / (1 + e^−z₂) = "
                                        "1 / (1 + e^2.6500) = 0.06599")
    rows = {row.path: row.text() for row in worked.backward_rows(trace, 0)}
    assert rows["grads[0].da_dz[0]"] == ("∂a₁[1]/∂z₁[1] = 1 if z₁[1] > 0 else 0.1 = "
                                        "1 if −1.5000 > 0 else 0.1 = 0.1000")
    assert not any(path.startswith("grads[0].b") for path in rows)
    assert not any("b₁" in line.text() for line in worked.update_lines(trace, 0))
    # The values shown are the trace's: the slope of softplus is σ(z).
    assert trace.grads[1].da_dz[0] == pytest.approx(1 / (1 + math.exp(2.65)), rel=1e-12)


def test_sse_worked_lines():
    network = Network([layer([[0.5]], [0.0], "identity")], "sse", 0.1)
    trace = network.trace(np.array([2.0]), np.array([3.0]))
    assert worked.loss_lines(trace)[0].text() == "L = Σ(y − ŷ)² = (3 − 1.0000)² = 4.0000"
    derivative = worked.backward_rows(trace, 0)[0].text()
    assert derivative == "∂L/∂ŷ = 2·(ŷ − y) = 2·(1.0000 − 3) = −4.0000"


def test_weights_and_gradients_panes_mark_frozen_and_shared_parameters():
    from nn_tui.ui.panes.gradients import gradients_renderable
    from nn_tui.ui.panes.weights import weights_renderable

    lesson = parse_lesson_text(MAZUR)
    session = LessonSession(lesson)
    update = next(i for i, step in enumerate(session.steps) if step.kind == "update")
    view = session.view(update)
    weights = render(weights_renderable(view, 140))
    assert "b shared by all units" in weights and "b frozen" in weights
    assert weights.count("frozen: not applied") == 2  # b₁ and b₂, and nothing else
    assert "b₁[" not in weights and "b₂[" not in weights
    gradients = render(gradients_renderable(view, 400), 400)
    assert gradients.count("not applied: frozen") == 2
    narrow = render(gradients_renderable(view, 60), 60)
    assert " ".join(narrow.split()).count("not applied: frozen") == 2
    # After the update the frozen biases are where they were; the weights moved.
    after = session.view(update + 1)
    assert after.network.layers[0].b.tolist() == [0.35]
    assert after.network.layers[1].W[0, 0] == pytest.approx(0.35891648, abs=5e-9)


def test_trace_cache_tells_conventions_apart():
    """Two variants with equal numbers but other conventions must not share a trace."""
    text = _with(MAZUR, "[data]", (
        '[[variants]]\nid = "free"\nlayers = [\n'
        '  { units = 2, activation = "sigmoid", weights = [[0.15, 0.20], [0.25, 0.30]], '
        'bias = 0.35, shared_bias = true },\n'
        '  { units = 2, activation = "sigmoid", weights = [[0.40, 0.45], [0.50, 0.55]], '
        'bias = 0.60, shared_bias = true },\n]\n\n'
        '[[steps]]\nkind = "update"\n\n[[steps]]\nkind = "update"\nuse = "free"\n\n[data]'))
    session = LessonSession(parse_lesson_text(text))
    frozen, free = session.view(0).trace, session.view(1).trace
    assert frozen.after.layers[0].b[0] == 0.35
    assert free.after.layers[0].b[0] != 0.35


def test_nn_tui_trace_prints_frozen_and_shared_bias_lines(tmp_path, capsys):
    path = lesson_file(tmp_path, MAZUR)
    assert main(["trace", str(path), "--decimals", "9"]) == 0
    out = capsys.readouterr().out
    assert "z₁[1] = W₁[1,1]·x₁ + W₁[1,2]·x₂ + b₁ = " in out
    # At 9 digits the two terms would sum to 0.1004003255, on the edge between two roundings
    # of the value shown: one more digit each (nn_tui.format.arithmetic).
    assert "∂L/∂b₂ = Σⱼ ∂L/∂z₂[j] = 0.1384985616 + (−0.03809823652) = 0.100400325" in out
    assert "(not applied: frozen)" in out
    assert "W₂[1,1] new = W₂[1,1] − η·∂L/∂W₂[1,1] = 0.400000000 − 0.5·0.0821670406 = 0.358916480" \
        in out
    assert "= 0.298371109\n" in out


# -- exporters ---------------------------------------------------------------------------------


def _cli_json(capsys, *argv: str):
    status = main(list(argv))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    return json.loads(captured.out)


def _compare(got, expected, where: str = "") -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            if key in ("lesson", "non_finite"):
                continue
            assert key in got, f"the script has no {where}.{key}"
            _compare(got[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), where
        for index, (item, value) in enumerate(zip(got, expected)):
            _compare(item, value, f"{where}[{index}]")
    elif expected is None or isinstance(expected, (bool, str)):
        assert got == expected, where
    else:
        assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12), \
            f"{where}: script {got!r}, nn-tui {expected!r}"


EXPORTED = {"mazur": MAZUR, "online": ONLINE, "upstream": UPSTREAM}


def test_exported_script_reproduces_trace_and_train(tmp_path, capsys):
    """Each of EXPORTED exported and its script run with --json and (but for the upstream
    lesson, which has no training) plainly: each run in a process of its own, all forked from
    one interpreter (one start for the five runs). Every lesson is checked; the failures name
    their lesson."""
    paths, commands = {}, []
    for name, text in EXPORTED.items():
        paths[name] = lesson_file(tmp_path, text, f"{name}.toml")
        assert main(["export", str(paths[name]), "--python", "-o",
                     str(tmp_path / f"{name}.py")]) == 0, name
        capsys.readouterr()
        script = tmp_path / f"{name}.py"
        commands += [(script, "--json")] + ([] if name == "upstream" else [(script,)])
    runs = iter(run_scripts(commands, os.environ, preload=["numpy"], timeout=120))
    failures = []
    for name in EXPORTED:
        run = next(runs)
        readable = None if name == "upstream" else next(runs)
        try:
            _check_exported_run(capsys, name, paths[name], run, readable)
        except AssertionError as error:
            failures.append(f"{name}: {error}")
    assert not failures, "\n".join(failures)


def _check_exported_run(capsys, name, path, run, readable) -> None:
    assert run.returncode == 0 and run.stderr == "", run.stderr
    got = json.loads(run.stdout)
    trace = _cli_json(capsys, "trace", str(path), "--json")
    training = got.pop("training", None)
    variants = got.pop("variants", {})
    _compare(got, trace)
    lesson, _ = load_checked_lesson(path)
    if name == "upstream":
        assert training is None and got["loss"] is None and "dL_dy" in got
        return
    train = _cli_json(capsys, "train", str(path), "--json")
    assert math.isclose(training["loss"], train["loss"], rel_tol=1e-12)
    for variant in lesson.variants:
        trainer = Trainer(variant.network.build(), lesson.X, lesson.Y,
                          lesson.training.batch_size, lesson.training.shuffle_seed,
                          shuffle=lesson.training.shuffle)
        trainer.run(variant.epochs or lesson.training.epochs)
        assert math.isclose(variants[variant.id]["loss"], trainer.history[-1], rel_tol=1e-12)
        # The variant's frozen shared bias is where it started.
        assert trainer.network.layers[0].b.tolist() == [-0.1]
    # The readable run prints the frozen gradients as not applied.
    assert readable.returncode == 0
    if name == "mazur":
        assert "∂L/∂b₁ (not applied: frozen) = 0.0187" in readable.stdout
    if name == "online":
        assert "in file order" in readable.stdout


def test_markdown_export_describes_the_conventions(tmp_path, capsys):
    path = lesson_file(tmp_path, MAZUR)
    assert main(["export", str(path), "--markdown"]) == 0
    text = capsys.readouterr().out
    assert "one shared bias, bias frozen" in text
    assert "b₁ = 0.3500 (added to every unit)" in text
    assert "not applied: frozen" in text
    path = lesson_file(tmp_path, ONLINE, "online.toml")
    assert main(["export", str(path), "--markdown"]) == 0
    text = capsys.readouterr().out
    assert "in file order every epoch (shuffle = false)" in text
    assert "sum of squared residuals (sse), L = Σ(y − ŷ)²" in text
    assert "no bias" in text and "weights frozen" in text
