"""Training runs of a lesson's train steps: what each run trains, how long, and what it gives.

A train step trains each listed variant from its own start (or the network in force when none
is listed) for the planned epochs. ``TrainingJob`` is what a worker thread needs to run one
network; ``TrainingOutcome`` is its result, finished or partial while it runs live. Validation
replays lessons with a work cap (``capped_epochs``) so it never trains a large run to the end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nn_tui.engine import Network, Trainer

if TYPE_CHECKING:
    from nn_tui.lessons.model import Lesson, Step

# The variant id of the lesson's own network (``use = "main"``).
MAIN = "main"
MAIN_LABEL = "main network"

# Validating a lesson replays it, and replaying past a train step needs the run's result. A run
# bigger than LINT_TRAINING_WORK (nn_tui.lessons.lint: data rows × epochs × parameters; see
# loader.MAX_TRAINING_WORK) is cut short while validating: enough to check that every answer
# resolves, not to train to the end. Mini-batches are capped too.
LINT_TRAINING_BATCHES = 2_000
# Each epoch also costs a fixed overhead (~25 µs) that rows × parameters does not see: a tiny
# network's 100,000 epochs would take seconds. The bundled lessons train at most 6,000.
LINT_TRAINING_EPOCHS = 20_000


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
        """A Trainer of a copy of the starting network on inputs ``X`` ``(rows, inputs)`` and
        targets ``Y`` ``(rows, outputs)``."""
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
        """The run as an answer path reads it (``training.<variant>.loss`` ...)."""
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


def outcome_from(job: TrainingJob, trainer: Trainer) -> TrainingOutcome:
    """The outcome of ``job`` as far as ``trainer`` has run it."""
    return TrainingOutcome(job.variant_id, job.label, tuple(trainer.history), job.epochs,
                           trainer.epoch, trainer.diverged, trainer.network.copy(),
                           trainer.stalled(finished=trainer.epoch >= job.epochs))


def planned_epochs(lesson: Lesson, step: Step) -> tuple[int, ...]:
    """The epochs of each run a train step starts: a listed variant's own, else the step's,
    else the lesson's (one run when no variants are listed). Empty for other steps."""
    from nn_tui.lessons.model import StepKind

    if step.kind != StepKind.TRAIN:
        return ()
    default = step.epochs or lesson.training.epochs
    if not step.variants:
        return (default,)
    return tuple((None if listed == MAIN else lesson.variant(listed).epochs) or default
                 for listed in step.variants)


def capped_epochs(job: TrainingJob, rows: int, training_work: int | None) -> int:
    """The epochs of ``job`` to train on ``rows`` data rows within ``training_work`` (rows ×
    epochs × parameters, None for no cap), LINT_TRAINING_EPOCHS and LINT_TRAINING_BATCHES
    mini-batches; at least one."""
    if training_work is None:
        return job.epochs
    per_epoch = rows * sum(layer.W.size + layer.b.size for layer in job.network.layers)
    cap = min(training_work // max(per_epoch, 1), LINT_TRAINING_EPOCHS)
    if job.batch_size is not None and job.batch_size < rows:
        cap = min(cap, LINT_TRAINING_BATCHES // -(-rows // job.batch_size))
    return max(1, min(job.epochs, cap))
