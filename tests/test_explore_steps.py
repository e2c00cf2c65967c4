"""Explore steps (goal, editable) everywhere but explore mode itself, and `trace/train --set`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lesson_files import lesson_text

from nn_tui.cli import main
from nn_tui.engine import Trainer
from nn_tui.lessons.catalog import load_checked_lesson
from nn_tui.lessons.edits import (EditError, EditTarget, apply_edits, editable_targets,
                                  parse_target)
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.explore_goal import (EXPLORE_NOTE, GoalError, edited_context, explore_context,
                                         goal_met, goal_value, parse_goal, step_targets)
from nn_tui.lessons.progress import LessonShape, ProgressStore, _digest
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS

PSA_HIDDEN = str(LESSONS / "psa-hidden-layer.toml")
XOR = str(LESSONS / "xor.toml")

# The PSA 1-1-1 network on three men; each test writes its steps after it.
HEAD = lesson_text("psa-1-1-1", lesson={"id": "explore-test", "title": "Explore test"},
                   steps=None)

GOOD_STEP = """
[[steps]]
kind = "text"
title = "Before"
text = "Look."

[[steps]]
kind = "explore"
title = "Push it over"
prompt = "Change the output bias until ŷ passes 0.5 for this man."
goal = "output[0] > 0.5"
editable = ["layers[1].b[0]", "layers[-1].W[0][0]"]
hints = ["A larger bias raises z₂."]
explanation = "Any b₂ above about 0.73 does it."
"""


def write(tmp_path: Path, text: str, name: str = "lesson.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, steps: str) -> list[str]:
    """The check problems of HEAD + steps, as `nn-tui check` prints them (file:line: key: ...)."""
    path = write(tmp_path, HEAD + steps)
    with pytest.raises(LessonError) as caught:
        load_checked_lesson(path)
    return str(caught.value).splitlines()


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


# -- the step kind in the loader ----------------------------------------------------------------


def test_an_explore_step_loads_with_its_keys(tmp_path):
    lesson, notes = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    step = lesson.steps[1]
    assert step.kind == "explore" and step.is_question
    assert step.goal == "output[0] > 0.5"
    assert step.editable == ("layers[1].b[0]", "layers[-1].W[0][0]")
    assert step.hints == ("A larger bias raises z₂.",)
    assert step.explanation.startswith("Any b₂")
    assert notes == []
    assert not lesson.steps[0].is_question


def test_without_editable_every_number_is_editable(tmp_path):
    text = HEAD + GOOD_STEP.replace('editable = ["layers[1].b[0]", "layers[-1].W[0][0]"]\n', "")
    lesson, _ = load_checked_lesson(write(tmp_path, text))
    assert lesson.steps[1].editable is None
    session = LessonSession(lesson)
    network, x, y, _rows = session.explore_data(1)
    assert step_targets(lesson.steps[1], network, x, y) == editable_targets(network, x, y)


@pytest.mark.parametrize("change, key, words", [
    ('goal = "output[0] > 0.5"', "goal", "missing: the condition"),
    ('goal = "output[0] > 0.5"\ngoal2 = 1', "goal2", "unknown key"),
    ('prompt = "Change the output bias until ŷ passes 0.5 for this man."', "prompt",
     "missing: an explore step needs the task"),
])
def test_missing_keys_are_named_with_their_line(tmp_path, change, key, words):
    replacement = "" if key != "goal2" else change
    text = HEAD + GOOD_STEP.replace(change, replacement) if key != "goal2" else \
        HEAD + GOOD_STEP.replace('goal = "output[0] > 0.5"', change)
    lines = problems_of(tmp_path, text[len(HEAD):])
    found = [line for line in lines if f"steps[1].{key}" in line]
    assert found and words in found[0], lines
    assert re.match(r".*lesson\.toml:\d+: steps\[1\]", found[0])


@pytest.mark.parametrize("goal, words", [
    ('"loss + 1"', "is not a condition"),
    ('"output[0] >"', ""),
    ("0.5", "must be text"),
    ('"output[0] > 0.5 \\u001b[2J"', "control character"),
    ('"__import__(1) > 0"', "unknown function"),
])
def test_a_bad_goal_is_refused_at_its_line(tmp_path, goal, words):
    steps = GOOD_STEP.replace('goal = "output[0] > 0.5"', f"goal = {goal}")
    text = HEAD + steps
    lines = problems_of(tmp_path, steps)
    goal_line = line_of(text, f"goal = {goal}")
    found = [line for line in lines if "steps[1].goal" in line]
    assert found, lines
    assert f"lesson.toml:{goal_line}: steps[1].goal" in found[0]
    assert words in found[0]


@pytest.mark.parametrize("editable, words", [
    ("[]", "non-empty list"),
    ('"layers[0].b[0]"', "non-empty list"),
    ("[1]", "must be a path"),
    ('["layers[5].b[0]"]', "layer index 5 is out of range"),
    ('["layers[0].W[0][1]"]', "layers[0].W index 1 is out of range"),
    ('["x[1]"]', "x index 1 is out of range"),
    ('["output[0]"]', "not an editable number"),
    ('["layers[1].b[0]", "layers[-1].b[-1]"]', "names layers[1].b[0] again"),
])
def test_bad_editable_paths_are_refused_at_their_line(tmp_path, editable, words):
    steps = GOOD_STEP.replace('editable = ["layers[1].b[0]", "layers[-1].W[0][0]"]',
                              f"editable = {editable}")
    text = HEAD + steps
    lines = problems_of(tmp_path, steps)
    found = [line for line in lines if "steps[1].editable" in line]
    assert found and words in found[0], lines
    assert f"lesson.toml:{line_of(text, f'editable = {editable}')}:" in found[0]


def test_editable_inputs_follow_the_steps_data_selection(tmp_path):
    """In batch mode a row's input is x[n][k]; x[k] names no number there."""
    batch = GOOD_STEP.replace('title = "Push it over"', 'title = "Push it over"\nbatch = true')
    good = batch.replace('"layers[-1].W[0][0]"', '"x[2][0]"').replace(
        'goal = "output[0] > 0.5"', 'goal = "output[0][0] > 0.5"')
    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + good))
    network, x, y, rows = LessonSession(lesson).explore_data(1)
    assert x.shape == (3, 1) and rows == (0, 1, 2)
    assert EditTarget("x", None, (2, 0)) in step_targets(lesson.steps[1], network, x, y)
    lines = problems_of(tmp_path, good.replace('"x[2][0]"', '"x[0]"'))
    assert any("steps[1].editable[1]" in line and "give 2 index" in line for line in lines)


def test_a_goal_over_unknown_paths_is_refused(tmp_path):
    steps = GOOD_STEP.replace('goal = "output[0] > 0.5"', 'goal = "layers[3].a[0] > 0.5"')
    lines = problems_of(tmp_path, steps)
    assert any("steps[1].goal" in line and "layers" in line and "out of range" in line
               for line in lines), lines
    steps = GOOD_STEP.replace('goal = "output[0] > 0.5"', 'goal = "accuracy > 0.5"')
    assert any("unknown name 'accuracy'" in line for line in problems_of(tmp_path, steps))


def test_a_goal_met_at_the_start_is_pointless(tmp_path):
    steps = GOOD_STEP.replace('goal = "output[0] > 0.5"', 'goal = "output[0] < 0.5"')
    lines = problems_of(tmp_path, steps)
    assert any("steps[1].goal" in line and "already holds" in line for line in lines), lines


def test_nn_tui_check_prints_the_problems_and_exits_2(tmp_path, capsys):
    path = write(tmp_path, HEAD + GOOD_STEP.replace('"layers[-1].W[0][0]"', '"layers[1].W[0][9]"'))
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert "steps[1].editable[1]" in out and "out of range" in out
    good = write(tmp_path, HEAD + GOOD_STEP, "good.toml")
    assert main(["check", str(good)]) == 0


# -- the goal -------------------------------------------------------------------------------------


def test_parse_goal_accepts_conditions_only():
    assert parse_goal("output[0] > 0.5").source == "output[0] > 0.5"
    parse_goal("min(output[0] > 0.5, loss < 0.1)")
    parse_goal("max(after.loss < loss, output[0] >= 1)")
    for bad in ("loss", "min(loss, 1)", "output[0] + 1", "sigmoid(loss > 1)"):
        with pytest.raises(GoalError):
            parse_goal(bad)


def test_goal_met_follows_the_edited_network(tmp_path):
    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    session = LessonSession(lesson)
    step = lesson.steps[1]
    network, x, y, rows = session.explore_data(1)
    start = explore_context(network, x, y, rows)
    assert not goal_met(step, start)
    assert start["output"] == session.view(1).context()["output"]
    bias = parse_target("layers[1].b[0]", network, x, y)
    below = edited_context(step, network, x, y, {bias: 0.6}, rows)
    above = edited_context(step, network, x, y, {bias: 0.9}, rows)
    assert not goal_met(step, below) and goal_met(step, above)
    # The numbers are the engine's: σ(−1·σ(0.5·2) + 0.9) > 0.5.
    edited, _, _ = apply_edits(network, x, y, {bias: 0.9})
    assert above["output"][0] == pytest.approx(edited.predict(x)[0], abs=0)
    # Edits never touch the step's own network.
    assert network.layers[1].b[0] == 0.0
    with pytest.raises(EditError, match="not editable at this step"):
        edited_context(step, network, x, y, {EditTarget("x", None, (0,)): 9.0}, rows)


def test_a_goal_over_an_overflowed_number_is_not_met(tmp_path):
    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    step = lesson.steps[1]
    context = LessonSession(lesson).view(1).context()
    context["output"] = [float("inf")]
    assert goal_met(step, context) is False
    with pytest.raises(GoalError):
        goal_met(step, {"loss": 1.0})  # no output at all: a goal that cannot resolve


def test_goal_value_refuses_other_steps(psa_hidden):
    with pytest.raises(ValueError):
        goal_value(psa_hidden.steps[0], {})


# -- progress, the picker, the end screen, the Lesson pane ---------------------------------------


def test_check_keys_are_unchanged_and_explore_keys_hash_the_goal(tmp_path, psa_hidden):
    shape = LessonShape.of(psa_hidden.steps)
    for step, key in zip(psa_hidden.steps, shape.keys):
        choices = [(choice.text, str(choice.value)) for choice in step.choices]
        assert key == _digest([step.kind, step.title, step.prompt, step.answer, choices])
    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    other, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP.replace(
        "output[0] > 0.5", "output[0] > 0.6"), "other.toml"))
    assert LessonShape.of(lesson.steps).keys[1] != LessonShape.of(other.steps).keys[1]


def test_a_reached_goal_is_kept_like_a_right_answer(tmp_path, isolated_home):
    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    shape = LessonShape.of(lesson.steps)
    store = ProgressStore()
    store.match(lesson.id, shape)
    store.record_step(lesson.id, 1, shape.total)
    record = store.get(lesson.id).check(1)
    record.attempts, record.correct = 1, True
    store.save()
    again = ProgressStore()
    assert again.match(lesson.id, shape) is None
    assert again.peek(lesson.id).checks["1"].correct
    assert again.peek(lesson.id).checks_right == 1
    # A step inserted before it: the record follows its explore step.
    moved, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP.replace(
        '[[steps]]\nkind = "explore"',
        '[[steps]]\nkind = "text"\ntitle = "New"\ntext = "x"\n\n[[steps]]\nkind = "explore"'),
        "moved.toml"))
    third = ProgressStore()
    third.match(lesson.id, LessonShape.of(moved.steps))
    assert set(third.peek(lesson.id).checks) == {"2"}


def test_the_picker_and_end_screen_count_explore_steps(tmp_path):
    from nn_tui.lessons.catalog import CatalogEntry
    from nn_tui.lessons.progress import CheckRecord, LessonProgress
    from nn_tui.ui.screens.end import lesson_summary
    from nn_tui.ui.screens.picker import describe_catalog

    path = write(tmp_path, HEAD + GOOD_STEP)
    lesson, _ = load_checked_lesson(path)
    session = LessonSession(lesson)
    progress = LessonProgress(checks={"1": CheckRecord(attempts=1, correct=True)})
    summary = lesson_summary(session, progress)
    assert summary.questions == 1 and summary.first_try == 1
    [info] = describe_catalog([CatalogEntry(path, lesson)])
    assert info.steps == 2 and info.checks == 1


def test_the_lesson_pane_shows_the_task_and_how_to_explore(tmp_path):
    from nn_tui.ui.panes.lesson import step_markdown

    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    text = step_markdown(LessonSession(lesson).view(1))
    assert "Change the output bias until ŷ passes 0.5 for this man." in text
    assert EXPLORE_NOTE in text and "press **e** to explore" in text


def test_an_explore_step_shows_the_forward_pass_and_loss(tmp_path):
    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    reveal = LessonSession(lesson).view(1).reveal
    assert reveal.forward == 2 and reveal.loss and reveal.backward == 0


def test_exports_of_a_lesson_with_an_explore_step(tmp_path, capsys):
    path = write(tmp_path, HEAD + GOOD_STEP)
    assert main(["export", "--markdown", str(path)]) == 0
    document = capsys.readouterr().out
    assert "**Try it 1.** Change the output bias" in document
    assert "Change only `layers[1].b[0]`, `layers[1].W[0][0]`" in document
    assert "Reached when `output[0] > 0.5` holds" in document
    assert "Any b₂ above about 0.73 does it." in document
    assert main(["export", "--python", str(path)]) == 0
    compile(capsys.readouterr().out, "lesson.py", "exec")


# -- trace --set and --step -----------------------------------------------------------------------


def trace_json(capsys, *args) -> dict:
    assert main(["trace", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_trace_set_is_the_engine_trace_of_the_edited_network(capsys, psa_hidden):
    data = trace_json(capsys, PSA_HIDDEN, "--set", "layers[0].W[0][0]=0.7", "--set", "x[0]=-3",
                      "--set", "layers[1].b[0]=-0.25", "--set", "learning_rate=0.5")
    network = psa_hidden.network.build()
    row = psa_hidden.focus
    target = lambda path: parse_target(path, network, psa_hidden.X[row], psa_hidden.Y[row])
    edited, x, y = apply_edits(network, psa_hidden.X[row], psa_hidden.Y[row], [
        (target("layers[0].W[0][0]"), 0.7), (target("x[0]"), -3.0),
        (target("layers[1].b[0]"), -0.25), (target("learning_rate"), 0.5)])
    expected = edited.trace(x, y, rows=(row,)).to_dict(psa_hidden.id)
    expected["non_finite"] = {}
    assert data == json.loads(json.dumps(expected))
    assert data["x"] == [-3.0] and data["layers"][0]["W"] == [[0.7]]
    assert data["learning_rate"] == 0.5
    # The contract: the same keys as a trace without --set.
    assert set(data) == set(trace_json(capsys, PSA_HIDDEN))


def test_a_later_set_of_one_number_wins(capsys):
    data = trace_json(capsys, PSA_HIDDEN, "--set", "x[0]=1", "--set", "x[-1]=-2.5")
    assert data["x"] == [-2.5]


def test_trace_set_in_batch_mode_uses_row_indexes(capsys, fruit):
    data = trace_json(capsys, str(LESSONS / "fruit.toml"), "--batch", "--set", "x[1][0]=-0.25")
    assert data["x"][1][0] == -0.25
    assert data["x"][0] == fruit.X[0].tolist()


@pytest.mark.parametrize("assignment, words", [
    ("layers[0].W[0][5]=1", "layers[0].W index 5 is out of range (0..0)"),
    ("layers[2].b[0]=1", "layer index 2 is out of range"),
    ("x[0]=abc", "x[0]: 'abc' is not a number"),
    ("x[0]=nan", "is not a number"),
    ("x[0]=1e400", "is not a number"),
    ("x[0]=2e6", "too large"),
    ("output[0]=1", "'output[0]' is not an editable number"),
    ("layers[0].b[0]", "write PATH=VALUE"),
    ("learning_rate=0", "η must be greater than 0"),
    ("x[0][0]=1", "give 1 index"),
])
def test_a_bad_set_names_itself_and_exits_2(capsys, assignment, words):
    assert main(["trace", PSA_HIDDEN, "--set", assignment]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"nn-tui trace: --set {assignment!r}: " in captured.err
    assert words in captured.err
    assert "Traceback" not in captured.err


def test_targets_of_a_probability_loss_stay_between_0_and_1(capsys):
    assert main(["trace", XOR, "--set", "y[0]=2"]) == 2
    assert "bce needs targets between 0 and 1, not 2" in capsys.readouterr().err
    assert trace_json(capsys, XOR, "--set", "y[0]=0.25")["y"] == [0.25]


def test_trace_step_is_the_step_the_tutor_shows(capsys, psa_hidden):
    session = LessonSession(psa_hidden)
    for index in (0, session.total - 1):
        data = trace_json(capsys, PSA_HIDDEN, "--step", str(index + 1))
        expected = session.view(index).trace.to_dict(psa_hidden.id)
        expected["non_finite"] = {}
        assert data == json.loads(json.dumps(expected))


def test_trace_step_with_set_edits_the_network_in_force_there(capsys, psa_hidden):
    session = LessonSession(psa_hidden)
    last = session.total - 1
    network, x, y, rows = session.explore_data(last)
    data = trace_json(capsys, PSA_HIDDEN, "--step", str(last + 1), "--set", "layers[1].W[0][0]=-2")
    target = parse_target("layers[1].W[0][0]", network, x, y)
    edited, x, y = apply_edits(network, x, y, {target: -2.0})
    assert data["output"] == pytest.approx(edited.trace(x, y).output.tolist(), abs=0)
    assert data["layers"][1]["W"] == [[-2.0]]
    assert data["layers"][0]["W"] == session.view(last).trace.layers[0].W.tolist()


def test_trace_text_says_what_was_set(capsys):
    assert main(["trace", PSA_HIDDEN, "--set", "layers[0].W[0][0]=-0.7", "--set", "x[0]=3"]) == 0
    out = capsys.readouterr().out
    assert "set layers[0].W[0][0] = −0.7000 (was 0.5000)" in out
    assert "as --set changed it: PSA = 3" in out
    assert "(−0.7000)·3" in out  # the worked arithmetic uses the edited numbers


@pytest.mark.parametrize("args, words", [
    (["--step", "0"], "--step 0: "),
    (["--step", "999"], "has steps 1 to"),
    (["--step", "2", "--sample", "1"], "leave out --sample and --batch"),
])
def test_bad_step_arguments_exit_2(capsys, args, words):
    assert main(["trace", PSA_HIDDEN, *args]) == 2
    assert words in capsys.readouterr().err


def test_train_set_trains_from_the_edited_network(capsys, psa_hidden):
    assert main(["train", PSA_HIDDEN, "--epochs", "30", "--set", "layers[1].b[0]=1.5",
                 "--set", "learning_rate=0.3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    network = psa_hidden.network.build()
    network.layers[1].b[0] = 1.5
    network.learning_rate = 0.3
    trainer = Trainer(network, psa_hidden.X, psa_hidden.Y, psa_hidden.training.batch_size,
                      psa_hidden.training.shuffle_seed)
    trainer.run(30)
    assert data["loss_history"] == pytest.approx(trainer.history, abs=0)
    assert data["layers"][1]["b"] == trainer.network.layers[1].b.tolist()


def test_train_set_refuses_data_paths(capsys):
    assert main(["train", PSA_HIDDEN, "--set", "x[0]=1"]) == 2
    assert "train uses every data row" in capsys.readouterr().err


# -- the tutor ---------------------------------------------------------------------------------------


async def test_the_tutor_shows_an_explore_step_with_its_task(tmp_path):
    """At 120×40, then (the same app resized, the step left and opened again) at 80×24."""
    from tests.ui.ui_helpers import make_app, resize_to, screen_text, settle, wait_for_screen

    path = write(tmp_path, HEAD + GOOD_STEP)
    app = make_app(path)
    sizes = [(120, 40), (80, 24)]
    async with app.run_test(size=sizes[0]) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        for size in sizes:
            if size != sizes[0]:
                await resize_to(app, pilot, size)
                await pilot.press("left")
                await settle(app, pilot)
                assert app.screen.view.index == 0, size
            await pilot.press("right")
            await settle(app, pilot)
            assert app.screen.view.index == 1, size
            # The step opens in explore mode, its task in the Slope pane; the Lesson pane (shown
            # again on leaving) keeps the task and says how to come back.
            assert app.screen.explore is not None, size
            shown = " ".join(screen_text(app).split())
            assert "Change the output bias until ŷ passes 0.5" in shown, size
            text = " ".join(app.screen.query_one("LessonPane").text.split())
            assert "Your task: Change the output bias until ŷ passes 0.5 for this man." in text, size
            assert "press e to explore" in text, size
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen.explore is None and "step 2 of 2" in screen_text(app), size


def test_a_goal_after_a_run_check_cuts_short_is_noted_not_refused(tmp_path, monkeypatch):
    from nn_tui.lessons import training as training_module

    # Check trains at most LINT_TRAINING_EPOCHS of a run: a smaller cap cuts this run short
    # just the same, without training 20,000 epochs first.
    monkeypatch.setattr(training_module, "LINT_TRAINING_EPOCHS", 50)
    steps = f"""
[[steps]]
kind = "train"
title = "Long run"
epochs = {training_module.LINT_TRAINING_EPOCHS + 5000}
""" + GOOD_STEP.replace('title = "Before"', 'title = "After"')
    lesson, notes = load_checked_lesson(write(tmp_path, HEAD + steps))
    assert [note.key for note in notes] == ["steps[2].goal"]
    assert "was not checked" in notes[0].message


def test_trace_context_is_what_the_step_view_gives(tmp_path):
    from nn_tui.lessons.explore_goal import trace_context

    lesson, _ = load_checked_lesson(write(tmp_path, HEAD + GOOD_STEP))
    view = LessonSession(lesson).view(1)
    training = view.context()["training"]
    assert trace_context(view.trace, training) == view.context()
    # Every step, not only explore steps, has editable numbers: all of them.
    network, x, y = view.network, view.trace.x, view.trace.y
    assert step_targets(lesson.steps[0], network, x, y) == editable_targets(network, x, y)


@pytest.mark.parametrize("goal, words", [
    ("", "the goal is empty"), ("output[0] > " + "1" * 600, "a goal is limited to 500"),
])
def test_goal_messages_speak_of_goals(goal, words):
    with pytest.raises(GoalError, match=words):
        parse_goal(goal)
