"""The end of a lesson: what was done, how the questions went, and where to go next.

Shown by → on a lesson's last step. Enter (or n) opens the next lesson of the list, Escape goes
back to the list, ← (or p) returns to the last step, q quits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from nn_tui.ui.commands import AppCommands
from nn_tui.ui.literal import clean

if TYPE_CHECKING:
    from nn_tui.lessons.catalog import CatalogEntry
    from nn_tui.lessons.progress import LessonProgress
    from nn_tui.lessons.session import LessonSession


@dataclass(frozen=True)
class LessonSummary:
    """How a lesson went: its steps, and its questions by outcome (counts)."""

    steps: int
    questions: int
    first_try: int  # right at the first attempt
    later: int  # right after one or more misses (and any hints)
    revealed: int  # the worked answer was shown
    unanswered: int  # skipped or never settled


def lesson_summary(session: "LessonSession",
                   progress: "LessonProgress | None") -> LessonSummary:
    """Count the outcome of every question of ``session`` in the saved ``progress``."""
    checks = getattr(progress, "checks", {}) or {}
    first = later = revealed = unanswered = questions = 0
    for index, step in enumerate(session.steps):
        if not step.is_question:
            continue
        questions += 1
        record = checks.get(str(index))
        if record is not None and record.correct:
            if record.attempts <= 1:
                first += 1
            else:
                later += 1
        elif record is not None and record.revealed:
            revealed += 1
        else:
            unanswered += 1
    return LessonSummary(session.total, questions, first, later, revealed, unanswered)


def next_entry(catalog: Sequence, lesson_id: str) -> "CatalogEntry | None":
    """The lesson after ``lesson_id`` in the picker's order that can be opened (None at the end
    of the list, or when the lesson is not in it)."""
    entries = [getattr(info, "entry", info) for info in catalog]
    ids = [entry.id for entry in entries]
    if lesson_id not in ids:
        return None
    for entry in entries[ids.index(lesson_id) + 1:]:
        if entry.lesson is not None:
            return entry
    return None


def summary_text(title: str, summary: LessonSummary, following: "CatalogEntry | None") -> Text:
    text = Text()
    text.append("End of the lesson\n", style="bold")
    text.append(clean(title), style="bold")
    # "Reached", not "went through": End jumps here past steps the learner never read.
    text.append(f"\n\nYou reached the last of the lesson's {summary.steps} steps.")
    if summary.questions:
        plural = "question" if summary.questions == 1 else "questions"
        text.append(f"\n{summary.questions} {plural}: ")
        parts = [
            (summary.first_try, "right first time", "green"),
            (summary.later, "right after more tries", "green"),
            (summary.revealed, "answer revealed", "yellow"),
            (summary.unanswered, "not answered", "red"),
        ]
        shown = [(count, label, style) for count, label, style in parts if count]
        for position, (count, label, style) in enumerate(shown):
            if position:
                text.append(", ")
            text.append(f"{count} {label}", style=style)
        text.append(".")
    text.append("\n\n")
    if following is not None:
        text.append("Next lesson: ")
        text.append(clean(following.title), style="bold")
        text.append("\n  Enter or n: open it", style="")
        text.append("\n")
    else:
        text.append("This is the last lesson of the list.\n")
    text.append("  Escape: back to the list of lessons\n  ← or p: back to the last step\n"
                "  q: quit (your progress is saved)")
    return text


class LessonEndScreen(ModalScreen):
    """Dismisses with "lessons", the next lesson's ``CatalogEntry``, or None (stay)."""

    COMMANDS = {AppCommands}

    BINDINGS = [
        Binding("enter,n", "open_next", "Next lesson"),
        Binding("escape", "lessons", "Lessons"),
        Binding("left,p", "stay", "Back to the last step"),
        Binding("q", "app.quit_app", "Quit"),
    ]

    def __init__(self, title: str, summary: LessonSummary,
                 following: "CatalogEntry | None") -> None:
        super().__init__()
        self.lesson_title = title
        self.summary = summary
        self.following = following

    def compose(self) -> ComposeResult:
        with Vertical(id="end-box"):
            yield Static(summary_text(self.lesson_title, self.summary, self.following),
                         id="end-text")

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "open_next":
            return self.following is not None
        return True

    def action_open_next(self) -> None:
        if self.following is not None:
            self.dismiss(self.following)

    def action_lessons(self) -> None:
        self.dismiss("lessons")

    def action_stay(self) -> None:
        self.dismiss(None)
