"""A small fully-connected network in float64 NumPy, with a traced forward/backward/update."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nn_tui.engine.activations import Activation, get_activation
from nn_tui.engine.losses import Loss, get_loss
from nn_tui.engine.trace import AfterUpdate, GradTrace, LayerTrace, LayerUpdate, Trace

REDUCTIONS = ("mean", "sum")


def quiet(method):
    """Run ``method`` with NumPy's floating-point warnings off.

    Overflow to ±inf and nan is an outcome the engine reports (a trace holds it, training stops
    with a reason, the CLI and panes say "overflow"), never a RuntimeWarning printed over the
    tutor's screen or a CLI's output. ``np.errstate`` is per thread, so a training worker and the
    UI thread do not disturb each other's settings."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with np.errstate(all="ignore"):
            return method(*args, **kwargs)

    return wrapper


# The parameter groups a layer's ``freeze`` can name.
FREEZABLE = ("weights", "bias")


@dataclass
class DenseLayer:
    """z = W·a_prev + b, a = f(z).

    W: (units, fan_in). b: (units,) normally; (1,) with ``shared_bias`` (one bias added to
    every unit, whose gradient is the sum of the units' ∂L/∂z); (0,) without a bias
    (``use_bias`` False: z = W·a_prev). ``freeze``: the parameter groups ("weights", "bias")
    that gradient steps leave as they are (their gradients are still computed)."""

    W: np.ndarray  # (units, fan_in)
    b: np.ndarray  # (units,), (1,) shared, or (0,) without a bias
    activation: Activation
    use_bias: bool = True
    shared_bias: bool = False
    freeze: tuple[str, ...] = ()

    @property
    def units(self) -> int:
        """The layer's neurons: the rows of W."""
        return self.W.shape[0]

    @property
    def fan_in(self) -> int:
        """The values entering each neuron: the columns of W."""
        return self.W.shape[1]

    @property
    def bias_size(self) -> int:
        """How many bias values the layer has: units, 1 (shared) or 0 (none)."""
        return 0 if not self.use_bias else 1 if self.shared_bias else self.units

    def copy(self) -> DenseLayer:
        """A layer with its own copies of W and b (the activation is shared: it is immutable)."""
        return DenseLayer(self.W.copy(), self.b.copy(), self.activation, self.use_bias,
                          self.shared_bias, self.freeze)

    def pre_activation(self, a_prev: np.ndarray) -> np.ndarray:
        """z = a_prev·Wᵀ (+ b): a_prev (fan_in,) gives (units,); a batch (n, fan_in) gives
        (n, units), one row per sample."""
        z = a_prev @ self.W.T
        return z + self.b if self.use_bias else z

    def bias_grad(self, dL_dz: np.ndarray) -> np.ndarray:
        """∂L/∂b from the layer's ∂L/∂z (one row per sample): summed over the rows; for a
        shared bias also over the units (it enters every unit's z); empty without a bias."""
        if not self.use_bias:
            return np.zeros(0)
        per_unit = dL_dz.sum(axis=0)
        return np.array([per_unit.sum()]) if self.shared_bias else per_unit


def init_weights(sizes: Sequence[int], activations: Sequence[str], seed: int) -> list[tuple]:
    """Deterministic initial (W, b) per layer: Glorot-uniform ±√(6/(fan_in + units)) for
    σ/tanh/identity/softplus/softmax, He-uniform ±√(6/fan_in) for ReLU and leaky ReLU.

    ``sizes``: the input size then each layer's units; ``activations``: one name per layer.
    W has shape (units, fan_in); b (units,) starts at zero. The same seed always gives the
    same numbers (NumPy's PCG64)."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, units, activation in zip(sizes[:-1], sizes[1:], activations):
        if get_activation(activation).init == "he":
            limit = np.sqrt(6.0 / fan_in)
        else:
            limit = np.sqrt(6.0 / (fan_in + units))
        W = rng.uniform(-limit, limit, size=(units, fan_in))
        params.append((W, np.zeros(units)))
    return params


@dataclass(slots=True)
class LayerGradients:
    """One layer's part of backpropagation (rows: one per sample of the batch).

    dL_dz: the delta δ, (n, units). dL_dW: (units, fan_in); dL_db: (units,), (1,) shared or (0,).
    dL_da: ∂L/∂a, (n, units); da_dz: f′(z), (n, units) or (n, units, units) for softmax; both
    None for the output layer unless :meth:`Network._learner_backward` adds them. dL_da_prev:
    ∂L/∂x, set on the first layer only by that helper (above it, it is the layer below's dL_da).
    """

    dL_da: np.ndarray | None
    da_dz: np.ndarray | None
    dL_dz: np.ndarray
    dL_dW: np.ndarray
    dL_db: np.ndarray
    dL_da_prev: np.ndarray | None = None


class Network:
    """Dense layers, a loss, a learning rate and a reduction: everything one SGD step needs.

    ``loss``: a :class:`Loss` or its name; ``learning_rate``: η of every step (no unit: it
    scales the gradient); ``reduction``: how the per-sample losses of several rows combine,
    "mean" or "sum" (the gradients are always those of the reduced loss). Raises ValueError for
    an unknown reduction or loss name. Lesson files are validated before they get here; the
    network itself checks no shapes."""

    def __init__(
        self,
        layers: Sequence[DenseLayer],
        loss: Loss | str,
        learning_rate: float,
        reduction: str = "mean",
    ) -> None:
        if reduction not in REDUCTIONS:
            raise ValueError(f"unknown reduction {reduction!r} (valid: mean, sum)")
        self.layers = list(layers)
        self.loss = get_loss(loss) if isinstance(loss, str) else loss
        self.learning_rate = float(learning_rate)
        self.reduction = reduction

    @classmethod
    def build(
        cls,
        sizes: Sequence[int],
        activations: Sequence[str],
        loss: str,
        learning_rate: float,
        reduction: str = "mean",
        params: Sequence[tuple] | None = None,
        seed: int = 0,
    ) -> Network:
        """A network from layer sizes (inputs first), one activation name per layer and
        optional explicit (W (units, fan_in), b (units,)) per layer, else :func:`init_weights`
        from ``seed``. Raises ValueError for an unknown activation, loss or reduction."""
        if params is None:
            params = init_weights(sizes, activations, seed)
        layers = [
            DenseLayer(np.array(W, dtype=float), np.array(b, dtype=float), get_activation(name))
            for (W, b), name in zip(params, activations)
        ]
        return cls(layers, loss, learning_rate, reduction)

    # -- structure -----------------------------------------------------------------------------

    @property
    def sizes(self) -> list[int]:
        """The input size, then each layer's units."""
        return [self.layers[0].fan_in] + [layer.units for layer in self.layers]

    def copy(self) -> Network:
        """A network with its own copies of every W and b."""
        return Network([layer.copy() for layer in self.layers], self.loss, self.learning_rate,
                       self.reduction)

    def set_params(self, params: Sequence[tuple]) -> None:
        """Replace every layer's W and b by the given (W (units, fan_in), b) pairs, as floats."""
        for layer, (W, b) in zip(self.layers, params):
            layer.W = np.array(W, dtype=float)
            layer.b = np.array(b, dtype=float)

    # -- forward -------------------------------------------------------------------------------

    @quiet
    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """(z per layer, a per layer) for one sample x (fan_in,) — each (units,) — or a batch
        of rows (n, fan_in) — each (n, units). Overflow gives ±inf/nan, without a warning."""
        a = np.asarray(x, dtype=float)
        zs, activations = [], []
        for layer in self.layers:
            z = layer.pre_activation(a)
            a = layer.activation(z)
            zs.append(z)
            activations.append(a)
        return zs, activations

    @quiet
    def predict(self, x: np.ndarray) -> np.ndarray:
        """The output ŷ for x: (K,) for one sample (fan_in,), (n, K) for a batch (n, fan_in)."""
        return self.forward(x)[1][-1]

    def _per_sample_loss(self, Y: np.ndarray, output: np.ndarray,
                         z_out: np.ndarray) -> np.ndarray:
        """One loss per row of Y (n, K), from the outputs and the output layer's logits."""
        return np.atleast_1d(
            self.loss(Y, output, z=z_out, activation=self.layers[-1].activation.name)
        )

    def _reduce(self, per_sample: np.ndarray) -> float:
        """The reported loss: the mean or the sum of the per-sample losses."""
        return float(np.sum(per_sample) if self.reduction == "sum" else np.mean(per_sample))

    @quiet
    def total_loss(self, X: np.ndarray, Y: np.ndarray) -> float:
        """The reported loss over the rows of X (n, fan_in) with targets Y (n, K): the mean or
        sum of the per-sample losses (nan for loss "none"; ±inf where it overflows)."""
        zs, activations = self.forward(np.atleast_2d(X))
        return self._reduce(self._per_sample_loss(np.atleast_2d(Y), activations[-1], zs[-1]))

    # -- backward ------------------------------------------------------------------------------

    def _scale(self, rows: int) -> float:
        """Each sample's weight in the reported loss: 1/n for the mean of n rows, 1 for a sum."""
        return 1.0 if self.reduction == "sum" else 1.0 / rows

    def _backward(self, X: np.ndarray, Y: np.ndarray, zs: list[np.ndarray],
                  activations: list[np.ndarray],
                  output_factors: tuple[np.ndarray, np.ndarray] | None = None,
                  ) -> list[LayerGradients]:
        """Backpropagation over the rows of X (n, fan_in) with targets Y (n, K): per layer the
        delta δ = ∂L/∂z and the gradients of the reported loss.

        δ of the output layer comes from the loss; going down, ∂L/∂a of a layer is the delta of
        the layer above sent back through its weights (δ·W) and δ = ∂L/∂a through the slope
        f′(z). Each layer's ∂L/∂W = δᵀ·a_prev and ∂L/∂b = Σ δ over the rows.
        ``output_factors``: the output's (∂L/∂ŷ, ∂ŷ/∂z) if already computed (a trace's)."""
        gradients: list[LayerGradients] = [None] * len(self.layers)  # type: ignore[list-item]
        dL_da: np.ndarray | None = None
        da_dz: np.ndarray | None = None
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            if index == len(self.layers) - 1:
                dL_dz = self.loss.output_delta(Y, activations[index], zs[index],
                                               layer.activation, self._scale(X.shape[0]),
                                               output_factors)
            else:
                da_dz = layer.activation.jacobian(zs[index], activations[index])
                assert dL_da is not None  # sent down by the layer above
                dL_dz = layer.activation.backprop(dL_da, da_dz)
            a_prev = X if index == 0 else activations[index - 1]
            gradients[index] = LayerGradients(dL_da, da_dz, dL_dz, dL_dz.T @ a_prev,
                                              layer.bias_grad(dL_dz))
            if index > 0:
                dL_da = dL_dz @ layer.W
        return gradients

    def _learner_backward(self, X: np.ndarray, Y: np.ndarray, zs: list[np.ndarray],
                          activations: list[np.ndarray]) -> list[LayerGradients]:
        """:meth:`_backward` with the factors only the learner needs: the output layer's ∂L/∂ŷ
        and ∂ŷ/∂z (shown beside its delta even where the loss fuses them: their product is that
        delta, up to rounding, while it is finite; where it does not fuse them, the delta is
        made from these two) and ∂L/∂x, the blame the first layer passes to the inputs."""
        activation = self.layers[-1].activation
        dL_dy = self.loss.grad(Y, activations[-1], z=zs[-1], activation=activation.name)
        output_factors = (dL_dy * self._scale(X.shape[0]),
                          activation.jacobian(zs[-1], activations[-1]))
        gradients = self._backward(X, Y, zs, activations, output_factors)
        gradients[-1].dL_da, gradients[-1].da_dz = output_factors
        gradients[0].dL_da_prev = gradients[0].dL_dz @ self.layers[0].W
        return gradients

    @quiet
    def gradients(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, list[tuple]]:
        """The training fast path: the reported loss over the rows of X (n, fan_in) with targets
        Y (n, K), and (∂L/∂W (units, fan_in), ∂L/∂b) of that loss per layer. A 1-D X or Y is
        one row."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        Y = np.atleast_2d(np.asarray(Y, dtype=float))
        zs, activations = self.forward(X)
        loss = self._reduce(self._per_sample_loss(Y, activations[-1], zs[-1]))
        return loss, [(g.dL_dW, g.dL_db) for g in self._backward(X, Y, zs, activations)]

    @quiet
    def apply_gradients(self, grads: Sequence[tuple], learning_rate: float | None = None) -> None:
        """One gradient-descent step in place: w ← w − η·∂L/∂w, except for the parameter
        groups a layer's ``freeze`` names (they keep their values). ``grads``: (∂L/∂W, ∂L/∂b)
        per layer, shaped as W and b (as :meth:`gradients` returns them); ``learning_rate``:
        η, the network's own if None. New arrays replace W and b (old ones stay valid)."""
        eta = self.learning_rate if learning_rate is None else learning_rate
        for layer, (dW, db) in zip(self.layers, grads):
            if "weights" not in layer.freeze:
                layer.W = layer.W - eta * dW
            if "bias" not in layer.freeze:
                layer.b = layer.b - eta * db

    # -- the traced step -----------------------------------------------------------------------

    @quiet
    def trace(self, x: np.ndarray, y: np.ndarray, rows: Sequence[int] = ()) -> Trace:
        """Every number of forward, loss, backward and one SGD step, for the panes and answers.

        A 1-D ``x`` (fan_in,) with targets ``y`` (K,) is one sample ("sample" mode); a 2-D
        ``x`` (n, fan_in) with ``y`` (n, K) is a batch of rows ("batch" mode). ``rows``: which
        data rows these are (recorded, not used). The network itself is not changed: the step
        is taken on a copy (``after``). Besides the gradients training uses, the trace holds
        the factors only a learner needs (see :meth:`_learner_backward`)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        batch = x.ndim == 2
        X = x if batch else x[None, :]
        Y = y if batch else y[None, :]
        unbatch = (lambda v: v) if batch else (lambda v: v[0])

        zs, activations = self.forward(X)
        per_sample = self._per_sample_loss(Y, activations[-1], zs[-1])
        loss = self._reduce(per_sample)
        factors = self._learner_backward(X, Y, zs, activations)

        layer_traces = tuple(
            LayerTrace(
                index=i,
                activation=layer.activation.name,
                W=layer.W.copy(),
                b=layer.b.copy(),
                a_prev=unbatch(X if i == 0 else activations[i - 1]),
                z=unbatch(zs[i]),
                a=unbatch(activations[i]),
                use_bias=layer.use_bias,
                shared_bias=layer.shared_bias,
                freeze=tuple(layer.freeze),
                negative_slope=layer.activation.negative_slope,
            )
            for i, layer in enumerate(self.layers)
        )
        grad_traces = tuple(
            GradTrace(
                index=i,
                dL_da=unbatch(f.dL_da),
                da_dz=unbatch(f.da_dz),
                dL_dz=unbatch(f.dL_dz),
                dL_dW=f.dL_dW,
                dL_db=f.dL_db,
                # What a layer passes down is the ∂L/∂a of the layer below it.
                dL_da_prev=unbatch(f.dL_da_prev if i == 0 else factors[i - 1].dL_da),
            )
            for i, f in enumerate(factors)
        )

        updated = self.copy()
        updated.apply_gradients([(f.dL_dW, f.dL_db) for f in factors])
        new_zs, new_activations = updated.forward(X)
        new_per_sample = updated._per_sample_loss(Y, new_activations[-1], new_zs[-1])
        after = AfterUpdate(
            layers=tuple(
                LayerUpdate(
                    index=i,
                    W=new.W.copy(),
                    b=new.b.copy(),
                    step_W=new.W - old.W,
                    step_b=new.b - old.b,
                    z=unbatch(new_zs[i]),
                    a=unbatch(new_activations[i]),
                )
                for i, (old, new) in enumerate(zip(self.layers, updated.layers))
            ),
            output=unbatch(new_activations[-1]),
            loss=updated._reduce(new_per_sample),
            per_sample_loss=new_per_sample,
            has_loss=self.loss.has_value,
        )
        return Trace(
            mode="batch" if batch else "sample",
            x=x.copy(),
            y=y.copy(),
            layers=layer_traces,
            output=unbatch(activations[-1]),
            loss=loss,
            per_sample_loss=per_sample,
            loss_name=self.loss.name,
            reduction=self.reduction,
            grads=grad_traces,
            learning_rate=self.learning_rate,
            after=after,
            rows=tuple(rows),
            has_loss=self.loss.has_value,
        )
