"""The engine reads like the math (issue 10): the output delta comes from the Loss, the rules
and the formula text are data on Loss/Activation, and every reader takes them from there."""

from __future__ import annotations

import itertools
import string

import numpy as np
import pytest

from nn_tui.engine import ACTIVATIONS, LOSSES, Network
from nn_tui.engine.activations import get_activation, leaky_relu
from nn_tui.engine.losses import SYMBOLS, symbolic
from nn_tui.engine.training import Trainer
from nn_tui.format import worked

ACTIVATION_FIELDS = {"z", "-z", "(z)", "a", "(a)", "(1-a)", "slope"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _pairs():
    """Every (loss, output activation) the loader accepts, by the Loss's own rule."""
    return [(loss, act) for loss, act in itertools.product(LOSSES, ACTIVATIONS)
            if LOSSES[loss].accepts_output(act)]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_carries_its_worked_text(name):
    activation = ACTIVATIONS[name]
    assert activation.value_text and activation.words
    assert _fields(activation.value_text) <= ACTIVATION_FIELDS
    assert _fields(activation.slope_text) <= ACTIVATION_FIELDS
    if activation.elementwise:
        assert activation.slope_text, "an element-wise activation needs its slope's text"
    if activation.max_slope is not None:
        # Saturation messages name the bounds and the slope from the Activation itself.
        assert activation.bounds is not None and activation.slope_symbol


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_template_uses_known_fields(name):
    loss = LOSSES[name]
    for template in (loss.derivative, *(f.formula for f in loss.fused)):
        assert _fields(template) <= set(SYMBOLS), template
    # The equation says the same as its template, in symbols.
    assert loss.derivative_formula == f"∂L/∂ŷ = {symbolic(loss.derivative)}"
    if loss.has_value:
        assert loss.formula == f"L = {loss.expression}"
    for fused in loss.fused:
        # A loss fuses only with outputs it is defined on.
        assert loss.accepts_output(fused.activation)


@pytest.mark.parametrize("loss_name, activation_name", _pairs())
def test_output_delta_is_the_chain_rule_where_the_factors_are_finite(loss_name, activation_name):
    """Fused or not, Loss.output_delta equals ∂L/∂ŷ through ∂ŷ/∂z for moderate logits."""
    loss, activation = LOSSES[loss_name], ACTIVATIONS[activation_name]
    rng = np.random.default_rng(4)
    z = rng.normal(size=(5, 3))
    y_hat = activation(z)
    y = rng.uniform(size=(5, 3)) if loss.target_range else rng.normal(size=(5, 3))
    delta = loss.output_delta(y, y_hat, z, activation, scale=0.2)
    chain = activation.backprop(loss.grad(y, y_hat, z=z, activation=activation_name) * 0.2,
                                activation.jacobian(z, y_hat))
    np.testing.assert_allclose(delta, chain, rtol=1e-9, atol=1e-12)
    assert (loss.fused_delta(activation_name) is not None) == (
        activation_name in {f.activation for f in loss.fused})


@pytest.mark.parametrize("loss_name, activation_name",
                         [(loss, fused.activation) for loss in LOSSES
                          for fused in LOSSES[loss].fused])
def test_a_fused_delta_stays_finite_where_the_factors_overflow(loss_name, activation_name):
    loss, activation = LOSSES[loss_name], ACTIVATIONS[activation_name]
    z = np.array([[800.0, -800.0]]) if activation_name == "softmax" else np.array([[-800.0]])
    y = np.array([[0.0, 1.0]]) if activation_name == "softmax" else np.array([[1.0]])
    with np.errstate(all="ignore"):
        delta = loss.output_delta(y, activation(z), z, activation)
    assert np.all(np.isfinite(delta))


def test_training_gradients_are_the_traced_gradients():
    """gradients() (lean) and trace() (with the learner's factors) run the same loop."""
    network = Network.build([2, 3, 2], ["tanh", "softmax"], "cross_entropy", 0.5, seed=2)
    X = np.array([[0.5, -1.0], [2.0, 0.3]])
    Y = np.array([[1.0, 0.0], [0.0, 1.0]])
    loss, grads = network.gradients(X, Y)
    trace = network.trace(X, Y)
    assert loss == trace.loss
    for (dW, db), grad in zip(grads, trace.grads):
        np.testing.assert_array_equal(dW, grad.dL_dW)
        np.testing.assert_array_equal(db, grad.dL_db)
    # What a layer passes down is the ∂L/∂a of the layer below; the first passes ∂L/∂x.
    np.testing.assert_array_equal(trace.grads[1].dL_da_prev, trace.grads[0].dL_da)
    np.testing.assert_allclose(trace.grads[0].dL_da_prev,
                               trace.grads[0].dL_dz @ network.layers[0].W)
    # The output's factors are shown beside the fused delta and multiply to it.
    np.testing.assert_allclose(
        np.einsum("ni,nij->nj", trace.grads[1].dL_da, trace.grads[1].da_dz),
        trace.grads[1].dL_dz, rtol=1e-9, atol=1e-15)


def test_dropped_api_is_gone():
    assert not hasattr(Network, "params") and not hasattr(Network, "with_learning_rate")


def test_worked_lines_take_their_text_from_the_activation():
    network = Network.build([1, 1], ["leaky_relu"], "mse", 0.1, params=[([[2.0]], [0.0])])
    network.layers[0] = type(network.layers[0])(network.layers[0].W, network.layers[0].b,
                                                 leaky_relu(0.2))
    trace = network.trace(np.array([-1.0]), np.array([1.0]))
    line = worked.activation_lines(trace, 0)[0]
    assert line.formula == "z₁ if z₁ > 0 else 0.2·z₁" and line.plugged == "0.2·(−2.0000)"
    slope = next(row for row in worked.backward_rows(trace, 0) if "da_dz" in row.path)
    assert slope.formula == "1 if z₁ > 0 else 0.2"
    assert slope.plugged == "1 if −2.0000 > 0 else 0.2"


def test_saturation_message_names_bounds_and_slopes_from_the_activation():
    network = Network.build([1, 1], ["tanh"], "mse", 0.1, params=[([[60.0]], [0.0])])
    X = np.array([[1.0], [2.0]])
    trainer = Trainer(network, X, np.array([[0.0], [0.5]]))
    message = trainer._saturation(1.0, from_start=True)
    activation = get_activation("tanh")
    assert message is not None
    assert "pinned at −1 or 1" in message and f"{activation.slope_symbol} ≈ 0" in message


def test_the_docs_loss_table_states_each_loss_as_the_engine_does():
    """docs/lesson-format.md lists every loss with the formula the engine's Loss carries."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parent.parent / "docs" / "lesson-format.md").read_text(
        encoding="utf-8")
    for loss in LOSSES.values():
        if loss.has_value:
            assert f"| `{loss.name}` | {loss.formula} |" in docs, loss.name
            assert loss.derivative_formula in docs, loss.name


def test_the_markdown_export_names_the_loss_as_the_engine_does():
    from pathlib import Path

    from nn_tui.export.markdown import export_markdown
    from nn_tui.lessons.loader import load_lesson

    root = Path(__file__).resolve().parent.parent
    lesson = load_lesson(root / "lessons" / "psa-hidden-layer.toml")
    text = export_markdown(lesson)
    loss = LOSSES[lesson.network.loss]
    assert f"{loss.title} ({loss.name}), {loss.formula}" in text


@pytest.mark.parametrize("written, meant", [("MSE", "mse"), ("log loss", "bce"), ("SSR", "sse"),
                                            ("Categorical Cross-Entropy", "cross_entropy")])
def test_a_loss_named_as_sources_name_it_is_refused_with_the_key_to_write(
        tmp_path, capsys, written, meant):
    """The names sources use (Loss.also_called) turn an unknown loss into a hint."""
    from pathlib import Path

    from nn_tui.cli import main

    source = (Path(__file__).resolve().parent.parent / "lessons" / "single-neuron.toml")
    text = source.read_text(encoding="utf-8")
    lesson = tmp_path / "named.toml"
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("loss = "))
    lines[at] = f'loss = "{written}"'
    lesson.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(lesson)]) == 2
    out = capsys.readouterr().out
    assert f"named.toml:{at + 1}" in out and "network.loss" in out
    assert f'loss = "{meant}"' in out
