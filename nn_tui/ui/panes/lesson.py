"""The Lesson pane: the step's title, "step k of n" and its text as Markdown."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Markdown, Static

from nn_tui.lessons.session import StepView
from nn_tui.ui.panes._common import Pane

_QUESTION_NOTE = "*A question for you: answer it in the Check box below.*"


class LessonPane(Pane):
    PANE_TITLE = "Lesson"

    def compose(self) -> ComposeResult:
        yield Static("", id="lesson-title", markup=False)
        yield Static("", id="lesson-position", markup=False)
        yield Markdown("", id="lesson-text")

    def show(self, view: StepView) -> None:
        previous = self.view
        self.view = view
        if previous is not None and previous.index == view.index and previous.step is view.step:
            return  # live training re-sends the same step: nothing here changes
        step = view.step
        self.query_one("#lesson-title", Static).update(step.title or step.kind.capitalize())
        position = f"step {view.index + 1} of {view.total} · {view.state_label}"
        self.query_one("#lesson-position", Static).update(position)
        self.query_one("#lesson-text", Markdown).update(self._markdown(view))
        if previous is None or previous.index != view.index:
            self.scroll_home(animate=False)

    @staticmethod
    def _markdown(view: StepView) -> str:
        step = view.step
        parts = [step.text] if step.text else []
        if step.kind == "check":
            parts.append(_QUESTION_NOTE)
        return "\n\n".join(parts)
