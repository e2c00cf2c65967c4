"""At 80×24 a check's prompt stays in view while its hints open (issue 14, read-through v2):
the hints scroll in the Check box's feedback area, under the prompt and the answer box. Every
check with hints of every bundled lesson, every hint opened; at 120×40 too.

One app per lesson walks its checks at 80×24, then, resized to 120×40 (and laid out again at
that size), walks them again; the module-scoped ``walked`` fixture keeps what each check showed
and the tests (one per lesson and size) read it. Going back to a check starts a new attempt
(no hint shown), so every hint is opened again at the second size."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import pytest

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.ui.widgets.check import CheckArea
from ui_helpers import goto_step, make_app, resize_to, screen_text, settle, wait_for_screen

LESSONS = sorted(bundled_lessons_dir().glob("*.toml"))
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}  # walked in this order, in one app


def flowing(screen: str) -> str:
    """The screen's words in one line, frames and scrollbars left out (a wrapped line reads
    on)."""
    return " ".join(re.sub(r"[│╭╮╰╯─▁▂▃▄▅▆▇█▊]", " ", screen).split())


def first_words(prompt: str) -> str:
    """The prompt's first words (they are on its first line at any width the box has)."""
    return " ".join(prompt.split()[:4])


@dataclass
class Shown:
    """One check with every hint opened: the feedback area's text, the screen, and the
    feedback area's height and scroll."""

    index: int
    feedback: str
    screen: str
    box_height: int
    box_scroll: tuple[float, float]  # (scroll_y, max_scroll_y)


async def _walk(path, lesson, checks) -> dict[str, list[Shown]]:
    shown: dict[str, list[Shown]] = {}
    app = make_app(path)
    sizes = list(SIZES.items())
    async with app.run_test(size=sizes[0][1]) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        for name, size in sizes:
            if tuple(app.size) != size:
                await resize_to(app, pilot, size)
            records = shown[name] = []
            for index in checks:
                screen = await goto_step(app, pilot, index)
                # One key per hint (each press waits until the app has handled it), then the
                # feedback area's follow to the newest hint and the paint.
                for _ in lesson.steps[index].hints:
                    await pilot.press("h")
                await settle(app, pilot)
                check = screen.query_one(CheckArea)
                box = check.query_one("#check-feedback-box")
                records.append(Shown(index, check.query_one("#check-feedback").render().plain,
                                     screen_text(app), box.size.height,
                                     (box.scroll_y, box.max_scroll_y)))
        app.screen.stop_work()
    return shown


@pytest.fixture(scope="module", params=LESSONS, ids=[p.stem for p in LESSONS])
def walked(request, tmp_path_factory):
    """The lesson, and what each of its checks with hints and a prompt showed at each size:
    walked once and shared by the lesson's tests."""
    path = request.param
    lesson = load_lesson(path)
    checks = [index for index, step in enumerate(lesson.steps)
              if step.kind == StepKind.CHECK and step.hints and step.prompt]
    if not checks:
        return path.stem, lesson, None
    home = tmp_path_factory.mktemp(f"home-{path.stem}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NN_TUI_HOME", str(home))  # a fresh home: no resume dialog
        patch.setenv("HOME", str(home / "home"))
        return path.stem, lesson, asyncio.run(_walk(path, lesson, checks))


@pytest.mark.parametrize("size", list(SIZES))
def test_hints_leave_the_prompt_in_view(walked, size):
    lesson_name, lesson, shown = walked
    if shown is None:
        pytest.skip("no check with hints and a prompt")
    for record in shown[size]:
        step = lesson.steps[record.index]
        where = f"{lesson_name} step {record.index + 1} at {size}"
        assert f"Hint {len(step.hints)}/{len(step.hints)}" in record.feedback, where
        assert first_words(step.prompt) in flowing(record.screen), (
            f"{where}: the prompt is out of view\n{record.screen}")
        # The feedback area followed the last hint (its end is at the bottom of the
        # area; a box with little room beside a long prompt scrolls it with ↑/↓).
        scroll_y, max_scroll_y = record.box_scroll
        assert record.box_height >= 1 and scroll_y == max_scroll_y, where
