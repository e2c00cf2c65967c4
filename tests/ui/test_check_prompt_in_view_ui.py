"""At 80×24 a check's prompt stays in view while its hints open (issue 14, read-through v2):
the hints scroll in the Check box's feedback area, under the prompt and the answer box. Every
check with hints of every bundled lesson, every hint opened; at 120×40 too."""

from __future__ import annotations

import re

import pytest

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.ui.widgets.check import CheckArea
from ui_helpers import goto_step, make_app, screen_text, settle, wait_for_screen

LESSONS = sorted(bundled_lessons_dir().glob("*.toml"))


def flowing(screen: str) -> str:
    """The screen's words in one line, frames and scrollbars left out (a wrapped line reads
    on)."""
    return " ".join(re.sub(r"[│╭╮╰╯─▁▂▃▄▅▆▇█▊]", " ", screen).split())


def first_words(prompt: str) -> str:
    """The prompt's first words (they are on its first line at any width the box has)."""
    return " ".join(prompt.split()[:4])


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=("80x24", "120x40"))
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
async def test_hints_leave_the_prompt_in_view(path, size):
    lesson = load_lesson(path)
    checks = [index for index, step in enumerate(lesson.steps)
              if step.kind == StepKind.CHECK and step.hints and step.prompt]
    if not checks:
        pytest.skip("no check with hints and a prompt")
    app = make_app(path)
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        for index in checks:
            screen = await goto_step(app, pilot, index)
            step = lesson.steps[index]
            for _ in step.hints:
                await pilot.press("h")
                await settle(app, pilot)
            check = screen.query_one(CheckArea)
            await pilot.pause()
            shown = screen_text(app)
            where = f"{path.stem} step {index + 1}"
            assert f"Hint {len(step.hints)}/{len(step.hints)}" in check.query_one(
                "#check-feedback").render().plain, where
            assert first_words(step.prompt) in flowing(shown), (
                f"{where}: the prompt is out of view\n{shown}")
            # The feedback area followed the last hint (its end is at the bottom of the
            # area; a box with little room beside a long prompt scrolls it with ↑/↓).
            box = check.query_one("#check-feedback-box")
            assert box.size.height >= 1 and box.scroll_y == box.max_scroll_y, where
