"""The Lesson pane's text starts right under the title's blank line, also when the step's text
opens with a list (the summaries): Rich's Markdown puts a blank line before such a list."""

from __future__ import annotations

import pytest
from rich.console import Console

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.panes.lesson import TextMarkdown, lesson_renderable

LESSONS = bundled_lessons_dir()


def _lines(renderable, width: int = 50) -> list[str]:
    console = Console(width=width, color_system=None)
    return ["".join(seg.text for seg in line).rstrip()
            for line in console.render_lines(renderable, console.options, pad=False)]


def test_a_text_that_opens_with_a_list_has_no_blank_first_line():
    assert _lines(TextMarkdown("- one\n- two"))[0].strip() == "• one"
    assert _lines(TextMarkdown("A line.\n\n- one"))[:3] == ["A line.", "", " • one"]


@pytest.mark.parametrize("path", sorted(LESSONS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_text_step_starts_right_under_its_title(path):
    session = LessonSession(load_lesson(path))
    for index, step in enumerate(session.steps):
        if step.kind != "text" or not step.text.strip():
            continue
        lines = _lines(lesson_renderable(session.view(index)))
        gap = lines.index("")  # the blank line under the title (which may wrap)
        assert lines[gap + 1].strip(), (
            f"{path.stem} step {index + 1} ({step.title}) opens with blank lines: {lines[:4]}")
