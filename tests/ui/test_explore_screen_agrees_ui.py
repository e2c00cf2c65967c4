"""Explore mode agrees with the lesson (issue 14, read-through v2): at every explore step of
every bundled lesson, at 120×40 and 80×24, the goal is written in the panes' names (no trace
path on screen), the step's own title and text are in view, the Forward pass shows no
after-update lines before the lesson has shown an update (also when e is pressed at an ordinary
step), and reaching a goal leaves no notice over the next step.

The checks at every explore step and after e (``explore_problems``, at the steps ``visits``
names) run in tests/ui/test_layout_fit_v2.py's walk (``test_every_step_at_both_sizes``, one test
per lesson): its app, opened on the bundled lesson as the lesson list opens it (a bundled
catalogue entry, on a screen of its own), goes to every step at 80×24 and, resized, at 120×40;
at an explore step it records what explore mode shows (:func:`seen_in_explore`) before it leaves
explore mode, and once its walk at 120×40 is done it goes back to the steps of
``ordinary_indices`` and presses e at each. Every failing case is named: lesson, step, size.
(These checks were once written as one app per step and size, then as one app walking to each
of these steps: opening the tutor and going to a step is most of what such a check costs, and
the layout walk goes to every step anyway.) The walk leaves out the nudges explore mode renders
ahead (``EXPLORE_PRERENDER_DELAY``): it nudges nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from ui_helpers import make_app, notices, open_at, screen_text, settle, wait_until

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind

BIG = (120, 40)
SMALL = (80, 24)
SIZES = (BIG, SMALL)
LESSONS = sorted(bundled_lessons_dir().glob("*.toml"))
RAW_PATH = ("[0]", "layers", "grads", "min(", "output[", "x[")
# "max(" is also ReLU's formula in the Forward pass: looked for in the Slope pane only.
RAW_IN_SLOPE = RAW_PATH + ("max(",)
AFTER_UPDATE = "after the update"


def update_shown(lesson, index: int) -> bool:
    return any(step.kind == StepKind.UPDATE for step in lesson.steps[:index + 1])


def flowing(text: str) -> str:
    return " ".join(text.split())


def plain_words(markdown: str) -> str:
    """The first sentence of a step's text as the Markdown renders it (no * _ ` marks)."""
    words = flowing(re.sub(r"[*_`]", "", markdown))
    return words.split(". ")[0][:60]


async def open_explore_step(app, pilot, index: int):
    screen = await open_at(app, pilot, index)
    await wait_until(pilot, lambda: screen.explore is not None, "explore mode opens")
    await settle(app, pilot)
    return screen


@dataclass(frozen=True)
class Seen:
    """One step in explore mode: the whole screen as drawn (explore steps only), and the Slope
    and Forward panes' text."""

    screen: str
    slope: str
    forward: str


def ordinary_indices(lesson) -> list[tuple[int, bool]]:
    """The first text step (no update shown yet) and, where the lesson has an update step,
    that step; each with whether the lesson has shown an update there."""
    kinds = [step.kind for step in lesson.steps]
    found = [(kinds.index(StepKind.TEXT), False)]
    if StepKind.UPDATE in kinds:
        found.append((kinds.index(StepKind.UPDATE), True))
    return found


def visits(lesson) -> dict[tuple[int, int], list[int]]:
    """Per size, the steps the walk sees in explore mode: every explore step at both sizes; at
    120×40 also the ordinary steps of ``ordinary_indices`` (after e)."""
    explore = [i for i, step in enumerate(lesson.steps) if step.kind == StepKind.EXPLORE]
    ordinary = [i for i, _ in ordinary_indices(lesson)]
    return {BIG: sorted(set(explore + ordinary)), SMALL: explore}


def explore_step_problems(lesson, index: int, record: Seen) -> list[str]:
    """What is wrong with explore step ``index`` as ``record`` saw it: a trace path on screen
    or in the Slope pane, no goal, the step's title or text not in the Slope pane or the title
    not on screen, after-update lines before the lesson showed an update."""
    step = lesson.steps[index]
    shown, slope_text = record.screen, record.slope
    problems = [f"{raw!r} on screen:\n{shown}" for raw in RAW_PATH if raw in shown]
    problems += [f"{raw!r} in the Slope pane:\n{slope_text}" for raw in RAW_IN_SLOPE
                 if raw in slope_text]
    if "goal " not in slope_text:
        problems.append(f"no goal in the Slope pane:\n{slope_text}")
    # The step's own title and text, which the Lesson pane (hidden while exploring) holds.
    text = flowing(slope_text)
    if flowing(step.title) not in text:
        problems.append(f"the title {step.title!r} not in the Slope pane:\n{text}")
    if step.text.strip() and plain_words(step.text) not in text:
        problems.append(f"the text {plain_words(step.text)!r} not in the Slope pane:\n{text}")
    # The Slope pane starts at its top: the title is on screen.
    if not (step.title[:30] in flowing(shown) or step.title[:30] in shown.replace("\n", "")):
        problems.append(f"the title {step.title[:30]!r} not on screen:\n{shown}")
    forward = record.forward
    if not update_shown(lesson, index) and (AFTER_UPDATE in forward or " new =" in forward):
        problems.append(f"after-update lines before the lesson showed an update:\n{forward}")
    return problems


def ordinary_step_problems(lesson, index: int, record: Seen) -> list[str]:
    """What is wrong with ordinary step ``index`` (of ``ordinary_indices``) after e:
    after-update lines in the Forward pass where the lesson has not shown an update, or none
    where it has."""
    shown = dict(ordinary_indices(lesson))[index]
    forward = record.forward
    if (AFTER_UPDATE in forward) is shown:
        return []
    return [f"after-update lines {'missing' if shown else 'shown'} "
            f"(update shown: {shown}):\n{forward}"]


async def seen_in_explore(app, pilot, screen, explore: bool) -> Seen:
    """The step on screen in explore mode, recorded, then left: an explore step (which opens
    explore mode when it is shown, from the step before it) with the whole screen as drawn; an
    ordinary step after e, with its panes' text only."""
    if not explore:
        await pilot.press("e")
    await wait_until(pilot, lambda: screen.explore is not None, "explore mode opens")
    await settle(app, pilot)
    record = Seen(screen_text(app) if explore else "", screen.pane("pane-slope").text,
                  screen.pane("pane-forward").text)
    screen.leave_explore()
    return record


def explore_problems(lesson, index: int, record: Seen) -> list[str]:
    """What is wrong with step ``index`` as ``record`` saw it in explore mode: an explore
    step's ``explore_step_problems``, an ordinary step's ``ordinary_step_problems``."""
    if lesson.steps[index].kind == StepKind.EXPLORE:
        return explore_step_problems(lesson, index, record)
    return ordinary_step_problems(lesson, index, record)


def test_the_walk_has_steps_to_see_in_explore_mode():
    """Some bundled lessons have explore steps, some an update step, each a text step: the
    walk's checks at every explore step and after e have cases to look at."""
    lessons = [load_lesson(path) for path in LESSONS]
    assert all(visits(lesson)[BIG] for lesson in lessons)
    assert sum(len(visits(lesson)[SMALL]) for lesson in lessons) >= 5
    assert sum(len(ordinary_indices(lesson)) == 2 for lesson in lessons) >= 5


@pytest.mark.parametrize("size", SIZES, ids=("120x40", "80x24"))
async def test_a_reached_goal_leaves_nothing_over_the_next_step(size):
    path = bundled_lessons_dir() / "slopes.toml"
    lesson = load_lesson(path)
    index = next(i for i, step in enumerate(lesson.steps)
                 if step.kind == StepKind.EXPLORE and step.goal.startswith("min(x[0]"))
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        screen = await open_explore_step(app, pilot, index)
        await pilot.press("plus")  # x 1 → 1.1, the step's 0.1
        await settle(app, pilot)
        record = screen.store.get(screen.lesson.id).check(index)
        assert record.correct
        assert "counts as a right answer" in flowing(screen.pane("pane-slope").text)
        # Under the step's text and task, the readout being watched is kept in view.
        await pilot.pause()
        shown = screen_text(app)
        assert "central difference" in shown and "last change" in shown, shown
        await pilot.press("escape", "right")
        await settle(app, pilot)
        assert screen.view.index == index + 1
        assert "Goal reached" not in screen_text(app)
        assert not any("Goal reached" in notice for notice in notices(app))
