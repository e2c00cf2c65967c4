"""The output picture's numbers (nn_tui.engine.picture) against the network evaluated directly."""

from __future__ import annotations

import numpy as np
import pytest

from nn_tui.engine import Network
from nn_tui.engine import picture as engine
from nn_tui.lessons.session import LessonSession


def two_inputs(activation: str = "sigmoid", outputs: int = 1) -> Network:
    loss = "cross_entropy" if activation == "softmax" else "half_sse"
    rng = np.random.default_rng(3)
    return Network.build([2, 3, outputs], ["tanh", activation], loss, 0.1,
                         params=[(rng.normal(size=(3, 2)), rng.normal(size=3)),
                                 (rng.normal(size=(outputs, 3)), rng.normal(size=outputs))])


def test_input_range_adds_a_margin_of_the_span():
    assert engine.input_range(np.array([0.0, 10.0])) == pytest.approx((-1.0, 11.0))
    assert engine.input_range(np.array([2.0, 4.0, 3.0]), margin=0.5) == pytest.approx((1.0, 5.0))


@pytest.mark.parametrize("values, expected", [
    ([3.0, 3.0], (2.0, 4.0)),          # no span: ±1
    ([50.0], (45.0, 55.0)),             # no span, large value: ±10 %
    ([np.nan, np.inf], (-1.0, 1.0)),    # nothing finite
    ([1.0, np.inf, 3.0], (0.8, 3.2)),   # non-finite values ignored
])
def test_input_range_of_degenerate_values(values, expected):
    assert engine.input_range(np.array(values)) == pytest.approx(expected)


def test_curve_is_the_network_evaluated_at_its_points(psa_hidden):
    network = psa_hidden.network.build()
    X, Y = psa_hidden.X, psa_hidden.Y
    curve = engine.curve(network, X, Y, 57, traced_x=X[psa_hidden.focus])
    assert curve.xs.shape == (57,)
    low, high = X.min(), X.max()
    span = high - low
    assert curve.x_range == pytest.approx((low - 0.1 * span, high + 0.1 * span))
    assert curve.xs[0] == pytest.approx(curve.x_range[0])
    assert curve.xs[-1] == pytest.approx(curve.x_range[1])
    for k, x in enumerate(curve.xs):
        assert curve.outputs[k] == pytest.approx(network.predict(np.array([x])), abs=1e-15)
    assert curve.traced_x == X[psa_hidden.focus][0]
    assert curve.traced_output == pytest.approx(
        network.trace(X[psa_hidden.focus], Y[psa_hidden.focus]).output)
    assert curve.y_range == (0.0, 1.0)  # sigmoid outputs
    np.testing.assert_array_equal(curve.rows_x, X[:, 0])
    np.testing.assert_array_equal(curve.rows_y, Y)


def test_curve_widens_to_an_edited_input_outside_the_data(psa_hidden):
    network = psa_hidden.network.build()
    curve = engine.curve(network, psa_hidden.X, psa_hidden.Y, 40, traced_x=np.array([30.0]))
    assert curve.x_range[1] > 30.0
    assert curve.traced_output == pytest.approx(network.predict(np.array([30.0])))


def test_curve_range_of_an_unbounded_output_covers_outputs_and_targets():
    network = Network.build([1, 1], ["identity"], "mse", 0.1, params=[([[2.0]], [1.0])])
    X = np.array([[0.0], [1.0], [2.0]])
    Y = np.array([[10.0], [1.0], [3.0]])
    curve = engine.curve(network, X, Y, 20)
    assert curve.y_range[0] <= min(curve.outputs.min(), Y.min())
    assert curve.y_range[1] >= max(curve.outputs.max(), Y.max())
    assert curve.traced_x is None and curve.traced_output is None


def test_plane_values_are_the_network_at_the_cell_centres():
    network = two_inputs()
    X = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 1.0]])
    plane = engine.plane(network, X, columns=11, rows=7)
    assert plane.values.shape == (7, 11)
    x_low, x_high = plane.x_range
    y_low, y_high = plane.y_range
    width, height = (x_high - x_low) / 11, (y_high - y_low) / 7
    for row in range(7):
        for column in range(11):
            point = np.array([x_low + (column + 0.5) * width, y_high - (row + 0.5) * height])
            assert plane.values[row, column] == pytest.approx(network.predict(point)[0],
                                                              abs=1e-15)
    assert plane.value_range == (0.0, 1.0)
    assert plane.shown.kind == "output"


def test_plane_of_a_softmax_shows_the_predicted_class_and_its_probability():
    network = two_inputs("softmax", outputs=3)
    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    plane = engine.plane(network, X, columns=6, rows=4)
    assert plane.shown.kind == "class"
    grid_x, grid_y = np.meshgrid(plane.xs, plane.ys)
    probabilities = network.predict(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    np.testing.assert_array_equal(plane.classes.ravel(), probabilities.argmax(axis=1))
    np.testing.assert_allclose(plane.values.ravel(), probabilities.max(axis=1))


def test_several_outputs_without_softmax_show_the_first_and_say_so():
    network = two_inputs("sigmoid", outputs=2)
    shown = engine.shown_output(network, ("left", "right"))
    assert shown == engine.Shown("output", 0, "output 1 of 2: left")
    assert engine.shown_output(two_inputs("softmax", 3)).kind == "class"
    assert engine.shown_output(two_inputs(), ("orange",)).label == "orange"


def test_one_batched_forward_pass_per_picture(monkeypatch):
    network = two_inputs()
    calls = []
    original = Network.forward

    def counting(self, x):
        calls.append(np.asarray(x).shape)
        return original(self, x)

    monkeypatch.setattr(Network, "forward", counting)
    engine.plane(network, np.array([[0.0, 0.0], [1.0, 1.0]]), columns=30, rows=20,
                 traced_x=np.array([0.5, 0.5]))
    assert calls == [(600, 2)]
    calls.clear()
    one = Network.build([1, 1], ["sigmoid"], "half_sse", 0.1)
    engine.curve(one, np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]]), 50,
                 traced_x=np.array([0.3]))
    assert calls == [(51, 1)]  # the curve's points and the traced example together


def test_overflow_is_reported_as_non_finite_values_not_warnings():
    network = Network.build([2, 1], ["identity"], "mse", 0.1,
                            params=[([[1e308, 1e308]], [0.0])])
    with np.errstate(all="raise"):  # a warning would be an error here
        plane = engine.plane(network, np.array([[1.0, 1.0], [2.0, 2.0]]), 4, 4)
    assert not np.isfinite(plane.values).all()


@pytest.mark.parametrize("value, cells, flip, expected", [
    (0.0, 10, False, 0), (0.999, 10, False, 9), (1.0, 10, False, 9), (0.5, 10, False, 5),
    (0.05, 10, True, 9), (0.95, 10, True, 0), (-0.1, 10, False, None), (np.nan, 10, False, None),
])
def test_cell_of(value, cells, flip, expected):
    assert engine.cell_of(value, 0.0, 1.0, cells, flip) == expected


def test_grid_size_is_bounded():
    network = two_inputs()
    with pytest.raises(ValueError):
        engine.evaluate(network, np.zeros((engine.MAX_GRID_POINTS + 1, 2)))
    with pytest.raises(ValueError):
        engine.evaluate(network, np.zeros((3, 3)))


def test_picture_of_an_edited_network_differs_from_the_step(fruit):
    """The picture follows edits: change a weight, the values follow the new network."""
    session = LessonSession(fruit)
    network, x, _y, _rows = session.explore_data(0)
    before = engine.plane(network, session.X, 8, 8, x).values
    network.layers[-1].b = network.layers[-1].b + 2.0
    after = engine.plane(network, session.X, 8, 8, x).values
    assert (after > before).all()  # a larger output bias raises σ everywhere


def test_input_range_of_huge_values_stays_finite():
    low, high = engine.input_range(np.array([-1.7e308, 1.7e308]))
    assert np.isfinite(low) and np.isfinite(high) and low <= -1.7e308 and high >= 1.7e308
