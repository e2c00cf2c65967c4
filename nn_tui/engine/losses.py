"""Per-sample loss functions and their gradient with respect to the network output ŷ.

All functions take ``y`` (targets) and ``y_hat`` (outputs) of shape (K,) for one sample or
(n, K) for a batch, and return one loss per sample: a float, or an array of n floats.

Log-based losses accept the output layer's pre-activation ``z`` as well: when ŷ = σ(z) or
ŷ = softmax(z) the loss is computed in log space from z, so outputs that round to exactly 0 or
1 still give a finite, accurate loss instead of log(0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nn_tui.engine.activations import Activation, log_one_minus_softmax, log_softmax

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


def _bce_log_of_rounded(y: np.ndarray, y_hat: np.ndarray) -> bool:
    return bool(np.any(((y > 0) & (y_hat <= 0)) | ((y < 1) & (y_hat >= 1))))


def _cross_entropy_log_of_rounded(y: np.ndarray, y_hat: np.ndarray) -> bool:
    return bool(np.any((y != 0) & (y_hat <= 0)))


def _bce_sigmoid_delta(y: np.ndarray, y_hat: np.ndarray, z: np.ndarray) -> np.ndarray:
    # −(1/K)·Σ[y·ln σ(z) + (1−y)·ln(1−σ(z))] differentiates to (σ(z) − y)/K.
    return (y_hat - y) / _k(y)


def _bce_softmax_delta(y: np.ndarray, y_hat: np.ndarray, z: np.ndarray) -> np.ndarray:
    """dL/dz of binary cross-entropy on softmax outputs, from the logits.

    L = −(1/K)·Σᵢ[yᵢ·ln pᵢ + (1−yᵢ)·ln(1−pᵢ)] with p = softmax(z). Differentiating,
    K·dL/dzⱼ = −yⱼ + pⱼ·Σy + (1−yⱼ)·pⱼ − Σᵢ≠ⱼ (1−yᵢ)·rᵢ·pⱼ with rᵢ = pᵢ/(1−pᵢ).
    Every rᵢ but the largest output's is at most 1; that one (the odds of a confident output,
    up to e^700) only appears multiplied by another output pⱼ ≤ 1 − pₘ, so the product is
    formed in log space and stays at most pₘ."""
    with np.errstate(all="ignore"):  # a log of 0 is −∞ here: a value, not a fault
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


def _cross_entropy_softmax_delta(y: np.ndarray, y_hat: np.ndarray, z: np.ndarray) -> np.ndarray:
    # −Σ yᵢ·ln softmax(z)ᵢ differentiates to ŷ·Σy − y (just ŷ − y for one-hot targets).
    return y_hat * np.sum(y, axis=-1, keepdims=True) - y


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


# The fields of the loss templates (``Loss.derivative``, ``FusedDelta.formula``) written as
# symbols; the worked lines build the same terms from one output's numbers.
SYMBOLS = {"y": "y", "(y)": "y", "ŷ": "ŷ", "(ŷ)": "ŷ", "K": "K", "(1-y)": "(1 − y)",
           "(1-ŷ)": "(1 − ŷ)"}


def symbolic(template: str) -> str:
    """A loss template written in symbols: "(2/{K})·({ŷ} − {(y)})" → "(2/K)·(ŷ − y)"."""
    return template.format_map(SYMBOLS)


@dataclass(frozen=True)
class FusedDelta:
    """A loss's ∂L/∂z on one output activation, computed from ŷ and the logits z in one piece.

    Mathematically ∂L/∂ŷ · ∂ŷ/∂z, but exact where ŷ has rounded to 0 or 1 and the separate
    factors would be ∞ · 0. ``delta(y, ŷ, z)``: per-sample ∂L/∂z, shape of ``y`` ((K,) or
    (n, K)). ``formula``: how the worked text writes it ("" where it is shown as the chain
    through the Jacobian); ``words``: what it means, said to a learner."""

    activation: str
    delta: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    formula: str = ""
    words: str = ""


@dataclass(frozen=True)
class Loss:
    """A per-sample loss L(y, ŷ), its gradient ∂L/∂ŷ, the rules of its use and its text.

    Text (the one source the worked lines, the walk-through, the exporters and the docs read):
    ``title`` names it; ``expression`` is L's right-hand side in y, ŷ and K (the number of
    outputs); ``derivative`` ∂L/∂ŷ's, a template (see :data:`SYMBOLS`) whose fields the worked
    lines fill with one output's numbers; ``formula``/``derivative_formula`` are the whole
    equations.

    Rules (read by the loader, the engine and the tests): ``output_activations`` are the output
    layers the loss is defined on (None = any), ``requirement`` says why in words;
    ``target_range`` the values a target may take (None = any); ``has_value`` is False for
    "none", which has only a given gradient (nothing to report, nothing to minimise: no
    training); ``target_name`` is what the data's output columns hold; ``fused`` the output
    activations whose ∂L/∂z comes from the logits in one piece (see :class:`FusedDelta`)."""

    name: str
    title: str
    expression: str
    derivative: str
    _value: Callable
    _grad: Callable
    fused: tuple[FusedDelta, ...] = ()
    # Whether a log-based loss would need ln 0 with outputs that have rounded to 0 or 1
    # (then its worked numbers are left out): (y, ŷ) → bool.
    log_of_rounded: Callable[[np.ndarray, np.ndarray], bool] | None = None
    output_activations: tuple[str, ...] | None = None
    requirement: str = ""
    target_range: tuple[float, float] | None = None
    has_value: bool = True
    target_name: str = "targets"
    # Names sources use for this loss (the docs' table; shown by ``nn-tui check`` hints).
    also_called: tuple[str, ...] = ()

    @property
    def formula(self) -> str:
        """"L = …", or for "none" what stands instead of a loss."""
        return f"L = {self.expression}" if self.has_value else self.expression

    @property
    def derivative_formula(self) -> str:
        """"∂L/∂ŷ = …"."""
        return f"∂L/∂ŷ = {symbolic(self.derivative)}"

    @property
    def target_rule(self) -> str:
        """The rule on targets in words ("needs targets between 0 and 1"), "" without one."""
        if self.target_range is None:
            return ""
        low, high = self.target_range
        return f"needs {self.target_name} between {low:g} and {high:g}"

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

    def fused_delta(self, activation: str) -> FusedDelta | None:
        """The fused ∂L/∂z of this loss on ``activation`` outputs, or None (then ∂L/∂z is
        ∂L/∂ŷ through the activation's slope)."""
        for fused in self.fused:
            if fused.activation == activation:
                return fused
        return None

    def __call__(self, y, y_hat, z=None, activation: str | None = None):
        """The per-sample loss: a float for one sample (y, ŷ of shape (K,)), one value per row
        for a batch ((n, K)); from the logits ``z`` where the loss takes logs and the output
        ``activation`` allows it. nan for "none" (no value)."""
        y = np.asarray(y, dtype=float)
        y_hat = np.asarray(y_hat, dtype=float)
        z = None if z is None else np.asarray(z, dtype=float)
        with np.errstate(all="ignore"):  # ln 0 = −∞ is a value here, not a fault
            return self._value(y, y_hat, z, activation)

    def grad(self, y, y_hat, z=None, activation: str | None = None) -> np.ndarray:
        """∂L/∂ŷ of the per-sample loss, shape of ``y``; from the logits ``z`` where the loss
        takes logs of ŷ and the output ``activation`` allows it (exact where ŷ rounds to 0 or
        1: then the value can be huge, or ∞ past e^709, while ∂ŷ/∂z is tiny)."""
        with np.errstate(all="ignore"):
            return self._grad(np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float),
                              None if z is None else np.asarray(z, dtype=float), activation)

    def output_delta(self, y: np.ndarray, y_hat: np.ndarray, z: np.ndarray,
                     activation: Activation, scale: float = 1.0,
                     factors: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """∂L/∂z at the output layer: where backpropagation starts.

        ``y``, ``y_hat`` (= activation(z)) and ``z``: (K,) for one sample or (n, K) for a
        batch; returns the same shape. ``scale``: each sample's weight in the reported loss
        (1/n for the mean over n rows, 1 for the sum). For the fused pairs (sigmoid + bce,
        softmax + bce, softmax + cross-entropy) from the logits in one piece, exact where ŷ
        has rounded to 0 or 1; otherwise ∂L/∂ŷ through the activation's slope. Float arrays
        are expected (the training fast path converts nothing); overflow gives ±inf or nan
        (no warning only under ``np.errstate(all="ignore")``, as the network calls it).
        ``factors``: (scale·∂L/∂ŷ, ∂ŷ/∂z) where the caller has computed them already (a trace
        shows them), so that they are not computed twice."""
        for fused in self.fused:
            if fused.activation == activation.name:
                return fused.delta(y, y_hat, z) * scale
        if factors is None:
            factors = (self.grad(y, y_hat, z=z, activation=activation.name) * scale,
                       activation.jacobian(z, y_hat))
        return activation.backprop(*factors)


MSE = Loss(
    name="mse",
    title="mean squared error",
    expression="(1/K)·Σ(y − ŷ)²",
    derivative="(2/{K})·({ŷ} − {(y)})",
    _value=_mse,
    _grad=_mse_grad,
    also_called=("MSE", "mean squared error"),
)

SSE = Loss(
    name="sse",
    title="sum of squared residuals",
    expression="Σ(y − ŷ)²",
    derivative="2·({ŷ} − {(y)})",
    _value=_sse,
    _grad=_sse_grad,
    also_called=("SSE", "SSR", "sum of squared errors / residuals"),
)

NO_LOSS = Loss(
    name="none",
    title="no loss: a given upstream gradient",
    expression=("no loss value: backpropagation starts from the given ∂L/∂ŷ (the data's dL_dy "
                "values)"),
    derivative="dL_dy, given",
    _value=_no_loss,
    _grad=_given_grad,
    has_value=False,
    target_name="dL_dy values",
    also_called=('"set the output\'s gradient to 1"',),
)

HALF_SSE = Loss(
    name="half_sse",
    title="half the sum of squared residuals",
    expression="½·Σ(y − ŷ)²",
    derivative="{ŷ} − {(y)}",
    _value=_half_sse,
    _grad=_half_sse_grad,
    also_called=("½SSE", "E_total", "E = ½Σ(target − out)²"),
)

BCE = Loss(
    name="bce",
    title="binary cross-entropy",
    expression="−(1/K)·Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)]",
    derivative="(1/{K})·(−{y}/{ŷ} + {(1-y)}/{(1-ŷ)})",
    # ln 0 where ŷ has rounded to 0 or 1: the logs come from the logits, not these numbers.
    log_of_rounded=_bce_log_of_rounded,
    _value=_bce,
    _grad=_bce_grad,
    fused=(FusedDelta("sigmoid", _bce_sigmoid_delta, "(1/{K})·({ŷ} − {(y)})"),
           # Shown as the chain through the softmax Jacobian: its closed form is no help.
           FusedDelta("softmax", _bce_softmax_delta)),
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
    expression="−Σ y·ln ŷ",
    derivative="−{y}/{ŷ}",
    log_of_rounded=_cross_entropy_log_of_rounded,
    _value=_cross_entropy,
    _grad=_cross_entropy_grad,
    fused=(FusedDelta("softmax", _cross_entropy_softmax_delta, "{ŷ} − {(y)}",
                      "prediction minus target"),),
    output_activations=("softmax",),
    requirement="needs a softmax output layer",
    target_range=(0.0, 1.0),
    also_called=("categorical cross-entropy", "CCE", "negative log-likelihood of softmax"),
)

LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (MSE, HALF_SSE, BCE, CROSS_ENTROPY, SSE, NO_LOSS)
}


def loss_called(name: str) -> Loss | None:
    """The loss that sources call ``name`` ("MSE", "log loss", "SSR" ...: its title or one of
    its ``also_called`` names, in any case), or None."""
    wanted = name.strip().casefold()
    for loss in LOSSES.values():
        if wanted in (other.casefold() for other in (loss.name, loss.title, *loss.also_called)):
            return loss
    return None


def get_loss(name: str) -> Loss:
    """The loss called ``name`` (a key of :data:`LOSSES`); ValueError naming the valid ones."""
    try:
        return LOSSES[name]
    except KeyError:
        valid = ", ".join(LOSSES)
        raise ValueError(f"unknown loss {name!r} (valid: {valid})") from None
