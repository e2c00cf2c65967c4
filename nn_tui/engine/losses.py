"""Per-sample loss functions and their gradient with respect to the network output ŷ.

All functions take ``y`` (targets) and ``y_hat`` (outputs) of shape (K,) for one sample or
(n, K) for a batch, and return one loss per sample: a float, or an array of n floats.

Log-based losses accept the output layer's pre-activation ``z`` as well: when ŷ = σ(z) or
ŷ = softmax(z) the loss is computed in log space from z, so outputs that round to exactly 0 or
1 still give a finite, accurate loss instead of log(0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from nn_tui.engine.activations import log_one_minus_softmax, log_softmax

# Outputs are clipped this far from 0 and 1 before taking a log when no logits are available.
LOG_EPSILON = 1e-12
# The output activations whose logits give bce its logs directly (the validator accepts bce
# only on these, so every accepted pairing is computed from the logits).
BCE_LOGIT_ACTIVATIONS = ("sigmoid", "softmax")


def _k(y: np.ndarray) -> int:
    return np.asarray(y).shape[-1]


def _softplus(z: np.ndarray) -> np.ndarray:
    # log(1 + e^z) without overflow.
    return np.logaddexp(0.0, z)


def _mse(y, y_hat, z=None, activation=None):
    return np.mean((y - y_hat) ** 2, axis=-1)


def _mse_grad(y, y_hat, z=None, activation=None):
    return 2.0 * (y_hat - y) / _k(y)


def _half_sse(y, y_hat, z=None, activation=None):
    return 0.5 * np.sum((y - y_hat) ** 2, axis=-1)


def _half_sse_grad(y, y_hat, z=None, activation=None):
    return y_hat - y


def _sse(y, y_hat, z=None, activation=None):
    return np.sum((y - y_hat) ** 2, axis=-1)


def _sse_grad(y, y_hat, z=None, activation=None):
    return 2.0 * (y_hat - y)


def _no_loss(y, y_hat, z=None, activation=None):
    # loss = "none" has no value: nan marks "no number" (never shown as a loss; the trace
    # writes it as null and the panes say there is no loss).
    return np.full(np.shape(y)[:-1], np.nan)


def _given_grad(y, y_hat, z=None, activation=None):
    # loss = "none": the data's "targets" are the upstream gradient ∂L/∂ŷ itself.
    return np.array(y, dtype=float, copy=True)


def _bce_logs(z: np.ndarray, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """(ln ŷ, ln(1 − ŷ)) from the output layer's logits z, for ŷ = σ(z) or ŷ = softmax(z)."""
    if activation == "sigmoid":
        return -_softplus(-z), -_softplus(z)
    log_p = log_softmax(z)
    return log_p, log_one_minus_softmax(z, log_p)


def _bce(y, y_hat, z=None, activation=None):
    if z is not None and activation in BCE_LOGIT_ACTIVATIONS:
        # −[y·ln ŷ + (1−y)·ln(1−ŷ)] with both logs taken from z (for a sigmoid this is
        # y·softplus(−z) + (1−y)·softplus(z)): clipping ŷ would cap the loss at −ln 1e-12 =
        # 27.63 and flatten its gradient exactly when the network is confidently wrong.
        log_p, log_q = _bce_logs(z, activation)
        # A target of exactly 0 or 1 takes no part of the other log, even where it is −∞.
        per_output = -(np.where(y > 0, y * log_p, 0.0) + np.where(y < 1, (1.0 - y) * log_q, 0.0))
    else:
        p = np.clip(y_hat, LOG_EPSILON, 1.0 - LOG_EPSILON)
        per_output = -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return np.mean(per_output, axis=-1)


def _bce_grad(y, y_hat, z=None, activation=None):
    if z is not None and activation in BCE_LOGIT_ACTIVATIONS:
        # 1/ŷ and 1/(1 − ŷ) from the logs: exact where ŷ has rounded to 0 or 1.
        log_p, log_q = _bce_logs(z, activation)
        return (np.where(y > 0, -y * np.exp(-log_p), 0.0)
                + np.where(y < 1, (1.0 - y) * np.exp(-log_q), 0.0)) / _k(y)
    p = np.clip(y_hat, LOG_EPSILON, 1.0 - LOG_EPSILON)
    return (-(y / p) + (1.0 - y) / (1.0 - p)) / _k(y)


def _bce_softmax_output_grad(y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dL/dz of binary cross-entropy on softmax outputs, from the logits.

    L = −(1/K)·Σᵢ[yᵢ·ln pᵢ + (1−yᵢ)·ln(1−pᵢ)] with p = softmax(z). Differentiating,
    K·dL/dzⱼ = −yⱼ + pⱼ·Σy + (1−yⱼ)·pⱼ − Σᵢ≠ⱼ (1−yᵢ)·rᵢ·pⱼ with rᵢ = pᵢ/(1−pᵢ).
    Every rᵢ but the largest output's is at most 1; that one (the odds of a confident output,
    up to e^700) only appears multiplied by another output pⱼ ≤ 1 − pₘ, so the product is
    formed in log space and stays at most pₘ."""
    log_p = log_softmax(z)
    log_q = log_one_minus_softmax(z, log_p)
    p = np.exp(log_p)
    k = z.shape[-1]
    top = np.argmax(z, axis=-1)[..., None]
    is_top = np.arange(k) == top
    odds = np.where(is_top, 0.0, np.exp(log_p - log_q))  # rᵢ for the outputs ≤ ½
    weighted = (1.0 - y) * odds
    rest = np.sum(weighted, axis=-1, keepdims=True) - weighted  # Σᵢ≠ⱼ over the small outputs
    log_top_odds = np.take_along_axis(log_p - log_q, top, axis=-1)
    top_weight = np.take_along_axis(1.0 - y, top, axis=-1)
    from_top = np.where(is_top, 0.0, top_weight * np.exp(log_p + log_top_odds))
    grad = -y + p * np.sum(y, axis=-1, keepdims=True) + (1.0 - y) * p - p * rest - from_top
    return grad / k


def _cross_entropy(y, y_hat, z=None, activation=None):
    if z is not None and activation == "softmax":
        log_p = log_softmax(z)
    else:
        log_p = np.log(np.clip(y_hat, LOG_EPSILON, None))
    return -np.sum(y * log_p, axis=-1)


def _cross_entropy_grad(y, y_hat, z=None, activation=None):
    if z is not None and activation == "softmax":
        # 1/ŷ = e^(−ln softmax(z)): exact where ŷ has underflowed to 0.
        return np.where(y != 0, -y * np.exp(-log_softmax(z)), 0.0)
    return -y / np.clip(y_hat, LOG_EPSILON, None)


@dataclass(frozen=True)
class Loss:
    name: str
    title: str
    formula: str
    derivative_formula: str
    _value: Callable
    _grad: Callable
    # The output activations whose dL/dz is computed directly from the logits (for
    # sigmoid + bce and softmax + cross-entropy the simple (ŷ − y)/K, resp. ŷ·Σy − y).
    fused_activations: tuple[str, ...] = ()
    # Compatibility rules, as data (read by the loader, the engine and the tests):
    # output_activations: the output layers the loss is defined on (None = any), with
    # ``requirement`` saying why in words; target_range: the values a target may take (None =
    # any); has_value: False for "none", which has only a given gradient (nothing to report,
    # nothing to minimise: no training); target_name: what the data's output columns hold.
    output_activations: tuple[str, ...] | None = None
    requirement: str = ""
    target_range: tuple[float, float] | None = None
    has_value: bool = True
    target_name: str = "targets"
    # Names sources use for this loss (the docs' table; shown by ``nn-tui check`` hints).
    also_called: tuple[str, ...] = ()

    def accepts_output(self, activation: str) -> bool:
        """Whether the loss is defined on ``activation`` outputs (see ``requirement``)."""
        return self.output_activations is None or activation in self.output_activations

    def targets_suit(self, targets) -> bool:
        """Whether every value of ``targets`` lies in ``target_range`` (always, without one)."""
        if self.target_range is None:
            return True
        low, high = self.target_range
        values = np.asarray(targets, dtype=float)
        return bool(np.all(values >= low) and np.all(values <= high))

    def fused_with(self, activation: str) -> bool:
        """Whether dL/dz of this loss on ``activation`` outputs comes from :meth:`fused_output_grad`."""
        return activation in self.fused_activations

    def __call__(self, y, y_hat, z=None, activation: str | None = None):
        """The per-sample loss: a float for one sample, one value per row for a batch; from the
        logits ``z`` where the loss takes logs and the output ``activation`` allows it."""
        y = np.asarray(y, dtype=float)
        y_hat = np.asarray(y_hat, dtype=float)
        z = None if z is None else np.asarray(z, dtype=float)
        with np.errstate(all="ignore"):  # ln 0 = −∞ is a value here, not a fault
            return self._value(y, y_hat, z, activation)

    def grad(self, y, y_hat, z=None, activation: str | None = None) -> np.ndarray:
        """dL/dŷ of the per-sample loss, shape of ``y``; from the logits ``z`` where the loss
        takes logs of ŷ and the output ``activation`` allows it (exact where ŷ rounds to 0 or
        1: then the value can be huge, or ∞ past e^709, while dŷ/dz is tiny)."""
        with np.errstate(all="ignore"):
            return self._grad(np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float),
                              None if z is None else np.asarray(z, dtype=float), activation)

    def fused_output_grad(self, y, y_hat, z=None, activation: str | None = None) -> np.ndarray:
        """dL/dz for the fused pairs (sigmoid+bce, softmax+bce, softmax+cross_entropy).

        Mathematically equal to dL/dŷ · dŷ/dz, but exact even where ŷ has rounded to 0 or 1 and
        the separate factors would be 0 · ∞. Softmax + bce needs the logits ``z``.
        """
        y = np.asarray(y, dtype=float)
        y_hat = np.asarray(y_hat, dtype=float)
        if self.name == "bce" and activation == "softmax":
            if z is None:
                raise ValueError("softmax + bce needs the logits z for dL/dz")
            with np.errstate(all="ignore"):
                return _bce_softmax_output_grad(y, np.asarray(z, dtype=float))
        if self.name == "bce":
            return (y_hat - y) / _k(y)
        # −Σ yᵢ·ln softmax(z)ᵢ differentiates to ŷ·Σy − y (just ŷ − y for one-hot targets).
        return y_hat * np.sum(y, axis=-1, keepdims=True) - y


MSE = Loss(
    name="mse",
    title="mean squared error",
    formula="L = (1/K)·Σ(y − ŷ)²",
    derivative_formula="∂L/∂ŷ = (2/K)·(ŷ − y)",
    _value=_mse,
    _grad=_mse_grad,
    also_called=("MSE", "mean squared error"),
)

SSE = Loss(
    name="sse",
    title="sum of squared residuals",
    formula="L = Σ(y − ŷ)²",
    derivative_formula="∂L/∂ŷ = 2·(ŷ − y)",
    _value=_sse,
    _grad=_sse_grad,
    also_called=("SSE", "SSR", "sum of squared errors / residuals"),
)

NO_LOSS = Loss(
    name="none",
    title="no loss: a given upstream gradient",
    formula="no loss value; ∂L/∂ŷ is given (dL_dy)",
    derivative_formula="∂L/∂ŷ = dL_dy, as given",
    _value=_no_loss,
    _grad=_given_grad,
    has_value=False,
    target_name="dL_dy values",
    also_called=('"set the output\'s gradient to 1"',),
)

HALF_SSE = Loss(
    name="half_sse",
    title="half the sum of squared residuals",
    formula="L = ½·Σ(y − ŷ)²",
    derivative_formula="∂L/∂ŷ = ŷ − y",
    _value=_half_sse,
    _grad=_half_sse_grad,
    also_called=("½SSE", "E_total", "E = ½Σ(target − out)²"),
)

BCE = Loss(
    name="bce",
    title="binary cross-entropy",
    formula="L = −(1/K)·Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)]",
    derivative_formula="∂L/∂ŷ = (1/K)·(−y/ŷ + (1 − y)/(1 − ŷ))",
    _value=_bce,
    _grad=_bce_grad,
    fused_activations=("sigmoid", "softmax"),
    # ln ŷ and ln(1 − ŷ) exist only for 0 < ŷ < 1; other outputs would be clipped and the
    # gradients would no longer be those of the loss shown.
    output_activations=BCE_LOGIT_ACTIVATIONS,
    requirement="needs outputs between 0 and 1: use a sigmoid (or softmax) output layer",
    target_range=(0.0, 1.0),
    also_called=("log loss", "binary cross-entropy", "BCE"),
)

CROSS_ENTROPY = Loss(
    name="cross_entropy",
    title="cross-entropy",
    formula="L = −Σ y·ln ŷ",
    derivative_formula="∂L/∂ŷ = −y/ŷ",
    _value=_cross_entropy,
    _grad=_cross_entropy_grad,
    fused_activations=("softmax",),
    output_activations=("softmax",),
    requirement="needs a softmax output layer",
    target_range=(0.0, 1.0),
    also_called=("categorical cross-entropy", "CCE", "negative log-likelihood of softmax"),
)

LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (MSE, HALF_SSE, BCE, CROSS_ENTROPY, SSE, NO_LOSS)
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        valid = ", ".join(LOSSES)
        raise ValueError(f"unknown loss {name!r} (valid: {valid})") from None
