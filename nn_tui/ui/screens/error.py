"""The error screen: why a lesson file cannot be opened, problem by problem."""

from __future__ import annotations

import os

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from nn_tui.ui.commands import AppCommands
from nn_tui.lessons.errors import LessonError
from nn_tui.ui.literal import literal


class ErrorScreen(Screen):
    """Shows the file, the key, the line and the problem of every fault found in a lesson file."""

    COMMANDS = {AppCommands}

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back to the lessons"),
        Binding("enter", "app.pop_screen", "Back", show=False),
    ]

    def __init__(self, error: LessonError) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        count = len(self.error.problems)
        plural = "problem" if count == 1 else "problems"
        yield Static(Text(f"This lesson file cannot be opened: {count} {plural}",
                          style="bold"), id="error-title")
        yield Static(literal(f"File: {self.error.path}"), id="error-file")
        table = Table(expand=True, show_lines=True)
        table.add_column("line", justify="right", no_wrap=True)
        table.add_column("key", overflow="fold")
        table.add_column("problem", ratio=3, overflow="fold")
        # Text cells, not str: a str cell is read as markup, and keys and messages quote the
        # file ("[/x]" would crash the screen).
        for problem in self.error.problems:
            line = "" if problem.line is None else str(problem.line)
            key = problem.key or "(whole file)"
            if problem.path != self.error.path:
                # A problem in another file (the CSV file of [data] csv): its line is there.
                # Named as the lesson names it, from the lesson's folder (the File: line).
                try:
                    name = os.path.relpath(problem.path, os.path.dirname(self.error.path) or ".")
                except ValueError:  # another drive (Windows)
                    name = problem.path
                line = f"{name}:{line}" if line else name
                key = problem.key or "(that file)"
            table.add_row(literal(line), literal(key), literal(problem.message))
        with VerticalScroll(id="error-problems"):
            yield Static(table)
        yield Static(Text("Fix the file and open it again; the other lessons are unaffected. "
                          "Press Escape to go back.", style="dim"), id="error-advice")
        yield Footer()
