"""The nn-tui Textual app: the picker, the lesson screen, help and errors.

Start-up is kept light: this module and the picker import only Textual. The catalogue, NumPy,
the engine and the panes load after the picker has painted (the catalogue in a worker, the lesson
screen on first open).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from textual.app import App
from textual.binding import Binding

from nn_tui.ui.commands import TutorCommands
from nn_tui.ui.literal import clean
from nn_tui.ui.screens.picker import PickerScreen

if TYPE_CHECKING:
    from nn_tui.lessons.catalog import CatalogEntry
    from nn_tui.lessons.progress import ProgressStore
    from nn_tui.ui.screens.picker import LessonInfo


class NnTuiApp(App[int]):
    CSS_PATH = ["app.tcss", "panes.tcss"]
    TITLE = "nn-tui"
    COMMANDS = App.COMMANDS | {TutorCommands}
    BINDINGS = [
        Binding("q", "quit_app", "Quit"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(self, paths: Sequence[Path] = (), lesson_dirs: Sequence[Path] = (), *,
                 cursor_blink: bool = True) -> None:
        super().__init__()
        self.paths = [Path(path) for path in paths]
        self.lesson_dirs = [Path(folder) for folder in lesson_dirs]
        self.cursor_blink = cursor_blink
        self.catalog: list[LessonInfo] = []
        self.store: ProgressStore | None = None

    def on_mount(self) -> None:
        from nn_tui.lessons.progress import ProgressStore

        self.store = ProgressStore()
        if self.store.notice:
            # (Literal text: the notice quotes a path, which markup would misread.)
            self.notify(clean(self.store.notice), title="Progress", severity="warning",
                        timeout=15, markup=False)
        files = [path for path in self.paths if not path.is_dir()]
        folders = [path for path in self.paths if path.is_dir()]
        # A folder on the command line is what the learner wants to see; lone files open
        # directly, with the bundled lessons behind them in the picker.
        include_bundled = not folders
        open_directly = files[0] if len(files) == 1 and not folders else None
        self.push_screen(PickerScreen(self.paths + self.lesson_dirs, include_bundled,
                                      open_directly))

    # -- opening lessons -------------------------------------------------------------------------

    def open_entry(self, entry: "CatalogEntry") -> None:
        """Open a catalogue entry: its error screen if broken, else the lesson (offering resume)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, PickerScreen):
            self.pop_screen()
        if entry.lesson is None:
            from nn_tui.ui.screens.error import ErrorScreen

            self.push_screen(ErrorScreen(entry.error))
            return
        progress = self.store.peek(entry.lesson.id)
        if progress is not None and progress.step > 0:
            from nn_tui.ui.screens.resume import ResumeDialog

            total = progress.total or progress.step + 1
            self.push_screen(ResumeDialog(entry.lesson.title, progress.step, total),
                             lambda step: self.open_lesson(entry, step or 0))
        else:
            self.open_lesson(entry, 0)

    def open_lesson(self, entry: "CatalogEntry", step: int) -> None:
        from nn_tui.ui.screens.lesson import LessonScreen

        self.push_screen(LessonScreen(entry.lesson, self.store, step))

    # -- app-wide actions ------------------------------------------------------------------------

    def action_help(self) -> None:
        from nn_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_help_quit(self) -> None:
        """Ctrl+C (Textual keeps it for copying): say how to quit, in this app's words."""
        self.notify("Press q to quit (from anywhere but a box holding text), or Ctrl+Q. "
                    "Your progress is saved.", title="Quit?", markup=False)

    def action_quit_app(self) -> None:
        """Quit with exit status 0, saving progress first."""
        for worker in self.workers:
            worker.cancel()
        if self.store is not None:
            try:
                self.store.save()
            except OSError as error:
                self.log.error(f"could not save progress: {error}")
        self.exit(0)


def run_app(paths: Iterable[Path] = (), lesson_dirs: Iterable[Path] = ()) -> int:
    """Run the tutor; returns the process exit status (0 after q)."""
    app = NnTuiApp(list(paths), list(lesson_dirs))
    result = app.run()
    if app.return_code not in (None, 0):
        return app.return_code
    return 0 if result is None else int(result)
