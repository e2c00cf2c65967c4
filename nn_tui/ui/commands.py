"""Command-palette commands: open a lesson, go to a step, hide or show a pane, the digits numbers
are shown with, switch theme.

Titles and help texts quote lessons (step titles, lesson summaries, file paths), so they are
given to the palette as ``Content``: a ``str`` would be read as markup there (``W[i][j]``
showed as ``W``, ``[/notes]`` crashed the tutor).
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from nn_tui.ui.literal import clean


class TutorCommands(Provider):
    """Commands that depend on where the palette was opened (the picker or a lesson)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        screen = self.screen
        commands: list[tuple[str, str, Callable[[], object]]] = []
        session = getattr(screen, "session", None)
        if session is not None:
            for index, step in enumerate(session.steps):
                name = step.title or step.kind
                commands.append((f"Go to step {index + 1}: {name}",
                                 f"a {step.kind} step of {session.total}",
                                 partial(screen.go, index)))
            hidden = getattr(screen, "hidden_panes", set())
            for pane in screen.query(".pane"):
                verb = "Show" if pane.id in hidden else "Hide"
                commands.append((f"{verb} the {pane.border_title} pane",
                                 "toggle a pane of the lesson screen",
                                 partial(screen.toggle_pane, pane.id)))
            if hasattr(screen, "set_decimals"):
                from nn_tui.format.numbers import DECIMAL_CHOICES, current_decimals

                for decimals in DECIMAL_CHOICES:
                    if decimals != current_decimals():
                        commands.append((f"Show numbers with {decimals} significant digits",
                                         "the d key cycles 4, 6 and 9 (remembered)",
                                         partial(screen.set_decimals, decimals)))
        for info in getattr(app, "catalog", []):
            entry = info.entry
            label = f"Open lesson: {entry.title}"
            commands.append((label, entry.summary or str(entry.path), partial(app.open_entry, entry)))
        for theme in sorted(app.available_themes):
            if theme != app.theme:
                commands.append((f"Switch theme: {theme}", "change the colours",
                                 partial(setattr, app, "theme", theme)))
        return [(clean(title), clean(help_text), callback)
                for title, help_text, callback in commands]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(Content(title), callback, text=title, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, self._highlight(matcher, title), callback, text=title,
                          help=Content(help_text))

    @staticmethod
    def _highlight(matcher, title: str) -> Content:
        """The title with the matched letters styled, as literal text (``Matcher.highlight``
        parses its argument as markup)."""
        content = Content(title)
        _score, offsets = matcher.fuzzy_search.match(matcher.query, title)
        for offset in offsets:
            if not title[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
        return content
