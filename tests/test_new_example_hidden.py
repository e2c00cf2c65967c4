"""A step that moves to another example (a data row, a typed x, the whole batch) shows none of
that example's computed numbers until a step computes them.

What earlier steps revealed was about the old example. Carried over, it showed the new one's
outputs at once: fruit's last check ("orange or apple?", row 4) showed ŷ = 0.005308 in the
Network and Forward panes before the learner answered. The rule is the session's, so it holds for
every check (a number or a choice) and every other step kind; this file checks it over every step
of every bundled lesson, in the session's reveal and in what the panes draw (the Loss pane
included: after a run it showed the new example's loss, which gives its ŷ away).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.lessons.session import LessonSession, Reveal
from nn_tui.ui.panes.forward import forward_renderable
from nn_tui.ui.panes.gradients import gradients_renderable
from nn_tui.ui.panes.loss import loss_summary
from nn_tui.ui.panes.network import network_renderable

LESSONS = sorted((Path(__file__).parent.parent / "lessons").glob("*.toml"))
# The steps that compute something for the example they show (and so reveal it themselves).
# What the panes draw for a layer nobody computed yet, and an output with its value.
NOTHING_YET = "Nothing computed yet"
OUTPUT_VALUE = re.compile(r"ŷ(?:\[\d+\])? [−-]?\d")
COMPUTING = {StepKind.FORWARD, StepKind.LOSS, StepKind.BACKWARD, StepKind.UPDATE,
             StepKind.TRAIN, StepKind.EXPLORE}


def text_of(renderable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.export_text()


def new_example_steps(session: LessonSession):
    """(index, view) of each non-computing step whose example differs from the step before's."""
    before = None
    for index in range(session.total):
        view = session.view(index)
        selection = view.selection
        example = (("row", session.lesson.focus if selection.row is None else selection.row)
                   if selection.mode in ("focus", "row")
                   else (selection.mode, selection.x, selection.y))
        if before is not None and example != before and view.step.kind not in COMPUTING:
            yield index, view
        before = example


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_a_step_on_a_new_example_reveals_nothing_of_it(path):
    session = LessonSession(load_lesson(path))
    for index, view in new_example_steps(session):
        assert view.reveal == Reveal(), f"{path.stem} step {index + 1}: {view.reveal}"
        where = f"{path.stem} step {index + 1} ({view.step.title})"
        forward = text_of(forward_renderable(view, 120), 124)
        assert NOTHING_YET in forward, f"{where}: the Forward pane computes\n{forward}"
        for width, height in ((56, 14), (120, 14), (40, 8)):
            network = text_of(network_renderable(view, width, height), width + 4)
            shown = OUTPUT_VALUE.findall(network)
            assert not shown, f"{where}: the Network pane gives {shown}\n{network}"
        gradients = text_of(gradients_renderable(view, 120), 124)
        assert "∂L/∂" not in gradients, f"{where}: gradients drawn\n{gradients}"
        loss = loss_summary(view).plain  # the Loss pane's text (a run's curve stays)
        assert "L = ?" in loss and "on this example" not in loss, f"{where}: {loss}"


def test_fruit_last_check_hides_the_output_it_asks_about():
    # The case that was reported: a choice check on another fruit (row 4) after training.
    session = LessonSession(load_lesson(Path(__file__).parent.parent / "lessons" / "fruit.toml"))
    index = next(i for i, step in enumerate(session.steps)
                 if step.kind == StepKind.CHECK and step.row == 4)
    view = session.view(index)
    assert view.step.choices and view.reveal == Reveal()
    drawn = text_of(forward_renderable(view, 60), 64) + text_of(network_renderable(view, 56, 14), 60)
    assert "0.005308" not in drawn and "0.0053" not in drawn
    assert OUTPUT_VALUE.search(text_of(network_renderable(session.view(index - 1), 56, 14), 60)), (
        "the step before (the training) shows the network's output: the pattern finds it")


def test_every_bundled_lesson_has_such_a_step_somewhere():
    # The rule is not vacuous: several lessons move to another example at a check or a text.
    moved = {path.stem for path in LESSONS
             if any(True for _ in new_example_steps(LessonSession(load_lesson(path))))}
    assert {"fruit", "chain-rule", "single-neuron"} <= moved
