"""What every lesson-screen pane shares: a bordered scrolling box and width-aware content.

Panes format fields of a ``StepView`` (its trace, reveal, highlight and trainings); they never
compute math. Content is built for the width it is drawn at, so a pane reflows at any terminal
size without assuming one.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nn_tui.format.numbers import current_decimals
from nn_tui.format.worked import working
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


class PaneBody(ScrollView, can_focus=True, inherit_bindings=False):
    """A pane's content: lines pre-rendered for the width they are shown at, drawn by the line API.

    Every step changes the numbers of most panes. A ``Static`` with ``height: auto`` makes
    Textual measure (render) its content during layout and again to paint it; this widget has a
    fixed size, renders its content once per width, paints only the visible lines, and does not
    repaint at all when a step leaves its text unchanged.
    """

    DEFAULT_CSS = """
    PaneBody {
        width: 1fr;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;
    }
    """
    # Only vertical scrolling keys, none inherited (see the class line): ←/→/Home/End always
    # reach the lesson screen's stepping, even while a pane has the focus.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    def __init__(self, *, id: str | None = None, height_aware: bool = False) -> None:
        super().__init__(id=id)
        self._build: Callable[[int, int], RenderableType] | None = None
        self._lines: list[Strip] = []
        self._rendered_for: tuple[int, int] | None = None  # the (width, height) of _lines
        self.first_new_line = 0  # where the last update's lines start to differ from before
        # Content that adapts to the height too (the network diagram) is rebuilt when the
        # pane gets taller or shorter; other content only when the width changes.
        self.height_aware = height_aware
        # Lines rendered ahead (the next step's, while the learner reads this one), by
        # (content key, width, height); each entry keeps its key's objects alive, so an id()
        # in a key cannot be reused while it is cached.
        self._rendered: OrderedDict[tuple, tuple[object, list[Strip]]] = OrderedDict()
        self._key: tuple | None = None

    @property
    def text(self) -> str:
        """The content as plain text (what a screen reader or a test would read)."""
        return "\n".join(line.text.rstrip() for line in self._lines)

    def update(self, build: Callable[[int, int], RenderableType],
               key: tuple | None = None, keep: object = None) -> None:
        """Show what ``build(width, height)`` renders; the lines are made now if the size is
        known (else when the widget is first laid out). ``key`` names the content (the same key
        means the same lines; ``keep`` holds what its ids refer to), so lines rendered ahead
        with :meth:`prerender` are used instead of rendering again."""
        self._build = build
        self._key = key if key is None else (key, keep)
        self._rendered_for = None
        self._render_content()

    def prerender(self, build: Callable[[int, int], RenderableType], key: tuple,
                  keep: object = None) -> None:
        """Render content that is likely to be shown next, at the current size, into a cache."""
        width, height = self._size_now()
        if width > 0 and self._visible():
            self._lines_for(build, (key, keep), width, height)

    def _size_now(self) -> tuple[int, int]:
        return (self.scrollable_content_region.width,
                self.size.height if self.height_aware else 0)

    def _visible(self) -> bool:
        return self.parent is None or bool(self.parent.display)

    def _lines_for(self, build, key, width: int, height: int) -> list[Strip]:
        cache_key = None if key is None else (key[0], width, height)
        if cache_key is not None and cache_key in self._rendered:
            self._rendered.move_to_end(cache_key)
            return self._rendered[cache_key][1]
        console = self.app.console
        options = console.options.update_width(width).update(height=None)
        lines = [Strip(line, width) for line in console.render_lines(
            build(width, height), options, pad=True)]
        if cache_key is not None:
            self._rendered[cache_key] = (key[1], lines)
            while len(self._rendered) > RENDERED_AHEAD:
                self._rendered.popitem(last=False)
        return lines

    def on_resize(self) -> None:
        self._render_content()

    def on_show(self) -> None:
        self._render_content()  # what arrived while the pane was hidden

    def _render_content(self) -> None:
        width, height = self._size_now()
        if self._build is None or width <= 0 or (width, height) == self._rendered_for:
            return
        if not self._visible():
            return  # a hidden pane (small terminals show one at a time) renders when shown
        self._rendered_for = (width, height)
        lines = self._lines_for(self._build, self._key, width, height)
        if lines == self._lines:
            return
        self.first_new_line = _first_difference(self._lines, lines)
        old, self._lines = self._lines, lines
        size = Size(width, len(lines))
        if size != self.virtual_size:
            # Set without the reactive's full repaint (the changed rows are repainted below);
            # the layout pass still updates the scrollbar.
            self.set_reactive(PaneBody.virtual_size, size)
            self.refresh(layout=True, repaint=False)
        # Repaint only the rows that changed (often a marker, a few numbers, or new lines at
        # the end): a full repaint of a pane costs several times more than rendering it.
        top = round(self.scroll_y)
        blank = Strip.blank(width)
        for index in range(top, top + self.size.height):
            before = old[index] if index < len(old) else blank
            after = lines[index] if index < len(lines) else blank
            if before != after:
                self.refresh(Region(0, index - top, self.size.width, 1))

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, style)
        # (Strip caches its cropped and styled copies itself.)
        return self._lines[index].crop_extend(0, width, None).apply_style(style)

    def show_new_lines_later(self) -> None:
        """Once laid out, scroll so the first line that changed is in view (near the top)."""
        self.call_after_refresh(self._show_new_lines)

    def _show_new_lines(self) -> None:
        first, top, height = self.first_new_line, round(self.scroll_y), self.size.height
        if first >= len(self._lines):
            return  # nothing new (the text is the same; a marker may have moved)
        if first < top or first >= top + max(height - 2, 1):
            self.scroll_to(y=max(first - 1, 0), animate=False)


def _plain(strip: Strip) -> str:
    # The ◀ marker moves to the newest lines each step; it does not make a line new.
    return strip.text.replace(HERE_MARKER, "").rstrip()


def _first_difference(old: list[Strip], new: list[Strip]) -> int:
    for index, (before, after) in enumerate(zip(old, new)):
        if _plain(before) != _plain(after):
            return index
    return min(len(old), len(new))


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
        the pane shows it, the cursor), and the objects to keep alive with it."""
        marks = explore_marks(view)
        key = (id(view.trace), view.reveal, view.highlight, id(marks))
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
