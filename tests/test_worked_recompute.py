"""Every worked line recomputes from its displayed numbers (issue 14, "every screen agrees with
itself", items 1 and 3).

A learner with a calculator who types in a worked line's numbers as they are shown gets its
result as it is shown, at every digits setting (4, 6, 9); an "old → new (change)" line's two
values give its change. Checked over every step of every bundled lesson and of the generated
walk-through of each bundled network, twice: from the line's structured numbers
(``WorkedLine.numbers``) and by parsing the displayed text itself as arithmetic.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from lesson_files import dense_lesson

from nn_tui.format import worked
from nn_tui.format.arithmetic import parse_shown
from nn_tui.format.numbers import DECIMAL_CHOICES, num, use_decimals
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS

LESSON_FILES = sorted(LESSONS.glob("*.toml"))
CASES = [(path, generated) for path in LESSON_FILES for generated in (False, True)]


@cache
def traces(path: Path, generated: bool) -> tuple:
    """Every distinct trace on screen over the lesson's steps (or its generated walk-through)."""
    lesson = load_lesson(path)
    if generated:
        lesson = replace(lesson, steps=())
    session = LessonSession(lesson)
    seen: dict[int, object] = {}
    for index in range(session.total):
        trace = session.view(index).trace
        seen.setdefault(id(trace), trace)
    return tuple(seen.values())


def all_lines(trace) -> list:
    depth = len(trace.layers)
    lines = list(worked.loss_lines(trace)) + list(worked.after_lines(trace))
    for layer in range(depth):
        if trace.mode == "sample":
            lines += worked.forward_lines(trace, layer)
        lines += worked.backward_rows(trace, layer) + worked.update_lines(trace, layer)
    return lines


def all_changes(trace) -> list:
    changes = worked.output_changes(trace)
    loss = worked.loss_change(trace)
    if loss is not None:
        changes.append(loss)
    for layer in range(len(trace.layers)):
        changes += worked.parameter_changes(trace, layer)
    return changes


# -- the displayed text as arithmetic ----------------------------------------------------------

_NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?"
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_CALLS = {"exp": math.exp, "log": math.log, "tanh": math.tanh, "max": max}


def _python(text: str) -> str:
    """The displayed numbers as a Python expression: − → -, · → *, ² → **2, e^x → exp(x),
    ln x → log(x), ½ → 0.5, [ ] → ( )."""
    text = (text.replace("−", "-").replace("·", "*").replace("²", "**2").replace("½", "0.5")
            .replace("[", "(").replace("]", ")"))
    text = re.sub(rf"e\^({_NUMBER})", r"exp(\1)", text)
    text = re.sub(rf"\bln ({_NUMBER})", r"log(\1)", text)
    return text.replace("ln(", "log(")


def _evaluate(node: ast.AST) -> float:
    """A small evaluator of the arithmetic a worked line can show (no eval of text)."""
    if isinstance(node, ast.Expression):
        return _evaluate(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in _CALLS:
        return _CALLS[node.func.id](*(_evaluate(arg) for arg in node.args))
    if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare) \
            and isinstance(node.test.ops[0], ast.Gt):
        positive = _evaluate(node.test.left) > _evaluate(node.test.comparators[0])
        return _evaluate(node.body if positive else node.orelse)
    raise AssertionError(f"not arithmetic a worked line shows: {ast.dump(node)}")


def evaluate_text(text: str) -> float:
    return _evaluate(ast.parse(_python(text), mode="eval"))


def shown_as(value_text: str, result: float, decimals: int) -> str:
    """``result`` written the way the line's value is: a whole-number slope as "1"/"0"."""
    if value_text in ("0", "1"):
        return "1" if result == 1.0 else "0" if result == 0.0 else num(result, decimals)
    return num(result, decimals)


def check_line(line, decimals: int, where: str) -> int:
    """Assert one line recomputes; return 1 if it has numbers to recompute, else 0."""
    if line.numbers is None or not line.plugged or line.value.endswith("(overflow)"):
        return 0
    # The text on screen is the tree's, at the digits the line says.
    assert line.plugged == line.numbers.render(line.digits), where
    assert line.digits >= decimals, where
    shown = line.numbers.recompute(line.digits)
    assert shown_as(line.value, shown, decimals) == line.value, (
        f"{where}: {line.text()} recomputes to {shown!r}")
    # ... and the text itself, read as arithmetic (a shortened sum "a + … + z" hides terms).
    if "…" not in line.plugged:
        from_text = evaluate_text(line.plugged)
        assert shown_as(line.value, from_text, decimals) == line.value, (
            f"{where}: {line.text()} reads as {from_text!r}")
    return 1


def check_change(change, decimals: int, where: str) -> int:
    if not change.change:
        return 0
    difference = parse_shown(change.new) - parse_shown(change.old)
    assert worked.signed(num(difference, decimals)) == change.change, (
        f"{where}: {change.text()}: the values shown differ by {difference!r}")
    return 1


@pytest.fixture
def decimals_setting():
    yield
    use_decimals(DECIMAL_CHOICES[0])


@pytest.mark.parametrize("decimals", DECIMAL_CHOICES)
@pytest.mark.parametrize("path,generated", CASES,
                         ids=[f"{p.stem}{'-walkthrough' if g else ''}" for p, g in CASES])
def test_every_worked_line_recomputes_from_its_shown_numbers(path, generated, decimals,
                                                             decimals_setting):
    use_decimals(decimals)
    checked = 0
    for number, trace in enumerate(traces(path, generated)):
        for line in all_lines(trace):
            checked += check_line(line, decimals, f"{path.name} trace {number} d={decimals}")
        for change in all_changes(trace):
            checked += check_change(change, decimals, f"{path.name} trace {number}")
    assert checked > 0


def test_the_issue_examples_recompute(decimals_setting):
    """The four lines the issue quotes, at 4 digits: each operand that rounding would break is
    written with one more digit."""
    from nn_tui.format.arithmetic import Given, Group, Mul, Num, Square, Sub, Sum, fit

    use_decimals(4)
    slope = fit(Sub(Given(1), Square(Num(0.46212))), num(1 - 0.46212**2))
    assert slope.text == "1 − 0.46212²" and num(1 - 0.46212**2) == "0.7864"
    blame = fit(Mul((Given(0.7), Num(-0.20425))), num(0.7 * -0.20425))
    assert blame.text == "0.7·(−0.20425)" and num(0.7 * -0.20425) == "−0.1430"
    z = 0.54082 + 0.24082 + 0.14082
    total = fit(Sum((Mul((Num(0.54082), Given(1))), Mul((Num(0.24082), Given(1))),
                     Num(0.14082))), num(z))
    assert num(z) == "0.9225" and total.text == "0.54082·1 + 0.24082·1 + 0.14082"
    exact = fit(Group(Sub(Given(1), Num(0.25))), "0.7500")
    assert exact.text == "(1 − 0.2500)" and exact.digits == 4  # no extra digit when not needed


def test_a_line_that_cannot_recompute_is_written_at_the_setting(decimals_setting):
    from nn_tui.format.arithmetic import Exp, Num, fit

    use_decimals(4)
    overflowing = fit(Exp(Num(1e6)), "∞")
    assert not overflowing.recomputes and overflowing.digits == 4


def test_text_reader_reads_every_form():
    assert evaluate_text("1 / (1 + e^−0.8000)") == pytest.approx(1 / (1 + math.exp(-0.8)))
    assert evaluate_text("1 if −1.5000 > 0 else 0.01") == 0.01
    assert evaluate_text("−(1/2)·[1·ln 0.7000 + 0·ln 0.3000]") == pytest.approx(
        -0.5 * math.log(0.7))
    assert evaluate_text("1.0000·2.061e−09") == pytest.approx(2.061e-09)
    assert evaluate_text("½·(1 − (−0.5000))²") == pytest.approx(1.125)
    assert evaluate_text("max(0, −1.5000)") == 0.0
    assert np.isclose(evaluate_text("ln(1 + e^0.3000)"), math.log(1 + math.exp(0.3)))


# -- every activation and loss, on drawn weights -------------------------------------------------

HIDDEN = ("identity", "relu", "leaky_relu", "sigmoid", "softplus", "tanh")
PAIRS = [("sigmoid", "bce"), ("softmax", "cross_entropy"), ("softmax", "bce"),
         ("identity", "mse"), ("tanh", "sse"), ("relu", "half_sse"), ("softplus", "mse")]


def _inline(hidden: str, output: str, loss: str, seed: int, rows: int) -> str:
    units = 2 if output == "softmax" else 1
    targets = [1, 0] if units == 2 else [0.3 if loss != "bce" else 1]
    data = [[0.37 * (r + 1), -1.3 + r, 2.1] + targets for r in range(rows)]
    return dense_lesson(["a", "b", "c"], [f"o{k}" for k in range(units)],
                        [{"units": 5, "activation": hidden},
                         {"units": units, "activation": output}],
                        data, loss=loss, learning_rate=0.3, seed=seed)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output,loss", PAIRS)
def test_every_activation_and_loss_recomputes(hidden, output, loss, decimals_setting):
    """Drawn weights (long decimals), five hidden units (a shortened sum), sample and batch."""
    from nn_tui.lessons.loader import parse_lesson_text

    for seed in (1, 2):
        lesson = parse_lesson_text(_inline(hidden, output, loss, seed, rows=3))
        network = lesson.network.build()
        for trace in (network.trace(lesson.X[1], lesson.Y[1], rows=(1,)),
                      network.trace(lesson.X, lesson.Y)):
            for decimals in DECIMAL_CHOICES:
                use_decimals(decimals)
                checked = sum(check_line(line, decimals, f"{hidden}/{output}/{loss}")
                              for line in all_lines(trace))
                checked += sum(check_change(change, decimals, f"{hidden}/{output}/{loss}")
                               for change in all_changes(trace))
                assert checked > 10
