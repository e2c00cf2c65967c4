"""Write a network and its data as a new lesson file (TOML), for ``nn-tui new`` and explore mode.

The text is built by a template, one table at a time, so each key can carry a comment a teacher
can read (``tomli_w``, which writes every value, writes no comments and puts each number of a
matrix on its own line); every value in it is written by ``tomli_w``, which escapes strings and
writes floats exactly. The result always parses with ``tomllib`` to the values given
(``lesson_toml`` checks that before returning), and ``write_new_lesson`` writes it atomically,
refusing to replace an existing file unless told to.
"""

from __future__ import annotations

import errno
import math
import os
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomli_w

from nn_tui.lessons.atomic import write_then_move

# What each key means, written above it in the file (the teacher's reference is
# docs/lesson-format.md; these are reminders, not the whole story).
_LOSS_WORDS = {
    "mse": "mean squared error, (1/K)·Σ(y − ŷ)²",
    "half_sse": "half the sum of squared errors, ½·Σ(y − ŷ)²",
    "sse": "the sum of squared errors, Σ(y − ŷ)²",
    "bce": "binary cross-entropy, for 0/1 targets and a sigmoid output",
    "cross_entropy": "cross-entropy, for one-hot targets and a softmax output",
    "none": "no loss: the rows give ∂L/∂ŷ in place of targets",
}
_TRAINING_WORDS = {
    "epochs": "passes over all rows in a training run",
    "batch_size": "rows per gradient step (left out: all rows, one step per epoch)",
    "shuffle_seed": "seeds the order of the rows in mini-batches, so runs repeat exactly",
    "shuffle": "false: rows in file order every epoch",
}


class LessonWriteError(ValueError):
    """The values given cannot make a lesson file (a shape mismatch, a number that is not
    finite); the message names the argument."""


def _scalar(value: Any) -> str:
    """One TOML value as ``tomli_w`` writes it (strings escaped, floats exact)."""
    if isinstance(value, float) and value == 0.0:
        value = 0.0  # −0.0 reads as 0 to a learner; write it so
    text = tomli_w.dumps({"v": value})
    return text[len("v = "):].rstrip("\n")


def _inline(value: Any) -> str:
    """A value on one line: arrays inline (``[[0.1, -0.2], [0.3, 0.4]]``), scalars as TOML."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline(item) for item in value) + "]"
    return _scalar(value)


def _number(value: Any, what: str) -> float | int:
    if isinstance(value, bool):
        raise LessonWriteError(f"{what}: {value!r} is not a number")
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise LessonWriteError(f"{what}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise LessonWriteError(f"{what}: {number} is not finite")
    return number


def _numbers(values: Any, what: str) -> list[float]:
    try:
        items = list(values)
    except TypeError:
        raise LessonWriteError(f"{what}: must be a list of numbers") from None
    return [float(_number(item, f"{what}[{index}]")) for index, item in enumerate(items)]


def _matrix(values: Any, what: str, rows: int | None = None) -> list[list[float]]:
    try:
        matrix = [_numbers(row, f"{what}[{index}]") for index, row in enumerate(values)]
    except TypeError:
        raise LessonWriteError(f"{what}: must be a matrix (a list of rows)") from None
    if rows is not None and len(matrix) != rows:
        raise LessonWriteError(f"{what}: has {len(matrix)} rows; {rows} expected")
    if matrix and any(len(row) != len(matrix[0]) for row in matrix):
        raise LessonWriteError(f"{what}: rows of different lengths")
    return matrix


def _compact(row: list[float]) -> list[float | int]:
    """Data values as a person writes them: whole numbers without ".0" (the loader reads
    both)."""
    return [int(value) if value.is_integer() and abs(value) < 1e15 else value for value in row]


def _comment(text: str) -> str:
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def _layer(layer: Any, index: int) -> tuple[str, list[list[float]], Any, dict]:
    """(activation, W, b, other keys) of one ``layers`` entry: a tuple (activation, W, b) or a
    mapping with ``activation``, ``weights``, ``bias`` and any further layer keys."""
    what = f"layers[{index}]"
    if isinstance(layer, Mapping):
        extra = {key: value for key, value in layer.items()
                 if key not in ("activation", "weights", "bias", "units")}
        activation = layer.get("activation")
        weights, bias = layer.get("weights"), layer.get("bias")
    else:
        try:
            activation, weights, bias = layer
        except (TypeError, ValueError):
            raise LessonWriteError(f"{what}: give (activation, W, b) or a table of keys") from None
        extra = {}
    if not isinstance(activation, str) or not activation:
        raise LessonWriteError(f"{what}: the activation must be a name")
    if weights is None:
        raise LessonWriteError(f"{what}: the weights are required (units × fan-in)")
    matrix = _matrix(weights, f"{what}.weights")
    if not matrix or not matrix[0]:
        raise LessonWriteError(f"{what}.weights: must have at least one row and one column")
    if bias is not None and not isinstance(bias, (int, float)):
        bias = _numbers(bias, f"{what}.bias")
        if len(bias) != len(matrix):
            raise LessonWriteError(
                f"{what}.bias: has {len(bias)} values; the layer has {len(matrix)} units")
    elif bias is not None:
        bias = float(_number(bias, f"{what}.bias"))  # a shared bias (one number)
    return activation, matrix, bias, extra


def lesson_toml(
    *,
    lesson_id: str,
    title: str,
    summary: str = "",
    inputs: Sequence[str],
    outputs: Sequence[str],
    layers: Sequence[Any],
    loss: str,
    learning_rate: float,
    rows: Any = None,
    csv: str | None = None,
    csv_inputs: Sequence[str] | None = None,
    csv_targets: Sequence[str] | None = None,
    training: Mapping[str, Any] | None = None,
    reduction: str | None = None,
    focus: int | None = None,
    header: str = "",
    comments: bool = True,
) -> str:
    """The text of a lesson file (TOML) for this network and data, with no ``[[steps]]``, so the
    tutor gives it the generated walk-through (``nn_tui.lessons.walkthrough``).

    ``layers``: input side first, each ``(activation, W, b)`` with W of shape
    ``(units, fan_in)`` and b of shape ``(units,)`` (or None: no ``bias`` key), NumPy arrays or
    nested lists; or a mapping with ``activation``, ``weights``, ``bias`` and further layer keys
    (``use_bias``, ``freeze``...), written as given. Numbers are written exactly as given
    (round them first for a learner who redoes the arithmetic); −0.0 is written as 0.0.
    The data: ``rows`` (shape ``(n, inputs + outputs)``: inputs then targets), or ``csv``, a
    path relative to the lesson file, with the column names ``csv_inputs`` and ``csv_targets``
    (default: the names ``inputs`` and ``outputs``). ``training``: keys of ``[training]``
    (``epochs``, ``batch_size``...), written as given. ``header``: a comment for the top of
    the file. ``comments=False`` leaves out the explanations of the keys.

    The text is not validated as a lesson (``nn_tui.lessons.loader.parse_lesson_text`` does
    that); it is checked to parse as TOML to these values. Raises LessonWriteError for values
    that cannot be written (shapes that disagree, numbers that are not finite, both or
    neither of ``rows`` and ``csv``).
    """
    if (rows is None) == (csv is None):
        raise LessonWriteError("give the data as rows or as a csv file, one of the two")
    inputs, outputs = [str(name) for name in inputs], [str(name) for name in outputs]
    if not inputs or not outputs:
        raise LessonWriteError("inputs and outputs: at least one name each")
    parsed_layers = [_layer(layer, index) for index, layer in enumerate(layers)]
    if not parsed_layers:
        raise LessonWriteError("layers: at least one layer")
    fan_in = len(inputs)
    for index, (_activation, matrix, _bias, _extra) in enumerate(parsed_layers):
        if len(matrix[0]) != fan_in:
            raise LessonWriteError(f"layers[{index}].weights: has {len(matrix[0])} columns; "
                                   f"the layer's fan-in is {fan_in}")
        fan_in = len(matrix)
    if fan_in != len(outputs):
        raise LessonWriteError(f"outputs: {len(outputs)} names for {fan_in} output units")
    note = (lambda text: _comment(text)) if comments else (lambda text: "")
    out: list[str] = []
    if header:
        out.append(_comment(header) + "\n")

    out.append(note("The lesson as the picker lists it. The id names the learner's progress: "
                    "keep it when\nyou edit the lesson; give a copy its own."))
    out.append("[lesson]\n")
    out.append(f"id = {_scalar(str(lesson_id))}\n")
    out.append(f"title = {_scalar(str(title))}\n")
    if summary:
        out.append(f"summary = {_scalar(str(summary))}\n")

    out.append("\n" + note("The network: input names, output names, the loss it minimises and "
                           "the learning rate η\nof each gradient step."))
    out.append("[network]\n")
    out.append(f"inputs = {_inline(inputs)}\n")
    out.append(f"outputs = {_inline(outputs)}\n")
    if comments and loss in _LOSS_WORDS:
        out.append(f"# {loss}: {_LOSS_WORDS[loss]}\n")
    out.append(f"loss = {_scalar(str(loss))}\n")
    out.append(f"learning_rate = {_scalar(_number(learning_rate, 'learning_rate'))}\n")
    if reduction is not None:
        out.append(f"reduction = {_scalar(str(reduction))}\n")

    depth = len(parsed_layers)
    for index, (activation, matrix, bias, extra) in enumerate(parsed_layers):
        which = "The output layer" if index == depth - 1 else f"Hidden layer {index + 1}"
        out.append("\n" + note(
            f"{which}: z = W·{'x' if index == 0 else 'a'} + b, then a = {activation}(z). "
            f"Row i of weights\nholds the weights of neuron i, one per "
            f"{'input' if index == 0 else 'neuron of the layer before'}."))
        out.append("[[network.layers]]\n")
        out.append(f"units = {len(matrix)}\n")
        out.append(f"activation = {_scalar(activation)}\n")
        if len(matrix) == 1 or len(matrix[0]) * len(matrix) <= 8:
            out.append(f"weights = {_inline(matrix)}\n")
        else:
            out.append("weights = [\n" + "".join(f"  {_inline(row)},\n" for row in matrix) + "]\n")
        if bias is not None:
            out.append(f"bias = {_inline(bias)}\n")
        for key, value in extra.items():
            out.append(f"{key} = {_inline(value)}\n")

    out.append("\n")
    if rows is not None:
        width = len(inputs) + len(outputs)
        matrix = _matrix(rows, "rows")
        if not matrix:
            raise LessonWriteError("rows: at least one row")
        if len(matrix[0]) != width:
            raise LessonWriteError(f"rows: {len(matrix[0])} values per row; {width} expected "
                                   f"({len(inputs)} inputs then {len(outputs)} targets)")
        out.append(note(f"The data, one row per example: {', '.join(inputs)}, then the "
                        f"target{'s' if len(outputs) > 1 else ''} {', '.join(outputs)}."))
        out.append("[data]\n")
        out.append("rows = [\n" + "".join(f"  {_inline(_compact(row))},\n" for row in matrix)
                   + "]\n")
    else:
        columns_in = [str(name) for name in (csv_inputs or inputs)]
        columns_out = [str(name) for name in (csv_targets or outputs)]
        if len(columns_in) != len(inputs) or len(columns_out) != len(outputs):
            raise LessonWriteError("csv_inputs and csv_targets: one column per input and per "
                                   "output")
        out.append(note("The data, read from a CSV file (a path relative to this file) whose "
                        "first line names\nthe columns: the inputs are read from the columns "
                        "named in inputs, the targets\nfrom those named in targets."))
        out.append("[data]\n")
        out.append(f"csv = {_scalar(str(csv))}\n")
        out.append(f"inputs = {_inline(columns_in)}\n")
        out.append(f"targets = {_inline(columns_out)}\n")
    if focus is not None:
        out.append(note("The row (0-based) the worked arithmetic follows."))
        out.append(f"focus = {_scalar(int(focus))}\n")

    if training:
        out.append("\n" + note("How the training run goes."))
        out.append("[training]\n")
        for key, value in training.items():
            if comments and key in _TRAINING_WORDS:
                out.append(f"# {key}: {_TRAINING_WORDS[key]}\n")
            out.append(f"{key} = {_inline(value)}\n")

    if comments:
        out.append("\n" + _comment(
            "No [[steps]]: the tutor gives this lesson its generated walk-through (forward "
            "pass, loss,\nbackward pass, one update, training). Add [[steps]] tables to write "
            "your own; see\ndocs/lesson-format.md."))
    text = "".join(out)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:  # a key name TOML cannot hold bare, say
        raise LessonWriteError(f"the values do not make valid TOML: {error}") from None
    return text


def _link_new(temp: str, path: Path) -> None:
    """Put the finished ``temp`` at ``path`` only if nothing is there: a hard link is atomic
    and fails with EEXIST; where the file system has no hard links, an exclusive create
    claims the name, then the temp file is renamed over it."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(temp, path)
        return
    os.unlink(temp)


def write_new_lesson(path: str | Path, text: str, overwrite: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically: through a temp file in the same folder, fsync'ed,
    then linked into place (``overwrite=False``: fails if anything is at ``path``, even if it
    appeared a moment ago) or renamed over it (``overwrite=True``). A reader never sees half a
    file. Returns the path written.

    Raises FileExistsError when ``path`` exists and ``overwrite`` is False, IsADirectoryError
    when it is a folder, and OSError for a folder that is missing or cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(path))
    if not overwrite and (path.exists() or path.is_symlink()):
        raise FileExistsError(17, "already exists", str(path))
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")

    def move() -> None:
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # an ordinary file's mode, not the temp file's 0600
        if overwrite:
            os.replace(temp, path)
        else:
            _link_new(temp, path)

    write_then_move(descriptor, temp, text, move)
    return path


# -- a starter lesson from a CSV file (nn-tui new) ----------------------------------------------

# Weights of a starter lesson are rounded so a learner can redo the arithmetic by hand.
STARTER_DECIMALS = 2


def lesson_id_from(name: str) -> str:
    """A lesson id from a file name: lowercase letters, digits and single dashes
    (``"PSA data 2024.csv"`` → ``"psa-data-2024"``), ``"new-lesson"`` if nothing is left."""
    import re

    words = re.findall(r"[a-z0-9]+", name.lower())
    return "-".join(words)[:80].strip("-") or "new-lesson"


def output_choice(targets: Any, loss: str | None = None,
                  activation: str | None = None) -> tuple[str, str]:
    """(output activation, loss) suiting the targets ``(n, outputs)``, unless given.

    Targets all 0 or 1: one-hot rows over two or more outputs → softmax with cross-entropy,
    else sigmoid with binary cross-entropy. Other targets: identity with mean squared error.
    A loss given alone gets the output it needs (sigmoid for bce, softmax for cross-entropy,
    identity otherwise)."""
    import numpy as np

    targets = np.asarray(targets, dtype=float)
    if loss is None:
        binary = bool(np.all((targets == 0) | (targets == 1)))
        if binary and targets.shape[1] >= 2 and bool(np.all(targets.sum(axis=1) == 1)):
            loss = "cross_entropy"
        elif binary and activation in (None, "sigmoid", "softmax"):
            loss = "bce"
        else:
            loss = "mse"
    if activation is None:
        activation = {"bce": "sigmoid", "cross_entropy": "softmax"}.get(loss, "identity")
    return activation, loss


def starter_lesson(
    *,
    csv_path: str | Path,
    lesson_path: str | Path,
    rows: Any,
    inputs: Sequence[str],
    targets: Sequence[str],
    hidden: Sequence[int] = (2,),
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str | None = None,
    learning_rate: float = 0.1,
    seed: int = 0,
    epochs: int = 200,
    lesson_id: str | None = None,
    title: str | None = None,
) -> str:
    """The text of a starter lesson for the data in ``csv_path`` (whose columns ``inputs`` then
    ``targets`` are ``rows``, shape ``(n, inputs + targets)``), to be written at
    ``lesson_path``: ``[data] csv`` refers to the CSV file by a path relative to the lesson's
    folder. The network has ``hidden`` layers of those sizes with ``activation``, then the
    output layer (see ``output_choice``); its weights are drawn from ``seed`` as the engine
    draws them (Glorot, He for ReLU) and written out, rounded to STARTER_DECIMALS decimals;
    biases start at 0. No [[steps]]: the generated walk-through follows the network and the
    data, so it stays right when the teacher edits either. Raises LessonWriteError."""
    import os

    import numpy as np

    from nn_tui.engine.network import init_weights

    rows = np.asarray(rows, dtype=float)
    csv_path, lesson_path = Path(csv_path), Path(lesson_path)
    if rows.ndim != 2 or rows.shape[1] != len(inputs) + len(targets) or not len(rows):
        raise LessonWriteError("rows: one row per example, inputs then targets")
    out_activation, loss = output_choice(rows[:, len(inputs):], loss, output_activation)
    sizes = [len(inputs), *hidden, len(targets)]
    activations = [activation] * len(hidden) + [out_activation]
    # round(), not np.round: correctly rounded, so 0.57 is written 0.57, not 0.5700000000000001.
    layers = [(name, [[round(float(w), STARTER_DECIMALS) for w in row] for row in W], b)
              for name, (W, b) in zip(activations, init_weights(sizes, activations, seed))]
    folder = os.path.abspath(lesson_path.parent if str(lesson_path.parent) else ".")
    try:
        relative = os.path.relpath(os.path.abspath(csv_path), folder)
    except ValueError:  # another drive (Windows): only an absolute path reaches it
        relative = os.path.abspath(csv_path)
    relative = relative.replace(os.sep, "/")
    stem = csv_path.stem
    shape = " → ".join(str(size) for size in sizes)
    summary = (f"A {shape} network learning {', '.join(targets)} from "
               f"{', '.join(inputs)}: {len(rows)} rows of {csv_path.name}.")
    return lesson_toml(
        lesson_id=lesson_id or lesson_id_from(stem),
        title=title or f"{stem}: a {shape} network",
        summary=summary,
        inputs=inputs, outputs=targets, layers=layers, loss=loss,
        learning_rate=learning_rate, csv=relative, csv_inputs=inputs, csv_targets=targets,
        training={"epochs": epochs},
        header=(f"A starter lesson written by nn-tui new from {csv_path.name}: edit any value, "
                "then run\nnn-tui check on this file. The format: docs/lesson-format.md."),
    )
