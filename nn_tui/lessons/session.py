"""What the learner sees at each step of a lesson, as a pure function of the step index.

``LessonSession.view(k)`` replays steps 0..k deterministically (with memoised snapshots) and
returns a ``StepView``: the network in force, the trace of the selected data through it, what
has been revealed so far, what to highlight, and the most recent training outcome. Going back
to an earlier step gives exactly the view that step had before.

State changes:
- ``use = "variant"`` switches to that variant's fresh network (and hides everything again);
- an ``update`` step (unless ``apply = false``) moves to the updated weights for later steps;
- a ``train`` step trains (each listed variant from its own start, or the current network) for
  the planned epochs; later steps use the first listed variant's trained network.
After an applied update or a training run, the forward pass and loss of the new weights are
shown, and the backward pass is hidden again until a step reveals it.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import numpy as np

from nn_tui.engine import Network, Trace, Trainer
from nn_tui.lessons.errors import LessonError, Problem
from nn_tui.lessons.expressions import (UNKNOWN, AnswerWorkExceeded, ExpressionError, WorkMeter,
                                        parse_expression)
from nn_tui.lessons.grading import default_tolerance
from nn_tui.lessons.model import Lesson, Step
from nn_tui.lessons.walkthrough import generated_steps

MAIN = "main"
# Validating a lesson replays it, and replaying past a train step needs the run's result. A run
# bigger than this (data rows × epochs × parameters; see loader.MAX_TRAINING_WORK) is cut short
# while validating: enough to check that every answer resolves, not to train to the end.
LINT_TRAINING_WORK = 2_000_000
LINT_TRAINING_BATCHES = 2_000
# Each epoch also costs a fixed overhead (~25 µs) that rows × parameters does not see: a tiny
# network's 100,000 epochs would take seconds. The bundled lessons train at most 6,000.
LINT_TRAINING_EPOCHS = 20_000


@dataclass(frozen=True)
class Reveal:
    forward: int = 0  # how many layers' forward arithmetic is shown, from the input side
    loss: bool = False
    backward: int = 0  # how many layers' gradients are shown, from the output side
    update: bool = False

    def merge(self, other: "Reveal") -> "Reveal":
        return Reveal(
            max(self.forward, other.forward),
            self.loss or other.loss,
            max(self.backward, other.backward),
            self.update or other.update,
        )


@dataclass(frozen=True)
class Highlight:
    """The part of the network a step is about."""

    part: str = "none"  # "none" | "layer" | "loss" | "all"
    layer: int | None = None
    direction: str = "forward"  # "forward" | "backward"


@dataclass(frozen=True)
class DataSelection:
    mode: str = "focus"  # "focus" | "row" | "batch" | "custom"
    row: int | None = None
    x: tuple[float, ...] | None = None
    y: tuple[float, ...] | None = None


@dataclass(frozen=True)
class TrainingJob:
    """One network to train at a train step: everything a worker thread needs to run it."""

    variant_id: str
    label: str
    network: Network  # the starting network (copy it before training)
    epochs: int
    batch_size: int | None
    seed: int
    shuffle: bool = True

    def trainer(self, X: np.ndarray, Y: np.ndarray) -> Trainer:
        return Trainer(self.network.copy(), X, Y, self.batch_size, self.seed,
                       shuffle=self.shuffle)


@dataclass(frozen=True)
class TrainingOutcome:
    """One network's training run (finished, or partial while it runs live).

    ``history[k]`` is the loss after epoch k (``history[0]`` before training, the only entry
    that can be non-finite: a network that overflows before training is diverged from the
    start). ``epochs_run`` counts the epochs tried, including one that overflowed and was not
    recorded; ``network`` is always the network of ``history[-1]`` (``kept_epoch``)."""

    variant_id: str
    label: str
    history: tuple[float, ...]  # history[0] is the loss before training
    epochs_planned: int
    epochs_run: int
    diverged: str | None
    network: Network = field(repr=False)
    stalled: str | None = None  # why the loss stopped improving short of a fit (saturation)

    @property
    def kept_epoch(self) -> int:
        """The epoch whose network (and loss, ``history[-1]``) the run ends with."""
        return len(self.history) - 1

    @property
    def finite(self) -> bool:
        """Whether the run has a finite loss to show (not one that overflowed at the start)."""
        return math.isfinite(self.history[-1])

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "epochs": self.epochs_run,
            "initial_loss": self.history[0],
            "loss": self.history[-1],
            "history": list(self.history),
            "diverged": 1.0 if self.diverged else 0.0,
            "stalled": 1.0 if self.stalled else 0.0,
        }


def race_epoch(outcomes: Sequence[TrainingOutcome]) -> tuple[int, int]:
    """(epoch reached, epochs planned) of a run of one or more networks trained side by side:
    the runs step together, so it is the furthest run's epoch (a diverged run stops where it
    diverged)."""
    return (max(outcome.epochs_run for outcome in outcomes),
            max(outcome.epochs_planned for outcome in outcomes))


def position_label(index: int, total: int) -> str:
    """Where step ``index`` (0-based) is in the lesson: "step 3 of 20"."""
    return f"step {index + 1} of {total}"


@dataclass(frozen=True)
class StepView:
    index: int
    total: int
    step: Step
    network: Network = field(repr=False)  # the weights in force at this step
    variant_id: str
    variant_label: str
    selection: DataSelection
    trace: Trace = field(repr=False)
    reveal: Reveal
    highlight: Highlight
    trainings: tuple[TrainingOutcome, ...]  # the most recent training run before this step
    updates_applied: int
    epochs_trained: int
    # The lesson's names for the inputs and outputs (x₁ → "colour"), for the network diagram.
    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ()
    # At a train step, before its run: the epochs each network is set to train (empty otherwise,
    # and in the views live training shows).
    training_planned: tuple[int, ...] = ()

    @property
    def position(self) -> str:
        return position_label(self.index, self.total)

    @property
    def state_label(self) -> str:
        parts = []
        if self.variant_id != MAIN:
            parts.append(self.variant_label)
        plural = "s" if self.updates_applied > 1 else ""
        updates = f"{self.updates_applied} update{plural}"
        if self.epochs_trained and self.updates_applied:
            parts.append(f"after {updates} and {self.epochs_trained} training epochs")
        elif self.epochs_trained:
            parts.append(f"trained {self.epochs_trained} epochs")
        elif self.updates_applied:
            parts.append(f"after {updates}")
        return ", ".join(parts) if parts else "initial weights"

    def context(self) -> dict[str, Any]:
        """The names a self-check answer can read: the trace's fields plus ``training``."""
        data = self.trace.to_dict()
        data["training"] = {outcome.variant_id: outcome.to_dict() for outcome in self.trainings}
        return data


@dataclass
class _State:
    network: Network
    variant_id: str
    variant_label: str
    selection: DataSelection
    reveal: Reveal
    trainings: tuple[TrainingOutcome, ...]
    updates_applied: int
    epochs_trained: int
    # (epochs trained, epochs planned) of a run that validation cut short and that the weights
    # in force derive from: their numbers are then not those the learner will see.
    provisional: tuple[int, int] | None = None


def _network_key(network: Network) -> tuple:
    """Everything a trace depends on in ``network``: its parameters and functions."""
    layers = tuple((layer.W.tobytes(), layer.W.shape, layer.b.tobytes(), layer.activation.name,
                    layer.activation.negative_slope, layer.use_bias, layer.shared_bias,
                    layer.freeze)
                   for layer in network.layers)
    return layers, network.loss.name, network.learning_rate, network.reduction


class LessonSession:
    """Replays a lesson step by step (see the module docstring).

    ``training_work`` (None for the learner's session) caps each training run at the epochs
    that fit in that much work (rows × epochs × parameters, and LINT_TRAINING_BATCHES
    mini-batches): validation replays with a cap, so it never trains to the end of a large run.
    """

    def __init__(self, lesson: Lesson, training_work: int | None = None) -> None:
        self.lesson = lesson
        self.training_work = training_work
        self._cut_short: set[int] = set()  # train steps whose run the cap shortened
        self.steps: tuple[Step, ...] = lesson.steps or generated_steps(lesson)
        self.generated = not lesson.steps
        self._views: dict[int, StepView] = {}
        self._after: dict[int, _State] = {}  # state after step k (input to step k+1)
        # A train step's own view is cheap; what comes after it needs the training run, so its
        # after-state waits here until a later step (or a finished live run) asks for it.
        self._pending: dict[int, _State] = {}
        self._outcomes: dict[int, tuple[TrainingOutcome, ...]] = {}
        self._traces: dict[tuple, Trace] = {}
        self._about_training: dict[int, bool] = {}
        self._X = lesson.X
        self._Y = lesson.Y
        self._local = threading.local()  # .cancelled: see view()
        # Steps whose weights derive from a cut-short run: (epochs trained, planned) of it.
        self._provisional: dict[int, tuple[int, int]] = {}
        self._unknown_traces: dict[int, tuple[Trace, dict]] = {}
        self._trace_dicts: dict[int, tuple[Trace, dict]] = {}  # validating: by id(trace)
        self._expressions: dict[int, Any] = {}

    @property
    def total(self) -> int:
        return len(self.steps)

    # -- replay --------------------------------------------------------------------------------

    def _initial(self) -> _State:
        return _State(self.lesson.network.build(), MAIN, "main network", DataSelection(),
                      Reveal(), (), 0, 0)

    def _depth(self, network: Network) -> int:
        return len(network.layers)

    def _before(self, index: int) -> _State:
        if index == 0:
            return self._initial()
        if index - 1 not in self._after:
            self.view(index - 1)
            if index - 1 in self._pending:
                # Removed from _pending only once trained: a cancelled training leaves it there.
                self._after[index - 1] = self._after_training(index - 1,
                                                              self._pending[index - 1])
                self._pending.pop(index - 1, None)
        previous = self._after[index - 1]
        return replace(previous, network=previous.network.copy())

    def view(self, index: int, cancelled: Callable[[], bool] | None = None) -> StepView:
        """Everything shown at step ``index`` (0-based).

        ``cancelled`` is asked often while a training needed for the replay runs (between
        mini-batches); when it returns True the replay stops with ``TrainingCancelled`` and the
        session stays usable (what was finished stays cached).
        """
        if cancelled is not None:
            # Per thread: an abandoned replay may still be winding down in another thread.
            previous = getattr(self._local, "cancelled", None)
            self._local.cancelled = cancelled
            try:
                return self.view(index)
            finally:
                self._local.cancelled = previous
        if not 0 <= index < self.total:
            raise IndexError(f"step {index} is outside 0..{self.total - 1}")
        if index in self._views:
            return self._views[index]
        # Replay from the nearest cached step so a jump to the end stays linear.
        start = index
        while start > 0 and start - 1 not in self._after and start - 1 not in self._pending:
            start -= 1
        for position in range(start, index + 1):
            self._compute(position)
        return self._views[index]

    def _compute(self, index: int) -> None:
        step = self.steps[index]
        state = self._before(index)
        if step.use is not None:
            state = self._switch(state, step.use)
        elif step.kind == "train" and step.variants:
            # A race trains each listed network from its own start: show the first one's start
            # (its forward pass and loss), which is where its curve begins.
            state = self._switch(state, step.variants[0])
            state.reveal = Reveal(forward=self._depth(state.network), loss=True)
        state.selection = self._selection(step, state.selection)
        depth = self._depth(state.network)
        reveal = state.reveal.merge(self._step_reveal(step, depth))
        trace = self._trace(state.network, state.selection)
        view = StepView(
            index=index,
            total=self.total,
            step=step,
            network=state.network,
            variant_id=state.variant_id,
            variant_label=state.variant_label,
            selection=state.selection,
            trace=trace,
            reveal=reveal,
            highlight=self._highlight(step, depth),
            trainings=state.trainings,
            updates_applied=state.updates_applied,
            epochs_trained=state.epochs_trained,
            input_names=self.lesson.network.inputs,
            output_names=self.lesson.network.outputs,
            training_planned=self._planned_epochs(step),
        )
        self._views[index] = view
        if state.provisional is not None:
            self._provisional[index] = state.provisional
        if step.kind == "train":
            self._pending[index] = state
        else:
            self._after[index] = self._advance(step, state, reveal, trace)

    def needs_training(self, index: int) -> bool:
        """Whether ``view(index)`` would have to run a training that is not known yet."""
        if index in self._views:
            return False
        return any(self.steps[k].kind == "train" and k not in self._outcomes
                   for k in range(min(index, self.total)))

    def _switch(self, state: _State, variant_id: str) -> _State:
        if variant_id == MAIN:
            return _State(self.lesson.network.build(), MAIN, "main network", state.selection,
                          Reveal(), state.trainings, 0, 0)
        variant = self.lesson.variant(variant_id)
        return _State(variant.network.build(), variant.id, variant.label, state.selection,
                      Reveal(), state.trainings, 0, 0)

    def _selection(self, step: Step, current: DataSelection) -> DataSelection:
        if step.x is not None:
            return DataSelection("custom", x=step.x, y=step.y)
        if step.batch:
            return DataSelection("batch")
        if step.row is not None:
            return DataSelection("row", row=step.row)
        return current

    def _trace(self, network: Network, selection: DataSelection) -> Trace:
        """The trace of ``selection`` through ``network``; steps that change neither share one
        Trace object, so the panes can tell at a glance that their numbers did not change."""
        key = (_network_key(network), selection)
        if key not in self._traces:
            self._traces[key] = self._compute_trace(network, selection)
        return self._traces[key]

    def _compute_trace(self, network: Network, selection: DataSelection) -> Trace:
        x, y, rows = self.selected_data(selection)
        with np.errstate(all="ignore"):
            return network.trace(x, y, rows=rows)

    def selected_data(self, selection: DataSelection) -> tuple[np.ndarray, np.ndarray, tuple]:
        """The inputs, targets and data-row indices a selection traces."""
        if selection.mode == "custom":
            return np.array(selection.x), np.array(selection.y), ()
        if selection.mode == "batch":
            return self._X, self._Y, tuple(range(len(self._X)))
        row = self.lesson.focus if selection.row is None else selection.row
        return self._X[row], self._Y[row], (row,)

    @staticmethod
    def _step_reveal(step: Step, depth: int) -> Reveal:
        if step.kind == "forward":
            return Reveal(forward=depth if step.layer is None else step.layer + 1)
        if step.kind == "loss":
            return Reveal(forward=depth, loss=True)
        if step.kind == "backward":
            shown = depth if step.layer is None else depth - step.layer
            return Reveal(forward=depth, loss=True, backward=shown)
        if step.kind == "update":
            return Reveal(forward=depth, loss=True, backward=depth, update=True)
        if step.kind == "explore":
            # A goal is about what the network answers: its forward pass and loss are in view.
            return Reveal(forward=depth, loss=True)
        return Reveal()

    @staticmethod
    def _highlight(step: Step, depth: int) -> Highlight:
        if step.kind == "forward":
            return Highlight("layer" if step.layer is not None else "all", step.layer)
        if step.kind == "backward":
            return Highlight("layer" if step.layer is not None else "all", step.layer, "backward")
        if step.kind == "loss":
            return Highlight("loss")
        if step.kind in ("update", "train"):
            return Highlight("all", direction="backward" if step.kind == "update" else "forward")
        return Highlight()

    def _advance(self, step: Step, state: _State, reveal: Reveal, trace: Trace) -> _State:
        after = replace(state, reveal=reveal)
        if step.kind == "update" and step.apply:
            network = state.network.copy()
            network.set_params([(layer.W, layer.b) for layer in trace.after.layers])
            settled = Reveal(forward=self._depth(state.network), loss=True)
            return replace(after, network=network, reveal=settled,
                           updates_applied=state.updates_applied + 1)
        return after

    def _after_training(self, index: int, state: _State) -> _State:
        outcomes = self.training_outcomes(index)
        chosen = outcomes[0]
        # Listed variants train from a fresh start (see training_jobs), so earlier updates and
        # epochs of the current network no longer apply; an unlisted train continues it.
        continued = not self.steps[index].variants
        provisional = state.provisional if continued else None
        if index in self._cut_short:
            provisional = race_epoch(outcomes)
        return replace(
            state,
            network=chosen.network.copy(),
            variant_id=chosen.variant_id,
            variant_label=chosen.label,
            reveal=Reveal(forward=len(chosen.network.layers), loss=True),
            trainings=outcomes,
            updates_applied=state.updates_applied if continued else 0,
            # The epochs the kept network has had: a run that overflowed keeps the network of
            # its last finite epoch, not the one of the epoch that blew up.
            epochs_trained=(state.epochs_trained if continued else 0) + chosen.kept_epoch,
            provisional=provisional,
        )

    # -- training ------------------------------------------------------------------------------

    @property
    def X(self) -> np.ndarray:
        return self._X

    @property
    def Y(self) -> np.ndarray:
        return self._Y

    def training_jobs(self, index: int) -> tuple[TrainingJob, ...]:
        """What the train step ``index`` trains: one job per listed variant (or the current net)."""
        step = self.steps[index]
        if step.kind != "train":
            raise ValueError(f"step {index} is a {step.kind} step, not a train step")
        state = self._before(index)
        if step.use is not None:
            state = self._switch(state, step.use)
        training = self.lesson.training
        jobs = []
        for variant_id, epochs in zip(step.variants or (state.variant_id,),
                                      self._planned_epochs(step)):
            if variant_id == state.variant_id and not step.variants:
                network, label = state.network, state.variant_label
            elif variant_id == MAIN:
                network, label = self.lesson.network.build(), "main network"
            else:
                variant = self.lesson.variant(variant_id)
                network, label = variant.network.build(), variant.label
            jobs.append(TrainingJob(variant_id, label, network.copy(), epochs,
                                    training.batch_size, training.shuffle_seed,
                                    training.shuffle))
        return tuple(jobs)

    def _planned_epochs(self, step: Step) -> tuple[int, ...]:
        """The epochs of each run a train step starts: a listed variant's own, else the step's,
        else the lesson's (one run when no variants are listed). Empty for other steps."""
        if step.kind != "train":
            return ()
        default = step.epochs or self.lesson.training.epochs
        if not step.variants:
            return (default,)
        return tuple((None if listed == MAIN else self.lesson.variant(listed).epochs) or default
                     for listed in step.variants)

    def training_outcomes(self, index: int) -> tuple[TrainingOutcome, ...]:
        """The finished (deterministic) result of train step ``index``, computed once."""
        if index not in self._outcomes:
            outcomes = []
            for job in self.training_jobs(index):
                trainer = job.trainer(self._X, self._Y)
                epochs = self._capped_epochs(job)
                if epochs < job.epochs:
                    self._cut_short.add(index)
                trainer.should_stop = getattr(self._local, "cancelled", None)
                trainer.run(epochs)
                outcomes.append(self.outcome_from(job, trainer))
            self._outcomes[index] = tuple(outcomes)
        return self._outcomes[index]

    def _capped_epochs(self, job: TrainingJob) -> int:
        if self.training_work is None:
            return job.epochs
        rows = len(self._X)
        per_epoch = rows * sum(layer.W.size + layer.b.size for layer in job.network.layers)
        cap = min(self.training_work // max(per_epoch, 1), LINT_TRAINING_EPOCHS)
        if job.batch_size is not None and job.batch_size < rows:
            cap = min(cap, LINT_TRAINING_BATCHES // -(-rows // job.batch_size))
        return max(1, min(job.epochs, cap))

    @staticmethod
    def outcome_from(job: TrainingJob, trainer: Trainer) -> TrainingOutcome:
        return TrainingOutcome(job.variant_id, job.label, tuple(trainer.history), job.epochs,
                               trainer.epoch, trainer.diverged, trainer.network.copy(),
                               trainer.stalled(finished=trainer.epoch >= job.epochs))

    def record_outcomes(self, index: int, outcomes: tuple[TrainingOutcome, ...]) -> None:
        """Keep a run the UI finished live, so stepping on does not train it again."""
        if index not in self._outcomes and all(
            outcome.epochs_run == outcome.epochs_planned or outcome.diverged for outcome in outcomes
        ):
            self._outcomes[index] = outcomes

    # -- self-checks ---------------------------------------------------------------------------

    def answer(self, index: int, meter: WorkMeter | None = None) -> Any:
        """The expected number of check step ``index``, computed from the live model.

        In a validating session (``training_work`` set) whose runs were cut short, the numbers
        those runs decide are UNKNOWN (see ``_checked_context``), and so may the answer be.
        """
        step = self.steps[index]
        if step.kind != "check":
            raise ValueError(f"step {index} is a {step.kind} step, not a check")
        if index not in self._expressions:
            self._expressions[index] = parse_expression(step.answer)
        expression = self._expressions[index]
        view = self.view(index)
        context = view.context() if self.training_work is None else self._checked_context(view)
        with np.errstate(all="ignore"):
            return expression.evaluate(context, meter)

    def _checked_context(self, view: StepView) -> dict[str, Any]:
        """``view.context()`` as far as a validating replay knows it: the structure is exact
        (every path, list length and count the learner's session has), the numbers that a
        cut-short run decides are UNKNOWN: all of the trace's if the weights in force come from
        such a run, and a run's ``loss``, ``diverged``, ``stalled`` and the ``history`` entries
        after the epochs trained (``history`` has epochs planned + 1 entries and ``epochs`` is
        the planned count, as in the full run)."""
        # Steps that share a trace share its (read-only) plain form: built once per trace.
        cache = self._unknown_traces if view.index in self._provisional else self._trace_dicts
        cached = cache.get(id(view.trace))
        if cached is None or cached[0] is not view.trace:
            plain = view.trace.to_dict()
            if cache is self._unknown_traces:
                plain = _all_unknown(plain)
            cached = cache[id(view.trace)] = (view.trace, plain)
        data = dict(cached[1])
        training = {}
        for outcome in view.trainings:
            entry = outcome.to_dict()
            if outcome.epochs_run < outcome.epochs_planned and not outcome.diverged:
                missing = outcome.epochs_planned + 1 - len(outcome.history)
                entry.update(epochs=outcome.epochs_planned, loss=UNKNOWN, diverged=UNKNOWN,
                             stalled=UNKNOWN, history=entry["history"] + [UNKNOWN] * missing)
            training[outcome.variant_id] = entry
        data["training"] = training
        return data

    def _unchecked_run(self, view: StepView) -> tuple[int, int]:
        """(epochs trained, planned) of the cut-short run a step's unknown numbers come from."""
        for outcome in view.trainings:
            if outcome.epochs_run < outcome.epochs_planned and not outcome.diverged:
                return outcome.epochs_run, outcome.epochs_planned
        return self._provisional.get(view.index, (0, 0))

    def asks_about_training(self, index: int) -> bool:
        """Whether step ``index`` is a question about training runs (its answer reads
        ``training``): the runs' losses must stay in view while the learner answers."""
        if index not in self._about_training:
            step = self.steps[index]
            self._about_training[index] = (step.kind == "check" and bool(step.answer)
                                           and "training" in parse_expression(step.answer).roots)
        return self._about_training[index]

    def tolerance(self, index: int) -> float:
        """How far a typed answer to check ``index`` may be from its answer: the step's
        ``tolerance``, else ``grading.default_tolerance`` of the answer (1e-9 for choices).
        Raises ExpressionError as ``answer`` does."""
        step = self.steps[index]
        if step.tolerance is not None:
            return step.tolerance
        if step.choices:
            return 1e-9
        return default_tolerance(self.answer(index))

    def correct_choice(self, index: int) -> int:
        """Index of the choice whose value matches the computed answer.

        Raises ExpressionError when no choice matches (within 1e-9): the nearest choice is not
        the right one, so such a question cannot be graded.
        """
        step = self.steps[index]
        expected = self.answer(index)
        distances = [abs(choice.value - expected) for choice in step.choices]
        if not distances or min(distances) > CHOICE_TOLERANCE:
            values = ", ".join(f"{choice.value:g}" for choice in step.choices)
            raise ExpressionError(f"the answer is {expected:g} but the choices' values are {values}")
        return distances.index(min(distances))

    def lint(self, cancelled: Callable[[], bool] | None = None,
             answer_work: int | None = None,
             ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(problems, notes), each a list of (key, message).

        Problems: every check answer that does not resolve to a finite number at its step,
        choices that match no answer, and answers that together read more than ``answer_work``
        values (see WorkMeter; named at the first step past it, with the file's total). Notes:
        answers (and choice matchings) whose value depends on a training run that
        ``training_work`` cut short: their paths were checked, their values could not be.
        ``cancelled`` is asked during training and evaluation; when it returns True, raises
        TrainingCancelled (or WorkMeter.Cancelled).
        """
        found: list[tuple[str, str]] = []
        notes: list[tuple[str, str]] = []
        meter = WorkMeter(answer_work, cancelled)
        crossed: int | None = None
        for index, step in enumerate(self.steps):
            if step.kind == "explore":
                self._lint_explore(index, meter, found, notes, cancelled)
                continue
            if step.kind != "check":
                continue
            if meter.measure_only:
                # Past the budget: only count what the rest of the answers read.
                try:
                    self.view(index, cancelled=cancelled)
                    self.answer(index, meter)
                except (ExpressionError, ArithmeticError, ValueError, IndexError, KeyError):
                    pass
                continue
            before = meter.count
            try:
                self.view(index, cancelled=cancelled)
                expected = self.answer(index, meter)
            except AnswerWorkExceeded:
                # Count this step again in full (it stopped part-way), then the rest.
                crossed, meter.count, meter.measure_only = index, before, True
                self.answer(index, meter)
                continue
            except ExpressionError as error:
                found.append((f"steps[{index}].answer", str(error)))
                continue
            except (ArithmeticError, ValueError, IndexError, KeyError) as error:
                found.append((f"steps[{index}]", f"cannot be replayed: {error}"))
                continue
            if expected is UNKNOWN:
                trained, planned = self._unchecked_run(self.view(index))
                what = ("its value and the choice it picks were" if step.choices
                        else "its value was")
                notes.append((f"steps[{index}].answer", (
                    f"reads the results of a training run longer than check trains "
                    f"({trained:,} of {planned:,} epochs); {what} not checked")))
            elif not np.isfinite(expected):
                found.append((f"steps[{index}].answer",
                              f"resolves to {expected}, not a finite number"))
            if step.mistakes and (expected is UNKNOWN or np.isfinite(expected)):
                found.extend(self._lint_mistakes(index, expected, meter))
            if expected is UNKNOWN or not np.isfinite(expected):
                pass
            elif step.choices:
                if min(abs(choice.value - expected) for choice in step.choices) > CHOICE_TOLERANCE:
                    values = ", ".join(f"{choice.value:g}" for choice in step.choices)
                    found.append((f"steps[{index}].choices",
                                  f"the answer is {expected:g} but the choices' values are "
                                  f"{values}"))
            elif step.tolerance is not None and expected != 0 and step.tolerance >= abs(expected):
                # The tolerance bug of issue 11, entering through a lesson file: 0 (and, from
                # twice the answer, its negation) would be graded right.
                found.append((f"steps[{index}].tolerance", (
                    f"is {step.tolerance:g}, at least the answer itself ({expected:g}): typing 0 "
                    f"would be graded right; give a tolerance below {abs(expected):g}, or leave "
                    f"it out (the default here is {default_tolerance(expected):g})")))
        unchecked = [note for note in notes if note[0].endswith(".answer")]
        if len(unchecked) > MAX_UNCHECKED_NOTES:
            # One line per answer would bury the rest of check's output: the first few, a count.
            shown = unchecked[:MAX_UNCHECKED_NOTES - 1]
            rest = [key for key, _ in unchecked[MAX_UNCHECKED_NOTES - 1:]]
            notes = [note for note in notes if note not in unchecked] + shown + [(
                "steps", f"{len(rest)} more answers ({rest[0]} … {rest[-1]}) read the results "
                         "of a training run longer than check trains; their values were not "
                         "checked")]
        if crossed is not None:
            found.append((f"steps[{crossed}].answer", (
                f"the answers read {meter.count:,} trace values in all (every value a path or "
                f"function reads, such as each entry of a history that max() looks at); the "
                f"budget is {answer_work:,} and this is the first step past it: ask about "
                "fewer or smaller lists")))
        return found, notes

    def _lint_explore(self, index: int, meter: WorkMeter, found: list[tuple[str, str]],
                      notes: list[tuple[str, str]],
                      cancelled: Callable[[], bool] | None) -> None:
        """The problems and notes of explore step ``index`` (see ``explore_goal.lint_goal``),
        appended to ``found`` and ``notes`` with the step's key."""
        from nn_tui.lessons.explore_goal import lint_goal

        try:
            view = self.view(index, cancelled=cancelled)
        except (ArithmeticError, ValueError, IndexError, KeyError) as error:
            found.append((f"steps[{index}]", f"cannot be replayed: {error}"))
            return
        x, y, _rows = self.selected_data(view.selection)
        context = view.context() if self.training_work is None else self._checked_context(view)
        # Past the answers' budget the goal is only counted (its value is not needed then).
        try:
            problems, goal_notes = lint_goal(view.step, context, view.network, x, y,
                                             None if meter.measure_only else meter)
        except AnswerWorkExceeded:
            found.append((f"steps[{index}].goal", "reads more trace values than the answers' "
                                                  "budget allows: ask about fewer or smaller "
                                                  "lists"))
            return
        found.extend((f"steps[{index}].{key}", message) for key, message in problems)
        notes.extend((f"steps[{index}].{key}", message) for key, message in goal_notes)

    def explore_data(self, index: int) -> tuple[Network, np.ndarray, np.ndarray, tuple]:
        """(network, x, y, rows) explore mode starts from at step ``index``: copies of the
        weights in force and of the data the step traces, free to edit."""
        view = self.view(index)
        x, y, rows = self.selected_data(view.selection)
        return view.network.copy(), np.array(x, dtype=float), np.array(y, dtype=float), rows

    def _lint_mistakes(self, index: int, expected: Any,
                       meter: WorkMeter) -> list[tuple[str, str]]:
        """Problems of check ``index``'s teacher mistakes: an answer that does not resolve to a
        finite number at the step, or that the check would grade right (it would never be
        shown). Values a cut-short run decides are not checked (like the answer's)."""
        found = []
        view = self.view(index)
        context = view.context() if self.training_work is None else self._checked_context(view)
        tolerance = self.tolerance(index) if expected is not UNKNOWN else 0.0
        for number, mistake in enumerate(self.steps[index].mistakes):
            key = f"steps[{index}].mistakes[{number}].answer"
            try:
                with np.errstate(all="ignore"):
                    value = parse_expression(mistake.answer).evaluate(context, meter)
            except AnswerWorkExceeded:
                found.append((key, f"reading it passes the budget of {meter.limit:,} trace "
                                   "values that the answers of a lesson may read"))
                meter.measure_only = True  # the rest of the file is counted, not evaluated
                break
            except ExpressionError as error:
                found.append((key, str(error)))
                continue
            if value is UNKNOWN or expected is UNKNOWN:
                continue
            if abs(value - expected) <= tolerance:
                found.append((key, f"gives {value:g}, which the check grades right (the answer "
                                   f"is {expected:g}), so its feedback would never be shown"))
        return found

    def problems(self) -> list[str]:
        """Every check answer that does not resolve, and choices that match no answer."""
        return [f"{key}: {message}" for key, message in self.lint()[0]]


def _all_unknown(value: Any) -> Any:
    """``value`` (plain dicts, lists, numbers) with every number replaced by UNKNOWN."""
    if isinstance(value, dict):
        return {key: _all_unknown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_all_unknown(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return UNKNOWN
    return value


# Notes about answers whose values validation could not check: at most this many lines.
MAX_UNCHECKED_NOTES = 5

# Choices are exact values (0, 1, 2...); an answer within this of one picks it.
CHOICE_TOLERANCE = 1e-9


def lint_lesson(lesson: Lesson, cancelled: Callable[[], bool] | None = None,
                ) -> tuple[list[Problem], list[Problem]]:
    """(problems, notes) of a validated lesson replayed as the learner would see it, with
    training capped at LINT_TRAINING_WORK and answer evaluation at MAX_ANSWER_WORK. This is the
    one test, after the loader's, that a lesson must pass to be opened, listed as fine, traced
    or trained (``nn-tui check`` prints the same problems). ``cancelled``: see
    ``LessonSession.lint``."""
    from nn_tui.lessons.loader import MAX_ANSWER_WORK

    session = LessonSession(lesson, training_work=LINT_TRAINING_WORK)
    problems, notes = session.lint(cancelled, MAX_ANSWER_WORK)
    return ([Problem(lesson.path, key, message) for key, message in problems],
            [Problem(lesson.path, key, message) for key, message in notes])


def check_lesson(lesson: Lesson, cancelled: Callable[[], bool] | None = None) -> list[Problem]:
    """The notes of ``lint_lesson``; raises LessonError carrying its problems, if any."""
    problems, notes = lint_lesson(lesson, cancelled)
    if problems:
        raise LessonError(lesson.path, problems)
    return notes
