"""The validated form of a lesson file. Built only by ``nn_tui.lessons.loader``."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nn_tui.engine import Network, get_activation

STEP_KINDS = ("text", "forward", "loss", "backward", "update", "check", "train", "explore")
# Steps the learner answers: progress records each, and the end screen counts them.
QUESTION_KINDS = ("check", "explore")


@dataclass(frozen=True)
class LayerSpec:
    """One [[network.layers]] table. ``bias``: one value per unit, or with ``shared_bias`` a
    single value (the file's number) for the whole layer; None without ``use_bias`` or when the
    file leaves it out (then 0). ``freeze``: the groups ("weights", "bias") updates leave as
    they are. ``negative_slope``: leaky ReLU's slope below 0 (None: 0.01)."""

    units: int
    activation: str
    weights: tuple[tuple[float, ...], ...] | None = None
    bias: tuple[float, ...] | None = None
    use_bias: bool = True
    shared_bias: bool = False
    freeze: tuple[str, ...] = ()
    negative_slope: float | None = None

    @property
    def bias_size(self) -> int:
        """How many bias values the layer has: units, 1 (shared) or 0 (no bias)."""
        return 0 if not self.use_bias else 1 if self.shared_bias else self.units


@dataclass(frozen=True)
class NetworkSpec:
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    loss: str
    learning_rate: float
    layers: tuple[LayerSpec, ...]
    reduction: str = "mean"
    seed: int = 0

    @property
    def sizes(self) -> list[int]:
        return [len(self.inputs)] + [layer.units for layer in self.layers]

    def build(self) -> Network:
        """A fresh network: explicit weights where the file gives them, seeded ones elsewhere."""
        network = Network.build(
            self.sizes,
            [layer.activation for layer in self.layers],
            self.loss,
            self.learning_rate,
            self.reduction,
            seed=self.seed,
        )
        for layer, spec in zip(network.layers, self.layers):
            if spec.weights is not None:
                layer.W = np.array(spec.weights, dtype=float)
            layer.use_bias = spec.use_bias
            layer.shared_bias = spec.shared_bias
            layer.freeze = spec.freeze
            layer.b = np.zeros(spec.bias_size)
            if spec.bias is not None and spec.use_bias:
                layer.b = np.array(spec.bias, dtype=float)
            if spec.negative_slope is not None:
                layer.activation = get_activation(spec.activation, spec.negative_slope)
        return network


@dataclass(frozen=True)
class TrainingSpec:
    epochs: int = 200
    batch_size: int | None = None  # None = full batch
    shuffle_seed: int = 0
    shuffle: bool = True  # False: mini-batches in file order every epoch


@dataclass(frozen=True)
class Variant:
    """An alternative network over the same data (another architecture or learning rate)."""

    id: str
    label: str
    network: NetworkSpec
    epochs: int | None = None  # None = the train step's or the lesson's


@dataclass(frozen=True)
class Choice:
    text: str
    value: float


@dataclass(frozen=True)
class TeacherMistake:
    """A mistake a teacher expects at a check: the number it gives (an answer expression over
    the step's trace, like ``answer``), the feedback shown for it (plain text) and an optional
    kind recorded in the learner's progress (``teacher_N`` when not given)."""

    answer: str
    feedback: str
    kind: str = ""


@dataclass(frozen=True)
class Step:
    kind: str
    title: str = ""
    text: str = ""
    # forward: reveal layers up to and including this index; backward: down to this index.
    layer: int | None = None
    # Which data the trace covers from this step: a row index, every row, or a custom sample.
    row: int | None = None
    batch: bool = False
    x: tuple[float, ...] | None = None
    y: tuple[float, ...] | None = None
    # Switch to a variant's fresh network from this step on.
    use: str | None = None
    # check
    prompt: str = ""
    answer: str = ""
    tolerance: float | None = None
    hints: tuple[str, ...] = ()
    explanation: str = ""
    choices: tuple[Choice, ...] = ()
    # Mistakes the teacher names, recognised before the automatic ones (nn_tui.lessons.diagnosis).
    mistakes: tuple[TeacherMistake, ...] = ()
    # train
    epochs: int | None = None
    variants: tuple[str, ...] = ()
    # update
    apply: bool = True
    # explore: a condition over the trace the learner reaches by changing numbers, and the
    # edit paths they may change (None: every weight, bias, x, y and η; see lessons/edits.py).
    goal: str = ""
    editable: tuple[str, ...] | None = None

    @property
    def is_question(self) -> bool:
        """Whether the learner answers this step (a check, or an explore step's goal), so
        progress keeps a record of it."""
        return self.kind in QUESTION_KINDS


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    path: str
    network: NetworkSpec
    rows: np.ndarray = field(repr=False)  # (n, inputs + outputs)
    summary: str = ""
    focus: int = 0
    training: TrainingSpec = TrainingSpec()
    steps: tuple[Step, ...] = ()
    variants: tuple[Variant, ...] = ()
    # Authored order in the picker (lower first); lessons without one sort after, by title.
    order: int | None = None
    # What the lesson follows (an article's title and where it was published), as the
    # author cites it; shown in the exported document.
    sources: tuple[str, ...] = ()
    # The CSV file the rows were read from, as ``[data] csv`` names it ("" for data.rows).
    data_file: str = ""

    @property
    def X(self) -> np.ndarray:
        return self.rows[:, : len(self.network.inputs)]

    @property
    def Y(self) -> np.ndarray:
        return self.rows[:, len(self.network.inputs) :]

    def variant(self, variant_id: str) -> Variant:
        for variant in self.variants:
            if variant.id == variant_id:
                return variant
        raise KeyError(variant_id)
