"""The output picture's numbers: a network evaluated over a grid of inputs, in one forward pass.

With one input the picture is a curve of each output against the input; with two, a map of one
output (or of the predicted class) over the plane of the two inputs. Both cover the data's range
with a small margin, widened to take in the traced example (an edited x may leave the data).
When the data's rows do not spread along an input (one row, or all rows alike, as in a lesson
about a single example), that axis shows a window a learner can read instead: centred on the
traced example, wide enough for the first layer's activations to bend (``readable_range``), with
round ends.
This module only computes; ``nn_tui.ui.panes.picture`` draws. Pure NumPy, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nn_tui.engine.network import Network, quiet

# Share of the data's span added on each side of the picture's range.
MARGIN = 0.1
# The span of a first-layer sum z = w·x + b a picture shows when the data do not fix the range:
# z from −4 to +4 takes a sigmoid from 0.018 to 0.982, tanh from −0.9993 to 0.9993, and puts
# ReLU's corner in the middle, so each activation's whole shape is in view.
SHAPE_Z = 8.0
# The data's rows fix the range unless their span along an input is below this share of the
# shape's width: they cover less than 1 % of the bend, which would draw as a straight line.
TINY_SHARE = 0.01
# Bounds on the shape's width in input units (weights of 0, or of 1e−9, would give no bound).
SHAPE_WIDTH_LIMITS = (1e-6, 1e3)
# A grid of more points than this is refused (the pane asks for about 2 × its cells).
MAX_GRID_POINTS = 200_000


@dataclass(frozen=True)
class Shown:
    """What a 2-D map shows, for networks with more than one output.

    ``kind``: "output" (one output's value; ``index`` says which) or "class" (the predicted
    class, the output with the largest value, shaded by its probability: softmax outputs).
    ``label``: how the picture names it, e.g. "P(cancer)" or "output 1 of 3: banana"."""

    kind: str
    index: int
    label: str


def shown_output(network: Network, output_names: tuple[str, ...] = ()) -> Shown:
    """What a map of ``network`` shows: its one output; for softmax, the predicted class and
    its probability; for several other outputs, the first, saying so."""
    outputs = network.layers[-1].units
    names = tuple(output_names) or tuple(f"output {k + 1}" for k in range(outputs))
    if outputs == 1:
        return Shown("output", 0, names[0])
    if network.layers[-1].activation.name == "softmax":
        return Shown("class", -1, "predicted class (brighter: surer)")
    return Shown("output", 0, f"output 1 of {outputs}: {names[0]}")


def value_range(network: Network) -> tuple[float, float] | None:
    """The range every output of ``network`` lies in, when its output activation has one
    (the Activation's ``bounds``: sigmoid and softmax 0..1, tanh −1..1), else None (the values
    decide)."""
    return network.layers[-1].activation.bounds


def input_range(values: np.ndarray, margin: float = MARGIN) -> tuple[float, float]:
    """(low, high) covering ``values`` (one input's values over the rows, and the traced
    example's) with ``margin`` of their span on each side; a span of 0 (one row, or all rows
    alike) becomes ±1 around the value, or ±10 % of it if that is larger. Non-finite values
    are ignored; with none left, (−1, 1)."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    if low == high:
        pad = max(1.0, abs(low) * 0.1)
    else:
        # Halved first: the span of values near ±1.8e308 would itself overflow.
        pad = 2 * margin * (high / 2 - low / 2)
    largest = float(np.finfo(float).max)
    return max(low - pad, -largest), min(high + pad, largest)


def shape_width(weights: np.ndarray) -> float:
    """How far one input must move for the first layer's sums z = w·x + b to cross the
    activations' bend: ``SHAPE_Z`` / the largest |w| on that input, where ``weights`` are the
    first layer's weights of the input ``(units,)``; ``SHAPE_Z`` when every weight is 0 or none
    is finite (the output does not depend on the input); kept within ``SHAPE_WIDTH_LIMITS``."""
    weights = np.abs(np.asarray(weights, dtype=float).ravel())
    weights = weights[np.isfinite(weights)]
    largest = float(weights.max()) if weights.size else 0.0
    width = SHAPE_Z / largest if largest > 0 else SHAPE_Z
    return float(np.clip(width, *SHAPE_WIDTH_LIMITS))


def nice_step(span: float) -> float:
    """The round number (1, 2 or 5 times a power of ten) nearest above ``span`` / 8: the
    spacing of a picture's round ends and ticks. ``span`` > 0."""
    raw = span / 8
    power = 10.0 ** np.floor(np.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if factor * power >= raw * (1 - 1e-9):
            return float(factor * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def readable_range(data: np.ndarray, traced: float | None,
                   weights: np.ndarray) -> tuple[float, float]:
    """The (low, high) of one input's axis: ``input_range`` of the data rows' values ``data``
    ``(rows,)`` and the traced example's ``traced`` when the rows spread along the input; when
    they do not (one row, all rows alike, or a span below ``TINY_SHARE`` of the shape's width),
    a window a learner can read: ``shape_width(weights)`` wide (``weights``: the first layer's
    weights on this input ``(units,)``), centred on the round value (a multiple of
    ``nice_step``) nearest the traced example (else the rows' mean), stretched to take in the
    rows and the traced example, its ends rounded out (``round_out``). Non-finite values are
    ignored."""
    data = np.asarray(data, dtype=float).ravel()
    data = data[np.isfinite(data)]
    if traced is not None and not np.isfinite(traced):
        traced = None
    values = data if traced is None else np.append(data, traced)
    if values.size == 0:
        return input_range(values)
    width = shape_width(weights)
    spread = float(data.max() - data.min()) if data.size else 0.0
    if spread >= TINY_SHARE * width:
        return input_range(values)
    centre = traced if traced is not None else float(data.mean())
    with np.errstate(all="ignore"):  # values near ±1.8e308 overflow: checked below
        # Centred on the round value nearest the example, so a small nudge of it does not
        # move the window.
        centre = float(np.round(centre / nice_step(width)) * nice_step(width))
        low = min(centre - width / 2, float(values.min()) - width / 20)
        high = max(centre + width / 2, float(values.max()) + width / 20)
        if not 0 < high - low < np.inf:  # the window is below float's resolution there
            return input_range(values)
    low, high = round_out(low, high)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        return input_range(values)  # beyond float's reach: the plain range
    return low, high


def round_out(low: float, high: float) -> tuple[float, float]:
    """(low, high) widened to multiples of ``nice_step(high − low)``, so an axis's labels are
    round numbers; unchanged where that is beyond float's reach or ``low`` ≥ ``high``."""
    with np.errstate(all="ignore"):
        span = high - low
        if not 0 < span < np.inf:
            return low, high
        step = nice_step(span)
        # + 0.0: an end at zero is 0.0, not −0.0 (written "0", not "−0").
        rounded = (float(np.floor(low / step) * step) + 0.0,
                   float(np.ceil(high / step) * step) + 0.0)
    if not (np.isfinite(rounded[0]) and np.isfinite(rounded[1])):
        return low, high
    return rounded


@quiet
def evaluate(network: Network, points: np.ndarray) -> np.ndarray:
    """The outputs of ``network`` at ``points`` ``(n, inputs)``: ``(n, outputs)``, one batched
    forward pass. Overflow gives ±inf or nan, as in the engine (never a warning)."""
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != network.layers[0].fan_in:
        raise ValueError(f"points must have shape (n, {network.layers[0].fan_in}), "
                         f"not {points.shape}")
    if points.shape[0] > MAX_GRID_POINTS:
        raise ValueError(f"{points.shape[0]} points; the limit is {MAX_GRID_POINTS}")
    return np.atleast_2d(network.predict(points))


@dataclass(frozen=True)
class Curve:
    """Each output of a one-input network against its input.

    ``xs`` ``(n,)``: the input values, evenly spaced over ``x_range``; ``outputs`` ``(n, outputs)``:
    the network's outputs there; ``rows_x`` ``(rows,)`` and ``rows_y`` ``(rows, outputs)``: the
    data rows' input and targets; ``traced_x``/``traced_output``: the traced example's input and
    the network's outputs for it (None in batch mode); ``y_range``: the vertical range to show."""

    xs: np.ndarray
    outputs: np.ndarray
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    rows_x: np.ndarray
    rows_y: np.ndarray
    traced_x: float | None = None
    traced_output: np.ndarray | None = field(default=None, repr=False)


def curve(network: Network, X: np.ndarray, Y: np.ndarray, points: int,
          traced_x: np.ndarray | None = None) -> Curve:
    """The ``Curve`` of a one-input ``network`` at ``points`` evenly spaced inputs (at least 2)
    over the range of the data ``X`` ``(rows, 1)`` and the traced input ``traced_x`` ``(1,)``, if
    any (``readable_range``), with the targets ``Y`` ``(rows, outputs)`` as the rows' points."""
    X = np.asarray(X, dtype=float).reshape(-1, 1)
    Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
    traced = None if traced_x is None else float(np.asarray(traced_x, dtype=float).reshape(-1)[0])
    low, high = readable_range(X[:, 0], traced, network.layers[0].W[:, 0])
    xs = np.linspace(low, high, max(int(points), 2))
    grid = np.concatenate([xs, [traced]]) if traced is not None else xs
    outputs = evaluate(network, grid[:, None])
    traced_output = outputs[-1] if traced is not None else None
    outputs = outputs[: len(xs)]
    fixed = value_range(network)
    if fixed is not None:
        y_low, y_high = fixed
    else:
        seen = np.concatenate([outputs.ravel(), Y.ravel()])
        y_low, y_high = round_out(*input_range(seen, margin=0.05))
    return Curve(xs, outputs, (low, high), (y_low, y_high), X[:, 0].copy(), Y.copy(), traced,
                 traced_output)


@dataclass(frozen=True)
class Plane:
    """One output (or the predicted class) of a two-input network over a grid of the plane.

    ``xs`` ``(cols,)`` and ``ys`` ``(rows,)``: the first and second input at the grid's points
    (``ys`` from the top of the picture down: largest first); ``values`` ``(rows, cols)``: the
    shown value there (the output, or the predicted class's probability); ``classes``
    ``(rows, cols)``: the predicted class (argmax; all 0 for one output); ``shown``: what it is;
    ``value_range``: the range the colours span."""

    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    classes: np.ndarray
    shown: Shown
    value_range: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def plane(network: Network, X: np.ndarray, columns: int, rows: int,
          traced_x: np.ndarray | None = None, shown: Shown | None = None) -> Plane:
    """The ``Plane`` of a two-input ``network`` on a ``rows`` × ``columns`` grid over the range of
    the data ``X`` ``(n, 2)`` and the traced input ``traced_x`` ``(2,)`` (``readable_range`` per
    input), one forward pass. The points are the centres of the grid's cells, so a data row falls
    in the cell that holds it."""
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    traced = (None if traced_x is None
              else np.asarray(traced_x, dtype=float).reshape(2).tolist())
    W = network.layers[0].W
    x_range = readable_range(X[:, 0], None if traced is None else traced[0], W[:, 0])
    y_range = readable_range(X[:, 1], None if traced is None else traced[1], W[:, 1])
    columns, rows = max(int(columns), 1), max(int(rows), 1)
    xs = x_range[0] + (np.arange(columns) + 0.5) * (x_range[1] - x_range[0]) / columns
    ys = y_range[1] - (np.arange(rows) + 0.5) * (y_range[1] - y_range[0]) / rows
    grid_x, grid_y = np.meshgrid(xs, ys)
    outputs = evaluate(network, np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    shown = shown or shown_output(network)
    if shown.kind == "class":
        with np.errstate(invalid="ignore"):
            classes = np.argmax(np.nan_to_num(outputs, nan=-np.inf), axis=1)
        values = outputs[np.arange(len(outputs)), classes]
    else:
        classes = np.zeros(len(outputs), dtype=int)
        values = outputs[:, shown.index]
    values = values.reshape(rows, columns)
    fixed = value_range(network)
    if fixed is None:
        finite = values[np.isfinite(values)]
        fixed = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if fixed[0] == fixed[1]:
            fixed = (fixed[0] - 1.0, fixed[1] + 1.0)
    return Plane(xs, ys, values, classes.reshape(rows, columns), shown, fixed, x_range, y_range)


def cell_of(value: float, low: float, high: float, cells: int, flip: bool = False) -> int | None:
    """The cell (0-based) of ``cells`` equal cells over low..high that ``value`` falls in, or
    None outside. ``flip``: count from the high end (rows of a picture go down)."""
    if not np.isfinite(value) or high <= low or not low <= value <= high:
        return None
    position = int((value - low) / (high - low) * cells)
    position = min(position, cells - 1)
    return cells - 1 - position if flip else position
