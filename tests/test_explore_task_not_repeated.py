"""An explore step shows its text and its task together (the Slope pane), so the task must not
repeat a sentence of the text: the learner would read it twice in one pane."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nn_tui.lessons.loader import load_lesson

LESSONS = sorted((Path(__file__).resolve().parents[1] / "lessons").glob("*.toml"))
# Sentences and bracketed asides long enough to be more than a shared phrase.
MIN_LENGTH = 25


def pieces(text: str) -> set[str]:
    parts = re.split(r"(?<=[.!?:])\s+|[()]", text or "")
    return {" ".join(part.split()) for part in parts if len(part.strip()) >= MIN_LENGTH}


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.name)
def test_an_explore_task_does_not_repeat_its_steps_text(path):
    lesson = load_lesson(path)
    repeated = [(index, sorted(pieces(step.text) & pieces(step.prompt)))
                for index, step in enumerate(lesson.steps)
                if step.kind == "explore" and pieces(step.text) & pieces(step.prompt)]
    assert not repeated, f"{path.name}: {repeated}"
