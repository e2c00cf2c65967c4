"""Gradient-descent training with a loss history, divergence and saturation detection.

``Trainer`` runs epochs in chunks so a caller (the TUI's worker thread, the CLI) can report
progress between chunks. ``history[0]`` is the loss before training; ``history[k]`` the loss over
all rows after epoch k. Only ``history[0]`` can be non-finite (a network that overflows before
training: the run is diverged from the start and trains nothing); an epoch whose loss overflows
to inf or nan is not recorded, and the network goes back to the weights of the last recorded
epoch, so the network a run ends with always has the loss its history ends with.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nn_tui.engine.activations import Activation
from nn_tui.engine.network import Network

# A run whose loss grows past this multiple of max(1, initial loss) is stopped as diverged
# before it overflows to inf/nan.
DIVERGENCE_FACTOR = 1e6
# Saturation: a unit counts as pinned where its slope is below this fraction of the activation's
# largest slope (σ′ ≤ 0.25·1e-4: |z| above about 9); a run is saturated when at least
# SATURATED_SHARE of the sigmoid/tanh/softmax values over all rows are pinned while the loss has
# stopped moving (relative change below STALL_CHANGE over the last STALL_EPOCHS epochs) short of
# a fit (loss above STALL_FLOOR).
PINNED_SLOPE = 1e-4
SATURATED_SHARE = 0.5
STALL_EPOCHS = 20
STALL_CHANGE = 1e-6
STALL_FLOOR = 1e-4
# A run that ends with a loss this many times its initial loss (without diverging) overshoots.
OVERSHOOT_FACTOR = 10.0


def _bounds_text(activation: Activation) -> str:
    """Where an activation's outputs are pinned, in words: "0 or 1", "−1 or 1"."""
    low, high = activation.bounds or (float("nan"), float("nan"))
    return f"{low:g} or {high:g}".replace("-", "−")


def describe_non_finite(value: float) -> str:
    """How a non-finite number reads in a sentence: "∞ (overflow)", "nan (not a number)"."""
    if math.isnan(value):
        return "nan (not a number: an overflow met ∞ − ∞ or 0·∞)"
    return "∞ (overflow)" if value > 0 else "−∞ (overflow)"


class TrainingCancelled(Exception):
    """Raised by ``Trainer.run`` when its ``should_stop`` said so; the trainer is then
    mid-epoch and must be thrown away."""


@dataclass
class Trainer:
    """Gradient descent over the rows of X (n, fan_in) with targets Y (n, K), in epochs.

    Full-batch when ``batch_size`` is None or at least n, else mini-batches (shuffled from
    ``seed`` unless ``shuffle`` is off). ``history``: the reported loss before training, then
    after each epoch. Raises ValueError for a loss without a value ("none": nothing to
    minimise)."""

    network: Network  # trained in place: pass a copy to keep the original
    X: np.ndarray
    Y: np.ndarray
    batch_size: int | None = None  # None = full batch
    seed: int = 0
    learning_rate: float | None = None  # None = the network's own
    # False: mini-batches take the rows in file order every epoch (online SGD with
    # batch_size = 1 visits row 0, 1, 2 ... as a hand-written loop does); True: a new order
    # each epoch, drawn from ``seed``.
    shuffle: bool = True
    history: list[float] = field(default_factory=list)
    epoch: int = 0
    diverged: str | None = None
    # Asked between mini-batches (and between full-batch epochs): True stops the run with
    # TrainingCancelled, so a caller in another thread can abandon a long run at once.
    should_stop: Callable[[], bool] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.network.loss.has_value:
            raise ValueError(
                f"loss {self.network.loss.name!r} has no value to minimise (it gives only an "
                "upstream gradient ∂L/∂ŷ), so there is nothing to train")
        self.X = np.atleast_2d(np.asarray(self.X, dtype=float))
        self.Y = np.atleast_2d(np.asarray(self.Y, dtype=float))
        self._rng = np.random.default_rng(self.seed)
        if not self.history:
            self.history.append(self.network.total_loss(self.X, self.Y))
        initial = self.history[0]
        self._limit = DIVERGENCE_FACTOR * max(1.0, initial) if math.isfinite(initial) else 0.0
        # The parameters of the last recorded epoch (apply_gradients makes new arrays, so
        # holding the old ones costs nothing): where the network goes back to if an epoch
        # overflows.
        self._kept = self._params()
        if not self.diverged:
            self.diverged = self._check_start(initial)

    def _params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(layer.W, layer.b) for layer in self.network.layers]

    def _restore(self) -> None:
        for layer, (W, b) in zip(self.network.layers, self._kept):
            layer.W, layer.b = W, b

    def _check_start(self, initial: float) -> str | None:
        """Why training cannot start: the starting network already overflows."""
        if not math.isfinite(initial):
            return (
                f"the loss of the starting weights is already {describe_non_finite(initial)} "
                f"before training: their numbers pass the largest float (about 1.8e308), so "
                f"there is no gradient to follow and nothing was trained"
            )
        if not self._weights_finite():
            return ("a starting weight is not a finite number (it overflowed before "
                    "training), so nothing was trained")
        return None

    def _weights_finite(self) -> bool:
        # One sum per array: inf and nan survive a sum, so a non-finite total means a
        # non-finite weight (checking every element costs more than the epoch itself).
        total = sum(float(layer.W.sum()) + float(layer.b.sum()) for layer in self.network.layers)
        return math.isfinite(total)

    @property
    def eta(self) -> float:
        """The learning rate η the steps use: the trainer's own, else the network's."""
        return self.network.learning_rate if self.learning_rate is None else self.learning_rate

    def _batches(self):
        """The mini-batches of one epoch, shuffled unless ``shuffle`` is off (full-batch epochs
        do not come here)."""
        n = self.X.shape[0]
        size = n if self.batch_size is None else self.batch_size
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, size):
            chosen = order[start : start + size]
            yield self.X[chosen], self.Y[chosen]

    def _check(self, loss: float) -> str | None:
        if not math.isfinite(loss):
            kept = len(self.history) - 1
            when = "before training" if kept == 0 else f"after epoch {kept}"
            return (
                f"the numbers overflowed at epoch {self.epoch}: the loss became "
                f"{describe_non_finite(loss)}. The learning rate η = {self.eta:g} makes each "
                f"step overshoot, so the weights grew without bound. The network is kept as it "
                f"was {when}, its last finite loss"
            )
        if loss > self._limit:
            return (
                f"loss {self.history[0]:.4g} → {loss:.4g} by epoch {self.epoch}: the learning "
                f"rate η = {self.eta:g} is too large, each step overshoots the minimum and lands "
                f"further away"
            )
        if not self._weights_finite():
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
        with np.errstate(all="ignore"):  # overflow is detected and explained, not warned about
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
        explanation quotes; inf or nan is not (the plot and the numbers stay finite), and the
        network goes back to the weights of the last recorded epoch."""
        self.diverged = self._check(loss)
        if self.diverged and not (math.isfinite(loss) and self._weights_finite()):
            self._restore()
            return False
        self.history.append(loss)
        new.append(loss)
        self._kept = self._params()
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

    # -- why a finished (or stalled) run did not learn ------------------------------------------

    def stalled(self, finished: bool = True) -> str | None:
        """A sentence saying why the loss stopped improving short of a fit, or None.

        Saturation: most sigmoid/tanh/softmax values are pinned at their limits (slopes ≈ 0,
        so the gradients through them vanish) and the loss has stopped moving. Overshooting
        (only once the run is ``finished``: a run may climb for a while and come back down):
        the run ended far above where it started without diverging (the steps jump across the
        valley). Costs one forward pass over the rows when the loss has stalled; nothing
        otherwise. A diverged run has its own explanation (``diverged``)."""
        history = self.history
        if self.diverged or len(history) < 2 or not all(map(math.isfinite, history[-2:])):
            return None
        first, last = history[0], history[-1]
        if finished and last > OVERSHOOT_FACTOR * max(first, STALL_FLOOR):
            return (
                f"overshooting: the loss ended at {last:.4g}, far above where it started "
                f"({first:.4g}). The learning rate η = {self.eta:g} is too large: each step "
                f"jumps across the valley instead of down into it; a smaller η would help"
            )
        if len(history) <= STALL_EPOCHS or last <= STALL_FLOOR:
            return None
        window = history[-STALL_EPOCHS - 1:]
        if max(window) - min(window) > STALL_CHANGE * max(abs(last), STALL_FLOOR):
            return None
        # Stuck since the first epoch: the network started saturated, so η is not the cause.
        from_start = abs(first - last) <= STALL_CHANGE * max(abs(last), STALL_FLOOR)
        return self._saturation(last, from_start)

    def _saturation(self, loss: float, from_start: bool = False) -> str | None:
        with np.errstate(all="ignore"):
            zs, activations = self.network.forward(self.X)
            pinned = total = 0
            saturating: dict[str, Activation] = {}
            for layer, z, a in zip(self.network.layers, zs, activations):
                activation = layer.activation
                if activation.max_slope is None:  # it does not saturate (ReLU, identity ...)
                    continue
                if not activation.elementwise:
                    # A softmax output is pinned where its largest output is (nearly) 1.
                    slopes = np.max(a, axis=-1) * (1.0 - np.max(a, axis=-1))
                else:
                    slopes = activation.jacobian(z, a)
                pinned += int(np.sum(slopes <= PINNED_SLOPE * activation.max_slope))
                total += slopes.size
                saturating.setdefault(activation.name, activation)
        if not total or pinned < SATURATED_SHARE * total:
            return None
        which = " and ".join(saturating)
        limits = " or ".join(dict.fromkeys(_bounds_text(activation)
                                           for activation in saturating.values()))
        slopes = ", ".join(activation.slope_symbol for activation in saturating.values())
        if from_start:
            cause = ("It was so from the start: the starting weights (or the inputs) are large "
                     "enough that every z is far from 0; smaller starting weights, or inputs "
                     "scaled to about ±1, would help")
        else:
            cause = (f"The weights grew until every z is far from 0; a smaller learning rate "
                     f"than η = {self.eta:g} (or smaller starting weights) would help")
        return (
            f"saturated: the {which} outputs are pinned at {limits} ({pinned} of {total} "
            f"values), so their slopes {slopes} ≈ 0 and the gradients vanish: the loss "
            f"{'never moved from' if from_start else 'stopped moving at'} {loss:.4g}. {cause}"
        )

