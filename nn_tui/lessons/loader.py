"""Read a lesson file (TOML) and validate every key, collecting all problems at once.

A lesson file is data: it is parsed with stdlib ``tomllib`` and checked against the format in
docs/lesson-format.md. Nothing in it is executed; self-check answers are parsed by our own
expression parser (``nn_tui.lessons.expressions``).
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
import tomllib
from collections.abc import Set
from pathlib import Path
from typing import Any

import numpy as np

from nn_tui.engine.activations import ACTIVATIONS
from nn_tui.engine.losses import LOSSES, loss_called
from nn_tui.engine.network import FREEZABLE, REDUCTIONS
from nn_tui.lessons import schema
from nn_tui.lessons.errors import TERMINAL_UNSAFE, LessonError, Problem, escape_code
from nn_tui.lessons.expressions import ExpressionError, parse_expression
from nn_tui.lessons.locate import KeyLocator
from nn_tui.lessons.model import (
    STEP_KINDS,
    Choice,
    LayerSpec,
    Lesson,
    NetworkSpec,
    Step,
    StepKind,
    TeacherMistake,
    TrainingSpec,
    Variant,
)

# Sane limits, so a hostile or mistaken file cannot exhaust memory or time.
MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 12
MAX_LAYERS = 8
MAX_UNITS = 64
MAX_INPUTS = 64
MAX_ROWS = 10_000
MAX_EPOCHS = 100_000
MAX_STEPS = 400
MAX_VARIANTS = 8
MAX_TEXT = 20_000
MAX_HINTS = 10
MAX_CHOICES = 8
MAX_MISTAKES = 10  # teacher mistakes per check
MAX_NAME = 40
MAX_SOURCES = 20
MAX_SOURCE = 500
# Beyond this a weight or data value is almost certainly a typo and would overflow exp().
MAX_MAGNITUDE = 1e6

# Work budgets: the limits above bound the size of a file, these bound what it makes the tutor
# do, so a valid lesson trains, replays and traces in seconds, never hours. Measured on a
# 2-core machine: full-batch training does 1.4e8 to 6e8 units of work a second, mini-batch
# training about 20,000 batches a second. The largest bundled lesson uses 336,000 units.
# Training: data rows × epochs × network parameters, summed over every run of every train step.
MAX_TRAINING_WORK = 2_000_000_000
# Training in mini-batches costs a fixed overhead per batch: epochs × batches per epoch, summed.
MAX_TRAINING_BATCHES = 300_000
# A batch trace keeps every row's values of every layer (a softmax layer a Jacobian matrix per
# row): the numbers one batch trace holds, for a batch step or `nn-tui trace --batch`.
MAX_BATCH_TRACE_VALUES = 1_000_000
# Replaying a lesson keeps the trace of every step (all rows while a batch is selected).
MAX_REPLAY_VALUES = 10_000_000
# Answer expressions: the values all the check answers of a lesson read together (one per path,
# number and operation, one per list entry a function reads: max(training.main.history) reads
# the whole history), counted as validation evaluates them (LessonSession.lint). The tutor
# evaluates the same answers on the same data, so this bounds its work too.
MAX_ANSWER_WORK = 2_000_000

LESSON_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VARIANT_ID = re.compile(r"^[a-z][a-z0-9_]*$")
MISTAKE_KIND = re.compile(r"^[a-z][a-z0-9_]*$")

# The allowed keys of each table, from the one declaration of the schema (schema.py).
TOP_KEYS = schema.TOP_KEYS
LESSON_KEYS = schema.LESSON.keys
NETWORK_KEYS = schema.NETWORK.keys
LAYER_KEYS = schema.LAYER.keys
DATA_KEYS = schema.DATA.keys
TRAINING_KEYS = schema.TRAINING.keys
VARIANT_KEYS = schema.VARIANT.keys
STEP_KEYS = {kind: schema.step_keys(kind) for kind in StepKind}
MISTAKE_KEYS = schema.MISTAKE.keys
CHOICE_KEYS = schema.CHOICE.keys
# An explore step lists at most this many editable numbers (a 8×64×64 network has ~33,000, but
# a teacher names the few that matter; "every number" is the default, written by leaving it out).
MAX_EDITABLE = 200


def _control_character(text: str) -> int | None:
    """The position of the first character of TERMINAL_UNSAFE in ``text``, else None.

    Such characters (ESC, BEL, carriage return, C1 codes, bidi overrides...) would be sent to
    the terminal as commands when the text is shown: they could retitle the window, clear the
    screen or reorder what is drawn (see nn_tui.lessons.errors.TERMINAL_UNSAFE).
    """
    if TERMINAL_UNSAFE.isdisjoint(text):
        return None
    return next(position for position, char in enumerate(text) if char in TERMINAL_UNSAFE)


def _to_float(value: Any) -> tuple[float | None, str]:
    """(the value as a float, ""), or (None, why it is not a usable number).

    TOML has whole numbers of any size; one too large for a float is not an ordinary number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None, f"must be a number, not {_kind(value)}"
    try:
        number = float(value)
    except OverflowError:
        return None, f"is {_kind(value)[len('the number '):]}, too large to be a number"
    if not math.isfinite(number):
        return None, f"is {number}; numbers must be finite (no nan or inf)"
    return number, ""


def network_parameters(spec: NetworkSpec) -> int:
    """How many weights and biases ``spec`` has (a shared bias counts once, none not at all)."""
    sizes = spec.sizes
    return sum(sizes[k + 1] * sizes[k] + layer.bias_size for k, layer in enumerate(spec.layers))


def batch_trace_values(spec: NetworkSpec, n_rows: int) -> int:
    """Roughly how many numbers one trace of ``n_rows`` rows as a batch through ``spec`` holds:
    per row and layer z, a, the slopes and the two gradients, plus a units × units Jacobian for
    softmax, and the per-row weight gradients of the layer."""
    sizes = spec.sizes
    per_row = 0
    for k, layer in enumerate(spec.layers):
        per_row += 5 * layer.units + layer.units * (sizes[k] + 1)
        if layer.activation == "softmax":
            per_row += layer.units * layer.units
    return n_rows * per_row


class _Validator:
    """Walks the parsed TOML, recording a Problem for every bad key instead of stopping."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.locator = KeyLocator(text)
        self.problems: list[Problem] = []
        self.declared_variants: set[str] = set()  # ids of [[variants]], whether valid or not
        self.data_file = ""  # [data] csv, once read

    def problem(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, key, message, self.locator.line_of(key)))

    def printable(self, value: str, full: str) -> bool:
        """Whether ``value`` is free of terminal control characters (recording a problem if not)."""
        position = _control_character(value)
        if position is None:
            return True
        shown = escape_code(value[position])
        self.problem(full, f"contains the control character {shown} (at character "
                           f"{position + 1}); lesson text may hold printable characters, "
                           "newlines and tabs only")
        return False

    # -- typed getters: each returns None (after recording a problem) when the value is bad ----

    def unknown_keys(self, table: dict, allowed: Set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                shown = key if len(key) <= MAX_NAME else key[:MAX_NAME - 1] + "…"
                self.problem(f"{where}.{shown}" if where else shown,
                             f"unknown key (known: {known})")

    def format_version(self, meta: dict) -> None:
        """``[lesson] format_version``: optional; only schema.FORMAT_VERSION is read."""
        if "format_version" not in meta:
            return
        value = meta["format_version"]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem("lesson.format_version",
                         f"must be a whole number ({schema.FORMAT_VERSION}), not {_kind(value)}")
        elif value != schema.FORMAT_VERSION:
            newer = ("a newer version than this nn-tui reads: update nn-tui"
                     if value > schema.FORMAT_VERSION else "not a version of the format")
            self.problem("lesson.format_version", (
                f"is {value}, {newer} (this nn-tui reads lesson format version "
                f"{schema.FORMAT_VERSION}; leave the key out or write {schema.FORMAT_VERSION})"))

    def table(self, parent: dict, key: str, where: str, required: bool = True) -> dict | None:
        full = f"{where}.{key}" if where else key
        if key not in parent:
            if required:
                self.problem(full, "missing (a required table)")
            return None
        value = parent[key]
        if not isinstance(value, dict):
            self.problem(full, f"must be a table, not {_kind(value)}")
            return None
        return value

    def string(self, table: dict, key: str, where: str, required: bool = False,
               limit: int = MAX_TEXT) -> str | None:
        full = f"{where}.{key}"
        if key not in table:
            if required:
                self.problem(full, "missing (required text)")
            return None
        value = table[key]
        if not isinstance(value, str):
            self.problem(full, f"must be text, not {_kind(value)}")
            return None
        if len(value) > limit:
            self.problem(full, f"is {len(value)} characters long; the limit is {limit}")
            return None
        if required and not value.strip():
            self.problem(full, "must not be empty")
            return None
        if not self.printable(value, full):
            return None
        return value

    def texts(self, table: dict, key: str, where: str, count: int,
              limit: int) -> tuple[str, ...]:
        """An optional list of at most ``count`` non-empty texts of at most ``limit``
        characters each, checked as every other text is; () when absent or bad."""
        full = f"{where}.{key}"
        if key not in table:
            return ()
        value = table[key]
        if not isinstance(value, list):
            self.problem(full, f"must be a list of texts, not {_kind(value)}")
            return ()
        if len(value) > count:
            self.problem(full, f"has {len(value)} entries; the limit is {count}")
            return ()
        found = []
        for index, item in enumerate(value):
            if not isinstance(item, str):
                self.problem(f"{full}[{index}]", f"must be text, not {_kind(item)}")
                return ()
            if not item.strip():
                self.problem(f"{full}[{index}]", "must not be empty")
                return ()
            if len(item) > limit:
                self.problem(f"{full}[{index}]",
                             f"is {len(item)} characters long; the limit is {limit}")
                return ()
            if not self.printable(item, f"{full}[{index}]"):
                return ()
            found.append(item)
        return tuple(found)

    def integer(self, table: dict, key: str, where: str, low: int, high: int,
                required: bool = False) -> int | None:
        full = f"{where}.{key}"
        if key not in table:
            if required:
                self.problem(full, "missing (a required whole number)")
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(full, f"must be a whole number, not {_kind(value)}")
            return None
        if not low <= value <= high:
            self.problem(full, f"is {_kind(value)[len('the number '):]}; it must be between "
                               f"{low} and {high}")
            return None
        return value

    def number(self, table: dict, key: str, where: str, required: bool = False,
               positive: bool = False) -> float | None:
        full = f"{where}.{key}"
        if key not in table:
            if required:
                self.problem(full, "missing (a required number)")
            return None
        value, why = _to_float(table[key])
        if value is None:
            self.problem(full, why)
            return None
        if positive and value <= 0:
            self.problem(full, f"is {value}; it must be greater than 0")
            return None
        if abs(value) > MAX_MAGNITUDE:
            self.problem(full, f"is {value}; its size must stay within ±{MAX_MAGNITUDE:g}")
            return None
        return value

    def boolean(self, table: dict, key: str, where: str, default: bool) -> bool:
        if key not in table:
            return default
        value = table[key]
        if not isinstance(value, bool):
            self.problem(f"{where}.{key}", f"must be true or false, not {_kind(value)}")
            return default
        return value

    def vector(self, value: Any, full: str, length: int | None = None) -> tuple[float, ...] | None:
        if not isinstance(value, list):
            self.problem(full, f"must be a list of numbers, not {_kind(value)}")
            return None
        numbers = []
        if length is not None and len(value) != length:
            self.problem(full, f"has {len(value)} values; it needs {length}")
            return None
        if len(value) > MAX_INPUTS + MAX_UNITS:
            self.problem(full, f"has {len(value)} values; no row or vector needs more than "
                               f"{MAX_INPUTS + MAX_UNITS}")
            return None
        for index, item in enumerate(value):
            number, why = _to_float(item)
            if number is None:
                self.problem(f"{full}[{index}]", why)
                return None
            if abs(number) > MAX_MAGNITUDE:
                self.problem(f"{full}[{index}]",
                             f"is {number}; keep values within ±{MAX_MAGNITUDE:g}")
                return None
            numbers.append(number)
        if length is not None and len(numbers) != length:
            self.problem(full, f"has {len(numbers)} values; it needs {length}")
            return None
        return tuple(numbers)

    def names(self, table: dict, key: str, where: str, limit: int) -> tuple[str, ...] | None:
        full = f"{where}.{key}"
        if key not in table:
            self.problem(full, "missing (a required list of names)")
            return None
        value = table[key]
        if not isinstance(value, list) or not value:
            self.problem(full, "must be a non-empty list of names")
            return None
        if len(value) > limit:
            self.problem(full, f"has {len(value)} names; the limit is {limit}")
            return None
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{full}[{index}]", f"must be a non-empty name, not {_kind(item)}")
                return None
            if len(item) > MAX_NAME:
                self.problem(f"{full}[{index}]", f"is longer than {MAX_NAME} characters")
                return None
            if not self.printable(item, f"{full}[{index}]"):
                return None
        if len(set(value)) != len(value):
            self.problem(full, "names must be different from each other")
            return None
        return tuple(value)

    # -- sections ------------------------------------------------------------------------------

    def layers(self, raw: Any, where: str, fan_in: int | None) -> tuple[LayerSpec, ...] | None:
        if not isinstance(raw, list) or not raw:
            self.problem(where, "needs at least one [[layers]] table")
            return None
        if len(raw) > MAX_LAYERS:
            self.problem(where, f"has {len(raw)} layers; the limit is {MAX_LAYERS}")
            return None
        specs: list[LayerSpec] = []
        ok = True
        previous = fan_in
        for index, layer in enumerate(raw):
            key = f"{where}[{index}]"
            if not isinstance(layer, dict):
                self.problem(key, f"must be a table, not {_kind(layer)}")
                ok = False
                continue
            self.unknown_keys(layer, LAYER_KEYS, key)
            units = self.integer(layer, "units", key, 1, MAX_UNITS, required=True)
            activation = self.string(layer, "activation", key, required=True, limit=MAX_NAME)
            if activation is not None and activation not in ACTIVATIONS:
                valid = ", ".join(ACTIVATIONS)
                self.problem(f"{key}.activation",
                             f"unknown activation {activation!r} (valid: {valid})")
                activation = None
            function = ACTIVATIONS.get(activation) if activation is not None else None
            if function is not None and function.output_only and index != len(raw) - 1:
                self.problem(f"{key}.activation",
                             f"{activation} is only allowed on the output layer")
                activation = function = None
            if function is not None and units is not None and units < function.min_units:
                self.problem(f"{key}.units",
                             f"a {activation} layer needs at least {function.min_units} units")
                units = None
            negative_slope = self.negative_slope(layer, key, activation)
            use_bias = self.boolean(layer, "use_bias", key, True)
            shared_bias = self.boolean(layer, "shared_bias", key, False)
            freeze = self.freeze(layer, key)
            if "use_bias" in layer and not use_bias:
                if "bias" in layer:
                    self.problem(f"{key}.bias", "this layer has use_bias = false, so it has no "
                                                "bias to give: remove bias (or use_bias)")
                    ok = False
                if shared_bias:
                    self.problem(f"{key}.shared_bias", "this layer has use_bias = false: there "
                                                       "is no bias to share")
                    ok = False
                if freeze is not None and "bias" in freeze:
                    self.problem(f"{key}.freeze", "this layer has use_bias = false: there is "
                                                  "no bias to freeze")
                    ok = False
            if freeze is None:
                ok = False
            weights = bias = None
            if "weights" in layer and units is not None:
                weights = self.matrix(layer["weights"], f"{key}.weights", units, previous)
                if weights is None:
                    ok = False
            if "bias" in layer and use_bias and units is not None:
                bias = self.layer_bias(layer["bias"], f"{key}.bias", units, shared_bias)
                if bias is None:
                    ok = False
            if units is None or activation is None:
                ok = False
                previous = None
                continue
            specs.append(LayerSpec(units, activation, weights, bias, use_bias,
                                   shared_bias and use_bias, freeze or (), negative_slope))
            previous = units
        return tuple(specs) if ok else None

    def negative_slope(self, layer: dict, key: str, activation: str | None) -> float | None:
        """The layer's ``negative_slope`` (None when absent or bad): a finite number, and only
        on an activation that has that parameter (leaky ReLU)."""
        if "negative_slope" not in layer:
            return None
        slope = self.number(layer, "negative_slope", key)
        function = ACTIVATIONS.get(activation) if activation is not None else None
        if function is not None and "negative_slope" not in function.parameters:
            having = ", ".join(name for name, act in ACTIVATIONS.items()
                               if "negative_slope" in act.parameters)
            self.problem(f"{key}.negative_slope",
                         f"only {having} has a negative_slope; this layer uses {activation}")
            return None
        return slope

    def freeze(self, layer: dict, key: str) -> tuple[str, ...] | None:
        """The layer's ``freeze`` list: () when absent, None (after a problem) when bad."""
        if "freeze" not in layer:
            return ()
        value = layer["freeze"]
        full = f"{key}.freeze"
        allowed = ", ".join(f'"{group}"' for group in FREEZABLE)
        if not isinstance(value, list):
            self.problem(full, f"must be a list of parameter groups ({allowed}), not "
                               f"{_kind(value)}")
            return None
        for position, item in enumerate(value):
            if not isinstance(item, str) or item not in FREEZABLE:
                shown = repr(item) if isinstance(item, str) and len(item) <= MAX_NAME \
                    else _kind(item)
                self.problem(f"{full}[{position}]", f"{shown} is not a parameter group "
                                                    f"(known: {allowed})")
                return None
        if len(set(value)) != len(value):
            self.problem(full, "names a parameter group twice")
            return None
        return tuple(group for group in FREEZABLE if group in value)

    def layer_bias(self, value: Any, full: str, units: int,
                   shared: bool) -> tuple[float, ...] | None:
        """A layer's bias: a list of one value per unit, or with ``shared`` one number."""
        if shared:
            if isinstance(value, list):
                self.problem(full, "with shared_bias = true the bias is one number for the "
                                   "whole layer (bias = 0.35), not a list")
                return None
            number, why = _to_float(value)
            if number is None:
                self.problem(full, why)
                return None
            if abs(number) > MAX_MAGNITUDE:
                self.problem(full, f"is {number}; keep values within ±{MAX_MAGNITUDE:g}")
                return None
            return (number,)
        if not isinstance(value, list) and _to_float(value)[0] is not None:
            self.problem(full, f"is one number, but a layer's bias has one value per unit "
                               f"({units}: bias = [...]); for one bias added to every unit, "
                               "add shared_bias = true")
            return None
        return self.vector(value, full, units)

    def matrix(self, value: Any, full: str, rows: int, columns: int | None):
        if not isinstance(value, list):
            self.problem(full, f"must be a list of rows (units × fan-in), not {_kind(value)}")
            return None
        if len(value) != rows:
            self.problem(full, f"has {len(value)} rows; it needs {rows} (one per unit)")
            return None
        matrix = []
        for index, row in enumerate(value):
            vector = self.vector(row, f"{full}[{index}]", columns)
            if vector is None:
                return None
            matrix.append(vector)
        return tuple(matrix)

    def network(self, raw: dict, where: str = "network") -> NetworkSpec | None:
        self.unknown_keys(raw, NETWORK_KEYS, where)
        inputs = self.names(raw, "inputs", where, MAX_INPUTS)
        outputs = self.names(raw, "outputs", where, MAX_UNITS)
        loss = self.loss_name(raw, where, required=True)
        learning_rate = self.number(raw, "learning_rate", where, required=True, positive=True)
        reduction = self.reduction(raw, where) or "mean"
        seed = self.integer(raw, "seed", where, 0, 2**32 - 1)
        layers = None
        if "layers" not in raw:
            self.problem(f"{where}.layers", "missing: add at least one [[network.layers]] table")
        else:
            layers = self.layers(raw["layers"], f"{where}.layers", len(inputs) if inputs else None)
        if (inputs is None or outputs is None or loss is None or learning_rate is None
                or layers is None):
            return None
        spec = NetworkSpec(inputs, outputs, loss, learning_rate, layers, reduction, seed or 0)
        return spec if self.network_fits(spec, where) else None

    def loss_name(self, raw: dict, where: str, required: bool) -> str | None:
        loss = self.string(raw, "loss", where, required=required, limit=MAX_NAME)
        if loss is not None and loss not in LOSSES:
            meant = loss_called(loss)
            hint = f'; {loss!r} is what sources call {meant.name}: loss = "{meant.name}"' \
                if meant is not None else ""
            self.problem(f"{where}.loss",
                         f"unknown loss {loss!r} (valid: {', '.join(LOSSES)}){hint}")
            return None
        return loss

    def reduction(self, raw: dict, where: str) -> str | None:
        reduction = self.string(raw, "reduction", where, limit=MAX_NAME)
        if reduction is not None and reduction not in REDUCTIONS:
            self.problem(f"{where}.reduction",
                         f"unknown reduction {reduction!r} (valid: mean, sum)")
            return None
        return reduction

    def network_fits(self, spec: NetworkSpec, where: str) -> bool:
        ok = True
        last = len(spec.layers) - 1
        if spec.layers[-1].units != len(spec.outputs):
            self.problem(
                f"{where}.outputs",
                f"names {len(spec.outputs)} outputs but the last layer has "
                f"{spec.layers[-1].units} units",
            )
            ok = False
        loss = LOSSES[spec.loss]
        output = spec.layers[-1].activation
        if not loss.accepts_output(output):
            self.problem(f"{where}.loss", f"{loss.name} {loss.requirement} "
                                          f"(network.layers[{last}] uses {output})")
            ok = False
        return ok

    def variants(self, raw: Any, base: NetworkSpec | None,
                 targets: np.ndarray | None = None) -> tuple[Variant, ...]:
        if not isinstance(raw, list):
            self.problem("variants", "must be an array of tables ([[variants]])")
            return ()
        if len(raw) > MAX_VARIANTS:
            self.problem("variants", f"has {len(raw)} variants; the limit is {MAX_VARIANTS}")
            return ()
        found: list[Variant] = []
        seen = {"main"}
        for index, item in enumerate(raw):
            key = f"variants[{index}]"
            if not isinstance(item, dict):
                self.problem(key, f"must be a table, not {_kind(item)}")
                continue
            self.unknown_keys(item, VARIANT_KEYS, key)
            variant_id = self.string(item, "id", key, required=True, limit=MAX_NAME)
            if variant_id is not None and not VARIANT_ID.match(variant_id):
                self.problem(f"{key}.id", "use lowercase letters, digits and underscores, "
                                          "starting with a letter")
                variant_id = None
            elif variant_id in seen:
                self.problem(f"{key}.id", f"{variant_id!r} is already used")
                variant_id = None
            if variant_id is not None:
                # Declared even if the rest of it (or the base network) is bad: steps that name
                # it must not get a second, spurious "no variant" problem for that.
                self.declared_variants.add(variant_id)
            label = self.string(item, "label", key, limit=80)
            learning_rate = self.number(item, "learning_rate", key, positive=True)
            loss = self.loss_name(item, key, required=False)
            reduction = self.reduction(item, key)
            seed = self.integer(item, "seed", key, 0, 2**32 - 1)
            epochs = self.integer(item, "epochs", key, 1, MAX_EPOCHS)
            layers = None
            if "layers" in item and base is not None:
                layers = self.layers(item["layers"], f"{key}.layers", len(base.inputs))
                if layers is None:
                    continue
            if variant_id is None or base is None:
                continue
            seen.add(variant_id)
            spec = NetworkSpec(
                base.inputs,
                base.outputs,
                loss or base.loss,
                learning_rate if learning_rate is not None else base.learning_rate,
                layers if layers is not None else base.layers,
                reduction or base.reduction,
                seed if seed is not None else base.seed,
            )
            if not self.network_fits(spec, key):
                continue
            if loss is not None and LOSSES[loss].has_value != LOSSES[base.loss].has_value:
                # The data's output columns are targets for one and ∂L/∂ŷ for the other.
                self.problem(f"{key}.loss", (
                    f"{loss} cannot share data with network.loss = {base.loss!r}: with loss "
                    "\"none\" the data's output columns are given gradients dL_dy, not targets"))
                continue
            # A variant with its own loss must suit the data's targets too.
            if loss is not None and loss != base.loss and targets is not None \
                    and not LOSSES[loss].targets_suit(targets):
                self.problem(f"{key}.loss",
                             f"{loss} {LOSSES[loss].target_rule}, and data.rows has others")
                continue
            found.append(Variant(variant_id, label or variant_id, spec, epochs))
        return tuple(found)

    def data(self, raw: dict, network: NetworkSpec | None) -> tuple[np.ndarray | None, int]:
        self.unknown_keys(raw, DATA_KEYS, "data")
        if "csv" in raw:
            array = self.csv_data(raw, network)
            if array is None:
                return None, 0
            return self.focused(raw, array, network, "data.targets")
        for key in ("inputs", "targets"):
            if key in raw:
                self.problem(f"data.{key}", "names the columns of a CSV file: use it with "
                                            "csv = \"file.csv\" (rows give the values in order)")
        rows = raw.get("rows")
        if rows is None:
            self.problem("data.rows", "missing: give at least one row of inputs then targets")
            return None, 0
        if not isinstance(rows, list) or not rows:
            self.problem("data.rows", "must be a non-empty list of rows")
            return None, 0
        if len(rows) > MAX_ROWS:
            self.problem("data.rows", f"has {len(rows)} rows; the limit is {MAX_ROWS}")
            return None, 0
        width = len(network.inputs) + len(network.outputs) if network else None
        parsed: list[tuple[float, ...]] = []
        for index, row in enumerate(rows):
            vector = self.vector(row, f"data.rows[{index}]")
            if vector is None:
                return None, 0
            if network is not None and width is not None and len(vector) != width:
                self.problem(
                    f"data.rows[{index}]",
                    f"has {len(vector)} values; each row needs {width} "
                    f"({len(network.inputs)} inputs then {len(network.outputs)} "
                    f"{LOSSES[network.loss].target_name})",
                )
                return None, 0
            if width is None and parsed and len(vector) != len(parsed[0]):
                # Without a valid [network] the rows can still be checked against each other.
                self.problem(f"data.rows[{index}]",
                             f"has {len(vector)} values, but data.rows[0] has {len(parsed[0])}; "
                             "every row needs the same number of values")
                return None, 0
            parsed.append(vector)
        return self.focused(raw, np.array(parsed, dtype=float), network, "data.rows")

    def focused(self, raw: dict, array: np.ndarray, network: NetworkSpec | None,
                key: str) -> tuple[np.ndarray | None, int]:
        """(the rows, data.focus) once the rows are read; the targets checked against the loss."""
        array = array + 0.0  # −0.0 (a "-0" in the file) is 0: no "-0" on screen or in JSON
        focus = self.integer(raw, "focus", "data", 0, len(array) - 1)
        if "focus" in raw and focus is None:
            return None, 0
        if network is not None:
            self.targets_fit(array[:, len(network.inputs):], network, key)
        return array, focus or 0

    def targets_fit(self, targets: np.ndarray, network: NetworkSpec,
                    key: str = "data.rows") -> None:
        loss = LOSSES[network.loss]
        if not loss.targets_suit(targets):
            self.problem(key, f"{loss.name} {loss.target_rule}")

    def csv_data(self, raw: dict, network: NetworkSpec | None) -> np.ndarray | None:
        """The rows of ``[data] csv``: the columns ``inputs`` then ``targets`` of the CSV file
        (a path relative to the lesson file), checked as data.rows are. Problems in the CSV
        file name it and its line; problems of the keys name the lesson file and the key."""
        from nn_tui.lessons.csvdata import decode_csv_bytes, parse_csv_text

        if "rows" in raw:
            self.problem("data.csv", "give the data as rows or as a csv file, not both")
            return None
        name = self.string(raw, "csv", "data", required=True, limit=1000)
        columns = {}
        for key, default in (("inputs", network.inputs if network else None),
                             ("targets", network.outputs if network else None)):
            columns[key] = self.names(raw, key, "data", MAX_INPUTS + MAX_UNITS) \
                if key in raw else default
        inputs, targets = columns["inputs"], columns["targets"]
        if name is None or inputs is None or targets is None:
            return None
        ok = True
        if network is not None:
            for key, names, wanted, what in (("inputs", inputs, network.inputs, "inputs"),
                                             ("targets", targets, network.outputs, "outputs")):
                if len(names) != len(wanted):
                    self.problem(f"data.{key}", (
                        f"names {len(names)} column(s); the network has {len(wanted)} {what} "
                        f"({', '.join(wanted)}): one column per {what[:-1]}, in order"))
                    ok = False
        both = [column for column in inputs if column in targets]
        if both:
            self.problem("data.targets", f"the column {both[0]!r} is named in data.inputs too; "
                                         "a column is an input or a target")
            ok = False
        if not ok:
            return None
        # Relative to the lesson's folder, as a teacher keeps a lesson and its data together;
        # any readable regular file is allowed (a shared data folder, an absolute path).
        path = name if os.path.isabs(name) else os.path.join(os.path.dirname(self.path), name)
        try:
            content = read_lesson_bytes(Path(path), kind="CSV file")
        except LessonError as error:
            self.problem("data.csv", f"{path}: {error.problems[0].message}")
            return None
        text, problem = decode_csv_bytes(content, path)
        if problem is not None or text is None:
            if problem is not None:
                self.problems.append(problem)
            return None
        array, problems, header = parse_csv_text(text, path, inputs, targets, MAX_ROWS,
                                                 MAX_MAGNITUDE)
        self.problems.extend(problems)
        if array is not None:
            self.data_file = name
        if array is None and not problems:  # a column the lesson names is not in the file
            named = [column if len(column) <= MAX_NAME else column[:MAX_NAME - 1] + "…"
                     for column in header if column]
            known = ", ".join(repr(column) for column in named[:12]) or "none"
            if len(named) > 12:
                known += f" and {len(named) - 12} more"
            if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
                known += ("; are its values separated by semicolons or tabs? A CSV file "
                          "separates them by commas")
            for key, names in (("inputs", inputs), ("targets", targets)):
                for index, column in enumerate(names):
                    if column not in header:
                        where = f"data.{key}[{index}]" if key in raw else "data.csv"
                        how = "" if key in raw else (
                            f" (data.{key} is left out, so the columns are named as the "
                            "network's; give data.inputs and data.targets to name others)")
                        self.problem(where, f"no column {column!r} in {path} (its first line "
                                            f"names the columns {known}){how}")
        return array

    def training(self, raw: dict, n_rows: int) -> TrainingSpec:
        self.unknown_keys(raw, TRAINING_KEYS, "training")
        epochs = self.integer(raw, "epochs", "training", 1, MAX_EPOCHS)
        batch_size = self.integer(raw, "batch_size", "training", 1, MAX_ROWS)
        shuffle_seed = self.integer(raw, "shuffle_seed", "training", 0, 2**32 - 1)
        shuffle = self.boolean(raw, "shuffle", "training", True)
        return TrainingSpec(
            epochs if epochs is not None else TrainingSpec.epochs,
            batch_size,
            shuffle_seed or 0,
            shuffle,
        )

    def steps(self, raw: Any, network: NetworkSpec | None, n_rows: int,
              variants: tuple[Variant, ...]) -> tuple[Step, ...]:
        self.losses = {network.loss} if network else set()
        self.losses |= {variant.network.loss for variant in variants}
        if not isinstance(raw, list):
            self.problem("steps", "must be an array of tables ([[steps]])")
            return ()
        if len(raw) > MAX_STEPS:
            self.problem("steps", f"has {len(raw)} steps; the limit is {MAX_STEPS}")
            return ()
        variant_ids = {"main"} | {variant.id for variant in variants} | self.declared_variants
        found = []
        for index, item in enumerate(raw):
            step = self.step(item, f"steps[{index}]", network, n_rows, variant_ids)
            if step is not None:
                found.append(step)
        return tuple(found)

    def step(self, item: Any, key: str, network: NetworkSpec | None, n_rows: int,
             variant_ids: set[str]) -> Step | None:
        if not isinstance(item, dict):
            self.problem(key, f"must be a table, not {_kind(item)}")
            return None
        kind = self.string(item, "kind", key, required=True, limit=MAX_NAME)
        if kind is None:
            return None
        if kind not in STEP_KINDS:
            self.problem(f"{key}.kind",
                         f"unknown step kind {kind!r} (valid: {', '.join(STEP_KINDS)})")
            return None
        before = len(self.problems)
        step_kind = StepKind(kind)
        self.unknown_keys(item, STEP_KEYS[step_kind], key)
        fields: dict[str, Any] = {"kind": step_kind}
        for name in ("title", "text", "prompt", "explanation"):
            value = self.string(item, name, key, limit=MAX_TEXT if name != "title" else 120)
            if value is not None:
                fields[name] = value
        layer_count = len(network.layers) if network else MAX_LAYERS
        if "layer" in item:
            fields["layer"] = self.integer(item, "layer", key, 0, layer_count - 1)
        if "row" in item:
            fields["row"] = self.integer(item, "row", key, 0, max(n_rows - 1, 0))
        fields["batch"] = self.boolean(item, "batch", key, False)
        if network is not None:
            if "x" in item:
                fields["x"] = self.vector(item["x"], f"{key}.x", len(network.inputs))
            if "y" in item:
                fields["y"] = self.vector(item["y"], f"{key}.y", len(network.outputs))
                # A step's own sample obeys the rules of data.rows: its targets must suit the
                # loss of every network it could be traced through.
                if fields["y"] is not None:
                    for loss in sorted(getattr(self, "losses", {network.loss})):
                        if not LOSSES[loss].targets_suit(np.array(fields["y"])):
                            self.problem(f"{key}.y", f"{loss} {LOSSES[loss].target_rule}")
                            break
            if ("x" in item) != ("y" in item):
                given = "dL_dy values" if not LOSSES[network.loss].has_value else "targets"
                self.problem(key, f"a custom sample needs both x (inputs) and y ({given})")
        if ("row" in item) + fields["batch"] + ("x" in item) > 1:
            self.problem(key, "choose one of row, batch or x/y for a step, not several")
        if "use" in item:
            use = self.string(item, "use", key, limit=MAX_NAME)
            if use is not None and use not in variant_ids:
                known = ", ".join(sorted(variant_ids))
                self.problem(f"{key}.use", f"no variant {use!r} (known: {known})")
            fields["use"] = use
        if kind == StepKind.UPDATE:
            fields["apply"] = self.boolean(item, "apply", key, True)
        if kind == StepKind.TRAIN:
            untrainable = sorted(loss for loss in getattr(self, "losses", ())
                                 if not LOSSES[loss].has_value)
            if untrainable:
                self.problem(f"{key}.kind", (
                    'a train step needs a loss to minimise; loss = "none" gives only an '
                    "upstream gradient (dL_dy), so there is nothing to train: use forward, "
                    "backward and update steps"))
            if "epochs" in item:
                fields["epochs"] = self.integer(item, "epochs", key, 1, MAX_EPOCHS)
            if "variants" in item:
                fields["variants"] = self.variant_list(item["variants"], f"{key}.variants",
                                                       variant_ids)
        if kind == StepKind.CHECK:
            self.check(item, key, fields)
        if kind == StepKind.EXPLORE:
            self.explore(item, key, fields)
        if len(self.problems) > before:
            return None
        return Step(**{name: value for name, value in fields.items() if value is not None})

    def variant_list(self, value: Any, full: str, variant_ids: set[str]) -> tuple[str, ...]:
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.problem(full, "must be a non-empty list of variant ids")
            return ()
        if len(value) > MAX_VARIANTS + 1:
            self.problem(full, f"lists {len(value)} variants; there are at most {MAX_VARIANTS + 1}")
            return ()
        for name in value:
            if not self.printable(name, full):
                return ()
            if name not in variant_ids:
                self.problem(full, f"no variant {name!r} (known: {', '.join(sorted(variant_ids))})")
        if len(set(value)) != len(value):
            self.problem(full, "lists a variant twice")
        return tuple(value)

    def answer(self, table: dict, key: str, missing: str) -> str | None:
        """``table``'s ``answer`` (a check's or a mistake's) as expression source: text that
        parses, or a number written as one; None, with a problem, otherwise (``missing`` says
        what the key holds when it is absent)."""
        answer = table.get("answer")
        if answer is None:
            self.problem(f"{key}.answer", f"missing: {missing}")
        elif isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
            self.problem(f"{key}.answer",
                         f"must be text (a trace path) or a number, not {_kind(answer)}")
        elif not isinstance(answer, str) and _to_float(answer)[0] is None:
            self.problem(f"{key}.answer", _to_float(answer)[1])
        elif isinstance(answer, str) and not self.printable(answer, f"{key}.answer"):
            pass
        else:
            source = answer if isinstance(answer, str) else repr(float(answer))
            try:
                parse_expression(source)
                return source
            except ExpressionError as error:
                self.problem(f"{key}.answer", str(error))
        return None

    def check(self, item: dict, key: str, fields: dict[str, Any]) -> None:
        if not fields.get("prompt", "").strip():
            self.problem(f"{key}.prompt", "missing: a check needs the question to ask")
        answer = self.answer(item, key, "a path into the trace, an expression or a number")
        if answer is not None:
            fields["answer"] = answer
        if "tolerance" in item:
            fields["tolerance"] = self.number(item, "tolerance", key, positive=True)
        self.hints(item, key, fields)
        if "choices" in item:
            fields["choices"] = self.choices(item["choices"], f"{key}.choices")
        if "mistakes" in item:
            if "choices" in item:
                self.problem(f"{key}.mistakes", "a multiple-choice check takes no mistakes "
                                                "(they name wrong numbers typed by the learner)")
            else:
                fields["mistakes"] = self.mistakes(item["mistakes"], f"{key}.mistakes")

    def explore(self, item: dict, key: str, fields: dict[str, Any]) -> None:
        """An explore step's goal (a condition in the answer language), editable paths and
        hints. What needs the network in force at the step (the paths resolve, the goal
        evaluates and is not met yet) is checked by ``LessonSession.lint``, which replays."""
        from nn_tui.lessons.explore_goal import GoalError, parse_goal

        if not fields.get("prompt", "").strip():
            self.problem(f"{key}.prompt", "missing: an explore step needs the task to set, "
                                          "e.g. \"Change one weight until ŷ passes 0.5\"")
        goal = item.get("goal")
        if goal is None:
            self.problem(f"{key}.goal", "missing: the condition the learner must reach, "
                                        "e.g. \"output[0] > 0.5\"")
        elif not isinstance(goal, str):
            self.problem(f"{key}.goal", f"must be text (a condition such as "
                                        f"\"output[0] > 0.5\"), not {_kind(goal)}")
        elif self.printable(goal, f"{key}.goal"):
            try:
                parse_goal(goal)
                fields["goal"] = goal
            except GoalError as error:
                self.problem(f"{key}.goal", str(error))
        if "editable" in item:
            fields["editable"] = self.editable(item["editable"], f"{key}.editable")
        self.hints(item, key, fields)

    def editable(self, value: Any, full: str) -> tuple[str, ...] | None:
        """The list of edit paths: its form here; whether each names a number of the step's
        network and data is checked at the step (``explore_goal.editable_problems``)."""
        from nn_tui.lessons.edits import MAX_PATH_LENGTH

        if not isinstance(value, list) or not value:
            self.problem(full, "must be a non-empty list of paths such as \"layers[0].W[0][0]\" "
                               "(leave it out to let the learner change every number)")
            return None
        if len(value) > MAX_EDITABLE:
            self.problem(full, f"lists {len(value)} paths; the limit is {MAX_EDITABLE}")
            return None
        for index, path in enumerate(value):
            if not isinstance(path, str) or not path.strip():
                self.problem(f"{full}[{index}]", f"must be a path such as \"layers[0].b[0]\", "
                                                 f"not {_kind(path)}")
                return None
            if len(path) > MAX_PATH_LENGTH:
                self.problem(f"{full}[{index}]", f"is longer than {MAX_PATH_LENGTH} characters")
                return None
            if not self.printable(path, f"{full}[{index}]"):
                return None
        return tuple(value)

    def hints(self, item: dict, key: str, fields: dict[str, Any]) -> None:
        if "hints" in item:
            hints = item["hints"]
            if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip()
                                                      for h in hints):
                self.problem(f"{key}.hints", "must be a list of non-empty texts")
            elif len(hints) > MAX_HINTS:
                self.problem(f"{key}.hints", f"has {len(hints)} hints; the limit is {MAX_HINTS}")
            elif any(len(hint) > MAX_TEXT for hint in hints):
                self.problem(f"{key}.hints", f"a hint is longer than {MAX_TEXT} characters")
            elif all(self.printable(hint, f"{key}.hints[{number}]")
                     for number, hint in enumerate(hints)):
                fields["hints"] = tuple(hints)

    def mistakes(self, value: Any, full: str) -> tuple[TeacherMistake, ...]:
        """A check's ``mistakes``: a list of tables { answer, feedback, kind? } (see
        docs/lesson-format.md); the answers are checked like ``answer``."""
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_MISTAKES:
            self.problem(full, f"must be a list of 1 to {MAX_MISTAKES} tables "
                               "{ answer = \"...\", feedback = \"...\" }")
            return ()
        found = []
        kinds: set[str] = set()
        for index, entry in enumerate(value):
            key = f"{full}[{index}]"
            if not isinstance(entry, dict):
                self.problem(key, f"must be a table {{ answer = ..., feedback = ... }}, not "
                                  f"{_kind(entry)}")
                continue
            self.unknown_keys(entry, MISTAKE_KEYS, key)
            source = self.answer(entry, key, "the number the mistake gives (a path into the "
                                              "trace, an expression or a number)")
            feedback = self.string(entry, "feedback", key, required=True)
            kind = ""
            if "kind" in entry:
                kind = self.string(entry, "kind", key, limit=MAX_NAME) or ""
                if kind and not MISTAKE_KIND.match(kind):
                    self.problem(f"{key}.kind", f"{kind!r}: use lowercase letters, digits and "
                                                "underscores, starting with a letter")
                    kind = ""
                elif kind in kinds:
                    self.problem(f"{key}.kind", f"{kind!r} names another mistake of this check")
                kinds.add(kind)
            if source is not None and feedback is not None:
                found.append(TeacherMistake(source, feedback, kind))
        return tuple(found)

    def choices(self, value: Any, full: str) -> tuple[Choice, ...]:
        if not isinstance(value, list) or not 2 <= len(value) <= MAX_CHOICES:
            self.problem(full, f"must be a list of 2 to {MAX_CHOICES} tables {{ text, value }}")
            return ()
        found = []
        for index, choice in enumerate(value):
            key = f"{full}[{index}]"
            if not isinstance(choice, dict):
                self.problem(key, "must be a table { text = ..., value = ... }, not "
                                  f"{_kind(choice)}")
                continue
            self.unknown_keys(choice, CHOICE_KEYS, key)
            text = self.string(choice, "text", key, required=True, limit=200)
            number = self.number(choice, "value", key, required=True)
            if text is not None and number is not None:
                found.append(Choice(text, number))
        values = [choice.value for choice in found]
        if len(set(values)) != len(values):
            self.problem(full, "two choices have the same value, so the answer would be ambiguous")
        return tuple(found)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, int) and abs(value) >= 10**15:
        digits = len(str(abs(value)))  # tomllib refuses integers too long for str()
        return f"the number {str(value)[:6]}… ({digits} digits)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"the text {shown!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


_FILE_KINDS = (
    (stat.S_ISDIR, "is a folder, not a {kind}"),
    (stat.S_ISFIFO, "is a named pipe (FIFO), not a {kind}; only regular files are read"),
    (stat.S_ISCHR, "is a device, not a {kind}; only regular files are read"),
    (stat.S_ISBLK, "is a device, not a {kind}; only regular files are read"),
    (stat.S_ISSOCK, "is a socket, not a {kind}; only regular files are read"),
)

UTF8_BOM = b"\xef\xbb\xbf"


def _open_error(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "is a symbolic link that loops (or chains too deep); it leads to no file"
    if error.errno == errno.ENOENT:
        return "cannot read the file: no such file (or a symbolic link to a missing file)"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    return f"cannot read the file: {error.strerror or error}"


def read_lesson_bytes(path: Path, kind: str = "lesson file") -> bytes:
    """The bytes of the lesson file ``path``: a regular file of at most MAX_FILE_BYTES bytes.
    ``kind`` names the file in messages (the CSV file of ``[data] csv`` is read so too).

    Opens without blocking (a FIFO would otherwise wait forever for a writer) and checks what
    was opened, so a folder, pipe, device or socket is refused without reading it; reads at most
    MAX_FILE_BYTES + 1 bytes whatever size the file claims (``/dev/zero`` claims 0).
    Raises LessonError naming the file and the problem.
    """
    display = str(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        if error.errno == errno.EISDIR:
            raise LessonError.single(display, "", f"is a folder, not a {kind}") from None
        raise LessonError.single(display, "", _open_error(error)) from None
    except ValueError:  # a NUL byte in the name
        raise LessonError.single(display, "", "is not a usable file name") from None
    try:
        info = os.fstat(descriptor)
        for test, message in _FILE_KINDS:
            if test(info.st_mode):
                raise LessonError.single(display, "", message.format(kind=kind))
        if not stat.S_ISREG(info.st_mode):
            raise LessonError.single(display, "", "is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise LessonError.single(
                display, "",
                f"is {info.st_size:,} bytes; {kind}s are limited to {MAX_FILE_BYTES:,} bytes")
        chunks = []
        remaining = MAX_FILE_BYTES + 1
        while remaining > 0:
            try:
                chunk = os.read(descriptor, min(remaining, 65536))
            except BlockingIOError:
                raise LessonError.single(display, "", "cannot be read without waiting") from None
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        raw = b"".join(chunks)
    except OSError as error:
        raise LessonError.single(display, "", _open_error(error)) from None
    finally:
        os.close(descriptor)
    if len(raw) > MAX_FILE_BYTES:
        raise LessonError.single(
            display, "", f"is more than {MAX_FILE_BYTES:,} bytes; {kind}s are limited to "
                         f"{MAX_FILE_BYTES:,} bytes")
    return raw


def decode_lesson_bytes(raw: bytes, path: str) -> str:
    """The text of a lesson file: UTF-8 without a byte-order mark. Raises LessonError."""
    if raw.startswith(UTF8_BOM):
        raise LessonError.single(
            path, "", "starts with a UTF-8 byte-order mark (BOM); save the file as UTF-8 "
                      "without BOM", 1)
    # UTF-32's little-endian mark starts with UTF-16's: test it first.
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise LessonError.single(
            path, "", "is UTF-32 text (it starts with a UTF-32 byte-order mark); save it as "
                      "UTF-8", 1)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LessonError.single(
            path, "", "is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as "
                      "UTF-8", 1)
    wide = _wide_encoding(raw)
    if wide:
        raise LessonError.single(
            path, "", f"looks like {wide} text without a byte-order mark (every character "
                      "carries zero bytes); save it as UTF-8", 1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise LessonError.single(
            path, "", f"is not UTF-8 text (byte {error.start} cannot be decoded: "
                      f"0x{raw[error.start]:02x}); save the file as UTF-8", line
        ) from None


def _wide_encoding(raw: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when ``raw`` looks like that encoding without a byte-order mark:
    ASCII text written so has a zero byte beside every character, which UTF-8 text (and TOML,
    which forbids NUL) never has."""
    sample = raw[:4096]
    if len(sample) < 8 or sample.count(0) * 10 < len(sample) * 3:
        return None
    return "UTF-32" if sample.count(0) * 4 >= len(sample) * 3 else "UTF-16"


def _bom_line(text: str) -> int | None:
    """The line of the first byte-order mark (U+FEFF) in ``text``, else None."""
    position = text.find("\ufeff")
    return None if position < 0 else text.count("\n", 0, position) + 1


def _read_text(path: Path) -> str:
    return decode_lesson_bytes(read_lesson_bytes(path), str(path))


def _training_runs(lesson: Lesson, steps: tuple[Step, ...]) -> list[tuple[str, NetworkSpec, int]]:
    """(step key, network, epochs) of every training run the steps start, following ``use``
    the way the session does: an unlisted train continues the network in force."""
    current = lesson.network
    specs = {"main": lesson.network} | {variant.id: variant.network for variant in lesson.variants}
    own_epochs = {variant.id: variant.epochs for variant in lesson.variants}
    runs = []
    for index, step in enumerate(steps):
        if step.use is not None and step.use in specs:
            current = specs[step.use]
        if step.kind != StepKind.TRAIN:
            continue
        default = step.epochs or lesson.training.epochs
        if step.variants:
            for listed in step.variants:
                if listed in specs:
                    runs.append((f"steps[{index}]", specs[listed],
                                 own_epochs.get(listed) or default))
            current = specs.get(step.variants[0], current)
        else:
            runs.append((f"steps[{index}]", current, default))
    return runs


def work_problems(lesson: Lesson, steps: tuple[Step, ...]) -> list[tuple[str, str]]:
    """(key, message) for each work budget the lesson's steps exceed (see the MAX_* budgets)."""
    found = []
    n_rows = len(lesson.rows)
    batch = lesson.training.batch_size
    runs = _training_runs(lesson, steps)
    work = sum(n_rows * epochs * network_parameters(spec) for _, spec, epochs in runs)
    if work > MAX_TRAINING_WORK:
        found.append(("steps", (
            f"training would take {work:,} units of work (data rows × epochs × parameters, "
            f"over every run of every train step); the budget is {MAX_TRAINING_WORK:,}: use "
            "fewer epochs, rows or units")))
    if batch is not None and batch < n_rows:
        batches = sum(epochs * -(-n_rows // batch) for _, _, epochs in runs)
        if batches > MAX_TRAINING_BATCHES:
            found.append(("training.batch_size", (
                f"training would run {batches:,} mini-batches (epochs × batches per epoch, over "
                f"every run); the budget is {MAX_TRAINING_BATCHES:,}: use a larger batch_size "
                "or fewer epochs")))
    specs = {"main": lesson.network} | {variant.id: variant.network for variant in lesson.variants}
    current = lesson.network
    batch_mode = False  # the data selection is sticky, as in the session
    total = 0
    version, last = 0, None
    reported = False
    for index, step in enumerate(steps):
        if step.use is not None and step.use in specs:
            current = specs[step.use]
        if step.kind == StepKind.TRAIN and step.variants:
            current = specs.get(step.variants[0], current)
        if step.x is not None or step.row is not None:
            batch_mode = False
        elif step.batch:
            batch_mode = True
        values = batch_trace_values(current, n_rows if batch_mode else 1)
        # Steps that change neither the weights nor the selection share one trace.
        state = (version, batch_mode, step.x, step.row)
        if state != last:
            total += values
            last = state
        if (step.use is not None or step.kind == StepKind.TRAIN
                or (step.kind == StepKind.UPDATE and step.apply)):
            version += 1
        if batch_mode and values > MAX_BATCH_TRACE_VALUES and not reported:
            reported = True
            found.append((f"steps[{index}].batch" if step.batch else f"steps[{index}]", (
                f"a trace of all {n_rows} rows through this network holds {values:,} "
                f"numbers; the budget is {MAX_BATCH_TRACE_VALUES:,}: trace one row "
                "(row = N) or use fewer rows or units")))
    if total > MAX_REPLAY_VALUES and not reported:
        found.append(("steps", (
            f"replaying the steps keeps {total:,} numbers (the traces of every step, all rows "
            f"for steps in batch mode); the budget is {MAX_REPLAY_VALUES:,}: use fewer batch "
            "steps, rows or units")))
    return found


def _long_number(text: str) -> tuple[str, int | None, int]:
    """(key, line, digits) of the first run of more than 4,300 digits in ``text``, the whole
    numbers Python's int() refuses to read; ("", None, 0) if there is none."""
    match = re.search(r"[0-9_]{4301,}", text)  # one character class: linear time
    if not match:
        return "", None, 0
    line = text.count("\n", 0, match.start()) + 1
    keys = [key for key, number in KeyLocator(text).lines.items() if number == line]
    digits = len(match.group().replace("_", ""))
    return (max(keys, key=len) if keys else ""), line, digits


def parse_lesson_text(text: str, path: str = "<lesson>") -> Lesson:
    """Validate lesson TOML given as text; raises LessonError listing every problem.

    ``path`` names the file in problems, and its folder is where a ``[data] csv`` file is
    looked for (the current folder for a path without one, such as "<lesson>")."""
    if text.startswith("\ufeff"):
        raise LessonError.single(
            path, "", "starts with a UTF-8 byte-order mark (BOM); save the file as UTF-8 "
                      "without BOM", 1)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = None
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if match:
            line = int(match.group(1))
            message = message[: match.start()].strip()
        # A byte-order mark is invisible in an editor; where TOML trips on one (outside a
        # string: in a key, between statements), name it rather than "Invalid statement".
        bom = _bom_line(text)
        if bom is not None:
            raise LessonError.single(
                path, "", f"holds a byte-order mark (BOM, U+FEFF) at line {bom}, where TOML "
                          f"cannot read it ({message}); delete it (save as UTF-8 without BOM)",
                bom) from None
        raise LessonError.single(path, "", f"TOML syntax error: {message}", line) from None
    except RecursionError:
        raise LessonError.single(path, "", "nesting is too deep to be a lesson file") from None
    except ValueError as error:
        # tomllib parses integers with int(), which refuses more than 4,300 digits.
        if "digits" in str(error):
            key, line, digits = _long_number(text)
            raise LessonError.single(
                path, key, f"a whole number of {digits:,} digits, far too large to be a number",
                line) from None
        raise LessonError.single(path, "", f"cannot be read as TOML: {error}") from None
    except MemoryError:
        raise LessonError.single(path, "", "is too large to read") from None
    if _depth(data) > MAX_NESTING:
        raise LessonError.single(
            path, "", f"values are nested more than {MAX_NESTING} levels deep"
        )

    v = _Validator(path, text)
    v.unknown_keys(data, TOP_KEYS, "")
    meta = v.table(data, "lesson", "")
    lesson_id = title = summary = None
    order = None
    sources: tuple[str, ...] = ()
    if meta is not None:
        v.unknown_keys(meta, LESSON_KEYS, "lesson")
        v.format_version(meta)
        lesson_id = v.string(meta, "id", "lesson", required=True, limit=MAX_NAME * 2)
        if lesson_id is not None and not LESSON_ID.match(lesson_id):
            v.problem("lesson.id", f"{lesson_id!r}: use lowercase letters, digits and dashes")
            lesson_id = None
        title = v.string(meta, "title", "lesson", required=True, limit=120)
        summary = v.string(meta, "summary", "lesson", limit=1000) or ""
        order = v.integer(meta, "order", "lesson", 0, 10_000)
        sources = v.texts(meta, "sources", "lesson", MAX_SOURCES, MAX_SOURCE)

    network_raw = v.table(data, "network", "")
    network = v.network(network_raw) if network_raw is not None else None

    rows, focus = None, 0
    data_raw = v.table(data, "data", "")
    if data_raw is not None:
        rows, focus = v.data(data_raw, network)

    training = TrainingSpec()
    training_raw = v.table(data, "training", "", required=False)
    if training_raw is not None:
        training = v.training(training_raw, len(rows) if rows is not None else 0)

    variants: tuple[Variant, ...] = ()
    if "variants" in data:
        targets = rows[:, len(network.inputs):] if rows is not None and network else None
        variants = v.variants(data["variants"], network, targets)

    steps: tuple[Step, ...] = ()
    if "steps" in data:
        steps = v.steps(data["steps"], network, len(rows) if rows is not None else 0, variants)

    if v.problems:
        raise LessonError(path, _capped(v.problems, path))
    # Without problems every required part was read (each missing one is a problem).
    assert lesson_id is not None and title is not None
    assert network is not None and rows is not None
    lesson = Lesson(
        id=lesson_id,
        title=title,
        path=path,
        network=network,
        rows=rows,
        summary=summary or "",
        focus=focus,
        training=training,
        steps=steps,
        variants=variants,
        order=order,
        sources=sources,
        data_file=v.data_file,
    )
    # The generated walk-through trains too: budget the steps the learner will get.
    from nn_tui.lessons.walkthrough import generated_steps

    for key, message in work_problems(lesson, lesson.steps or generated_steps(lesson)):
        v.problem(key, message)
    if v.problems:
        raise LessonError(path, _capped(v.problems, path))
    return lesson


# A file with thousands of bad keys gets the first problems and a count, not thousands of lines.
MAX_PROBLEMS = 50


def _capped(problems: list[Problem], path: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem(path, "", f"... and {more:,} more problems")]


def load_lesson(path: str | Path) -> Lesson:
    """Read and validate one lesson file; raises LessonError naming the file, key and problem."""
    path = Path(path)
    return parse_lesson_text(_read_text(path), str(path))
