"""Command-palette commands (Textual ``Provider``s).

Each screen names its provider in its ``COMMANDS`` (Textual adds the app's system commands):
``AppCommands`` (open a lesson, switch theme) on every screen, ``LessonCommands`` (go to a step,
hide or show a pane, the digits numbers are shown with, then the app's commands) on the lesson
screen. One provider per screen, because the palette lists what providers discover in the order
they answer: the lesson's own commands come first.

Titles and help texts quote lessons (step titles, lesson summaries, file paths), so they are
given to the palette as ``Content``: a ``str`` would be read as markup there (``W[i][j]``
showed as ``W``, ``[/notes]`` crashed the tutor).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from nn_tui.ui.literal import clean

Command = tuple[str, str, Callable[[], object]]  # (title, help text, callback)


class _Commands(Provider):
    """A provider of a fixed list of commands, matched fuzzily and shown as literal text."""

    def commands(self) -> list[Command]:
        """The commands, in the order the palette discovers them."""
        raise NotImplementedError

    def _cleaned(self) -> list[Command]:
        return [(clean(title), clean(help_text), callback)
                for title, help_text, callback in self.commands()]

    async def discover(self) -> Hits:
        for title, help_text, callback in self._cleaned():
            yield DiscoveryHit(Content(title), callback, text=title, help=Content(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._cleaned():
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


class AppCommands(_Commands):
    """Commands on every screen: open a lesson of the catalogue, switch theme."""

    def commands(self) -> list[Command]:
        app = self.app
        commands: list[Command] = []
        for info in app.catalog:
            entry = info.entry
            commands.append((f"Open lesson: {entry.title}", entry.summary or str(entry.path),
                             partial(app.open_entry, entry)))
        for theme in sorted(app.available_themes):
            if theme != app.theme:
                commands.append((f"Switch theme: {theme}", "change the colours",
                                 partial(setattr, app, "theme", theme)))
        return commands


class LessonCommands(AppCommands):
    """The lesson screen's commands (go to a step, hide or show a pane, the digits), then the
    app's."""

    def commands(self) -> list[Command]:
        from nn_tui.format.numbers import DECIMAL_CHOICES, current_decimals

        # (Here, not at the top: pane_layout imports the session and NumPy, which the picker
        # loads in the background; at import they added ~90 ms to its first paint.)
        from nn_tui.ui.pane_layout import HIDEABLE_PANE_IDS

        screen = self.screen  # the LessonScreen the palette was opened on
        session = screen.session
        commands: list[Command] = []
        for index, step in enumerate(session.steps):
            name = step.title or step.kind
            commands.append((f"Go to step {index + 1}: {name}",
                             f"a {step.kind} step of {session.total}",
                             partial(screen.go, index)))
        for pane in screen.query(".pane"):
            if pane.id not in HIDEABLE_PANE_IDS:
                continue
            verb = "Show" if pane.id in screen.hidden_panes else "Hide"
            commands.append((f"{verb} the {pane.border_title} pane",
                             "toggle a pane of the lesson screen",
                             partial(screen.toggle_pane, pane.id)))
        for decimals in DECIMAL_CHOICES:
            if decimals != current_decimals():
                commands.append((f"Show numbers with {decimals} significant digits",
                                 "the d key cycles 4, 6 and 9 (remembered)",
                                 partial(screen.set_decimals, decimals)))
        return [*commands, *super().commands()]
