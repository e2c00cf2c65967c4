"""The ``nn-tui`` command: the non-interactive commands, and the launcher of the TUI.

Textual is imported only when the TUI is launched, so ``nn-tui trace`` and friends start fast;
NumPy and the lesson modules only by the commands that use them, so the tutor's first screen
paints before they load.
Bad input (a broken lesson, a bad argument) prints a short message and exits with status 2.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from nn_tui import __version__
from nn_tui.lessons.errors import _CONTROL, LessonError, escape_controls

if TYPE_CHECKING:
    import numpy as np

    from nn_tui.lessons.catalog import CatalogEntry
    from nn_tui.lessons.model import Lesson

from nn_tui import cli_diagnosis  # noqa: E402 - ``try`` and ``progress`` (no heavy imports)

COMMANDS = ("list", "check", "trace", "train", "export", "serve", "new") + cli_diagnosis.COMMANDS
EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _json_controls(text: str) -> str:
    """JSON text with C1 controls (which ``json.dumps`` leaves raw) escaped as ``\\u00NN``;
    C0 controls are always escaped by json.dumps, and outside strings JSON has none."""
    return _CONTROL.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def print(*values: object, sep: str = " ", end: str = "\n", file=None) -> None:  # noqa: A001
    """Every line this module prints goes through here, so none carries raw control bytes."""
    text = sep.join(str(value) for value in values)
    (file or sys.stdout).write(escape_controls(text) + end)


class UsageError(Exception):
    """A bad command-line argument, reported in one paragraph with exit status 2."""


# An argument that starts with a minus and a digit (-1, -.5, -1e-3, -1,4) is a value, never an
# option: no option of nn-tui is named so. Python 3.11's argparse takes only -1 and -1.5 for
# numbers, so `--predict -1,4` failed with "expected one argument" (3.13 uses this pattern).
_NEGATIVE_NUMBER = re.compile(r"^-\.?\d")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = _NEGATIVE_NUMBER

    def error(self, message: str) -> None:  # argparse would print usage and exit itself
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="nn-tui",
        description=(
            "A terminal tutor for the mathematics of neural networks. Without a command it "
            "opens the tutor on the bundled lessons, or on the lesson files and folders given."
        ),
        epilog=(f"commands: {', '.join(COMMANDS)} (nn-tui COMMAND --help for each)"),
    )
    parser.add_argument("--version", action="version", version=f"nn-tui {__version__}")
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="a lesson file to open, or a folder of lesson files")
    parser.add_argument("--lessons", metavar="DIR", action="append", default=[],
                        help="also list the lesson files in DIR (repeatable)")
    return parser


def _decimals_argument(parser: argparse.ArgumentParser, when: str = "") -> None:
    parser.add_argument("--decimals", type=int, default=None, metavar="D",
                        help=f"{when}significant decimals of the numbers written out (1-15, "
                             "default 4, as the tutor shows them; --json output keeps full "
                             "precision)")


def _use_decimals(args: argparse.Namespace, command: str) -> None:
    """Apply ``--decimals`` (UsageError when it is out of range)."""
    from nn_tui.format.numbers import DECIMALS, MAX_DECIMALS, MIN_DECIMALS, use_decimals

    decimals = DECIMALS if args.decimals is None else args.decimals
    if not MIN_DECIMALS <= decimals <= MAX_DECIMALS:
        raise UsageError(f"nn-tui {command}: --decimals must be between {MIN_DECIMALS} and "
                         f"{MAX_DECIMALS}, not {decimals}")
    use_decimals(decimals)


@functools.cache
def _command_parser() -> argparse.ArgumentParser:
    # Built once per process: a command run in-process again and again (``main`` from the
    # test suite, ~2 ms of argparse set-up a call) reuses it. Parsing leaves it as it was:
    # every value lands in a new Namespace, and the append options copy their default list.
    parser = _Parser(prog="nn-tui")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    listing = commands.add_parser("list", help="list the bundled lessons (and those of --lessons)")
    listing.add_argument("--lessons", metavar="DIR", action="append", default=[])
    listing.add_argument("--json", action="store_true", help="print JSON")

    check = commands.add_parser("check", help="validate lesson files or folders")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="files or folders (default: the bundled lessons)")

    trace = commands.add_parser("trace", help="one forward pass, backward pass and SGD step")
    trace.add_argument("path", metavar="PATH")
    which = trace.add_mutually_exclusive_group()
    which.add_argument("--sample", type=int, metavar="N", help="trace data row N (0-based)")
    which.add_argument("--batch", action="store_true", help="trace all rows as one batch")
    _decimals_argument(trace)
    trace.add_argument("--json", action="store_true", help="print the full trace as JSON")
    _add_set_options(trace, steps=True)

    train = commands.add_parser("train", help="train with the lesson's settings")
    train.add_argument("path", metavar="PATH")
    train.add_argument("--epochs", type=int, metavar="N", help="epochs (default: the lesson's)")
    train.add_argument("--predict", action="append", default=[], metavar="V[,V...]",
                       help="input values to predict after training (repeatable)")
    _decimals_argument(train)
    train.add_argument("--json", action="store_true", help="print JSON")
    _add_set_options(train, steps=False)

    export = commands.add_parser(
        "export", help="the lesson as a document (Markdown) or as a NumPy script")
    export.add_argument("path", metavar="LESSON", help="a lesson file")
    kind = export.add_mutually_exclusive_group(required=True)
    kind.add_argument("--markdown", action="store_true",
                      help="the whole lesson, worked out, with the solutions at the end")
    kind.add_argument("--python", action="store_true",
                      help="a standalone NumPy script of the lesson's network and training")
    _decimals_argument(export, "with --markdown: ")
    export.add_argument("-o", "--output", metavar="FILE",
                        help="write to FILE (replaced atomically) instead of printing")

    serve = commands.add_parser(
        "serve", help="serve the tutor to web browsers (one tutor per tab; needs the serve extra)")
    serve.add_argument("--port", type=int, default=8000, metavar="N",
                       help="port to listen on (default 8000)")
    serve.add_argument("--host", default="127.0.0.1", metavar="HOST",
                       help="address to listen on (default 127.0.0.1: this machine only; "
                            "0.0.0.0 opens the tutor to the network)")
    serve.add_argument("--lessons", metavar="DIR", action="append", default=[],
                       help="also list the lesson files in DIR (repeatable)")
    serve.add_argument("--max-sessions", type=int, default=100, metavar="N",
                       help="tutors at once, one per tab (default 100, about 70 MB each)")

    new = commands.add_parser(
        "new", help="write a starter lesson for the data in a CSV file",
        description=("Write a starter lesson for the data in a CSV file (its first line names "
                     "the columns): a network with written-out weights drawn from --seed, the "
                     "data read from the CSV file, and the generated walk-through. The output "
                     "activation and loss suit the targets unless given: 0/1 targets get a "
                     "sigmoid output and bce (one-hot rows over several targets: softmax and "
                     "cross_entropy), other targets an identity output and mse."))
    new.add_argument("--csv", required=True, metavar="FILE", help="the data (CSV, UTF-8)")
    new.add_argument("--inputs", required=True, metavar="A,B",
                     help="the columns holding the inputs, separated by commas")
    new.add_argument("--targets", required=True, metavar="Y[,Z]",
                     help="the columns holding the targets, separated by commas")
    new.add_argument("-o", "--output", metavar="PATH",
                     help="the lesson file to write (default: the CSV file's name with .toml, "
                          "beside it; - prints it)")
    new.add_argument("--hidden", default="2", metavar="N[,N...]",
                     help="units of each hidden layer (default 2; 0 for none)")
    new.add_argument("--activation", default="sigmoid", metavar="NAME",
                     help="activation of the hidden layers (default sigmoid)")
    new.add_argument("--output-activation", metavar="NAME",
                     help="activation of the output layer (default: suits the targets)")
    new.add_argument("--loss", metavar="NAME", help="the loss (default: suits the targets)")
    new.add_argument("--learning-rate", type=float, default=0.1, metavar="ETA",
                     help="η of each gradient step (default 0.1)")
    new.add_argument("--epochs", type=int, default=200, metavar="N",
                     help="epochs of the training run (default 200)")
    new.add_argument("--seed", type=int, default=0, metavar="N",
                     help="draws the starting weights (default 0)")
    new.add_argument("--id", metavar="ID", help="the lesson id (default: from the file name)")
    new.add_argument("--title", metavar="TEXT", help="the lesson title")
    new.add_argument("--force", action="store_true", help="replace the lesson file if it exists")
    cli_diagnosis.add_commands(commands)
    return parser


# -- strict JSON ---------------------------------------------------------------------------------
#
# Every --json output is strict JSON (RFC 8259): Python's json module would write inf and nan
# as the bare words Infinity and NaN, which no strict parser accepts. A number that is not
# finite is written as null, and the object says where and what it was:
#   "non_finite": {"loss": "inf", "layers[3].z": "-inf", "after.layers[0].W": "inf, nan"}
# (keys are the answer paths of the values, one per array; empty when every number is finite).


def strict_json(data) -> tuple[object, dict[str, str]]:
    """``data`` with every non-finite float replaced by None and −0.0 by 0.0, and
    {path: "inf"/"-inf"/"nan"}
    of where they were (an array's elements are reported once, under the array's path)."""
    import math

    found: dict[str, list[str]] = {}

    def walk(value, path: str, array: str | None):
        if isinstance(value, dict):
            return {key: walk(item, f"{path}.{key}" if path else str(key), None)
                    for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            owner = array if array is not None else path
            return [walk(item, f"{path}[{index}]", None if isinstance(item, dict) else owner)
                    for index, item in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            kind = "nan" if math.isnan(value) else "inf" if value > 0 else "-inf"
            kinds = found.setdefault(array if array is not None else path, [])
            if kind not in kinds:
                kinds.append(kind)
            return None
        if isinstance(value, float) and value == 0.0:
            # −0.0 (−y/ŷ for a target of 0, a product with a negative factor) is 0 to a
            # reader; JSON would print it as -0.0.
            return 0.0
        return value

    clean = walk(data, "", None)
    return clean, {path: ", ".join(kinds) for path, kinds in found.items()}


def print_json(data) -> None:
    """Print ``data`` as strict JSON; a dict gets its "non_finite" report (see above)."""
    clean, non_finite = strict_json(data)
    if isinstance(clean, dict):
        clean["non_finite"] = non_finite
    # allow_nan=False: should a non-finite number ever slip through, fail loudly rather than
    # print something that is not JSON. json escapes C0 controls itself; DEL and the C1 range
    # (a terminal reads U+009B as CSI) are escaped here, so no text reaches the terminal raw.
    text = json.dumps(clean, indent=2, ensure_ascii=False, allow_nan=False)
    sys.stdout.write(_json_controls(text) + "\n")


def _overflow_note(data) -> str | None:
    """A sentence naming the values of ``data`` that overflowed, or None if all are finite."""
    _clean, non_finite = strict_json(data)
    if not non_finite:
        return None
    names = list(non_finite)
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    return (f"overflow: these numbers passed the largest float (about 1.8e308) and are not "
            f"finite (shown as ∞ or nan): {shown}")


def _load(path: str) -> Lesson:
    """The lesson at ``path`` if it passes everything ``check`` checks; else LessonError."""
    from nn_tui.lessons.catalog import load_checked_lesson

    return load_checked_lesson(Path(path))[0]


# -- list ----------------------------------------------------------------------------------------


def _entry_record(entry: CatalogEntry) -> dict:
    record = {
        "id": entry.id,
        "title": entry.lesson.title if entry.lesson else entry.path.name,
        "summary": entry.lesson.summary if entry.lesson else "",
        "sources": list(entry.lesson.sources) if entry.lesson else [],
        "path": str(entry.path),
        "bundled": entry.bundled,
        "ok": entry.ok,
    }
    if entry.lesson:
        from nn_tui.lessons.session import LessonSession

        record["steps"] = LessonSession(entry.lesson).total
    if entry.error:
        record["error"] = str(entry.error)
    if entry.notes:
        record["notes"] = [str(note) for note in entry.notes]
    return record


def run_list(args: argparse.Namespace) -> int:
    from nn_tui.lessons.catalog import build_catalog
    from nn_tui.lessons.progress import shared_ids, shared_text

    for folder in args.lessons:
        if not Path(folder).is_dir():
            raise UsageError(f"nn-tui list: --lessons {folder}: no such folder")
    entries = build_catalog([Path(folder) for folder in args.lessons])
    records = [_entry_record(entry) for entry in entries]
    # Two files with one id (a teacher's copy of a bundled lesson) share the learner's progress.
    shared = shared_ids((record["id"], record["path"]) for record in records if record["ok"])
    for record in records:
        if record["path"] in shared:
            record["shares_id_with"] = shared[record["path"]]
            record["warning"] = shared_text(shared[record["path"]])
    if args.json:
        print_json(records)
        return EXIT_OK
    if not records:
        print("No lessons found.")
        return EXIT_OK
    width = max(len(record["id"]) for record in records)
    for record in records:
        mark = "" if record["ok"] else "  [broken]"
        print(f"{record['id']:<{width}}  {record['title']}{mark}")
        detail = record["summary"] if record["ok"] else record["error"].splitlines()[0]
        if detail:
            print(f"{'':<{width}}  {detail}")
        print(f"{'':<{width}}  {record['path']}")
        if "warning" in record:
            print(f"{'':<{width}}  warning: {record['warning']}")
        for note in record.get("notes", ()):
            print(f"{'':<{width}}  note: {note}")
    return EXIT_OK


# -- check ---------------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    from nn_tui.lessons.catalog import (bundled_lessons_dir, folder_listing, load_checked_lesson,
                                        path_exists, is_folder)
    from nn_tui.lessons.progress import shared_ids, shared_text
    from nn_tui.lessons.session import LessonSession

    targets = [Path(p) for p in args.paths] or [bundled_lessons_dir()]
    failures = 0
    checked = 0
    seen: list[tuple[str, str]] = []  # (lesson id, file) of the lessons that are fine
    for target in targets:
        if not path_exists(target):
            print(f"{target}: no such file or folder")
            failures += 1
            continue
        if is_folder(target):
            files, folder_problems = folder_listing(target)
            for problem in folder_problems:
                print(problem)
                failures += 1
            if not files and not folder_problems:
                print(f"{target}: no lesson files (*.toml) in this folder")
                failures += 1
        else:
            files = [target]
        for file in files:
            checked += 1
            try:
                lesson, notes = load_checked_lesson(file)
            except LessonError as error:
                failures += 1
                print(error)
                continue
            session = LessonSession(lesson)
            kind = "generated walk-through" if session.generated else "authored"
            print(f"ok  {file}  ({lesson.id}: {session.total} steps, {kind})")
            for note in notes:
                print(f"    note: {note}")
            seen.append((lesson.id, str(file)))
    # Not a failure: files that share an id share the learner's progress, which may be meant.
    shared = shared_ids(seen)
    for lesson_id, file in seen:
        if file in shared:
            print(f"note: {file} ({lesson_id}) {shared_text(shared[file])}")
    summary = f"{checked} file(s) checked, {failures} with problems"
    print(summary, file=sys.stderr if failures else sys.stdout)
    return EXIT_BAD_INPUT if failures else EXIT_OK


# -- trace ---------------------------------------------------------------------------------------


def _names(values: np.ndarray, names: Sequence[str]) -> str:
    from nn_tui.format.numbers import short

    return ", ".join(f"{name} = {short(value)}" for name, value in zip(names, values))


def _print_trace_text(lesson: Lesson, trace, row: int | None, network=None,
                      what: str | None = None, changes=()) -> None:
    from nn_tui.format import trace_text

    spec = lesson.network
    depth = len(trace.layers)
    print(f"{lesson.title}  ({lesson.id}, {lesson.path})")
    if what:
        print(what)
    # The network traced (a step may have switched to a variant, --set may have changed η).
    sizes = network.sizes if network is not None else spec.sizes
    shape = " → ".join(str(size) for size in sizes)
    activations = ", ".join(layer.activation for layer in trace.layers)
    print(f"network {shape} ({activations}), loss {trace.loss_name}, "
          f"η = {trace.learning_rate:g}")
    _print_edits(changes)
    overflow = _overflow_note(trace.to_dict())
    if overflow:
        print(f"⚠ {overflow}")
    if trace.mode == "sample":
        # Counted from 1 like every row on screen; --sample takes the 0-based index.
        source = (f"row {row + 1} (--sample {row})" if row is not None
                  else "the step's own example")
        if any(target.kind in ("x", "y") for target, _old, _new in changes):
            source += " as --set changed it"
        given = "target" if trace.has_loss else "given dL_dy (∂L/∂ŷ)"
        print(f"sample: {source}: {_names(trace.x, spec.inputs)}; "
              f"{given} {_names(trace.y, spec.outputs)}")
    else:
        print(f"batch: all {len(trace.x)} rows, loss = {trace.reduction} of the per-row losses")

    for heading, lines in (
        ("Forward pass", [line for layer in range(depth) for line in (
            [f"layer {layer + 1} ({trace.layers[layer].activation})"]
            + [f"  {text}" for text in trace_text.forward_text(trace, layer)])]),
        (f"Loss ({trace.loss_name})", trace_text.loss_text(trace)),
        ("Backward pass (chain rule, from the output back)", [
            line for layer in range(depth - 1, -1, -1) for line in (
                [f"layer {layer + 1}"]
                + [f"  {text}" for text in trace_text.backward_text(trace, layer)])]),
        (f"Update: w ← w − η·∂L/∂w with η = {trace.learning_rate:g}",
         trace_text.update_text(trace)),
        ("After the step", trace_text.after_text(trace)),
    ):
        print(f"\n{heading}")
        for line in lines:
            print(f"  {line}")
    if overflow:
        print(f"\n⚠ {overflow}")


# -- --set and --step: the edits of explore mode, from the command line --------------------------
#
# ``trace`` and ``train`` take ``--set PATH=VALUE`` (repeatable), with the paths and value rules of
# explore mode (nn_tui.lessons.edits); ``trace`` also takes ``--step N``: the network in force and
# the data traced at step N of the lesson, as the tutor shows them (and explore mode edits them).


def _add_set_options(parser: argparse.ArgumentParser, steps: bool) -> None:
    what = ("a weight, bias, input x[k], target y[k] or learning_rate" if steps
            else "a weight, bias or learning_rate")
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        dest="edits",
                        help=f"change {what} first, e.g. --set 'layers[0].W[0][0]=0.7' "
                             "(repeatable; paths as in trace --json)")
    if steps:
        parser.add_argument("--step", type=int, metavar="N",
                            help="trace the network and data of lesson step N (1-based, as on "
                                 "screen), after the updates and training before it")


def _apply_set(command: str, texts: list[str], network, x, y, data: bool = True):
    """(network, x, y, [(target, old, new)]) with the ``--set`` assignments ``texts`` applied to
    copies; UsageError naming the assignment at fault (exit status 2)."""
    from nn_tui.lessons.edits import EditError, apply_edits, parse_assignment, value_of

    edits = []
    for text in texts:
        try:
            target, value = parse_assignment(text, network, x, y)
        except EditError as error:
            why = str(error).removeprefix(f"{text!r}: ")
            raise UsageError(f"nn-tui {command}: --set {text!r}: {why}") from None
        if not data and target.kind in ("x", "y"):
            raise UsageError(
                f"nn-tui {command}: --set {text!r}: {command} uses every data row; --set "
                "changes weights, biases and learning_rate here (to change a row's values, "
                "use trace --set, or edit data.rows)")
        edits.append((target, value))
    changed = {}
    for target, value in edits:  # a later --set of one number wins, as in apply_edits
        changed[target] = (changed.get(target, (value_of(target, network, x, y),))[0], value)
    edited, x_new, y_new = apply_edits(network, x, y, edits)
    return edited, x_new, y_new, [(target, old, new) for target, (old, new) in changed.items()]


def _print_edits(changes) -> None:
    from nn_tui.format.numbers import num

    for target, old, new in changes:
        print(f"set {target.path} = {num(new)} (was {num(old)})")


def _step_start(lesson: Lesson, step: int):
    """(network, x, y, rows, what) at 1-based lesson step ``step``: the weights in force and the
    data the step traces; UsageError for a step the lesson does not have."""
    from nn_tui.lessons.session import LessonSession

    session = LessonSession(lesson)
    if not 1 <= step <= session.total:
        raise UsageError(f"nn-tui trace: --step {step}: {lesson.path} has steps 1 to "
                         f"{session.total}")
    network, x, y, rows = session.explore_data(step - 1)
    view = session.view(step - 1)
    what = f"step {step} of {session.total} ({view.state_label})"
    return network, x, y, rows, what


def run_trace(args: argparse.Namespace) -> int:
    _use_decimals(args, "trace")
    lesson = _load(args.path)
    network = lesson.network.build()
    if args.step is not None and (args.sample is not None or args.batch):
        raise UsageError("nn-tui trace: --step traces the data of that step; leave out "
                         "--sample and --batch")
    if args.sample is not None and not 0 <= args.sample < len(lesson.rows):
        raise UsageError(
            f"nn-tui trace: --sample {args.sample}: {args.path} has rows 0 to {len(lesson.rows) - 1}"
        )
    if args.batch:
        from nn_tui.lessons.loader import MAX_BATCH_TRACE_VALUES, batch_trace_values

        values = batch_trace_values(lesson.network, len(lesson.rows))
        if values > MAX_BATCH_TRACE_VALUES:
            raise LessonError.single(
                args.path, "data.csv" if lesson.data_file else "data.rows",
                f"a trace of all {len(lesson.rows)} rows as one batch would hold {values:,} "
                f"numbers; the budget is {MAX_BATCH_TRACE_VALUES:,} (trace one row with --sample)")
    what = None
    if args.step is not None:
        network, x, y, rows, what = _step_start(lesson, args.step)
    elif args.batch:
        x, y, rows = lesson.X, lesson.Y, tuple(range(len(lesson.rows)))
    else:
        row = lesson.focus if args.sample is None else args.sample
        x, y, rows = lesson.X[row], lesson.Y[row], (row,)
    network, x, y, changes = _apply_set("trace", args.edits, network, x, y)
    # The engine keeps NumPy's floating-point warnings to itself and reports overflow in words.
    trace = network.trace(x, y, rows=rows)
    if args.json:
        print_json(trace.to_dict(lesson.id))
    else:
        _print_trace_text(lesson, trace, rows[0] if len(rows) == 1 and _ndim(x) == 1 else None,
                          network, what, changes)
    return EXIT_OK


def _ndim(values) -> int:
    """The number of dimensions of an array (NumPy loads only with the commands using it)."""
    import numpy as np

    return np.ndim(values)


# -- train ---------------------------------------------------------------------------------------


def _parse_predict(values: list[str], size: int) -> list[list[float]]:
    import numpy as np

    parsed = []
    for text in values:
        try:
            # The tutor writes negatives with a real minus sign (−1): copied back, it is a minus.
            vector = [float(part.replace("\u2212", "-")) for part in text.split(",")]
        except ValueError:
            raise UsageError(f"nn-tui train: --predict {text!r}: give numbers separated by commas")
        if len(vector) != size or not all(np.isfinite(vector)):
            raise UsageError(
                f"nn-tui train: --predict {text!r}: the network takes {size} finite input value(s)"
            )
        from nn_tui.lessons.loader import MAX_MAGNITUDE

        if any(abs(value) > MAX_MAGNITUDE for value in vector):
            # The rule of data rows: larger inputs would overflow the activations.
            raise UsageError(f"nn-tui train: --predict {text!r}: keep values within "
                             f"±{MAX_MAGNITUDE:g}, as in data rows")
        parsed.append(vector)
    return parsed


def _within_training_budget(lesson: Lesson, epochs: int) -> None:
    """UsageError if ``epochs`` of the lesson's training would exceed the loader's budgets."""
    from nn_tui.lessons.loader import (MAX_TRAINING_BATCHES, MAX_TRAINING_WORK,
                                       network_parameters)

    rows = len(lesson.rows)
    work = rows * epochs * network_parameters(lesson.network)
    if work > MAX_TRAINING_WORK:
        raise UsageError(
            f"nn-tui train: --epochs {epochs}: that is {work:,} units of work (rows × epochs × "
            f"parameters); the budget is {MAX_TRAINING_WORK:,}")
    batch = lesson.training.batch_size
    if batch is not None and batch < rows and epochs * -(-rows // batch) > MAX_TRAINING_BATCHES:
        raise UsageError(
            f"nn-tui train: --epochs {epochs}: that is {epochs * -(-rows // batch):,} "
            f"mini-batches; the budget is {MAX_TRAINING_BATCHES:,}")


def run_train(args: argparse.Namespace) -> int:
    import numpy as np

    from nn_tui.engine import Trainer
    from nn_tui.format.numbers import num, vector

    _use_decimals(args, "train")
    lesson = _load(args.path)
    epochs = lesson.training.epochs if args.epochs is None else args.epochs
    if not 1 <= epochs <= 1_000_000:
        raise UsageError("nn-tui train: --epochs must be between 1 and 1000000")
    if args.epochs is not None:
        _within_training_budget(lesson, epochs)
    predictions_in = _parse_predict(args.predict, len(lesson.network.inputs))
    if not lesson.network.build().loss.has_value:
        from nn_tui.lessons.locate import KeyLocator

        try:
            line = KeyLocator(Path(lesson.path).read_text(encoding="utf-8")).line_of("network.loss")
        except (OSError, UnicodeDecodeError):
            line = None
        raise LessonError.single(
            lesson.path, "network.loss",
            'is "none": the lesson gives an upstream gradient (dL_dy) instead of targets, so '
            "there is no loss to minimise and nothing to train (nn-tui trace shows its step)",
            line)
    start = lesson.network.build()
    start, _x, _y, changes = _apply_set("train", args.edits, start, lesson.X[lesson.focus],
                                        lesson.Y[lesson.focus], data=False)
    trainer = Trainer(start, lesson.X, lesson.Y, lesson.training.batch_size,
                      lesson.training.shuffle_seed, shuffle=lesson.training.shuffle)
    report_every = max(1, epochs // 10)
    if not args.json:
        _print_edits(changes)
        print(f"training {lesson.id}: {epochs} epochs, η = {start.learning_rate:g}, "
              f"{len(lesson.rows)} rows, initial loss {_num_or_overflow(trainer.history[0])}")
    done = 0
    while done < epochs and not trainer.diverged:
        chunk = min(report_every, epochs - done)
        trainer.run(chunk)
        done += chunk
        if not args.json and not trainer.diverged:
            print(f"  epoch {trainer.epoch:>{len(str(epochs))}}/{epochs}  loss {num(trainer.history[-1])}")
    network = trainer.network
    predictions = [
        {"x": x, "output": network.predict(np.array(x)).tolist()} for x in predictions_in
    ]
    stalled = trainer.stalled()
    kept = len(trainer.history) - 1  # the epoch of the network kept (see Trainer)
    if args.json:
        payload = {
            "lesson": lesson.id,
            "epochs": trainer.epoch,
            "kept_epoch": kept,
            "outputs": list(lesson.network.outputs),
            "loss": trainer.history[-1],
            "loss_history": trainer.history,
            "layers": [{"W": layer.W.tolist(), "b": layer.b.tolist()} for layer in network.layers],
            "predictions": predictions,
            "diverged": trainer.diverged,
            "stalled": stalled,
        }
        print_json(payload)
        return EXIT_OK
    if trainer.diverged:
        print(f"stopped, diverged: {trainer.diverged}")
    elif stalled:
        print(f"stalled, {stalled}")
    final = _num_or_overflow(trainer.history[-1])
    if kept == trainer.epoch:
        print(f"final loss {final} after {trainer.epoch} epochs")
    else:
        when = "the starting network" if kept == 0 else f"the network of epoch {kept}"
        print(f"final loss {final}: {when}, the last with a finite loss")
    for prediction in predictions:
        inputs = _names(np.array(prediction["x"]), lesson.network.inputs)
        outputs = ", ".join(
            f"{name} = {_num_or_overflow(value)}"
            for name, value in zip(lesson.network.outputs, prediction["output"])
        )
        print(f"predict {inputs}: {outputs}  {vector(prediction['output'])}")
    return EXIT_OK


def _num_or_overflow(value: float) -> str:
    """A number as ``num`` writes it, with "(overflow)" after ∞ or nan."""
    import math

    from nn_tui.format.numbers import num

    return num(value) + ("" if math.isfinite(value) else " (overflow)")


def _path_exists(path: str) -> bool:
    """Whether anything is at ``path`` (a broken or looping link too: reading it says why)."""
    import os

    try:
        os.lstat(path)
        return True
    except (OSError, ValueError):
        return False


# -- export --------------------------------------------------------------------------------------


def _export_text(lesson: Lesson, python: bool) -> str:
    if not python:
        from nn_tui.export.markdown import export_markdown

        return export_markdown(lesson)
    from nn_tui.export.python import export_python

    return export_python(lesson)


def _output_problem(output: str, lesson_path: str) -> str | None:
    """Why ``-o output`` cannot be written, when that is known before exporting, else None."""
    import os

    target = Path(output)
    if not output or output.endswith(("/", os.sep)):
        return "give a file name"
    try:
        if target.is_dir():
            return "is a folder; give a file name"
        if target.exists() and target.resolve() == Path(lesson_path).resolve():
            return "is the lesson file itself; give another file name"
        if target.exists() and not target.is_file():
            # Replacing a device or a pipe with a regular file would break it (/dev/null).
            return ("is not a regular file (a device, pipe or socket); give a file name, or "
                    "leave out -o to print")
        folder = target.parent
        if not folder.is_dir():
            return f"no such folder: {folder}"
    except (OSError, ValueError) as error:
        return str(error)
    return None


def _write_problem(error: OSError) -> str:
    import errno

    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "cannot write there: permission denied" + (
            " (read-only file system)" if error.errno == errno.EROFS else "")
    if error.errno == errno.ENOSPC:
        return "cannot write there: no space left on the device"
    return f"cannot write there: {error.strerror or error}"


def run_export(args: argparse.Namespace) -> int:
    if args.python and args.decimals is not None:
        raise UsageError("nn-tui export: --decimals applies to --markdown (the Python script "
                         "prints its numbers itself)")
    _use_decimals(args, "export")
    if args.output is not None:
        problem = _output_problem(args.output, args.path)
        if problem:
            raise UsageError(f"nn-tui export: -o {args.output}: {problem}")
    lesson = _load(args.path)
    text = _export_text(lesson, args.python)
    if args.output is None:
        print(text, end="" if text.endswith("\n") else "\n")
        return EXIT_OK
    from nn_tui.export import write_atomically

    try:
        write_atomically(Path(args.output), text)
    except (OSError, ValueError) as error:
        why = _write_problem(error) if isinstance(error, OSError) else str(error)
        raise UsageError(f"nn-tui export: -o {args.output}: {why}") from None
    return EXIT_OK


# -- new -----------------------------------------------------------------------------------------


def _columns(text: str, option: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if not all(names):
        raise UsageError(f"nn-tui new: {option} {text!r}: give column names separated by commas")
    if len(set(names)) != len(names):
        raise UsageError(f"nn-tui new: {option} {text!r}: a column is named twice")
    return names


def _new_options(args: argparse.Namespace) -> tuple[list[str], list[str], list[int]]:
    """The checked columns and hidden sizes of ``nn-tui new``; UsageError for a bad one."""
    import math

    from nn_tui.engine.activations import ACTIVATIONS
    from nn_tui.engine.losses import LOSSES
    from nn_tui.lessons.loader import LESSON_ID, MAX_EPOCHS, MAX_LAYERS, MAX_UNITS

    inputs = _columns(args.inputs, "--inputs")
    targets = _columns(args.targets, "--targets")
    both = [name for name in inputs if name in targets]
    if both:
        raise UsageError(f"nn-tui new: the column {both[0]!r} is in --inputs and --targets")
    try:
        hidden = [int(part) for part in args.hidden.split(",")]
    except ValueError:
        raise UsageError(f"nn-tui new: --hidden {args.hidden!r}: give whole numbers of units "
                         "separated by commas (0 for no hidden layer)") from None
    hidden = [] if hidden == [0] else hidden
    if len(hidden) > MAX_LAYERS - 1 or not all(1 <= units <= MAX_UNITS for units in hidden):
        raise UsageError(f"nn-tui new: --hidden {args.hidden!r}: at most {MAX_LAYERS - 1} "
                         f"hidden layers of 1 to {MAX_UNITS} units (0 alone for none)")
    for option, name, valid in (("--activation", args.activation, ACTIVATIONS),
                                ("--output-activation", args.output_activation, ACTIVATIONS),
                                ("--loss", args.loss, LOSSES)):
        if name is not None and name not in valid:
            raise UsageError(f"nn-tui new: {option} {name!r}: unknown (valid: "
                             f"{', '.join(valid)})")
    if args.activation == "softmax" and hidden:
        raise UsageError("nn-tui new: --activation softmax: softmax is for the output layer "
                         "only (--output-activation)")
    if not (math.isfinite(args.learning_rate) and 0 < args.learning_rate <= 1e6):
        raise UsageError("nn-tui new: --learning-rate must be a number greater than 0")
    if not 1 <= args.epochs <= MAX_EPOCHS:
        raise UsageError(f"nn-tui new: --epochs must be between 1 and {MAX_EPOCHS}")
    if not 0 <= args.seed < 2**32:
        raise UsageError("nn-tui new: --seed must be between 0 and 4294967295")
    if args.id is not None and not (LESSON_ID.match(args.id) and len(args.id) <= 80):
        raise UsageError(f"nn-tui new: --id {args.id!r}: use lowercase letters, digits and "
                         "single dashes")
    return inputs, targets, hidden


def _read_csv_columns(path: str, inputs: list[str], targets: list[str]):
    """The rows of the columns ``inputs`` then ``targets`` of the CSV file ``path``, read and
    checked as the loader reads ``[data] csv``; LessonError naming the file and line."""
    from nn_tui.lessons.csvdata import decode_csv_bytes, parse_csv_text
    from nn_tui.lessons.errors import Problem
    from nn_tui.lessons.loader import MAX_MAGNITUDE, MAX_ROWS, read_lesson_bytes

    content = read_lesson_bytes(Path(path), kind="CSV file")
    text, problem = decode_csv_bytes(content, path)
    if problem is not None:
        raise LessonError(path, [problem])
    rows, problems, header = parse_csv_text(text, path, inputs, targets, MAX_ROWS,
                                            MAX_MAGNITUDE)
    if rows is None and not problems:
        named = [column if len(column) <= 40 else column[:39] + "…" for column in header]
        known = ", ".join(named[:12]) + (f" and {len(named) - 12} more" if len(named) > 12
                                         else "") or "none"
        problems = [Problem(path, "", f"no column {name!r} (the header names {known})", 1)
                    for name in inputs + targets if name not in header]
    if problems:
        raise LessonError(path, problems)
    return rows


def run_new(args: argparse.Namespace) -> int:
    from nn_tui.lessons.catalog import load_checked_lesson
    from nn_tui.lessons.loader import parse_lesson_text
    from nn_tui.lessons.lint import check_lesson
    from nn_tui.lessons.writer import LessonWriteError, starter_lesson, write_new_lesson

    inputs, targets, hidden = _new_options(args)
    csv_path = Path(args.csv)
    to_stdout = args.output == "-"
    target = csv_path.with_suffix(".toml") if args.output is None else Path(args.output)
    if csv_path.suffix.lower() == ".toml" and args.output is None:
        raise UsageError(f"nn-tui new: --csv {args.csv}: the lesson file would replace it; "
                         "give the lesson's name with -o")
    if not to_stdout:
        if target.suffix != ".toml":
            raise UsageError(f"nn-tui new: -o {target}: name the lesson file ….toml (the "
                             "tutor lists the *.toml files of a folder)")
        problem = _output_problem(str(target), args.csv)
        if problem:
            raise UsageError(f"nn-tui new: -o {target}: {problem}")
        if _path_exists(str(target)) and not args.force:
            raise UsageError(f"nn-tui new: {target} already exists; choose another name with "
                             "-o, or add --force to replace it")
    rows = _read_csv_columns(args.csv, inputs, targets)
    where = Path("new-lesson.toml") if to_stdout else target
    try:
        text = starter_lesson(
            csv_path=csv_path, lesson_path=where, rows=rows, inputs=inputs, targets=targets,
            hidden=hidden, activation=args.activation,
            output_activation=args.output_activation, loss=args.loss,
            learning_rate=args.learning_rate, seed=args.seed, epochs=args.epochs,
            lesson_id=args.id, title=args.title)
    except LessonWriteError as error:
        raise UsageError(f"nn-tui new: {error}") from None
    # Never write a lesson that check would refuse: validate and replay it first (a column
    # name too long for a name, bce with targets outside 0..1 asked for with --loss...).
    try:
        lesson = parse_lesson_text(text, str(where))
        check_lesson(lesson)
    except LessonError as error:
        problems = "\n".join(f"  {problem.key}: {problem.message}" if problem.key
                             else f"  {problem.message}" for problem in error.problems)
        raise UsageError(f"nn-tui new: nothing written: the lesson would not pass check:\n"
                         f"{problems}") from None
    if to_stdout:
        print(text, end="")
        return EXIT_OK
    try:
        write_new_lesson(target, text, overwrite=args.force)
    except FileExistsError:
        raise UsageError(f"nn-tui new: {target} already exists; choose another name with -o, "
                         "or add --force to replace it") from None
    except OSError as error:
        raise UsageError(f"nn-tui new: {target}: {_write_problem(error)}") from None
    load_checked_lesson(target)  # as check reads it, from the file written
    spec = lesson.network
    shape = " → ".join(str(size) for size in spec.sizes)
    layers = ", ".join(layer.activation for layer in spec.layers)
    print(f"wrote {target}: {lesson.id}, a {shape} network ({layers}; loss {spec.loss}) on "
          f"{len(lesson.rows)} rows of {args.csv}")
    largest = float(abs(lesson.X).max())
    if largest > 10 and any(layer.activation in ("sigmoid", "tanh") for layer in spec.layers):
        print(f"note: inputs reach {largest:g}; sigmoid and tanh flatten out beyond about ±5, "
              "so learning may be slow: consider scaling the inputs in the CSV file")
    print(f"open it: nn-tui {target}    check it: nn-tui check {target}")
    return EXIT_OK


# -- the TUI -------------------------------------------------------------------------------------


def run_tui(args: argparse.Namespace) -> int:
    for folder in args.lessons:
        if not Path(folder).is_dir():
            raise UsageError(f"nn-tui: --lessons {folder}: no such folder")
    for path in args.paths:
        if not _path_exists(path):
            raise UsageError(f"nn-tui: {path}: no such file or folder")
    from nn_tui.ui.app import run_app  # Textual loads only here

    return run_app(paths=[Path(p) for p in args.paths],
                   lesson_dirs=[Path(d) for d in args.lessons])


# -- serve ---------------------------------------------------------------------------------------


def run_serve(args: argparse.Namespace) -> int:
    for folder in args.lessons:
        if not Path(folder).is_dir():
            raise UsageError(f"nn-tui serve: --lessons {folder}: no such folder")
    from nn_tui.serve import ServeError, serve  # textual-serve loads only in serve()

    try:
        return serve(host=args.host, port=args.port, lesson_dirs=[Path(d) for d in args.lessons],
                     max_sessions=args.max_sessions)
    except ServeError as error:
        raise UsageError(str(error)) from None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            args = _command_parser().parse_args(argv)
            runner = {"list": run_list, "check": run_check, "trace": run_trace,
                      "train": run_train, "export": run_export, "serve": run_serve,
                      "new": run_new, **cli_diagnosis.runners()}[args.command]
            return runner(args)
        return run_tui(_parser().parse_args(argv))
    except UsageError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except LessonError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
