"""Gradient-descent training with a loss history and divergence detection.

``Trainer`` runs epochs in chunks so a caller (the TUI's worker thread, the CLI) can report
progress between chunks. ``history[0]`` is the loss before training; ``history[k]`` the loss over
all rows after epoch k.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from nn_tui.engine.network import Network

# A run whose loss grows past this multiple of max(1, initial loss) is stopped as diverged
# before it overflows to inf/nan.
DIVERGENCE_FACTOR = 1e6


class TrainingCancelled(Exception):
    """Raised by ``Trainer.run`` when its ``should_stop`` said so; the trainer is then
    mid-epoch and must be thrown away."""


@dataclass
class TrainResult:
    network: Network
    history: list[float]
    epochs_run: int
    diverged: str | None = None


@dataclass
class Trainer:
    network: Network  # trained in place: pass a copy to keep the original
    X: np.ndarray
    Y: np.ndarray
    batch_size: int | None = None  # None = full batch
    seed: int = 0
    learning_rate: float | None = None  # None = the network's own
    history: list[float] = field(default_factory=list)
    epoch: int = 0
    diverged: str | None = None
    # Asked between mini-batches (and between full-batch epochs): True stops the run with
    # TrainingCancelled, so a caller in another thread can abandon a long run at once.
    should_stop: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.X = np.atleast_2d(np.asarray(self.X, dtype=float))
        self.Y = np.atleast_2d(np.asarray(self.Y, dtype=float))
        self._rng = np.random.default_rng(self.seed)
        if not self.history:
            with np.errstate(all="ignore"):
                self.history.append(self.network.total_loss(self.X, self.Y))
        self._limit = DIVERGENCE_FACTOR * max(1.0, self.history[0])

    @property
    def eta(self) -> float:
        return self.network.learning_rate if self.learning_rate is None else self.learning_rate

    def _batches(self):
        """Shuffled mini-batches of one epoch (full-batch epochs do not come here)."""
        n = self.X.shape[0]
        order = self._rng.permutation(n)
        for start in range(0, n, self.batch_size):
            chosen = order[start : start + self.batch_size]
            yield self.X[chosen], self.Y[chosen]

    def _check(self, loss: float) -> str | None:
        if not np.isfinite(loss):
            return (
                f"the loss became {loss} at epoch {self.epoch}: the learning rate "
                f"η = {self.eta:g} makes each step overshoot, so the weights grew without bound"
            )
        if loss > self._limit:
            return (
                f"loss {self.history[0]:.4g} → {loss:.4g} by epoch {self.epoch}: the learning "
                f"rate η = {self.eta:g} is too large, each step overshoots the minimum and lands "
                f"further away"
            )
        # One sum per array: inf and nan survive a sum, so a non-finite total means a
        # non-finite weight (checking every element costs more than the epoch itself).
        total = sum(float(layer.W.sum()) + float(layer.b.sum()) for layer in self.network.layers)
        if not math.isfinite(total):
            return f"a weight became infinite at epoch {self.epoch} (η = {self.eta:g} too large)"
        return None

    def run(self, epochs: int) -> list[float]:
        """Train up to ``epochs`` more epochs; returns the new history entries.

        Stops early, setting ``diverged`` to a sentence explaining why, if the loss stops being
        finite or explodes. Once diverged, further calls do nothing. Raises
        ``TrainingCancelled`` when ``should_stop`` returns True.
        """
        new: list[float] = []
        if self.diverged or epochs <= 0:
            return new
        with np.errstate(all="ignore"):
            if self._full_batch:
                self._run_full_batch(epochs, new)
            else:
                self._run_mini_batches(epochs, new)
        return new

    @property
    def _full_batch(self) -> bool:
        return self.batch_size is None or self.batch_size >= self.X.shape[0]

    def _record(self, loss: float, new: list[float]) -> bool:
        """Add the loss after epoch ``self.epoch``; False (and ``diverged`` set) if it blew up.

        An exploding but finite loss is kept, so the history ends on the number the
        explanation quotes; inf or nan is not (the plot and the numbers stay finite)."""
        self.diverged = self._check(loss)
        if self.diverged and not math.isfinite(loss):
            return False
        self.history.append(loss)
        new.append(loss)
        return not self.diverged

    def _run_mini_batches(self, epochs: int, new: list[float]) -> None:
        stop = self.should_stop
        for _ in range(epochs):
            for X_batch, Y_batch in self._batches():
                if stop is not None and stop():
                    raise TrainingCancelled
                _, grads = self.network.gradients(X_batch, Y_batch)
                self.network.apply_gradients(grads, self.eta)
            self.epoch += 1
            if not self._record(self.network.total_loss(self.X, self.Y), new):
                return

    def _run_full_batch(self, epochs: int, new: list[float]) -> None:
        # With the whole data set as the batch, the loss that the gradient pass computes for
        # the current weights is the loss after the previous epoch: one forward pass per epoch
        # instead of two. (The same numbers as the mini-batch loop, in half the time.)
        stop = self.should_stop
        for done in range(epochs):
            if stop is not None and stop():
                raise TrainingCancelled
            loss, grads = self.network.gradients(self.X, self.Y)
            if done > 0 and not self._record(loss, new):
                return
            self.network.apply_gradients(grads, self.eta)
            self.epoch += 1
        self._record(self.network.total_loss(self.X, self.Y), new)


def train(
    network: Network,
    X: np.ndarray,
    Y: np.ndarray,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    learning_rate: float | None = None,
) -> TrainResult:
    """Train a copy of ``network`` for ``epochs`` epochs (or until it diverges)."""
    trainer = Trainer(network.copy(), X, Y, batch_size, seed, learning_rate)
    trainer.run(epochs)
    return TrainResult(trainer.network, trainer.history, trainer.epoch, trainer.diverged)
