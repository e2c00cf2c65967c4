"""The self-check answer language (paths, arithmetic, functions; never eval) and learner numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from table_checks import check_each

from nn_tui.engine import Network
from nn_tui.lessons.expressions import (
    FUNCTIONS,
    ExpressionError,
    parse_expression,
    parse_learner_number,
)


@pytest.fixture(scope="module")
def context():
    network = Network.build([2, 2, 1], ["relu", "sigmoid"], "bce", 0.1,
                            params=[(np.array([[0.2, 0.6], [0.5, 0.7]]), np.array([0.0, 0.0])),
                                    (np.array([[0.3, 0.9]]), np.array([0.0]))])
    data = network.trace(np.array([1.0, 1.0]), np.array([1.0]), rows=(0,)).to_dict()
    data["training"] = {"main": {"loss": 0.25, "history": [1.0, 0.5, 0.25], "epochs": 2.0}}
    return data


def _value(source: str, context) -> float:
    return parse_expression(source).evaluate(context)


EVALUATE = [
    ("layers[0].z[0]", 0.8),
    ("layers[0].z[1]", 1.2),
    ("layers[1].z[0]", 1.32),
    ("layers[0].W[1][0]", 0.5),
    ("layers[-1].z[0]", 1.32),
    ("x[0] + x[1]", 2.0),
    ("y[0]", 1.0),
    ("learning_rate", 0.1),
    ("rows[0]", 0.0),
    ("training.main.loss", 0.25),
    ("training.main.history[1]", 0.5),
    ("layers[0].z[1] - layers[0].z[0]", 0.4),
    ("2 * layers[0].z[0] + 1", 2.6),
    ("2·layers[0].z[0] − 1", 0.6),
    ("(1 + 2) * 3", 9.0),
    ("1 + 2 * 3", 7.0),
    ("2 ^ 3 ^ 2", 512.0),
    ("2 ** 3", 8.0),
    ("-2 ^ 2", -4.0),
    ("10 / 4", 2.5),
    ("1.5e1 + .5", 15.5),
    ("layers[0].z[0] < layers[0].z[1]", 1.0),
    ("layers[0].z[0] >= 1", 0.0),
    ("2 == 2", 1.0),
    ("abs(-3)", 3.0),
    ("sign(after.loss - loss)", -1.0),
    ("exp(0)", 1.0),
    ("ln(exp(2))", 2.0),
    ("log(1)", 0.0),
    ("sqrt(16)", 4.0),
    ("sigmoid(0)", 0.5),
    ("sigmoid(-1000)", 0.0),
    ("relu(-2) + relu(3)", 3.0),
    ("tanh(0)", 0.0),
    ("round(0.123456, 3)", 0.123),
    ("max(layers[0].z)", 1.2),
    ("min(layers[0].z)", 0.8),
    ("max(1, 5, 2)", 5.0),
    ("sum(layers[0].W)", 2.0),
    ("mean(layers[0].z)", 1.0),
    ("argmax(layers[0].z)", 1.0),
    ("argmin(layers[0].z)", 0.0),
    ("len(training.main.history)", 3.0),
    ("layers[0].z[1 - 1]", 0.8),
]


def test_expressions_evaluate(context):
    # Every expression of EVALUATE (table_checks: each failing source named).
    def evaluates(source, expected):
        assert _value(source, context) == pytest.approx(expected)

    check_each(evaluates, [(source, (source, expected)) for source, expected in EVALUATE])


def test_loss_and_after_paths(context):
    assert _value("loss", context) == pytest.approx(-math.log(context["output"][0]))
    assert _value("after.loss", context) == pytest.approx(context["after"]["loss"])
    assert _value("grads[1].W[0][0]", context) == pytest.approx(context["grads"][1]["W"][0][0])
    assert _value("after.layers[1].W[0][0] - layers[1].W[0][0]", context) == pytest.approx(
        -0.1 * context["grads"][1]["W"][0][0]
    )


DO_NOT_PARSE = [
    ("", "empty"),
    ("   ", "empty"),
    ("1 +", "ends too early"),
    ("(1 + 2", "ends too early"),
    ("1 2", "unexpected"),
    ("layers[0", "ends too early"),
    ("layers.", "ends too early"),
    ("layers.[0]", "expected a name"),
    ("foo(1)", "unknown function"),
    ("__import__(1)", "unknown function"),
    ("abs(1, 2)", "takes 1 argument"),
    ("round(1)", "takes 2 argument"),
    ("1 ; 2", "unexpected character"),
    ("'text'", "unexpected character"),
    ("a = 1", "unexpected character"),
    ("x" * 501, "limited to 500"),
    ("-" * 100 + "1", "nested too deeply"),
    ("(" * 100 + "1" + ")" * 100, "nested too deeply"),
]


def test_bad_expressions_do_not_parse():
    def refused(source, words):
        with pytest.raises(ExpressionError, match=words):
            parse_expression(source)

    check_each(refused, [(repr(source[:40]), (source, words)) for source, words in DO_NOT_PARSE])


DO_NOT_RESOLVE = [
    ("nothing", "unknown name 'nothing'"),
    ("layers[5].z[0]", "out of range: layers has 2 items"),
    ("layers[0].q", "has no field 'q'"),
    ("layers[0].z", "is a list, not a number"),
    ("layers[0].z[0.5]", "not a whole number"),
    ("loss[0]", "not a list"),
    ("1 / 0", "division by zero"),
    ("ln(0)", "undefined"),
    ("sqrt(-1)", "undefined"),
    ("10 ^ 1000", "cannot be computed"),
    ("max(layers[0])", "needs a list of numbers .* holds a table"),
    ("max()", "non-empty list"),
    ("training.slow.loss", "has no field 'slow'"),
    ("layers + 1", "a list, not a number"),
]


def test_bad_expressions_do_not_resolve(context):
    def refused(source, words):
        with pytest.raises(ExpressionError, match=words):
            _value(source, context)

    check_each(refused, [(source, (source, words)) for source, words in DO_NOT_RESOLVE])


def test_roots_lists_the_names_read():
    assert parse_expression("after.loss - loss + max(layers[0].z)").roots == {"after", "loss", "layers"}


def test_python_is_never_evaluated(context):
    # Things that would do something in Python are plain syntax errors or unknown names here.
    for source in ("__class__", "().__class__", "open('x')", "[1, 2]", "lambda: 1"):
        with pytest.raises(ExpressionError):
            _value(source, context)


def test_every_function_is_documented_by_name():
    assert set(FUNCTIONS) == {
        "abs", "sign", "exp", "ln", "log", "sqrt", "sigmoid", "relu", "tanh", "round", "max",
        "min", "sum", "mean", "argmax", "argmin", "len",
    }


LEARNER_NUMBERS = [
    ("0.325", 0.325),
    ("-2.8e-2", -0.028),
    ("1/3", 1 / 3),
    (".5", 0.5),
    ("  7 ", 7.0),
    ("−0.7", -0.7),
    ("+4", 4.0),
    ("-1/4", -0.25),
    ("2.5E3", 2500.0),
    ("3.", 3.0),
]


def test_learner_numbers():
    def reads(text, expected):
        assert parse_learner_number(text) == pytest.approx(expected)

    check_each(reads, [(repr(text), (text, expected)) for text, expected in LEARNER_NUMBERS])


NOT_LEARNER_NUMBERS = ["abc", "1/0", "", "   ", "1e999", "1,5", "0.3.2", "--1", "1/", "/2", "e5",
                       "nan", "inf", "2*"]


def test_not_learner_numbers():
    def not_a_number(text):
        assert parse_learner_number(text) is None

    check_each(not_a_number, [(repr(text), (text,)) for text in NOT_LEARNER_NUMBERS])
