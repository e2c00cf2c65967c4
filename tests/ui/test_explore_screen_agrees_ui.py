"""Explore mode agrees with the lesson (issue 14, read-through v2): at every explore step of
every bundled lesson, at 120×40 and 80×24, the goal is written in the panes' names (no trace
path on screen), the step's own title and text are in view, the Forward pass shows no
after-update lines before the lesson has shown an update (also when e is pressed at an ordinary
step), and reaching a goal leaves no notice over the next step.

The first test walks one app through every bundled lesson (each opened as the lesson list
opens it, on a screen of its own) to each step it is about, at 120×40 and, resized, 80×24, and
names every case that fails, instead of one app per step and size (as these checks were once
written) or per lesson: opening the tutor is most of what such a check costs. The walk leaves
out the nudges explore mode renders ahead (``EXPLORE_PRERENDER_DELAY``): it nudges nothing.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass

import pytest

from nn_tui.lessons.catalog import CatalogEntry, bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.ui.screens import explore_mode
from ui_helpers import (goto_step, make_app, notices, open_at, resize_to, screen_text, settle,
                        wait_until)

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


async def see(app, pilot, screen, lesson, index: int, explore: bool) -> Seen:
    """Go to step ``index``, in explore mode (e at an ordinary step), and record it; then
    leave. (An explore step opens explore mode when it is shown, and going to the step shown is
    no move: an explore step on screen is come to from the step beside it.)"""
    if explore and screen.view.index == index:
        await goto_step(app, pilot, index - 1 if index else index + 1)
    await goto_step(app, pilot, index)
    if not explore:
        await pilot.press("e")
    await wait_until(pilot, lambda: screen.explore is not None, "explore mode opens")
    await settle(app, pilot)
    record = Seen(screen_text(app) if explore else "", screen.pane("pane-slope").text,
                  screen.pane("pane-forward").text)
    screen.leave_explore()
    await settle(app, pilot)
    return record


async def test_explore_mode_agrees_with_the_lesson_at_every_step_it_shows(monkeypatch):
    """At every explore step of every bundled lesson, at 120×40 and 80×24: the step's text and
    a readable goal (``explore_step_problems``); at 120×40 e at a lesson's first text step and
    its update step reveals the update only once the lesson has (``ordinary_step_problems``).
    Every failing case is named: lesson, step, size."""
    monkeypatch.setattr(explore_mode, "EXPLORE_PRERENDER_DELAY", 3600.0)
    failures, checked = [], 0
    app = make_app(LESSONS[0])
    async with app.run_test(size=BIG) as pilot:
        for number, path in enumerate(LESSONS):
            lesson = load_lesson(path)
            if number:  # the next lesson, as the lesson list opens it
                app.screen.stop_work()
                app.pop_screen()
                app.clear_notifications()
                app.open_lesson(CatalogEntry(path, lesson, bundled=True), 0)
            await wait_until(pilot, lambda lesson_id=lesson.id: type(app.screen).__name__
                             == "LessonScreen" and app.screen.lesson.id == lesson_id,
                             f"{path.stem} opens")
            await settle(app, pilot)
            screen = app.screen
            wanted = visits(lesson)
            # At the size the terminal has first, then the other (no resize for nothing).
            for size in sorted(SIZES, key=lambda size: size != tuple(app.size)):
                if not wanted[size]:
                    continue
                if tuple(app.size) != size:
                    await resize_to(app, pilot, size)
                explore = [i for i in wanted[size] if lesson.steps[i].kind == StepKind.EXPLORE]
                for index in wanted[size]:
                    case = f"{path.stem} step {index + 1} at {size[0]}×{size[1]}"
                    try:
                        record = await see(app, pilot, screen, lesson, index, index in explore)
                    except Exception:
                        failures.append(f"{case}: {traceback.format_exc(limit=-3)}")
                        if screen.explore is not None:
                            screen.leave_explore()
                        await settle(app, pilot)
                        continue
                    checked += 1
                    problems = (explore_step_problems(lesson, index, record)
                                if index in explore
                                else ordinary_step_problems(lesson, index, record))
                    failures += [f"{case}: {problem}" for problem in problems]
        app.screen.stop_work()
    expected = sum(len(indices) for path in LESSONS
                   for indices in visits(load_lesson(path)).values())
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    assert checked == expected


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
