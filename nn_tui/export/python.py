"""A lesson as a standalone NumPy script: its worked solution as code a learner can run and study.

``export_python(lesson)`` returns the text of a Python script that

1. builds the lesson's network with its starting weights and biases, exactly as the engine has
   them (weights the file leaves out are the engine's seeded ones, written out in full with
   ``repr`` so every number round-trips), and the lesson's data rows;
2. runs the forward pass, the loss, the backward pass (the chain-rule factors) and one
   gradient-descent step on the lesson's focus row, printing every value under the name the
   Forward and Gradients panes give it (z₁, a₁, ŷ, ∂L/∂w₂ ...; in the code the same names are
   spelt in ASCII: z1, a1, y_hat, dL_dW2);
3. trains the lesson's network with the lesson's settings (epochs, batch size, the shuffling
   of ``shuffle_seed``, the learning rate, the mean or sum over the rows), making the same
   random-number calls in the same order as ``nn_tui.engine.training.Trainer``, and prints the
   final training loss; then trains each of the lesson's variants (another network over the
   same data: ``[[variants]]``) the same way, from its own starting weights, for its own
   ``epochs`` or else the lesson's, and prints each final loss. The worked step of 2. is of the
   lesson's own network only: the one ``nn-tui trace`` traces.

Run with ``--json``, the script prints instead one JSON object: every value of step 2 under the
key paths of ``nn-tui trace --json`` (x, layers[0].z, grads[1].W, after.loss ...), the training
result under "training" ("loss" as ``nn-tui train --json`` reports it, "kept_epoch") and each
variant's under "variants". Numbers that overflowed are null, as ``nn-tui`` writes them.

"NumPy the only import" (issue 15) is read as *NumPy the only third-party import*: the script
also imports ``sys`` (to see ``--json``) and ``json`` (to print it), both part of every Python.
Nothing else is needed to run it.

The script uses the engine's own numerically stable formulas (σ through logaddexp, slopes from
z, bce and cross-entropy from the logits, the log-space softmax Jacobian diagonal ...) so its
numbers agree with ``nn-tui trace`` and ``nn-tui train`` to rounding (1e-12), and it carries only
the code the lesson needs: the activations and losses its networks use, mini-batch shuffling only
when batches are smaller than the data.

Lesson text (title, variant labels, input names) enters the script only as ``repr`` string
literals, or in comments and the docstring with every unprintable character escaped, so no lesson
file can change what the script does.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nn_tui import __version__
from nn_tui.engine import get_activation, get_loss
from nn_tui.format.names import layer_symbol, subscript
from nn_tui.lessons.model import Lesson, NetworkSpec

# The losses whose ∂L/∂z the engine computes from the logits in one piece (the two chain-rule
# factors combined), keyed by the script's name for the pairing of loss and output activation.
_FUSED = ("bce", "bce_softmax", "cross_entropy")

_ACTIVATION_CODE = {
    "identity": '''
def identity(z):
    """id(z) = z: no bending at all."""
    return z


def identity_slope(z, a):
    """id′(z) = 1."""
    return np.ones_like(z)
''',
    "relu": '''
def relu(z):
    """ReLU(z) = max(0, z), element by element."""
    return np.maximum(z, 0.0)


def relu_slope(z, a):
    """ReLU′(z) = 1 if z > 0 else 0 (the slope at exactly 0 is taken as 0)."""
    return (z > 0).astype(float)
''',
    "sigmoid": '''
def sigmoid(z):
    """σ(z) = 1 / (1 + e^−z), element by element."""
    # Written as e^(−ln(1 + e^−z)): np.logaddexp(0, −z) = ln(1 + e^−z) never overflows, so a
    # very negative z gives a tiny σ rather than a warning.
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_slope(z, a):
    """σ′(z) = σ(z)·(1 − σ(z)), the sigmoid's slope at z."""
    # The same number written as t / (1 + t)² with t = e^−|z|: it stays exact where σ(z) has
    # rounded to 1 (for z > 37), where a·(1 − a) would give 0.
    t = np.exp(-np.abs(z))
    return t / (1.0 + t) ** 2
''',
    "tanh": '''
def tanh(z):
    """tanh(z) = (e^z − e^−z) / (e^z + e^−z), element by element."""
    return np.tanh(z)


def tanh_slope(z, a):
    """tanh′(z) = 1 − tanh(z)², the slope at z."""
    # The same number written as 4t / (1 + t)² with t = e^−2|z|: exact where tanh(z) has
    # rounded to ±1.
    t = np.exp(-2.0 * np.abs(z))
    return 4.0 * t / (1.0 + t) ** 2
''',
    "softplus": '''
def softplus(z):
    """softplus(z) = ln(1 + e^z), element by element."""
    # np.logaddexp(0, z) = ln(e^0 + e^z): no overflow for a large z (where it is z itself).
    return np.logaddexp(0.0, z)


def softplus_slope(z, a):
    """softplus′(z) = σ(z) = 1 / (1 + e^−z), computed as stably as σ."""
    return np.exp(-np.logaddexp(0.0, -z))
''',
    "leaky_relu": '''
def leaky_relu(z, negative_slope=0.01):
    """LeakyReLU(z) = z if z > 0 else negative_slope·z, element by element."""
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_slope(z, a, negative_slope=0.01):
    """LeakyReLU′(z) = 1 if z > 0 else negative_slope (at exactly 0: negative_slope)."""
    return np.where(z > 0, 1.0, negative_slope)
''',
    "softmax": '''
def softmax(z):
    """softmax(z)ᵢ = e^zᵢ / Σⱼ e^zⱼ: outputs between 0 and 1 that sum to 1."""
    # Subtracting the largest z first gives the same ratios, and e^z cannot overflow.
    shifted = z - np.max(z, axis=-1, keepdims=True)
    exp_z = np.exp(shifted)
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)


def softmax_slope(z, a):
    """∂aᵢ/∂zⱼ = aᵢ·(δᵢⱼ − aⱼ): a whole matrix (the Jacobian), since every output depends on
    every z. One matrix per row for a batch."""
    jacobian = a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])
    # The diagonal aᵢ·(1 − aᵢ) taken from logs: 1 − aᵢ rounds to 0 once aᵢ rounds to 1, while
    # the true slope is not 0.
    log_p = log_softmax(z)
    diagonal = np.exp(log_p + log_one_minus_softmax(z, log_p))
    index = np.arange(a.shape[-1])
    jacobian[..., index, index] = np.where(np.isfinite(diagonal), diagonal,
                                           jacobian[..., index, index])
    return jacobian
''',
}

_LOG_SOFTMAX_CODE = '''
def log_softmax(z):
    """ln softmax(z), without overflow or ln 0."""
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
'''

_LOG_ONE_MINUS_SOFTMAX_CODE = '''
def log_one_minus_softmax(z, log_p):
    """ln(1 − softmax(z)ᵢ) for every i, exact even where softmax(z)ᵢ rounds to 1.

    For the outputs below ½, log1p(−p) is exact. For the largest, 1 − pₘ = Σⱼ≠ₘ pⱼ, so its log
    is the log-sum-exp of the other z minus that of all of them (no 1 − 0.99999...)."""
    result = np.log1p(-np.exp(log_p))
    top = np.argmax(z, axis=-1)[..., None]
    is_top = np.arange(z.shape[-1]) == top
    others = np.where(is_top, -np.inf, z)
    peak = np.max(others, axis=-1, keepdims=True)
    log_others = peak + np.log(np.sum(np.exp(others - peak), axis=-1, keepdims=True))
    z_top = np.take_along_axis(z, top, axis=-1)
    log_all = z_top + np.logaddexp(0.0, log_others - z_top)
    return np.where(is_top, log_others - log_all, result)
'''

_LOSS_CODE = {
    "sse": '''
def sse(y, y_hat, z):
    """L = Σ(y − ŷ)², the plain sum of squared residuals (one value per row)."""
    return np.sum((y - y_hat) ** 2, axis=-1)


def sse_grad(y, y_hat, z):
    """∂L/∂ŷ = 2·(ŷ − y)."""
    return 2.0 * (y_hat - y)
''',
    "no_loss": '''
def no_loss(y, y_hat, z):
    """loss = "none": there is no loss value (nan here; null in the JSON)."""
    return np.full(y.shape[:-1], np.nan)


def no_loss_grad(y, y_hat, z):
    """∂L/∂ŷ is given: with loss = "none" the data's output columns hold dL_dy itself."""
    return np.array(y, dtype=float)
''',
    "mse": '''
def mse(y, y_hat, z):
    """L = (1/K)·Σ(y − ŷ)², mean squared error over the K outputs (one value per row)."""
    return np.mean((y - y_hat) ** 2, axis=-1)


def mse_grad(y, y_hat, z):
    """∂L/∂ŷ = (2/K)·(ŷ − y)."""
    return 2.0 * (y_hat - y) / y.shape[-1]
''',
    "half_sse": '''
def half_sse(y, y_hat, z):
    """L = ½·Σ(y − ŷ)², half the sum of squared residuals (one value per row)."""
    return 0.5 * np.sum((y - y_hat) ** 2, axis=-1)


def half_sse_grad(y, y_hat, z):
    """∂L/∂ŷ = ŷ − y: the ½ cancels the 2 of the square."""
    return y_hat - y
''',
    "bce": '''
def bce_logs(z):
    """ln ŷ and ln(1 − ŷ) for ŷ = σ(z), from z itself: −ln(1 + e^−z) and −ln(1 + e^z)."""
    return -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)


def bce(y, y_hat, z):
    """L = −(1/K)·Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)], binary cross-entropy (one value per row)."""
    # The logs come from the logits z, not from ŷ: a ŷ rounded to exactly 0 or 1 would need
    # ln 0. A target of exactly 0 or 1 takes no part of the other log.
    log_p, log_q = bce_logs(z)
    per_output = -(np.where(y > 0, y * log_p, 0.0) + np.where(y < 1, (1.0 - y) * log_q, 0.0))
    return np.mean(per_output, axis=-1)


def bce_grad(y, y_hat, z):
    """∂L/∂ŷ = (1/K)·(−y/ŷ + (1 − y)/(1 − ŷ)), with 1/ŷ and 1/(1 − ŷ) from the logs."""
    log_p, log_q = bce_logs(z)
    return (np.where(y > 0, -y * np.exp(-log_p), 0.0)
            + np.where(y < 1, (1.0 - y) * np.exp(-log_q), 0.0)) / y.shape[-1]


def bce_dz(y, y_hat, z):
    """∂L/∂z = ∂L/∂ŷ · σ′(z) = (1/K)·(ŷ − y): the sigmoid's slope cancels the loss's
    denominators, so the delta is computed in one piece (exact where ŷ rounds to 0 or 1)."""
    return (y_hat - y) / y.shape[-1]
''',
    "bce_softmax": '''
def bce_softmax_logs(z):
    """ln ŷ and ln(1 − ŷ) for ŷ = softmax(z), from z itself."""
    log_p = log_softmax(z)
    return log_p, log_one_minus_softmax(z, log_p)


def bce_softmax(y, y_hat, z):
    """L = −(1/K)·Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)], binary cross-entropy (one value per row)."""
    log_p, log_q = bce_softmax_logs(z)
    per_output = -(np.where(y > 0, y * log_p, 0.0) + np.where(y < 1, (1.0 - y) * log_q, 0.0))
    return np.mean(per_output, axis=-1)


def bce_softmax_grad(y, y_hat, z):
    """∂L/∂ŷ = (1/K)·(−y/ŷ + (1 − y)/(1 − ŷ)), with 1/ŷ and 1/(1 − ŷ) from the logs."""
    log_p, log_q = bce_softmax_logs(z)
    return (np.where(y > 0, -y * np.exp(-log_p), 0.0)
            + np.where(y < 1, (1.0 - y) * np.exp(-log_q), 0.0)) / y.shape[-1]


def bce_softmax_dz(y, y_hat, z):
    """∂L/∂z through the softmax Jacobian, in one piece:
    K·∂L/∂zⱼ = −yⱼ + pⱼ·Σy + (1 − yⱼ)·pⱼ − Σᵢ≠ⱼ (1 − yᵢ)·rᵢ·pⱼ with rᵢ = pᵢ/(1 − pᵢ).
    The odds r of the largest output can be huge; it only appears times another pⱼ, so that
    product is formed in log space."""
    log_p, log_q = bce_softmax_logs(z)
    p = np.exp(log_p)
    top = np.argmax(z, axis=-1)[..., None]
    is_top = np.arange(z.shape[-1]) == top
    odds = np.where(is_top, 0.0, np.exp(log_p - log_q))
    weighted = (1.0 - y) * odds
    rest = np.sum(weighted, axis=-1, keepdims=True) - weighted
    log_top_odds = np.take_along_axis(log_p - log_q, top, axis=-1)
    top_weight = np.take_along_axis(1.0 - y, top, axis=-1)
    from_top = np.where(is_top, 0.0, top_weight * np.exp(log_p + log_top_odds))
    grad = -y + p * np.sum(y, axis=-1, keepdims=True) + (1.0 - y) * p - p * rest - from_top
    return grad / z.shape[-1]
''',
    "cross_entropy": '''
def cross_entropy(y, y_hat, z):
    """L = −Σ y·ln ŷ, cross-entropy (one value per row); ln ŷ = ln softmax(z) from z."""
    return -np.sum(y * log_softmax(z), axis=-1)


def cross_entropy_grad(y, y_hat, z):
    """∂L/∂ŷ = −y/ŷ, with 1/ŷ = e^(−ln softmax(z)) (exact where ŷ has underflowed to 0)."""
    return np.where(y != 0, -y * np.exp(-log_softmax(z)), 0.0)


def cross_entropy_dz(y, y_hat, z):
    """∂L/∂z = ŷ·Σy − y (just ŷ − y for one-hot targets): the softmax Jacobian and −y/ŷ
    combined, computed in one piece."""
    return y_hat * np.sum(y, axis=-1, keepdims=True) - y
''',
}

_HELPERS = '''
# Overflow is an outcome here, shown as inf or nan in the numbers (the tutor says "overflow"),
# not a warning printed between them.
np.seterr(all="ignore")

JSON = "--json" in sys.argv[1:]


def say(text=""):
    """Print a line of the worked solution (not with --json)."""
    if not JSON:
        print(text)


def show(label, value):
    """Print each entry of ``value`` under the name the tutor's panes give it, 1-based as on
    screen: z₁[1], z₁[2] ... for a vector, W₂[1,2] for a matrix, no index for one number.
    A "{}" in the label says where the index goes (∂a₁[2]/∂z₁[2]); a matrix under a label
    with two of them gets one index in each (a Jacobian: ∂ŷ[1]/∂z₂[2])."""
    value = np.asarray(value, dtype=float)
    if "{}" not in label:
        label += "{}"
    slots = label.count("{}")
    for index in np.ndindex(value.shape):
        if value.size == 1:
            where = [""] * slots
        elif slots == len(index) == 2:
            where = [f"[{i + 1}]" for i in index]
        else:
            where = ["[" + ",".join(str(i + 1) for i in index) + "]"] * slots
        say(f"    {label.format(*where)} = {float(value[index])!r}")


def plain(value):
    """A number or an array as JSON: nested lists, with ±∞ and nan (overflow) as null."""
    value = np.asarray(value, dtype=float)
    return np.where(np.isfinite(value), value.astype(object), None).tolist()
'''


# -- writing Python source -------------------------------------------------------------------


def _escaped(text: str) -> str:
    """``text`` with every unprintable character (line breaks, tabs, format characters)
    written as its Python escape, so it can stand in a comment without ending it."""
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


def _doc(text: str) -> str:
    """``text`` safe inside the script's triple-quoted docstring: unprintable characters,
    backslashes and double quotes escaped (the docstring still reads as the text)."""
    return _escaped(text.replace("\\", "\\\\").replace('"', '\\"'))


def _float(value: float) -> str:
    """A float as Python source that reads back as exactly the same float."""
    value = float(value)
    if math.isnan(value):
        return "np.nan"
    if math.isinf(value):
        return "np.inf" if value > 0 else "-np.inf"
    return repr(value)


def _array(values: np.ndarray, indent: int) -> str:
    """``np.array([...])`` of ``values`` (1-D or 2-D) for a line that starts ``indent``
    characters in: on one line if it fits in 96 columns, else a matrix one row per line (a long
    vector or row wrapped)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        flat = f"np.array([{', '.join(_float(v) for v in values)}])"
        if len(flat) + indent <= 96:
            return flat
        return "np.array([\n" + _wrapped(values, indent + 4) + "\n" + " " * indent + "])"
    rows = ["[" + ", ".join(_float(v) for v in row) + "]" for row in values]
    flat = f"np.array([{', '.join(rows)}])"
    if len(flat) + indent <= 96:
        return flat
    pad = " " * (indent + 4)
    lines = []
    for row, text in zip(values, rows):
        if len(pad) + len(text) + 1 <= 96:
            lines.append(f"{pad}{text},")
        else:
            lines.append(f"{pad}[\n{_wrapped(row, indent + 8)}\n{pad}],")
    return "np.array([\n" + "\n".join(lines) + "\n" + " " * indent + "])"


def _wrapped(values: np.ndarray, indent: int) -> str:
    """Numbers separated by commas (each followed by one), on lines of at most 96 columns."""
    lines, line = [], " " * indent
    for value in values:
        piece = _float(value) + ","
        if line.strip() and len(line) + 1 + len(piece) > 96:
            lines.append(line)
            line = " " * indent
        line += (" " if line.strip() else "") + piece
    lines.append(line)
    return "\n".join(lines)


def _loss_key(spec: NetworkSpec) -> str:
    """The script's name for the network's loss with its output activation (bce is computed
    from σ's or softmax's logits, which take different logs)."""
    if spec.loss == "bce" and spec.layers[-1].activation == "softmax":
        return "bce_softmax"
    if spec.loss == "none":
        return "no_loss"  # (a function called none would read as Python's None)
    return spec.loss


def _act_call(layer, z: str) -> str:
    """The call of a layer's activation on ``z``: "sigmoid(z1)", "leaky_relu(z1, 0.1)"."""
    if layer.negative_slope is not None:
        return f"{layer.activation}({z}, {_float(layer.negative_slope)})"
    return f"{layer.activation}({z})"


def _slope_call(layer, z: str, a: str) -> str:
    """The call of a layer's activation slope: "sigmoid_slope(z1, a1)"."""
    if layer.negative_slope is not None:
        return f"{layer.activation}_slope({z}, {a}, {_float(layer.negative_slope)})"
    return f"{layer.activation}_slope({z}, {a})"


def _act_key(layer) -> str:
    """The training code's ACTIVATIONS key of a layer's activation (leaky ReLU with its own
    slope has one of its own)."""
    if layer.negative_slope is not None:
        return f"{layer.activation}({_float(layer.negative_slope)})"
    return layer.activation


def _conventions(specs) -> bool:
    """Whether any layer of ``specs`` has no bias, a shared bias or frozen parameters."""
    return any(not layer.use_bias or layer.shared_bias or layer.freeze
               for spec in specs for layer in spec.layers)


def _networks(lesson: Lesson) -> list[tuple[str, str, NetworkSpec, int]]:
    """(id, label, network, epochs) of the lesson's network and of each variant."""
    epochs = lesson.training.epochs
    runs = [("main", "the lesson's network", lesson.network, epochs)]
    runs += [(variant.id, variant.label, variant.network, variant.epochs or epochs)
             for variant in lesson.variants]
    return runs


# -- the parts of the script -----------------------------------------------------------------


class _Names:
    """The names of one layer's values: as the panes print them, and as Python identifiers."""

    def __init__(self, index: int, depth: int, units: int, fan_in: int) -> None:
        k = index + 1
        last = index == depth - 1
        self.k = k
        self.W = f"W{k}"
        self.b = f"b{k}"
        self.z = f"z{k}"
        self.a = "y_hat" if last else f"a{k}"
        self.prev = "x" if index == 0 else f"a{index}"
        self.W_label = f"w{subscript(k)}" if units * fan_in == 1 else f"W{subscript(k)}"
        self.b_label = f"b{subscript(k)}"
        self.z_label = layer_symbol("z", index, depth)
        self.a_label = layer_symbol("a", index, depth)
        self.dL_da = "dL_dyhat" if last else f"dL_da{k}"
        self.da_dz = f"dyhat_dz{k}" if last else f"da{k}_dz{k}"
        self.dL_dz = f"dL_dz{k}"
        self.dL_dW = f"dL_dW{k}"
        self.dL_db = f"dL_db{k}"


def _header(lesson: Lesson, script: str) -> str:
    title = _doc(lesson.title)
    variants = variant_json = ""
    if lesson.variants:
        variants = (",\nthen the same for each of the lesson's variants (other networks over "
                    "the same data,\nin VARIANTS), from their own starting weights")
        variant_json = ', "variants" each variant\'s'
    return f'''#!/usr/bin/env python3
"""{title}

The worked solution of nn-tui's lesson {lesson.id}, in NumPy.

Exported by `nn-tui export --python` (nn-tui {__version__}) from {_doc(Path(lesson.path).name)}.
In the order the lesson works through it, on data row {lesson.focus} (the lesson's focus row):
  1. the forward pass, layer by layer;
  2. the loss;
  3. the backward pass: the chain-rule factors, from the output back to the first layer;
  4. one step of gradient descent, w ← w − η·∂L/∂w, and the loss after it;
then 5. training with the lesson's settings, and the final training loss{variants}.
Every value is printed under the name the tutor's Forward and Gradients panes give it (z₁,
a₁, ŷ, ∂L/∂w₂ ...); in the code the same names are spelt in ASCII (z1, a1, y_hat, dL_dW2).

Run:
  python {script}          the worked numbers
  python {script} --json   every number as JSON, under the paths of
      `nn-tui trace --json` (x, layers[0].z, grads[1].W, after.loss ...); "training" holds
      the final loss that `nn-tui train --json` reports{variant_json}.
NumPy is the only library it needs (sys and json come with Python).
"""

import json
import sys

import numpy as np
'''


def _data(lesson: Lesson) -> str:
    spec = lesson.network
    inputs, outputs = len(spec.inputs), len(spec.outputs)
    rows = _array(lesson.rows, 0)
    return f'''
# -- the data ---------------------------------------------------------------------------------
# One row per example: its {inputs} input(s) (INPUTS), then its {outputs} target(s) (OUTPUTS).
INPUTS = {list(spec.inputs)!r}
OUTPUTS = {list(spec.outputs)!r}
ROWS = {rows}
X = ROWS[:, :{inputs}]  # the inputs, one row per example
Y = ROWS[:, {inputs}:]  # the targets ({outputs} per example)
FOCUS = {lesson.focus}  # the row the lesson works through
'''


def _network(lesson: Lesson) -> str:
    spec = lesson.network
    network = spec.build()
    depth = len(network.layers)
    seeded = any(layer.weights is None or layer.bias is None for layer in spec.layers)
    lines = [
        "",
        "# -- the network " + "-" * 78,
        f"# {' → '.join(map(str, spec.sizes))}: {depth} layer{'s' if depth > 1 else ''}, "
        f"loss {spec.loss}, learning rate η = {spec.learning_rate:g}.",
        "# Row i of W holds neuron i's weights: W₁[i,j] is the weight from input j into "
        "neuron i.",
    ]
    if seeded:
        lines.append(f"# The lesson file leaves some starting weights out: these are the ones "
                     f"nn-tui draws for them (network.seed = {spec.seed}).")
    for index, (layer, layer_spec) in enumerate(zip(network.layers, spec.layers)):
        names = _Names(index, depth, layer.units, layer.fan_in)
        lines.append(f"# layer {index + 1}: {layer.units} neuron{'s' if layer.units > 1 else ''}"
                     f", activation {layer_spec.activation}")
        lines.append(f"{names.W} = {_array(layer.W, len(names.W) + 3)}")
        note = ""
        if not layer_spec.use_bias:
            note = "  # no bias (use_bias = false): z = W·a"
        elif layer_spec.shared_bias:
            note = "  # one bias shared by every unit (shared_bias = true)"
        lines.append(f"{names.b} = {_array(layer.b, len(names.b) + 3)}{note}")
        if layer_spec.freeze:
            lines.append(f"# frozen: {', '.join(layer_spec.freeze)} (the update leaves them "
                         "as they are)")
    lines.append(f"ETA = {_float(spec.learning_rate)}  # η, the learning rate")
    return "\n".join(lines) + "\n"


def _functions(lesson: Lesson) -> str:
    specs = [spec for _, _, spec, _ in _networks(lesson)]
    activations = list(dict.fromkeys(layer.activation for spec in specs for layer in spec.layers))
    losses = list(dict.fromkeys(_loss_key(spec) for spec in specs))
    softmax = "softmax" in activations
    parts = ["", "# -- the functions this lesson's networks use " + "-" * 49,
             "# Each takes a vector z (one example) or a matrix (one row per example)."]
    if softmax:
        parts.append(_LOG_SOFTMAX_CODE.rstrip("\n"))
        parts.append("")
        parts.append(_LOG_ONE_MINUS_SOFTMAX_CODE.rstrip("\n"))
    elif "cross_entropy" in losses:  # (the loader pairs cross-entropy with softmax only)
        parts.append(_LOG_SOFTMAX_CODE.rstrip("\n"))
    for name in activations:
        parts.append("")
        parts.append(_ACTIVATION_CODE[name].rstrip("\n"))
    parts.append("")
    parts.append("# The losses: value per row L, its slope ∂L/∂ŷ and, where the output "
                 "activation's slope")
    parts.append("# cancels into it, ∂L/∂z in one piece. Each takes the targets y, the "
                 "outputs ŷ and the")
    parts.append("# output layer's z (the logits: log-based losses take their logs from z).")
    for key in losses:
        parts.append("")
        parts.append(_LOSS_CODE[key].rstrip("\n"))
    text = "\n".join(parts)
    # Two blank lines between top-level definitions, as PEP 8 has it.
    return text.replace("\n\ndef ", "\n\n\ndef ").replace("\n\n\n\n", "\n\n\n") + "\n"


def _worked(lesson: Lesson) -> str:
    spec = lesson.network
    network = spec.build()
    depth = len(network.layers)
    loss = _loss_key(spec)
    fused = loss in _FUSED
    names = [_Names(i, depth, layer.units, layer.fan_in) for i, layer in enumerate(network.layers)]
    out = []
    emit = out.append
    shape = " → ".join(map(str, spec.sizes))
    acts = ", ".join(layer.activation for layer in spec.layers)
    given = "target" if loss != "no_loss" else "given dL_dy"
    emit(f'''
# == the worked step ==========================================================================
TITLE = {lesson.title!r}
say(f"{{TITLE}}  ({lesson.id})")
say({f"network {shape} ({acts}), loss {spec.loss}, η = {spec.learning_rate:g}"!r})
x = X[FOCUS]  # the inputs of the row the lesson works through
y = Y[FOCUS]  # its {"target(s)" if loss != "no_loss" else "given gradient ∂L/∂ŷ (dL_dy)"}
say(f"row {{FOCUS}}: " + ", ".join(f"{{name}} = {{float(v)!r}}" for name, v in zip(INPUTS, x))
    + "; {given} " + ", ".join(f"{{name}} = {{float(v)!r}}" for name, v in zip(OUTPUTS, y)))

# -- 1. the forward pass ----------------------------------------------------------------------
# Each layer: every neuron's weighted sum of the layer's inputs plus its bias, z = W·a + b
# (W @ a multiplies each row of W with a and adds up), then the activation a = f(z).
say()
say("Forward pass")''')
    for index, n in enumerate(names):
        layer_spec = spec.layers[index]
        activation = layer_spec.activation
        formula = get_activation(activation, layer_spec.negative_slope).formula
        emit(f"\n# layer {n.k} ({activation}: {formula})")
        if layer_spec.use_bias:
            shared = "  # the one shared bias, added to every unit" if layer_spec.shared_bias \
                else ""
            emit(f"{n.z} = {n.W} @ {n.prev} + {n.b}{shared}")
        else:
            emit(f"{n.z} = {n.W} @ {n.prev}  # no bias")
        emit(f"{n.a} = {_act_call(layer_spec, n.z)}")
        emit(f'say("  layer {n.k} ({activation})")')
        emit(f'show("{n.z_label}", {n.z})')
        emit(f'show("{n.a_label}", {n.a})')
    last = names[-1]
    loss_spec = get_loss(spec.loss)
    heading = f"# -- 2. the loss: {loss_spec.title}, {loss_spec.formula} "
    show_loss = ('show("L", L)' if loss_spec.has_value else
                 'say("    no loss value: loss = \'none\', backpropagation starts from the '
                 'given ∂L/∂ŷ = dL_dy")')
    emit(f'''
{heading}{"-" * max(3, 96 - len(heading))}
L = {loss}(y, y_hat, {last.z})
say()
say("Loss ({spec.loss})")
{show_loss}

# -- 3. the backward pass ---------------------------------------------------------------------
# The chain rule, from the output back: how the loss changes with each layer's output a (∂L/∂a),
# through the activation's slope (∂a/∂z) to its sum z (∂L/∂z, the layer's error signal or
# delta), and from there to the weights (∂z/∂W[i,j] is the input a_prev[j]) and the bias
# (∂z/∂b = 1).
say()
say("Gradients (chain rule, from the output back)")''')
    for index in range(depth - 1, -1, -1):
        n = names[index]
        activation = spec.layers[index].activation
        emit("")
        if index == depth - 1:
            emit(f"# layer {n.k}, the output: how the loss changes with the output, "
                 f"{loss_spec.derivative_formula},")
            emit("# then the softmax Jacobian" if activation == "softmax"
                 else f"# then the slope of {activation} at {n.z_label}")
            emit(f"{n.dL_da} = {loss}_grad(y, y_hat, {n.z})")
        else:
            following = names[index + 1]
            emit(f"# layer {n.k}: the blame passed back through the next layer's weights, "
                 f"∂L/∂{n.a_label}[j] = Σᵢ {following.W_label}[i,j]·∂L/∂{following.z_label}[i]")
            emit(f"{n.dL_da} = {following.dL_dz} @ {following.W}")
        slope_note = ("the softmax Jacobian, ∂ŷᵢ/∂zⱼ" if activation == "softmax"
                      else f"the slope of {activation} at {n.z_label}")
        emit(f"{n.da_dz} = {_slope_call(spec.layers[index], n.z, n.a)}  # {slope_note}")
        if index == depth - 1 and fused:
            emit(f"# ∂L/∂{n.z_label}: the two factors above multiply out to a simpler formula, "
                 f"computed in one piece")
            emit("# (exact even where ŷ has rounded to 0 or 1 and they would be ∞·0)")
            emit(f"{n.dL_dz} = {loss}_dz(y, y_hat, {n.z})")
        elif activation == "softmax":
            emit(f"# ∂L/∂{n.z_label}[j] = Σᵢ ∂L/∂ŷ[i]·∂ŷ[i]/∂{n.z_label}[j]: every output "
                 f"depends on every z")
            emit(f"{n.dL_dz} = {n.dL_da} @ {n.da_dz}")
        else:
            emit(f"{n.dL_dz} = {n.dL_da} * {n.da_dz}  # ∂L/∂{n.z_label}, the error signal "
                 f"(delta)")
        prev_label = "x" if index == 0 else names[index - 1].a_label
        emit(f"{n.dL_dW} = np.outer({n.dL_dz}, {n.prev})  # ∂L/∂{n.W_label}[i,j] = "
             f"∂L/∂{n.z_label}[i] · {prev_label}[j]")
        if not spec.layers[index].use_bias:
            emit(f"{n.dL_db} = np.zeros(0)  # no bias, no gradient")
        elif spec.layers[index].shared_bias:
            emit(f"{n.dL_db} = np.array([{n.dL_dz}.sum()])  # the shared bias enters every unit: "
                 f"∂L/∂{n.b_label} = Σⱼ ∂L/∂{n.z_label}[j]")
        else:
            emit(f"{n.dL_db} = {n.dL_dz}  # ∂L/∂{n.b_label} = ∂L/∂{n.z_label} · 1")
        emit(f'say("  layer {n.k}")')
        d_a = "∂L/∂ŷ" if index == depth - 1 else f"∂L/∂{n.a_label}"
        emit(f'show("{d_a}", {n.dL_da})')
        if activation == "softmax":
            emit(f'show("∂ŷ{{}}/∂{n.z_label}{{}}", {n.da_dz})')
        else:
            emit(f'show("∂{n.a_label}{{}}/∂{n.z_label}{{}}", {n.da_dz})')
        emit(f'show("∂L/∂{n.z_label}", {n.dL_dz})')
        emit(f'show("∂L/∂{n.W_label}", {n.dL_dW})')
        if spec.layers[index].use_bias:
            frozen = " (not applied: frozen)" if "bias" in spec.layers[index].freeze else ""
            emit(f'show("∂L/∂{n.b_label}{frozen}", {n.dL_db})')
    emit('''
# -- 4. one step of gradient descent ----------------------------------------------------------
# Every weight and bias moves against its gradient: w ← w − η·∂L/∂w.
say()
say(f"Update: w ← w − η·∂L/∂w with η = {ETA!r}")''')
    for n, layer_spec in zip(names, spec.layers):
        if "weights" in layer_spec.freeze:
            emit(f"{n.W}_new = {n.W}.copy()  # frozen: ∂L/∂{n.W_label} is not applied")
        else:
            emit(f"{n.W}_new = {n.W} - ETA * {n.dL_dW}")
        if "bias" in layer_spec.freeze or not layer_spec.use_bias:
            why = "frozen: its gradient is not applied" if layer_spec.use_bias else "no bias"
            emit(f"{n.b}_new = {n.b}.copy()  # {why}")
        else:
            emit(f"{n.b}_new = {n.b} - ETA * {n.dL_db}")
        emit(f'show("{n.W_label}{{}} new", {n.W}_new)')
        if layer_spec.use_bias:
            emit(f'show("{n.b_label}{{}} new", {n.b}_new)')
    emit("\n# The forward pass again, through the new weights: did the loss go down?")
    for index, n in enumerate(names):
        prev = "x" if index == 0 else f"{names[index - 1].a}_new"
        bias = f" + {n.b}_new" if spec.layers[index].use_bias else ""
        emit(f"{n.z}_new = {n.W}_new @ {prev}{bias}")
        emit(f"{n.a}_new = {_act_call(spec.layers[index], n.z + '_new')}")
    emit(f"L_new = {loss}(y, y_hat_new, {last.z}_new)")
    # Named as the Forward pass pane's after-update lines: z₁[2] new, a₁ new, ŷ new.
    emit('say()\nsay("After the update")')
    for index, n in enumerate(names):
        emit(f'show("{n.z_label}{{}} new", {n.z}_new)')
        if index < len(names) - 1:
            emit(f'show("{n.a_label}{{}} new", {n.a}_new)')
    emit('show("ŷ{} new", y_hat_new)')
    emit('show("L new", L_new)' if spec.loss != "none" else 'say("    L new: no loss value")')
    return "\n".join(out) + "\n"


def _training(lesson: Lesson) -> str:
    runs = _networks(lesson)
    specs = [spec for _, _, spec, _ in runs]
    training = lesson.training
    n_rows = len(lesson.rows)
    mini = training.batch_size is not None and training.batch_size < n_rows
    reductions = {spec.reduction for spec in specs}
    keys = {_loss_key(spec) for spec in specs}
    any_fused = any(key in _FUSED for key in keys)
    any_plain = any(key not in _FUSED for key in keys)
    softmax_plain = any(spec.layers[-1].activation == "softmax" and _loss_key(spec) not in _FUSED
                        for spec in specs)
    if not get_loss(lesson.network.loss).has_value:
        # loss = "none": nothing to minimise, so no training (nn-tui train refuses it too).
        return ('''
# == 5. training ==============================================================================
# None: with loss = "none" there is no loss to minimise, only the given gradient dL_dy.
''')
    layers_of = [layer for spec in specs for layer in spec.layers]
    activations = list(dict.fromkeys(_act_key(layer) for layer in layers_of))
    slopes = {_act_key(layer): layer for layer in layers_of}
    losses = list(dict.fromkeys(_loss_key(spec) for spec in specs))
    conventions = _conventions(specs)
    shuffled = training.shuffle

    out = []
    emit = out.append
    emit('''
# == 5. training ==============================================================================
# The same forward pass, loss and backward pass as above, written once for any number of layers
# and for many rows at once: row r of A is example r, so z = W·a + b becomes Z = A·Wᵀ + b.''')
    if reductions == {"mean"}:
        emit("# The loss of several rows is the mean of their losses, so each row's ∂L/∂ŷ is "
             "scaled by 1/n.")
    elif reductions == {"sum"}:
        emit("# The loss of several rows is the sum of their losses (network.reduction = "
             "\"sum\").")
    else:
        emit("# The loss of several rows is the mean (or, with reduction \"sum\", the sum) of "
             "their losses.")
    emit("ACTIVATIONS = {  # each activation and its slope")
    for name in activations:
        layer = slopes[name]
        if layer.negative_slope is not None:
            slope = _float(layer.negative_slope)
            emit(f'    "{name}": (lambda z: {layer.activation}(z, {slope}),')
            emit(f'{" " * (len(name) + 8)}lambda z, a: {layer.activation}_slope(z, a, {slope})),')
        else:
            emit(f'    "{name}": ({name}, {name}_slope),')
    emit("}")
    emit("LOSSES = {  # value, ∂L/∂ŷ, ∂L/∂z in one piece (or None)")
    for key in losses:
        dz = f"{key}_dz" if key in _FUSED else "None"
        emit(f'    "{key}": ({key}, {key}_grad, {dz}),')
    emit("}")
    if mini:
        emit(f"BATCH_SIZE = {training.batch_size}  # rows per gradient step")
        if shuffled:
            emit(f"SHUFFLE_SEED = {training.shuffle_seed}  # the seed of the rows' order, "
                 "epoch after epoch")
    emit('''

def forward(layers, A):
    """Z and A of every layer for the rows of A."""
    Zs, As = [], []
    for W, b, activation in layers:
        Z = A @ W.T + b''' + (" if b.size else A @ W.T  # (a layer without a bias has b = [])"
                              if conventions else "") + '''
        A = ACTIVATIONS[activation][0](Z)
        Zs.append(Z)
        As.append(A)
    return Zs, As

''')
    if reductions == {"mean"}:
        emit('''
def reduce(net, per_row):
    """The loss over the rows: the mean of the rows' losses."""
    return float(np.mean(per_row))


def scale(net, n):
    """What each row's gradient is multiplied by: 1/n for a mean."""
    return 1.0 / n
''')
    elif reductions == {"sum"}:
        emit('''
def reduce(net, per_row):
    """The loss over the rows: the sum of the rows' losses."""
    return float(np.sum(per_row))


def scale(net, n):
    """What each row's gradient is multiplied by: 1 for a sum."""
    return 1.0
''')
    else:
        emit('''
def reduce(net, per_row):
    """The loss over the rows: the mean of the rows' losses, or their sum."""
    return float(np.sum(per_row) if net["reduction"] == "sum" else np.mean(per_row))


def scale(net, n):
    """What each row's gradient is multiplied by: 1/n for a mean, 1 for a sum."""
    return 1.0 if net["reduction"] == "sum" else 1.0 / n
''')
    emit('''
def total_loss(net, layers, X, Y):
    """The loss of the network over the rows of X."""
    Zs, As = forward(layers, X)
    return reduce(net, np.atleast_1d(LOSSES[net["loss"]][0](Y, As[-1], Zs[-1])))


def gradients(net, layers, X, Y):
    """(∂L/∂W, ∂L/∂b) of every layer, for the loss over the rows of X: the backward pass."""
    Zs, As = forward(layers, X)
    n = scale(net, X.shape[0])
    _, loss_grad, loss_dz = LOSSES[net["loss"]]''')
    if any_fused and any_plain:
        emit('''    if loss_dz is not None:
        dL_dz = loss_dz(Y, As[-1], Zs[-1]) * n
    else:''')
        indent = "        "
    elif any_fused:
        emit("    dL_dz = loss_dz(Y, As[-1], Zs[-1]) * n")
        indent = None
    else:
        indent = "    "
    if indent is not None:
        emit(f"{indent}dL_da = loss_grad(Y, As[-1], Zs[-1]) * n")
        emit(f"{indent}output = layers[-1][2]")
        emit(f"{indent}slope = ACTIVATIONS[output][1](Zs[-1], As[-1])")
        if softmax_plain:
            emit(f"{indent}# softmax: ∂L/∂zⱼ = Σᵢ ∂L/∂ŷᵢ·∂ŷᵢ/∂zⱼ, row by row")
            emit(f'{indent}dL_dz = (np.einsum("...i,...ij->...j", dL_da, slope) '
                 f'if output == "softmax"')
            emit(f"{indent}         else dL_da * slope)")
        else:
            emit(f"{indent}dL_dz = dL_da * slope")
    emit('''    grads = [None] * len(layers)
    for i in range(len(layers) - 1, -1, -1):
        W, b, activation = layers[i]
        if i < len(layers) - 1:
            # the blame passed back: the next layer's ∂L/∂z through its weights
            dL_da = dL_dz @ layers[i + 1][0]
            dL_dz = dL_da * ACTIVATIONS[activation][1](Zs[i], As[i])
        A_prev = X if i == 0 else As[i - 1]
        ''' + ('''db = dL_dz.sum(axis=0)  # summed over the rows
        if b.size < W.shape[0]:
            # a shared bias enters every unit: its gradient is the sum over the units too
            # (b.size 1); a layer without a bias (b.size 0) has none
            db = np.array([db.sum()])[:b.size]
        grads[i] = (dL_dz.T @ A_prev, db)''' if conventions else
              "grads[i] = (dL_dz.T @ A_prev, dL_dz.sum(axis=0))  # summed over the rows") + '''
    return grads


def step(net, layers, X, Y):
    """One gradient-descent step on the rows of X: w ← w − η·∂L/∂w for every layer''' + (
        ''' (except
    the parameters a layer freezes: net["frozen"][i] = (weights frozen, bias frozen))."""
    grads = gradients(net, layers, X, Y)
    return [(W if frozen_W else W - net["eta"] * dW, b if frozen_b else b - net["eta"] * db,
             activation)
            for (W, b, activation), (dW, db), (frozen_W, frozen_b)
            in zip(layers, grads, net["frozen"])]''' if conventions else '''."""
    grads = gradients(net, layers, X, Y)
    return [(W - net["eta"] * dW, b - net["eta"] * db, activation)
            for (W, b, activation), (dW, db) in zip(layers, grads)]''') + '''


def finite(layers):
    """Whether every weight and bias is a finite number (a sum is ∞ or nan once one is)."""
    return bool(np.isfinite(sum(float(W.sum()) + float(b.sum()) for W, b, _ in layers)))


def train(net):
    """Train a network as nn-tui does; returns the losses over all rows (before training,
    then after each epoch) and the trained layers. Stops early, as nn-tui does, if the loss
    overflows (keeping the network of the epoch before) or grows past a million times its
    start (the learning rate is too large: each step overshoots)."""
    layers = net["layers"]
    history = [total_loss(net, layers, X, Y)]
    if not (np.isfinite(history[0]) and finite(layers)):
        say(f"  loss before training = {history[0]!r}: the starting network already "
            "overflows, nothing to train")
        return history, layers
    say(f"  loss before training = {history[0]!r}")
    limit = 1e6 * max(1.0, history[0])''')
    if mini and shuffled:
        emit('''    # One random-number generator per run: each epoch draws a new order of the rows.
    rng = np.random.default_rng(SHUFFLE_SEED)''')
    emit('''    report = max(1, net["epochs"] // 10)
    for epoch in range(1, net["epochs"] + 1):
        before = layers''')
    if mini:
        emit('''        order = rng.permutation(len(X))''' if shuffled else
             '''        order = np.arange(len(X))  # shuffle = false: the rows in file order''')
        emit('''
        for start in range(0, len(X), BATCH_SIZE):  # mini-batches of BATCH_SIZE rows
            rows = order[start:start + BATCH_SIZE]
            layers = step(net, layers, X[rows], Y[rows])''')
    else:
        emit('''        layers = step(net, layers, X, Y)  # all rows in one batch''')
    emit('''        loss = total_loss(net, layers, X, Y)
        if not (np.isfinite(loss) and finite(layers)):
            say(f"  epoch {epoch}: the numbers overflowed; "
                f"keeping the network of epoch {epoch - 1}")
            return history, before
        history.append(loss)
        if loss > limit:
            say(f"  epoch {epoch}: loss {loss!r}, diverged (the learning rate is too large)")
            break
        if epoch % report == 0:
            say(f"  epoch {epoch}: loss = {loss!r}")
    return history, layers

''')
    # The networks.
    main_spec = lesson.network
    main_layers = ", ".join(f'(W{i + 1}, b{i + 1}, "{_act_key(layer)}")'
                            for i, layer in enumerate(main_spec.layers))

    def frozen(spec: NetworkSpec) -> str:
        """The net's "frozen" list: (weights frozen, bias frozen) per layer."""
        return ", ".join(f"({'weights' in layer.freeze}, {'bias' in layer.freeze})"
                         for layer in spec.layers)

    emit(f"EPOCHS = {training.epochs}  # the lesson's [training] epochs")
    emit("MAIN = {")
    emit(f'    "layers": [{main_layers}],')
    emit(f'    "loss": "{_loss_key(main_spec)}", "eta": ETA, "epochs": EPOCHS,')
    if len(reductions) > 1:
        emit(f'    "reduction": "{main_spec.reduction}",')
    if conventions:
        emit(f'    "frozen": [{frozen(main_spec)}],  # (weights, bias) frozen, per layer')
    emit("}")
    if len(runs) > 1:
        emit("# The lesson's variants: other networks over the same data, each trained from its "
             "own start.")
        emit("VARIANTS = {")
        for variant_id, label, spec, epochs in runs[1:]:
            network = spec.build()
            emit(f'    "{variant_id}": {{')
            emit(f"        \"label\": {label!r},")
            if any(layer.weights is None or layer.bias is None for layer in spec.layers):
                emit(f"        # starting weights the lesson leaves out: nn-tui's, drawn with "
                     f"seed {spec.seed}")
            emit('        "layers": [')
            for layer_spec, layer in zip(spec.layers, network.layers):
                emit(f"            ({_array(layer.W, 13)},")
                emit(f"             {_array(layer.b, 13)},")
                emit(f'             "{_act_key(layer_spec)}"),')
            emit("        ],")
            emit(f'        "loss": "{_loss_key(spec)}", "eta": {_float(spec.learning_rate)}, '
                 f'"epochs": {epochs},')
            if len(reductions) > 1:
                emit(f'        "reduction": "{spec.reduction}",')
            if conventions:
                emit(f'        "frozen": [{frozen(spec)}],')
            emit("    },")
        emit("}")
    how = (f"mini-batches of {training.batch_size} rows, shuffled each epoch "
           f"(shuffle_seed {training.shuffle_seed})" if mini and shuffled
           else f"mini-batches of {training.batch_size} rows in file order" if mini
           else "all rows as one batch")
    emit(f'''
say()
say(f"Training: {{EPOCHS}} epochs of gradient descent, {how}, η = {{ETA!r}}")
history, trained = train(MAIN)
say(f"  final training loss = {{history[-1]!r}}")''')
    if len(runs) > 1:
        emit('''variant_results = {}
for name, net in VARIANTS.items():
    say()
    say(f"Variant {name} ({net['label']}): {net['epochs']} epochs, η = {net['eta']!r}")
    variant_history, _ = train(net)
    say(f"  final training loss = {variant_history[-1]!r}")
    variant_results[name] = {"epochs": net["epochs"], "kept_epoch": len(variant_history) - 1,
                             "loss": plain(variant_history[-1])}''')
    return "\n".join(out) + "\n"


def _json(lesson: Lesson) -> str:
    spec = lesson.network
    network = spec.build()
    depth = len(network.layers)
    names = [_Names(i, depth, layer.units, layer.fan_in) for i, layer in enumerate(network.layers)]
    layers, grads, after = [], [], []
    for index, n in enumerate(names):
        layer_spec = spec.layers[index]
        activation = layer_spec.activation
        conventions = [f'"use_bias": {layer_spec.use_bias}',
                       f'"shared_bias": {layer_spec.shared_bias}',
                       f'"freeze": {list(layer_spec.freeze)!r}']
        if activation == "leaky_relu":
            slope = layer_spec.negative_slope
            conventions.append(f'"negative_slope": {_float(0.01 if slope is None else slope)}')
        layers.append([f'"activation": "{activation}"', f'"W": plain({n.W})',
                       f'"b": plain({n.b})', f'"a_prev": plain({n.prev})', f'"z": plain({n.z})',
                       f'"a": plain({n.a})', *conventions])
        # "dL_da_prev": the blame a layer passes to its inputs, ∂L/∂z·W (for the first layer
        # ∂L/∂x, which no update needs: the trace keeps it all the same).
        grads.append([f'"W": plain({n.dL_dW})', f'"b": plain({n.dL_db})',
                      f'"dL_da": plain({n.dL_da})', f'"da_dz": plain({n.da_dz})',
                      f'"dL_dz": plain({n.dL_dz})', f'"dL_da_prev": plain({n.dL_dz} @ {n.W})'])
        after.append([f'"W": plain({n.W}_new)', f'"b": plain({n.b}_new)',
                      f'"dW": plain({n.W}_new - {n.W})', f'"db": plain({n.b}_new - {n.b})',
                      f'"z": plain({n.z}_new)', f'"a": plain({n.a}_new)'])

    def listed(items: list[list[str]], indent: str) -> str:
        """A list of dicts, each wrapped to lines of at most 96 characters."""
        text = "[\n"
        for pairs in items:
            line = f"{indent}    {{"
            for position, pair in enumerate(pairs):
                piece = pair + (", " if position < len(pairs) - 1 else "},")
                if len(line) + len(piece.rstrip()) > 96:
                    text += line.rstrip() + "\n"
                    line = f"{indent}     "
                line += piece
            text += line + "\n"
        return text + f"{indent}]"

    variants = '\n        "variants": variant_results,' if lesson.variants else ""
    has_loss = get_loss(spec.loss).has_value
    # loss = "none": the data hold dL_dy (not targets), there is no loss value (null) and no
    # training, as in `nn-tui trace --json`.
    y_key = "y" if has_loss else "dL_dy"
    loss, per_sample = ("plain(L)", "plain([L])") if has_loss else ("None", "None")
    loss_new, per_sample_new = (("plain(L_new)", "plain([L_new])") if has_loss
                                else ("None", "None"))
    training = ('''
        "training": {"epochs": EPOCHS, "kept_epoch": len(history) - 1,
                     "loss": plain(history[-1])},''' if has_loss else "")
    return f'''
# == everything as JSON, under the paths of `nn-tui trace --json` ==============================
if JSON:
    print(json.dumps({{
        "mode": "sample", "rows": [FOCUS], "x": plain(x), "{y_key}": plain(y),
        "layers": {listed(layers, "        ")},
        "output": plain(y_hat), "loss_name": "{spec.loss}", "reduction": "{spec.reduction}",
        "loss": {loss}, "per_sample_loss": {per_sample},
        "grads": {listed(grads, "        ")},
        "learning_rate": ETA,
        "after": {{
            "layers": {listed(after, "            ")},
            "output": plain(y_hat_new), "loss": {loss_new}, "per_sample_loss": {per_sample_new},
        }},{training}{variants}
    }}, indent=1))
'''


def _tidy(text: str) -> str:
    """PEP 8's blank lines in the assembled script: two around every top-level function
    (with the comment block above it) and before the first statement after one, never more."""
    lines = text.split("\n")
    start = lines.index("import json")
    out = lines[:start]
    after_def = False
    for line in lines[start:]:
        top = line[:1] not in ("", " ", ")", "]", "}", "#")
        if line.startswith("#") and after_def and out and (out[-1] == "" or out[-1][:1] == " "):
            # A section comment after a function: two blank lines, as before a statement.
            while out and out[-1] == "":
                out.pop()
            out += ["", ""]
        if top:
            is_def = line.startswith("def ")
            if is_def or after_def:
                block_start = len(out)
                while block_start and out[block_start - 1].startswith("#"):
                    block_start -= 1
                block = out[block_start:]
                del out[block_start:]
                while out and out[-1] == "":
                    out.pop()
                out += ["", ""] + block
            after_def = is_def
        if not (line == "" and out[-2:] == ["", ""]):
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def export_python(lesson: Lesson) -> str:
    """The text of a standalone NumPy script working through ``lesson`` (see the module).

    ``lesson`` must be a validated lesson (``nn_tui.lessons.catalog.load_checked_lesson``):
    the script trusts its shapes and pairings. The text is plain UTF-8 Python source ending in
    a newline; nothing in it is executed here.
    """
    script = f"{lesson.id}.py"
    return _tidy("".join([
        _header(lesson, script),
        _data(lesson),
        _network(lesson),
        _functions(lesson),
        _HELPERS,
        _worked(lesson),
        _training(lesson),
        _json(lesson),
    ]))
