"""What the learner sees at each step of a lesson, as a pure function of the step index.

``LessonSession.view(k)`` replays steps 0..k deterministically (with memoised snapshots) and
returns a ``StepView``: the network in force, the trace of the selected data through it, what
has been revealed so far, what to highlight, and the most recent training outcome. Going back
to an earlier step gives exactly the view that step had before.

State changes:
- ``use = "variant"`` switches to that variant's fresh network (and hides everything again);
- an ``update`` step (unless ``apply = false``) moves to the updated weights for later steps;
- a ``train`` step trains (each listed variant from its own start, or the current network) for
  the planned epochs (``nn_tui.lessons.training``); later steps use the first listed variant's
  trained network.
After an applied update or a training run, the forward pass and loss of the new weights are
shown, and the backward pass is hidden again until a step reveals it.

Validating a lesson (``nn_tui.lessons.lint``) replays it with a work cap on training; the
numbers a cut-short run decides are then UNKNOWN (``checked_context``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nn_tui.engine import Network, Trace
from nn_tui.format.labels import position_label, state_label
from nn_tui.lessons.expressions import UNKNOWN, ExpressionError, WorkMeter, parse_expression
from nn_tui.lessons.grading import CHOICE_TOLERANCE, default_tolerance
from nn_tui.lessons.model import Lesson, Step, StepKind
from nn_tui.lessons.run_cache import trained_outcome
from nn_tui.lessons.training import (
    MAIN,
    MAIN_LABEL,
    TrainingJob,
    TrainingOutcome,
    capped_epochs,
    outcome_from,
    planned_epochs,
    race_epoch,
)
from nn_tui.lessons.walkthrough import generated_steps

# Re-exported: a StepView's parts, imported from here by the panes and the export.
__all__ = ["MAIN", "DataSelection", "Highlight", "LessonSession", "Reveal", "StepView",
           "TrainingJob", "TrainingOutcome", "position_label", "race_epoch"]

@dataclass(frozen=True)
class Reveal:
    forward: int = 0  # how many layers' forward arithmetic is shown, from the input side
    loss: bool = False
    backward: int = 0  # how many layers' gradients are shown, from the output side
    update: bool = False

    def merge(self, other: Reveal) -> Reveal:
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
        """Where the step is in the lesson: "step 3 of 20" (``format.labels``)."""
        return position_label(self.index, self.total)

    @property
    def state_label(self) -> str:
        """The weights in force, in words: "after 1 update" (``format.labels``)."""
        return state_label(None if self.variant_id == MAIN else self.variant_label,
                           self.updates_applied, self.epochs_trained)

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
        self._network_traces: tuple[tuple[Network, Trace], ...] | None = None
        self._about_training: dict[int, bool] = {}
        self._X = lesson.X
        self._Y = lesson.Y
        self._local = threading.local()  # .cancelled: see view()
        # Steps whose weights derive from a cut-short run: (epochs trained, planned) of it.
        self._provisional: dict[int, tuple[int, int]] = {}
        # Validating: a trace's plain form (all UNKNOWN for provisional steps), by the trace's
        # value key and that flag; steps that share a trace share it (read-only).
        self._trace_dicts: dict[tuple, dict] = {}
        self._trace_keys: dict[int, tuple] = {}  # step index → its trace's key (see _trace)
        self._expressions: dict[int, Any] = {}

    @property
    def total(self) -> int:
        return len(self.steps)

    # -- replay --------------------------------------------------------------------------------

    def _initial(self) -> _State:
        return _State(self.lesson.network.build(), MAIN, MAIN_LABEL, DataSelection(),
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
        if index not in self._views:
            # Replay from the nearest cached step so a jump to the end stays linear.
            start = index
            while start > 0 and start - 1 not in self._after and start - 1 not in self._pending:
                start -= 1
            for position in range(start, index + 1):
                self._compute(position)
        run = self.predicted_run(index)
        if run is not None and run not in self._outcomes:
            # The run that grades this prediction trains here, with the replay (off the UI
            # thread, cancellable), not when the learner answers.
            self.training_outcomes(run)
        return self._views[index]

    def _compute(self, index: int) -> None:
        step = self.steps[index]
        state = self._before(index)
        if step.use is not None:
            state = self._switch(state, step.use)
        elif step.kind == StepKind.TRAIN and step.variants:
            # A race trains each listed network from its own start: show the first one's start
            # (its forward pass and loss), which is where its curve begins.
            state = self._switch(state, step.variants[0])
            state.reveal = Reveal(forward=self._depth(state.network), loss=True)
        selection = self._selection(step, state.selection)
        if self._example(selection) != self._example(state.selection):
            # Another example: what earlier steps revealed was about the old one. Carried over,
            # it would show this example's outputs before any step computes them (a check on a
            # new fruit would show the ŷ its answer is read from).
            state.reveal = Reveal()
        state.selection = selection
        depth = self._depth(state.network)
        reveal = state.reveal.merge(self._step_reveal(step, depth))
        trace_key = (_network_key(state.network), state.selection)
        self._trace_keys[index] = trace_key
        trace = self._trace(trace_key, state.network, state.selection)
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
        if step.kind == StepKind.TRAIN:
            self._pending[index] = state
        else:
            self._after[index] = self._advance(step, state, reveal, trace)

    def needs_training(self, index: int) -> bool:
        """Whether ``view(index)`` would have to run a training that is not known yet."""
        run = self.predicted_run(index) if 0 <= index < self.total else None
        if run is not None and run not in self._outcomes:
            return True
        if index in self._views:
            return False
        return any(self.steps[k].kind == StepKind.TRAIN and k not in self._outcomes
                   for k in range(min(index, self.total)))

    def _switch(self, state: _State, variant_id: str) -> _State:
        if variant_id == MAIN:
            return _State(self.lesson.network.build(), MAIN, MAIN_LABEL, state.selection,
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

    def _example(self, selection: DataSelection) -> tuple:
        """Which example ``selection`` traces, as a value: the focus row and ``row = focus``
        are the same example."""
        if selection.mode in ("focus", "row"):
            return ("row", self.lesson.focus if selection.row is None else selection.row)
        return (selection.mode, selection.x, selection.y)

    def _trace(self, key: tuple, network: Network, selection: DataSelection) -> Trace:
        """The trace of ``selection`` through ``network`` (``key``: both as values, see
        ``_network_key``); steps that change neither share one Trace object."""
        if key not in self._traces:
            self._traces[key] = self._compute_trace(network, selection)
        return self._traces[key]

    def _compute_trace(self, network: Network, selection: DataSelection) -> Trace:
        x, y, rows = self.selected_data(selection)
        with np.errstate(all="ignore"):
            return network.trace(x, y, rows=rows)

    def network_traces(self) -> tuple[tuple[Network, Trace], ...]:
        """Every network the lesson shows (its own and each variant, as they start), traced at
        every data selection its steps use: what the Network pane sizes its drawing for, so a
        lesson keeps one drawing style at one terminal size (training changes the values, not
        the shapes). Worked out once; a variant that cannot take a selection's inputs (another
        input count) is left out at that selection."""
        if self._network_traces is None:
            selections = list(dict.fromkeys(
                [DataSelection()]
                + [self._selection(step, DataSelection()) for step in self.steps]))
            networks = [self.lesson.network.build()]
            networks += [variant.network.build() for variant in self.lesson.variants]
            found = []
            for network in networks:
                for selection in selections:
                    try:
                        found.append((network, self._compute_trace(network, selection)))
                    except ValueError:
                        continue
            self._network_traces = tuple(found)  # (one assignment: safe beside a worker)
        return self._network_traces

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
        if step.kind == StepKind.FORWARD:
            return Reveal(forward=depth if step.layer is None else step.layer + 1)
        if step.kind == StepKind.LOSS:
            return Reveal(forward=depth, loss=True)
        if step.kind == StepKind.BACKWARD:
            shown = depth if step.layer is None else depth - step.layer
            return Reveal(forward=depth, loss=True, backward=shown)
        if step.kind == StepKind.UPDATE:
            return Reveal(forward=depth, loss=True, backward=depth, update=True)
        if step.kind == StepKind.EXPLORE:
            # A goal is about what the network answers: its forward pass and loss are in view.
            return Reveal(forward=depth, loss=True)
        return Reveal()

    @staticmethod
    def _highlight(step: Step, depth: int) -> Highlight:
        if step.kind == StepKind.FORWARD:
            return Highlight("layer" if step.layer is not None else "all", step.layer)
        if step.kind == StepKind.BACKWARD:
            return Highlight("layer" if step.layer is not None else "all", step.layer, "backward")
        if step.kind == StepKind.LOSS:
            return Highlight("loss")
        if step.kind in (StepKind.UPDATE, StepKind.TRAIN):
            direction = "backward" if step.kind == StepKind.UPDATE else "forward"
            return Highlight("all", direction=direction)
        return Highlight()

    def _advance(self, step: Step, state: _State, reveal: Reveal, trace: Trace) -> _State:
        after = replace(state, reveal=reveal)
        if step.kind == StepKind.UPDATE and step.apply:
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
        if step.kind != StepKind.TRAIN:
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
                network, label = self.lesson.network.build(), MAIN_LABEL
            else:
                variant = self.lesson.variant(variant_id)
                network, label = variant.network.build(), variant.label
            jobs.append(TrainingJob(variant_id, label, network.copy(), epochs,
                                    training.batch_size, training.shuffle_seed,
                                    training.shuffle))
        return tuple(jobs)

    def _planned_epochs(self, step: Step) -> tuple[int, ...]:
        return planned_epochs(self.lesson, step)

    def training_outcomes(self, index: int) -> tuple[TrainingOutcome, ...]:
        """The finished (deterministic) result of train step ``index``, computed once."""
        if index not in self._outcomes:
            outcomes = []
            for job in self.training_jobs(index):
                epochs = capped_epochs(job, len(self._X), self.training_work)
                if epochs < job.epochs:
                    self._cut_short.add(index)
                # Trained once per process for the same content (nn_tui.lessons.run_cache).
                outcomes.append(trained_outcome(job, self._X, self._Y, epochs,
                                                getattr(self._local, "cancelled", None)))
            self._outcomes[index] = tuple(outcomes)
        return self._outcomes[index]

    # The outcome of a job as far as a trainer has run it (nn_tui.lessons.training).
    outcome_from = staticmethod(outcome_from)

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
        those runs decide are UNKNOWN (see ``checked_context``), and so may the answer be.
        """
        step = self.steps[index]
        if step.kind != StepKind.CHECK:
            raise ValueError(f"step {index} is a {step.kind} step, not a check")
        if index not in self._expressions:
            self._expressions[index] = parse_expression(step.answer)
        expression = self._expressions[index]
        view = self.view(index)
        context = view.context() if self.training_work is None else self.checked_context(view)
        run = self.predicted_run(index)
        if run is not None:
            # A prediction: graded by the run that follows it, which is not on screen yet.
            context = dict(context)
            context["training"] = self._training_dict(self.training_outcomes(run))
        with np.errstate(all="ignore"):
            return expression.evaluate(context, meter)

    def predicted_run(self, index: int) -> int | None:
        """The train step a check about training runs predicts, or None: a check whose answer
        reads ``training`` with no train step before it is asked before the run (so its
        outcome is not on screen) and is graded by the first train step after it. ``view``
        of such a check trains that run (``needs_training`` says so until it has)."""
        if not self.asks_about_training(index) or any(
                self.steps[k].kind == StepKind.TRAIN for k in range(index)):
            return None
        return next((k for k in range(index + 1, self.total)
                     if self.steps[k].kind == StepKind.TRAIN), None)

    def checked_context(self, view: StepView) -> dict[str, Any]:
        """``view.context()`` as far as a validating replay knows it: the structure is exact
        (every path, list length and count the learner's session has), the numbers that a
        cut-short run decides are UNKNOWN: all of the trace's if the weights in force come from
        such a run, and a run's ``loss``, ``diverged``, ``stalled`` and the ``history`` entries
        after the epochs trained (``history`` has epochs planned + 1 entries and ``epochs`` is
        the planned count, as in the full run)."""
        provisional = view.index in self._provisional
        key = (self._trace_keys[view.index], provisional)
        plain = self._trace_dicts.get(key)
        if plain is None:
            plain = view.trace.to_dict()
            if provisional:
                plain = _all_unknown(plain)
            self._trace_dicts[key] = plain
        data = dict(plain)
        data["training"] = self._training_dict(view.trainings)
        return data

    def _training_dict(self, outcomes: tuple[TrainingOutcome, ...]) -> dict[str, Any]:
        """``training`` of an answer's context: each run's plain form by variant id; in a
        validating session the numbers a cut-short run decides are UNKNOWN."""
        if self.training_work is None:
            return {outcome.variant_id: outcome.to_dict() for outcome in outcomes}
        training = {}
        for outcome in outcomes:
            entry = outcome.to_dict()
            if outcome.epochs_run < outcome.epochs_planned and not outcome.diverged:
                missing = outcome.epochs_planned + 1 - len(outcome.history)
                entry.update(epochs=outcome.epochs_planned, loss=UNKNOWN, diverged=UNKNOWN,
                             stalled=UNKNOWN, history=entry["history"] + [UNKNOWN] * missing)
            training[outcome.variant_id] = entry
        return training

    def unchecked_run(self, view: StepView) -> tuple[int, int]:
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
            self._about_training[index] = (step.kind == StepKind.CHECK and bool(step.answer)
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
            return CHOICE_TOLERANCE
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
            raise ExpressionError(
                f"the answer is {expected:g} but the choices' values are {values}")
        return distances.index(min(distances))

    def lint(self, cancelled: Callable[[], bool] | None = None,
             answer_work: int | None = None,
             ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(problems, notes), each a list of (key, message): see ``lint.lint_session``."""
        from nn_tui.lessons.lint import lint_session

        return lint_session(self, cancelled, answer_work)

    def explore_data(self, index: int) -> tuple[Network, np.ndarray, np.ndarray, tuple]:
        """(network, x, y, rows) explore mode starts from at step ``index``: copies of the
        weights in force and of the data the step traces, free to edit."""
        view = self.view(index)
        x, y, rows = self.selected_data(view.selection)
        return view.network.copy(), np.array(x, dtype=float), np.array(y, dtype=float), rows

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


