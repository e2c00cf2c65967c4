"""The Lesson pane: the step's title, "step k of n" and its text as Markdown.

The text is rendered with Rich's Markdown inside one Static rather than Textual's Markdown
widget: the widget rebuilds a tree of block widgets (parsed in a worker thread) on every step,
which made a step cost about 200 ms more; a Static repaints in one layout pass.
"""

from __future__ import annotations

from rich.markdown import Markdown
from textual.app import ComposeResult
from textual.widgets import Static

from nn_tui.lessons.session import StepView
from nn_tui.ui.panes._common import Pane, WidthAware

QUESTION_NOTE = "*A question for you: answer it in the Check box below.*"


def step_markdown(view: StepView) -> str:
    step = view.step
    parts = [step.text] if step.text else []
    if step.kind == "check":
        parts.append(QUESTION_NOTE)
    return "\n\n".join(parts)


class LessonPane(Pane):
    PANE_TITLE = "Lesson"

    def compose(self) -> ComposeResult:
        yield Static("", id="lesson-title", markup=False)
        yield Static("", id="lesson-position", markup=False)
        yield Static("", id="lesson-text", markup=False)

    def show(self, view: StepView) -> None:
        previous = self.view
        self.view = view
        if previous is not None and previous.index == view.index and previous.step is view.step \
                and previous.state_label == view.state_label:
            return  # live training re-sends the same step: nothing here changes
        step = view.step
        self.query_one("#lesson-title", Static).update(step.title or step.kind.capitalize())
        position = f"step {view.index + 1} of {view.total} · {view.state_label}"
        self.query_one("#lesson-position", Static).update(position)
        text = step_markdown(view)
        self.query_one("#lesson-text", Static).update(WidthAware(lambda width: Markdown(text)))
        if previous is None or previous.index != view.index:
            self.scroll_home(animate=False)
