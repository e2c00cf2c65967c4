"""What every lesson-screen pane shares: a bordered scrolling box and width-aware content.

Panes format fields of a ``StepView`` (its trace, reveal, highlight and trainings); they never
compute math. Content is built for the width it is drawn at, so a pane reflows at any terminal
size without assuming one.
"""

from __future__ import annotations

import re
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
    it does not make a line new.

    A new step brings the lines it is about into view: the lines marked ◀ (the lesson text
    refers to them: "ends in 0.9000, as you computed"), else the first line that changed. It
    scrolls only when they are out of view, once the step is painted. The pane's bottom border
    says when there is more above or below ("↓ more"), set once per step, after that scroll,
    and only when it changes (a new border repaints the whole pane).
    """

    moving_marker = HERE_MARKER
    rendered_ahead = RENDERED_AHEAD

    def __init__(self, *, id: str | None = None, height_aware: bool = False) -> None:
        super().__init__(id=id, height_aware=height_aware)
        self.quoted: tuple[str, ...] = ()  # the numbers the step's text quotes ("0.9000")
        self._follow = False  # a new step's lines still to bring into view
        self._marked: tuple[list, list[int]] | None = None  # (the lines, their ◀ indices)
        self.hold_more = False  # while a pane shows a step: "↓ more" once, at the end
        self._mark_later = False  # a mark held back is to be made after the next paint

    # -- the lines the step is about -------------------------------------------------------

    def marked_lines(self) -> list[int]:
        """The indices of the lines marked ◀ (what the step is about)."""
        lines = self._lines
        if self._marked is None or self._marked[0] is not lines:
            self._marked = (lines, [index for index, line in enumerate(lines)
                                    if HERE_MARKER in line.text])
        return self._marked[1]

    def show_new_lines_later(self) -> None:
        """Once the step is painted (its layout done), bring its lines into view; a pane that
        is hidden now does it when it is drawn. (After the paint: the step's own frame costs
        no more than without the scroll, which repaints only the pane it moves.)"""
        self._follow = True
        self.call_after_refresh(self._show_new_lines)

    def _drawn(self) -> bool:
        return (self._rendered_for is not None and self._rendered_for == self._size_now()
                and self.size.height > 0)

    def _render_content(self) -> None:
        super()._render_content()
        if self._follow and self._drawn():
            self.call_after_refresh(self._show_new_lines)  # (drawn at last: a hidden pane)
        self.mark_more()

    def _show_new_lines(self) -> None:
        if not self._follow or not self._drawn():
            return
        self._follow = False
        self._scroll_to_new_lines()
        self.mark_more()

    def _scroll_to_new_lines(self) -> None:
        if self.marked_lines():
            target = self._marked_target()
        else:
            first, top, height = self.first_new_line, round(self.scroll_y), self.size.height
            if first >= len(self._lines):
                return  # nothing new (the text is the same; a marker may have moved)
            target = None
            if first < top or first >= top + max(height - 2, 1):
                target = max(first - 1, 0)
        if target is not None and target != round(self.scroll_y):
            # Forced: the scrollbar of lines made this frame shows only after the layout.
            self.scroll_to(y=target, animate=False, force=True)

    def _marked_target(self) -> int | None:
        """Where to scroll so the marked lines are in view (None: they are). All of them, with
        the line above (a heading) when it fits too; else those with a number the step's text
        quotes; else from the first."""
        marked, height = self.marked_lines(), self.size.height
        if not marked or not height:
            return None
        first, last, top = marked[0], marked[-1], round(self.scroll_y)
        if top <= first and last < top + height:
            return None
        if last - first + 2 <= height:
            return max(first - 1, 0)
        if last - first + 1 == height:
            return first  # all of them, without the heading
        quoted = [index for index in marked
                  if quotes_number(self._lines[index].text, self.quoted)]
        if quoted:
            if top <= quoted[0] and quoted[-1] < top + height:
                return None
            target = max(first - 1, quoted[-1] - height + 1)
            return max(quoted[0] - 1 if quoted[0] < target else target, 0)
        if top <= first < top + height:
            return None  # the first in view, the rest below it
        return max(first - 1, 0)

    # -- "↓ more" ------------------------------------------------------------------------------

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.mark_more()

    def _marked_later(self) -> None:
        self._mark_later = False
        self.mark_more()

    def _size_updated(self, size, virtual_size, container_size, layout: bool = True) -> bool:
        # A new height changes what is out of view; the layout does not always send a Resize
        # (which re-renders and marks), so mark once the layout is done.
        if size.height != self.size.height:
            self.call_later(self.mark_more)
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _more(self) -> str:
        top, height = round(self.scroll_y), self.size.height
        below = height > 0 and top + height < len(self._lines)
        above = height > 0 and top > 0
        return MORE.get((above, below), "")

    @property
    def settled(self) -> bool:
        """Whether the step's lines are where they go (scrolled to, "↓ more" said)."""
        pane = self.parent
        return (not self._follow and not self._mark_later
                and (not isinstance(pane, Pane) or pane.more == self._more()))

    def mark_more(self) -> None:
        """"↓ more" / "↑ more" / "↑↓ more" in the pane's bottom border while lines are out of
        view (the one-column scrollbar is easy to miss); nothing when all are in view."""
        pane = self.parent
        if not isinstance(pane, Pane):
            return
        if self.hold_more or self._follow:
            # A scroll to the step's lines (or the rest of the step) is coming: marked after
            # it, once; and after the next paint in any case, so the note cannot go stale. Not
            # for a hidden pane: it is marked when it is drawn (_render_content), and asking
            # again after every paint while it stays hidden kept the tutor busy for seconds.
            if not self._mark_later and pane.display and self.display:
                self._mark_later = True
                self.call_after_refresh(self._marked_later)
            return
        subtitle = self._more()
        if pane.more != subtitle:
            pane.more = subtitle
            pane.border_subtitle = subtitle or None


# The bottom border's note by (lines above the view, lines below it).
MORE = {(True, True): "↑↓ more", (False, True): "↓ more", (True, False): "↑ more"}
_NUMBER = re.compile(r"\d+\.\d+")


def quoted_numbers(text: str) -> tuple[str, ...]:
    """The decimal numbers a step's text quotes, without their sign ("0.9000", "1.5232")."""
    return tuple(dict.fromkeys(_NUMBER.findall(text or "")))


def quotes_number(line: str, numbers: tuple[str, ...]) -> bool:
    """Whether ``line`` shows one of ``numbers`` whole (0.5 is not in 0.5000 nor in 10.5)."""
    return any(re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", line) for number in numbers)


class Pane(Vertical):
    """A titled, bordered box whose content (a ``PaneBody``) scrolls vertically."""

    PANE_TITLE: ClassVar[str] = ""
    HEIGHT_AWARE: ClassVar[bool] = False  # whether renderable() uses the height it is given

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=f"pane {classes or ''}".strip())
        self.border_title = self.PANE_TITLE
        self.view: StepView | None = None
        self._shown_key: tuple | None = None
        self.more = ""  # the bottom border's "↓ more" (PaneBody sets it)

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
        body = self.body
        body.hold_more = True  # one "↓ more" for the new lines where they end up scrolled
        try:
            body.update(lambda width, height: self.renderable(view, width, height), key, keep)
            if previous is None or previous.index != view.index:
                # A new step (not a live-training redraw, which must not move what the learner
                # scrolled to).
                self.step_changed(view)
        finally:
            body.hold_more = False
        body.mark_more()

    def step_changed(self, view: StepView) -> None:
        """Bring the lines the step is about into view (marked ◀, those with a number its text
        quotes first), else the first changed line."""
        self.body.quoted = quoted_numbers(view.step.text)
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

    def lines_of(self, view: StepView) -> list[str]:
        """The plain lines ``view`` shows at the body's size now (empty before the first
        layout); made once, kept with the lines rendered ahead."""
        body = self.body
        width, height = body._size_now()
        if width <= 0:
            return []
        key, keep = self._key(view)
        strips = body._lines_for(lambda w, h: self.renderable(view, w, h), (key, keep),
                                 width, height)
        return [strip.text for strip in strips]

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
