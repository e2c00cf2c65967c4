"""Every refusal of the lesson validator names the file, the key, the line and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from table_checks import check_each

from nn_tui.lessons import loader
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.session import LessonSession

# A complete, valid lesson; each test breaks one thing in it. Line numbers are noted because the
# tests check that problems point at them.
VALID = """\
[lesson]
id = "tiny"
title = "A tiny lesson"

[network]
inputs = ["a", "b"]
outputs = ["out"]
loss = "half_sse"
learning_rate = 0.1

[[network.layers]]
units = 2
activation = "sigmoid"
weights = [[0.1, 0.2], [0.3, 0.4]]
bias = [0.0, 0.0]

[[network.layers]]
units = 1
activation = "sigmoid"

[data]
rows = [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]
focus = 1

[training]
epochs = 50

[[variants]]
id = "fast"
learning_rate = 2.0

[[steps]]
kind = "forward"
layer = 0

[[steps]]
kind = "check"
prompt = "What is z?"
answer = "layers[0].z[0]"

[[steps]]
kind = "train"
variants = ["main", "fast"]
"""


def _write(tmp_path: Path, text: str | bytes, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _refuse(tmp_path: Path, text: str | bytes) -> LessonError:
    path = _write(tmp_path, text)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    error = caught.value
    assert error.problems, "a refusal must carry at least one problem"
    for problem in error.problems:
        assert problem.path == str(path)
        assert str(problem).startswith(str(path))
    return error


def _problem(error: LessonError, key: str):
    for problem in error.problems:
        if problem.key == key:
            return problem
    raise AssertionError(f"no problem for {key!r} in:\n{error}")


def _replace(old: str, new: str) -> str:
    assert old in VALID, old
    return VALID.replace(old, new, 1)


def test_the_base_lesson_is_valid(tmp_path):
    lesson = load_lesson(_write(tmp_path, VALID))
    assert lesson.id == "tiny" and lesson.focus == 1 and len(lesson.steps) == 3
    assert lesson.network.sizes == [2, 2, 1]
    assert lesson.variant("fast").network.learning_rate == 2.0


def test_toml_syntax_error_gives_the_line(tmp_path):
    error = _refuse(tmp_path, _replace('loss = "half_sse"', 'loss = "half_sse'))
    problem = error.problems[0]
    assert "TOML syntax error" in problem.message
    assert problem.line == 8
    assert f"{tmp_path / 'lesson.toml'}:8:" in str(problem)


# (replace this, with this, the key that must be named, its line or None, words in the message)
REFUSALS = [
    ('id = "tiny"\n', "", "lesson.id", None, "missing"),
    ('id = "tiny"', 'id = "Tiny Lesson"', "lesson.id", 2, "lowercase"),
    ('title = "A tiny lesson"', "title = 3", "lesson.title", 3, "must be text"),
    ('inputs = ["a", "b"]', 'inputs = "a"', "network.inputs", 6, "list of names"),
    ('outputs = ["out"]', 'outputs = ["out", "out"]', "network.outputs", 7, "different"),
    ('loss = "half_sse"', 'loss = "hinge"', "network.loss", 8,
     "valid: mse, half_sse, bce, cross_entropy"),
    ('learning_rate = 0.1', 'learning_rate = 0', "network.learning_rate", 9, "greater than 0"),
    ('learning_rate = 0.1', 'learning_rate = -0.5', "network.learning_rate", 9, "greater than 0"),
    ('learning_rate = 0.1', 'learning_rate = "fast"', "network.learning_rate", 9, "must be a number"),
    ('learning_rate = 0.1', 'learning_rate = nan', "network.learning_rate", 9, "finite"),
    ('learning_rate = 0.1', 'learning_rate = inf', "network.learning_rate", 9, "finite"),
    ('learning_rate = 0.1', 'learning_rate = 0.1\nreduction = "median"', "network.reduction", 10,
     "valid: mean, sum"),
    ('learning_rate = 0.1', 'learning_rate = 0.1\nseed = -1', "network.seed", 10, "between"),
    ('learning_rate = 0.1', 'learning_rate = 0.1\ncolour = "red"', "network.colour", 10,
     "unknown key"),
    ('activation = "sigmoid"\nweights', 'activation = "swish"\nweights',
     "network.layers[0].activation", 13, "valid: identity, relu, sigmoid, tanh, softmax"),
    ('units = 2', 'units = 2.5', "network.layers[0].units", 12, "whole number"),
    ('units = 2', 'units = 0', "network.layers[0].units", 12, "between 1 and"),
    ('units = 2', 'units = 65', "network.layers[0].units", 12, "between 1 and 64"),
    ('weights = [[0.1, 0.2], [0.3, 0.4]]', 'weights = [[0.1, 0.2]]',
     "network.layers[0].weights", 14, "needs 2"),
    ('weights = [[0.1, 0.2], [0.3, 0.4]]', 'weights = [[0.1, 0.2], [0.3]]',
     "network.layers[0].weights[1]", 14, "needs 2"),
    ('weights = [[0.1, 0.2], [0.3, 0.4]]', 'weights = [[0.1, 0.2], [0.3, nan]]',
     "network.layers[0].weights[1][1]", 14, "finite"),
    ('weights = [[0.1, 0.2], [0.3, 0.4]]', 'weights = [[0.1, 0.2], [0.3, 1e9]]',
     "network.layers[0].weights[1][1]", 14, "within"),
    ('bias = [0.0, 0.0]', 'bias = [0.0]', "network.layers[0].bias", 15, "needs 2"),
    ('bias = [0.0, 0.0]', 'bias = [0.0, "x"]', "network.layers[0].bias[1]", 15, "must be a number"),
    ('bias = [0.0, 0.0]', 'bias = [0.0, 0.0]\ndropout = 0.5', "network.layers[0].dropout", 16,
     "unknown key"),
    ('units = 1\nactivation = "sigmoid"', 'units = 2\nactivation = "sigmoid"', "network.outputs", 7,
     "last layer has 2 units"),
    ('rows = [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]', 'rows = [[1.0, 1.0, 1.0], [0.0, 1.0]]',
     "data.rows[1]", 22, "each row needs 3"),
    ('rows = [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]', 'rows = [[1.0, 1.0, 1.0], [0.0, inf, 0.0]]',
     "data.rows[1][1]", 22, "finite"),
    ('rows = [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]', "rows = []", "data.rows", 22, "non-empty"),
    ("focus = 1", "focus = 2", "data.focus", 23, "between 0 and 1"),
    ("focus = 1", "focus = -1", "data.focus", 23, "between 0 and 1"),
    ("epochs = 50", "epochs = 0", "training.epochs", 26, "between 1 and"),
    ("epochs = 50", "epochs = 50\nspeed = 2", "training.speed", 27, "unknown key"),
    ('[lesson]', '[lessons]\nid = "x"\n[lesson]', "lessons", 1, "unknown key"),
    ('learning_rate = 2.0', 'learning_rate = -2.0', "variants[0].learning_rate", 30,
     "greater than 0"),
    ('id = "fast"', 'id = "Fast"', "variants[0].id", 29, "lowercase"),
    ('id = "fast"', 'id = "main"', "variants[0].id", 29, "already used"),
    ('id = "fast"', 'id = "fast"\nloss = "cross_entropy"', "variants[0].loss", 30,
     "needs a softmax output"),
    ('kind = "forward"', 'kind = "lecture"', "steps[0].kind", 33, "valid: text, forward, loss"),
    ("layer = 0", "layer = 2", "steps[0].layer", 34, "between 0 and 1"),
    ("layer = 0", "layer = 0\nanswer = 1", "steps[0].answer", 35, "unknown key"),
    ("layer = 0", "layer = 0\nrow = 5", "steps[0].row", 35, "between 0 and 1"),
    ("layer = 0", "layer = 0\nx = [1.0, 2.0]", "steps[0]", 32, "both x"),
    ("layer = 0", "layer = 0\nx = [1.0]\ny = [1.0]", "steps[0].x", 35, "needs 2"),
    ("layer = 0", "layer = 0\nrow = 0\nbatch = true", "steps[0]", 32, "not several"),
    ("layer = 0", 'layer = 0\nuse = "slow"', "steps[0].use", 35, "no variant 'slow'"),
    ('prompt = "What is z?"\n', "", "steps[1].prompt", 36, "question"),
    ('answer = "layers[0].z[0]"', 'answer = "layers[0].z[0] +"', "steps[1].answer", 39, "ends"),
    ('answer = "layers[0].z[0]"', 'answer = "__import__(1)"', "steps[1].answer", 39,
     "unknown function"),
    ('answer = "layers[0].z[0]"', "answer = true", "steps[1].answer", 39, "not true"),
    ('answer = "layers[0].z[0]"', "answer = nan", "steps[1].answer", 39, "finite"),
    ('answer = "layers[0].z[0]"', 'answer = "layers[0].z[0]"\ntolerance = 0', "steps[1].tolerance",
     40, "greater than 0"),
    ('answer = "layers[0].z[0]"', 'answer = "layers[0].z[0]"\nhints = ["", "b"]', "steps[1].hints",
     40, "non-empty"),
    ('answer = "layers[0].z[0]"', 'answer = "layers[0].z[0]"\nchoices = [{ text = "a", value = 1 }]',
     "steps[1].choices", 40, "2 to 8"),
    ('answer = "layers[0].z[0]"',
     'answer = "layers[0].z[0]"\nchoices = [{ text = "a", value = 1 }, { text = "b", value = 1 }]',
     "steps[1].choices", 40, "same value"),
    ('answer = "layers[0].z[0]"',
     'answer = "layers[0].z[0]"\nchoices = [{ text = "a", value = 1 }, { text = "b" }]',
     "steps[1].choices[1].value", 40, "missing"),
    ('variants = ["main", "fast"]', 'variants = ["main", "slow"]', "steps[2].variants", 43,
     "no variant 'slow'"),
    ('variants = ["main", "fast"]', 'variants = ["main", "main"]', "steps[2].variants", 43, "twice"),
    ('variants = ["main", "fast"]', "variants = []", "steps[2].variants", 43, "non-empty"),
    ('variants = ["main", "fast"]', 'variants = ["fast"]\nepochs = 0', "steps[2].epochs", 44,
     "between 1 and"),
]


def test_refusal_names_file_key_and_line(tmp_path):
    """Every refusal of REFUSALS, each lesson in a folder of its own (table_checks: every
    failing refusal named key:words)."""
    cases = []
    for number, (old, new, key, line, words) in enumerate(REFUSALS):
        folder = tmp_path / str(number)
        folder.mkdir()
        cases.append((f"{key}:{words}", (folder, old, new, key, line, words)))
    check_each(_refusal_names_file_key_and_line, cases)


def _refusal_names_file_key_and_line(tmp_path, old, new, key, line, words):
    error = _refuse(tmp_path, _replace(old, new))
    problem = _problem(error, key)
    assert words in problem.message
    if line is not None:
        assert problem.line == line, str(problem)
        assert f":{line}: {key}:" in str(problem)
    else:
        assert f": {key}:" in str(problem)


def test_missing_tables_are_named(tmp_path):
    text = VALID.split("[network]")[0]  # only [lesson]
    error = _refuse(tmp_path, text)
    keys = {problem.key for problem in error.problems}
    assert {"network", "data"} <= keys


def test_every_problem_is_collected_at_once(tmp_path):
    text = _replace('loss = "half_sse"', 'loss = "hinge"').replace("focus = 1", "focus = 9")
    text = text.replace('title = "A tiny lesson"', "title = 1")
    error = _refuse(tmp_path, text)
    keys = {problem.key for problem in error.problems}
    assert {"network.loss", "data.focus", "lesson.title"} <= keys


def test_cross_entropy_without_softmax_is_refused(tmp_path):
    error = _refuse(tmp_path, _replace('loss = "half_sse"', 'loss = "cross_entropy"'))
    problem = _problem(error, "network.loss")
    assert "softmax" in problem.message and problem.line == 8


@pytest.mark.parametrize("output", ["identity", "relu", "tanh"])
def test_bce_needs_an_output_between_0_and_1(tmp_path, output):
    text = _replace('loss = "half_sse"', 'loss = "bce"').replace(
        'units = 1\nactivation = "sigmoid"', f'units = 1\nactivation = "{output}"'
    )
    problem = _problem(_refuse(tmp_path, text), "network.loss")
    assert "between 0 and 1" in problem.message and output in problem.message


def test_softmax_only_on_the_output_layer(tmp_path):
    text = _replace('activation = "sigmoid"\nweights', 'activation = "softmax"\nweights')
    problem = _problem(_refuse(tmp_path, text), "network.layers[0].activation")
    assert "only allowed on the output layer" in problem.message and problem.line == 13


def test_softmax_needs_two_units(tmp_path):
    text = _replace('units = 1\nactivation = "sigmoid"', 'units = 1\nactivation = "softmax"')
    problem = _problem(_refuse(tmp_path, text), "network.layers[1].units")
    assert "at least 2" in problem.message


def test_bce_targets_must_be_probabilities(tmp_path):
    text = _replace('loss = "half_sse"', 'loss = "bce"').replace("[0.0, 1.0, 0.0]", "[0.0, 1.0, 3.0]")
    problem = _problem(_refuse(tmp_path, text), "data.rows")
    assert "between 0 and 1" in problem.message


def test_a_variants_own_loss_must_suit_the_targets_too(tmp_path):
    # The main network's half_sse takes any target; a bce variant over the same rows does not.
    text = _replace("[0.0, 1.0, 0.0]", "[0.0, 1.0, 3.0]") + (
        '\n[[variants]]\nid = "probabilities"\nloss = "bce"\n'
    )
    problem = _problem(_refuse(tmp_path, text), "variants[1].loss")  # VALID has one already
    assert "between 0 and 1" in problem.message
    fine = _replace("[0.0, 1.0, 0.0]", "[0.0, 1.0, 3.0]") + '\n[[variants]]\nid = "slow"\n'
    (tmp_path / "fine.toml").write_text(fine, encoding="utf-8")
    loader.load_lesson(tmp_path / "fine.toml")


def test_too_many_layers_and_rows(tmp_path):
    layers = "".join('\n[[network.layers]]\nunits = 1\nactivation = "identity"\n' for _ in range(9))
    text = _replace('\n[[network.layers]]\nunits = 1\nactivation = "sigmoid"\n', layers)
    assert "limit is 8" in _problem(_refuse(tmp_path, text), "network.layers").message

    rows = ", ".join("[0.0, 0.0, 0.0]" for _ in range(loader.MAX_ROWS + 1))
    text = _replace("rows = [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]]", f"rows = [{rows}]")
    assert f"limit is {loader.MAX_ROWS}" in _problem(_refuse(tmp_path, text), "data.rows").message


def test_too_many_steps_and_variants(tmp_path):
    steps = '\n[[steps]]\nkind = "text"\n' * (loader.MAX_STEPS + 1)
    problem = _problem(_refuse(tmp_path, VALID + steps), "steps")
    assert f"limit is {loader.MAX_STEPS}" in problem.message
    variants = "".join(f'\n[[variants]]\nid = "v{i}"\n' for i in range(loader.MAX_VARIANTS))
    problem = _problem(_refuse(tmp_path, VALID + variants), "variants")
    assert f"limit is {loader.MAX_VARIANTS}" in problem.message


def test_file_too_big(tmp_path):
    padding = "# " + "x" * 100 + "\n"
    text = VALID + padding * (loader.MAX_FILE_BYTES // len(padding) + 1)
    error = _refuse(tmp_path, text)
    assert "limited to" in error.problems[0].message and "bytes" in error.problems[0].message


def test_non_utf8_file_names_the_line(tmp_path):
    data = VALID.encode("utf-8").replace(b"A tiny lesson", b"A tiny le\xe7on")
    problem = _refuse(tmp_path, data).problems[0]
    assert "not UTF-8" in problem.message and problem.line == 3


def test_pathological_nesting(tmp_path):
    deep = "[" * 40 + "]" * 40
    problem = _refuse(tmp_path, VALID.replace("[training]", f"[training]\nx = {deep}")).problems[0]
    assert "nested" in problem.message
    very_deep = "[" * 100_000 + "]" * 100_000
    problem = _refuse(tmp_path, f"x = {very_deep}\n").problems[0]
    assert "nest" in problem.message, problem.message


def test_a_folder_and_a_missing_file(tmp_path):
    with pytest.raises(LessonError, match="folder"):
        load_lesson(tmp_path)
    with pytest.raises(LessonError, match="cannot read"):
        load_lesson(tmp_path / "nowhere.toml")


def test_nothing_in_a_lesson_is_executed(tmp_path, monkeypatch):
    import builtins

    real_eval, real_exec = builtins.eval, builtins.exec

    def guard(real):
        # Imports and namedtuple use eval/exec legitimately; the answer's text must never get there.
        def checked(source, *args, **kwargs):
            if isinstance(source, str) and "layers[0]" in source:
                raise AssertionError(f"a lesson file must never reach eval/exec: {source!r}")
            return real(source, *args, **kwargs)

        return checked

    monkeypatch.setattr(builtins, "eval", guard(real_eval))
    monkeypatch.setattr(builtins, "exec", guard(real_exec))
    text = _replace('answer = "layers[0].z[0]"', 'answer = "exp(layers[0].z[0]) * 2 - after.loss"')
    lesson = load_lesson(_write(tmp_path, text))
    session = LessonSession(lesson)
    assert session.problems() == []
    assert isinstance(session.answer(1), float)


def test_parse_lesson_text_uses_the_given_name():
    with pytest.raises(LessonError) as caught:
        parse_lesson_text("[lesson]\n", "memory.toml")
    assert all(problem.path == "memory.toml" for problem in caught.value.problems)


def test_bundled_lessons_are_valid():
    from nn_tui.lessons.catalog import bundled_lessons_dir

    files = sorted(bundled_lessons_dir().glob("*.toml"))
    assert files
    for file in files:
        load_lesson(file)


DOC = Path(__file__).resolve().parent.parent / "docs" / "lesson-format.md"


def test_the_guide_example_is_a_valid_lesson_whose_answers_resolve():
    text = DOC.read_text(encoding="utf-8")
    example = text.split("### The complete file", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    lesson = parse_lesson_text(example, "and-gate.toml")
    session = LessonSession(lesson)
    assert session.problems() == []
    kinds = {step.kind for step in lesson.steps}
    assert kinds == {"text", "forward", "loss", "backward", "update", "check", "train"}
    # The numbers its prose quotes.
    assert session.answer(2) == pytest.approx(0.690, abs=5e-4)
    assert session.view(3).trace.loss == pytest.approx(0.371, abs=5e-4)


def test_the_guide_documents_every_key_and_function():
    from nn_tui.lessons.expressions import FUNCTIONS

    text = DOC.read_text(encoding="utf-8")
    keys = (loader.LESSON_KEYS | loader.NETWORK_KEYS | loader.LAYER_KEYS | loader.DATA_KEYS
            | loader.TRAINING_KEYS | loader.VARIANT_KEYS | set().union(*loader.STEP_KEYS.values()))
    for name in sorted(keys | set(loader.STEP_KEYS) | set(FUNCTIONS)):
        assert f"`{name}" in text, f"docs/lesson-format.md does not mention {name!r}"


def test_the_guide_documents_every_answer_path():
    from nn_tui.engine import Network
    from nn_tui.lessons.session import TrainingOutcome

    text = DOC.read_text(encoding="utf-8")
    network = Network.build([1, 2], ["softmax"], "cross_entropy", 0.1)
    data = network.trace(np.array([1.0]), np.array([1.0, 0.0])).to_dict()
    names = set(data) | set(data["layers"][0]) | set(data["grads"][0]) | set(data["after"])
    names |= set(data["after"]["layers"][0])
    outcome = TrainingOutcome("main", "main", (1.0, 0.5), 1, 1, None, network)
    names |= set(outcome.to_dict())
    for name in sorted(names):
        assert re.search(rf"[`.]{name}\b", text), f"the guide does not mention {name!r}"
