"""Hostile lesson files and answer expressions (issue 9, items 1, 2, 7, 9, 12, 19, 20, 21, 23).

Each fault kind is tried at every place it can enter: every numeric and text key of a lesson,
the lesson folder's entries, the command line, and what the CLI prints. A bad input must give a
LessonError naming the file, the key and the problem (exit 2 on the CLI), never a traceback.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import pytest
from lesson_files import train_then_checks
from table_checks import check_each
from tmux_helpers import requires_tmux

from nn_tui import cli
from nn_tui.lessons import loader
from nn_tui.lessons.catalog import MAX_FILES_PER_FOLDER, build_catalog, load_checked_lesson
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.expressions import (
    ExpressionError,
    MAX_LEARNER_NUMBER_LENGTH,
    parse_expression,
    parse_learner_number,
)
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.locate import KeyLocator
from nn_tui.lessons.lint import lint_lesson
from nn_tui.lessons.session import LessonSession

BASE = """\
[lesson]
id = "probe"
title = "Probe"
summary = "A tiny lesson to break."

[network]
inputs = ["a"]
outputs = ["y"]
loss = "bce"
learning_rate = 0.5
seed = 3

[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[0.5]]
bias = [0.25]

[data]
rows = [[1.0, 1.0], [0.0, 0.0]]
focus = 0

[training]
epochs = 20
batch_size = 1
shuffle_seed = 1

[[variants]]
id = "fast"
label = "Fast"
learning_rate = 2.0
epochs = 10

[[steps]]
kind = "forward"
title = "Forward"
text = "The sum, then the sigmoid."
row = 1

[[steps]]
kind = "loss"
title = "Own sample"
x = [0.5]
y = [1.0]

[[steps]]
kind = "train"
title = "Train"
epochs = 5
variants = ["main", "fast"]

[[steps]]
kind = "check"
title = "Question"
prompt = "What is the output?"
answer = "layers[0].a[0]"
tolerance = 0.01
hints = ["Look at the output."]
explanation = "The sigmoid of the sum."

[[steps]]
kind = "check"
title = "Choice"
prompt = "Is the output above 0.5?"
answer = "layers[0].a[0] > 0.5"
choices = [ { text = "no", value = 0 }, { text = "yes", value = 1 } ]
"""

HUGE = "1" + "0" * 320  # an integer too large for a float


def _parse(text: str) -> LessonError:
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(text, "probe.toml")
    return caught.value


def _keys(error: LessonError) -> list[str]:
    return [problem.key for problem in error.problems]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_probe_lesson_is_valid():
    lesson = parse_lesson_text(BASE, "probe.toml")
    assert lint_lesson(lesson) == ([], [])


# -- 1: numbers that are not ordinary floats ------------------------------------------------------

NUMERIC_SPOTS = [
    ("learning_rate = 0.5", "learning_rate = {}", "network.learning_rate"),
    ("weights = [[0.5]]", "weights = [[{}]]", "network.layers[0].weights[0][0]"),
    ("bias = [0.25]", "bias = [{}]", "network.layers[0].bias[0]"),
    ("rows = [[1.0, 1.0], [0.0, 0.0]]", "rows = [[{}, 1.0], [0.0, 0.0]]", "data.rows[0][0]"),
    ("rows = [[1.0, 1.0], [0.0, 0.0]]", "rows = [[1.0, {}], [0.0, 0.0]]", "data.rows[0][1]"),
    ("epochs = 20", "epochs = {}", "training.epochs"),
    ("seed = 3", "seed = {}", "network.seed"),
    ("shuffle_seed = 1", "shuffle_seed = {}", "training.shuffle_seed"),
    ("batch_size = 1", "batch_size = {}", "training.batch_size"),
    ("focus = 0", "focus = {}", "data.focus"),
    ("tolerance = 0.01", "tolerance = {}", "steps[3].tolerance"),
    ("{ text = \"no\", value = 0 }", "{{ text = \"no\", value = {} }}", "steps[4].choices[0].value"),
    ("x = [0.5]", "x = [{}]", "steps[1].x[0]"),
    ("y = [1.0]", "y = [{}]", "steps[1].y[0]"),
    ("learning_rate = 2.0", "learning_rate = {}", "variants[0].learning_rate"),
    ("epochs = 10", "epochs = {}", "variants[0].epochs"),
    ("epochs = 5", "epochs = {}", "steps[2].epochs"),
    ("row = 1", "row = {}", "steps[0].row"),
    ('answer = "layers[0].a[0]"', "answer = {}", "steps[3].answer"),
]


def _refuses_huge_integers_and_booleans(old, new, key, value):
    assert BASE.count(old) == 1
    error = _parse(BASE.replace(old, new.format(value)))
    assert key in _keys(error), str(error)
    if value != "true":
        assert "digits" in str(error) and "320" not in str(error), str(error)
        assert len(str(error)) < 2_000  # the 321 digits are not echoed


@pytest.mark.parametrize("old, new, key", NUMERIC_SPOTS, ids=[key for *_, key in NUMERIC_SPOTS])
def test_every_number_refuses_huge_integers_and_booleans(old, new, key):
    # Each spot with each value (table_checks: every failing value named).
    check_each(_refuses_huge_integers_and_booleans,
               [(name, (old, new, key, value))
                for name, value in (("huge", HUGE), ("-huge", "-" + HUGE), ("true", "true"))])


def test_huge_integer_in_check_list_and_picker(tmp_path, capsys):
    folder = tmp_path / "lessons"
    folder.mkdir()
    _write(folder, "huge.toml", BASE.replace("learning_rate = 0.5", f"learning_rate = {HUGE}"))
    status, out, err = _run(capsys, "check", str(folder))
    assert status == 2
    assert "network.learning_rate" in out and "too large" in out
    assert "Traceback" not in out + err
    status, out, _ = _run(capsys, "list", "--json", "--lessons", str(folder))
    assert status == 0
    record = [r for r in json.loads(out) if r["path"].endswith("huge.toml")][0]
    assert record["ok"] is False and "network.learning_rate" in record["error"]
    entries = build_catalog([folder], include_bundled=False)
    assert [entry.ok for entry in entries] == [False]


def test_an_integer_too_long_for_the_toml_reader(tmp_path, capsys):
    path = _write(tmp_path, "digits.toml", BASE.replace("seed = 3", "seed = " + "9" * 5000))
    status, out, err = _run(capsys, "check", str(path))
    assert status == 2
    assert "digits.toml:" in out and "network.seed: a whole number of 5,000 digits" in out
    assert "Traceback" not in out + err


# -- 2: non-finite values inside answer expressions -----------------------------------------------

@pytest.mark.parametrize("answer", [
    "layers[1e999]", "round(loss, 1e999)", "sum(1e308, 1e308)", "mean(1e308, 1e308)",
    "1e308 * 10", "exp(1000)", "10 ^ 400", "layers[0].a[1e300]", "round(loss, 0.5)",
    "round(loss, 1e10)", "(-8) ^ (1/3)",
])
def test_non_finite_answers_are_check_problems(tmp_path, capsys, answer):
    text = BASE.replace('answer = "layers[0].a[0]"', f'answer = "{answer}"')
    path = _write(tmp_path, "answer.toml", text)
    status, out, err = _run(capsys, "check", str(path))
    assert status == 2, out
    assert "steps[3].answer:" in out and "Traceback" not in out + err


def test_a_nan_or_infinite_index_or_argument_is_an_expression_error():
    context = {"layers": [1.0, 2.0], "bad": float("nan"), "big": float("inf"), "x": 0.5}
    for source in ("layers[bad]", "layers[big]", "round(x, big)", "abs(bad)", "bad + 1",
                   "max(layers, bad)", "argmin(big, 1)"):
        with pytest.raises(ExpressionError):
            parse_expression(source).evaluate(context)
    assert parse_expression("round(x, 1)").evaluate(context) == 0.5


# -- 7: control characters in lesson text, and in what the CLI prints ------------------------------

TEXT_SPOTS = [
    ('title = "Probe"', 'title = "Pro{}be"', "lesson.title"),
    ('summary = "A tiny lesson to break."', 'summary = "A{}"', "lesson.summary"),
    ('title = "Forward"', 'title = "Fwd{}"', "steps[0].title"),
    ('text = "The sum, then the sigmoid."', 'text = "The{}"', "steps[0].text"),
    ('prompt = "What is the output?"', 'prompt = "What{}"', "steps[3].prompt"),
    ('hints = ["Look at the output."]', 'hints = ["Look{}"]', "steps[3].hints[0]"),
    ('explanation = "The sigmoid of the sum."', 'explanation = "The{}"', "steps[3].explanation"),
    ('{ text = "yes", value = 1 }', '{{ text = "y{}es", value = 1 }}', "steps[4].choices[1].text"),
    ('inputs = ["a"]', 'inputs = ["a{}"]', "network.inputs[0]"),
    ('outputs = ["y"]', 'outputs = ["y{}"]', "network.outputs[0]"),
    ('label = "Fast"', 'label = "F{}ast"', "variants[0].label"),
    ('id = "fast"', 'id = "fa{}st"', "variants[0].id"),
    ('id = "probe"', 'id = "pro{}be"', "lesson.id"),
    ('answer = "layers[0].a[0]"', 'answer = "layers{}[0].a[0]"', "steps[3].answer"),
    ('kind = "forward"', 'kind = "forward{}"', "steps[0].kind"),
    ('activation = "sigmoid"', 'activation = "sigmoid{}"', "network.layers[0].activation"),
]


CONTROL_ESCAPES = ["\\u001b", "\\u0007", "\\r", "\\u009b", "\\u007f", "\\u0000", "\\u202e",
                   "\\u2066"]


def _refuses_control_character(old, new, key, char):
    assert BASE.count(old) == 1
    error = _parse(BASE.replace(old, new.format(char)))
    assert key in _keys(error), str(error)


@pytest.mark.parametrize("old, new, key", TEXT_SPOTS, ids=[key for *_, key in TEXT_SPOTS])
def test_every_text_field_refuses_control_characters(old, new, key):
    # Each field with each character (table_checks: every failing character named).
    check_each(_refuses_control_character,
               [(char, (old, new, key, char)) for char in CONTROL_ESCAPES])


def test_newlines_and_tabs_are_allowed_in_text():
    text = BASE.replace('text = "The sum, then the sigmoid."', 'text = "The sum,\\n\\tthen."')
    assert parse_lesson_text(text, "probe.toml").steps[0].text == "The sum,\n\tthen."


def test_the_cli_never_prints_raw_control_bytes(tmp_path, capsys):
    hostile = "\x1b]2;HIJACKED\x1b\\"
    folder = tmp_path / "lessons"
    folder.mkdir()
    # A title holding an escape sequence (refused), and a file whose name holds one.
    _write(folder, "title.toml", BASE.replace('title = "Probe"', 'title = "\\u001b]2;HIJACKED"'))
    _write(folder, f"name{hostile}.toml", BASE.replace('id = "probe"', 'id = "named"'))
    _write(folder, "key.toml", BASE.replace("[data]", '[data]\n"\\u001b[2J" = 1'))
    outputs = []
    for argv in (("check", str(folder)), ("list", "--lessons", str(folder)),
                 ("list", "--json", "--lessons", str(folder)),
                 ("trace", str(folder / f"name{hostile}.toml")),
                 ("trace", "--json", str(folder / f"name{hostile}.toml")),
                 ("train", str(folder / f"name{hostile}.toml")),
                 ("trace", str(folder / "title.toml"))):
        status, out, err = _run(capsys, *argv)
        outputs.append(out + err)
        assert "\x1b" not in out + err and "\x07" not in out + err, argv
    joined = "\n".join(outputs)
    assert "\\x1b" in joined and "lesson.title" in joined
    json.loads(outputs[2])  # the JSON listing stays valid


def test_escape_controls_keeps_newlines_tabs_and_unicode():
    assert cli.escape_controls("a\tb\nc η \x1b[2J\x9b\r") == "a\tb\nc η \\x1b[2J\\x9b\\x0d"


# -- 9: a step's own sample follows the rules of the data rows -------------------------------------

@pytest.mark.parametrize("old, new, key, words", [
    ("y = [1.0]", "y = [5.0]", "steps[1].y", "between 0 and 1"),
    ("y = [1.0]", "y = [-0.5]", "steps[1].y", "between 0 and 1"),
    ("y = [1.0]", "y = [1e300]", "steps[1].y[0]", "±"),
    ("y = [1.0]", "y = [nan]", "steps[1].y[0]", "finite"),
    ("x = [0.5]", "x = [inf]", "steps[1].x[0]", "finite"),
    ("x = [0.5]", "x = [2e6]", "steps[1].x[0]", "±"),
    ("x = [0.5]", "x = [0.5, 1.0]", "steps[1].x", "needs 1"),
    ("y = [1.0]", "y = []", "steps[1].y", "needs 1"),
    ("x = [0.5]", 'x = ["0.5"]', "steps[1].x[0]", "must be a number"),
])
def test_a_steps_own_sample_is_validated_like_data_rows(old, new, key, words):
    error = _parse(BASE.replace(old, new))
    problems = [p for p in error.problems if p.key == key]
    assert problems and words in problems[0].message, str(error)


def test_a_steps_sample_must_suit_a_variants_loss_too():
    # The main network's loss (mse) takes any target; the variant's bce does not.
    text = BASE.replace('loss = "bce"', 'loss = "mse"').replace(
        'label = "Fast"', 'label = "Fast"\nloss = "bce"').replace("y = [1.0]", "y = [3.0]")
    text = text.replace("rows = [[1.0, 1.0], [0.0, 0.0]]", "rows = [[1.0, 1.0], [0.0, 0.0]]")
    error = _parse(text)
    assert "steps[1].y" in _keys(error)


# -- 12: what check finds keeps the lesson from opening, everywhere -------------------------------

UNRESOLVED = BASE.replace('answer = "layers[0].a[0]"', 'answer = "layers[1].z[0]"')
NO_MATCH = BASE.replace('{ text = "no", value = 0 }', '{ text = "no", value = 7 }').replace(
    '{ text = "yes", value = 1 }', '{ text = "yes", value = 8 }')


@pytest.mark.parametrize("text, key", [(UNRESOLVED, "steps[3].answer"),
                                       (NO_MATCH, "steps[4].choices")],
                         ids=["unresolved-path", "no-matching-choice"])
def test_lint_problems_break_the_lesson_everywhere(tmp_path, capsys, text, key):
    folder = tmp_path / "lessons"
    folder.mkdir()
    path = _write(folder, "linted.toml", text)
    load_lesson(path)  # the file itself is well formed...
    with pytest.raises(LessonError) as caught:  # ...but the lesson cannot be given
        load_checked_lesson(path)
    assert key in _keys(caught.value)
    status, out, _ = _run(capsys, "check", str(path))
    assert status == 2 and key in out
    status, out, _ = _run(capsys, "list", "--json", "--lessons", str(folder))
    record = [r for r in json.loads(out) if r["path"] == str(path)][0]
    assert record["ok"] is False and key in record["error"]
    [entry] = build_catalog([folder], include_bundled=False)
    assert not entry.ok and key in str(entry.error)
    for argv in (("trace", str(path)), ("train", str(path)), ("trace", "--json", str(path))):
        status, out, err = _run(capsys, *argv)
        assert status == 2 and key in err and not out, argv


def test_a_choice_that_matches_no_answer_is_never_graded_as_the_nearest():
    lesson = load_lesson_from_text(NO_MATCH)
    session = LessonSession(lesson)
    with pytest.raises(ExpressionError):
        session.correct_choice(4)


def load_lesson_from_text(text: str):
    return parse_lesson_text(text, "probe.toml")


# -- 19: typed numbers and regular expressions run in linear time ----------------------------------

@pytest.mark.parametrize("typed", [
    "1" * 1000 + " / " + "1" * 1000 + " x",
    "1" * 10_000,
    "1" * 5_000 + "." + "1" * 5_000 + "e",
    " " * 10_000 + "1",
    "1e" + "1" * 10_000,
])
def test_a_long_typed_answer_is_not_a_number(typed):
    assert parse_learner_number(typed) is None


def test_the_length_limit_is_the_proof_and_ordinary_numbers_still_parse():
    assert MAX_LEARNER_NUMBER_LENGTH <= 200
    assert parse_learner_number("1" * (MAX_LEARNER_NUMBER_LENGTH + 1)) is None
    for typed, value in (("0.325", 0.325), ("-2.8e-2", -0.028), ("1/3", 1 / 3), (".5", 0.5),
                         ("−0.7", -0.7), (" 1 / 4 ", 0.25), ("5.", 5.0)):
        assert parse_learner_number(typed) == pytest.approx(value)
    for typed in ("1/0", "1e999", "nan", "inf", "1..2", "1/2/", "--1", ""):
        assert parse_learner_number(typed) is None


def test_key_locating_is_linear_on_a_pathological_line():
    # The old header pattern took minutes on a few thousand spaces after "[".
    text = "[" + " " * 50_000 + "x\n" + "[" + " a" * 50_000 + "\n[lesson]\nid = 1\n"
    locator = KeyLocator(text)
    assert locator.line_of("lesson.id") == 4
    error = _parse("[" + " " * 50_000 + "x\n")
    assert "TOML syntax error" in str(error)


# -- 20: work budgets -------------------------------------------------------------------------------

def _rows(n: int, width: int, value: str = "0") -> str:
    row = "[" + ", ".join([value] * width) + "]"
    return "rows = [\n" + ",\n".join([row] * n) + "\n]"


def test_many_epochs_of_tiny_batches_exceed_the_batch_budget():
    text = BASE.replace("rows = [[1.0, 1.0], [0.0, 0.0]]", _rows(2000, 2)).replace(
        "epochs = 5", "epochs = 100000")
    error = _parse(text)
    message = [p for p in error.problems if p.key == "training.batch_size"][0].message
    assert f"{loader.MAX_TRAINING_BATCHES:,}" in message and "mini-batches" in message


# The large network below: 8 inputs, seven ReLU layers of 64 units, one output.
LARGE_NETWORK_PARAMETERS = (8 * 64 + 64) + 6 * (64 * 64 + 64) + (64 + 1)


def _large_network_lesson(rows: int) -> str:
    layers = "\n".join('[[network.layers]]\nunits = 64\nactivation = "relu"' for _ in range(7))
    return f"""
[lesson]
id = "big"
title = "Big"
[network]
inputs = ["a", "b", "c", "d", "e", "f", "g", "h"]
outputs = ["y"]
loss = "mse"
learning_rate = 0.01
{layers}
[[network.layers]]
units = 1
activation = "identity"
[data]
{_rows(rows, 9)}
[training]
epochs = 200
"""


def test_a_large_network_on_many_rows_exceeds_the_training_budget():
    # At the limit: the fewest rows whose 200 epochs go over it are refused, one row fewer is
    # accepted (rows × epochs × parameters, the budget's own measure).
    rows = loader.MAX_TRAINING_WORK // (200 * LARGE_NETWORK_PARAMETERS) + 1
    error = _parse(_large_network_lesson(rows))
    message = [p for p in error.problems if p.key == "steps"][0].message
    assert f"{loader.MAX_TRAINING_WORK:,}" in message and "rows × epochs × parameters" in message
    parse_lesson_text(_large_network_lesson(rows - 1), "big.toml")


SOFTMAX_64 = """
[lesson]
id = "wide"
title = "Wide"
[network]
inputs = ["a"]
outputs = [{outputs}]
loss = "cross_entropy"
learning_rate = 0.1
[[network.layers]]
units = 64
activation = "softmax"
[data]
{rows}
[training]
epochs = 1
{steps}
"""


# The numbers one row of a batch trace through SOFTMAX_64 holds: z, a, the slopes and the two
# gradients of 64 units, the weight gradients (64 × (1 input + bias)), the 64 × 64 Jacobian.
SOFTMAX_64_PER_ROW = 5 * 64 + 64 * 2 + 64 * 64
# The fewest rows whose batch trace goes over the budget: the budget at its real limit.
SOFTMAX_64_ROWS_OVER = loader.MAX_BATCH_TRACE_VALUES // SOFTMAX_64_PER_ROW + 1


def _softmax_lesson(batch_step: bool, rows: int = SOFTMAX_64_ROWS_OVER) -> str:
    outputs = ", ".join(f'"o{k}"' for k in range(64))
    steps = '[[steps]]\nkind = "loss"\nbatch = true\n' if batch_step else ""
    return SOFTMAX_64.format(outputs=outputs, rows=_rows(rows, 65), steps=steps)


def test_a_batch_step_over_the_trace_budget_is_refused():
    error = _parse(_softmax_lesson(True))
    message = [p for p in error.problems if p.key == "steps[0].batch"][0].message
    assert f"{loader.MAX_BATCH_TRACE_VALUES:,}" in message
    # one row fewer is within the budget
    parse_lesson_text(_softmax_lesson(True, SOFTMAX_64_ROWS_OVER - 1), "wide.toml")


def test_trace_batch_over_the_budget_exits_2(tmp_path, capsys):
    path = _write(tmp_path, "wide.toml", _softmax_lesson(False))
    status, out, err = _run(capsys, "trace", "--batch", "--json", str(path))
    assert status == 2 and "budget" in err and not out


def test_train_epochs_on_the_command_line_obey_the_budget(tmp_path, capsys):
    path = _write(tmp_path, "probe.toml", BASE)
    status, _, err = _run(capsys, "train", "--epochs", "1000000", str(path))
    assert status == 2 and "mini-batches" in err


def test_every_bundled_lesson_is_well_within_the_budgets():
    from nn_tui.lessons.catalog import bundled_lessons_dir
    from nn_tui.lessons.loader import _training_runs, batch_trace_values, network_parameters
    from nn_tui.lessons.walkthrough import generated_steps

    for path in sorted(bundled_lessons_dir().glob("*.toml")):
        lesson = load_lesson(path)
        runs = _training_runs(lesson, lesson.steps or generated_steps(lesson))
        work = sum(len(lesson.rows) * e * network_parameters(s) for _, s, e in runs)
        assert work < loader.MAX_TRAINING_WORK / 100
        assert batch_trace_values(lesson.network, len(lesson.rows)) < loader.MAX_BATCH_TRACE_VALUES / 100


def test_validation_never_trains_a_large_run_to_the_end():
    text = BASE.replace("epochs = 5", "epochs = 50000").replace("batch_size = 1", "batch_size = 2")
    lesson = parse_lesson_text(text, "probe.toml")
    session = LessonSession(lesson, training_work=1_000)
    main = session.training_outcomes(2)[0]
    assert main.epochs_planned == 50000 and main.epochs_run == 1_000 // (2 * 2)
    # The lint uses such a capped session: the same lesson validates quickly, answers resolved.
    problems, _ = lint_lesson(lesson)
    assert problems == []


def test_a_choice_after_a_cut_short_run_is_a_note_not_a_silent_skip(monkeypatch):
    from nn_tui.lessons import lint as lint_module

    # The run's final loss is decided by the epochs check does not train: a note, not a problem.
    text = BASE.replace('answer = "layers[0].a[0] > 0.5"', 'answer = "7 + training.main.loss"')
    monkeypatch.setattr(lint_module, "LINT_TRAINING_WORK", 1)
    problems, notes = lint_lesson(parse_lesson_text(text, "probe.toml"))
    assert problems == []
    note = {note.key: note.message for note in notes}["steps[4].answer"]
    assert "longer than check trains" in note and "the choice it picks" in note


# -- 21: hostile paths in a lessons folder and on the command line --------------------------------

def _hostile_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    folder.mkdir()
    _write(folder, "good.toml", BASE)
    os.symlink("loop.toml", folder / "loop.toml")
    os.symlink("missing-target", folder / "dangling.toml")
    os.mkfifo(folder / "pipe.toml")
    (folder / "folder.toml").mkdir()
    os.symlink("/dev/zero", folder / "zero.toml")
    return folder


HOSTILE_WORDS = {
    "loop.toml": "loops", "dangling.toml": "no such file", "pipe.toml": "FIFO",
    "folder.toml": "folder", "zero.toml": "device",
}


def test_hostile_entries_are_broken_entries_never_a_hang_or_a_crash(tmp_path):
    folder = _hostile_folder(tmp_path)
    entries = {entry.path.name: entry for entry in build_catalog([folder], include_bundled=False)}
    assert entries["good.toml"].ok
    for name, words in HOSTILE_WORDS.items():
        assert not entries[name].ok and words in str(entries[name].error), name


def test_check_and_list_report_every_hostile_entry(tmp_path, capsys):
    folder = _hostile_folder(tmp_path)
    status, out, err = _run(capsys, "check", str(folder))
    assert status == 2 and "6 file(s) checked, 5 with problems" in err
    for name, words in HOSTILE_WORDS.items():
        assert any(name in line and words in line for line in out.splitlines()), name
    status, out, _ = _run(capsys, "list", "--lessons", str(folder))
    assert status == 0 and out.count("[broken]") == 5


@pytest.mark.parametrize("name", ["/dev/zero", "/dev/null", "LOOP", "PIPE"])
def test_hostile_paths_on_the_command_line(tmp_path, capsys, name):
    folder = _hostile_folder(tmp_path)
    path = {"LOOP": str(folder / "loop.toml"), "PIPE": str(folder / "pipe.toml")}.get(name, name)
    for command in ("check", "trace", "train"):
        status, out, err = _run(capsys, command, path)
        assert status == 2, (command, out, err)
        assert "Traceback" not in out + err


def test_reads_are_bounded_whatever_size_the_file_claims(tmp_path, monkeypatch):
    path = _write(tmp_path, "grows.toml", "# " + "x" * 2000 + "\n")
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    with pytest.raises(LessonError, match="limited to 1,000 bytes"):
        load_lesson(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_a_broken_entry(tmp_path):
    path = _write(tmp_path, "secret.toml", BASE)
    path.chmod(0)
    with pytest.raises(LessonError, match="permission denied"):
        load_lesson(path)


def test_the_file_cap_of_a_folder_is_reported(tmp_path, capsys):
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(MAX_FILES_PER_FOLDER + 3):
        _write(folder, f"l{number:04}.toml", "not toml at all =")
    entries = build_catalog([folder], include_bundled=False)
    caps = [entry for entry in entries if entry.path == folder]
    assert len(caps) == 1 and "the other 3" in str(caps[0].error)
    status, out, _ = _run(capsys, "check", str(folder))
    assert status == 2 and "the other 3 are left out" in out


# -- 23 and the rest of the load path: encodings, syntax, nesting, sizes ---------------------------

@pytest.mark.parametrize("raw, words", [
    (b"\xef\xbb\xbf" + BASE.encode(), "byte-order mark (BOM); save the file as UTF-8 without BOM"),
    (b"\xff\xfe" + BASE.encode("utf-16-le"), "UTF-16"),
    (BASE.encode().replace(b"Probe", b"Pr\xe9be"), "not UTF-8"),
    (b"[lesson\nid = 1\n", "TOML syntax error"),
    (b"a = " + b"[" * 100_000 + b"]" * 100_000, "nest"),
    (b"a = " + b"[" * 50 + b"]" * 50, "nested more than"),
    (b"a = " + b"{ b = " * 2000 + b"1" + b" }" * 2000, "nest"),
    (BASE.replace('title = "Probe"', 'title = "' + "x" * 500_000 + '"').encode(), "limit is 120"),
    (b"\x00\x01\x02", "TOML"),
    (b"", "lesson"),
], ids=["bom", "utf16", "latin1", "syntax", "deep-arrays", "nested-arrays", "deep-tables",
        "huge-title", "binary", "empty"])
def test_hostile_files_are_lesson_errors(tmp_path, capsys, raw, words):
    path = tmp_path / "hostile.toml"
    path.write_bytes(raw)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert words in str(caught.value)
    status, out, err = _run(capsys, "check", str(path))
    assert status == 2 and "Traceback" not in out + err


def test_a_bom_in_text_given_directly_is_named_too():
    assert "BOM" in str(_parse("\ufeff" + BASE))


# -- tmux: a FIFO in a lessons folder, as a person would meet it ---------------------------------

@requires_tmux
def test_tmux_a_fifo_in_a_lessons_folder_is_listed_as_broken_and_q_exits(tmp_path, tmux_tutor):
    folder = tmp_path / "mine"
    folder.mkdir()
    _write(folder, "good.toml", BASE)
    os.mkfifo(folder / "pipe.toml")
    term = tmux_tutor("--lessons", str(folder))
    term.wait_for("1 broken")
    time.sleep(0.5)  # as test_tmux_e2e does: let the picker settle before typing
    term.type("pipe")
    screen = term.wait_for("pipe.toml (broken)")
    assert "FIFO" in screen
    term.keys("Escape")
    term.wait_for("type to filter")
    time.sleep(0.5)  # a key right after Esc would read as Alt+key
    term.keys("q")
    assert term.exit_status(timeout=15) == "0"


def test_many_batch_traces_exceed_the_replay_budget():
    # Each update changes the weights, so each batch step that follows keeps a new trace.
    steps = '[[steps]]\nkind = "loss"\nbatch = true\n' + \
        '[[steps]]\nkind = "update"\n[[steps]]\nkind = "loss"\n' * 60
    text = f"""
[lesson]
id = "replay"
title = "Replay"
[network]
inputs = ["a", "b"]
outputs = ["y"]
loss = "mse"
learning_rate = 0.01
[[network.layers]]
units = 16
activation = "tanh"
[[network.layers]]
units = 1
activation = "identity"
[data]
{_rows(2000, 3)}
[training]
epochs = 1
{steps}
"""
    error = _parse(text)
    message = [p for p in error.problems if p.key == "steps"][0].message
    assert f"{loader.MAX_REPLAY_VALUES:,}" in message
    # The same steps without the updates share one trace: within the budget.
    parse_lesson_text(text.replace('kind = "update"', 'kind = "text"'), "replay.toml")


def test_an_unreadable_file_is_reported_even_for_root(tmp_path, monkeypatch):
    path = _write(tmp_path, "secret.toml", BASE)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loader.os, "open", refuse)
    with pytest.raises(LessonError, match="permission denied"):
        load_lesson(path)


def test_thousands_of_bad_keys_give_a_bounded_report():
    junk = "".join(f'"{"k" * 5000}{n}" = 1\n' for n in range(200))
    error = _parse(BASE.replace("[network]\n", junk + "[network]\n"))
    assert len(error.problems) <= loader.MAX_PROBLEMS + 1
    assert "more problems" in str(error.problems[-1])
    assert len(str(error)) < 20_000


def test_replay_problems_name_the_line(tmp_path, capsys):
    path = _write(tmp_path, "unresolved.toml", UNRESOLVED)
    status, out, _ = _run(capsys, "check", str(path))
    line = UNRESOLVED.split("\n").index('answer = "layers[1].z[0]"') + 1
    assert status == 2 and f"unresolved.toml:{line}: steps[3].answer:" in out


@pytest.mark.parametrize("values", ["1e300", "1" + "0" * 320, "nan", "1e999", "\x1b[2J"])
def test_predict_values_follow_the_data_rules(tmp_path, capsys, values):
    path = _write(tmp_path, "probe.toml", BASE)
    status, out, err = _run(capsys, "train", "--predict", values, str(path))
    assert status == 2 and not out and "\x1b" not in err


def test_problems_carry_no_control_characters_in_any_field(tmp_path):
    path = _write(tmp_path, "esc\x1b]2;X\x07.toml", BASE.replace("[data]", '[data]\n"\\u001b[2J" = 1'))
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    error = caught.value
    for text in [error.path] + [f"{p.path} {p.key} {p.message}" for p in error.problems]:
        assert "\x1b" not in text and "\x07" not in text
    assert "\\x1b[2J" in error.problems[0].key


def test_uneven_rows_are_a_problem_even_without_a_valid_network(tmp_path, capsys):
    """Found by benchmarks/fuzz.py: with [network] refused, rows of different lengths reached
    NumPy and ended in a ValueError traceback."""
    path = tmp_path / "uneven.toml"
    path.write_text('''
[lesson]
id = "uneven"
title = "Uneven"

[network]
inputs = ["a"]
outputs = ["y"]
loss = "nope"

[[network.layers]]
units = 1
activation = "sigmoid"

[data]
rows = [[0.6, 0], [0.3, 0.8, 0]]
''', encoding="utf-8")
    assert cli.main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert "data.rows[1]: has 3 values, but data.rows[0] has 2" in out
    assert "network.loss" in out


# -- QA re-test: the work of answers, and check agreeing with the tutor after a cut-short run ------

def test_answers_that_read_too_many_values_are_refused_quickly():
    # The QA's hist.toml: 399 checks, each the max of a 100,001-entry history 17 times.
    answer = "+".join(["max(training.main.history)"] * 17)
    start = time.monotonic()
    error = _parse_checked(train_then_checks(100_000, *[answer] * 399))
    assert time.monotonic() - start < 20  # was 179 s
    [problem] = error.problems
    assert problem.key == "steps[2].answer"  # the first step past the budget
    assert f"{loader.MAX_ANSWER_WORK:,}" in problem.message
    assert f"{399 * (17 * 100_001 + 17 * 4 + 16):,}" in problem.message  # the file's figure


def _parse_checked(text: str) -> LessonError:
    with pytest.raises(LessonError) as caught:
        from nn_tui.lessons.lint import check_lesson

        check_lesson(parse_lesson_text(text, "probe.toml"))
    return caught.value


def test_the_largest_answers_within_the_budget_are_accepted():
    per_check = 20_001 + 4  # the history's entries, and the path and call
    count = loader.MAX_ANSWER_WORK // per_check
    text = train_then_checks(20_000, *["max(training.main.history)"] * count)
    lesson = parse_lesson_text(text, "p.toml")
    start = time.monotonic()
    assert lint_lesson(lesson) == ([], [])
    assert time.monotonic() - start < 10  # about 1 s


def test_bundled_answers_read_a_tiny_part_of_the_budget():
    from nn_tui.lessons.catalog import bundled_lessons_dir
    from nn_tui.lessons.expressions import WorkMeter

    for path in sorted(bundled_lessons_dir().glob("*.toml")):
        session = LessonSession(load_lesson(path))
        meter = WorkMeter()
        for index, step in enumerate(session.steps):
            if step.kind == "check":
                session.answer(index, meter)
        assert meter.count < loader.MAX_ANSWER_WORK / 10_000, path.name


def test_the_answer_budget_counts_the_values_functions_read():
    from nn_tui.lessons.expressions import AnswerWorkExceeded, WorkMeter

    context = {"h": [1.0] * 1000, "m": [[1.0] * 10] * 10}
    meter = WorkMeter()
    parse_expression("max(h) + sum(m)").evaluate(context, meter)
    assert 1000 + 110 <= meter.count < 1000 + 110 + 20
    with pytest.raises(AnswerWorkExceeded):
        parse_expression("max(h)").evaluate(context, WorkMeter(limit=999))


@pytest.fixture
def short_lint(monkeypatch):
    """Validation that trains only 2 epochs of any run."""
    from nn_tui.lessons import training as training_module

    monkeypatch.setattr(training_module, "LINT_TRAINING_EPOCHS", 2)


@pytest.mark.parametrize("answer", ["training.main.history[2500]", "max(training.main.history)",
                                    "training.main.loss", "layers[0].a[0]",
                                    "training.main.history[0 * training.main.loss]"])
def test_answers_over_a_cut_short_run_are_notes_never_false_refusals(short_lint, answer):
    lesson = parse_lesson_text(train_then_checks(2500, answer), "p.toml")
    problems, notes = lint_lesson(lesson)
    assert problems == []
    [note] = notes
    assert note.key == "steps[1].answer"
    assert "longer than check trains (2 of 2,500 epochs); its value was not checked" in note.message
    # The tutor, which trains the whole run, can grade it.
    assert math.isfinite(LessonSession(lesson).answer(1))


@pytest.mark.parametrize("answer,words", [
    ("1/(training.main.epochs - 2500)", "division by zero"),
    ("exp(training.main.epochs)", "too large"),
    ("training.main.history[2501]", "out of range: training.main.history has 2501 items"),
    ("training.main.nothing", "no field 'nothing'"),
])
def test_what_is_known_without_training_is_checked_exactly(short_lint, answer, words):
    problems, _ = lint_lesson(parse_lesson_text(train_then_checks(2500, answer), "p.toml"))
    assert [p.key for p in problems] == ["steps[1].answer"] and words in problems[0].message


def test_exact_facts_of_a_cut_short_run_need_no_note(short_lint):
    text = train_then_checks(2500, "len(training.main.history)", "training.main.epochs",
                             "training.main.history[0]", "len(layers[0].W)")
    lesson = parse_lesson_text(text, "p.toml")
    assert lint_lesson(lesson) == ([], [])


def test_a_choice_over_a_cut_short_run_prints_the_note(short_lint, tmp_path, capsys):
    choices = 'choices = [{ text = "a", value = 2 }, { text = "b", value = 3 }]\n'
    unknown = _write(tmp_path, "unknown.toml",
                     train_then_checks(2500, "training.main.loss > 1", choices=choices))
    status, out, err = _run(capsys, "check", str(unknown))
    assert status == 0
    assert "note:" in out + err and "the choice it picks were not checked" in out + err
    # The planned epoch count is known: choices that cannot match it are a problem.
    known = _write(tmp_path, "known.toml",
                   train_then_checks(2500, "training.main.epochs", choices=choices))
    status, out, err = _run(capsys, "check", str(known))
    assert status == 2 and "the answer is 2500 but the choices' values are 2, 3" in out + err


def test_list_prints_the_notes_too(short_lint, tmp_path, capsys):
    _write(tmp_path, "slow.toml", train_then_checks(2500, "training.main.loss"))
    status, out, _ = _run(capsys, "list", "--lessons", str(tmp_path))
    assert status == 0 and "note:" in out and "its value was not checked" in out
    status, out, _ = _run(capsys, "list", "--json", "--lessons", str(tmp_path))
    record = [r for r in json.loads(out) if r["id"] == "tiny"][0]
    assert "its value was not checked" in record["notes"][0]


def test_many_unchecked_answers_are_summed_up(short_lint):
    lesson = parse_lesson_text(train_then_checks(2500, *["training.main.loss"] * 30), "p.toml")
    problems, notes = lint_lesson(lesson)
    assert problems == [] and len(notes) == 5
    assert "26 more answers (steps[5].answer … steps[30].answer)" in notes[-1].message


def test_checking_stops_when_cancelled():
    from nn_tui.lessons.catalog import Cancelled

    text = train_then_checks(20_000, *["max(training.main.history)"] * 90)
    lesson = parse_lesson_text(text, "p.toml")
    start = time.monotonic()
    with pytest.raises(Exception) as caught:
        lint_lesson(lesson, cancelled=lambda: time.monotonic() - start > 0.05)
    assert time.monotonic() - start < 0.5
    assert type(caught.value).__name__ in ("TrainingCancelled", "Cancelled")
    # Through the catalogue: one exception kind, raised before the next file is read.
    calls = []
    with pytest.raises(Cancelled):
        build_catalog([], cancelled=lambda: calls.append(1) or True)


def test_answer_evaluation_stops_when_cancelled():
    from nn_tui.lessons.expressions import WorkMeter

    context = {"h": [1.0] * 100_000}
    with pytest.raises(WorkMeter.Cancelled):
        parse_expression("+".join(["max(h)"] * 10)).evaluate(context, WorkMeter(
            cancelled=lambda: True))


# -- item 7: terminal-unsafe characters are one set, used everywhere; encodings; wording ----------

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("char", BIDI)
def test_bidi_controls_are_escaped_by_the_cli_and_cleaned_by_the_ui(char):
    from nn_tui.lessons.errors import TERMINAL_UNSAFE, escape_controls
    from nn_tui.ui.literal import clean

    assert char in TERMINAL_UNSAFE
    assert escape_controls(f"a{char}b") == f"a\\u{ord(char):04x}b"
    assert char not in clean(f"a{char}b")


def test_the_validator_the_cli_and_the_ui_share_one_set():
    from nn_tui.lessons.errors import TERMINAL_UNSAFE, escape_controls
    from nn_tui.ui.literal import clean

    for code in range(0x3000):
        char = chr(code)
        unsafe = char in TERMINAL_UNSAFE
        assert (loader._control_character(f"x{char}") is not None) == unsafe, hex(code)
        assert (escape_controls(char) != char) == unsafe, hex(code)
        assert (clean(char) != char) == unsafe, hex(code)


def test_bidi_in_a_key_and_a_file_name_is_never_printed_raw(tmp_path, capsys):
    text = BASE.replace('title = "Probe"', 'title = "Probe"\n"k\u202e0.5" = 1')
    path = _write(tmp_path, "b\u202eidi.toml", text)
    status, out, err = _run(capsys, "check", str(path))
    assert status == 2 and "k\\u202e0.5" in out + err and "b\\u202eidi.toml" in out + err
    assert "\u202e" not in out + err
    status, out, err = _run(capsys, "list", "--lessons", str(tmp_path))
    assert "\u202e" not in out + err and "b\\u202eidi.toml" in out


def test_a_bad_network_gives_no_spurious_unknown_variant():
    text = BASE.replace("learning_rate = 0.5", "learning_rate = nan").replace(
        'title = "Own sample"', 'title = "Own sample"\nuse = "fast"')
    error = _parse(text)
    assert _keys(error) == ["network.learning_rate"]
    # A variant that does not exist is still reported.
    error = _parse(text.replace('use = "fast"', 'use = "slow"'))
    assert "steps[1].use" in _keys(error)


@pytest.mark.parametrize("prefix", ["\n", "# comment\n", "  "])
def test_a_bom_after_the_start_is_named_with_its_line(prefix, tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(prefix.encode() + loader.UTF8_BOM + BASE.encode())
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    [problem] = caught.value.problems
    line = prefix.count("\n") + 1
    assert "byte-order mark" in problem.message and problem.line == line
    assert f"line {line}" in problem.message


def test_a_bom_inside_a_string_is_text():
    lesson = parse_lesson_text(BASE.replace('summary = "A tiny', 'summary = "\ufeffA tiny'),
                               "p.toml")
    assert lesson.summary.startswith("\ufeffA tiny"), lesson.summary[:20]


@pytest.mark.parametrize("encoding,name", [
    ("utf-32", "UTF-32"), ("utf-32-be", "UTF-32"), ("utf-32-le", "UTF-32"),
    ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
])
def test_wide_encodings_are_named(encoding, name, tmp_path):
    path = tmp_path / "wide.toml"
    text = BASE if encoding in ("utf-32", "utf-16") else BASE.replace("Probe", "Prob·e")
    path.write_bytes(text.encode(encoding))
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    message = caught.value.problems[0].message
    assert f"{name} text" in message
    assert ("UTF-16" in message) != ("UTF-32" in message)


@pytest.mark.parametrize("source,words", [
    ("loss * 1e308 * 10", "'loss * 1e+308 * 10'"),
    ("sum(1e308, 1e308)", "'sum(1e+308, 1e+308)' overflows"),
    ("1 / (loss - loss)", "division by zero in '1 / (loss - loss)': 'loss - loss' is 0"),
    ("mean(layers)", "mean() needs a list of numbers (such as layers[0].a), but 'layers' holds a table"),
    ("max(1, layers)", "but its arguments hold a table"),
    ("layers[loss * 1e308 * 10]", "'loss * 1e+308 * 10'"),
])
def test_expression_errors_say_which_part_failed(source, words):
    context = {"loss": 1.0, "layers": [{"W": [[1.0]], "a": [0.5]}]}
    with pytest.raises(ExpressionError) as caught:
        parse_expression(source).evaluate(context)
    assert words in str(caught.value)
    assert "the value" not in str(caught.value)


def test_build_catalog_takes_entries_already_checked_as_they_are(monkeypatch):
    """The file named on the command line is checked first (it opens at once); the catalogue
    built afterwards uses that entry instead of replaying the lesson a second time."""
    from nn_tui.lessons import catalog

    path = catalog.bundled_lessons_dir() / "psa-hidden-layer.toml"
    first = catalog.load_entry(path)
    checked: list[str] = []
    original = catalog.load_entry

    def counting(file, *args, **kwargs):
        checked.append(Path(file).name)
        return original(file, *args, **kwargs)

    monkeypatch.setattr(catalog, "load_entry", counting)
    entries = catalog.build_catalog([path], loaded=[first])
    assert "psa-hidden-layer.toml" not in checked and len(checked) >= 8
    assert any(entry is first for entry in entries)


def test_the_picker_catalogue_replays_the_files_it_is_given_but_not_the_bundled_lessons(
        tmp_path, monkeypatch):
    """The bundled lessons are replayed by the test suite (test_curriculum.py); a file of the
    user's is replayed every time, so a lesson `check` refuses never opens."""
    from nn_tui.lessons import catalog

    replayed: list[str] = []
    original = catalog.load_checked_lesson

    def counting(path, *args, **kwargs):
        replayed.append(Path(path).name)
        return original(path, *args, **kwargs)

    monkeypatch.setattr(catalog, "load_checked_lesson", counting)
    mine = tmp_path / "mine.toml"
    mine.write_text((catalog.bundled_lessons_dir() / "fruit.toml").read_text(encoding="utf-8")
                    .replace('id = "fruit"', 'id = "my-fruit"'), encoding="utf-8")
    entries = catalog.build_catalog([mine], replay_bundled=False)
    assert replayed == ["mine.toml"]
    assert sum(entry.ok for entry in entries) >= 10
    replayed.clear()
    catalog.build_catalog([mine])
    assert len(replayed) >= 10
