"""Lesson files: parsing and validation, the answer-expression resolver, sessions, progress.

No UI here: the TUI and the command line both build on these modules.
"""

from nn_tui.lessons.errors import LessonError, Problem
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.model import Lesson, Step

__all__ = ["LessonError", "Problem", "load_lesson", "parse_lesson_text", "Lesson", "Step"]
