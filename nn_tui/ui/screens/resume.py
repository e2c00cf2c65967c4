"""The small dialog offered when a lesson is reopened: resume where the learner stopped?"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ResumeDialog(ModalScreen[int]):
    """Dismisses with the step index to open: the saved one, or 0 to start over."""

    BINDINGS = [
        Binding("r", "resume", "Resume"),
        Binding("s", "start_over", "Start over"),
        Binding("escape", "resume", "Resume", show=False),
    ]

    def __init__(self, title: str, step: int, total: int) -> None:
        super().__init__()
        self.lesson_title = title
        self.step = step
        self.total = total

    def compose(self) -> ComposeResult:
        with Vertical(id="resume-box"):
            yield Static(Text(self.lesson_title, style="bold"), id="resume-title")
            yield Static(f"You stopped at step {self.step + 1} of {self.total}.",
                         id="resume-text")
            with Horizontal(id="resume-buttons"):
                yield Button(f"Resume at step {self.step + 1} (r)", id="resume",
                             variant="primary")
                yield Button("Start over (s)", id="start-over")

    def on_mount(self) -> None:
        self.query_one("#resume", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(self.step if event.button.id == "resume" else 0)

    def action_resume(self) -> None:
        self.dismiss(self.step)

    def action_start_over(self) -> None:
        self.dismiss(0)
