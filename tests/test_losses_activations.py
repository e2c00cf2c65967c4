"""Activations and losses: formulas, slopes, and stability at extreme inputs. No Textual here."""

from __future__ import annotations

import numpy as np
import pytest

from nn_tui.engine import Network, get_activation, get_loss


def test_loss_formulas_on_a_worked_example():
    y, y_hat = np.array([1.0, 0.0]), np.array([0.8, 0.4])
    assert get_loss("mse")(y, y_hat) == pytest.approx((0.04 + 0.16) / 2)
    assert get_loss("half_sse")(y, y_hat) == pytest.approx(0.5 * (0.04 + 0.16))
    assert get_loss("bce")(y, y_hat) == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2)
    assert get_loss("cross_entropy")(y, np.array([0.7, 0.3])) == pytest.approx(-np.log(0.7))


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("target", [[1.0, 0.0], [0.0, 1.0]])
def test_softmax_cross_entropy_is_finite_at_extreme_logits(sign, target):
    network = Network.build([1, 2], ["softmax"], "cross_entropy", 0.1,
                            params=[(np.array([[1000.0 * sign], [-1000.0 * sign]]), np.zeros(2))])
    trace = network.trace(np.array([1.0]), np.array(target))
    assert np.all(np.isfinite(trace.output))
    assert np.isfinite(trace.loss)
    # log-softmax is exact: either ~0 or the full 2000 logit gap, never log(1e-12) ≈ 27.6.
    expected = 0.0 if (sign > 0) == (target[0] == 1.0) else 2000.0
    assert trace.loss == pytest.approx(expected, abs=1e-9)
    for grad in trace.grads:
        assert np.all(np.isfinite(grad.dL_dW)) and np.all(np.isfinite(grad.dL_db))
        assert np.all(np.isfinite(grad.dL_dz))
    assert np.all(np.isfinite(trace.after.output)) and np.isfinite(trace.after.loss)


@pytest.mark.parametrize("z", [1000.0, -1000.0])
@pytest.mark.parametrize("target", [0.0, 1.0])
def test_sigmoid_bce_is_finite_at_extreme_logits(z, target):
    network = Network.build([1, 1], ["sigmoid"], "bce", 0.1,
                            params=[(np.array([[z]]), np.zeros(1))])
    trace = network.trace(np.array([1.0]), np.array([target]))
    assert np.isfinite(trace.loss)
    expected = 0.0 if (z > 0) == (target == 1.0) else 1000.0
    assert trace.loss == pytest.approx(expected, abs=1e-9)
    assert np.all(np.isfinite(trace.grads[0].dL_dW)) and np.all(np.isfinite(trace.grads[0].dL_dz))
    # dL/dz = ŷ − y: magnitude 1 when wrong, 0 when right.
    assert abs(trace.grads[0].dL_dz[0]) == pytest.approx(0.0 if expected == 0.0 else 1.0)


def test_softmax_value_is_stable_and_sums_to_one():
    a = get_activation("softmax")(np.array([1000.0, 999.0, -1000.0]))
    assert np.all(np.isfinite(a)) and a.sum() == pytest.approx(1.0)
    assert a[0] / a[1] == pytest.approx(np.e)


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise"):
        a = get_activation("sigmoid")(np.array([-1000.0, 0.0, 1000.0]))
    np.testing.assert_allclose(a, [0.0, 0.5, 1.0])


def test_relu_slope_is_zero_at_zero():
    relu = get_activation("relu")
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu.jacobian(z, relu(z)), [0.0, 0.0, 1.0])


def test_activation_slopes():
    z = np.array([-0.7, 0.3])
    for name in ("sigmoid", "tanh", "identity"):
        act = get_activation(name)
        numeric = (act(z + 1e-6) - act(z - 1e-6)) / 2e-6
        np.testing.assert_allclose(act.jacobian(z, act(z)), numeric, rtol=1e-6)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid: identity, relu, sigmoid, tanh, softmax"):
        get_activation("swish")
    with pytest.raises(ValueError, match="valid: mse, half_sse, bce, cross_entropy"):
        get_loss("hinge")
    with pytest.raises(ValueError, match="reduction"):
        Network.build([1, 1], ["identity"], "mse", 0.1, reduction="median")


def test_symbols_are_the_same_for_one_sample_and_for_a_batch():
    """A single output is ŷ and a single input x whether one row or all rows are traced (a
    batch's activations hold one row per sample, which must not make ŷ a vector ŷ[1])."""
    from nn_tui.format.worked import a_symbol, z_symbol

    network = Network.build([1, 2, 1], ["tanh", "identity"], "mse", 0.1, seed=3)
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    Y = np.array([[2.0], [4.0], [6.0], [8.0]])
    sample = network.trace(X[0], Y[0])
    batch = network.trace(X, Y, rows=(0, 1, 2, 3))
    for trace in (sample, batch):
        assert a_symbol(trace, 1, 0) == "ŷ" and z_symbol(trace, 1, 0) == "z₂"
        assert a_symbol(trace, 0, 1) == "a₁[2]"
