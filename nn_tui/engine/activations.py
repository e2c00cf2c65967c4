"""Activation functions: value, derivative and how to write them down.

Every activation works on a 1-D vector ``z`` (one sample) or a 2-D array (one row per sample).
``jacobian`` returns da/dz: for element-wise activations that is a vector of slopes with the
shape of ``z``; for softmax it is a full matrix per sample, because each output depends on
every input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # 1 / (1 + e⁻ᶻ) written as exp(−log(1 + e⁻ᶻ)): logaddexp never overflows, and the result
    # keeps tiny values for very negative z (where 1 + e⁻ᶻ would be inf). Two ufunc calls, so
    # training a lesson-sized net is not dominated by the masking a sign split needs.
    z = np.asarray(z, dtype=float)
    return np.exp(-np.logaddexp(0.0, -z))


def _sigmoid_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # σ′(z) = σ(z)·σ(−z) = t / (1 + t)² with t = e^−|z|: a·(1 − a) rounds to 0 once σ(z)
    # rounds to 1 (z > 37) while the true slope is e^−z; this form keeps it until it underflows.
    t = np.exp(-np.abs(z))
    return t / (1.0 + t) ** 2


def _tanh_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # 1 − tanh² = 4t / (1 + t)² with t = e^−2|z|, exact where tanh(z) has rounded to ±1.
    t = np.exp(-2.0 * np.abs(z))
    return 4.0 * t / (1.0 + t) ** 2


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    exp_z = np.exp(shifted)
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """ln softmax(z), along the last axis, without overflow or log(0) for finite z."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def log_one_minus_softmax(z: np.ndarray, log_p: np.ndarray | None = None) -> np.ndarray:
    """ln(1 − softmax(z)ᵢ) for every i, exact even where softmax(z)ᵢ rounds to 1.

    At most one output per sample can exceed ½ (the outputs sum to 1). For the others
    log1p(−p) is exact; for the largest, 1 − pₘ = Σⱼ≠ₘ pⱼ, so ln(1 − pₘ) is the log-sum-exp of
    the other logits minus the log-sum-exp of all of them (no subtraction of nearly equal
    numbers, no log of 0 while the logits are finite). ``log_p``: ln softmax(z) if known."""
    with np.errstate(all="ignore"):
        if log_p is None:
            log_p = log_softmax(z)
        result = np.log1p(-np.exp(log_p))
        top = np.argmax(z, axis=-1)[..., None]
        is_top = np.arange(z.shape[-1]) == top
        others = np.where(is_top, -np.inf, z)
        peak = np.max(others, axis=-1, keepdims=True)
        log_others = peak + np.log(np.sum(np.exp(others - peak), axis=-1, keepdims=True))
        z_top = np.take_along_axis(z, top, axis=-1)
        log_all = z_top + np.logaddexp(0.0, log_others - z_top)
        return np.where(is_top, log_others - log_all, result)


def _softmax_jacobian(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # da_i/dz_j = a_i (δ_ij − a_j); batched over leading axes. The diagonal a_i·(1 − a_i) is
    # taken from logs: 1 − a_i rounds to 0 once a_i rounds to 1, while the true slope is not 0.
    eye = np.eye(a.shape[-1])
    jacobian = a[..., :, None] * (eye - a[..., None, :])
    with np.errstate(all="ignore"):
        log_p = log_softmax(z)
        diagonal = np.exp(log_p + log_one_minus_softmax(z, log_p))
    index = np.arange(a.shape[-1])
    jacobian[..., index, index] = np.where(np.isfinite(diagonal), diagonal,
                                           jacobian[..., index, index])
    return jacobian


def _softplus(z: np.ndarray) -> np.ndarray:
    # ln(1 + eᶻ) as logaddexp(0, z): no overflow for large z (where it is z itself), and the
    # tiny eᶻ of very negative z is kept rather than rounded into 1 + eᶻ = 1.
    return np.logaddexp(0.0, z)


def _softplus_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # d/dz ln(1 + eᶻ) = eᶻ / (1 + eᶻ) = σ(z), computed as stably as the sigmoid itself.
    return _sigmoid(z)


# PyTorch's and Keras' default slope of leaky ReLU below 0 (torch.nn.LeakyReLU: 0.01).
DEFAULT_NEGATIVE_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    """An activation function f with its slope f′, and how the tutor writes them down.

    Text (the one source that the worked lines, the walk-through, the training messages and
    the exporters read): ``symbol`` (σ, ReLU ...); ``formula`` and ``derivative_formula``, the
    definitions in z; ``value_text`` and ``slope_text``, the worked lines of a = f(z) and
    ∂a/∂z as templates in which ``{z}`` and ``{a}`` stand for the unit's symbols or numbers,
    ``{-z}`` for −z, ``{(z)}``/``{(a)}`` for a value that is put in parentheses when negative,
    ``{(1-a)}`` for (1 − a), and ``{slope}`` for leaky ReLU's slope below 0 (the worked lines
    build the numbers of the same formulas); ``words``: what f does, in a sentence's words.
    Saturation (sigmoid, tanh, softmax): ``max_slope``, the
    largest slope; ``bounds``, the limits its outputs approach (and are pinned at once z is
    large); :attr:`slope_symbol` names the slope in the training messages.
    ``exact_slopes``: every slope is exactly 0 or 1 (written "1", not "1.0000"). ``init``: how
    :func:`~nn_tui.engine.network.init_weights` draws its starting weights ("he" or "glorot").

    ``output_only``: allowed on the output layer only (softmax); ``min_units``: the fewest
    units a layer with it may have; ``parameters``: the layer keys that tune it
    (``negative_slope`` for leaky ReLU), which the loader refuses on other activations;
    ``negative_slope``: leaky ReLU's slope below 0 (None for the others)."""

    name: str
    symbol: str
    formula: str
    derivative_formula: str
    value_text: str
    slope_text: str
    words: str
    _value: Callable[[np.ndarray], np.ndarray]
    # Slope computed from z and a (whichever is cheaper and more exact for the function).
    _slope: Callable[[np.ndarray, np.ndarray], np.ndarray]
    max_slope: float | None = None
    bounds: tuple[float, float] | None = None
    exact_slopes: bool = False
    # How initial weights are drawn for it: "he" (±√(6/fan_in), for the ReLU family, whose
    # slope is 0 on half the inputs) or "glorot" (±√(6/(fan_in + units))).
    init: str = "glorot"
    elementwise: bool = True
    output_only: bool = False
    min_units: int = 1
    parameters: tuple[str, ...] = ()
    negative_slope: float | None = None

    @property
    def slope_symbol(self) -> str:
        """The slope's name: σ′, tanh′ ...; ∂ŷ/∂z for softmax (a Jacobian, not one slope)."""
        return f"{self.symbol}′" if self.elementwise else "∂ŷ/∂z"

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """a = f(z), shape of z: (units,) for one sample or (n, units) for a batch."""
        return self._value(np.asarray(z, dtype=float))

    def jacobian(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da/dz from z and a = f(z) (same shape, (units,) or (n, units)): element-wise slopes
        (shape of z), or for softmax one (units, units) matrix per sample."""
        return self._slope(np.asarray(z, dtype=float), np.asarray(a, dtype=float))

    def backprop(self, dL_da: np.ndarray, da_dz: np.ndarray) -> np.ndarray:
        """dL/dz (shape of dL/da) from dL/da and the slope returned by :meth:`jacobian`."""
        if self.elementwise:
            return dL_da * da_dz
        # dL/dz_j = Σ_i dL/da_i · da_i/dz_j
        return np.einsum("...i,...ij->...j", dL_da, da_dz)


IDENTITY = Activation(
    name="identity",
    symbol="id",
    formula="id(z) = z",
    derivative_formula="id′(z) = 1",
    value_text="{z}",
    # Exactly 1, whatever z: written once ("∂ŷ/∂z₂ = 1"), not "1 = 1 = 1.0000".
    slope_text="1",
    words="passes z through unchanged",
    _value=lambda z: z.copy(),
    _slope=lambda z, a: np.ones_like(z),
    exact_slopes=True,
)

RELU = Activation(
    name="relu",
    symbol="ReLU",
    formula="ReLU(z) = max(0, z)",
    derivative_formula="ReLU′(z) = 1 if z > 0 else 0",
    value_text="max(0, {z})",
    # The numbers plugged into the same words as the formula: "1 if −1.5000 > 0 else 0".
    slope_text="1 if {z} > 0 else 0",
    words="keeps positive sums and turns negative ones into 0 (ReLU)",
    _value=lambda z: np.maximum(z, 0.0),
    # The slope at exactly 0 is taken as 0 (the usual convention).
    _slope=lambda z, a: (z > 0).astype(float),
    exact_slopes=True,
    init="he",
)

SIGMOID = Activation(
    name="sigmoid",
    symbol="σ",
    formula="σ(z) = 1 / (1 + e^−z)",
    derivative_formula="σ′(z) = σ(z)·(1 − σ(z))",
    value_text="σ({z}) = 1 / (1 + e^{-z})",
    slope_text="{a}·{(1-a)}",
    words="squashes z into (0, 1) with the sigmoid σ",
    max_slope=0.25,
    bounds=(0.0, 1.0),
    _value=_sigmoid,
    _slope=_sigmoid_slope,
)

TANH = Activation(
    name="tanh",
    symbol="tanh",
    formula="tanh(z) = (e^z − e^−z) / (e^z + e^−z)",
    derivative_formula="tanh′(z) = 1 − tanh(z)²",
    value_text="tanh({z})",
    slope_text="1 − {(a)}²",
    words="squashes z into (−1, 1) with tanh",
    max_slope=1.0,
    bounds=(-1.0, 1.0),
    _value=np.tanh,
    _slope=_tanh_slope,
)

SOFTMAX = Activation(
    name="softmax",
    symbol="softmax",
    formula="softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ",
    derivative_formula="∂aᵢ/∂zⱼ = aᵢ·(δᵢⱼ − aⱼ)",
    value_text="e^{z} / Σⱼ e^zⱼ",
    slope_text="",  # a Jacobian matrix, not one slope per unit
    words="turns the sums into probabilities that add up to 1 (softmax)",
    # Its largest diagonal slope aᵢ·(1 − aᵢ) is ¼, at aᵢ = ½.
    max_slope=0.25,
    bounds=(0.0, 1.0),
    _value=_softmax,
    _slope=_softmax_jacobian,
    elementwise=False,
    output_only=True,
    min_units=2,
)

SOFTPLUS = Activation(
    name="softplus",
    symbol="softplus",
    formula="softplus(z) = ln(1 + e^z)",
    derivative_formula="softplus′(z) = σ(z) = 1 / (1 + e^−z)",
    value_text="softplus({z}) = ln(1 + e^{z})",
    slope_text="σ({z}) = 1 / (1 + e^{-z})",
    words="bends z smoothly into a positive number, ln(1 + e^z) (softplus)",
    _value=_softplus,
    _slope=_softplus_slope,
)


def leaky_relu(negative_slope: float = DEFAULT_NEGATIVE_SLOPE) -> Activation:
    """Leaky ReLU with slope ``negative_slope`` below 0: z if z > 0 else negative_slope·z.

    As torch.nn.LeakyReLU (default slope 0.01); the slope at exactly 0 is taken as the one
    below 0 (PyTorch's convention too), as ReLU's is taken as 0."""
    slope = float(negative_slope)
    shown = f"{slope:g}"
    return Activation(
        name="leaky_relu",
        symbol="LeakyReLU",
        formula=f"LeakyReLU(z) = z if z > 0 else {shown}·z",
        derivative_formula=f"LeakyReLU′(z) = 1 if z > 0 else {shown}",
        value_text="{z} if {z} > 0 else {slope}·{z}",
        slope_text="1 if {z} > 0 else {slope}",
        words="keeps positive sums and scales negative ones down (leaky ReLU)",
        _value=lambda z: np.where(z > 0, z, slope * z),
        _slope=lambda z, a: np.where(z > 0, 1.0, slope),
        parameters=("negative_slope",),
        negative_slope=slope,
        init="he",
    )


LEAKY_RELU = leaky_relu()

ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (IDENTITY, RELU, SIGMOID, TANH, SOFTMAX, LEAKY_RELU, SOFTPLUS)
}


def get_activation(name: str, negative_slope: float | None = None) -> Activation:
    """The activation called ``name``; leaky ReLU with ``negative_slope`` if given (else 0.01).

    Raises ValueError for an unknown name, or a ``negative_slope`` given to another activation.
    """
    try:
        activation = ACTIVATIONS[name]
    except KeyError:
        valid = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r} (valid: {valid})") from None
    if negative_slope is None:
        return activation
    if "negative_slope" not in activation.parameters:
        raise ValueError(f"{name} has no negative_slope (only leaky_relu has)")
    return leaky_relu(negative_slope)
