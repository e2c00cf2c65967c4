"""The Lesson pane: the step's title with "step k of n" beside it, then its text as Markdown.

The text is rendered with Rich's Markdown into the pane's line buffer rather than with
Textual's Markdown widget: the widget rebuilds a tree of block widgets (parsed in a worker
thread) on every step, which made a step cost about 200 ms more.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.markdown import Markdown
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from nn_tui.lessons.session import StepView
from nn_tui.ui.panes._common import Pane

QUESTION_NOTE = ("*A question for you: answer it in the Check box below. The numbers it needs are "
                 "in the panes (on a small terminal, t shows the next one).*")


def step_markdown(view: StepView) -> str:
    step = view.step
    parts = [step.text] if step.text else []
    if step.kind == "check":
        parts.append(QUESTION_NOTE)
    if step.kind == "explore":
        from nn_tui.lessons.explore_goal import EXPLORE_NOTE

        # The task is lesson text: shown as Markdown like the step's text, never as markup.
        parts.append(f"**Your task:** {step.prompt}")
        parts.append(EXPLORE_NOTE)
    return "\n\n".join(parts)


class TextMarkdown:
    """A step's text as Markdown, without the blank lines Rich puts before a first block that
    is a list or a code block (a summary that opens with its list would otherwise start with an
    empty line under the title's own blank line)."""

    def __init__(self, markup: str) -> None:
        self.markdown = Markdown(markup)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.markdown, options, pad=False)
        start = 0
        while start < len(lines) and not "".join(seg.text for seg in lines[start]).strip():
            start += 1
        for line in lines[start:]:
            yield from line
            yield Segment.line()


def lesson_renderable(view: StepView) -> Group:
    step = view.step
    # The position shares the title's line (in the text, not on the frame: a new frame title
    # repaints the whole frame, and the text is drawn anew at every step anyway).
    heading = Table.grid(expand=True)
    heading.add_column(ratio=1)
    heading.add_column(justify="right", no_wrap=True)
    heading.add_row(Text(step.title or step.kind.capitalize(), style="bold"),
                    Text(f"  {view.position}", style="dim"))
    return Group(heading, Text(""), TextMarkdown(step_markdown(view)))


class LessonPane(Pane):
    PANE_TITLE = "Lesson"

    def renderable(self, view: StepView, width: int, height: int) -> Group:
        return lesson_renderable(view)

    def content_key(self, view: StepView) -> tuple[tuple, object]:
        # A Step is a frozen dataclass of plain values: it is its own value key.
        return (view.step, view.index), view.step

    def step_changed(self, view: StepView) -> None:
        self.scroll_to_top()
