"""Activation functions: value, derivative and how to write them down.

Every activation works on a 1-D vector ``z`` (one sample) or a 2-D array (one row per sample).
``jacobian`` returns da/dz: for element-wise activations that is a vector of slopes with the
shape of ``z``; for softmax it is a full matrix per sample, because each output depends on
every input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e⁻ᶻ) written as exp(−log(1 + e⁻ᶻ)): logaddexp never overflows, and the result
    # keeps tiny values for very negative z (where 1 + e⁻ᶻ would be inf). Two ufunc calls, so
    # training a lesson-sized net is not dominated by the masking a sign split needs.
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    exp_z = np.exp(shifted)
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)


def _softmax_jacobian(a: np.ndarray) -> np.ndarray:
    # da_i/dz_j = a_i (δ_ij − a_j); batched over leading axes.
    eye = np.eye(a.shape[-1])
    return a[..., :, None] * (eye - a[..., None, :])


@dataclass(frozen=True)
class Activation:
    name: str
    symbol: str
    formula: str
    derivative_formula: str
    _value: Callable[[np.ndarray], np.ndarray]
    # Slope computed from z and a (whichever is cheaper and more exact for the function).
    _slope: Callable[[np.ndarray, np.ndarray], np.ndarray]
    elementwise: bool = True
    output_only: bool = False

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self._value(np.asarray(z, dtype=float))

    def jacobian(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da/dz: element-wise slopes (shape of z), or one matrix per sample for softmax."""
        return self._slope(np.asarray(z, dtype=float), np.asarray(a, dtype=float))

    def backprop(self, dL_da: np.ndarray, da_dz: np.ndarray) -> np.ndarray:
        """dL/dz from dL/da and the slope returned by :meth:`jacobian`."""
        if self.elementwise:
            return dL_da * da_dz
        # dL/dz_j = Σ_i dL/da_i · da_i/dz_j
        return np.einsum("...i,...ij->...j", dL_da, da_dz)


IDENTITY = Activation(
    name="identity",
    symbol="id",
    formula="id(z) = z",
    derivative_formula="id′(z) = 1",
    _value=lambda z: z.copy(),
    _slope=lambda z, a: np.ones_like(z),
)

RELU = Activation(
    name="relu",
    symbol="ReLU",
    formula="ReLU(z) = max(0, z)",
    derivative_formula="ReLU′(z) = 1 if z > 0 else 0",
    _value=lambda z: np.maximum(z, 0.0),
    # The slope at exactly 0 is taken as 0 (the usual convention).
    _slope=lambda z, a: (z > 0).astype(float),
)

SIGMOID = Activation(
    name="sigmoid",
    symbol="σ",
    formula="σ(z) = 1 / (1 + e^−z)",
    derivative_formula="σ′(z) = σ(z)·(1 − σ(z))",
    _value=_sigmoid,
    _slope=lambda z, a: a * (1.0 - a),
)

TANH = Activation(
    name="tanh",
    symbol="tanh",
    formula="tanh(z) = (e^z − e^−z) / (e^z + e^−z)",
    derivative_formula="tanh′(z) = 1 − tanh(z)²",
    _value=np.tanh,
    _slope=lambda z, a: 1.0 - a * a,
)

SOFTMAX = Activation(
    name="softmax",
    symbol="softmax",
    formula="softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ",
    derivative_formula="∂aᵢ/∂zⱼ = aᵢ·(δᵢⱼ − aⱼ)",
    _value=_softmax,
    _slope=lambda z, a: _softmax_jacobian(a),
    elementwise=False,
    output_only=True,
)

ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (IDENTITY, RELU, SIGMOID, TANH, SOFTMAX)
}


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        valid = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (valid: {valid})") from None
