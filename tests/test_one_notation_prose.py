"""Lesson prose names a network's numbers as the panes do: a value stated for a weight, bias or
sum uses the pane's name (w₁, b₁, z₁, W₁[1,2], ...), never a bare w, b or z."""

from __future__ import annotations

import re

import pytest
from table_checks import check_each

from nn_tui.lessons.loader import load_lesson
from tests.conftest import LESSONS

# Every bundled lesson: a number on screen is named as the panes name it (z₁ = 2, not z = 2).
ALIGNED = sorted(path.stem for path in LESSONS.glob("*.toml"))

# "w = 5.1", "b: 0 → 2.4", "z = −4", "∂L/∂w = −17": a value stated under a bare name (not a
# formula such as ∂L/∂w = 2w).
BARE_VALUE = re.compile(
    r"(?<![A-Za-z_])(?:∂L/∂)?([wbz])(?![A-Za-z_₀-₉\[(])\s*(?:=|:|→)\s*[−\-]?\d+(?:\.\d+)?"
    r"(?![A-Za-z\d])")


def _prose(lesson_id: str) -> list[tuple[str, str]]:
    """(title, text) of every text a step shows under its title. A title itself may name the
    point of an activation as a heading does ("tanh at z = 1": the function's argument); the
    text under it names the pane's number (z₁ = 1)."""
    lesson = load_lesson(LESSONS / f"{lesson_id}.toml")
    return [(step.title, text) for step in lesson.steps
            for text in (step.text, step.prompt, step.explanation, *step.hints,
                         *(choice.text for choice in step.choices))
            if text]


def test_the_rule_finds_bare_names():
    assert BARE_VALUE.search("It starts at w = 0, b = 0")
    assert BARE_VALUE.search("Here ∂L/∂w = −17")
    assert BARE_VALUE.search("w: 0 → 5.1")
    assert BARE_VALUE.search("z = −4 is well below 0")
    assert not BARE_VALUE.search("w₁ = 0, b₁ = 0, z₁ = −4, W₁[1,2] = 2, ∂L/∂w₁ = −17")
    assert not BARE_VALUE.search("σ(z) = 1 / (1 + e⁻ᶻ)")
    assert not BARE_VALUE.search("∂L/∂w = 2w (the slope of w²)")
    assert BARE_VALUE.search("w = 3·2") and BARE_VALUE.search("at z = 2?")


@pytest.mark.parametrize("lesson_id", ALIGNED)
def test_stated_values_use_the_panes_names(lesson_id):
    found = [f"{title}: …{text[max(0, m.start() - 20):m.end() + 10]}…"
             for title, text in _prose(lesson_id) for m in BARE_VALUE.finditer(text)]
    assert found == [], f"{lesson_id}: values under a bare name:\n" + "\n".join(found)


# "ΔL/Δw₁", "ΔL/ΔW₁[2,1]": the slope readout's ratio, named after the nudged number.
RATIO = re.compile(r"ΔL/Δ([A-Za-zη][₀-₉]*(?:\[\d+(?:,\d+)?\])?)")


def test_an_explore_step_names_the_slope_readouts_ratio_as_it_does():
    """A ratio ΔL/Δp in an explore step's prose names p as the slope readout does (its
    editable number's pane symbol: w₁, b₁[1], W₁[2,1]), never a bare w, b or W. Every explore
    step with editable numbers of every bundled lesson (found here, not at collection, where
    every pytest-xdist worker would load every lesson; table_checks: each failing step named)."""
    cases = []
    for lesson_id in ALIGNED:
        lesson = load_lesson(LESSONS / f"{lesson_id}.toml")
        cases += [(f"{lesson_id} step {index + 1}", (lesson_id, index))
                  for index, step in enumerate(lesson.steps)
                  if step.kind == "explore" and step.editable]
    assert cases, "no bundled lesson has an explore step with editable numbers"
    check_each(_names_the_ratio_as_the_slope_readout_does, cases)


def _names_the_ratio_as_the_slope_readout_does(lesson_id, index):
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


# A bare w, b, z or W in a formula ("z = w·x + b", "σ(z)", "∂L/∂w", "W·x"): a generic name,
# not a number on screen. Not matched: subscripted (w₁, z₁[2]), indexed (W₁[1,1]), words.
BARE_NAME = re.compile(r"(?<![A-Za-z_'’])(?:∂L/∂|∂Lᵢ/∂)?([wbzW])(?![A-Za-z_₀-₉ᵢ\['’])")
# Steps that list or recap what a lesson teaches; the lesson's text proper says it first.
OVERVIEW = ("What you will learn", "Summary")


def test_the_generic_name_rule_finds_formulas_not_panes_names():
    for formula in ("z = w·x + b", "σ(z) = 1 / (1 + e⁻ᶻ)", "w ← w − η·∂L/∂w", "δ = ∂L/∂z",
                    "z = W·x + b"):
        assert BARE_NAME.search(formula), formula
    for named in ("z₁ = w₁·x + b₁", "W₁[1,2]", "z₁[2]", "∂L/∂w₁", "ŷ = σ(z₁)", "a weight"):
        assert not BARE_NAME.search(named), named


@pytest.mark.parametrize("lesson_id", ALIGNED)
def test_a_generic_name_is_said_to_be_generic_before_it_is_used(lesson_id):
    """Where a lesson's text writes a formula with bare names (a rule for any neuron), it says
    once, at or before the first such formula, that the names are generic; the numbers on
    screen keep the panes' names (the test above)."""
    lesson = load_lesson(LESSONS / f"{lesson_id}.toml")
    said = False
    for step in lesson.steps:
        texts = [text for text in (step.title, step.text, step.prompt, step.explanation,
                                   *step.hints, *(choice.text for choice in step.choices))
                 if text]
        said = said or any("generic" in text for text in texts)
        if step.title in OVERVIEW:
            continue
        used = [m.group(0) for text in texts for m in BARE_NAME.finditer(text)]
        assert said or not used, (
            f"{lesson_id} {step.title!r}: {used[:3]} before the lesson says the names are "
            "generic")
