"""Lesson prose names a network's numbers as the panes do: a value stated for a weight, bias or
sum uses the pane's name (w₁, b₁, z₁, W₁[1,2], ...), never a bare w, b or z."""

from __future__ import annotations

import re

import pytest

from nn_tui.lessons.loader import load_lesson
from tests.conftest import LESSONS

# Lessons whose prose has been aligned with the panes (the others use z as the activation
# function's generic argument, σ(z) at z = 2, which no pane names).
ALIGNED = ["learning-rate", "single-neuron", "xor"]

# "w = 5.1", "b: 0 → 2.4", "z = −4", "∂L/∂w = −17": a value stated under a bare name.
BARE_VALUE = re.compile(r"(?<![A-Za-z_])(?:∂L/∂)?([wbz])(?![A-Za-z_₀-₉\[(])\s*(?:=|:|→)\s*[−\-\d]")


def _prose(lesson_id: str) -> list[tuple[str, str]]:
    lesson = load_lesson(LESSONS / f"{lesson_id}.toml")
    return [(step.title, text) for step in lesson.steps
            for text in (step.title, step.text, step.prompt, step.explanation, *step.hints)
            if text]


def test_the_rule_finds_bare_names():
    assert BARE_VALUE.search("It starts at w = 0, b = 0")
    assert BARE_VALUE.search("Here ∂L/∂w = −17")
    assert BARE_VALUE.search("w: 0 → 5.1")
    assert BARE_VALUE.search("z = −4 is well below 0")
    assert not BARE_VALUE.search("w₁ = 0, b₁ = 0, z₁ = −4, W₁[1,2] = 2, ∂L/∂w₁ = −17")
    assert not BARE_VALUE.search("σ(z) = 1 / (1 + e⁻ᶻ)")


@pytest.mark.parametrize("lesson_id", ALIGNED)
def test_stated_values_use_the_panes_names(lesson_id):
    found = [f"{title}: …{text[max(0, m.start() - 20):m.end() + 10]}…"
             for title, text in _prose(lesson_id) for m in BARE_VALUE.finditer(text)]
    assert found == [], f"{lesson_id}: values under a bare name:\n" + "\n".join(found)


# "ΔL/Δw₁", "ΔL/ΔW₁[2,1]": the slope readout's ratio, named after the nudged number.
RATIO = re.compile(r"ΔL/Δ([A-Za-zη][₀-₉]*(?:\[\d+(?:,\d+)?\])?)")


def _explore_steps():
    from nn_tui.lessons.catalog import bundled_lessons_dir

    for path in sorted(bundled_lessons_dir().glob("*.toml")):
        lesson = load_lesson(path)
        for index, step in enumerate(lesson.steps):
            if step.kind == "explore" and step.editable:
                yield pytest.param(path.stem, index, id=f"{path.stem}-{index + 1}")


@pytest.mark.parametrize(("lesson_id", "index"), list(_explore_steps()))
def test_an_explore_step_names_the_slope_readouts_ratio_as_it_does(lesson_id, index):
    """A ratio ΔL/Δp in an explore step's prose names p as the slope readout does (its
    editable number's pane symbol: w₁, b₁[1], W₁[2,1]), never a bare w, b or W."""
    from nn_tui.lessons.edits import parse_target
    from nn_tui.lessons.session import LessonSession
    from nn_tui.ui.panes.slope import target_symbol

    session = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    view = session.view(index)
    x, y, _rows = session.selected_data(view.selection)
    symbols = {target_symbol(view.trace, parse_target(path, view.network, x, y))
               for path in view.step.editable}
    step = view.step
    named = {m.group(1) for text in (step.text, step.prompt, step.explanation, *step.hints)
             if text for m in RATIO.finditer(text)}
    assert named <= symbols, f"{lesson_id} step {index + 1}: {named - symbols} vs {symbols}"
