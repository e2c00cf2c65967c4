"""The lesson screen's top line: the lesson's title on the left, where the learner is on the right.

One widget of a fixed size (one line, full width), so a new status repaints one line and never
asks for a layout pass: the status changes at every step and a few times a second while a
network trains. (Two ``Static``s, one ``width: auto``, re-laid out the whole screen each time.)
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

# The title keeps at least this many columns; the status gets the rest (it is what changes).
MIN_TITLE = 8
GAP = 2


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar {
        height: 1;
        width: 1fr;
        padding: 0 1;
        background: $panel;
    }
    """

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lesson_title = title
        self._status = Text()

    @property
    def status(self) -> str:
        """The status as plain text ("step 3 of 20 · initial weights")."""
        return self._status.plain

    def set_status(self, status: str | Text) -> None:
        status = Text(status) if isinstance(status, str) else status
        if status == self._status:
            return
        self._status = status
        self.refresh()

    def render(self) -> Text:
        width = self.content_region.width
        status = self._status.copy()
        status.truncate(max(width - MIN_TITLE - GAP, 0), overflow="ellipsis")
        title = Text(self.lesson_title, style="bold", no_wrap=True, overflow="ellipsis")
        title.truncate(max(width - status.cell_len - GAP, 0), overflow="ellipsis")
        line = Text(no_wrap=True)
        line.append_text(title)
        line.append(" " * max(width - title.cell_len - status.cell_len, 0))
        line.append_text(status)
        return line
