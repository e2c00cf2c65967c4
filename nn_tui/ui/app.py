"""The nn-tui Textual app: the picker, the lesson screen, help and errors.

Start-up is kept light: this module and the picker import only Textual. The catalogue, NumPy,
the engine and the panes load after the picker has painted (the catalogue in a worker, the lesson
screen on first open).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from textual.app import App
from textual.binding import Binding
from textual.message import Message

from nn_tui.ui.literal import clean
from nn_tui.ui.screens.picker import PickerScreen

if TYPE_CHECKING:
    from nn_tui.lessons.catalog import CatalogEntry
    from nn_tui.lessons.progress import ProgressStore
    from nn_tui.lessons.settings import SettingsSaver
    from nn_tui.ui.screens.picker import LessonInfo


class NnTuiApp(App[int]):
    CSS_PATH = ["app.tcss", "panes.tcss"]
    TITLE = "nn-tui"
    # Textual's system commands; each screen adds its own (nn_tui/ui/commands.py).
    COMMANDS = App.COMMANDS
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
        self._catalog: list[LessonInfo] = []
        self.store: ProgressStore | None = None
        self._decimals_before: int | None = None
        self.settings_saver: SettingsSaver | None = None  # made on mount
        self._settings_failing = False  # a failed save was told; told again only after a success

    @dataclass
    class ProgressNotice(Message):
        """Something the progress store has to say (sent from its writer thread)."""

        text: str

    def on_mount(self) -> None:
        from nn_tui.format.numbers import current_decimals, use_decimals
        from nn_tui.lessons.progress import ProgressStore
        from nn_tui.lessons.settings import SettingsSaver, load_settings

        # The digits the learner chose last time (the d key); a damaged file gives the default.
        # (Numbers are written by module-level functions; the setting is put back on unmount.)
        self._decimals_before = current_decimals()
        settings, problem = load_settings()
        self.settings_saver = SettingsSaver()
        use_decimals(settings.decimals)
        if problem:
            self.notify(clean(problem), title="Settings", severity="warning", timeout=10,
                        markup=False)

        # Saves are written by the store's own thread (never on this one); what goes wrong there
        # comes back as a message (post_message is thread-safe), once, not at every save.
        self.store = ProgressStore(on_notice=lambda text: self.post_message(
            self.ProgressNotice(text)), background=True)
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

    def on_nn_tui_app_progress_notice(self, message: ProgressNotice) -> None:
        self.notify(message.text, title="Progress", severity="warning", timeout=15, markup=False)

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
        # A worker cancelled on quit before it ran must not lose the last digits chosen.
        self._save_settings()
        if self._decimals_before is not None:
            from nn_tui.format.numbers import use_decimals

            use_decimals(self._decimals_before)

    # -- matching progress to the lessons as they are now ---------------------------------------

    @property
    def catalog(self) -> "list[LessonInfo]":
        """The lessons the picker lists (the palette's "open lesson" commands use them too)."""
        return self._catalog

    @catalog.setter
    def catalog(self, infos: "list[LessonInfo]") -> None:
        # Each lesson's progress is fitted to its steps as they are now, so the list does not
        # count old answers to questions that changed, nor a lesson done by a step it no longer
        # has. One notice for every lesson that changed.
        self._catalog = infos
        # (An id two files share is matched only when one of them is opened: matching both
        # here would fit the progress to each in turn.)
        ids = [info.entry.lesson.id for info in infos if info.entry.lesson is not None]
        said = [text for info in infos
                if info.entry.lesson is not None and ids.count(info.entry.lesson.id) == 1
                and (text := self._match_progress(info.entry))]
        if said:
            more = f" (and {len(said) - 3} more lessons)" if len(said) > 3 else ""
            self.notify(" ".join(said[:3]) + more, title="Progress", severity="warning",
                        timeout=15, markup=False)

    def _match_progress(self, entry: "CatalogEntry") -> str | None:
        from nn_tui.lessons.progress import LessonShape

        if self.store is None or entry.lesson is None:
            return None
        return self.store.match(entry.lesson.id, LessonShape.of_lesson(entry.lesson),
                                entry.lesson.title)

    # -- opening lessons -------------------------------------------------------------------------

    def open_entry(self, entry: "CatalogEntry") -> None:
        """Open a catalogue entry: its error screen if broken, else the lesson (offering resume)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, PickerScreen):
            self.pop_screen()
        if entry.lesson is None:
            from nn_tui.ui.screens.error import ErrorScreen

            self.push_screen(ErrorScreen(entry.error))
            return
        notice = self._match_progress(entry)
        if notice:
            self.notify(notice, title="Progress", severity="warning", timeout=15, markup=False)
        progress = self.store.peek(entry.lesson.id)
        total = len(entry.lesson.steps)
        if progress is not None and 0 < progress.step < total:
            from nn_tui.ui.screens.resume import ResumeDialog

            answered = len(progress.checks)
            self.push_screen(ResumeDialog(entry.lesson.title, progress.step, total, answered),
                             lambda choice: self._resume_chosen(entry, choice))
        else:
            self.open_lesson(entry, 0)

    def _resume_chosen(self, entry: "CatalogEntry", choice: str | None) -> None:
        if choice is None:
            return  # Esc: stay in the lesson list
        if choice == "start-over":
            # A fresh attempt at every question; the earlier answers go to the history.
            self.store.start_over(entry.lesson.id)
            self.store.save()
            self.open_lesson(entry, 0)
        else:
            self.open_lesson(entry, self.store.get(entry.lesson.id).step)

    def open_lesson(self, entry: "CatalogEntry", step: int) -> None:
        from nn_tui.ui.screens.lesson import LessonScreen

        self.push_screen(LessonScreen(entry.lesson, self.store, step))

    # -- settings --------------------------------------------------------------------------------

    def remember_decimals(self, decimals: int) -> None:
        """Save the digits setting for the next run (in a thread: the disk never holds up a
        key); a failure is told once, as a notice, until a save succeeds again.

        One writer (``SettingsSaver``): each worker writes the latest value asked for, under one
        lock, so presses in quick succession leave the last one on disk whichever thread ends
        last; the latest value is written once more on unmount in case a worker never ran."""
        from nn_tui.lessons.settings import Settings

        if self.settings_saver is None:
            return
        self.settings_saver.want(Settings(decimals=decimals))
        self.run_worker(self._save_settings, thread=True, group="settings",
                        exit_on_error=False)

    def _save_settings(self) -> None:
        """Write the latest wanted settings (a thread worker, or on unmount); never raises."""
        saver = self.settings_saver
        if saver is None:
            return
        try:
            written = saver.write_latest()
        except OSError as error:
            if self._settings_failing:
                return
            self._settings_failing = True
            reason = error.strerror or str(error)
            where = f" ({error.filename})" if error.filename else ""
            self.post_message(self.SettingsNotice(
                f"The digits setting could not be saved{where}: {reason}. It applies until you "
                "quit."))
            return
        if written:
            self._settings_failing = False

    @dataclass
    class SettingsNotice(Message):
        """A settings file that could not be written (sent from the saving thread)."""

        text: str

    def on_nn_tui_app_settings_notice(self, message: SettingsNotice) -> None:
        self.notify(clean(message.text), title="Settings", severity="warning", timeout=10,
                    markup=False)

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
            # Written before the exit (the writer thread is given a few seconds); a save that
            # fails was already reported.
            self.store.close(timeout=5.0)
        self.exit(0)


def run_app(paths: Iterable[Path] = (), lesson_dirs: Iterable[Path] = ()) -> int:
    """Run the tutor; returns the process exit status (0 after q)."""
    app = NnTuiApp(list(paths), list(lesson_dirs))
    try:
        result = app.run()
    finally:
        if app.store is not None:
            app.store.close(timeout=5.0)  # however the app ended, what is left gets written
    if app.return_code not in (None, 0):
        return app.return_code
    return 0 if result is None else int(result)
