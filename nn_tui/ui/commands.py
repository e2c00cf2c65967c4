"""Command-palette commands: open a lesson, go to a step, hide or show a pane, switch theme."""

from __future__ import annotations

from functools import partial
from typing import Callable

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
        for info in getattr(app, "catalog", []):
            entry = info.entry
            label = f"Open lesson: {entry.title}"
            commands.append((label, entry.summary or str(entry.path), partial(app.open_entry, entry)))
        for theme in sorted(app.available_themes):
            if theme != app.theme:
                commands.append((f"Switch theme: {theme}", "change the colours",
                                 partial(setattr, app, "theme", theme)))
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
