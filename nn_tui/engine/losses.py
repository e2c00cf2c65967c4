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

# Outputs are clipped this far from 0 and 1 before taking a log when no logits are available.
LOG_EPSILON = 1e-12


def _k(y: np.ndarray) -> int:
    return np.asarray(y).shape[-1]


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _softplus(z: np.ndarray) -> np.ndarray:
    # log(1 + e^z) without overflow.
    return np.logaddexp(0.0, z)


def _mse(y, y_hat, z=None, activation=None):
    return np.mean((y - y_hat) ** 2, axis=-1)


def _mse_grad(y, y_hat):
    return 2.0 * (y_hat - y) / _k(y)


def _half_sse(y, y_hat, z=None, activation=None):
    return 0.5 * np.sum((y - y_hat) ** 2, axis=-1)


def _half_sse_grad(y, y_hat):
    return y_hat - y


def _bce(y, y_hat, z=None, activation=None):
    if z is not None and activation == "sigmoid":
        # −[y·ln σ(z) + (1−y)·ln(1−σ(z))] = y·softplus(−z) + (1−y)·softplus(z)
        per_output = y * _softplus(-z) + (1.0 - y) * _softplus(z)
    else:
        p = np.clip(y_hat, LOG_EPSILON, 1.0 - LOG_EPSILON)
        per_output = -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))
    return np.mean(per_output, axis=-1)


def _bce_grad(y, y_hat):
    p = np.clip(y_hat, LOG_EPSILON, 1.0 - LOG_EPSILON)
    return (-(y / p) + (1.0 - y) / (1.0 - p)) / _k(y)


def _cross_entropy(y, y_hat, z=None, activation=None):
    if z is not None and activation == "softmax":
        log_p = _log_softmax(z)
    else:
        log_p = np.log(np.clip(y_hat, LOG_EPSILON, None))
    return -np.sum(y * log_p, axis=-1)


def _cross_entropy_grad(y, y_hat):
    return -y / np.clip(y_hat, LOG_EPSILON, None)


@dataclass(frozen=True)
class Loss:
    name: str
    title: str
    formula: str
    derivative_formula: str
    _value: Callable
    _grad: Callable
    # The output activation whose pairing with this loss has the simple dL/dz = (ŷ − y)/K.
    fused_activation: str | None = None

    def __call__(self, y, y_hat, z=None, activation: str | None = None):
        y = np.asarray(y, dtype=float)
        y_hat = np.asarray(y_hat, dtype=float)
        z = None if z is None else np.asarray(z, dtype=float)
        return self._value(y, y_hat, z, activation)

    def grad(self, y, y_hat) -> np.ndarray:
        """dL/dŷ of the per-sample loss."""
        return self._grad(np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float))

    def fused_output_grad(self, y, y_hat) -> np.ndarray:
        """dL/dz for the fused pairs (sigmoid+bce, softmax+cross_entropy).

        Mathematically equal to dL/dŷ · dŷ/dz, but exact even where ŷ has rounded to 0 or 1 and
        the separate factors would be 0 · ∞.
        """
        y = np.asarray(y, dtype=float)
        y_hat = np.asarray(y_hat, dtype=float)
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
)

HALF_SSE = Loss(
    name="half_sse",
    title="half the sum of squared residuals",
    formula="L = ½·Σ(y − ŷ)²",
    derivative_formula="∂L/∂ŷ = ŷ − y",
    _value=_half_sse,
    _grad=_half_sse_grad,
)

BCE = Loss(
    name="bce",
    title="binary cross-entropy",
    formula="L = −(1/K)·Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)]",
    derivative_formula="∂L/∂ŷ = (1/K)·(−y/ŷ + (1 − y)/(1 − ŷ))",
    _value=_bce,
    _grad=_bce_grad,
    fused_activation="sigmoid",
)

CROSS_ENTROPY = Loss(
    name="cross_entropy",
    title="cross-entropy",
    formula="L = −Σ y·ln ŷ",
    derivative_formula="∂L/∂ŷ = −y/ŷ",
    _value=_cross_entropy,
    _grad=_cross_entropy_grad,
    fused_activation="softmax",
)

LOSSES: dict[str, Loss] = {loss.name: loss for loss in (MSE, HALF_SSE, BCE, CROSS_ENTROPY)}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        valid = ", ".join(LOSSES)
        raise ValueError(f"unknown loss {name!r} (valid: {valid})") from None
