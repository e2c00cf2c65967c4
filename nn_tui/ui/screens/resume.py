"""The small dialog offered when a lesson is reopened: resume where the learner stopped?

Its keys do not collide with the lesson screen's (where r reveals an answer): Enter resumes (the
focused button), s starts over, Esc goes back to the lessons; ←/→ and Tab move between the
buttons.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from nn_tui.ui.commands import AppCommands

ResumeChoice = Literal["resume", "start-over"]


class ResumeDialog(ModalScreen["ResumeChoice | None"]):
    """Dismisses with "resume", "start-over", or None (Esc: back to the lesson list).

    ``step`` is the 0-based step to resume at, ``total`` the lesson's step count now;
    ``answered`` how many questions have a record (start over opens them all again)."""

    COMMANDS = {AppCommands}

    BINDINGS = [
        Binding("enter", "resume", "Resume", show=False),
        Binding("s", "start_over", "Start over"),
        Binding("escape", "back", "Back to the lessons"),
        Binding("left", "app.focus_previous", "Previous button", show=False),
        Binding("right", "app.focus_next", "Next button", show=False),
    ]

    def __init__(self, title: str, step: int, total: int, answered: int = 0) -> None:
        super().__init__()
        self.lesson_title = title
        self.step = step
        self.total = total
        self.answered = answered

    def compose(self) -> ComposeResult:
        with Vertical(id="resume-box"):
            yield Static(Text(self.lesson_title, style="bold"), id="resume-title")
            text = Text(f"You stopped at step {self.step + 1} of {self.total}.")
            if self.answered:
                text.append(" Starting over opens every question again (your earlier answers "
                            "are kept in the history).", style="dim")
            yield Static(text, id="resume-text")
            with Horizontal(id="resume-buttons"):
                # No "(Enter)" on the label: Enter presses whichever button is highlighted.
                yield Button(f"Resume at step {self.step + 1}", id="resume", variant="primary")
                yield Button("Start over (s)", id="start-over")
            yield Static(Text("Enter: the highlighted button · s: start over · Esc: back",
                              style="dim"), id="resume-keys")

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss("resume" if event.button.id == "resume" else "start-over")

    def action_resume(self) -> None:
        # Enter reaches here only when no button has the focus (a focused button takes it).
        self.dismiss("resume")

    def action_start_over(self) -> None:
        self.dismiss("start-over")

    def action_back(self) -> None:
        self.dismiss(None)
