"""What every lesson-screen pane shares: a bordered scrolling box and width-aware content.

Panes format fields of a ``StepView`` (its trace, reveal, highlight and trainings); they never
compute math. Content is built for the width it is drawn at, so a pane reflows at any terminal
size without assuming one.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical

from nn_tui.format.numbers import current_decimals
from nn_tui.format.worked import working
from nn_tui.lessons.fingerprint import value_key
from nn_tui.lessons.session import Highlight, StepView
from nn_tui.ui.perf.pane_body import LineBody

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
CHANGED = "bold underline"  # explore mode: a number the learner's edits changed
SELECTED = "bold reverse"  # explore mode: the number under the cursor
# The cursor's marks around the selected number: they show without colour (NO_COLOR) too, and
# no number or symbol uses them, so a pane can find the cursor's line to keep it in view.
CURSOR_LEFT, CURSOR_RIGHT = "▸", "◂"


def cursor_text(text: str) -> Text:
    """The number under explore mode's cursor: "▸0.6000◂", reversed."""
    return Text(f"{CURSOR_LEFT}{text}{CURSOR_RIGHT}", style=SELECTED)
RENDERED_AHEAD = 6  # contents a pane keeps rendered (this step's, the next, a few back)
CONTINUE_HINT = "the next layer comes at a later step"


def layer_name(layer: int, depth: int, short: bool = False) -> str:
    """"layer 1", "layer 2", ... and, for the last one, "output layer" (or "output")."""
    if layer == depth - 1:
        return "output" if short else "output layer"
    return f"layer {layer + 1}"


def equation(formula: str, plugged: str, value: str, marked: bool = False,
             was: str | None = None) -> Text:
    """The right-hand side "formula = numbers = value", the value bold, ◀ after it if marked;
    in explore mode, "(was …)" after a value the learner's edits changed."""
    text = Text()
    steps = working(formula, plugged, value)
    if steps:
        text.append(f"{steps} = ")
    text.append(value, style=CHANGED if was is not None and was != value else VALUE)
    append_was(text, value, was)
    if marked:
        text.append(f" {HERE_MARKER}", style=VALUE)
    return text


def append_was(text: Text, value: str, was: str | None) -> Text:
    """Explore mode's mark of a changed number: " (was 0.3250)" when ``was`` differs."""
    if was is not None and was != value:
        text.append(f" (was {was})", style=MUTED)
    return text


def was_values(lines: list, base_lines: list | None) -> list[str | None]:
    """The values of ``base_lines`` (the step's own, before the edits) beside ``lines``; Nones
    outside explore mode. Both lists come from the same formatter, so they pair up one to one."""
    if base_lines is None or len(base_lines) != len(lines):
        return [None] * len(lines)
    return [line.value for line in base_lines]


def explore_marks(view: StepView):
    """The trace to mark changes against (explore mode with edits), else None."""
    return getattr(view, "marks", None)


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


class PaneBody(LineBody):
    """A pane's content (see ``LineBody``); the ◀ marker moves to the newest lines each step, so
    it does not make a line new."""

    moving_marker = HERE_MARKER
    rendered_ahead = RENDERED_AHEAD


class Pane(Vertical):
    """A titled, bordered box whose content (a ``PaneBody``) scrolls vertically."""

    PANE_TITLE: ClassVar[str] = ""
    HEIGHT_AWARE: ClassVar[bool] = False  # whether renderable() uses the height it is given

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=f"pane {classes or ''}".strip())
        self.border_title = self.PANE_TITLE
        self.view: StepView | None = None
        self._shown_key: tuple | None = None

    def compose(self) -> ComposeResult:
        yield PaneBody(id=f"{self.id}-body" if self.id else None, height_aware=self.HEIGHT_AWARE)

    @property
    def body(self) -> PaneBody:
        return self.query_one(PaneBody)

    @property
    def text(self) -> str:
        return self.body.text

    def show(self, view: StepView) -> None:
        """Show the step; nothing to redraw when its content key is the one already shown (the
        session shares one Trace object between steps with the same numbers), at the decimals
        numbers are shown with now."""
        previous, self.view = self.view, view
        key, keep = self._key(view)
        if previous is not None and key == self._shown_key:
            return
        self._shown_key = key
        self.body.update(lambda width, height: self.renderable(view, width, height), key, keep)
        if previous is None or previous.index != view.index:
            # A new step (not a live-training redraw, which must not move what the learner
            # scrolled to).
            self.step_changed(view)

    def step_changed(self, view: StepView) -> None:
        """Bring the first changed line into view."""
        self.follow_new_lines()

    # Whether the content shows explore mode's cursor (the panes with editable numbers).
    SHOWS_CURSOR: ClassVar[bool] = False

    def content_key(self, view: StepView) -> tuple[tuple, object]:
        """What this pane's content depends on (the panes built on this read only the view's
        trace, reveal and highlight; in explore mode also the trace marked against and, where
        the pane shows it, the cursor), and the objects to keep alive with it. Traces are keyed
        by value (``value_key``), never by ``id()``, which a freed trace's successor may reuse."""
        marks = explore_marks(view)
        key = (value_key(view.trace), view.reveal, view.highlight,
               None if marks is None else value_key(marks))
        if self.SHOWS_CURSOR:
            key += (getattr(view, "selected", None),)
        return key, (view.trace, marks)

    def prerender(self, view: StepView) -> None:
        """Render ``view`` ahead of time (the next step), so stepping to it only paints."""
        self.body.prerender(lambda width, height: self.renderable(view, width, height),
                            *self._key(view))

    def _key(self, view: StepView) -> tuple[tuple, object]:
        """``content_key`` with the decimals numbers are written with (the d key)."""
        key, keep = self.content_key(view)
        return (key, current_decimals()), keep

    def renderable(self, view: StepView, width: int, height: int) -> RenderableType:
        """The content for a body of this size (``height`` is 0 unless HEIGHT_AWARE)."""
        raise NotImplementedError

    def follow_new_lines(self) -> None:
        """Bring what changed into view, from its first line (a scroll position kept from a
        longer earlier content could otherwise show an empty pane)."""
        self.body.show_new_lines_later()

    def follow_cursor(self) -> None:
        """Explore mode: scroll so the line with the cursor is in view (a long weight list
        would otherwise hide the number being nudged)."""
        body = self.body
        for index, line in enumerate(body._lines):
            if CURSOR_LEFT in line.text:
                top, height = round(body.scroll_y), body.size.height
                if height and not top <= index < top + height:
                    body.scroll_to(y=max(index - 1, 0), animate=False)
                return

    def scroll_to_top(self) -> None:
        self.body.scroll_home(animate=False)
