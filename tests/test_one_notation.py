"""One notation on screen: the layer as subscript, [neuron, input] in brackets, rows counted
from 1; explained in the help screen and in the first lesson that has several weights."""

from __future__ import annotations

import re

import pytest

from nn_tui.format import trace_text, worked
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS


def _prose(lesson_id: str) -> str:
    lesson = load_lesson(LESSONS / f"{lesson_id}.toml")
    return "\n".join("\n".join([s.title, s.text, s.prompt, s.explanation, *s.hints])
                     for s in lesson.steps)


def _batch_view(lesson_id: str):
    session = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    return next(session.view(i) for i in range(session.total)
                if session.view(i).trace.mode == "batch" and session.view(i).reveal.update)


@pytest.mark.parametrize("lesson_id", ["single-neuron", "xor"])
def test_several_weights_of_a_layer_are_named_as_the_panes_name_them(lesson_id):
    """w₁ means layer 1's weight (a layer with one weight, as the panes write it); a layer with
    several weights is written W₁[neuron, input]: never w₁, w₂ for the weights of one layer."""
    prose = _prose(lesson_id)
    assert not re.search(r"\bw[₁₂₃]", prose.replace("W₁", "")), lesson_id
    assert "W₁[1,1]" in prose and "b₁" in prose


def test_the_first_lesson_with_several_weights_explains_the_names():
    prose = _prose("single-neuron")
    assert "the **layer** as the subscript, then [neuron, input] in brackets, counted from 1" in prose


def test_the_help_screen_explains_the_notation_and_scientific_notation():
    from nn_tui.ui.screens.help import HELP

    assert "The layer is the subscript, the neuron and the input are in brackets" in HELP
    assert "counted\nfrom 1" in HELP or "counted from 1" in HELP
    assert "4.380e−05 is scientific notation: 4.380 × 10⁻⁵ = 0.0000438" in HELP


def test_rows_are_counted_from_1_in_the_trace_text_and_after_update_lines():
    view = _batch_view("psa-softmax")
    forward = trace_text.forward_text(view.trace, 0)
    assert forward[0].lstrip().startswith("row  1:")
    assert not any(line.lstrip().startswith("row  0:") for line in forward)
    rows = [change.text() for change in worked.output_changes(view.trace)
            if change.row is not None]
    assert rows and rows[0].startswith("row 1: ")
    assert not any(line.startswith("row 0: ") for line in rows)


def test_scientific_notation_is_explained_before_the_slope_pane_first_shows_it():
    """The Slope pane's central difference uses h = 1e−07 from the first explore step of the
    first lesson with explore steps (single-neuron): the step before it explains the notation
    (an explore step opens in explore mode, where the Slope pane takes the Lesson pane's place,
    so its own text is not in view)."""
    lesson = load_lesson(LESSONS / "single-neuron.toml")
    first = next(index for index, step in enumerate(lesson.steps) if step.kind == "explore")
    assert "**scientific notation**: 1e−07 means 1 × 10⁻⁷" in lesson.steps[first - 1].text
    earlier = [load_lesson(path) for path in LESSONS.glob("*.toml")]
    assert all(other.order > lesson.order or other.id == lesson.id
               or not any(step.kind == "explore" for step in other.steps)
               for other in earlier), "an earlier lesson shows the Slope pane first"
