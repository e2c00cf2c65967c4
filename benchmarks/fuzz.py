#!/usr/bin/env python3
"""Fuzz the lesson pipeline: mutated bundled lessons through ``check``, ``trace --json`` and ``train``.

Usage::

    python benchmarks/fuzz.py --cases 100000 --workers 2 --out /tmp/fuzz-out
    python benchmarks/fuzz.py --seconds 600            # a time budget instead of a case count

Each case is a bundled lesson (lessons/*.toml) with one to three mutations drawn by Hypothesis:
mostly at the TOML-document level (parse with tomllib, change the dict, write it back with
tomli-w) and sometimes on the raw bytes (truncation, BOMs, raw control bytes, duplicated lines,
number literals no writer would produce). The case is written to a file and, in a forked child
process, run IN-PROCESS through ``nn_tui.cli.main`` four times::

    check PATH
    trace PATH --json
    train PATH --json --epochs 3
    trace PATH                       (the worked text, where lesson text meets the terminal)

(the file's TOML parsed once per child: each command gets its own copy of the document, see
``_parse_each_text_once``) and classified:

ok / refused          exit 0 / exit 2 with a message (the good outcomes)
TRACEBACK             an exception escaped ``main``, or an exit status other than 0 and 2
HANG                  one command ran longer than --timeout seconds (default 10); the child is killed
MEMORY                a command grew the process by more than --memory-mb (default 500 MB resident), or ran out
                      of its address-space limit (MemoryError)
ACCEPT-THEN-CRASH     ``check`` exited 0 but a ``trace`` or ``train`` then failed (any non-zero
                      exit, traceback or hang): check promised the lesson works
NON-STRICT-JSON       a ``--json`` output that a strict parser rejects (NaN, Infinity, ...)
CONTROL-BYTES         stdout/stderr holding control characters other than newline and tab
                      (C0, DEL and C1), which a terminal would act on
SILENT-REFUSAL        exit 2 with nothing printed
CRASH                 the child died from a signal other than our own timeout kill

Generation is deterministic for a given ``--seed`` (Hypothesis with a fixed seed, no example
database). The run stops by itself after ``--cases`` cases or ``--seconds`` seconds, whichever
comes first. At the end it prints a summary table and saves, per failure class, up to 5
reproducers (the smallest case of each distinct fault signature, shrunk line by line within
``--shrink-seconds``) as ``.toml`` files with a ``.txt`` beside each (what was mutated, the
commands, the traceback). The exit status is 1 if any failure class is non-empty, else 0.
"""

from __future__ import annotations

import os

# One BLAS thread per child: the machine is shared, and forking a process whose BLAS pool is
# running is asking for trouble. Must be set before NumPy is imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse
import contextlib
import copy
import datetime
import gc
import hashlib
import io
import json
import math
import re
import resource
import selectors
import shutil
import signal
import sys
import tempfile
import time
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout: test this tree, not an installed copy
    sys.path.insert(0, str(REPO))

try:
    import tomli_w
except ImportError:  # pragma: no cover - the test extra installs it
    sys.exit("benchmarks/fuzz.py needs tomli-w: pip install tomli-w (or pip install -e '.[test]')")

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

FAILURE_CLASSES = (
    "TRACEBACK", "HANG", "MEMORY", "ACCEPT-THEN-CRASH", "NON-STRICT-JSON", "CONTROL-BYTES",
    "SILENT-REFUSAL", "CRASH",
)
GOOD_CLASSES = ("ok", "refused")
COMMAND_NAMES = ("check", "trace", "train", "trace-text")
REPRODUCERS_PER_CLASS = 5
CHUNK = 500  # examples per Hypothesis run: bounds the memory of its example tree

# C0 controls except \t and \n, DEL, and C1 controls: a terminal acts on all of them.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# =============================================================================================
# Mutations
# =============================================================================================

# Keys the lesson format knows, per kind of table (a copy of docs/lesson-format.md, so a key the
# validator forgot is still tried).
KNOWN_KEYS = {
    "top": ["lesson", "network", "data", "training", "steps", "variants"],
    "lesson": ["id", "title", "summary", "order"],
    "network": ["inputs", "outputs", "loss", "learning_rate", "reduction", "seed", "layers"],
    "layer": ["units", "activation", "weights", "bias"],
    "data": ["rows", "focus"],
    "training": ["epochs", "batch_size", "shuffle_seed"],
    "variant": ["id", "label", "learning_rate", "loss", "reduction", "seed", "epochs", "layers"],
    "step": ["kind", "title", "text", "layer", "row", "batch", "x", "y", "use", "apply", "prompt",
             "answer", "tolerance", "hints", "explanation", "choices", "epochs", "variants",
             "goal", "editable"],
    "choice": ["text", "value"],
}
STEP_KINDS = ["text", "forward", "loss", "backward", "update", "check", "train", "explore"]
# Edit paths of explore steps (nn_tui.lessons.edits), right and wrong.
EDIT_PATHS = ["layers[0].W[0][0]", "layers[-1].b[-1]", "layers[9].b[0]", "layers[0].W[0]",
              "x[0]", "x[0][0]", "y[-1]", "y[99]", "learning_rate", "η", "output[0]", "",
              "layers[0].W[0][0]" * 20, "x[ 0 ]", "layers[0].b[-9]"]
ACTIVATIONS = ["identity", "relu", "sigmoid", "tanh", "softmax"]
LOSSES = ["mse", "half_sse", "bce", "cross_entropy"]

SPECIAL_NUMBERS = [
    1e308, -1e308, 1.7976931348623157e308, math.inf, -math.inf, math.nan, -0.0, 0.0,
    10**400, -(10**400), 10**320, 10**5000 - 1, 2**63, 2**64, -(2**63) - 1, 2**32, 2**32 - 1,
    5e-324, 1e-320, 1e6, 1e6 + 1, -1e6 - 1, 1e7, 1e15, 0, -1, 1, 2, 0.5, 9, 13, 65, 401, 10_001,
    100_000, 100_001, 1_000_001,
]
UNICODE_PIECES = [
    "e\u0301" * 40, "Z\u0351\u0352\u0357\u0358\u0359\u035a\u035b" * 10, "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u200b", "\u200d",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", "\U0001f9e0" * 60, "\ufeff",
    "\u2028", "\u2029", "\uff37\uff29\uff24\uff25", "\u6f22\u5b57" * 30, "\U0010ffff", "\ufffd",
    "\u0301", "[bold]x[/bold]", "[/notes/week2]", "The weight W[i][j]", "[link=file:///etc]x[/link]",
    "[", "]", "\\", '"""', "'''", "{0}", "%s%n", "$(id)", "\u00a0", "\u3000", "\u0085",
]
CONTROL_PIECES = [
    "\x1b]2;HIJACKED\x1b\\", "\x1b[2J", "\x1b[31m", "\x1b", "\x00", "\r", "\r\n", "\x07", "\x08",
    "\x7f", "\x9b31m", "\x1bc", "\x0c", "\x0b", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
]
ANSWER_HOSTILE = [
    "layers[1e999]", "round(loss, 1e999)", "sum(1e308, 1e308)", "layers[0].z[0/0]",
    "layers[" + "9" * 400 + "]", "1" + "0" * 400, "exp(1e308)", "ln(0)", "sqrt(-1)", "(-8)^(1/3)",
    "2^99999", "10^400", "1e308*10", "round(loss, -1e999)", "round(1e308, 400)",
    "round(loss, 99999999999)", "argmax()", "max()", "len(1)", "(" * 41 + "1" + ")" * 41,
    "-" * 450 + "1", "layers[-1].z[-1]", "layers[0.5].z[0]", "layers[nan]", "loss^loss^loss^loss",
    "tanh(1e999)", "sigmoid(-1e999)", "0^-1", "1/0", "0/0", "training.x.loss", "after.after.loss",
    "__class__", "layers[0].__dict__", "inf", "nan", "mean(layers[0].W)", "sum(training)",
    "argmin(training.tiny.loss)", "1 ** 1e999", "9**9**9**9", "layers[1].z[0]", "layers[7].a[0]",
    "grads[0].W[0][0]", "grads[9].dL_dz[0]", "output[99]", "y[-1]", "x[1e308]", "round(1e999, 2)",
    "mean()", "sum(layers)", "abs(layers[0])", "len(loss)", "1" * 501, "layers[0].W[0][0" ,
    "exp(exp(exp(10)))", "-1e308 - 1e308", "1e308 + 1e308 - 1e308", "sigmoid(nan)",
    "max(1e999, -1e999)", "argmax(layers[0].z, 1e999)",
]
ANSWER_ROOTS = ["layers", "grads", "after.layers", "output", "y", "x", "loss", "after.loss",
                "training.main.loss", "after.output"]
ANSWER_FIELDS = ["z", "a", "W", "b", "dL_dz", "dL_da", "da_dz", ""]
INDEX_LITERALS = ["0", "1", "-1", "99", "1e999", "1e308", "0.5", "9" * 30, "2^63", "0/0", "-0"]
FUNCTION_NAMES = ["abs", "sign", "exp", "ln", "log", "sqrt", "sigmoid", "relu", "tanh", "round",
                  "max", "min", "sum", "mean", "argmax", "argmin", "len", "foo", "eval"]


def _number():
    return st.one_of(
        st.sampled_from(SPECIAL_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.integers(min_value=-(10**6), max_value=10**6),
    )


def _text():
    piece = st.one_of(
        st.sampled_from(UNICODE_PIECES),
        st.sampled_from(CONTROL_PIECES),
        st.text(st.characters(codec="utf-8"), max_size=20),
    )
    return st.one_of(
        piece,
        st.lists(piece, min_size=1, max_size=4).map("".join),
        st.text(st.characters(codec="utf-8"), max_size=60),
        st.sampled_from([20_000, 20_001, 1000, 1001, 120, 121, 200, 201, 41, 81]).map(lambda n: "x" * n),
    )


def _value():
    """Any TOML value, to replace another of (usually) a different type."""
    leaf = st.one_of(
        _number(), st.booleans(), _text(),
        st.sampled_from([datetime.date(2020, 1, 1), datetime.time(12, 30),
                         datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
                         datetime.datetime(1979, 5, 27, 7, 32)]),
    )
    return st.one_of(
        leaf,
        st.just({}), st.just([]),
        st.lists(leaf, max_size=4),
        st.lists(st.lists(_number(), max_size=3), max_size=3),
        st.dictionaries(st.sampled_from(["a", "units", "x", "kind", "text", "value"]), leaf, max_size=2),
    )


def _answer():
    index = st.sampled_from(INDEX_LITERALS)
    path = st.builds(
        lambda root, i, fld, j: (f"{root}[{i}]" if root in ("layers", "grads", "after.layers") else root)
        + (f".{fld}[{j}]" if fld and root in ("layers", "grads", "after.layers") else ""),
        st.sampled_from(ANSWER_ROOTS), index, st.sampled_from(ANSWER_FIELDS), index,
    )
    call = st.builds(
        lambda name, args: f"{name}({', '.join(args)})",
        st.sampled_from(FUNCTION_NAMES),
        st.lists(st.one_of(path, st.sampled_from(INDEX_LITERALS + ["1e999", "-1e999", "1e308"])),
                 max_size=3),
    )
    return st.one_of(
        st.sampled_from(ANSWER_HOSTILE),
        path,
        call,
        st.builds(lambda a, op, b: f"{a} {op} {b}", st.one_of(path, call),
                  st.sampled_from(["+", "-", "*", "/", "^", "**", "<", "==", "·", "−"]),
                  st.one_of(path, call, st.sampled_from(INDEX_LITERALS))),
        st.text(alphabet="layersgradoutpm[]().0123456789eE+-*/^,<>= _", max_size=80),
        _number(),
    )


Path_ = tuple  # a path into the document: keys and list indices


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple[tuple, Any]]:
    """Every node of the document (containers included), with its path."""
    found = [(prefix, doc)]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found.extend(_paths(value, prefix + (key,)))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found.extend(_paths(value, prefix + (index,)))
    return found


def _get(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _table_kind(path: tuple) -> str:
    """Which table of the lesson format a dict at this path is (for its known keys)."""
    names = [part for part in path if isinstance(part, str)]
    if not path:
        return "top"
    if names[-1:] == ["choices"]:
        return "choice"
    if names[-1:] == ["layers"]:
        return "layer"
    if names == ["steps"]:
        return "step"
    if names == ["variants"]:
        return "variant"
    return names[-1] if names[-1] in KNOWN_KEYS else "top"


def _plausible(key: str, doc: dict):
    """Values that get past the type check of a key, to reach the checks behind it."""
    variant_ids = [v.get("id") for v in doc.get("variants", []) if isinstance(v, dict)]
    choices = {
        "kind": st.sampled_from(STEP_KINDS + ["Check", "nope", ""]),
        "activation": st.sampled_from(ACTIVATIONS + ["gelu", "Sigmoid"]),
        "loss": st.sampled_from(LOSSES + ["hinge"]),
        "reduction": st.sampled_from(["mean", "sum", "median"]),
        "use": st.sampled_from([str(v) for v in variant_ids] + ["main", "nope"]),
        "variants": st.lists(st.sampled_from([str(v) for v in variant_ids] + ["main", "nope"]),
                             max_size=9),
        "answer": _answer(),
        "goal": st.one_of(_answer(), st.builds(lambda a, op, b: f"{a} {op} {b}", _answer(),
                                               st.sampled_from(["<", ">", "<=", ">=", "!="]),
                                               _answer())),
        "editable": st.lists(st.sampled_from(EDIT_PATHS), max_size=4) | _value(),
        "row": st.sampled_from([0, 1, -1, 3, 4, 10_000, 2**63]),
        "layer": st.sampled_from([0, 1, 2, -1, 8, 9]),
        "epochs": st.sampled_from([1, 0, -1, 100_000, 100_001, 10**400]),
        "batch_size": st.sampled_from([1, 0, 2, 10_000, 10_001]),
        "units": st.sampled_from([1, 2, 0, 64, 65, -1]),
        "x": st.lists(_number(), max_size=4) | st.lists(st.sampled_from([0.0, 1.0, 5.0, -3.0]), max_size=4),
        "y": st.lists(_number(), max_size=4) | st.lists(st.sampled_from([0.0, 1.0, 5.0, -3.0]), max_size=4),
        "batch": st.booleans(),
        "apply": st.booleans() | _value(),
        "choices": st.lists(st.fixed_dictionaries({"text": _text(), "value": _number()}), max_size=9),
        "hints": st.lists(_text(), max_size=11),
        "tolerance": _number(),
        "seed": st.sampled_from([0, 1, 2**32 - 1, 2**32, -1]),
        "learning_rate": _number(),
    }
    return choices.get(key, _value())


# -- document-level operations: each takes (data, doc) and returns (doc, description) ----------


def op_swap_type(data, doc):
    paths = _paths(doc)[1:]
    path, _ = data.draw(st.sampled_from(paths))
    return _set(doc, path, data.draw(_value())), f"swap {_show(path)} for another value"


def op_special_number(data, doc):
    numbers = [p for p, v in _paths(doc) if _is_number(v)]
    if not numbers:
        return op_swap_type(data, doc)
    path = data.draw(st.sampled_from(numbers))
    value = data.draw(_number())
    return _set(doc, path, value), f"number {_show(path)} = {_short(value)}"


def op_resize(data, doc):
    lists = [p for p, v in _paths(doc) if isinstance(v, list)]
    if not lists:
        return op_swap_type(data, doc)
    path = data.draw(st.sampled_from(lists))
    items = _get(doc, path)
    size = data.draw(st.sampled_from([0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 41, 63, 64, 65, 100,
                                      399, 400, 401, 1000, 9_999, 10_000, 10_001]))
    if items:
        grown = [copy.deepcopy(items[i % len(items)]) if isinstance(items[i % len(items)], (dict, list))
                 else items[i % len(items)] for i in range(size)]
    else:
        grown = [data.draw(_number()) for _ in range(min(size, 3))]
    return _set(doc, path, grown), f"resize {_show(path)} to {size} items"


def op_nest(data, doc):
    paths = _paths(doc)[1:]
    path, value = data.draw(st.sampled_from(paths))
    depth = data.draw(st.sampled_from([1, 2, 11, 12, 13, 30, 200]))
    as_table = data.draw(st.booleans())
    for _ in range(depth):
        value = {"a": value} if as_table else [value]
    return _set(doc, path, value), f"nest {_show(path)} {depth} deep in {'tables' if as_table else 'arrays'}"


def op_text(data, doc):
    strings = [p for p, v in _paths(doc) if isinstance(v, str)]
    if not strings:
        return op_swap_type(data, doc)
    path = data.draw(st.sampled_from(strings))
    old = _get(doc, path)
    piece = data.draw(st.one_of(st.sampled_from(CONTROL_PIECES), st.sampled_from(UNICODE_PIECES), _text()))
    where = data.draw(st.sampled_from(["replace", "prefix", "suffix", "middle"]))
    new = {"replace": piece, "prefix": piece + old, "suffix": old + piece,
           "middle": old[: len(old) // 2] + piece + old[len(old) // 2:]}[where]
    return _set(doc, path, new), f"text {_show(path)} {where} {piece[:40]!r}"


def op_delete(data, doc):
    keys = [p for p, _ in _paths(doc) if p and isinstance(p[-1], str)]
    items = [p for p, _ in _paths(doc) if p and isinstance(p[-1], int)]
    pool = keys + items
    if not pool:
        return doc, "nothing to delete"
    path = data.draw(st.sampled_from(pool))
    del _get(doc, path[:-1])[path[-1]]
    return doc, f"delete {_show(path)}"


def op_duplicate_item(data, doc):
    lists = [p for p, v in _paths(doc) if isinstance(v, list) and v]
    if not lists:
        return op_swap_type(data, doc)
    path = data.draw(st.sampled_from(lists))
    items = _get(doc, path)
    index = data.draw(st.integers(0, len(items) - 1))
    items.insert(index, copy.deepcopy(items[index]))
    return doc, f"duplicate {_show(path + (index,))}"


def op_set_key(data, doc):
    tables = [p for p, v in _paths(doc) if isinstance(v, dict)]
    path = data.draw(st.sampled_from(tables))
    kind = _table_kind(path)
    key = data.draw(st.sampled_from(KNOWN_KEYS[kind] + ["extra", "Kind", "units ", "\x1b[2J",
                                                        "\x1b]2;HIJACKED\x07", "\u202ekey", "k\x00"]))
    value = data.draw(st.one_of(_plausible(key, doc), _value()) if data.draw(st.booleans())
                      else _plausible(key, doc))
    _get(doc, path)[key] = value
    return doc, f"set {_show(path + (key,))} = {_short(value)}"


def op_answer(data, doc):
    steps = [s for s in doc.get("steps", []) if isinstance(s, dict)] if isinstance(doc.get("steps"), list) else []
    if not steps:
        return op_swap_type(data, doc)
    checks = [i for i, s in enumerate(doc["steps"]) if isinstance(s, dict) and "answer" in s]
    index = data.draw(st.sampled_from(checks)) if checks and data.draw(st.booleans()) else \
        data.draw(st.integers(0, len(doc["steps"]) - 1))
    step = doc["steps"][index]
    if not isinstance(step, dict):
        return doc, "answer: not a table"
    step["kind"] = "check"
    step.setdefault("prompt", "What is it?")
    for key in ("apply",):
        step.pop(key, None)
    answer = data.draw(_answer())
    step["answer"] = answer
    if data.draw(st.booleans()) and "choices" in step:
        del step["choices"]
    return doc, f"steps[{index}].answer = {_short(answer)}"


def op_network(data, doc):
    """A network that passes the shape checks: many layers/units, odd loss/activation pairs."""
    net = doc.get("network")
    if not isinstance(net, dict):
        return op_swap_type(data, doc)
    outputs = net.get("outputs") if isinstance(net.get("outputs"), list) else ["y"]
    depth = data.draw(st.sampled_from([1, 2, 3, 8, 9]))
    units = data.draw(st.sampled_from([1, 2, 8, 64, 65]))
    hidden = data.draw(st.sampled_from(ACTIVATIONS[:4]))
    last = data.draw(st.sampled_from(ACTIVATIONS))
    layers = [{"units": units, "activation": hidden} for _ in range(depth - 1)]
    layers.append({"units": len(outputs), "activation": last})
    net["layers"] = layers
    net["loss"] = data.draw(st.sampled_from(LOSSES))
    net.setdefault("seed", 1)
    doc.pop("variants", None)
    return doc, f"network {depth} layers × {units} ({hidden}, {last}), loss {net['loss']}"


def op_overflow(data, doc):
    """Scale the weights, biases and inputs (within the ±1e6 limit) and raise η: numbers blow up."""
    factor = data.draw(st.sampled_from([1e3, 1e5, 1e6, -1e6, 1e-300]))
    rate = data.draw(st.sampled_from([1e6, 1e5, 1e3, 1e-300, 5e-324]))
    clip = data.draw(st.sampled_from([True, True, True, False]))
    identity = data.draw(st.booleans())
    net = doc.get("network") if isinstance(doc.get("network"), dict) else {}
    inputs = len(net.get("inputs", [])) if isinstance(net.get("inputs"), list) else 0

    def scaled(value):
        if not _is_number(value):
            return value
        try:
            value = value * factor
        except OverflowError:  # an int beyond any float
            return value
        return max(-1e6, min(1e6, value)) if clip else value

    for path, value in _paths(doc):
        names = [p for p in path if isinstance(p, str)]
        if not names:
            continue
        if names[-1] in ("weights", "bias", "x") and isinstance(value, list):
            _set(doc, path, [[scaled(v) for v in item] if isinstance(item, list) else scaled(item)
                             for item in value])
        elif names[-1] == "rows" and isinstance(value, list) and len(path) == 2:
            _set(doc, path, [[scaled(v) if i < inputs else v for i, v in enumerate(row)]
                             if isinstance(row, list) else row for row in value])
        elif names[-1] == "learning_rate":
            _set(doc, path, rate)
        elif identity and names[-1] == "activation" and value != "softmax":
            _set(doc, path, "identity")
        elif identity and names[-1] == "loss" and value in ("bce", "cross_entropy") :
            _set(doc, path, "half_sse")
    return doc, (f"scale weights/biases/inputs by {factor:g}{' (clipped to ±1e6)' if clip else ''}, "
                 f"η = {rate:g}{', identity activations' if identity else ''}")


def op_blowup(data, doc):
    """The issue's overflowing lesson, on this lesson's inputs: identity layers, weights 1e6, η 1e6."""
    net = doc.get("network")
    if not isinstance(net, dict) or not isinstance(net.get("inputs"), list) \
            or not isinstance(net.get("outputs"), list):
        return op_overflow(data, doc)
    n_in, n_out = len(net["inputs"]), len(net["outputs"])
    depth = data.draw(st.sampled_from([2, 3, 4, 8]))
    hidden = data.draw(st.sampled_from(["identity", "identity", "relu", "tanh", "sigmoid"]))
    big = data.draw(st.sampled_from([1e6, -1e6, 1e3]))
    layers = [{"units": n_in, "activation": hidden,
               "weights": [[big if i == j else 0.0 for j in range(n_in)] for i in range(n_in)],
               "bias": [0.0] * n_in} for _ in range(depth - 1)]
    last = "softmax" if n_out > 1 and data.draw(st.booleans()) else "identity"
    layers.append({"units": n_out, "activation": last,
                   "weights": [[big] * n_in for _ in range(n_out)], "bias": [0.0] * n_out})
    net["layers"] = layers
    net["loss"] = data.draw(st.sampled_from(["half_sse", "mse"] + (["cross_entropy"] if last == "softmax" else [])))
    net["learning_rate"] = data.draw(st.sampled_from([1e6, 1e3, 1.0]))
    doc.pop("variants", None)
    steps = doc.get("steps")
    if isinstance(steps, list):
        if data.draw(st.booleans()):
            doc.pop("steps")
        else:
            for step in steps:
                if isinstance(step, dict):
                    for key in ("use", "variants", "choices"):
                        step.pop(key, None)
    return doc, f"blow-up network: {depth} layers ({hidden}, {last}) weights {big:g}, η {net['learning_rate']:g}"


def op_memory(data, doc):
    """A wide softmax on many rows with batch steps: valid and small on disk, heavy in memory."""
    net = doc.get("network")
    if not isinstance(net, dict) or not isinstance(net.get("inputs"), list):
        return op_overflow(data, doc)
    n_in = len(net["inputs"])
    classes = data.draw(st.sampled_from([16, 64]))
    rows = data.draw(st.sampled_from([1_000, 3_000, 5_000]))
    net["outputs"] = [f"c{i}" for i in range(classes)]
    net["layers"] = [{"units": 64, "activation": "relu"},
                     {"units": classes, "activation": "softmax"}]
    net["loss"] = "cross_entropy"
    net["seed"] = 1
    doc.pop("variants", None)
    doc["data"] = {"rows": [[(r * (i + 3)) % 7 for i in range(n_in)]
                            + [1 if c == r % classes else 0 for c in range(classes)]
                            for r in range(rows)]}
    doc["steps"] = [
        {"kind": "forward", "title": "all rows", "batch": True},
        {"kind": "check", "title": "loss", "prompt": "L?", "answer": "loss", "batch": True},
        {"kind": "check", "title": "after", "prompt": "L after?", "answer": "after.loss", "batch": True},
        {"kind": "train", "title": "train"},
    ]
    return doc, f"{classes}-way softmax, {rows} rows, batch steps"


def op_work(data, doc):
    """Lots of work within the size limits: many rows, epochs, small batches."""
    rows = doc.get("data", {}).get("rows") if isinstance(doc.get("data"), dict) else None
    if isinstance(rows, list) and rows:
        count = data.draw(st.sampled_from([100, 2_000, 10_000]))
        doc["data"]["rows"] = [rows[i % len(rows)] for i in range(count)]
    training = doc.setdefault("training", {})
    if isinstance(training, dict):
        training["epochs"] = data.draw(st.sampled_from([1_000, 100_000]))
        training["batch_size"] = data.draw(st.sampled_from([1, 2]))
    return doc, "lots of work (rows, epochs, batch_size)"


DOC_OPS: list[tuple[Callable, int]] = [
    (op_swap_type, 6), (op_special_number, 6), (op_resize, 3), (op_nest, 2), (op_text, 5),
    (op_delete, 4), (op_duplicate_item, 2), (op_set_key, 6), (op_answer, 5), (op_network, 2),
    (op_overflow, 2), (op_blowup, 2), (op_work, 1), (op_memory, 1),
]


# -- raw-byte operations: each takes (data, raw bytes) and returns (bytes, description) --------


def raw_truncate(data, raw):
    cut = data.draw(st.integers(0, len(raw)))
    return raw[:cut], f"truncate at byte {cut}"


def raw_bom(data, raw):
    bom = data.draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"]))
    return bom + raw, f"prefix BOM {bom!r}"


def raw_insert_bytes(data, raw):
    at = data.draw(st.integers(0, len(raw)))
    junk = data.draw(st.sampled_from([b"\x00", b"\x1b[2J", b"\r", b"\x7f", b"\x0c", b"\xff",
                                      b"\xc3", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xc2\x9b"]))
    return raw[:at] + junk + raw[at:], f"insert {junk!r} at byte {at}"


def raw_escape(data, raw):
    quotes = [m.start() for m in re.finditer(rb'= "', raw)]
    if not quotes:
        return raw_insert_bytes(data, raw)
    at = data.draw(st.sampled_from(quotes)) + 3
    escape = data.draw(st.sampled_from([rb"\uD800", rb"\uDFFF", rb"\U0010FFFF", rb"\U00110000",
                                        rb"\u001b[2J", rb"\u0000", rb"\r", rb"\u009b", rb"\x41",
                                        rb"\e", rb"\u202e"]))
    return raw[:at] + escape + raw[at:], f"escape {escape.decode()} at byte {at}"


def raw_duplicate_line(data, raw):
    lines = raw.split(b"\n")
    keyed = [i for i, line in enumerate(lines) if re.match(rb"\s*[A-Za-z_]+\s*=", line)]
    if not keyed:
        return raw_truncate(data, raw)
    index = data.draw(st.sampled_from(keyed))
    lines.insert(index + 1, lines[index])
    return b"\n".join(lines), f"duplicate line {index + 1} ({lines[index][:40]!r})"


def raw_number(data, raw):
    numbers = [m.span() for m in re.finditer(rb"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])", raw)]
    if not numbers:
        return raw_truncate(data, raw)
    start, end = data.draw(st.sampled_from(numbers))
    literal = data.draw(st.sampled_from([
        b"1" + b"0" * 320, b"9" * 4301, b"9" * 5000, b"1e309", b"-1e309", b"nan", b"inf", b"-0.0",
        b"0x7fffffffffffffffff", b"1_000", b"1e-400", b"+nan", b"1.7976931348623157e308",
        b"00", b"1__0", b"0b11", b"1979-05-27", b"true", b'"1"', b"[]", b"{}",
    ]))
    return raw[:start] + literal + raw[end:], f"number literal at byte {start} -> {literal[:20]!r}"


def raw_line_endings(data, raw):
    kind = data.draw(st.sampled_from([b"\r\n", b"\r"]))
    return raw.replace(b"\n", kind), f"line endings {kind!r}"


def raw_deep(data, raw):
    depth = data.draw(st.sampled_from([13, 1000, 100_000]))
    kind = data.draw(st.sampled_from(["array", "table"]))
    if kind == "array":
        extra = b"deep = " + b"[" * depth + b"]" * depth + b"\n"
    else:
        extra = b"deep = " + b"{a = " * depth + b"1" + b"}" * depth + b"\n"
    return extra + raw, f"{depth} nested inline {kind}s"


def raw_size(data, raw):
    target = data.draw(st.sampled_from([999_999, 1_000_000, 1_000_001]))
    pad = max(0, target - len(raw) - 3)
    return raw + b"\n#" + b"x" * pad + b"\n", f"pad to {len(raw) + pad + 3} bytes"


RAW_OPS: list[tuple[Callable, int]] = [
    (raw_truncate, 4), (raw_bom, 2), (raw_insert_bytes, 3), (raw_escape, 3),
    (raw_duplicate_line, 3), (raw_number, 4), (raw_line_endings, 1), (raw_deep, 1), (raw_size, 1),
]


def _weighted(ops):
    return st.sampled_from([op for op, weight in ops for _ in range(weight)])


def _show(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<document>"


def _short(value: Any) -> str:
    with _big_ints():
        text = repr(value)
    return text if len(text) <= 60 else f"{text[:45]}... ({len(text)} chars)"


@contextlib.contextmanager
def _big_ints():
    """Lift Python's int/str digit limit while WE write numbers (never while nn-tui reads them)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


# An array whose items are all on lines of their own ending in a comma, i.e. holds no array or
# table written over several lines: tomli-w writes one item per line; a lesson writes one row.
_INNERMOST_ARRAY = re.compile(r"\[\n((?:[ ]+[^\[\]\s][^\n]*,\n)+)[ ]*\]")


def _compact(text: str) -> str:
    """Write innermost arrays on one line, as people do (``rows`` stay one row per line).

    Only newlines and the comma before the closing bracket go, so the TOML means the same.
    """
    return _INNERMOST_ARRAY.sub(
        lambda m: "[" + ", ".join(line.strip()[:-1] for line in m.group(1).splitlines()) + "]", text)


@dataclass
class Case:
    number: int
    base: str
    content: bytes
    mutations: list[str]


def load_bases() -> list[tuple[str, bytes, dict]]:
    bases = []
    for path in sorted((REPO / "lessons").glob("*.toml")):
        raw = path.read_bytes()
        bases.append((path.name, raw, tomllib.loads(raw.decode("utf-8"))))
    if not bases:
        sys.exit(f"no lessons in {REPO / 'lessons'}")
    return bases


def draw_case(data, bases, number: int) -> Case:
    name, raw, doc = data.draw(st.sampled_from(bases))
    doc = copy.deepcopy(doc)
    mutations: list[str] = []
    level = data.draw(st.sampled_from(["doc"] * 6 + ["raw"] + ["both"]))
    if level in ("doc", "both"):
        for _ in range(data.draw(st.sampled_from([1, 1, 1, 2, 3]))):
            op = data.draw(_weighted(DOC_OPS))
            try:
                doc, description = op(data, doc)
            except Exception as error:  # noqa: BLE001 - e.g. an earlier mutation left no such shape
                # (or a number too big to scale): skip this mutation, never the run
                description = f"{op.__name__} skipped ({type(error).__name__})"
            mutations.append(description)
        if not isinstance(doc, dict):
            doc = {"value": doc}
        try:
            with _big_ints():
                raw = _compact(tomli_w.dumps(doc)).encode("utf-8")
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as error:
            mutations.append(f"not serialisable ({type(error).__name__}); raw lesson used")
    if level in ("raw", "both"):
        for _ in range(data.draw(st.integers(1, 2))):
            op = data.draw(_weighted(RAW_OPS))
            raw, description = op(data, raw)
            mutations.append(description)
    return Case(number, name, raw, mutations)


class _OutOfBudget(Exception):
    """Raised inside the Hypothesis test when the case or time budget is spent."""


def generate_cases(bases, seed_value: int, count: int, budget_end: float,
                   sink: Callable[[Case], None]) -> int:
    """Draw up to ``count`` cases (deterministic for ``seed_value``), handing each to ``sink``.

    Hypothesis runs in chunks of CHUNK examples, each with its own derived seed, so its
    example tree stays small; it is used as a generator only (the outcome is judged elsewhere,
    so nothing is shrunk by Hypothesis). Stops early when ``time.monotonic()`` passes
    ``budget_end``. Returns the number of cases drawn.
    """
    generated = [0]
    seen: set[bytes] = set()  # Hypothesis often revisits an example: run each content once

    def out_of_budget() -> bool:
        return generated[0] >= count or time.monotonic() >= budget_end

    chunk_index = 0
    fruitless = 0
    while not out_of_budget() and fruitless < 3:
        # some slack: a chunk's examples may repeat earlier ones (its first is always the simplest)
        size = min(CHUNK, count - generated[0] + 10)

        @seed(seed_value * 1_000_003 + chunk_index)
        @settings(max_examples=size, database=None, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                  verbosity=Verbosity.quiet)
        @given(st.data())
        def draw(data) -> None:
            case = draw_case(data, bases, generated[0])
            if out_of_budget():
                # An exception ends Hypothesis's run at once. It comes after the drawing: drawing
                # less, depending on outside state, is rejected by Hypothesis as flaky.
                raise _OutOfBudget
            digest = hashlib.blake2b(case.content, digest_size=16).digest()
            if digest in seen:
                return
            seen.add(digest)
            generated[0] += 1
            sink(case)

        before = generated[0]
        try:
            draw()
        except _OutOfBudget:
            break
        chunk_index += 1
        fruitless = fruitless + 1 if generated[0] == before else 0  # nothing new: do not spin
    return generated[0]


# =============================================================================================
# Running a case: a forked child per case, the parent enforces the time limit
# =============================================================================================


def _vm(field_name: str) -> int:
    """A field of /proc/self/status in bytes (VmHWM, VmSize, ...), 0 if unavailable."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _reset_peak() -> None:
    """Reset the process's peak resident size (VmHWM) to its current size (Linux ≥ 4.0)."""
    with contextlib.suppress(OSError):
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")


def _strict_json(text: str) -> str | None:
    """None if ``text`` is strict JSON, else why not."""
    def refuse(constant: str):
        raise ValueError(f"non-standard constant {constant}")
    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as error:
        return str(error)[:200]
    return None


def _signature_of(tb: traceback.TracebackException) -> str:
    """Exception type and the innermost frame inside nn_tui: one fault, many inputs."""
    frames = [f for f in tb.stack if "nn_tui" in f.filename] or list(tb.stack)
    where = ""
    if frames:
        frame = frames[-1]
        where = f" at {frame.filename.split('nn_tui/')[-1]}:{frame.lineno} {frame.name}"
    return f"{tb.exc_type.__name__ if tb.exc_type else '?'}{where}"


def _run_command(argv: list[str]) -> dict:
    """Run ``nn_tui.cli.main(argv)`` here, capturing its output; judge what can be judged here."""
    from nn_tui.cli import main

    _reset_peak()
    # What the command itself takes: a forked child starts with the parent's resident pages
    # (a parent grown by case generation would otherwise flag every case as MEMORY).
    start = _vm("VmRSS")
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    result: dict[str, Any] = {"argv": argv}
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        result["code"] = code
    except SystemExit as exit_:
        result["code"] = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException as error:  # noqa: BLE001 - classifying exactly this
        tb = traceback.TracebackException.from_exception(error, limit=40)
        result["code"] = None
        result["memory_error"] = isinstance(error, MemoryError)
        result["traceback"] = "".join(tb.format())[-6000:]
        result["last_line"] = "".join(tb.format_exception_only()).strip().splitlines()[-1][:300]
        result["signature"] = _signature_of(tb)
    result["seconds"] = round(time.monotonic() - started, 3)
    result["peak"] = max(0, _vm("VmHWM") - start)
    stdout, stderr = out.getvalue(), err.getvalue()
    result["stdout_head"] = stdout[:1500]
    result["stderr_head"] = stderr[-1500:]
    result["printed"] = bool(stdout.strip() or stderr.strip())
    controls = sorted(set(CONTROL.findall(stdout + stderr)))
    if controls:
        result["controls"] = [f"U+{ord(c):04X}" for c in controls]
        sample = CONTROL.search(stdout) or CONTROL.search(stderr)
        text = stdout if CONTROL.search(stdout) else stderr
        result["control_context"] = text[max(0, sample.start() - 60): sample.end() + 60]
    if "--json" in argv and result["code"] == 0:
        problem = _strict_json(stdout)
        if problem:
            result["json_problem"] = problem
            match = re.search(r"\b(NaN|-?Infinity)\b", stdout)
            if match:
                result["json_context"] = stdout[max(0, match.start() - 120): match.end() + 20]
    return result


def _parse_each_text_once() -> None:
    """In a case's child, before its commands: ``tomllib.loads`` parses a text once. The four
    commands read the same case file, so the second to fourth each get a deep copy of the
    document the first got (or raise the same ``TOMLDecodeError``) instead of parsing the same
    bytes again: parsing was about half of a case's CPU, a copy is a sixth of a parse. The
    standard library's parser is deterministic, and each command's own copy keeps what one
    command does to its document from reaching the next. Other errors (a ``RecursionError`` of a
    deep document, ``MemoryError``) are not kept: each command parses again, as it would."""
    parse = tomllib.loads
    parsed: dict[tuple, tuple[Any, Exception | None, Any]] = {}

    def loads(text: str, /, *, parse_float: Callable = float) -> dict:
        key = (text, parse_float)
        if key not in parsed:
            try:
                parsed[key] = (parse(text, parse_float=parse_float), None, None)
            except tomllib.TOMLDecodeError as error:
                parsed[key] = (None, error, error.__traceback__)
        document, error, parser_frames = parsed[key]
        if error is not None:
            # with the parser's frames, as if parsed here (not also the earlier command's)
            raise error.with_traceback(parser_frames)
        try:
            return copy.deepcopy(document)
        except RecursionError:  # nested deeper than a copy can go: parse it again
            return parse(text, parse_float=parse_float)

    tomllib.loads = loads


def _child(path: str, epochs: int, memory_limit: int, write_fd: int) -> None:
    """Runs in the forked child: the four commands, one JSON line per event on ``write_fd``."""
    try:
        _parse_each_text_once()
        # Stray writes to the real file descriptors (C code, warnings) must not reach our terminal.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        size = _vm("VmSize")
        if size:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_AS, (size + 2 * memory_limit, size + 2 * memory_limit))
        commands = [
            ["check", path],
            ["trace", path, "--json"],
            ["train", path, "--json", "--epochs", str(epochs)],
            ["trace", path],  # the worked text: where lesson text reaches the terminal
        ]
        for index, argv in enumerate(commands):
            os.write(write_fd, (json.dumps({"start": index}) + "\n").encode())
            result = _run_command(argv)
            line = json.dumps({"done": index, "result": result}, ensure_ascii=True) + "\n"
            os.write(write_fd, line.encode())
    except BaseException:  # noqa: BLE001 - the harness itself failed: say so, never hang
        with contextlib.suppress(Exception):
            os.write(write_fd, (json.dumps({"harness_error": traceback.format_exc()}) + "\n").encode())
    finally:
        os._exit(0)


@dataclass
class Running:
    case: Case
    pid: int
    fd: int
    path: Path
    buffer: bytes = b""
    results: dict = field(default_factory=dict)
    current: int | None = None
    started: float = 0.0
    harness_error: str | None = None


@dataclass
class Outcome:
    case: Case
    classes: dict[str, str]  # failure class -> signature
    details: str
    good: str  # "ok" or "refused" when no failure
    seconds: dict[str, float] = field(default_factory=dict)


def _control_shape(context: str) -> str:
    """The line around a control character with the variable parts blanked: one leak, one name."""
    lines = [line for line in context.splitlines() if CONTROL.search(line)] or [context]
    # the context starts up to 60 characters before the leak, often inside the case's path
    line = re.sub(r"^\S*\.toml(:\d+)?:?\s*", "FILE: ", lines[0])
    line = re.sub(r"\S*(case-\d+\.toml|-cases-\w+/)\S*", "FILE", line)
    line = re.sub(r"\S*" + CONTROL.pattern + r"\S*", "<CTRL>", line)
    line = re.sub(r"\(known: [^)]*\)?", "(known: ...)", line)
    return re.sub(r"\d+(\.\d+)?", "#", line).strip()[:70]


def classify(case: Case, results: dict, hung: int | None, signal_death: int | None,
             harness_error: str | None, timeout: float, memory_limit: int) -> Outcome:
    classes: dict[str, str] = {}
    details: list[str] = []
    for index, name in enumerate(COMMAND_NAMES):
        result = results.get(index)
        if result is None:
            continue
        code = result.get("code")
        peak_mb = result.get("peak", 0) / 2**20
        status = "exception" if result.get("traceback") else f"exit {code}"
        details.append(f"$ nn-tui {' '.join(result['argv'])}\n  {status}, {result['seconds']} s, "
                       f"peak {peak_mb:.0f} MB")
        if result.get("traceback"):
            details.append(result["traceback"])
            if result.get("memory_error"):
                classes.setdefault("MEMORY", f"{name}: MemoryError")
            else:
                classes.setdefault("TRACEBACK", f"{name}: {result['signature']}")
        elif code not in (0, 2):
            classes.setdefault("TRACEBACK", f"{name}: exit {code}")
        elif code == 2 and not result["printed"]:
            classes.setdefault("SILENT-REFUSAL", f"{name}: exit 2, nothing printed")
        if result.get("peak", 0) > memory_limit:
            classes.setdefault("MEMORY", f"{name}: peak over {memory_limit // 2**20} MB")
        if result.get("json_problem"):
            classes.setdefault("NON-STRICT-JSON", f"{name}: {result['json_problem'][:60]}")
            details.append(f"  not strict JSON: {result['json_problem']}\n  ...{result.get('json_context', '')}...")
        if result.get("controls"):
            classes.setdefault("CONTROL-BYTES", f"{name}: {_control_shape(result['control_context'])}")
            details.append(f"  control characters {result['controls']} in: {result['control_context']!r}")
        if result.get("stdout_head") or result.get("stderr_head"):
            details.append("  stdout: " + result["stdout_head"][:600].replace("\n", "\n          "))
            if result.get("stderr_head"):
                details.append("  stderr: " + result["stderr_head"][-600:].replace("\n", "\n          "))
    if hung is not None:
        classes["HANG"] = f"{COMMAND_NAMES[hung]}: over {timeout:g} s"
        details.append(f"$ nn-tui {COMMAND_NAMES[hung]} ...: killed after {timeout:g} s")
    if signal_death is not None:
        classes["CRASH"] = f"killed by signal {signal_death}"
        details.append(f"child died from signal {signal_death}")
    if harness_error:
        classes["CRASH"] = "harness error"
        details.append(harness_error)
    check = results.get(0)
    if check is not None and check.get("code") == 0:
        for index in range(1, len(COMMAND_NAMES)):
            result = results.get(index)
            name = COMMAND_NAMES[index]
            if hung == index:
                classes.setdefault("ACCEPT-THEN-CRASH", f"{name} hangs")
            elif result is not None and result.get("code") != 0:
                why = result.get("signature") or f"exit {result.get('code')}"
                classes.setdefault("ACCEPT-THEN-CRASH", f"{name}: {why}")
    good = "ok" if check is not None and check.get("code") == 0 else "refused"
    seconds = {COMMAND_NAMES[i]: r.get("seconds", 0.0) for i, r in results.items()}
    return Outcome(case, classes, "\n".join(details), good, seconds)


class Runner:
    """Keeps up to ``workers`` forked children running cases; enforces the time limit."""

    def __init__(self, workers: int, scratch: Path, timeout: float, memory_limit: int,
                 epochs: int, on_outcome: Callable[[Outcome], None]) -> None:
        self.workers = workers
        self.scratch = scratch
        self.timeout = timeout
        self.memory_limit = memory_limit
        self.epochs = epochs
        self.on_outcome = on_outcome
        self.running: dict[int, Running] = {}
        self.selector = selectors.DefaultSelector()

    def submit(self, case: Case) -> None:
        while len(self.running) >= self.workers:
            self.poll()
        path = self.scratch / f"case-{case.number}.toml"
        path.write_bytes(case.content)
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child
            # The parent's objects are the child's too but never its garbage: out of the child's
            # collections, whose walks over them would copy every page they sit on (copy-on-write).
            # A case's commands then take ~15 % less CPU.
            gc.freeze()
            os.close(read_fd)
            _child(str(path), self.epochs, self.memory_limit, write_fd)
        os.close(write_fd)
        os.set_blocking(read_fd, False)
        job = Running(case, pid, read_fd, path, started=time.monotonic())
        self.running[read_fd] = job
        self.selector.register(read_fd, selectors.EVENT_READ, job)

    def drain(self) -> None:
        while self.running:
            self.poll()

    def kill_all(self) -> None:
        for job in list(self.running.values()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(job.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(job.pid, 0)
            self._forget(job)

    def poll(self) -> None:
        now = time.monotonic()
        deadline = min(job.started + self.timeout for job in self.running.values())
        for key, _ in self.selector.select(timeout=max(0.0, deadline - now)):
            job: Running = key.data
            try:
                chunk = os.read(job.fd, 1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                self._finish(job, hung=None)
                continue
            job.buffer += chunk
            *lines, job.buffer = job.buffer.split(b"\n")
            for line in lines:
                message = json.loads(line)
                if "start" in message:
                    job.current = message["start"]
                    job.started = time.monotonic()
                elif "done" in message:
                    job.results[message["done"]] = message["result"]
                    job.current = None
                elif "harness_error" in message:
                    job.harness_error = message["harness_error"]
        now = time.monotonic()
        for job in list(self.running.values()):
            if job.current is not None and now - job.started > self.timeout:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(job.pid, signal.SIGKILL)
                self._finish(job, hung=job.current)

    def _forget(self, job: Running) -> None:
        self.selector.unregister(job.fd)
        os.close(job.fd)
        del self.running[job.fd]
        with contextlib.suppress(FileNotFoundError):
            job.path.unlink()

    def _finish(self, job: Running, hung: int | None) -> None:
        _, status = os.waitpid(job.pid, 0)
        signal_death = None
        if hung is None and os.WIFSIGNALED(status):
            signal_death = os.WTERMSIG(status)
        self._forget(job)
        outcome = classify(job.case, job.results, hung, signal_death, job.harness_error,
                           self.timeout, self.memory_limit)
        self.on_outcome(outcome)


# =============================================================================================
# Collecting failures, shrinking reproducers, the report
# =============================================================================================


@dataclass
class Failure:
    signature: str
    count: int
    smallest: Case
    details: str


class Collector:
    def __init__(self) -> None:
        self.cases = 0
        self.counts = {name: 0 for name in GOOD_CLASSES + FAILURE_CLASSES}
        self.seconds = {name: 0.0 for name in COMMAND_NAMES}  # time inside main(), per command
        # class -> signature -> Failure (the smallest case seen of that signature)
        self.failures: dict[str, dict[str, Failure]] = {name: {} for name in FAILURE_CLASSES}

    def add(self, outcome: Outcome) -> None:
        self.cases += 1
        for name, seconds in outcome.seconds.items():
            self.seconds[name] += seconds
        if not outcome.classes:
            self.counts[outcome.good] += 1
        for name, signature in outcome.classes.items():
            self.counts[name] += 1
            known = self.failures[name].get(signature)
            if known is None:
                if len(self.failures[name]) < 200:  # bounded memory on a very broken build
                    self.failures[name][signature] = Failure(signature, 1, outcome.case, outcome.details)
            else:
                known.count += 1
                if len(outcome.case.content) < len(known.smallest.content):
                    known.smallest, known.details = outcome.case, outcome.details

    def failed(self) -> bool:
        return any(self.counts[name] for name in FAILURE_CLASSES)

    def chosen(self) -> dict[str, list[Failure]]:
        """Per class, up to 5 reproducers: the most frequent distinct signatures first."""
        return {
            name: sorted(found.values(), key=lambda f: (-f.count, len(f.smallest.content)))[:REPRODUCERS_PER_CLASS]
            for name, found in self.failures.items() if found
        }


def run_one(case: Case, runner_args: dict) -> Outcome:
    """Run a single case synchronously (for shrinking)."""
    box: list[Outcome] = []
    runner = Runner(1, on_outcome=box.append, **runner_args)
    runner.submit(case)
    runner.drain()
    return box[0]


SHRUNK = "then shrunk by deleting lines"


def shrink(failure: Failure, cls: str, runner_args: dict, until: float) -> Failure:
    """Delete runs of lines (halving their length) while the same class and signature persist."""
    if cls == "HANG" or time.monotonic() >= until:
        return failure
    lines = failure.smallest.content.split(b"\n")
    best, details = failure.smallest, failure.details
    chunk = max(1, len(lines) // 2)
    while chunk >= 1 and time.monotonic() < until:
        index = 0
        changed = False
        while index < len(lines) and time.monotonic() < until:
            trial = lines[:index] + lines[index + chunk:]
            if not trial:
                index += chunk
                continue
            notes = best.mutations if best.mutations[-1:] == [SHRUNK] else best.mutations + [SHRUNK]
            case = Case(best.number, best.base, b"\n".join(trial), notes)
            outcome = run_one(case, runner_args)
            if outcome.classes.get(cls) == failure.signature:
                lines, best, details, changed = trial, case, outcome.details, True
            else:
                index += chunk
        if not changed:
            chunk //= 2
    return Failure(failure.signature, failure.count, best, details)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:60] or "case"


def save_reproducers(collector: Collector, out: Path, runner_args: dict, shrink_seconds: float) -> dict:
    until = time.monotonic() + shrink_seconds
    saved: dict[str, list[tuple[Failure, Path]]] = {}
    for cls in FAILURE_CLASSES:  # reproducers of an earlier run in the same folder would mislead
        shutil.rmtree(out / cls, ignore_errors=True)
    for cls, failures in collector.chosen().items():
        folder = out / cls
        folder.mkdir(parents=True, exist_ok=True)
        for index, failure in enumerate(failures, 1):
            failure = shrink(failure, cls, runner_args, until)
            stem = folder / f"{index}-{_slug(failure.signature)}"
            toml_path = stem.with_suffix(".toml")
            toml_path.write_bytes(failure.smallest.content)
            header = (
                f"class: {cls}\nsignature: {failure.signature}\ncases with this signature: {failure.count}\n"
                f"base lesson: lessons/{failure.smallest.base}\n"
                "mutations:\n" + "".join(f"  - {m}\n" for m in failure.smallest.mutations)
                + f"reproduce: nn-tui check {toml_path} ; nn-tui trace {toml_path} --json ; "
                  f"nn-tui train {toml_path} --json --epochs 3 ; nn-tui trace {toml_path}\n\n"
            )
            stem.with_suffix(".txt").write_text(header + failure.details, encoding="utf-8",
                                                errors="backslashreplace")
            saved.setdefault(cls, []).append((failure, toml_path))
    return saved


def print_summary(collector: Collector, saved: dict, elapsed: float, workers: int, out: Path) -> None:
    rate = collector.cases / elapsed if elapsed else 0.0
    lines = [
        "",
        f"nn-tui fuzz: {collector.cases} cases in {elapsed:.1f} s ({rate:.1f} cases/s with {workers} workers)",
        "time inside main() per case: " + ", ".join(
            f"{name} {1000 * collector.seconds[name] / max(1, collector.cases):.1f} ms" for name in COMMAND_NAMES),
        f"{'class':<20} {'cases':>8}  distinct signatures",
    ]
    for name in GOOD_CLASSES + FAILURE_CLASSES:
        distinct = len(collector.failures.get(name, {})) if name in FAILURE_CLASSES else ""
        lines.append(f"{name:<20} {collector.counts[name]:>8}  {distinct}")
    for cls, found in collector.failures.items():
        if found:
            lines.append(f"\n{cls} signatures (cases, signature):")
            for failure in sorted(found.values(), key=lambda f: -f.count)[:40]:
                lines.append(f"  {failure.count:>6}  {failure.signature}")
    for cls, entries in saved.items():
        lines.append(f"\n{cls}: {collector.counts[cls]} case(s), {len(collector.failures[cls])} signature(s); reproducers:")
        for failure, path in entries:
            lines.append(f"  [{failure.count:>5}x] {failure.signature}")
            lines.append(f"          {path}")
            last = _last_line(failure.details)
            if last:
                lines.append(f"          {last}")
    lines.append(f"\noutput folder: {out}")
    lines.append("FAIL: some failure class is non-empty" if collector.failed() else "PASS: no failures")
    print("\n".join(lines))


def _last_line(details: str) -> str:
    """The last line of the first traceback in ``details`` (the exception and its message)."""
    block = details.split("Traceback (most recent call last):", 1)
    if len(block) < 2:
        return ""
    for line in block[1].splitlines():
        if line and not line.startswith(" ") and not line.startswith("$"):
            return line[:200]
    return ""


# =============================================================================================
# main
# =============================================================================================


def _warm_up(epochs: int) -> None:
    """Import everything the commands use before forking, so each child starts warm."""
    from nn_tui.cli import main

    lesson = str(REPO / "lessons" / "single-neuron.toml")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for argv in (["check", lesson], ["trace", lesson, "--json"],
                     ["train", lesson, "--json", "--epochs", str(epochs)], ["trace", lesson]):
            main(argv)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=None,
                        help="cases to run (default 1000, or unlimited when --seconds is given)")
    parser.add_argument("--seconds", type=float, default=None, help="time budget (default none)")
    parser.add_argument("--workers", type=int, default=2, help="child processes at once (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="generation seed (default 0)")
    parser.add_argument("--out", type=Path, default=None, help="reproducer folder (default: a temp dir)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per command (default 10)")
    parser.add_argument("--memory-mb", type=int, default=500, help="peak resident MB (default 500)")
    parser.add_argument("--epochs", type=int, default=3, help="epochs for train (default 3)")
    parser.add_argument("--shrink-seconds", type=float, default=60.0,
                        help="time for shrinking reproducers (default 60; 0 = keep them as found)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.cases is None:
        args.cases = 10**9 if args.seconds else 1000
    if args.cases < 1 or args.workers < 1 or args.timeout <= 0:
        parser.error("--cases, --workers and --timeout must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="nn-tui-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="nn-tui-fuzz-cases-"))
    home = Path(tempfile.mkdtemp(prefix="nn-tui-fuzz-home-"))
    os.environ["NN_TUI_HOME"] = str(home)  # never the user's progress
    memory_limit = args.memory_mb * 2**20
    _warm_up(args.epochs)

    bases = load_bases()
    collector = Collector()
    started = time.monotonic()
    last_report = [started]

    def on_outcome(outcome: Outcome) -> None:
        collector.add(outcome)
        now = time.monotonic()
        if not args.quiet and now - last_report[0] >= 5:
            last_report[0] = now
            failures = " ".join(f"{n}={collector.counts[n]}" for n in FAILURE_CLASSES if collector.counts[n])
            print(f"[fuzz] {collector.cases} cases, {collector.cases / (now - started):.1f}/s, "
                  f"ok={collector.counts['ok']} refused={collector.counts['refused']} {failures}",
                  file=sys.stderr, flush=True)

    runner_args = dict(scratch=scratch, timeout=args.timeout, memory_limit=memory_limit,
                       epochs=args.epochs)
    runner = Runner(args.workers, on_outcome=on_outcome, **runner_args)
    budget_end = started + args.seconds if args.seconds else math.inf
    harness_failed = False
    try:
        generate_cases(bases, args.seed, args.cases, budget_end, runner.submit)
        runner.drain()
    except KeyboardInterrupt:
        runner.kill_all()
        print("\n[fuzz] interrupted", file=sys.stderr)
    except Exception:  # noqa: BLE001 - a bug in the harness: still report what ran
        harness_failed = True
        traceback.print_exc()
        runner.kill_all()
        print("\n[fuzz] the harness failed (above); the summary covers the cases run so far",
              file=sys.stderr)
    elapsed = time.monotonic() - started
    saved = save_reproducers(collector, out, runner_args, args.shrink_seconds) if collector.failed() else {}
    print_summary(collector, saved, elapsed, args.workers, out)
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    return 1 if collector.failed() or harness_failed else 0


if __name__ == "__main__":
    sys.exit(main())
