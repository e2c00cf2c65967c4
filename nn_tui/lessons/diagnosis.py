"""Which step of the reasoning went wrong: recognising the usual mistakes behind a wrong number.

A check's answer is a path into the trace (``grads[1].W[0][0]``) or an expression over paths
(``loss - after.loss``). A learner who types a wrong number has usually made one of a handful of
mistakes: left a factor out of the chain rule, flipped a sign, used z where a belongs, added the
rows where the loss takes their mean... Each such mistake is recomputed here, exactly, from the
step's network and data, and the typed number is compared with the results.

Two kinds of candidates (see ``candidates``):

- *Systematic* mistakes are a wrong way of doing the whole computation (the bias left out of
  layer 1, the slope of the output sigmoid left out of the chain, the sum over rows for the
  mean, + instead of − in the update...). The network is re-run with the mistake built in
  (``_run``: the engine's forward/backward/update with one thing done wrong) and the answer
  expression is evaluated over that mistaken trace, so ``loss - after.loss`` under "bias left
  out" is what a learner who forgot the bias everywhere would type.
- *Path* mistakes belong to one value the answer reads: its sign flipped, a factor 2, ∂L/∂b
  given for ∂L/∂w (the input left out), another row's value, the gradient of another parameter
  in an update, the value before the update for one after it. For a bare path they are the
  candidates; in an expression each path's mistaken value is substituted for that path alone
  (one path at a time), and the expression is evaluated again.

Teachers add their own (``mistakes = [{ answer = "expr", feedback = "..." }]`` on a check), which
come first. A candidate within the check's tolerance of the right answer, or of a candidate
before it, is never reported (a slope of exactly 1 left out changes nothing).

Pure NumPy and plain data: no Textual. The tutor's check widget, ``nn-tui try`` and the tests
call ``diagnose``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from nn_tui.engine.trace import AfterUpdate, GradTrace, LayerTrace, LayerUpdate, Trace, json_value
from nn_tui.format.names import subscript
from nn_tui.format.numbers import num
from nn_tui.lessons.expressions import Expression, ExpressionError, _source, parse_expression
from nn_tui.lessons.grading import default_tolerance
from nn_tui.lessons.model import StepKind

if TYPE_CHECKING:
    from nn_tui.engine.network import Network
    from nn_tui.lessons.session import LessonSession, StepView

# "Another row's value" is the row just before or after the one asked (a slip of the eye along
# a table): trying every row of a data set would make most wrong numbers match some row, and
# tell a learner who simply miscalculated a wrong story.
NEIGHBOUR_ROWS = 1
# Parameters whose gradient is tried for "the gradient of another parameter" (same layer first).
MAX_OTHER_PARAMETERS = 24

# The kinds of automatic mistakes, in the order they are preferred when two give one number.
KINDS: dict[str, str] = {
    "missing_activation_slope": "the activation's slope left out of the chain rule",
    "missing_loss_derivative": "the loss derivative ∂L/∂ŷ left out of the chain rule",
    "missing_input": "the incoming activation (or input) left out of ∂L/∂w",
    "missing_weight_back": "the weight on the way back left out of the chain rule",
    "chain_cut_short": "the chain rule stopped at ∂L/∂a, before the slope (and the input)",
    "sign_flipped": "the sign flipped",
    "factor_two": "a factor 2 too many or too few",
    "z_for_a": "z used where a belongs",
    "a_for_z": "a used where z belongs",
    "activation_for_slope": "the activation's value given for its slope",
    "updated_weights": "the updated weights used where the old ones belong",
    "bias_left_out": "the bias left out",
    "activation_twice": "the activation applied twice",
    "loss_without_half": "the loss without its ½",
    "loss_without_1_over_k": "the loss without its 1/K",
    "other_class": "the log of another class's probability",
    "gradient_ascent": "+ instead of − in the update (a step up the gradient)",
    "eta_left_out": "the learning rate η left out of the update",
    "old_weights": "the value before the update where the one after it belongs",
    "sum_for_mean": "the sum over the rows where the mean belongs",
    "mean_for_sum": "the mean over the rows where the sum belongs",
    "one_row_for_batch": "one row's value where the batch's belongs",
    "other_row": "another row's value",
    "other_parameter": "the gradient of another parameter",
}
KIND_ORDER = {kind: position for position, kind in enumerate(KINDS)}
# Teacher mistakes without a kind of their own are recorded as this, numbered from 1.
TEACHER_KIND = "teacher"


@dataclass(frozen=True)
class Mistake:
    """A recognised mistake: ``kind`` (a stable identifier, see KINDS; a teacher's own kind or
    ``teacher_N``), the number it gives and the feedback that names it (plain text, numbers
    plugged in)."""

    kind: str
    value: float
    feedback: str
    teacher: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "feedback": self.feedback}


@dataclass(frozen=True)
class Diagnosis:
    """What the tutor says to a typed number: ``verdict`` is "right", "mistake" (``mistake`` is
    the one recognised) or "miss"; ``answer`` and ``tolerance`` are the check's."""

    verdict: str
    value: float
    answer: float
    tolerance: float
    mistake: Mistake | None = None


def diagnose(session: LessonSession, index: int, value: float) -> Diagnosis:
    """The verdict on ``value`` typed at check step ``index`` (0-based) of ``session``.

    Right when within the check's tolerance of the answer; else the closest candidate mistake
    (``candidates``) it matches within the tolerance around that candidate, teacher mistakes
    first; else a miss. Raises ExpressionError when the check's answer cannot be computed, and
    ValueError for a step that is not a check (or one with choices).
    """
    step = session.steps[index]
    if step.kind != StepKind.CHECK or step.choices:
        raise ValueError(f"step {index + 1} is not a check that takes a number")
    expected = float(session.answer(index))
    grading = _Grading.of(session, index)
    tolerance = grading.tolerance(expected)
    if grading.right(value, expected):
        return Diagnosis("right", value, expected, tolerance)
    matches = [mistake for mistake in candidates(session, index)
               if grading.right(value, mistake.value)]
    if not matches:
        return Diagnosis("miss", value, expected, tolerance)
    # A teacher's mistake is named before the automatic ones; among equals the closest wins.
    teacher = [mistake for mistake in matches if mistake.teacher]
    pool = teacher or matches
    best = min(pool, key=lambda mistake: abs(mistake.value - value))
    return Diagnosis("mistake", value, expected, tolerance, best)


# -- grading: the one place this module applies the check's tolerance --------------------------


@dataclass(frozen=True)
class _Grading:
    """The check's grading rule at one step: ``base`` is the check's own tolerance (from
    ``LessonSession.tolerance``, the function the check widget grades with: called, not
    copied), ``explicit`` whether the step sets it."""

    base: float
    explicit: bool

    @classmethod
    def of(cls, session: LessonSession, index: int) -> _Grading:
        return cls(session.tolerance(index), session.steps[index].tolerance is not None)

    def tolerance(self, target: float) -> float:
        """The tolerance around ``target``: a step's own ``tolerance`` as it is; else the
        default rule applied to ``target`` as if it were the answer (``grading.default_tolerance``:
        a learner's rounding of the wrong number to the digits shown matches it, and a candidate
        far smaller than the answer is not matched by a number near 0)."""
        if self.explicit or target == 0 or not math.isfinite(target):
            return self.base
        return default_tolerance(target)

    def right(self, value: float, target: float) -> bool:
        """Whether the check would grade ``value`` right if ``target`` were the answer."""
        return abs(value - target) <= self.tolerance(target)


# -- the candidates --------------------------------------------------------------------------

_CACHE: weakref.WeakKeyDictionary[Any, dict[int, tuple[Mistake, ...]]] = (
    weakref.WeakKeyDictionary())


def candidates(session: LessonSession, index: int) -> tuple[Mistake, ...]:
    """Every distinct mistake recognised at check step ``index``: the teacher's (in the file's
    order), then the automatic ones (in KINDS order). None lies within the check's tolerance of
    the right answer or of a candidate before it; none is not finite. Cached per session.

    Raises ExpressionError when the right answer cannot be computed."""
    cached = _CACHE.setdefault(session, {})
    if index not in cached:
        cached[index] = _distinct(session, index)
    return cached[index]


def _distinct(session: LessonSession, index: int) -> tuple[Mistake, ...]:
    expected = float(session.answer(index))
    grading = _Grading.of(session, index)
    try:
        automatic = automatic_mistakes(session, index)
    except (ArithmeticError, IndexError, KeyError, TypeError, ValueError):
        # A diagnosis is an extra: whatever goes wrong in it, the check still grades.
        automatic = []
    kept: list[Mistake] = []
    for mistake in [*teacher_mistakes(session, index), *automatic]:
        if not math.isfinite(mistake.value):
            continue
        targets = [expected] + [other.value for other in kept]
        # Either side's window: two numbers the learner could not tell apart by rounding.
        if any(grading.right(mistake.value, target) or grading.right(target, mistake.value)
               for target in targets):
            continue
        kept.append(mistake)
    return tuple(kept)


def teacher_mistakes(session: LessonSession, index: int) -> list[Mistake]:
    """The step's own ``mistakes``, evaluated like its answer (those that do not resolve to a
    finite number at this step are left out; ``nn-tui check`` reports them)."""
    step = session.steps[index]
    view = session.view(index)
    context = view.context()
    found = []
    for number, entry in enumerate(step.mistakes, start=1):
        try:
            value = float(parse_expression(entry.answer).evaluate(context))
        except ExpressionError:
            continue
        kind = entry.kind or f"{TEACHER_KIND}_{number}"
        found.append(Mistake(kind, value, entry.feedback, teacher=True))
    return found


def automatic_mistakes(session: LessonSession, index: int) -> list[Mistake]:
    """The automatic candidates of check step ``index`` (not yet deduplicated), in KINDS order.

    Only for answers over the trace (an answer that reads ``training``, or no path at all,
    gets none)."""
    step = session.steps[index]
    expression = parse_expression(step.answer)
    view = session.view(index)
    if "training" in expression.roots:
        return []
    context = view.context()
    paths = _paths(expression.tree, context)
    if not paths:
        return []
    work = _Work(session, view, expression, context, paths)
    found = [*work.systematic(), *work.by_path(), *work.whole()]
    found.sort(key=lambda mistake: KIND_ORDER.get(mistake.kind, len(KIND_ORDER)))
    return found


# -- paths in an answer -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Path:
    """One path an answer reads: its tree node and its parts, ``("grads", 1, "W", 0, 0)``
    (indices as non-negative whole numbers)."""

    node: tuple
    parts: tuple

    @property
    def text(self) -> str:
        out = ""
        for part in self.parts:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out


def _paths(tree: tuple, context: dict[str, Any]) -> list[_Path]:
    """The paths ``tree`` reads that resolve to one number in ``context`` (outermost first)."""
    found: list[_Path] = []

    def parts_of(node: tuple) -> tuple | None:
        kind = node[0]
        if kind == "name":
            return (node[1],)
        if kind == "field":
            inner = parts_of(node[1])
            return None if inner is None else inner + (node[2],)
        if kind == "index":
            inner = parts_of(node[1])
            if inner is None:
                return None
            try:
                position = Expression("", node[2]).evaluate(context)
                length = len(_resolve(inner, context))
            except (ExpressionError, KeyError, IndexError, TypeError):
                return None
            if position != int(position) or not -length <= position < length:
                return None
            return inner + (int(position) % length,)
        return None

    def walk(node: tuple) -> None:
        if node[0] in ("name", "field", "index"):
            parts = parts_of(node)
            if parts is not None:
                try:
                    value = _resolve(parts, context)
                except (KeyError, IndexError, TypeError):
                    value = None
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    found.append(_Path(node, parts))
                    return
        for child in node[1:]:
            if isinstance(child, tuple):
                walk(child)
            elif isinstance(child, list):
                for item in child:
                    walk(item)

    walk(tree)
    return found


def _resolve(parts: tuple, data: Any) -> Any:
    for part in parts:
        data = data[part]
    return data


def _substituted(tree: tuple, node: tuple, value: float) -> tuple:
    """``tree`` with the subtree ``node`` (by identity) replaced by the number ``value``."""
    if tree is node:
        return ("number", value)
    return tuple(_substituted(child, node, value) if isinstance(child, tuple)
                 else [_substituted(item, node, value) for item in child]
                 if isinstance(child, list) else child
                 for child in tree)


# Fields that hold one entry per row in batch mode (the first index after them is the row).
_PER_ROW_TOP = {"x", "y", "output", "per_sample_loss"}
_PER_ROW_LAYER = {"a_prev", "z", "a"}
_PER_ROW_GRAD = {"dL_da", "da_dz", "dL_dz", "dL_da_prev"}


def _row_position(parts: tuple, mode: str) -> int | None:
    """Where the row index sits in ``parts`` (batch mode), or None for a value of the batch."""
    if mode != "batch":
        return None
    head = parts[1:] if parts and parts[0] == "after" else parts
    offset = len(parts) - len(head)
    if not head:
        return None
    if head[0] in _PER_ROW_TOP and len(head) > 1:
        return offset + 1
    if head[0] == "per_sample_loss":
        return offset + 1
    if head[0] == "layers" and len(head) > 3 and head[2] in _PER_ROW_LAYER:
        return offset + 3
    if head[0] == "grads" and len(head) > 3 and head[2] in _PER_ROW_GRAD:
        return offset + 3
    return None


# -- the mistaken computation ----------------------------------------------------------------


@dataclass(frozen=True)
class _Mods:
    """One wrong way of computing the step (all None/False: the engine's own computation)."""

    no_bias: int | None = None  # this layer's bias left out of z
    skip_activation: int | None = None  # this layer's a = z
    double_activation: int | None = None  # this layer's a = f(f(z))
    loss_scale: float = 1.0  # the per-row loss times this (½ or 1/K forgotten, − dropped)
    target_class: int | None = None  # cross-entropy with this class's one-hot target
    drop_loss_derivative: bool = False  # ∂L/∂ŷ taken as 1
    loss_derivative_at_z: bool = False  # ∂L/∂ŷ computed with z in place of ŷ
    drop_slope: int | None = None  # this layer's ∂a/∂z taken as 1
    slope_z_for_a: int | None = None  # the slope written with a (a(1 − a)) fed z
    slope_a_for_z: int | None = None  # the slope f′ evaluated at a instead of z
    drop_weight_back: int | None = None  # this layer's W taken as 1 on the way back
    updated_back: int | None = None  # this layer's new W used on the way back
    input_z: int | None = None  # ∂L/∂W of this layer with the previous z for its input a
    reduction: str | None = None  # the other reduction over rows
    ascent: bool = False  # w + η·g
    eta_one: bool = False  # w − g

    @property
    def forward_changed(self) -> bool:
        return (self.no_bias is not None or self.skip_activation is not None
                or self.double_activation is not None)


def _slope_from_output(name: str, v: np.ndarray) -> np.ndarray | None:
    """The slope formula written with the activation's output (σ′ = a(1 − a), tanh′ = 1 − a²,
    softmax aᵢ(δᵢⱼ − aⱼ)) fed the values ``v``; None where the formula does not use a."""
    if name == "sigmoid":
        return v * (1.0 - v)
    if name == "tanh":
        return 1.0 - v * v
    if name == "softmax":
        eye = np.eye(v.shape[-1])
        return v[..., :, None] * (eye - v[..., None, :])
    return None


def _forward(layers: list, X: np.ndarray, mods: _Mods) -> tuple[list, list, list]:
    a = X
    a_prevs, zs, activations = [], [], []
    for k, layer in enumerate(layers):
        a_prevs.append(a)
        z = a @ layer.W.T + (0.0 if mods.no_bias == k else layer.b)
        if mods.skip_activation == k:
            a = z.copy()
        elif mods.double_activation == k:
            a = layer.activation(layer.activation(z))
        else:
            a = layer.activation(z)
        zs.append(z)
        activations.append(a)
    return a_prevs, zs, activations


def _run(network: Network, x: np.ndarray, y: np.ndarray, mods: _Mods,
         updated: list[np.ndarray] | None = None) -> Trace:
    """The trace of ``x``/``y`` through ``network`` computed with the mistake ``mods`` built in.

    The engine's computation (``Network.trace``) step for step, with the one change: a fused
    output gradient (sigmoid + bce, softmax + cross-entropy) is used only where neither the
    loss derivative nor the output slope is changed. ``updated``: each layer's weights after
    the right update (for ``updated_back``)."""
    with np.errstate(all="ignore"):
        return _run_quiet(network, x, y, mods, updated)


def _run_quiet(network, x, y, mods, updated) -> Trace:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    batch = x.ndim == 2
    X = x if batch else x[None, :]
    Y = y if batch else y[None, :]
    if mods.target_class is not None:
        Y = np.zeros_like(Y)
        Y[:, mods.target_class] = 1.0
    unbatch = (lambda v: v) if batch else (lambda v: v[0])
    layers = network.layers
    depth = len(layers)
    loss = network.loss
    reduction = mods.reduction or network.reduction
    n = X.shape[0]
    scale = 1.0 if reduction == "sum" else 1.0 / n

    def reduce(per_row: np.ndarray) -> float:
        return float(np.sum(per_row) if reduction == "sum" else np.mean(per_row))

    def losses(zs, activations):
        name = layers[-1].activation.name
        logits = None if mods.forward_changed else zs[-1]
        per_row = np.atleast_1d(loss(Y, activations[-1], z=logits, activation=name))
        return per_row * mods.loss_scale

    a_prevs, zs, activations = _forward(layers, X, mods)
    per_row = losses(zs, activations)
    out = activations[-1]
    name = layers[-1].activation.name
    logits = None if mods.forward_changed else zs[-1]
    output_changed = (mods.forward_changed or mods.drop_loss_derivative
                      or mods.loss_derivative_at_z or mods.target_class is not None
                      or depth - 1 in (mods.drop_slope, mods.slope_z_for_a, mods.slope_a_for_z))
    fused = loss.fused_delta(name) is not None and not output_changed
    if mods.drop_loss_derivative:
        dL_da = np.ones_like(out) * scale
    elif mods.loss_derivative_at_z:
        dL_da = loss.grad(Y, zs[-1]) * scale
    else:
        dL_da = loss.grad(Y, out, z=logits, activation=name) * scale
    grads: list[dict] = [None] * depth  # type: ignore[list-item]
    for k in range(depth - 1, -1, -1):
        layer = layers[k]
        f = layer.activation
        if k < depth - 1:
            dL_da = grads[k + 1]["dL_da_prev"]
        if mods.drop_slope == k:
            slope = (np.ones_like(zs[k]) if f.elementwise
                     else np.broadcast_to(np.eye(zs[k].shape[-1]), zs[k].shape + zs[k].shape[-1:]))
        elif mods.slope_z_for_a == k:
            slope = _slope_from_output(f.name, zs[k])
        elif mods.slope_a_for_z == k:
            slope = f.jacobian(activations[k], f(activations[k]))
        else:
            slope = f.jacobian(zs[k], activations[k])
        if k == depth - 1 and fused:
            dL_dz = loss.output_delta(Y, out, zs[-1], f, scale)
        elif f.elementwise or mods.drop_slope == k:
            dL_dz = dL_da * slope if f.elementwise else dL_da.copy()
        else:
            dL_dz = f.backprop(dL_da, slope)
        a_in = zs[k - 1] if (mods.input_z == k and k > 0) else a_prevs[k]
        if mods.drop_weight_back == k:
            W_back = np.ones_like(layer.W)
        elif mods.updated_back == k and updated is not None:
            W_back = updated[k]
        else:
            W_back = layer.W
        grads[k] = {"dL_da": dL_da, "da_dz": slope, "dL_dz": dL_dz, "W": dL_dz.T @ a_in,
                    "b": dL_dz.sum(axis=0), "dL_da_prev": dL_dz @ W_back}

    eta = 1.0 if mods.eta_one else network.learning_rate
    step = eta if mods.ascent else -eta
    new_layers = [_replace_layer(layer, layer.W + step * g["W"], layer.b + step * g["b"])
                  for layer, g in zip(layers, grads)]
    _, new_zs, new_activations = _forward(new_layers, X, mods)
    new_per_row = losses(new_zs, new_activations)
    return Trace(
        mode="batch" if batch else "sample",
        x=x, y=Y if batch else Y[0],
        layers=tuple(LayerTrace(k, layer.activation.name, layer.W, layer.b,
                                unbatch(a_prevs[k]), unbatch(zs[k]), unbatch(activations[k]))
                     for k, layer in enumerate(layers)),
        output=unbatch(out), loss=reduce(per_row), per_sample_loss=per_row,
        loss_name=loss.name, reduction=reduction,
        grads=tuple(GradTrace(k, unbatch(g["dL_da"]), unbatch(g["da_dz"]), unbatch(g["dL_dz"]),
                              g["W"], g["b"], unbatch(g["dL_da_prev"]))
                    for k, g in enumerate(grads)),
        learning_rate=network.learning_rate,
        after=AfterUpdate(
            layers=tuple(LayerUpdate(k, new.W, new.b, new.W - old.W, new.b - old.b,
                                     unbatch(new_zs[k]), unbatch(new_activations[k]))
                         for k, (old, new) in enumerate(zip(layers, new_layers))),
            output=unbatch(new_activations[-1]), loss=reduce(new_per_row),
            per_sample_loss=new_per_row),
    )


@dataclass
class _Layer:
    W: np.ndarray
    b: np.ndarray
    activation: Any


def _replace_layer(layer: Any, W: np.ndarray, b: np.ndarray) -> _Layer:
    """A layer with ``layer``'s activation and the weights ``W``, ``b`` (the network's own
    layers are never changed)."""
    return _Layer(W, b, layer.activation)


def _plain_parts(trace: Trace, tree: tuple) -> dict[str, Any]:
    """The parts of ``trace.to_dict()`` that the expression ``tree`` can read: the roots it
    names, and in them only the fields it names. A batch trace of a few hundred rows holds a
    million numbers; converting them all for each mistake would take seconds."""
    names: set[str] = set()
    fields: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, tuple) and node:
            if node[0] == "name":
                names.add(node[1])
            elif node[0] == "field":
                fields.add(node[2])
            for child in node[1:]:
                walk(child)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(tree)

    def record(item: Any, keys: tuple[str, ...]) -> dict[str, Any]:
        return {key: _plain(json_value(item, key)) for key in keys if key in fields}

    plain: dict[str, Any] = {}
    for name in names:
        if name == "layers":
            plain[name] = [record(layer, ("activation", "W", "b", "a_prev", "z", "a"))
                           for layer in trace.layers]
        elif name == "grads":
            plain[name] = [record(grad, ("W", "b", "dL_da", "da_dz", "dL_dz", "dL_da_prev"))
                           for grad in trace.grads]
        elif name == "after":
            after = record(trace.after, ("output", "loss", "per_sample_loss"))
            if "layers" in fields:
                after["layers"] = [record(layer, ("W", "b", "dW", "db", "z", "a"))
                                   for layer in trace.after.layers]
            plain[name] = after
        elif name in ("x", "y", "output", "loss", "per_sample_loss", "learning_rate",
                      "loss_name", "reduction"):
            plain[name] = _plain(getattr(trace, name))
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- naming values for the feedback ----------------------------------------------------------


class _Names:
    """Math names for the values of one trace, as the panes write them (z₁, a₁, ŷ, W₂[1,2])."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.depth = len(trace.layers)

    def units(self, layer: int) -> int:
        return self.trace.layers[layer].W.shape[0]

    def _element(self, symbol: str, size: int, *indices: int) -> str:
        if size <= 1 or not indices:
            return symbol
        return f"{symbol}[{','.join(str(i + 1) for i in indices)}]"

    def z(self, layer: int, unit: int = 0) -> str:
        return self._element(f"z{subscript(layer + 1)}", self.units(layer), unit)

    def a(self, layer: int, unit: int = 0) -> str:
        symbol = "ŷ" if layer == self.depth - 1 else f"a{subscript(layer + 1)}"
        return self._element(symbol, self.units(layer), unit)

    def input(self, layer: int, unit: int = 0) -> str:
        """What layer ``layer``'s weights multiply: x (or x₂) for the first layer, else a₁..."""
        if layer == 0:
            size = self.trace.layers[0].W.shape[1]
            return "x" if size == 1 else f"x{subscript(unit + 1)}"
        return self.a(layer - 1, unit)

    def W(self, layer: int, row: int = 0, col: int = 0) -> str:
        W = self.trace.layers[layer].W
        if W.size == 1:
            return f"w{subscript(layer + 1)}"
        return f"W{subscript(layer + 1)}[{row + 1},{col + 1}]"

    def b(self, layer: int, unit: int = 0) -> str:
        return self._element(f"b{subscript(layer + 1)}", self.units(layer), unit)

    def slope(self, layer: int, unit: int = 0) -> str:
        return f"∂{self.a(layer, unit)}/∂{self.z(layer, unit)}"

    def activation(self, layer: int) -> str:
        return {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "softmax": "softmax",
                "identity": "id"}.get(self.trace.layers[layer].activation,
                                      self.trace.layers[layer].activation)

    def of(self, parts: tuple) -> str:
        """The name of the value at ``parts`` (its path text when it has no math name)."""
        row = _row_position(parts, self.trace.mode)
        plain = parts if row is None else parts[:row] + parts[row + 1:]
        after = bool(plain) and plain[0] == "after"
        head = plain[1:] if after else plain
        name = self._name(head) if head else None
        if name is None:
            return _Path((), parts).text
        if after:
            changed = head[0] == "layers" and head[2] in ("W", "b")
            name = f"the new {name}" if changed else f"{name} after the step"
        return name + ("" if row is None else f" (row {parts[row] + 1})")

    def _name(self, head: tuple) -> str | None:
        try:
            if head == ("loss",):
                return "L"
            if head[0] == "per_sample_loss":
                return "the row's loss"
            if head[0] == "output":
                return self.a(self.depth - 1, head[1])
            if head[0] == "layers":
                layer, fieldname, rest = head[1], head[2], head[3:]
                if fieldname == "z":
                    return self.z(layer, *rest)
                if fieldname == "a":
                    return self.a(layer, *rest)
                if fieldname == "W":
                    return self.W(layer, *rest)
                if fieldname == "b":
                    return self.b(layer, *rest)
                if fieldname in ("dW", "db"):
                    target = self.W(layer, *rest) if fieldname == "dW" else self.b(layer, *rest)
                    return f"the change of {target}"
            if head[0] == "grads":
                layer, fieldname, rest = head[1], head[2], head[3:]
                if fieldname == "W":
                    return f"∂L/∂{self.W(layer, *rest)}"
                if fieldname == "b":
                    return f"∂L/∂{self.b(layer, *rest)}"
                if fieldname == "dL_dz":
                    return f"∂L/∂{self.z(layer, *rest)}"
                if fieldname == "dL_da":
                    return f"∂L/∂{self.a(layer, *rest)}"
                if fieldname == "da_dz" and self.trace.layers[layer].activation != "softmax":
                    return self.slope(layer, *rest)
                if fieldname == "dL_da_prev":
                    return f"∂L/∂{self.input(layer, *rest)}"
        except (IndexError, TypeError):
            return None
        return None


def _chain(trace: Trace, names: _Names, parts: tuple) -> list[tuple] | None:
    """The chain-rule product a gradient path is, as (symbol, value, role, partial) factors
    from the loss down, where it is one product of single numbers (sample mode, element-wise
    activations, one unit per layer on the way back); None otherwise. Roles: "loss",
    "slope:K", "weight:K", "input"; ``partial`` names the product of the factors up to and
    including this one (∂L/∂z₂ after ∂L/∂ŷ · ∂ŷ/∂z₂)."""
    if trace.mode != "sample" or not parts or parts[0] != "grads":
        return None
    layer, fieldname = parts[1], parts[2]
    if fieldname not in ("W", "b", "dL_dz", "dL_da"):
        return None
    unit = parts[3]
    last = len(trace.layers) - 1
    factors: list[tuple] = []
    if fieldname == "W":
        column = parts[4]
        factors.append((names.input(layer, column), float(trace.layers[layer].a_prev[column]),
                        "input", ""))
    k, j = layer, unit
    if fieldname == "dL_da":
        # ∂L/∂a of a hidden neuron = the next layer's weight from it · that layer's ∂L/∂z.
        if layer == last or trace.layers[layer + 1].W.shape[0] != 1:
            return None
        factors.append((names.W(layer + 1, 0, unit), float(trace.layers[layer + 1].W[0][unit]),
                        f"weight:{layer + 1}", f"∂L/∂{names.a(layer, unit)}"))
        k, j = layer + 1, 0
    while True:
        if trace.layers[k].activation == "softmax":
            return None
        factors.append((names.slope(k, j), float(trace.grads[k].da_dz[j]), f"slope:{k}",
                        f"∂L/∂{names.z(k, j)}"))
        if k == last:
            factors.append((f"∂L/∂{names.a(k, j)}", float(trace.grads[k].dL_da[j]), "loss",
                            f"∂L/∂{names.a(k, j)}"))
            break
        following = trace.layers[k + 1]
        if following.W.shape[0] != 1:
            return None
        factors.append((names.W(k + 1, 0, j), float(following.W[0][j]), f"weight:{k + 1}",
                        f"∂L/∂{names.a(k, j)}"))
        k, j = k + 1, 0
    factors.reverse()
    product = math.prod(factor[1] for factor in factors)
    expected = float(_resolve(parts, trace.to_dict()))
    if not math.isclose(product, expected, rel_tol=1e-6, abs_tol=1e-12):
        return None  # a fused output gradient where the separate factors round badly
    return factors


def _factor(value: float) -> str:
    text = num(value)
    return f"({text})" if value < 0 else text


def _product_clause(factors: list[tuple], left_out: str) -> str | None:
    """"0.3250 · 0.7311 = 0.2376: that is ∂L/∂ŷ · a₁ without ∂ŷ/∂z₂ = 0.2194", for the chain
    ``factors`` with the factor of role ``left_out`` removed. The factors above the one left
    out are written as the one number they make (∂L/∂a₁ = −0.0713 rather than four factors),
    as the panes show it."""
    roles = [factor[2] for factor in factors]
    if left_out not in roles:
        return None
    gone_at = roles.index(left_out)
    gone = factors[gone_at]
    above, below = factors[:gone_at], factors[gone_at + 1:]
    if len(above) > 1:
        above = [(above[-1][3], math.prod(factor[1] for factor in above), "", "")]
    rest = above + below
    if not rest:
        return None
    symbols = " · ".join(factor[0] for factor in rest)
    product = math.prod(factor[1] for factor in rest)
    worked = num(product)
    if len(rest) > 1:
        worked = " · ".join(_factor(factor[1]) for factor in rest) + " = " + worked
    return f"{worked}: that is {symbols} without {gone[0]} = {num(gone[1])}"


# -- building the candidates -----------------------------------------------------------------


class _Work:
    """The candidates of one check: its view, answer and the paths the answer reads."""

    def __init__(self, session: LessonSession, view: StepView, expression: Expression,
                 context: dict[str, Any], paths: list[_Path]) -> None:
        self.session = session
        self.view = view
        self.trace = view.trace
        self.network = view.network
        self.expression = expression
        self.context = context
        self.paths = paths
        self.names = _Names(self.trace)
        self.bare = len(paths) == 1 and paths[0].node is expression.tree
        self.asked = self.names.of(paths[0].parts) if self.bare else "the answer"
        self.depth = len(self.trace.layers)
        self.families = {self._family(path.parts) for path in paths}
        self.right = float(expression.evaluate(context))

    # -- shared ----------------------------------------------------------------------------

    @staticmethod
    def _family(parts: tuple) -> str:
        if parts[0] == "grads":
            return "gradient"
        if parts[0] == "after":
            if len(parts) > 3 and parts[1] == "layers" and parts[3] in ("W", "b", "dW", "db"):
                return "update"
            return "after"
        if parts[0] in ("output", "loss", "per_sample_loss"):
            return "forward"
        if parts[0] == "layers" and len(parts) > 2 and parts[2] in ("z", "a", "a_prev"):
            return "forward"
        return "given"  # W, b, x, y, learning_rate: numbers the lesson gives

    def _evaluate(self, context: dict[str, Any], tree: tuple | None = None) -> float | None:
        try:
            value = Expression(self.expression.source, tree or self.expression.tree
                               ).evaluate(context)
        except ExpressionError:
            return None
        value = float(value)
        return value if math.isfinite(value) else None

    def _mistake(self, kind: str, value: float | None, clause: str,
                 zero: bool = True) -> list[Mistake]:
        """The mistake ``kind`` giving ``value`` (none if it cannot be computed). ``zero``:
        whether 0 may be its number (a gradient that comes out 0 from a degenerate factor,
        z = 1 in z·(1 − z), would explain every "no idea, 0" as that mistake)."""
        if value is None or not math.isfinite(value) or (value == 0.0 and not zero):
            return []
        if clause.startswith("="):  # a clause that writes its own arithmetic
            return [Mistake(kind, value, clause[1:].strip())]
        return [Mistake(kind, value, f"{num(value)}: {clause}")]

    def _layers_of(self, families: Iterable[str]) -> list[int]:
        """The layers whose forward computation the answer's forward values depend on."""
        deepest = -1
        for path in self.paths:
            head = path.parts[1:] if path.parts[0] == "after" else path.parts
            if self._family(path.parts) not in families:
                continue
            if head[0] == "layers" and len(head) > 2 and head[2] in ("z", "a"):
                deepest = max(deepest, head[1])
            elif head[0] == "layers" and len(head) > 2 and head[2] == "a_prev":
                deepest = max(deepest, head[1] - 1)
            else:
                deepest = self.depth - 1
        return list(range(deepest + 1))

    def _rows(self) -> list[int]:
        """Data rows other than the traced one, nearest first (sample mode on a data row)."""
        if self.trace.mode != "sample" or len(self.trace.rows) != 1:
            return []
        row = self.trace.rows[0]
        total = len(self.session.lesson.X)
        return [r for r in range(row - NEIGHBOUR_ROWS, row + NEIGHBOUR_ROWS + 1)
                if r != row and 0 <= r < total]

    # -- systematic mistakes: the whole computation done one wrong way -----------------------

    def _under(self, mods: _Mods, x=None, y=None) -> float | None:
        x = self.trace.x if x is None else x
        y = self.trace.y if y is None else y
        updated = [layer.W for layer in self.trace.after.layers]
        mistaken = _run(self.network, x, y, mods, updated)
        context = dict(self.context)
        context.update(_plain_parts(mistaken, self.expression.tree))
        return self._evaluate(context)

    def systematic(self) -> list[Mistake]:
        families = self.families
        names = self.names
        found: list[Mistake] = []
        asked = self.asked
        forwardish = families & {"forward", "after", "update", "gradient"}
        if not forwardish:
            return found
        gradient = "gradient" in families
        moving = families & {"update", "after"}
        values = families & {"forward", "after"}
        bare_parts = self.paths[0].parts if self.bare else ()
        chain = _chain(self.trace, names, bare_parts) if self.bare else None

        # The forward pass done wrong (bias, activation, another row) explains a number the
        # learner computed through the network: a bare path, or an expression of one such value
        # (100·ŷ, ŷ − 0.5). An expression comparing several values (a ratio of two squared
        # misses) works with numbers the question gives, and a forward mistake would tell a
        # story about a computation the learner never made.
        one_value = self.bare or len(self.paths) == 1
        if values and one_value:
            for k in self._layers_of({"forward", "after"}):
                b = self.trace.layers[k].b
                unit = self._asked_unit(bare_parts, k)
                if unit is not None:  # the bias of the very neuron asked about
                    bias = f"{names.b(k, unit)} = {num(b[unit])}"
                else:
                    bias = (f"{names.b(k)} = {num(b[0])}" if b.size == 1
                            else f"b{subscript(k + 1)}")
                whose = "" if self.bare and self._layer_of(bare_parts) == k else (
                    f" (in layer {k + 1})")
                found += self._mistake("bias_left_out", self._under(_Mods(no_bias=k)),
                                       f"that is {asked} computed without the bias {bias}"
                                       f"{whose}: z = w·a + b, the bias is added after the "
                                       "weighted sum.")
                act = names.activation(k)
                unit = self._asked_activation(bare_parts, k)
                if unit is not None:
                    clause = (f"that is {names.z(k, unit)}, before the activation: "
                              f"{asked} = {act}({names.z(k, unit)}) still has to be applied.")
                else:
                    clause = (f"that is {asked} with the activation {act} of layer {k + 1} "
                              f"not applied (z{subscript(k + 1)} passed on as "
                              f"a{subscript(k + 1)}).")
                found += self._mistake("z_for_a", self._under(_Mods(skip_activation=k)), clause)
                found += self._mistake(
                    "activation_twice", self._under(_Mods(double_activation=k)),
                    f"that is {asked} with {act} applied twice in layer {k + 1}, "
                    f"{act}({act}(z{subscript(k + 1)})): each layer applies its activation "
                    "once.")
        if values and self._reads_loss():
            found += self._loss_mistakes()

        if gradient:
            found += self._gradient_mistakes(chain)

        if moving:
            eta = num(self.trace.learning_rate)
            found += self._mistake(
                "gradient_ascent", self._under(_Mods(ascent=True)),
                f"that is {asked} after w + η·∂L/∂w, a step up the gradient; gradient descent "
                "subtracts: w − η·∂L/∂w.")
            found += self._mistake(
                "eta_left_out", self._under(_Mods(eta_one=True)),
                f"that is {asked} after w − ∂L/∂w, without the learning rate η = {eta}: the "
                "step is η times the gradient.")

        if self.trace.mode == "batch" and (gradient or moving or self._reads_loss()):
            found += self._batch_mistakes()

        for row in self._rows() if one_value else ():
            X, Y = self.session.lesson.X, self.session.lesson.Y
            found += self._mistake(
                "other_row", self._under(_Mods(), X[row], Y[row]),
                f"that is {asked} for data row {row + 1}; this step traces row "
                f"{self.trace.rows[0] + 1}.")
        return found

    def _asked_unit(self, parts: tuple, layer: int) -> int | None:
        """The unit when ``parts`` (a bare path) asks for z or a of one neuron of ``layer``."""
        if self.trace.mode != "sample":
            return None
        if parts[:1] == ("output",) and layer == self.depth - 1:
            return parts[-1]
        if parts[:2] == ("layers", layer) and len(parts) == 4 and parts[2] in ("z", "a"):
            return parts[-1]
        return None

    def _asked_activation(self, parts: tuple, layer: int) -> int | None:
        """The unit when ``parts`` (a bare path) asks for layer ``layer``'s activation a."""
        if parts[:1] == ("output",) and layer == self.depth - 1:
            return parts[-1]
        if parts[:3] == ("layers", layer, "a"):
            return parts[-1]
        return None

    @staticmethod
    def _layer_of(parts: tuple) -> int | None:
        head = parts[1:] if parts[:1] == ("after",) else parts
        if len(head) > 1 and head[0] in ("layers", "grads") and isinstance(head[1], int):
            return head[1]
        return None

    def _reads_loss(self) -> bool:
        return any((path.parts[1:] if path.parts[0] == "after" else path.parts)[0]
                   in ("loss", "per_sample_loss") for path in self.paths)

    def _loss_mistakes(self) -> list[Mistake]:
        found: list[Mistake] = []
        loss = self.trace.loss_name
        outputs = int(np.asarray(self.trace.y).shape[-1])
        asked = self.asked
        if loss == "half_sse":
            found += self._mistake("loss_without_half", self._under(_Mods(loss_scale=2.0)),
                                   f"that is {asked} with Σ(y − ŷ)² in place of ½·Σ(y − ŷ)²: "
                                   "the ½ in front is missing.")
        if loss in ("mse", "bce") and outputs > 1:
            found += self._mistake(
                "loss_without_1_over_k", self._under(_Mods(loss_scale=float(outputs))),
                f"that is {asked} summed over the K = {outputs} outputs; {loss} takes their "
                f"mean, so divide by K = {outputs}.")
        if loss in ("bce", "cross_entropy"):
            found += self._mistake("sign_flipped", self._under(_Mods(loss_scale=-1.0)),
                                   f"that is {asked} without the minus in front of the log: "
                                   "ln of a probability is negative, the loss is not.")
        if loss == "cross_entropy" and outputs > 1:
            target = np.asarray(self.trace.y)
            for k in range(outputs):
                if target.ndim == 1 and target[k] == 1.0:
                    continue
                found += self._mistake(
                    "other_class", self._under(_Mods(target_class=k)),
                    f"that is {asked} with the log of {self.names.a(self.depth - 1, k)}, "
                    f"the probability of output {k + 1}; cross-entropy takes the probability "
                    "of the true class (where y = 1).")
        return found

    def _gradient_mistakes(self, chain) -> list[Mistake]:
        names = self.names
        found: list[Mistake] = []
        asked = self.asked
        grad_paths = [path for path in self.paths if path.parts[0] == "grads"]
        shallowest = min(path.parts[1] for path in grad_paths)
        last = self.depth - 1
        only_loss_derivative = all(path.parts[1] == last and path.parts[2] == "dL_da"
                                   for path in grad_paths)

        def slope_is_asked(k: int) -> bool:
            return all(path.parts[1] == k and path.parts[2] == "da_dz" for path in grad_paths)

        def mistake(kind: str, value: float | None, text: str) -> list[Mistake]:
            return self._mistake(kind, value, text, zero=False)

        def clause(role: str, generic: str) -> str:
            if chain is not None:
                text = _product_clause(chain, role)
                if text is not None:
                    return "=" + text + "."
            return generic

        if not only_loss_derivative:
            found += mistake(
                "missing_loss_derivative", self._under(_Mods(drop_loss_derivative=True)),
                clause("loss", f"that is {asked} without the loss derivative ∂L/∂ŷ: the chain "
                               "rule starts at the loss."))
        for k in range(shallowest, self.depth):
            if slope_is_asked(k):
                continue
            act = self.trace.layers[k].activation
            found += mistake(
                "missing_activation_slope", self._under(_Mods(drop_slope=k)),
                clause(f"slope:{k}", f"that is {asked} without the slope of layer {k + 1}'s "
                                     f"{act} (∂a{subscript(k + 1)}/∂z{subscript(k + 1)}): the "
                                     "chain rule passes through every activation."))
        for k in range(shallowest + 1, self.depth):
            found += mistake(
                "missing_weight_back", self._under(_Mods(drop_weight_back=k)),
                clause(f"weight:{k}", f"that is {asked} without the weights W{subscript(k + 1)} "
                                      "on the way back: the blame reaches a hidden neuron "
                                      "through the weight that carried its signal."))
            new = self.trace.after.layers[k].W
            old = self.trace.layers[k].W
            one = old.size == 1
            found += mistake(
                "updated_weights", self._under(_Mods(updated_back=k)),
                f"that uses the new {names.W(k) if one else 'W' + subscript(k + 1)}"
                f"{' = ' + num(new.flat[0]) if one else ''} on the way back; backprop uses the "
                f"old {'one, ' + num(old.flat[0]) if one else 'weights'}, those the forward pass "
                "ran with.")
        for k in range(shallowest, self.depth):
            act = self.trace.layers[k].activation
            if act in ("sigmoid", "tanh", "softmax"):
                formula = {"sigmoid": "a·(1 − a)", "tanh": "1 − a²",
                           "softmax": "aᵢ·(δᵢⱼ − aⱼ)"}[act]
                found += mistake(
                    "z_for_a", self._under(_Mods(slope_z_for_a=k)),
                    f"that is {asked} with the slope {formula} of layer {k + 1} worked out "
                    f"with z{subscript(k + 1)} in place of a{subscript(k + 1)}: the formula "
                    "takes the activation's output.")
                found += mistake(
                    "a_for_z", self._under(_Mods(slope_a_for_z=k)),
                    f"that is {asked} with the slope of layer {k + 1} taken at "
                    f"a{subscript(k + 1)} instead of at z{subscript(k + 1)}: "
                    f"{names.activation(k)}′(a) is not {names.activation(k)}′(z).")
        if not only_loss_derivative:
            found += mistake(
                "z_for_a", self._under(_Mods(loss_derivative_at_z=True)),
                f"that is {asked} with ∂L/∂ŷ worked out with z{subscript(self.depth)} in place "
                "of ŷ: the loss compares the output ŷ with y.")
        else:
            found += mistake(
                "z_for_a", self._under(_Mods(loss_derivative_at_z=True)),
                f"that is {asked} worked out with z{subscript(self.depth)} in place of ŷ: the "
                "loss compares the output ŷ = f(z) with y.")
        for path in grad_paths:
            layer = path.parts[1]
            if path.parts[2] == "W" and layer > 0:
                found += mistake(
                    "z_for_a", self._under(_Mods(input_z=layer)),
                    f"that uses z{subscript(layer)} where a{subscript(layer)} belongs: "
                    f"∂z{subscript(layer + 1)}/∂w is the activation a{subscript(layer)} "
                    f"the weight multiplies.")
        return found

    def _batch_mistakes(self) -> list[Mistake]:
        found: list[Mistake] = []
        asked = self.asked
        n = len(self.trace.x)
        if self.trace.reduction == "mean":
            found += self._mistake(
                "sum_for_mean", self._under(_Mods(reduction="sum")),
                f"that is {asked} with the sum over the {n} rows; the loss is their mean, so "
                f"everything is divided by {n}.")
        else:
            found += self._mistake(
                "mean_for_sum", self._under(_Mods(reduction="mean")),
                f"that is {asked} with the mean over the {n} rows; this loss is their sum.")
        # One row worked through alone: the lesson's focus row (the one the sample steps
        # follow) or the first.
        rows = sorted({row for row in (self.session.lesson.focus, 0) if row < n})
        how = "averages" if self.trace.reduction == "mean" else "adds up"
        for row in rows:
            found += self._mistake(
                "one_row_for_batch",
                self._under(_Mods(), self.trace.x[[row]], self.trace.y[[row]]),
                f"that is {asked} for row {row + 1} alone; the batch {how} all {n} rows.")
        return found

    # -- mistakes of one value the answer reads ----------------------------------------------

    def _alternatives(self, path: _Path) -> list[tuple[str, float, str]]:
        """(kind, mistaken value, clause) for the value at ``path`` alone."""
        parts = path.parts
        names = self.names
        context = self.context
        here = float(_resolve(parts, context))
        name = names.of(parts)
        found: list[tuple[str, float, str]] = []
        head = parts[1:] if parts[0] == "after" else parts
        if parts[0] == "grads":
            layer, fieldname = parts[1], parts[2]
            slope = fieldname == "da_dz"
            squared = self.trace.loss_name in ("half_sse", "mse") and not slope
            found.append(("sign_flipped", -here,
                          f"{name} has this size but the other sign: "
                          + ("check the sign of each part of the slope's formula." if slope
                             else "check the order in ŷ − y and the sign of each factor.")))
            found.append(("factor_two", 2 * here,
                          f"twice {name}: a factor 2 too many"
                          + (" (the ½ of the loss cancels the 2 of the square)." if squared
                             else ".")))
            found.append(("factor_two", here / 2,
                          f"half of {name}: a factor 2 too few"
                          + (" (the 2 from differentiating the square is missing)." if squared
                             else ".")))
            if fieldname == "W" and self.trace.mode == "sample":
                unit, column = parts[3], parts[4]
                b_value = float(context["grads"][layer]["b"][unit])
                factor = names.input(layer, column)
                value = float(self.trace.layers[layer].a_prev[column])
                found.append(("missing_input", b_value,
                              f"that is ∂L/∂{names.z(layer, unit)}, without the factor "
                              f"{factor} = {num(value)}: ∂z/∂w is the input {factor} the "
                              "weight multiplies."))
            elif fieldname == "W":
                unit = parts[3]
                found.append(("missing_input", float(context["grads"][layer]["b"][unit]),
                              f"that is ∂L/∂{names.b(layer, unit)}: ∂L/∂w multiplies each "
                              "row's ∂L/∂z by the input the weight multiplies."))
            if (fieldname in ("W", "b", "dL_dz") and self.trace.mode == "sample"
                    and self.trace.layers[layer].activation != "softmax"):
                unit = parts[3]
                blame = float(self.trace.grads[layer].dL_da[unit])
                slope = float(self.trace.grads[layer].da_dz[unit])
                rest = f"{names.slope(layer, unit)} = {num(slope)}"
                if fieldname == "W":
                    rest += (f" and then {names.input(layer, parts[4])} = "
                             f"{num(float(self.trace.layers[layer].a_prev[parts[4]]))}")
                found.append(("chain_cut_short", blame,
                              f"that is ∂L/∂{names.a(layer, unit)}, where the chain stops "
                              f"short: it still passes through {rest}."))
            if (fieldname == "da_dz" and self.trace.layers[layer].activation != "softmax"
                    and len(parts) > 3):
                a_parts = ("layers", layer, "a") + parts[3:]
                value = float(_resolve(a_parts, context))
                act = names.activation(layer)
                found.append(("activation_for_slope", value,
                              f"that is {names.of(a_parts)} = {act}(z) itself; the slope is "
                              f"{act}′(z), how fast {act} rises there."))
        if head[0] == "layers" and len(head) > 3 and head[2] == "z" and parts[0] != "after":
            a_parts = ("layers",) + head[1:2] + ("a",) + head[3:]
            value = float(_resolve(a_parts, context))
            found.append(("a_for_z", value,
                          f"that is {names.of(a_parts)}, after the activation; {name} is the "
                          "weighted sum before it."))
        row = _row_position(parts, self.trace.mode)
        if row is not None:
            n = len(self.trace.x)
            others = [r for r in range(parts[row] - NEIGHBOUR_ROWS,
                                       parts[row] + NEIGHBOUR_ROWS + 1)
                      if r != parts[row] and 0 <= r < n]
            for other in others:
                moved = parts[:row] + (other,) + parts[row + 1:]
                found.append(("other_row", float(_resolve(moved, context)),
                              f"that is {names.of(moved)}: the question asks about row "
                              f"{parts[row] + 1}."))
        if parts[0] == "after":
            before = parts[1:]
            if head[0] == "layers" and head[2] in ("z", "a") or head[0] in (
                    "output", "loss", "per_sample_loss"):
                old: float | None
                try:
                    old = float(_resolve(before, context))
                except (KeyError, IndexError, TypeError):
                    old = None
                if old is not None:
                    found.append(("old_weights", old,
                                  f"that is {names.of(before)} before the update; the question "
                                  "asks for the value after the step."))
            if head[0] == "layers" and head[2] in ("W", "b"):
                before = ("layers",) + head[1:]
                value = float(_resolve(before, context))
                found.append(("old_weights", value,
                              f"that is {names.of(before)} as it was: the update "
                              f"{names.of(before)} − η·∂L/∂{names.of(before)} has not been "
                              "applied."))
            if head[0] == "layers" and head[2] in ("W", "b", "dW", "db"):
                found += self._other_parameters(parts)
        return found

    def _other_parameters(self, parts: tuple) -> list[tuple[str, float, str]]:
        """The update of the parameter at ``parts`` with another parameter's gradient."""
        layer, fieldname = parts[2], parts[3]
        index = parts[4:]
        grads = self.trace.grads
        eta = self.trace.learning_rate
        names = self.names
        is_bias = fieldname in ("b", "db")
        old = float(self.trace.layers[layer].b[index] if is_bias
                    else self.trace.layers[layer].W[index])
        own = float(grads[layer].dL_db[index] if is_bias else grads[layer].dL_dW[index])
        target = names.b(layer, *index) if is_bias else names.W(layer, *index)
        options: list[tuple[str, float]] = []
        for k in [layer] + [k for k in range(self.depth) if k != layer]:
            for position in np.ndindex(grads[k].dL_dW.shape):
                if not (k == layer and not is_bias and position == tuple(index)):
                    options.append((names.W(k, *position), float(grads[k].dL_dW[position])))
            for position in np.ndindex(grads[k].dL_db.shape):
                if not (k == layer and is_bias and position == tuple(index)):
                    options.append((names.b(k, *position), float(grads[k].dL_db[position])))
        found = []
        # A zero gradient would be "not updated at all", which another parameter's name
        # does not explain.
        options = [option for option in options if option[1] != 0.0]
        for other, gradient in options[:MAX_OTHER_PARAMETERS]:
            change = -eta * gradient
            value = change if fieldname in ("dW", "db") else old + change
            found.append(("other_parameter", value,
                          f"that moves {target} by the gradient of {other} (∂L/∂{other} = "
                          f"{num(gradient)}); each parameter moves by its own, ∂L/∂{target} = "
                          f"{num(own)}."))
        return found

    def by_path(self) -> list[Mistake]:
        found: list[Mistake] = []
        for path in self.paths:
            for kind, alternative, clause in self._alternatives(path):
                if self.bare:
                    found += self._mistake(kind, alternative, clause)
                    continue
                tree = _substituted(self.expression.tree, path.node, alternative)
                value = self._evaluate(self.context, tree)
                found += self._mistake(
                    kind, value, f"that is the answer worked out with {num(alternative)} for "
                                 f"{self.names.of(path.parts)} — {clause}")
        return found

    def whole(self) -> list[Mistake]:
        """The answer's subtraction the wrong way round (``after.loss - loss`` for
        ``loss - after.loss``)."""
        tree = self.expression.tree
        if self.bare or tree[0] != "binary" or tree[1] != "-":
            return []
        swapped = ("binary", "-", tree[3], tree[2])
        value = self._evaluate(self.context, swapped)
        return self._mistake("sign_flipped", value,
                             f"that is {_source(swapped)}, the difference taken the other way "
                             "round: the sign is flipped.")


__all__ = ["Diagnosis", "KINDS", "Mistake", "automatic_mistakes", "candidates", "diagnose",
           "teacher_mistakes"]
