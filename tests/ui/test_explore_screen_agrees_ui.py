"""Explore mode agrees with the lesson (issue 14, read-through v2): at every explore step of
every bundled lesson, at 120×40 and 80×24, the goal is written in the panes' names (no trace
path on screen), the step's own title and text are in view, the Forward pass shows no
after-update lines before the lesson has shown an update (also when e is pressed at an ordinary
step), and reaching a goal leaves no notice over the next step.

What the first two tests read is recorded by one app per lesson, which goes to each step they
are about in turn at 120×40, then is resized to 80×24 and goes to each explore step again
(``seen``), instead of one app per step and size: opening the tutor is most of what such a test
costs. The walk leaves out what the screen renders ahead for a step or a nudge it may show next
(``PRERENDER_DELAY``, ``EXPLORE_PRERENDER_DELAY``): it only goes to steps, and reads them.
"""

from __future__ import annotations

import asyncio
import functools
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.ui.screens import explore_mode
from nn_tui.ui.screens import lesson as lesson_screen
from ui_helpers import (goto_step, make_app, notices, open_at, resize_to, screen_text, settle,
                        wait_for_screen, wait_until)

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


async def _explore_each(path: Path) -> dict[tuple[int, int], dict[int, Seen]]:
    lesson = load_lesson(path)
    explore = [i for i, step in enumerate(lesson.steps) if step.kind == StepKind.EXPLORE]
    # At 120×40 also the ordinary steps where e is pressed (test_e_reveals_...).
    ordinary = [i for i, _ in ordinary_indices(lesson)]
    seen = {}
    app = make_app(path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        screen = app.screen
        for size, indices in ((BIG, sorted(set(explore + ordinary))), (SMALL, explore)):
            if not indices:
                continue
            if size != BIG:
                await resize_to(app, pilot, size)
            seen[size] = {}
            for index in indices:
                if screen.view.index == index:
                    # (Going to the step shown is no move: the walk comes from a step beside
                    # it, as from a fresh start, so an explore step opens explore mode itself.)
                    await goto_step(app, pilot, index - 1 if index else index + 1)
                await goto_step(app, pilot, index)
                if index not in explore:
                    await pilot.press("e")
                await wait_until(pilot, lambda: screen.explore is not None,
                                 f"explore mode opens at {path.stem} step {index + 1}"
                                 f" at {size[0]}×{size[1]}")
                await settle(app, pilot)
                assert tuple(app.size) == size
                seen[size][index] = Seen(screen_text(app) if index in explore else "",
                                         screen.pane("pane-slope").text,
                                         screen.pane("pane-forward").text)
                screen.leave_explore()
                await settle(app, pilot)
        screen.stop_work()
    return seen


@functools.cache
def seen_at(path: Path) -> dict[tuple[int, int], dict[int, Seen]]:
    """Per size, each explore step of the lesson (and at 120×40 each ordinary step of
    ``ordinary_indices``, after e), in explore mode: one app, stepped to each in turn (as
    ``screen.go`` does: a palette command or Home/End) at 120×40, then resized to 80×24 and
    stepped to each explore step again; in a home of its own (no resume dialog)."""
    with tempfile.TemporaryDirectory() as home, pytest.MonkeyPatch.context() as patch:
        patch.setenv("NN_TUI_HOME", str(Path(home) / "nn-tui-home"))
        patch.setenv("HOME", str(Path(home) / "home"))
        patch.setattr(lesson_screen, "PRERENDER_DELAY", 3600.0)
        patch.setattr(explore_mode, "EXPLORE_PRERENDER_DELAY", 3600.0)
        return asyncio.run(_explore_each(path))


def seen(path: Path, size: tuple[int, int]) -> dict[int, Seen]:
    """What ``seen_at`` recorded at ``size``."""
    return seen_at(path)[size]


def explore_steps():
    for path in LESSONS:
        lesson = load_lesson(path)
        for index, step in enumerate(lesson.steps):
            if step.kind == StepKind.EXPLORE:
                for size, name in zip(SIZES, ("120x40", "80x24")):
                    yield pytest.param(path, index, size, id=f"{path.stem}-{index + 1}-{name}")


@pytest.mark.parametrize(("path", "index", "size"), list(explore_steps()))
def test_explore_step_shows_its_text_and_a_readable_goal(path, index, size):
    lesson = load_lesson(path)
    step = lesson.steps[index]
    record = seen(path, size)[index]
    shown, slope_text = record.screen, record.slope
    for raw in RAW_PATH:
        assert raw not in shown, f"{raw!r} on screen at {path.stem} step {index + 1}:\n{shown}"
    for raw in RAW_IN_SLOPE:
        assert raw not in slope_text, f"{raw!r} in the Slope pane:\n{slope_text}"
    assert "goal " in slope_text
    # The step's own title and text, which the Lesson pane (hidden while exploring) holds.
    text = flowing(slope_text)
    assert flowing(step.title) in text
    if step.text.strip():
        assert plain_words(step.text) in text, (plain_words(step.text), text)
    # The Slope pane starts at its top: the title is on screen.
    assert step.title[:30] in flowing(shown) or step.title[:30] in shown.replace("\n", "")
    forward = record.forward
    if not update_shown(lesson, index):
        assert AFTER_UPDATE not in forward and " new =" not in forward, forward


def ordinary_steps():
    """Per lesson: the first text step (no update shown yet) and, where the lesson has an
    update step, that step."""
    for path in LESSONS:
        for index, shown in ordinary_indices(load_lesson(path)):
            yield pytest.param(path, index, shown,
                               id=f"{path.stem}-{index + 1}" + ("-update" if shown else ""))


@pytest.mark.parametrize(("path", "index", "shown"), list(ordinary_steps()))
def test_e_reveals_the_update_only_once_the_lesson_has(path, index, shown):
    forward = seen(path, BIG)[index].forward
    assert (AFTER_UPDATE in forward) is shown, forward


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
