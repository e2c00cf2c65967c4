"""Explore mode's model: the learner's edits to the numbers of one step, and what they do.

An ``ExploreSession`` starts from a ``StepView`` (the network in force at a step and the data it
traces) and never changes it: edits are kept as a mapping from ``EditTarget`` to value and applied
to copies (``edits.apply_edits``), so leaving explore mode or resetting gives back the step's own
objects, bit for bit, and the lesson's replay, progress and checks never see an edit.

Every number shown comes from the engine's ``Network.trace`` of the edited copy. Traces are
cached by value (the parameters' bytes, the data's bytes), so a nudge up and back down shows the
same Trace object again, and no edit at all shows the step's own trace.

The slope readout (``SlopeReadout``) is how a learner sees a derivative as a slope. For the
selected number p:

- the loss that depends on p is ``loss`` (L) for weights, biases, inputs and targets; for the
  learning rate η it is ``after.loss`` (the loss after the gradient step: L itself does not
  depend on η);
- the last change of p: L before, L after, ΔL, Δp and the ratio ΔL/Δp (a forward difference);
- backpropagation's ∂L/∂p at the current point, read from the trace: ``grads[i].W[r][c]``,
  ``grads[i].b[r]``, and for an input ``grads[0].dL_da_prev[k]`` (the blame the first layer
  passes to its input). Backpropagation never runs to the targets or to η, so for y and η there
  is none and the readout says so;
- a central difference (L(p + h) − L(p − h)) / 2h with h = 1e−7·max(1, |p|) (the gradient
  check; one-sided where p ± h is not allowed: η near 0, a bce or cross-entropy target at 0 or
  1). For y and η it is the only slope shown.

As the step shrinks, ΔL/Δp meets ∂L/∂p: the error of a forward difference is about ½·L''·Δp.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nn_tui.engine import Network, Trace
from nn_tui.lessons.edits import (
    EditError,
    EditTarget,
    apply_edits,
    check_value,
    editable_targets,
    value_of,
)
from nn_tui.lessons.session import Highlight, Reveal, StepView, _network_key

DEFAULT_STEP_EXPONENT = -1  # nudges start at 0.1
MIN_STEP_EXPONENT = -9
MAX_STEP_EXPONENT = 3
CENTRAL_H = 1e-7
TRACE_CACHE = 64  # edited traces kept (a nudge back and forth reuses them)


def step_text(exponent: int) -> str:
    """The step size 10^exponent as a learner reads it: ``0.1``, ``0.0001``, ``1e-5``, ``1000``."""
    return f"{10.0 ** exponent:g}" if -4 <= exponent <= 5 else f"1e{exponent}"


@dataclass(frozen=True)
class Change:
    """The most recent change of one number: by a nudge or a typed value.

    ``loss_before``/``loss_after`` are the loss that depends on the number (see the module
    docstring) before and after the change."""

    target: EditTarget
    before: float
    after: float
    loss_before: float
    loss_after: float

    @property
    def delta(self) -> float:
        """Δp."""
        return self.after - self.before

    @property
    def loss_delta(self) -> float:
        """ΔL."""
        return self.loss_after - self.loss_before

    @property
    def ratio(self) -> float | None:
        """ΔL/Δp, the slope of the secant; None when p did not move."""
        if self.delta == 0:
            return None
        return self.loss_delta / self.delta


@dataclass(frozen=True)
class SlopeReadout:
    """What the slope pane shows for the selected number (see the module docstring)."""

    target: EditTarget
    value: float  # p now
    loss_path: str  # "loss" or "after.loss"
    loss: float  # that loss now
    change: Change | None  # the last change, when it was of this number
    backprop: float | None  # ∂L/∂p from the trace; None for y and η
    backprop_path: str | None  # where in the trace it was read ("grads[1].W[0][0]")
    central: float  # the central difference
    h: float


@dataclass(frozen=True)
class ExploreView(StepView):
    """A ``StepView`` of the edited network: what the panes draw in explore mode.

    ``base`` is the step's own trace (for "old → new" marks: the panes compare the two traces
    number by number, they compute nothing); ``selected`` is the number under the cursor;
    ``editable`` the numbers the cursor can reach."""

    base: Trace | None = None
    selected: EditTarget | None = None
    editable: frozenset[EditTarget] = frozenset()

    @property
    def marks(self) -> Trace | None:
        """The trace to compare with for "was" marks: None when nothing is edited."""
        return None if self.base is None or self.base is self.trace else self.base


def loss_path(target: EditTarget) -> str:
    """The trace field holding the loss that depends on ``target``."""
    return "after.loss" if target.kind == "learning_rate" else "loss"


def loss_of(trace: Trace, target: EditTarget) -> float:
    """The loss that depends on ``target`` in ``trace``: ``after.loss`` for η, else ``loss``."""
    return float(trace.after.loss if target.kind == "learning_rate" else trace.loss)


def backprop_slope(trace: Trace, target: EditTarget) -> tuple[float | None, str | None]:
    """∂L/∂p as backpropagation computed it in ``trace``, and its trace path; (None, None) for
    a target and η (backpropagation does not run to them)."""
    if target.kind in ("W", "b") and target.layer is not None:
        grads = trace.grads[target.layer]
        array = grads.dL_dW if target.kind == "W" else grads.dL_db
        indexes = "".join(f"[{i}]" for i in target.index)
        return float(np.asarray(array)[target.index]), \
            f"grads[{target.layer}].{target.kind}{indexes}"
    if target.kind == "x":
        indexes = "".join(f"[{i}]" for i in target.index)
        return float(np.asarray(trace.grads[0].dL_da_prev)[target.index]), \
            f"grads[0].dL_da_prev{indexes}"
    return None, None


class ExploreSession:
    """The edits of one explore visit, started from ``view`` (which is never changed).

    ``editable`` (None = every number) limits what the cursor can reach, as an explore step's
    ``editable`` list does. ``update_shown``: whether the lesson has shown a gradient step by
    this step (explore mode then shows the update and the forward pass after it; before, a
    learner reads "ŷ new" as ŷ); None decides from ``view`` alone (its reveal, or an update
    already applied). Raises ValueError if it leaves nothing to edit.
    """

    def __init__(self, view: StepView, editable: Iterable[EditTarget] | None = None,
                 update_shown: bool | None = None) -> None:
        self.view = view
        if update_shown is None:
            update_shown = view.reveal.update or view.updates_applied > 0
        self.update_shown = bool(update_shown)
        self.network: Network = view.network
        self.x = np.array(view.trace.x, dtype=float)
        self.y = np.array(view.trace.y, dtype=float)
        self.rows: tuple[int, ...] = tuple(view.trace.rows)
        every = editable_targets(self.network, self.x, self.y)
        if editable is not None:
            allowed = set(editable)
            every = [target for target in every if target in allowed]
        if not every:
            raise ValueError("nothing to edit")
        self.targets: list[EditTarget] = every
        self.cursor = 0
        self.step_exponent = DEFAULT_STEP_EXPONENT
        self.edits: dict[EditTarget, float] = {}
        self.last: Change | None = None
        self._cache: OrderedDict[tuple, Trace] = OrderedDict()
        self._views: OrderedDict[tuple, ExploreView] = OrderedDict()

    # -- the cursor and the step -----------------------------------------------------------------

    @property
    def selected(self) -> EditTarget:
        return self.targets[self.cursor]

    def move(self, offset: int) -> EditTarget:
        """Move the cursor ``offset`` numbers along (reading order, wrapping round)."""
        self.cursor = (self.cursor + offset) % len(self.targets)
        return self.selected

    def select(self, target: EditTarget) -> None:
        """Put the cursor on ``target``; ValueError if it is not editable here."""
        self.cursor = self.targets.index(target)

    @property
    def step(self) -> float:
        """The nudge size, a power of ten."""
        return 10.0 ** self.step_exponent

    @property
    def step_label(self) -> str:
        return step_text(self.step_exponent)

    def scale_step(self, up: bool) -> float:
        """Multiply (``up``) or divide the step by 10, within 1e−9 … 1000."""
        exponent = self.step_exponent + (1 if up else -1)
        self.step_exponent = max(MIN_STEP_EXPONENT, min(MAX_STEP_EXPONENT, exponent))
        return self.step

    # -- values ----------------------------------------------------------------------------------

    def base_value(self, target: EditTarget) -> float:
        """``target``'s value at the step (before any edit)."""
        return value_of(target, self.network, self.x, self.y)

    def value(self, target: EditTarget | None = None) -> float:
        """``target``'s current value (the selected number's by default)."""
        target = self.selected if target is None else target
        if target in self.edits:
            return self.edits[target]
        return self.base_value(target)

    @property
    def edited(self) -> bool:
        return bool(self.edits)

    def nudge(self, direction: int) -> float:
        """Add ``direction``·step to the selected number; returns its new value. Raises EditError
        when the result is refused (η ≤ 0, overflow), and then nothing changes."""
        target = self.selected
        old = self.value(target)
        new = old + direction * self.step
        base = self.base_value(target)
        # Back where it started, up to the rounding of the additions: the step's own number, so
        # the step's own trace (not one that differs in the last bit) is shown again.
        if abs(new - base) <= abs(self.step) * 1e-9:
            new = base
        return self.set_value(new, target)

    def set_value(self, value: float, target: EditTarget | None = None) -> float:
        """Give ``target`` (the selected number by default) ``value``. Raises EditError, with
        nothing changed, for a value ``check_value`` refuses (not finite, beyond ±1e6, η ≤ 0,
        a target outside 0..1 for a loss of probabilities)."""
        target = self.selected if target is None else target
        if target not in self.targets:
            raise EditError(f"{target.path} is not editable here")
        value = check_value(target, value, self.network)
        before_trace = self.trace
        before = self.value(target)
        edits = dict(self.edits)
        if value == self.base_value(target):
            edits.pop(target, None)
        else:
            edits[target] = value
        after_trace = self._trace_for(edits)
        self.edits = edits
        self.last = Change(target, before, value, loss_of(before_trace, target),
                           loss_of(after_trace, target))
        return value

    def set_text(self, text: str, target: EditTarget | None = None) -> float:
        """Give the selected number the value typed in ``text`` (read as the answer box reads
        it, ``parse_learner_number``). Raises EditError, with nothing changed, for text that is
        not a number or a value that is refused."""
        from nn_tui.lessons.expressions import parse_learner_number

        target = self.selected if target is None else target
        value = parse_learner_number(text.strip()) if isinstance(text, str) else None
        if value is None:
            shown = text.strip() if isinstance(text, str) else text
            raise EditError(f"{target.path}: {shown!r} is not a number (e.g. 0.7, -2.5e-3, 1/3)")
        return self.set_value(value, target)

    def reset(self) -> None:
        """Back to the step's values (the cursor and the step size stay)."""
        self.edits = {}
        self.last = None

    def adopt(self, network: Network) -> None:
        """Take ``network``'s weights and biases as the current edits (a finished training run
        from the edited network): its changes show old → new against the step's values, and
        ``reset`` still goes back to the step."""
        edits = {target: value for target, value in self.edits.items()
                 if target.kind not in ("W", "b")}
        for target in self.targets:
            if target.kind in ("W", "b"):
                value = value_of(target, network, self.x, self.y)
                if value != self.base_value(target) and math.isfinite(value):
                    edits[target] = value
        self.edits = edits
        self.last = None

    def changes(self) -> list[tuple[EditTarget, float, float]]:
        """What changed: (number, value at the step, value now) for every edited number, in
        reading order."""
        return [(target, self.base_value(target), self.edits[target])
                for target in self.targets if target in self.edits]

    # -- traces ----------------------------------------------------------------------------------

    def edited_data(self) -> tuple[Network, np.ndarray, np.ndarray]:
        """Copies of the network, x and y with the edits applied."""
        return apply_edits(self.network, self.x, self.y, self.edits)

    def _trace_for(self, edits: dict[EditTarget, float]) -> Trace:
        if not edits:
            return self.view.trace
        network, x, y = apply_edits(self.network, self.x, self.y, edits)
        key = (_network_key(network), x.tobytes(), y.tobytes())
        trace = self._cache.get(key)
        if trace is None:
            with np.errstate(all="ignore"):
                trace = network.trace(x, y, rows=self.rows)
            self._cache[key] = trace
            while len(self._cache) > TRACE_CACHE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return trace

    @property
    def trace(self) -> Trace:
        """The trace of the edited network and data (the step's own trace when nothing is
        edited)."""
        return self._trace_for(self.edits)

    def explore_view(self, reveal: Reveal | None = None) -> ExploreView:
        """The view the panes draw: the step's view with the edited trace, the whole forward
        pass, loss and chain rule revealed, and the update too once the lesson has shown one
        (``update_shown``), unless ``reveal`` says otherwise."""
        trace = self.trace
        depth = len(trace.layers)
        reveal = reveal or Reveal(forward=depth, loss=True, backward=depth,
                                  update=self.update_shown)
        key = (id(trace), reveal, self.selected)
        view = self._views.get(key)
        if view is None or view.trace is not trace:
            network = self.network if not self.edits else self.edited_data()[0]
            fields = {name: getattr(self.view, name)
                      for name in StepView.__dataclass_fields__}
            fields.update(trace=trace, network=network, reveal=reveal, highlight=Highlight(),
                          trainings=(), training_planned=())
            view = ExploreView(**fields, base=self.view.trace, selected=self.selected,
                               editable=frozenset(self.targets))
            self._views[key] = view
            while len(self._views) > TRACE_CACHE:
                self._views.popitem(last=False)
        return view

    # -- the slope ---------------------------------------------------------------------------------

    def central_difference(self, target: EditTarget | None = None) -> tuple[float, float]:
        """(slope, h): (L(p + h) − L(p − h)) / 2h at the current point, h = 1e−7·max(1, |p|);
        a one-sided difference where p ± h is not allowed (η near 0, a bce target at 0 or 1)."""
        target = self.selected if target is None else target
        p = self.value(target)
        h = CENTRAL_H * max(1.0, abs(p))

        def allowed(value: float) -> bool:
            try:
                check_value(target, value, self.network)
            except EditError:
                return False
            return True

        high = p + h if allowed(p + h) else p
        low = p - h if allowed(p - h) else p
        if high == low:
            return math.nan, h

        def loss_at(value: float) -> float:
            edits = dict(self.edits)
            if value == self.base_value(target):
                edits.pop(target, None)
            else:
                edits[target] = value
            return loss_of(self._trace_for(edits), target)

        return (loss_at(high) - loss_at(low)) / (high - low), h

    def readout(self) -> SlopeReadout:
        """The slope readout for the selected number (see the module docstring)."""
        target = self.selected
        trace = self.trace
        backprop, path = backprop_slope(trace, target)
        central, h = self.central_difference(target)
        change = self.last if self.last is not None and self.last.target == target else None
        return SlopeReadout(target, self.value(target), loss_path(target),
                            loss_of(trace, target), change, backprop, path, central, h)

    # -- training from here ----------------------------------------------------------------------

    def shown_data(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``training_data``, the same array objects while the data edits stay the same (the
        output picture redraws only when what it shows changes); not to be changed."""
        data_edits = tuple(sorted((t, v) for t, v in self.edits.items() if t.kind in ("x", "y")))
        key = (id(X), id(Y), data_edits)
        cached = getattr(self, "_shown", None)
        if cached is None or cached[0] != key:
            cached = self._shown = (key, self.training_data(X, Y), (X, Y))
        return cached[1]

    def training_data(self, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The lesson's data rows with the traced rows' edited x and y put in (a custom example,
        not a row of the data, leaves the data as it is). New arrays, the caller's to change."""
        X = np.array(X, dtype=float)
        Y = np.array(Y, dtype=float)
        if not self.rows:
            return X, Y
        _network, x, y = self.edited_data()
        if x.ndim == 1:
            X[self.rows[0]] = x
            Y[self.rows[0]] = y
        else:
            for position, row in enumerate(self.rows):
                X[row] = x[position]
                Y[row] = y[position]
        return X, Y


# -- writing the explored network as a lesson ------------------------------------------------------


def lesson_document(session: ExploreSession, lesson, step_label: str = "") -> dict:
    """The explored network as the keyword arguments of ``writer.lesson_toml``: the lesson's
    inputs, outputs and data with the edits in, the edited weights, biases and η, the lesson's
    training settings, and no steps (the tutor generates the walk-through). The traced example
    is the focus row, so the written lesson's first trace is the edited one (a custom example,
    not a row of the data, is added as the last row)."""
    network, x, y = session.edited_data()
    spec = lesson.network
    rows = np.array(lesson.rows, dtype=float)
    inputs = len(spec.inputs)
    focus = lesson.focus
    if x.ndim == 1:
        row = np.concatenate([x, y])
        if session.rows:
            focus = session.rows[0]
            rows[focus] = row
        else:
            rows = np.vstack([rows, row])
            focus = len(rows) - 1
    else:
        for position, index in enumerate(session.rows):
            rows[index, :inputs] = x[position]
            rows[index, inputs:] = y[position]
    changed = ", ".join(f"{target.path} {old:g} → {new:g}" for target, old, new
                        in session.changes()) or "no numbers changed"
    where = f" at {step_label}" if step_label else ""
    training = lesson.training
    training_table = {"epochs": int(training.epochs), "shuffle_seed": int(training.shuffle_seed)}
    if training.batch_size is not None:
        training_table["batch_size"] = int(training.batch_size)
    return {
        "lesson_id": f"{lesson.id}-explored",
        "title": f"{lesson.title} (explored)",
        "summary": f"Written by explore mode from “{lesson.title}”{where}: {changed}.",
        "inputs": list(spec.inputs),
        "outputs": list(spec.outputs),
        "loss": network.loss.name,
        "learning_rate": float(network.learning_rate),
        "reduction": network.reduction,
        "layers": [(layer.activation.name, layer.W, layer.b) for layer in network.layers],
        "rows": rows,
        "focus": int(focus),
        "training": training_table,
        "header": "Written by nn-tui's explore mode.",
    }


def write_lesson(session: ExploreSession, lesson, folder: Path | str = ".",
                 step_label: str = "") -> Path:
    """Write the explored network as a new lesson file in ``folder`` and return its path
    (``writer.lesson_toml`` makes the text, ``writer.write_new_lesson`` writes it atomically).

    The name is ``<lesson id>-explored.toml``, or ``-2``, ``-3`` … when that is taken: an
    existing file is never replaced. Raises OSError when the folder cannot be written, and
    ``writer.LessonWriteError`` for numbers a lesson file cannot hold (an overflowed weight).
    """
    from nn_tui.lessons.writer import lesson_toml, write_new_lesson

    folder = Path(folder)
    text = lesson_toml(**lesson_document(session, lesson, step_label))
    stem = f"{lesson.id}-explored"
    for number in range(1, 1000):
        path = folder / (f"{stem}.toml" if number == 1 else f"{stem}-{number}.toml")
        try:
            return write_new_lesson(path, text)
        except FileExistsError:
            continue
        except IsADirectoryError:
            continue  # a folder of that name: the next name
    raise FileExistsError(17, f"{stem}.toml to {stem}-999.toml all exist", str(folder))


__all__ = [
    "Change", "ExploreSession", "ExploreView", "SlopeReadout", "backprop_slope", "lesson_document",
    "loss_of", "loss_path", "step_text", "write_lesson",
]
