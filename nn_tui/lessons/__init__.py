"""Lesson files: parsing and validation, the answer-expression resolver, sessions, progress.

In the order a lesson flows through them:
- ``schema`` (the keys of every table, once) → ``loader`` (file → validated ``model.Lesson``,
  file:line messages through ``locate``) → ``lint`` (replays the lesson: every answer resolves);
- ``session`` (replays the steps: ``StepView`` per step) with ``training`` (what a train step
  trains) and ``walkthrough`` (steps of a lesson that has none);
- ``checking`` (a learner's attempts at a check) with ``grading``, ``diagnosis`` and
  ``expressions``; ``explore_goal`` and ``edits`` for explore steps; ``progress`` stores it all.

No UI here: the TUI and the command line both build on these modules. The names below load on
first use, so importing a light submodule (errors, progress) does not pull in NumPy.
"""

from importlib import import_module

_EXPORTS = {
    "LessonError": "nn_tui.lessons.errors",
    "Problem": "nn_tui.lessons.errors",
    "load_lesson": "nn_tui.lessons.loader",
    "parse_lesson_text": "nn_tui.lessons.loader",
    "Lesson": "nn_tui.lessons.model",
    "Step": "nn_tui.lessons.model",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'nn_tui.lessons' has no attribute {name!r}")
