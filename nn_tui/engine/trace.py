"""Trace objects: every number of one forward pass, backward pass and gradient-descent step.

A trace is what the panes display and what self-check answers point into. ``Trace.to_dict()``
gives the plain-data form printed by ``nn-tui trace --json``; the same key names are the answer
paths of lesson files (``layers[0].z[1]``, ``grads[1].W[0][0]``, ``after.loss`` ...).

Names. In Python the gradient records say what they hold: ``GradTrace.dL_dW``/``dL_db`` (never
to be taken for ``LayerTrace.W``, the weights) and ``LayerUpdate.step_W``/``step_b`` (the step
taken, −η·∂L/∂W, not the gradient). The JSON keys and answer paths keep the names lesson files
have always used, each read with the list it is in: ``grads[i].W`` is the W entry of the
gradients, ∂L/∂W (a gradient mirrors the parameters' keys, as ``jax.grad`` returns it), and
``after.layers[i].dW`` the difference the step made to W (documented in docs/lesson-format.md).

Layer indices are 0-based in paths and data; people see them 1-based (z₁ is ``layers[0].z``).

In ``"sample"`` mode x, y, z, a and output are vectors. In ``"batch"`` mode they hold one row
per sample. Gradients are always of the reported loss (the mean or sum over the batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# The JSON keys whose attribute is named otherwise (see "Names" above), per record class.
_ATTRIBUTE_OF_KEY = {
    "GradTrace": {"W": "dL_dW", "b": "dL_db"},
    "LayerUpdate": {"dW": "step_W", "db": "step_b"},
}


def json_value(record: Any, key: str) -> Any:
    """The value a trace record's ``to_dict()`` holds under ``key`` (unconverted: arrays stay
    arrays), without building the whole dict. AttributeError for a key the record lacks."""
    return getattr(record, _ATTRIBUTE_OF_KEY.get(type(record).__name__, {}).get(key, key))


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class LayerTrace:
    """Forward pass of one dense layer: z = W·a_prev + b, a = f(z)."""

    index: int
    activation: str
    W: np.ndarray  # (units, fan_in): row i holds neuron i's weights
    b: np.ndarray  # (units,)
    a_prev: np.ndarray  # the layer's input: x for the first layer
    z: np.ndarray
    a: np.ndarray
    # The layer's conventions, named as the lesson keys: without a bias b is empty ([]); a
    # shared bias is one value, b[0], added to every unit; frozen groups ("weights", "bias")
    # keep their values in the update; leaky ReLU's slope below 0 (None for the others).
    use_bias: bool = True
    shared_bias: bool = False
    freeze: tuple[str, ...] = ()
    negative_slope: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: arrays as nested lists, the keys as the answer paths name them."""
        data = {
            "activation": self.activation,
            "W": _plain(self.W),
            "b": _plain(self.b),
            "a_prev": _plain(self.a_prev),
            "z": _plain(self.z),
            "a": _plain(self.a),
            "use_bias": self.use_bias,
            "shared_bias": self.shared_bias,
            "freeze": list(self.freeze),
        }
        if self.negative_slope is not None:
            data["negative_slope"] = self.negative_slope
        return data

    def frozen(self, group: str) -> bool:
        """Whether the update leaves ``group`` ("weights" or "bias") as it is."""
        return group in self.freeze


@dataclass(frozen=True)
class GradTrace:
    """Backward pass through one layer, as chain-rule factors.

    dL_da: how the loss changes with this layer's output (for the last layer: ∂L/∂ŷ; for a hidden
        layer: the blame passed back, Wₙₑₓₜᵀ·dL_dz of the next layer).
    da_dz: the activation's slope (a vector; for softmax one Jacobian matrix per sample).
    dL_dz: dL_da through the slope (the layer's "delta").
    dL_dW, dL_db: the parameter gradients ∂L/∂W = dL_dz ⊗ a_prev, shaped as W (units, fan_in),
        and ∂L/∂b = dL_dz (for a shared bias one value, Σ over the units of dL_dz; empty for a
        layer without a bias); "W" and "b" in JSON and answer paths (``grads[i].W``). They are
        computed for frozen parameters too; the update does not apply them.
    dL_da_prev: the blame this layer passes to its input, Wᵀ·dL_dz.
    """

    index: int
    dL_da: np.ndarray
    da_dz: np.ndarray
    dL_dz: np.ndarray
    dL_dW: np.ndarray
    dL_db: np.ndarray
    dL_da_prev: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "W": _plain(self.dL_dW),
            "b": _plain(self.dL_db),
            "dL_da": _plain(self.dL_da),
            "da_dz": _plain(self.da_dz),
            "dL_dz": _plain(self.dL_dz),
            "dL_da_prev": _plain(self.dL_da_prev),
        }


@dataclass(frozen=True)
class LayerUpdate:
    """One layer after the gradient-descent step, and the forward pass through the new weights.

    ``step_W``/``step_b``: the change the step applied, −η·∂L/∂W (0 where frozen), not the
    gradient (that is ``GradTrace.dL_dW``); "dW" and "db" in JSON and answer paths."""

    index: int
    W: np.ndarray  # new weights: old − η·∂L/∂W
    b: np.ndarray
    step_W: np.ndarray  # the change applied: −η·∂L/∂W
    step_b: np.ndarray
    z: np.ndarray
    a: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "W": _plain(self.W),
            "b": _plain(self.b),
            "dW": _plain(self.step_W),
            "db": _plain(self.step_b),
            "z": _plain(self.z),
            "a": _plain(self.a),
        }


@dataclass(frozen=True)
class AfterUpdate:
    """The network after the step: each layer's new weights and forward pass, the new output
    and loss (shapes as in :class:`Trace`)."""

    layers: tuple[LayerUpdate, ...]
    output: np.ndarray
    loss: float
    per_sample_loss: np.ndarray
    has_loss: bool = True  # False for loss = "none": loss and per_sample_loss are null

    def to_dict(self) -> dict[str, Any]:
        return {
            "layers": [layer.to_dict() for layer in self.layers],
            "output": _plain(self.output),
            "loss": float(self.loss) if self.has_loss else None,
            "per_sample_loss": _plain(self.per_sample_loss) if self.has_loss else None,
        }


@dataclass(frozen=True)
class Trace:
    """One forward pass, loss, backward pass and gradient-descent step (see the module's text).

    ``layers``, ``grads`` and ``after.layers`` hold one record per layer, input side first;
    ``loss`` is the reported (reduced) loss, ``per_sample_loss`` one value per row;
    ``learning_rate`` the η of the step."""

    mode: str  # "sample" or "batch"
    x: np.ndarray
    y: np.ndarray
    layers: tuple[LayerTrace, ...]
    output: np.ndarray
    loss: float
    per_sample_loss: np.ndarray  # one value per row (a single value in sample mode)
    loss_name: str
    reduction: str
    grads: tuple[GradTrace, ...]
    learning_rate: float
    after: AfterUpdate
    # Which data rows the trace covers (one index in sample mode, every row in batch mode).
    rows: tuple[int, ...] = ()
    # False for loss = "none": there is no loss value (loss is nan here, null in to_dict), and
    # y holds the given upstream gradient ∂L/∂ŷ (written "dL_dy" in to_dict) instead of targets.
    has_loss: bool = True

    @property
    def improvement(self) -> float:
        """How much the step lowered the loss (positive = better)."""
        return float(self.loss - self.after.loss)

    def to_dict(self, lesson_id: str | None = None) -> dict[str, Any]:
        """The plain-data form `nn-tui trace --json` prints, its keys the answer paths (see the
        module's text); ``lesson_id`` adds a "lesson" key."""
        data: dict[str, Any] = {}
        if lesson_id is not None:
            data["lesson"] = lesson_id
        data.update(
            {
                "mode": self.mode,
                "rows": list(self.rows),
                "x": _plain(self.x),
                ("y" if self.has_loss else "dL_dy"): _plain(self.y),
                "layers": [layer.to_dict() for layer in self.layers],
                "output": _plain(self.output),
                "loss_name": self.loss_name,
                "reduction": self.reduction,
                "loss": float(self.loss) if self.has_loss else None,
                "per_sample_loss": _plain(self.per_sample_loss) if self.has_loss else None,
                "grads": [grad.to_dict() for grad in self.grads],
                "learning_rate": float(self.learning_rate),
                "after": self.after.to_dict(),
            }
        )
        return data
