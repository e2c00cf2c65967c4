"""What every lesson-screen pane shares: a bordered scrolling box and width-aware content.

Panes format fields of a ``StepView`` (its trace, reveal, highlight and trainings); they never
compute math. Content is built lazily for the width it is drawn at, so a pane reflows at any
terminal size without assuming one, and ``show()`` stays cheap when it is called on every
live-training message (only the visible frame is ever built).
"""

from __future__ import annotations

from typing import Callable, ClassVar

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from nn_tui.lessons.session import Highlight, StepView

# Styles are Rich style names, not ANSI codes: Textual maps them through the theme and strips
# colour when NO_COLOR is set, so the markers below still carry the meaning in monochrome.
VALUE = "bold"
MUTED = "dim"
HEADING = "bold underline"
CURRENT = "bold reverse"  # the part of the network the step is about
PARAMETER = "bold"
WENT_DOWN = "bold green"
WENT_UP = "bold red"
WARNING = "bold red"
HERE_MARKER = "◀"
CONTINUE_HINT = "press → to continue"


def highlighted_layer(highlight: Highlight, layer: int) -> bool:
    """Whether ``layer`` (0-based) is what the current step is about."""
    if highlight.part == "all":
        return True
    return highlight.part == "layer" and highlight.layer == layer


def marked_layer(highlight: Highlight, layer: int, direction: str) -> bool:
    """Whether ``layer``'s values get the ◀ marker: a single layer, in the pane of its direction
    (forward arithmetic on forward steps, gradients on backward steps)."""
    return (highlight.part == "layer" and highlight.layer == layer
            and highlight.direction == direction)


class WidthAware:
    """A Rich renderable built at render time for the width it is given.

    Textual renders a widget's content to measure its height and again to draw it, and a
    scrolling pane measures it once more without and with its scrollbar: the lines are kept per
    width so the (table-heavy) content is built once per width.
    """

    def __init__(self, build: Callable[[int], RenderableType]) -> None:
        self._build = build
        self._lines: dict[tuple[int, bool], list[list[Segment]]] = {}

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 1)
        key = (width, console.no_color)
        if key not in self._lines:
            if len(self._lines) >= 4:  # a resize: forget the old widths
                self._lines.clear()
            self._lines[key] = console.render_lines(
                self._build(width), options.update(height=None), pad=False
            )
        newline = Segment.line()
        for line in self._lines[key]:
            yield from line
            yield newline

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)


class Pane(VerticalScroll):
    """A titled, bordered, vertically scrolling box.

    Only vertical scrolling keys are bound (and only while the pane has focus), so ←/→/Home/End
    always reach the lesson screen's stepping bindings.
    """

    PANE_TITLE: ClassVar[str] = ""
    inherit_bindings = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=f"pane {classes or ''}".strip())
        self.border_title = self.PANE_TITLE
        self.view: StepView | None = None

    def follow_new_lines(self) -> None:
        """Scroll to the end once the new content is laid out: that is what was just revealed."""
        self.call_after_refresh(self.scroll_end, animate=False)
