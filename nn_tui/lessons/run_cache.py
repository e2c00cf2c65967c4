"""Finished training runs, remembered by their content: the same run is trained once per process.

Checking a lesson replays it, and replaying past a train step trains its networks. One process
often checks the same lesson many times (``nn-tui check`` over folders holding copies of a
lesson, the test suite, a learner reopening a lesson), and the runs are deterministic: the same
starting network, data and training settings always give the same history. So a finished run is
kept here, keyed by a digest of everything it depends on (``run_key``), and handed out again
instead of training again.

- The key is the content, never a file name or an object's ``id``: a lesson changed by one
  number is a different run; the same lesson in two files is one.
- Bounded: the ``MAX_RUNS`` runs used last (an LRU), so a long session cannot grow it without
  end (a run holds its loss history: up to ``LINT_TRAINING_EPOCHS`` floats).
- Nothing handed out can change what is kept: outcomes are frozen, their history a tuple, and
  each caller gets its own copy of the trained network (the kept one is read-only).
- Only finished runs are kept (a cancelled one raises before anything is stored).
- Thread-safe: replays run in the tutor's worker threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nn_tui.engine import Network
from nn_tui.engine import training as engine_training
from nn_tui.lessons.fingerprint import content_digest
from nn_tui.lessons.training import TrainingJob, TrainingOutcome, outcome_from

# The runs kept. The bundled course checks about a dozen distinct runs; tests and folders of
# lessons add a few more at a time. Each costs its history (8 bytes an epoch) and a network.
MAX_RUNS = 64

# Changed whenever what a run computes changes shape (the digest also names every field).
_KEY_VERSION = b"nn-tui training run 1"


@dataclass(frozen=True)
class _Run:
    """What a finished run gives, apart from the job's names (variant id, label)."""

    history: tuple[float, ...]
    epochs_run: int
    diverged: str | None
    stalled: str | None
    network: Network  # read-only arrays: callers get copies


_runs: OrderedDict[bytes, _Run] = OrderedDict()
_lock = threading.Lock()
_counts = {"hits": 0, "runs": 0}


def run_key(job: TrainingJob, X: np.ndarray, Y: np.ndarray, epochs: int) -> bytes:
    """A digest of everything training ``job`` for ``epochs`` epochs on inputs ``X`` ``(rows,
    inputs)`` and targets ``Y`` ``(rows, outputs)`` depends on: every layer's W, b, activation
    (with its parameters), bias and freeze settings, the loss, η, the reduction, the data, the
    epochs to run and planned, the batch size, the shuffle and its seed; and the engine's
    divergence and stall thresholds (read now, so a changed threshold is a new run)."""
    network = job.network
    thresholds = tuple(getattr(engine_training, name) for name in (
        "DIVERGENCE_FACTOR", "PINNED_SLOPE", "SATURATED_SHARE", "STALL_EPOCHS", "STALL_CHANGE",
        "STALL_FLOOR", "OVERSHOOT_FACTOR"))
    return content_digest(
        _KEY_VERSION, thresholds,
        tuple(network.layers), network.loss, float(network.learning_rate), network.reduction,
        np.atleast_2d(np.asarray(X, dtype=float)), np.atleast_2d(np.asarray(Y, dtype=float)),
        int(epochs), int(job.epochs), job.batch_size, int(job.seed), bool(job.shuffle))


def trained_outcome(job: TrainingJob, X: np.ndarray, Y: np.ndarray, epochs: int,
                    should_stop: Callable[[], bool] | None = None) -> TrainingOutcome:
    """``job`` trained for ``epochs`` epochs (at most its planned ``job.epochs``; fewer when a
    check cuts it short) on ``X`` ``(rows, inputs)`` and ``Y`` ``(rows, outputs)``: the kept
    run when the same run was trained before in this process, else a new one (then kept).

    ``should_stop`` is asked while training (see ``Trainer``); raises ``TrainingCancelled``
    when it says stop, keeping nothing. The outcome's network is the caller's own copy."""
    key = run_key(job, X, Y, epochs)
    with _lock:
        run = _runs.get(key)
        if run is not None:
            _runs.move_to_end(key)
            _counts["hits"] += 1
    if run is not None:
        return TrainingOutcome(job.variant_id, job.label, run.history, job.epochs,
                               run.epochs_run, run.diverged, run.network.copy(), run.stalled)
    trainer = job.trainer(X, Y)
    trainer.should_stop = should_stop
    trainer.run(epochs)
    outcome = outcome_from(job, trainer)
    kept = outcome.network.copy()
    for layer in kept.layers:
        layer.W.flags.writeable = False
        layer.b.flags.writeable = False
    with _lock:
        _counts["runs"] += 1
        _runs[key] = _Run(outcome.history, outcome.epochs_run, outcome.diverged,
                          outcome.stalled, kept)
        _runs.move_to_end(key)
        while len(_runs) > MAX_RUNS:
            _runs.popitem(last=False)
    return outcome


def cache_info() -> dict[str, int]:
    """How the cache has done in this process: ``hits``, ``runs`` (trained), ``kept``."""
    with _lock:
        return {**_counts, "kept": len(_runs)}


def clear() -> None:
    """Forget every kept run (and the counts)."""
    with _lock:
        _runs.clear()
        _counts.update(hits=0, runs=0)


__all__ = ["MAX_RUNS", "cache_info", "clear", "run_key", "trained_outcome"]
