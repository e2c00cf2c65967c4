"""Edits to the numbers of a step: explore mode's nudges and ``nn-tui trace --set``.

An edit names one number by the path the trace, its JSON and the answers use, so what a learner
changes on screen, what a teacher lists in ``editable`` and what ``--set`` takes are one thing:

==========================  ============================================================
``layers[i].W[r][c]``       weight of neuron r of layer i for its input c (0-based)
``layers[i].b[r]``          bias of neuron r of layer i
``x[k]``, ``y[k]``          input k / target k of the traced row (sample mode)
``x[n][k]``, ``y[n][k]``    input k / target k of the n-th traced row (batch mode)
``learning_rate``           η
==========================  ============================================================

Negative indexes count from the end, as in answers; ``canonical`` writes every path with
non-negative indexes so two spellings of one number compare equal. Edits never change the
objects they are given: ``apply_edits`` returns copies.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from nn_tui.engine import Network

KINDS = ("W", "b", "x", "y", "learning_rate")

_INDEX = r"\[\s*(-?\d+)\s*\]"
_LAYER_PATH = re.compile(rf"\s*layers\s*{_INDEX}\s*\.\s*(W|b)\s*((?:{_INDEX}\s*)+)\s*")
_DATA_PATH = re.compile(rf"\s*(x|y)\s*((?:{_INDEX}\s*)+)\s*")
_ETA_PATH = re.compile(r"\s*(learning_rate|eta|η)\s*")
_INDEXES = re.compile(_INDEX)

# A learner's or teacher's path is short; anything longer is refused unread.
MAX_PATH_LENGTH = 200


class EditError(ValueError):
    """A path that names no editable number of this network and data, or a value that is not a
    finite number. The message says which and why, fit to show a learner or print on the CLI."""


@dataclass(frozen=True, order=True)
class EditTarget:
    """One editable number.

    ``kind`` is one of ``KINDS``; ``layer`` the layer index for W and b (None otherwise);
    ``index`` the position inside the array: ``(r, c)`` for W, ``(r,)`` for b, ``(k,)`` or
    ``(n, k)`` for x and y, ``()`` for the learning rate. Indexes are non-negative.
    """

    kind: str
    layer: int | None
    index: tuple[int, ...]

    @property
    def path(self) -> str:
        """The canonical path, e.g. ``layers[0].W[1][0]``."""
        indexes = "".join(f"[{i}]" for i in self.index)
        if self.kind in ("W", "b"):
            return f"layers[{self.layer}].{self.kind}{indexes}"
        if self.kind == "learning_rate":
            return "learning_rate"
        return f"{self.kind}{indexes}"

    @property
    def is_parameter(self) -> bool:
        """Whether gradient descent changes this number (W and b), so ∂L/∂p exists in the trace."""
        return self.kind in ("W", "b")

    def __str__(self) -> str:
        return self.path


def _indexes(text: str) -> list[int]:
    return [int(i) for i in _INDEXES.findall(text)]


def _fit(index: int, size: int, what: str) -> int:
    if not -size <= index < size:
        span = f"0..{size - 1}" if size else "none"
        raise EditError(f"{what} index {index} is out of range ({span})")
    return index % size


def parse_target(text: str, network: Network, x: np.ndarray, y: np.ndarray) -> EditTarget:
    """The number ``text`` names in ``network`` and the traced data ``x``, ``y``.

    ``x`` and ``y`` have shape ``(inputs,)``/``(outputs,)`` in sample mode or
    ``(rows, inputs)``/``(rows, outputs)`` in batch mode. Raises EditError for a malformed path,
    an index out of range, or a path that names something that is not one number.
    """
    if not isinstance(text, str) or len(text) > MAX_PATH_LENGTH:
        raise EditError("not a path to a number")
    if _ETA_PATH.fullmatch(text):
        return EditTarget("learning_rate", None, ())
    match = _LAYER_PATH.fullmatch(text)
    if match:
        depth = len(network.layers)
        layer = _fit(int(match.group(1)), depth, "layer")
        kind = match.group(2)
        array = network.layers[layer].W if kind == "W" else network.layers[layer].b
        return EditTarget(kind, layer, _array_index(_indexes(match.group(3)), array,
                                                    f"layers[{layer}].{kind}"))
    match = _DATA_PATH.fullmatch(text)
    if match:
        kind = match.group(1)
        array = np.asarray(x if kind == "x" else y)
        return EditTarget(kind, None, _array_index(_indexes(match.group(2)), array, kind))
    raise EditError(
        f"{text.strip()!r} is not an editable number: use layers[i].W[r][c], layers[i].b[r], "
        "x[k], y[k] or learning_rate"
    )


def _array_index(indexes: list[int], array: np.ndarray, name: str) -> tuple[int, ...]:
    if len(indexes) != array.ndim:
        shape = "×".join(str(n) for n in array.shape)
        raise EditError(f"{name} has shape {shape}: give {array.ndim} index(es), not "
                        f"{len(indexes)}")
    return tuple(_fit(i, n, name) for i, n in zip(indexes, array.shape))


def parse_assignment(text: str, network: Network, x: np.ndarray,
                     y: np.ndarray) -> tuple[EditTarget, float]:
    """``"layers[0].W[0][0]=0.7"`` → (target, 0.7), as ``nn-tui trace --set`` takes it.

    The value is read like a learner's typed answer (``parse_learner_number``). Raises EditError
    naming the part that is wrong.
    """
    from nn_tui.lessons.expressions import parse_learner_number

    if not isinstance(text, str) or "=" not in text:
        raise EditError(f"{text!r}: write PATH=VALUE, e.g. layers[0].W[0][0]=0.7")
    path, _, raw = text.partition("=")
    target = parse_target(path, network, x, y)
    value = parse_learner_number(raw)
    if value is None:
        raise EditError(f"{target.path}: {raw.strip()!r} is not a number")
    check_value(target, value, network)
    return target, value


# The loader's rule for the numbers of a lesson file (loader.MAX_MAGNITUDE): an edit obeys it too.
MAX_MAGNITUDE = 1e6


def check_value(target: EditTarget, value: float, network: Network | None = None) -> float:
    """``value`` if it may be given to ``target``; EditError otherwise: not finite, beyond
    ±MAX_MAGNITUDE (as a lesson file's numbers), η ≤ 0, or (given ``network``) a target
    outside its loss's ``target_range`` (0..1 for the losses that compare probabilities)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise EditError(f"{target.path}: {value!r} is not a finite number")
    if abs(value) > MAX_MAGNITUDE:
        raise EditError(f"{target.path}: {value:g} is too large; keep numbers within "
                        f"±{MAX_MAGNITUDE:g}, as in lesson files")
    if target.kind == "learning_rate" and value <= 0:
        raise EditError(f"learning_rate: η must be greater than 0, not {value:g}")
    if (target.kind == "y" and network is not None and network.loss.target_range is not None
            and not network.loss.targets_suit(value)):
        low, high = network.loss.target_range
        raise EditError(f"{target.path}: {network.loss.name} needs targets between {low:g} and "
                        f"{high:g}, not {value:g}")
    return float(value)


def editable_targets(network: Network, x: np.ndarray, y: np.ndarray) -> list[EditTarget]:
    """Every editable number, in reading order: each layer's W row by row then b, then x, y, η."""
    targets: list[EditTarget] = []
    for i, layer in enumerate(network.layers):
        for r in range(layer.W.shape[0]):
            for c in range(layer.W.shape[1]):
                targets.append(EditTarget("W", i, (r, c)))
        for r in range(np.asarray(layer.b).size):
            targets.append(EditTarget("b", i, (r,)))
    for kind, array in (("x", np.asarray(x)), ("y", np.asarray(y))):
        targets.extend(EditTarget(kind, None, tuple(int(i) for i in index))
                       for index in np.ndindex(array.shape))
    targets.append(EditTarget("learning_rate", None, ()))
    return targets


def value_of(target: EditTarget, network: Network, x: np.ndarray, y: np.ndarray) -> float:
    """The current value of ``target``."""
    if target.kind == "learning_rate":
        return float(network.learning_rate)
    return float(_array_for(target, network, x, y)[target.index])


def _array_for(target: EditTarget, network: Network, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if target.kind in ("W", "b"):
        assert target.layer is not None  # parse_target gives W and b a layer
        layer = network.layers[target.layer]
        return layer.W if target.kind == "W" else layer.b
    return x if target.kind == "x" else y


def apply_edits(network: Network, x: np.ndarray, y: np.ndarray,
                edits: Mapping[EditTarget, float] | Iterable[tuple[EditTarget, float]]
                ) -> tuple[Network, np.ndarray, np.ndarray]:
    """Copies of ``network``, ``x`` and ``y`` with ``edits`` applied (later edits of one target
    win). The arguments are never changed. Raises EditError for a value ``check_value`` refuses.
    """
    items = edits.items() if isinstance(edits, Mapping) else edits
    edited = network.copy()
    x_new = np.array(x, dtype=float)
    y_new = np.array(y, dtype=float)
    for target, value in items:
        value = check_value(target, value, network)
        if target.kind == "learning_rate":
            edited.learning_rate = value
        else:
            _array_for(target, edited, x_new, y_new)[target.index] = value
    return edited, x_new, y_new
