"""``nn-tui export LESSON --python``: the exported NumPy script, run in a process of its own, gives
the numbers of ``nn-tui trace --json`` and ``nn-tui train --json`` (to 1e-12), under the panes'
names. The scripts the tests run are exported and run once per test process (``runs``): each in
its own process, forked from one interpreter that has NumPy loaded (``tests/script_runs.py``).

Every bundled lesson is exported and run; synthetic lessons cover each activation and loss pairing
the loader accepts, seeded weights, mini-batches with shuffling, the sum reduction, saturated
outputs, divergence, and variants of every kind.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from script_runs import ScriptRun, run_scripts

from nn_tui.cli import main
from nn_tui.engine import Trainer
from nn_tui.export.python import export_python
from nn_tui.format import worked
from nn_tui.lessons.catalog import bundled_lessons_dir, load_checked_lesson

BUNDLED = sorted(bundled_lessons_dir().glob("*.toml"))
TOLERANCE = 1e-12
# Keys of `nn-tui trace --json` that say where the numbers come from rather than being numbers
# the script computes (the lesson id, and the report of overflowed values).
NOT_COMPUTED = {"lesson", "non_finite"}
# Lesson-sized matrices: a multi-threaded BLAS only slows the script down (see nn_tui/__init__).
SCRIPT_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}


# -- helpers -----------------------------------------------------------------------------------


def _cli_json(capsys, *argv: str) -> dict:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out)


def _output(result) -> str:
    """A script run's stdout, once it exited 0 and wrote nothing to stderr."""
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no warnings between the numbers
    return result.stdout


@dataclass
class Exported:
    """A lesson file, what ``nn-tui export PATH --python`` did (status, stdout = the script,
    stderr), and the script's runs by their arguments."""

    path: Path
    status: int
    script: str
    err: str
    runs: dict[tuple[str, ...], ScriptRun]

    def output(self, *args: str) -> str:
        """The script's stdout when run with ``args`` (the export succeeded, the run too)."""
        assert self.status == 0, self.err
        return _output(self.runs[args])


def _export_quietly(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["export", str(path), "--python"])
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Exported]:
    """Every lesson these tests run a script of, by name (a bundled lesson's stem, a
    SYNTHETIC name, "tricky"): exported through the CLI, and the scripts run with the
    arguments the tests need, all at once (one interpreter start; a process per script)."""
    folder = tmp_path_factory.mktemp("exported")
    lessons = {path.stem: (path, [("--json",), ()]) for path in BUNDLED}
    for name, text in SYNTHETIC.items():
        path = folder / f"{name}.toml"
        path.write_text(text, encoding="utf-8")
        lessons[name] = (path, [("--json",), ()] if name == "diverges" else [("--json",)])
    tricky = folder / TRICKY_FILE
    tricky.write_text(TRICKY, encoding="utf-8")
    lessons["tricky"] = (tricky, [("--json",), ()])
    found: dict[str, Exported] = {}
    jobs = []
    for name, (path, arguments) in lessons.items():
        status, script, err = _export_quietly(path)
        found[name] = Exported(path, status, script, err, {})
        if status == 0:
            script_path = folder / f"{name}_export.py"
            script_path.write_text(script, encoding="utf-8")
            jobs += [(name, script_path, args) for args in arguments]
    results = run_scripts([(script, *args) for _, script, args in jobs], SCRIPT_ENV,
                          preload=["numpy"])
    for (name, _, args), result in zip(jobs, results):
        found[name].runs[args] = result
    return found


def _close(got, expected) -> bool:
    if expected is None or got is None:  # an overflowed value is null in both
        return got is None and expected is None
    return math.isclose(got, expected, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def _compare(got, expected, path: str, diffs: list[float]) -> None:
    """Every value of ``expected`` (the CLI's JSON) is in ``got`` (the script's) and agrees."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), path
        for key, value in expected.items():
            if key in NOT_COMPUTED:
                continue
            assert key in got, f"the script has no {path}.{key}"
            _compare(got[key], value, f"{path}.{key}" if path else key, diffs)
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), path
        for index, (item, value) in enumerate(zip(got, expected)):
            _compare(item, value, f"{path}[{index}]", diffs)
    elif isinstance(expected, bool) or isinstance(expected, str):
        assert got == expected, path
    else:
        assert _close(got, expected), f"{path}: script {got!r}, nn-tui {expected!r}"
        if got is not None:
            diffs.append(abs(got - expected))


def _check_lesson(capsys, lesson: Exported) -> float:
    """The exported script's --json output against trace/train; the largest absolute
    difference found."""
    path = lesson.path
    got = json.loads(lesson.output("--json"))
    trace = _cli_json(capsys, "trace", str(path), "--json")
    train = _cli_json(capsys, "train", str(path), "--json")
    diffs: list[float] = []
    training = got.pop("training")
    variants = got.pop("variants", {})
    _compare(got, trace, "", diffs)
    assert _close(training["loss"], train["loss"]), (training, train["loss"])
    assert training["kept_epoch"] == train["kept_epoch"]
    if training["loss"] is not None:
        diffs.append(abs(training["loss"] - train["loss"]))

    # Each variant: as a fresh Trainer trains it (what the tutor's train steps do).
    lesson, _ = load_checked_lesson(path)
    assert sorted(variants) == sorted(variant.id for variant in lesson.variants)
    for variant in lesson.variants:
        epochs = variant.epochs or lesson.training.epochs
        trainer = Trainer(variant.network.build(), lesson.X, lesson.Y,
                          lesson.training.batch_size, lesson.training.shuffle_seed)
        trainer.run(epochs)
        expected = trainer.history[-1]
        result = variants[variant.id]
        expected_json = expected if math.isfinite(expected) else None
        assert _close(result["loss"], expected_json), (variant.id, result, expected)
        assert result["kept_epoch"] == len(trainer.history) - 1
        if result["loss"] is not None:
            diffs.append(abs(result["loss"] - expected))
    return max(diffs)


# -- every bundled lesson ----------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=[path.stem for path in BUNDLED])
def test_bundled_lesson_script_agrees_with_trace_and_train(capsys, exported, path):
    worst = _check_lesson(capsys, exported[path.stem])
    assert worst <= TOLERANCE
    print(f"{path.stem}: max abs diff {worst:.3g}")


def _pane_values(path: Path) -> dict[str, float]:
    """{pane symbol: value} of every scalar line of the Forward and Gradients panes (and the
    update lines) for the lesson's focus row, taken from the engine's trace."""
    lesson, _ = load_checked_lesson(path)
    trace = lesson.network.build().trace(lesson.X[lesson.focus], lesson.Y[lesson.focus],
                                         rows=(lesson.focus,))
    data = trace.to_dict()
    lines = []
    for layer in range(len(trace.layers)):
        lines += worked.forward_lines(trace, layer)
        lines += worked.backward_rows(trace, layer)
        lines += worked.update_lines(trace, layer)
    lines += worked.loss_lines(trace) + worked.after_lines(trace)
    values = {}
    for line in lines:
        value = data
        for part in re.findall(r"[A-Za-z_]+|\[\d+\]", line.path):
            value = value[int(part[1:-1])] if part.startswith("[") else value[part]
        values[line.symbol] = float(value)
    return values


@pytest.mark.parametrize("path", BUNDLED, ids=[path.stem for path in BUNDLED])
def test_printed_names_are_the_panes_names(exported, path):
    """Every symbol the panes show for the focus row is printed by the script, with its value."""
    printed = {}
    for line in exported[path.stem].output().splitlines():
        match = re.fullmatch(r"\s+(\S.*?) = (\S+)", line)
        if match:
            printed.setdefault(match.group(1), float(match.group(2)))
    for symbol, value in _pane_values(path).items():
        assert symbol in printed, f"{path.stem}: the panes' {symbol} is not printed"
        assert math.isclose(printed[symbol], value, rel_tol=TOLERANCE, abs_tol=TOLERANCE), symbol


# -- synthetic lessons: every pairing, seeds, batches, reductions ------------------------------


def _lesson(lesson_id: str, inputs: list[str], outputs: list[str], loss: str,
            layers: list[dict], rows: list[list[float]], *, learning_rate: float = 0.1,
            reduction: str | None = None, seed: int | None = None, training: str = "",
            variants: str = "", focus: int = 0, title: str | None = None) -> str:
    def layer_text(layer: dict, table: str = "network.layers") -> str:
        text = f"[[{table}]]\nunits = {layer['units']}\nactivation = \"{layer['activation']}\"\n"
        if "weights" in layer:
            text += f"weights = {layer['weights']}\n"
        if "bias" in layer:
            text += f"bias = {layer['bias']}\n"
        return text

    network = [f"inputs = {json.dumps(inputs)}", f"outputs = {json.dumps(outputs)}",
               f'loss = "{loss}"', f"learning_rate = {learning_rate}"]
    if reduction:
        network.append(f'reduction = "{reduction}"')
    if seed is not None:
        network.append(f"seed = {seed}")
    return (f'[lesson]\nid = "{lesson_id}"\ntitle = {json.dumps(title or lesson_id)}\n\n'
            "[network]\n" + "\n".join(network) + "\n\n"
            + "\n".join(layer_text(layer) for layer in layers)
            + f"\n[data]\nrows = {json.dumps(rows)}\nfocus = {focus}\n\n"
            + (f"[training]\n{training}\n\n" if training else "") + variants)


def _rows(n: int, inputs: int, targets, seed: int) -> list[list[float]]:
    rng = np.random.default_rng(seed)
    X = np.round(rng.uniform(-2, 2, size=(n, inputs)), 3)
    return [list(map(float, x)) + list(map(float, targets(x, i))) for i, x in enumerate(X)]


def _one_hot(k: int):
    return lambda x, i: [1.0 if j == i % k else 0.0 for j in range(k)]


SYNTHETIC = {
    # softmax + cross-entropy after a ReLU layer, seeded weights, shuffled mini-batches.
    "softmax-ce-relu": _lesson(
        "softmax-ce-relu", ["a", "b"], ["p", "q", "r"], "cross_entropy",
        [{"units": 4, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
        _rows(11, 2, _one_hot(3), 1), learning_rate=0.3, seed=5, focus=4,
        training="epochs = 40\nbatch_size = 4\nshuffle_seed = 7"),
    # sigmoid + bce after tanh, summed loss, batches of 3 with the default shuffle seed.
    "sigmoid-bce-tanh-sum": _lesson(
        "sigmoid-bce-tanh-sum", ["a", "b", "c"], ["yes"], "bce",
        [{"units": 3, "activation": "tanh"}, {"units": 1, "activation": "sigmoid"}],
        _rows(10, 3, lambda x, i: [float(x[0] + x[1] > 0)], 2), reduction="sum", seed=9,
        training="epochs = 30\nbatch_size = 3"),
    # tanh output + mse after an identity layer (explicit weights).
    "tanh-mse-identity": _lesson(
        "tanh-mse-identity", ["a"], ["u", "v"], "mse",
        [{"units": 2, "activation": "identity", "weights": [[0.5], [-0.3]], "bias": [0.1, 0.2]},
         {"units": 2, "activation": "tanh", "weights": [[0.4, -0.6], [0.9, 0.2]],
          "bias": [0.0, -0.1]}],
        _rows(6, 1, lambda x, i: [math.tanh(x[0]) * 0.5, -0.3], 3), learning_rate=0.2,
        training="epochs = 60"),
    # identity output + half_sse after ReLU, summed, batch larger than the data (full batch).
    "identity-halfsse-relu-sum": _lesson(
        "identity-halfsse-relu-sum", ["a", "b"], ["t"], "half_sse",
        [{"units": 3, "activation": "relu"}, {"units": 1, "activation": "identity"}],
        _rows(7, 2, lambda x, i: [2 * x[0] - x[1]], 4), reduction="sum", learning_rate=0.01,
        seed=3, training="epochs = 50\nbatch_size = 100"),
    # softmax + bce, softmax + mse and softmax + half_sse (variants), a relu output variant.
    "softmax-bce": _lesson(
        "softmax-bce", ["a"], ["p", "q"], "bce",
        [{"units": 2, "activation": "softmax"}],
        _rows(8, 1, _one_hot(2), 5), learning_rate=0.5, seed=11, focus=3,
        training="epochs = 25\nbatch_size = 3\nshuffle_seed = 123",
        variants=('[[variants]]\nid = "mse_sum"\nlabel = "softmax, mse, summed"\nloss = "mse"\n'
                  'reduction = "sum"\n\n'
                  '[[variants]]\nid = "half"\nlabel = "softmax, half_sse"\nloss = "half_sse"\n'
                  'epochs = 7\n\n'
                  '[[variants]]\nid = "ce"\nlabel = "cross-entropy"\nloss = "cross_entropy"\n'
                  'seed = 2\n\n'
                  '[[variants]]\nid = "relu_out"\nlabel = "relu outputs, mse"\nloss = "mse"\n'
                  '[[variants.layers]]\nunits = 3\nactivation = "tanh"\n'
                  '[[variants.layers]]\nunits = 2\nactivation = "relu"\n\n'
                  '[[variants]]\nid = "sig"\nlabel = "sigmoid outputs, bce"\n'
                  '[[variants.layers]]\nunits = 2\nactivation = "sigmoid"\n')),
    # sigmoid + mse and half_sse; outputs saturated (|z| ≈ 60): σ rounds to 0 or 1.
    "sigmoid-saturated": _lesson(
        "sigmoid-saturated", ["a"], ["t"], "mse",
        [{"units": 2, "activation": "sigmoid", "weights": [[30.0], [-25.0]], "bias": [0.0, 1.0]},
         {"units": 1, "activation": "sigmoid", "weights": [[40.0, 35.0]], "bias": [-15.0]}],
        [[2.0, 0.0], [-1.5, 1.0], [0.5, 1.0], [1.0, 0.0]],
        training="epochs = 20",
        variants=('[[variants]]\nid = "bce"\nlabel = "bce from the logits"\nloss = "bce"\n\n'
                  '[[variants]]\nid = "half"\nlabel = "half_sse"\nloss = "half_sse"\n')),
    # A softmax confidently wrong: logits 60 apart; bce and cross-entropy from the logits.
    "softmax-confident": _lesson(
        "softmax-confident", ["a"], ["p", "q", "r"], "bce",
        [{"units": 3, "activation": "softmax", "weights": [[20.0], [-20.0], [0.0]],
          "bias": [0.0, 0.0, 1.0]}],
        [[3.0, 0.0, 1.0, 0.0], [-3.0, 1.0, 0.0, 0.0], [0.1, 0.0, 0.0, 1.0]],
        training="epochs = 15",
        variants='[[variants]]\nid = "ce"\nlabel = "cross-entropy"\nloss = "cross_entropy"\n'),
    # A learning rate far too large: training stops diverged, as nn-tui train does.
    "diverges": _lesson(
        "diverges", ["a"], ["t"], "mse",
        [{"units": 1, "activation": "identity", "weights": [[0.0]], "bias": [0.0]}],
        [[1.0, 3.0], [2.0, 5.0], [3.0, 7.0], [4.0, 9.0]], learning_rate=1.5,
        training="epochs = 400",
        variants='[[variants]]\nid = "calm"\nlabel = "η = 0.01"\nlearning_rate = 0.01\n'),
}


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_lesson_script_agrees(capsys, exported, name):
    load_checked_lesson(exported[name].path)  # a valid lesson, or the test itself is wrong
    worst = _check_lesson(capsys, exported[name])
    assert worst <= TOLERANCE
    print(f"{name}: max abs diff {worst:.3g}")


def test_divergence_is_reported_like_nn_tui_train(capsys, exported):
    train = _cli_json(capsys, "train", str(exported["diverges"].path), "--json")
    assert train["diverged"]  # the case is the one it claims to be
    output = exported["diverges"].output()
    assert "diverged" in output, output


def test_seeded_weights_are_written_out_exactly(capsys, tmp_path):
    """Weights the file leaves out are the engine's seeded ones, as literals that round-trip."""
    path = tmp_path / "seeded.toml"
    path.write_text(SYNTHETIC["softmax-ce-relu"], encoding="utf-8")
    lesson, _ = load_checked_lesson(path)
    source = export_python(lesson)
    network = lesson.network.build()
    for layer in network.layers:
        for value in layer.W.ravel():
            assert repr(float(value)) in source
    assert "seed" in source and "np.random" not in source.split("# == 5. training")[0]


def test_only_the_code_the_lesson_needs(capsys, tmp_path):
    """A sigmoid + half_sse lesson carries no other activation or loss; full-batch training
    draws no random numbers; NumPy is the only import besides sys and json."""
    lesson, _ = load_checked_lesson(bundled_lessons_dir() / "psa-hidden-layer.toml")
    source = export_python(lesson)
    tree = ast.parse(source)
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported == {"json", "sys", "numpy"}
    functions = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"sigmoid", "sigmoid_slope", "half_sse", "half_sse_grad"} <= functions
    for absent in ("softmax", "relu", "tanh", "identity", "mse", "bce", "cross_entropy",
                   "log_softmax", "log_one_minus_softmax"):
        assert absent not in functions
    assert "softmax" not in source and "default_rng" not in source

    path = tmp_path / "batches.toml"
    path.write_text(SYNTHETIC["softmax-ce-relu"], encoding="utf-8")
    batched = export_python(load_checked_lesson(path)[0])
    assert "default_rng(SHUFFLE_SEED)" in batched and "SHUFFLE_SEED = 7" in batched
    assert "def sigmoid(" not in batched and "def tanh(" not in batched


TRICKY_TITLE = 'Quotes """ \'\'\' and \\ back\nslash; import os'
TRICKY = _lesson(
    "tricky", ['in"put', "x'1"], ["t\\u"], "mse",
    [{"units": 1, "activation": "identity", "weights": [[1.0, 2.0]], "bias": [0.5]}],
    [[1.0, 2.0, 3.0]], title=TRICKY_TITLE, training="epochs = 3",
    variants=('[[variants]]\nid = "odd"\nlabel = "a \\"label\\"\\nwith os.system(1) '
              '\\\\"\nlearning_rate = 0.01\n'))
TRICKY_FILE = 'tri"""ck\\y.toml'  # the file name goes into the docstring too


def test_lesson_text_cannot_change_the_script(capsys, exported):
    """Quotes, backslashes and line breaks in the title, labels and names stay text."""
    title = TRICKY_TITLE
    tricky = exported["tricky"]
    lesson, _ = load_checked_lesson(tricky.path)
    assert lesson.title == title
    source = export_python(lesson)
    assert tricky.script == source  # what the CLI wrote, and ran below
    tree = ast.parse(source)
    assert ast.get_docstring(tree).startswith(title + "\n\nThe worked solution")  # text, not code
    assert all(not isinstance(node, ast.Import) or node.names[0].name in ("json", "sys", "numpy")
               for node in ast.walk(tree))
    output = tricky.output()
    assert output.startswith(title + "  (tricky)\n")
    assert 'in"put = 1.0, x\'1 = 2.0; target t\\u = 3.0' in output
    assert lesson.variants[0].label in output
    assert _check_lesson(capsys, tricky) <= TOLERANCE


# -- the command ------------------------------------------------------------------------------


BROKEN = _lesson("broken", ["x"], ["y"], "hinge",
                 [{"units": 1, "activation": "identity"}], [[1.0, 2.0]])


def test_a_bad_lesson_is_refused_with_exit_2(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    commands = (["export", str(broken), "--python"],
                ["export", str(broken), "--python", "-o", str(tmp_path / "out.py")],
                ["export", str(tmp_path / "missing.toml"), "--python"])
    # `python -m nn_tui ...`, each in a process of its own (forked from one interpreter).
    results = run_scripts([("-m", "nn_tui", *argv) for argv in commands], SCRIPT_ENV,
                          preload=["nn_tui.cli"])
    for argv, result in zip(commands, results):
        assert result.returncode == 2, argv
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        assert str(tmp_path) in result.stderr
    assert "network.loss: unknown loss 'hinge'" in results[0].stderr
    assert not (tmp_path / "out.py").exists()


def test_output_file_holds_the_same_script(capsys, tmp_path):
    lesson = bundled_lessons_dir() / "xor.toml"
    target = tmp_path / "xor.py"
    target.write_text("old", encoding="utf-8")
    assert main(["export", str(lesson), "--python", "-o", str(target)]) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8") == export_python(load_checked_lesson(lesson)[0])
    assert [p.name for p in tmp_path.iterdir()] == ["xor.py"]  # no temporary file left


@pytest.mark.parametrize("where", ["missing/dir/out.py", "."])
def test_output_that_cannot_be_written_is_a_clean_exit_2(capsys, tmp_path, where):
    lesson = bundled_lessons_dir() / "xor.toml"
    target = tmp_path / where
    assert main(["export", str(lesson), "--python", "-o", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "nn-tui export: -o" in err and "Traceback" not in err


def test_export_needs_a_format(capsys):
    assert main(["export", str(bundled_lessons_dir() / "xor.toml")]) == 2
    assert "--python" in capsys.readouterr().err
