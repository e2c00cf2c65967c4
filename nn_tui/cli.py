"""The ``nn-tui`` command: the non-interactive commands, and the launcher of the TUI.

Textual is imported only when the TUI is launched, so ``nn-tui trace`` and friends start fast;
NumPy and the lesson modules only by the commands that use them, so the tutor's first screen
paints before they load.
Bad input (a broken lesson, a bad argument) prints a short message and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
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

COMMANDS = ("list", "check", "trace", "train", "export", "serve") + cli_diagnosis.COMMANDS
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


class _Parser(argparse.ArgumentParser):
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


def _command_parser() -> argparse.ArgumentParser:
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
    trace.add_argument("--decimals", type=int, default=4, metavar="D",
                       help="decimals in the worked arithmetic (default 4)")
    trace.add_argument("--json", action="store_true", help="print the full trace as JSON")

    train = commands.add_parser("train", help="train with the lesson's settings")
    train.add_argument("path", metavar="PATH")
    train.add_argument("--epochs", type=int, metavar="N", help="epochs (default: the lesson's)")
    train.add_argument("--predict", action="append", default=[], metavar="V[,V...]",
                       help="input values to predict after training (repeatable)")
    train.add_argument("--json", action="store_true", help="print JSON")

    export = commands.add_parser(
        "export", help="the lesson as a document (Markdown) or as a NumPy script")
    export.add_argument("path", metavar="LESSON", help="a lesson file")
    kind = export.add_mutually_exclusive_group(required=True)
    kind.add_argument("--markdown", action="store_true",
                      help="the whole lesson, worked out, with the solutions at the end")
    kind.add_argument("--python", action="store_true",
                      help="a standalone NumPy script of the lesson's network and training")
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
    """``data`` with every non-finite float replaced by None, and {path: "inf"/"-inf"/"nan"}
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


def _print_trace_text(lesson: Lesson, trace, row: int | None) -> None:
    from nn_tui.format import worked
    from nn_tui.format.numbers import vector

    spec = lesson.network
    depth = len(trace.layers)
    print(f"{lesson.title}  ({lesson.id}, {lesson.path})")
    shape = " → ".join(str(size) for size in spec.sizes)
    activations = ", ".join(layer.activation for layer in spec.layers)
    print(f"network {shape} ({activations}), loss {spec.loss}, η = {spec.learning_rate:g}")
    overflow = _overflow_note(trace.to_dict())
    if overflow:
        print(f"⚠ {overflow}")
    if trace.mode == "sample":
        print(f"sample: row {row}: {_names(trace.x, spec.inputs)}; "
              f"target {_names(trace.y, spec.outputs)}")
    else:
        print(f"batch: all {len(trace.x)} rows, loss = {trace.reduction} of the per-row losses")

    print("\nForward pass")
    for layer in range(depth):
        print(f"  layer {layer + 1} ({trace.layers[layer].activation})")
        if trace.mode == "sample":
            for line in worked.forward_lines(trace, layer):
                print(f"    {line.text()}")
        else:
            for data_row, z, a in worked.batch_forward_rows(trace, layer):
                print(f"    row {data_row:>3}: z = {z}  a = {a}")

    print(f"\nLoss ({trace.loss_name})")
    for line in worked.loss_lines(trace):
        print(f"  {line.text()}")

    print("\nBackward pass (chain rule, from the output back)")
    for layer in range(depth - 1, -1, -1):
        print(f"  layer {layer + 1}")
        for grad_row in worked.backward_rows(trace, layer):
            print(f"    {grad_row.text():<60}  {grad_row.meaning}")

    print(f"\nUpdate: w ← w − η·∂L/∂w with η = {trace.learning_rate:g}")
    for layer in range(depth):
        for line in worked.update_lines(trace, layer):
            print(f"  {line.text()}")

    print("\nAfter the step")
    if trace.mode == "sample":
        print(f"  ŷ = {vector(trace.after.output)} (was {vector(trace.output)})")
    after = worked.after_lines(trace)[1]
    print(f"  L = {after.value} ({after.plugged})")
    if overflow:
        print(f"\n⚠ {overflow}")


def run_trace(args: argparse.Namespace) -> int:
    from nn_tui.format.numbers import use_decimals

    lesson = _load(args.path)
    network = lesson.network.build()
    if args.sample is not None and not 0 <= args.sample < len(lesson.rows):
        raise UsageError(
            f"nn-tui trace: --sample {args.sample}: {args.path} has rows 0 to {len(lesson.rows) - 1}"
        )
    if not 1 <= args.decimals <= 15:
        raise UsageError("nn-tui trace: --decimals must be between 1 and 15")
    use_decimals(args.decimals)
    if args.batch:
        from nn_tui.lessons.loader import MAX_BATCH_TRACE_VALUES, batch_trace_values

        values = batch_trace_values(lesson.network, len(lesson.rows))
        if values > MAX_BATCH_TRACE_VALUES:
            raise LessonError.single(
                args.path, "data.rows",
                f"a trace of all {len(lesson.rows)} rows as one batch would hold {values:,} "
                f"numbers; the budget is {MAX_BATCH_TRACE_VALUES:,} (trace one row with --sample)")
    # The engine keeps NumPy's floating-point warnings to itself and reports overflow in words.
    if args.batch:
        row = None
        trace = network.trace(lesson.X, lesson.Y, rows=tuple(range(len(lesson.rows))))
    else:
        row = lesson.focus if args.sample is None else args.sample
        trace = network.trace(lesson.X[row], lesson.Y[row], rows=(row,))
    if args.json:
        print_json(trace.to_dict(lesson.id))
    else:
        _print_trace_text(lesson, trace, row)
    return EXIT_OK


# -- train ---------------------------------------------------------------------------------------


def _parse_predict(values: list[str], size: int) -> list[list[float]]:
    import numpy as np

    parsed = []
    for text in values:
        try:
            vector = [float(part) for part in text.split(",")]
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

    lesson = _load(args.path)
    epochs = lesson.training.epochs if args.epochs is None else args.epochs
    if not 1 <= epochs <= 1_000_000:
        raise UsageError("nn-tui train: --epochs must be between 1 and 1000000")
    if args.epochs is not None:
        _within_training_budget(lesson, epochs)
    predictions_in = _parse_predict(args.predict, len(lesson.network.inputs))
    trainer = Trainer(lesson.network.build(), lesson.X, lesson.Y, lesson.training.batch_size,
                      lesson.training.shuffle_seed)
    report_every = max(1, epochs // 10)
    if not args.json:
        print(f"training {lesson.id}: {epochs} epochs, η = {lesson.network.learning_rate:g}, "
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
                      **cli_diagnosis.runners()}[args.command]
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
