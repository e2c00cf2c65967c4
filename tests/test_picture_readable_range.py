"""The output picture's input range is one a learner can read: when the data's rows do not
spread along an input (one row, all rows alike), the axis is a window with round ends, wide
enough to show the activation's bend, centred near the traced example; over every step of every
bundled lesson, at the start of explore mode and after a nudge of the input."""

from __future__ import annotations

import numpy as np
import pytest

from nn_tui.engine import Network
from nn_tui.engine import picture as engine
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS

BUNDLED = sorted(LESSONS.glob("*.toml"))
NUDGE = 0.1  # the explore steps' usual nudge ("change x from 1 to 1.1")


def is_round(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-9


def assert_readable(low: float, high: float, data: np.ndarray, traced: float | None,
                    weights: np.ndarray, where: str) -> None:
    """The checks every picture axis must pass (see the module docstring)."""
    assert np.isfinite(low) and np.isfinite(high) and low < high, f"{where}: {low}..{high}"
    values = data if traced is None else np.append(data, traced)
    assert low <= values.min() and values.max() <= high, (
        f"{where}: {low}..{high} leaves out a row or the traced example {values}")
    width = engine.shape_width(weights)  # SHAPE_Z / the largest |w| (tested below)
    spread = float(data.max() - data.min())
    if spread >= 0.01 * width:
        return  # the rows spread: the picture follows them (with a margin)
    # No spread: the first layer's sums z = w·x + b sweep the whole bend (z over 8 units).
    assert high - low >= width * (1 - 1e-9), (
        f"{where}: {low}..{high} is narrower than the bend ({width:.3g}): a straight line")
    # ... with round ends, written in few digits.
    step = engine.nice_step(high - low)
    assert is_round(low, step) and is_round(high, step), f"{where}: ends {low}, {high}"


def one_input(weight: float = 1.0, activation: str = "sigmoid") -> Network:
    return Network.build([1, 1], [activation], "half_sse", 0.1, params=[([[weight]], [0.0])])


@pytest.mark.parametrize("data, traced, weight", [
    ([1.0], 1.0, 1.0),         # slopes: one row, traced as it is
    ([1.0], 1.1, 1.0),         # ... and nudged by 0.1 (was 0.99..1.11: a straight line)
    ([1.0], 0.0, 1.0),         # ReLU's corner at 0, the row at 1
    ([1.0], 1.0, 3.0),         # a steeper neuron: a narrower window
    ([1.0], 1.0, 0.0),         # a weight of 0: the output ignores x; a window all the same
    ([2.0, 2.0, 2.0], None, 1.0),  # all rows alike, batch mode
    ([50.0], 50.0, 1.0),       # far from 0
    ([1.0], 30.0, 1.0),        # an edited x far from the one row
])
def test_one_row_gets_a_window_that_shows_the_bend(data, traced, weight):
    data = np.array(data)
    low, high = engine.readable_range(data, traced, np.array([weight]))
    assert_readable(low, high, data, traced, np.array([weight]), f"{data} {traced} w={weight}")


def test_the_slopes_nudge_keeps_the_window_still():
    """Nudging x from 1 to 1.1 (or 1.4) leaves the axis where it was."""
    weights = np.array([1.0])
    ranges = {engine.readable_range(np.array([1.0]), traced, weights)
              for traced in (1.0, 1.01, 1.1, 1.4)}
    assert ranges == {(-3.0, 5.0)}


def test_rows_that_spread_keep_the_data_range():
    data = np.array([0.8, 3.8])
    assert engine.readable_range(data, 1.0, np.array([0.5])) == engine.input_range(
        np.append(data, 1.0))


@pytest.mark.parametrize("weights, width", [
    ([1.0], 8.0), ([-2.0, 0.5], 4.0), ([0.0], 8.0), ([np.nan], 8.0), ([1e-12], 1e3),
    ([1e12], 1e-6)])
def test_shape_width(weights, width):
    assert engine.shape_width(np.array(weights)) == pytest.approx(width)


@pytest.mark.parametrize("span, step", [(8, 1), (9, 2), (2.67, 0.5), (0.08, 0.01), (40, 5)])
def test_nice_step(span, step):
    assert engine.nice_step(span) == pytest.approx(step)


def test_huge_values_keep_a_finite_range():
    low, high = engine.readable_range(np.array([1.7e308]), -1.7e308, np.array([1.0]))
    assert np.isfinite(low) and np.isfinite(high) and low <= -1.7e308 and high >= 1.7e308
    low, high = engine.readable_range(np.array([1.7e308]), 1.7e308, np.array([1.0]))
    assert np.isfinite(low) and np.isfinite(high) and low <= 1.7e308 <= high


def test_a_two_input_plane_with_one_row_shows_a_window_on_both_axes():
    network = Network.build([2, 1], ["sigmoid"], "half_sse", 0.1,
                            params=[([[1.0, 2.0]], [0.0])])
    X = np.array([[1.0, 1.0]])
    plane = engine.plane(network, X, 20, 10, traced_x=np.array([1.1, 1.0]))
    assert_readable(*plane.x_range, X[:, 0], 1.1, network.layers[0].W[:, 0], "x")
    assert_readable(*plane.y_range, X[:, 1], 1.0, network.layers[0].W[:, 1], "y")
    assert plane.x_range == (-3.0, 5.0) and plane.y_range == (-1.0, 3.0)


def explore_pictures(path):
    """(where, network, X, traced_x) of the picture explore mode draws at every step of the
    lesson at ``path``: as explore opens, and after a nudge of every input by NUDGE (the traced
    data row's x nudged with it, as explore's training data does)."""
    session = LessonSession(load_lesson(path))
    for index in range(len(session.lesson.steps)):
        network, x, _y, rows = session.explore_data(index)
        if network.layers[0].fan_in > 2:
            continue  # no picture: the pane says why
        for nudge in (0.0, NUDGE):
            X = np.array(session.X, dtype=float)
            if x.ndim == 1:
                traced = x + nudge
                if rows:
                    X[rows[0]] = traced
            else:
                traced = None
                X = X + nudge
            yield f"{path.name} step {index + 1} nudge {nudge}", network, X, traced


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_every_bundled_picture_has_a_readable_input_range(path):
    seen = 0
    for where, network, X, traced in explore_pictures(path):
        W = network.layers[0].W
        if network.layers[0].fan_in == 1:
            curve = engine.curve(network, X, np.zeros((len(X), network.layers[-1].units)), 40,
                                 traced)
            ranges = [curve.x_range]
        else:
            plane = engine.plane(network, X, 20, 10, traced)
            ranges = [plane.x_range, plane.y_range]
        for k, (low, high) in enumerate(ranges):
            assert_readable(low, high, X[:, k], None if traced is None else float(traced[k]),
                            W[:, k], f"{where} input {k + 1}")
        seen += 1
    # Exactly the lessons with three inputs have no picture (and so nothing to check here).
    assert bool(seen) != (path.stem in ("layers", "single-neuron")), (path.stem, seen)


def test_an_unbounded_output_gets_round_ends():
    """An identity output's vertical range (slopes' L = w² neuron, w = 3) ends on round
    numbers, not at 7.95 and −1.95."""
    network = one_input(3.0, "identity")
    curve = engine.curve(network, np.array([[1.0]]), np.array([[0.0]]), 40, np.array([1.0]))
    low, high = curve.y_range
    step = engine.nice_step(high - low)
    assert is_round(low, step) and is_round(high, step) and (low, high) == (-2.0, 8.0)
    assert low <= curve.outputs.min() and curve.outputs.max() <= high


@pytest.mark.parametrize("low, high", [(0.3, 0.3), (-1.7e308, 1.7e308), (2.0, 1.0)])
def test_round_out_leaves_what_it_cannot_round(low, high):
    assert engine.round_out(low, high) == (low, high)
