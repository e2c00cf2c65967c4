"""Lines that wrap under their own text (a hanging indent), for lists drawn as plain Text.

Rich wraps a ``Text`` back to its first column, so a long list entry ("   an eight-lesson
course on…", " 2   a choice that does not fit") went on under its marker or its indent's
start. ``Hanging`` wraps each line within the width left after its prefix and starts every
wrapped line under the first character after that prefix.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text


class Hanging:
    """Lines of ``(prefix, text)``: the prefix (a marker, an indent) is drawn once; the text
    wraps in the columns to its right. ``str()`` is the plain text, lines joined by newlines
    (what a test or a filter reads, as from a ``Text``)."""

    def __init__(self, lines: list[tuple[Text | str, Text | str]] | None = None) -> None:
        self.lines: list[tuple[Text, Text]] = []
        for prefix, text in lines or ():
            self.add(prefix, text)

    def add(self, prefix: Text | str, text: Text | str) -> "Hanging":
        """Add a line; returns self."""
        self.lines.append((Text(prefix) if isinstance(prefix, str) else prefix,
                           Text(text) if isinstance(text, str) else text))
        return self

    def __str__(self) -> str:
        return "\n".join(prefix.plain + text.plain for prefix, text in self.lines)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widest = max((prefix.cell_len + text.cell_len for prefix, text in self.lines),
                     default=0)
        return Measurement(min(widest, options.max_width), min(widest, options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        for prefix, text in self.lines:
            indent = prefix.cell_len
            room = width - indent
            if room < 8:  # too narrow to hang: wrap at the left edge as Text would
                yield Text.assemble(prefix, text)
                continue
            wrapped = text.wrap(console, room, overflow="fold")
            for number, line in enumerate(wrapped):
                line.rstrip()
                lead = prefix if number == 0 else Text(" " * indent)
                yield Text.assemble(lead, line, no_wrap=True, overflow="crop",
                                    end="\n")

