"""Issue 11, the numbers a learner sees and types: one display rule for every magnitude, typed
arithmetic (safe, bounded, no trace paths), a default tolerance that follows the displayed digits
(checked on every bundled lesson), the settings file and the CLI's --decimals."""

from __future__ import annotations

import builtins
import json
import math
import os
import re
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from table_checks import check_each

from nn_tui.cli import main
from nn_tui.format import numbers
from nn_tui.format.numbers import (DECIMAL_CHOICES, current_decimals, next_decimals, num,
                                   short, use_decimals, vector)
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.expressions import (LEARNER_FUNCTIONS, MAX_LEARNER_NUMBER_LENGTH,
                                        parse_learner_answer, parse_learner_number)
from nn_tui.lessons.grading import (ABSOLUTE_FLOOR, closeness, default_tolerance, digit_unit,
                                    grade)
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.session import LessonSession
from nn_tui.lessons.settings import Settings, load_settings, save_settings

LESSONS = sorted(bundled_lessons_dir().glob("*.toml"))


@pytest.fixture(autouse=True)
def default_decimals():
    use_decimals(4)
    yield
    use_decimals(4)


def value_of(text: str) -> float:
    """The number a displayed text stands for (what a learner copying it would type)."""
    return float(text.replace("−", "-").replace("∞", "inf"))


def significant_digits(text: str) -> int:
    mantissa = text.lstrip("−").split("e")[0].replace(".", "")
    return len(mantissa.lstrip("0"))


# -- 4. one display rule -------------------------------------------------------------------------

FOUR_DIGITS = [
    (0.325, "0.3250"), (-0.7311, "−0.7311"), (12.345, "12.3450"), (0.1, "0.1000"),
    (0.0821, "0.08210"), (0.000438, "0.0004380"), (-0.000438, "−0.0004380"),
    (0.0001, "0.0001000"), (5e-5, "5.000e−05"), (1.125e-7, "1.125e−07"),
    (-1.125e-7, "−1.125e−07"), (0.099996, "0.1000"), (9.99996e-5, "0.0001000"),
    (123456.7, "123456.7000"), (999999.99996, "1.000e+06"), (1234567, "1.235e+06"),
    (0.0, "0.0000"), (-0.0, "0.0000"), (math.inf, "∞"), (-math.inf, "−∞"), (math.nan, "nan"),
    (5e-324, "4.941e−324"), (1e300, "1.000e+300"),
]


def test_the_rule_at_four_digits():
    def written(value, shown):
        assert num(value) == shown

    check_each(written, [(repr(value), (value, shown)) for value, shown in FOUR_DIGITS])


# Every exponent from −12 to 8, mantissas that round up, down and to the next power of ten,
# both signs: one table per digits setting (a failure lists every case that fails).
MAGNITUDES = [(exponent, mantissa, sign) for exponent in range(-12, 9)
              for mantissa in [1.0, 1.23456789012, 4.999999, 5.5, 9.87654321, 9.99999999]
              for sign in [1, -1]]


def _keeps_its_significant_digits(value: float, sign: int, decimals: int) -> None:
    text = num(value, decimals)
    assert "-" not in text, "a real minus sign everywhere"
    assert text.startswith("−") == (sign < 0), text
    assert num(-value, decimals) == (text[1:] if sign < 0 else "−" + text)
    # Never fewer significant digits than asked for, and within half a unit of the last one.
    assert significant_digits(text) >= decimals, text
    error = abs(value_of(text) - value)
    assert error <= 0.5 * digit_unit(value, decimals) * (1 + 1e-9), text
    shown = abs(value_of(text))
    if 1e-4 <= shown < 1e6:
        assert "e" not in text, text
        decimals_written = len(text.split(".")[1])
        if shown >= 0.1:
            assert decimals_written == decimals, text
        else:  # just the digits the significant ones need
            assert significant_digits(text) == decimals, text
    else:
        assert re.fullmatch(rf"−?\d\.\d{{{decimals - 1}}}e[+−]\d\d\d?", text) or (
            decimals == 1 and re.fullmatch(r"−?\de[+−]\d\d\d?", text)), text


@pytest.mark.parametrize("decimals", [1, 2, 3, 4, 6, 9, 15])
def test_every_magnitude_keeps_its_significant_digits(decimals):
    failures = []
    for exponent, mantissa, sign in MAGNITUDES:
        value = sign * mantissa * 10.0**exponent
        try:
            _keeps_its_significant_digits(value, sign, decimals)
        except AssertionError as error:
            case = f"{'−' if sign < 0 else ''}{mantissa}e{exponent} ({value!r})"
            failures.append(f"{case} at {decimals} digits: {error}")
    assert not failures, (f"{len(failures)} of {len(MAGNITUDES)} magnitudes:\n"
                          + "\n".join(failures))


@given(st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=False),
       st.sampled_from([1, 4, 6, 9, 15]))
@settings(max_examples=400, deadline=None)
def test_any_float_is_written_by_the_rule(value, decimals):
    text = num(value, decimals)
    assert "-" not in text
    if math.isnan(value):
        assert text == "nan"
    elif math.isinf(value):
        assert text == ("∞" if value > 0 else "−∞")
    elif value == 0:
        assert text == "0." + "0" * decimals
    else:
        assert significant_digits(text) >= decimals
        # (In decimal arithmetic: 2e+308, 1.5e308 at one digit, is no float.)
        error = abs(Decimal(text.replace("−", "-")) - Decimal(value))
        assert error <= Decimal(0.5 * digit_unit(value, decimals)) * Decimal("1.000000001")


def test_the_setting_is_what_num_writes_by_default_and_cycles():
    assert current_decimals() == 4 and DECIMAL_CHOICES == (4, 6, 9)
    assert [next_decimals(d) for d in (4, 6, 9, 1, 5, 12)] == [6, 9, 4, 4, 6, 4]
    use_decimals(6)
    assert num(0.32496247) == "0.324962" and vector([0.5, -0.25]) == "[0.500000, −0.250000]"
    use_decimals(99)
    assert current_decimals() == numbers.MAX_DECIMALS
    use_decimals(0)
    assert current_decimals() == numbers.MIN_DECIMALS


def test_short_writes_scientific_as_num_does():
    assert short(2.0) == "2" and short(-3.0) == "−3" and short(0.25) == "0.25"
    assert short(1e-5) == "1e−05" and short(2.5e7) == "2.5e+07"
    assert short(math.inf) == "∞"


# -- 1. typed arithmetic -------------------------------------------------------------------------

ARITHMETIC = [
    ("0.325*(1-0.325)", 0.325 * 0.675), ("0.3250·0.6750", 0.325 * 0.675),
    ("0.3250×0.6750", 0.325 * 0.675), ("0.3250 ⋅ 0.6750", 0.325 * 0.675),
    ("e^-1", math.exp(-1)), ("exp(-1)", math.exp(-1)), ("1/(1+e^-1)", 1 / (1 + math.exp(-1))),
    ("−0.5*(−2)", 1.0), ("−(0.25 + 0.5)", -0.75), ("2^3^2", 512.0),
    ("2**3", 8.0), ("-2^2", -4.0), ("1/2/4", 0.125), ("sqrt(0.25)", 0.5), ("ln(e)", 1.0),
    ("log(1)", 0.0), ("abs(-0.3)", 0.3), ("sigmoid(0)", 0.5), ("e", math.e),
    ("(0.7311 - 0) * 0.7311 * (1 - 0.7311)", 0.7311 * 0.7311 * 0.2689),
]


def _reads_as_arithmetic(typed, value):
    answer = parse_learner_answer(typed)
    assert answer is not None and answer.arithmetic
    assert answer.value == pytest.approx(value, rel=1e-12)
    assert parse_learner_number(typed) == answer.value


def test_arithmetic_a_learner_types():
    check_each(_reads_as_arithmetic, [(typed, (typed, value)) for typed, value in ARITHMETIC])


@pytest.mark.parametrize("typed, value", [("0.325", 0.325), ("-2.8e-2", -0.028), (".5", 0.5),
                                          ("−0.7", -0.7), (" 7 ", 7.0), ("3.", 3.0),
                                          ("1.2e−5", 1.2e-5), ("−1e−3", -0.001)])
def test_plain_numbers_are_not_arithmetic(typed, value):
    answer = parse_learner_answer(typed)
    assert answer.value == value and not answer.arithmetic
    assert parse_learner_answer("1/3").arithmetic  # a fraction's value is worth showing


NOT_NUMBERS = [
    # trace paths and other names: the answer box must not read the trace
    "output[0]", "layers[1].z[0]", "loss", "grads[0].W[0][0]", "y", "pi", "E", "x*2", "after.loss",
    "max(1, 2)", "sum(1, 2)", "round(0.3, 1)", "relu(1)", "tanh(1)", "len(1)", "argmax(1, 2)",
    # not numbers
    "", "   ", "abc", "nan", "inf", "1e999", "1,5", "0.3.2", "2e", "e5", "1/", "(1", "1)",
    # slips: two signs in a row; comparisons
    "--1", "2--1", "1+-1", "1 < 2", "1 == 1",
    # not finite or not real
    "1/0", "0^-1", "ln(0)", "sqrt(-1)", "(-8)^(1/3)", "exp(1000)", "10^400", "9^9^9^9",
    # too long or too deep
    "1+" * 60 + "1", "(" * 45 + "1" + ")" * 45,
]


def _not_a_number(typed):
    assert parse_learner_answer(typed) is None
    assert parse_learner_number(typed) is None


def test_everything_else_is_not_a_number():
    check_each(_not_a_number, [(repr(typed[:50]), (typed,)) for typed in NOT_NUMBERS])


def test_learner_functions_never_start_with_a_lesson_key():
    from nn_tui.ui.widgets.check import LESSON_KEYS

    assert LEARNER_FUNCTIONS and not any(name[0] in LESSON_KEYS for name in LEARNER_FUNCTIONS)


def test_no_eval(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("eval/exec/compile must not be used")

    for name in ("eval", "exec", "compile"):
        monkeypatch.setattr(builtins, name, refuse)
    assert parse_learner_answer("0.325*(1-0.325)").value == pytest.approx(0.219375)


@pytest.mark.parametrize("typed", [
    "9^9^9^9", "9" * 99 + "^9", "(" * 40 + "9^9" + ")" * 40, "exp(exp(exp(exp(exp(9)))))",
    "9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9^9",
    "1" * (MAX_LEARNER_NUMBER_LENGTH + 1), "((" * 10_000,
])
def test_absurd_arithmetic_is_refused_quickly(typed):
    # (CPU time, generous for a busy machine: computing 9^9^9^9 exactly would never end.)
    start = time.process_time()
    assert parse_learner_answer(typed) is None
    assert time.process_time() - start < 0.5


@given(st.text(alphabet="0123456789.e+-−*×·/^() abcdeilnopqrstxy[],<=", max_size=120))
@settings(max_examples=500, deadline=None)
def test_any_typing_gives_a_finite_number_or_none_quickly(typed):
    start = time.process_time()
    answer = parse_learner_answer(typed)
    assert time.process_time() - start < 0.5
    if answer is not None:
        assert math.isfinite(answer.value)
        assert len(typed) <= MAX_LEARNER_NUMBER_LENGTH
        assert not re.search(r"[\[\]<>=,]", typed)


# -- 2. the default tolerance --------------------------------------------------------------------

def test_the_tolerance_bug_of_the_issue():
    # 0.5 % of the answer, at least 0.0005, accepted 0 for 0.000438 and the wrong sign.
    tolerance = default_tolerance(0.000438)
    assert not grade(0.0, 0.000438, tolerance).correct
    assert not grade(-0.000438, 0.000438, tolerance).correct
    assert grade(value_of(num(0.000438)), 0.000438, tolerance).correct
    assert tolerance == pytest.approx(5e-7)


@pytest.mark.parametrize("unit_of, value", [(1e-4, 0.325), (1e-7, 0.000438), (1e-3, 1.0),
                                            (1e-3, 9.999), (1e-2, 10.0), (1e-6, 0.001),
                                            (1e-4, -0.1), (1e+3, 1e6), (1e-19, 1e-16)])
def test_digit_unit(unit_of, value):
    assert digit_unit(value) == pytest.approx(unit_of, rel=1e-9)


@given(st.floats(min_value=1e-11, max_value=1e12), st.booleans(), st.sampled_from([4, 6, 9]))
@settings(max_examples=500, deadline=None)
def test_displayed_roundings_are_right_and_zero_and_the_wrong_sign_are_not(magnitude, negative,
                                                                           decimals):
    answer = -magnitude if negative else magnitude
    tolerance = default_tolerance(answer)
    assert grade(value_of(num(answer, decimals)), answer, tolerance).correct
    assert not grade(0.0, answer, tolerance).correct
    assert not grade(-answer, answer, tolerance).correct
    if magnitude >= 1e-8:  # (below, the float-noise floor of 1e-12 is what counts)
        # Right to about three significant figures: a slip in the 3rd digit is wrong.
        assert not grade(answer * 1.011, answer, tolerance).correct
        assert tolerance <= 0.005 * abs(answer) * (1 + 1e-12)


def test_a_product_of_the_numbers_on_screen_is_right():
    # ∂L/∂w = δ·a with δ and a read off the panes at 4 digits each.
    delta, a = 0.138429, 0.593312
    typed = parse_learner_answer(f"{num(delta)}*{num(a)}").value
    assert grade(typed, delta * a, default_tolerance(delta * a)).correct


def test_an_answer_of_zero_takes_only_zero():
    assert default_tolerance(0.0) == ABSOLUTE_FLOOR
    assert grade(0.0, 0.0, ABSOLUTE_FLOOR).correct
    assert not grade(1e-6, 0.0, ABSOLUTE_FLOOR).correct
    with pytest.raises(ValueError):
        default_tolerance(math.inf)


@pytest.mark.parametrize("given_, expected, words", [
    (-0.5, 0.5, "The sign is wrong"), (0.51, 0.5, "Very close, but a little too high"),
    (0.45, 0.5, "Close: too low"), (0.2, 0.5, "Not quite: too low"),
    (2.0, 0.5, "Far off: too high"), (0.0, 0.000438, "Not quite: too low"),
])
def test_how_far_off_words(given_, expected, words):
    assert closeness(given_, expected).startswith(words)
    verdict = grade(given_, expected, default_tolerance(expected))
    assert not verdict.correct and verdict.closeness == closeness(given_, expected)


def _number_checks():
    """(name, session, index) of every typed-number check of the bundled lessons, and of the
    walk-through generated for each one's network (a lesson file without steps)."""
    for path in LESSONS:
        generated = parse_lesson_text(path.read_text(encoding="utf-8").split("[[steps]]")[0],
                                      str(path))
        for name, lesson in ((path.stem, load_lesson(path)),
                             (f"{path.stem} (generated)", generated)):
            session = LessonSession(lesson)
            for index, step in enumerate(session.steps):
                if step.kind == "check" and not step.choices:
                    yield name, session, index


@pytest.mark.parametrize("decimals", [4, 6, 9])
def test_every_bundled_check_takes_its_displayed_answer_and_refuses_zero_and_the_sign(decimals):
    """Typed-number checks of every bundled lesson (choices are graded by the choice)."""
    seen = 0
    for name, session, index in _number_checks():
        answer = session.answer(index)
        tolerance = session.tolerance(index)
        where = f"{name} step {index + 1}: answer {answer!r}, tolerance {tolerance}"
        # As the revealed answer writes it (the check widget's num) at these digits.
        use_decimals(decimals)
        shown = num(answer)
        assert grade(value_of(shown), answer, tolerance).correct, where
        if answer != 0:
            assert not grade(0.0, answer, tolerance).correct, where
            assert not grade(-answer, answer, tolerance).correct, where
        seen += 1
    assert seen >= 25 + len(LESSONS)


def test_an_explicit_tolerance_still_rules():
    text = (bundled_lessons_dir() / "fruit.toml").read_text(encoding="utf-8")
    text = text.replace('answer = "layers[0].z[0]"', 'answer = "layers[0].z[0]"\ntolerance = 0.25', 1)
    session = LessonSession(parse_lesson_text(text, "fruit.toml"))
    index = next(i for i, step in enumerate(session.steps) if step.tolerance == 0.25)
    answer = session.answer(index)
    assert session.tolerance(index) == 0.25
    assert grade(answer + 0.2, answer, session.tolerance(index)).correct
    assert not grade(answer + 0.3, answer, session.tolerance(index)).correct


# -- 3. the settings file ------------------------------------------------------------------------

def test_settings_default_save_and_load(isolated_home):
    assert load_settings() == (Settings(4), None)
    save_settings(Settings(9))
    assert load_settings() == (Settings(9), None)
    data = json.loads((isolated_home / "settings.json").read_text())
    assert data == {"decimals": 9}
    assert [name for name in os.listdir(isolated_home) if name.endswith(".tmp")] == []


def test_settings_keep_keys_a_newer_version_wrote(isolated_home):
    isolated_home.mkdir(parents=True)
    (isolated_home / "settings.json").write_text('{"decimals": 4, "theme": "light"}')
    save_settings(Settings(6))
    assert json.loads((isolated_home / "settings.json").read_text()) == {
        "decimals": 6, "theme": "light"}


@pytest.mark.parametrize("content, said", [
    (b"{not json", "not JSON"), (b"\xff\xfe\x00", "not JSON"), (b"[4]", "not a JSON object"),
    (b'{"decimals": 5}', "decimals = 5"), (b'{"decimals": "6"}', 'decimals = "6"'),
    (b'{"decimals": true}', "decimals = true"), (b'{"decimals": 6.0}', "decimals = 6.0"),
    (b'{"decimals": 1e999}', "decimals = Infinity"), (b" " * 70_000, "too large"),
    (b"[" * 60_000, "not JSON"),
])
def test_a_damaged_settings_file_gives_the_defaults_and_says_so(isolated_home, content, said):
    isolated_home.mkdir(parents=True)
    (isolated_home / "settings.json").write_bytes(content)
    settings_, problem = load_settings()
    assert settings_ == Settings(4)
    assert said in problem and "settings.json" in problem
    save_settings(Settings(6))  # replaced whole
    assert load_settings() == (Settings(6), None)


def test_an_unreadable_settings_file(isolated_home):
    (isolated_home / "settings.json").mkdir(parents=True)
    settings_, problem = load_settings()
    assert settings_ == Settings(4) and "could not be read" in problem
    with pytest.raises(OSError):
        save_settings(Settings(6))
    assert [name for name in os.listdir(isolated_home) if name.endswith(".tmp")] == []


# -- the CLI: --decimals -------------------------------------------------------------------------

PSA = str(bundled_lessons_dir() / "psa-hidden-layer.toml")


def run_cli(capsys, *args) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("args", [("trace", PSA), ("train", PSA, "--epochs", "50"),
                                  ("export", PSA, "--markdown")])
def test_decimals_on_every_command_that_writes_numbers(capsys, args):
    status, four, _ = run_cli(capsys, *args)
    assert status == 0
    status, nine, _ = run_cli(capsys, *args, "--decimals", "9")
    assert status == 0
    assert current_decimals() == 9
    use_decimals(4)
    fours = re.findall(r"\d+\.(\d+)", four)
    nines = re.findall(r"\d+\.(\d+)", nine)
    assert max(map(len, nines)) >= 9
    # A worked line's operands may have more digits than the setting (as many as make the line
    # recompute, nn_tui.format.arithmetic): few at 4, far fewer than at 9.
    long_fours = len([n for n in fours if len(n) >= 9])
    assert long_fours < len(fours) / 10
    assert len([n for n in nines if len(n) >= 9]) > 5 * max(long_fours, 1)


def test_trace_text_at_nine_digits_has_the_engines_numbers(capsys):
    from nn_tui.lessons.loader import load_lesson as load

    lesson = load(PSA)
    trace = lesson.network.build().trace(lesson.X[lesson.focus], lesson.Y[lesson.focus],
                                         rows=(lesson.focus,))
    _status, out, _ = run_cli(capsys, "trace", PSA, "--decimals", "9")
    assert f"= {num(trace.output[0], 9)}" in out
    assert num(trace.output[0], 9) == f"{trace.output[0]:.9f}"


@pytest.mark.parametrize("args", [("trace", PSA, "--json"), ("train", PSA, "--epochs", "5",
                                                             "--json")])
def test_json_keeps_full_precision(capsys, args):
    _s, plain, _ = run_cli(capsys, *args)
    _s, with_decimals, _ = run_cli(capsys, *args, "--decimals", "2")
    assert plain == with_decimals
    assert re.search(r"\d\.\d{12,}", plain)


@pytest.mark.parametrize("args, said", [
    (("trace", PSA, "--decimals", "0"), "between 1 and 15"),
    (("train", PSA, "--decimals", "16"), "between 1 and 15"),
    (("export", PSA, "--markdown", "--decimals", "-3"), "between 1 and 15"),
    (("export", PSA, "--python", "--decimals", "6"), "applies to --markdown"),
    (("train", PSA, "--decimals", "six"), "invalid int value"),
])
def test_bad_decimals_are_usage_errors(capsys, args, said):
    status, out, err = run_cli(capsys, *args)
    assert status == 2 and said in err and "Traceback" not in err


# -- the same fault through a lesson file: a tolerance as large as the answer ---------------------

@pytest.mark.parametrize("tolerance, refused", [("0.05", True), ("0.0281", True),
                                                ("0.028", False), ("0.0001", False)])
def test_check_refuses_a_tolerance_that_takes_zero(tmp_path, capsys, tolerance, refused):
    text = (bundled_lessons_dir() / "psa-hidden-layer.toml").read_text(encoding="utf-8")
    assert 'answer = "grads[0].W[0][0]"' in text  # −0.028031
    text = text.replace('answer = "grads[0].W[0][0]"',
                        f'answer = "grads[0].W[0][0]"\ntolerance = {tolerance}', 1)
    path = tmp_path / "loose.toml"
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"tolerance = {tolerance}") + 1
    status, out, err = run_cli(capsys, "check", str(path))
    if refused:
        assert status == 2
        assert f"{path}:{line}: steps[12].tolerance: is {tolerance}" in out + err
        assert "typing 0 would be graded right" in out + err
    else:
        assert status == 0, out + err
