"""A pane's scrolling content drawn by Textual's line API (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.console import RenderableType
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineBody(ScrollView, can_focus=True, inherit_bindings=False):
    """A pane's content: lines pre-rendered for the width they are shown at, drawn by the line API.

    Every step changes the numbers of most panes. A ``Static`` with ``height: auto`` makes
    Textual measure (render) its content during layout and again to paint it; this widget has a
    fixed size, renders its content once per width, paints only the visible lines, and does not
    repaint at all when a step leaves its text unchanged.
    """

    # Lines differing only in this mark are not new lines (a marker that moves each step).
    moving_marker: ClassVar[str] = ""
    # Contents kept rendered (this step's, the next, a few back).
    rendered_ahead: ClassVar[int] = 6

    DEFAULT_CSS = """
    LineBody {
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
        self._rendered: LRUCache[tuple, tuple[object, list[Strip]]] = LRUCache(
            self.rendered_ahead)
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
        cached = None if cache_key is None else self._rendered.get(cache_key)
        if cached is not None:
            return cached[1]
        console = self.app.console
        options = console.options.update_width(width).update(height=None)
        lines = [Strip(line, width) for line in console.render_lines(
            build(width, height), options, pad=True)]
        if cache_key is not None:
            self._rendered.set(cache_key, (key[1], lines))
        return lines

    def on_resize(self) -> None:
        self._render_content()

    def on_show(self) -> None:
        self._render_content()  # what arrived while the pane was hidden

    def render_when_laid_out(self) -> None:
        """Render what arrived while the pane was hidden once the next layout is done (a no-op
        when ``on_show`` did): for a pane just shown again, as Textual does not always send it
        Show nor Resize (seen when the Gradients pane came back after hints had scrolled the
        Check box: the pane kept its stale lines and never followed the step's)."""
        self.call_after_refresh(self._render_content)

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
        self.first_new_line = _first_difference(self._lines, lines, self.moving_marker)
        old, self._lines = self._lines, lines
        size = Size(width, len(lines))
        if size != self.virtual_size:
            self._set_line_count(size)
        # Repaint only the rows that changed (often a marker, a few numbers, or new lines at
        # the end): a full repaint of a pane costs several times more than rendering it.
        top = round(self.scroll_y)
        blank = Strip.blank(width)
        for index in range(top, top + self.size.height):
            before = old[index] if index < len(old) else blank
            after = lines[index] if index < len(lines) else blank
            if before != after:
                self.refresh(Region(0, index - top, self.size.width, 1))

    def _set_line_count(self, size: Size) -> None:
        """Take ``size`` (the width, the number of lines) as the scrollable size.

        Set without the reactive's full repaint (the changed rows are repainted by the caller).
        The widget's own size does not depend on its lines (``1fr``), so once it has been laid
        out its scrollbar is updated here, as Textual's layout pass would (``_scroll_update``:
        shown or not, its thumb, the scroll kept in range), instead of laying out the whole
        screen again: a layout pass of the lesson screen is a good part of a step's CPU, and
        most steps change some pane's number of lines (PSA's 19 steps at 120×40: 31 → 23 layout
        passes). Only a scrollbar that appears or goes still asks for a layout (its reactive
        does). Before the first layout (no size yet), or on a screen not shown, the layout pass
        does it all."""
        self.set_reactive(LineBody.virtual_size, size)
        if self.container_size.area and self.screen.is_current:
            self._scroll_update(size)
        else:
            self.refresh(layout=True, repaint=False)

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


def _plain(strip: Strip, marker: str) -> str:
    return (strip.text.replace(marker, "") if marker else strip.text).rstrip()


def _first_difference(old: list[Strip], new: list[Strip], marker: str) -> int:
    for index, (before, after) in enumerate(zip(old, new)):
        if _plain(before, marker) != _plain(after, marker):
            return index
    return min(len(old), len(new))
