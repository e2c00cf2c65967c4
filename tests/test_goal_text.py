"""nn_tui.format.goal_text: explore goals in the panes' names and plain words, from the parsed
goal (issue 14: a learner cannot read ``min(x[0] > 1.09, x[0] < 1.11)``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nn_tui.format.goal_text import goal_text, goal_words, path_name
from nn_tui.lessons.explore_goal import parse_goal
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.lessons.session import LessonSession

LESSONS = sorted((Path(__file__).parent.parent / "lessons").glob("*.toml"))


@pytest.fixture(scope="module")
def psa_trace():
    """A 1-1-1 network (one input, one hidden unit, one output) in sample mode."""
    lesson = load_lesson(Path(__file__).parent.parent / "lessons" / "psa-hidden-layer.toml")
    return LessonSession(lesson).view(0).trace


@pytest.mark.parametrize(("goal", "words"), [
    ("min(x[0] > 1.09, x[0] < 1.11)", "1.09 < x < 1.11"),
    ("min(layers[0].W[0][0] > 3, layers[0].W[0][0] <= 3.0011)", "3 < w₁ ≤ 3.0011"),
    ("min(1 < layers[1].b[0], layers[1].b[0] < 2)", "1 < b₂ < 2"),
    ("output[0] > 0.5", "ŷ > 0.5"),
    ("max(output[0] > 0.9, loss < 0.1)", "ŷ > 0.9 or L < 0.1"),
    ("min(output[0] > 0.5, after.loss < loss)", "ŷ > 0.5 and L after the update < L"),
    ("min(layers[0].z[0] >= 0, grads[0].W[0][0] < -0.1)", "z₁ ≥ 0 and ∂L/∂w₁ < −0.1"),
    ("grads[0].da_dz[0] > 0.5", "∂a₁/∂z₁ > 0.5"),
    ("max(min(x[0] > 1, x[0] < 2), y[0] == 1)", "1 < x < 2 or y = 1"),
])
def test_goals_read_in_the_panes_names(psa_trace, goal, words):
    assert goal_text(parse_goal(goal), psa_trace) == words


def test_a_path_without_a_name_on_screen_keeps_its_text(psa_trace):
    assert path_name(("training", "main", "loss"), psa_trace) is None
    assert goal_words("training.main.loss < 0.1", psa_trace) == "training.main.loss < 0.1"
    assert goal_words("not a goal (", psa_trace) == "not a goal ("


def test_every_bundled_goal_names_only_what_the_panes_name():
    for path in LESSONS:
        lesson = load_lesson(path)
        session = LessonSession(lesson)
        for index, step in enumerate(lesson.steps):
            if step.kind != StepKind.EXPLORE:
                continue
            words = goal_words(step.goal, session.view(index).trace)
            for raw in ("[0]", "layers", "grads", "output", "min(", "max(", "<=", ">="):
                assert raw not in words, f"{path.stem} step {index + 1}: {words!r}"
