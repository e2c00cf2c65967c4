"""The lesson picker: every lesson with its summary and the learner's progress; type to filter.

The catalogue (which parses and validates every lesson file, and so imports NumPy) is loaded in
a thread worker after the first paint, so the picker appears at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nn_tui.ui.bundled_cache import BundledCache
from nn_tui.ui.commands import AppCommands
from nn_tui.ui.literal import clean, clean_tree, literal
from nn_tui.ui.perf.keybar import KeyBar
from nn_tui.ui.perf.screen import FirstResumeStyledScreen, breakpoints_from_start
from nn_tui.ui.widgets.hanging import Hanging

if TYPE_CHECKING:
    from nn_tui.lessons.catalog import CatalogEntry
    from nn_tui.lessons.progress import ProgressStore


class FilterInput(Input):
    """The filter box. While it is empty, q quits and ? opens help (they cannot start a filter
    that matters: type any other letter first)."""

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False  # deterministic screenshots

    # The keys an empty filter box lets through to the picker's q and ? bindings.
    PASS_WHEN_EMPTY = frozenset({"q", "question_mark"})

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Whether the box takes ``key`` as text: q and ? only once something is typed (Textual
        drops the bindings of keys a focused widget consumes from the binding chain)."""
        if not self.value and key in self.PASS_WHEN_EMPTY:
            return False
        return super().check_consume_key(key, character)


@dataclass(frozen=True)
class LessonInfo:
    """A catalogue entry with what the picker shows about its size."""

    entry: "CatalogEntry"
    steps: int  # 0 for a broken file
    checks: int

    @property
    def search_text(self) -> str:
        return f"{self.entry.title} {self.entry.summary} {self.entry.id}".lower()


def clean_entry(entry: "CatalogEntry") -> "CatalogEntry":
    """The entry with every string of its lesson (or of its problems) free of control
    characters: the one place lesson files enter the UI (see ``nn_tui.ui.literal``)."""
    import dataclasses

    from nn_tui.lessons.errors import LessonError

    lesson = clean_tree(entry.lesson)
    error = entry.error
    if error is not None:
        problems = clean_tree(error.problems)
        if problems is not error.problems or clean(error.path) != error.path:
            error = LessonError(clean(error.path), problems)
    if lesson is entry.lesson and error is entry.error:
        return entry
    return dataclasses.replace(entry, lesson=lesson, error=error)


def describe_catalog(entries: list["CatalogEntry"]) -> list[LessonInfo]:
    from nn_tui.lessons.walkthrough import generated_steps

    infos = []
    for entry in map(clean_entry, entries):
        if entry.lesson is None:
            infos.append(LessonInfo(entry, 0, 0))
            continue
        steps = entry.lesson.steps or generated_steps(entry.lesson)
        infos.append(LessonInfo(entry, len(steps), sum(1 for s in steps if s.is_question)))
    return infos


# Bundled lessons already read in this process, with their list lines (see the module).
BUNDLED: BundledCache[LessonInfo] = BundledCache()


class PickerScreen(FirstResumeStyledScreen):
    """Lists the lessons; Enter opens the highlighted one."""

    COMMANDS = {AppCommands}

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-fits")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-fits-height")]

    BINDINGS = [
        Binding("enter", "open", "Open lesson", tooltip="open the highlighted lesson"),
        Binding("down", "move(1)", "Next lesson", show=False, tooltip="move in the list"),
        Binding("up", "move(-1)", "Previous lesson", show=False, tooltip="move in the list"),
        Binding("escape", "clear_filter", "Clear filter", show=False,
                tooltip="clear the filter"),
        # Priority, so they act before the filter box sees the key; the box keeps them (as
        # text) once it holds a filter: see FilterInput.check_consume_key.
        Binding("q", "app.quit_app", "Quit", show=False, priority=True,
                tooltip="quit (while the filter is empty)"),
        Binding("question_mark", "app.help", "Help", show=False, priority=True,
                tooltip="this help (while the filter is empty)"),
    ]

    @dataclass
    class Loaded(Message):
        infos: list[LessonInfo]

    @dataclass
    class FirstLoaded(Message):
        """The lesson file named on the command line, checked: it opens before the rest of
        the catalogue is checked (which, with every bundled lesson replayed, takes a while)."""

        entry: "CatalogEntry"

    def __init__(self, sources: list[Path], include_bundled: bool,
                 open_directly: Path | None = None) -> None:
        super().__init__()
        breakpoints_from_start(self)  # laid out once, at the size it is shown at
        self.sources = sources
        self.include_bundled = include_bundled
        self.open_directly = open_directly
        self.infos: list[LessonInfo] = []
        self.shown: list[LessonInfo] = []
        # Files that share a lesson id (path -> the other paths), and their shapes: each is
        # listed with the progress of its own version (ProgressStore.record_for).
        self.shared: dict[str, list[str]] = {}
        self._shapes: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-main"):
            yield Static(Text("nn-tui · neural networks, one number at a time", style="bold"),
                         id="picker-title")
            yield Static("Pick a lesson: type to filter, ↑/↓ to move, Enter to open, ? for help, q to quit.",
                         id="picker-subtitle")
            yield FilterInput(placeholder="type to filter lessons…", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static("Loading lessons…", id="picker-status")
        yield Static("Please enlarge the terminal to at least 80×24.", classes="too-small")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False  # typing always goes to the filter
        self.query_one("#picker-filter", Input).focus()
        # Load after the first paint: the loading thread imports NumPy and the lesson modules,
        # and would otherwise compete with the painting for the interpreter.
        self.call_after_refresh(self._load)

    @work(thread=True, exclusive=True, group="catalog", exit_on_error=True)
    def _load(self) -> None:
        from textual.worker import get_current_worker

        from nn_tui.lessons.catalog import Cancelled, build_catalog, bundled_lessons_dir, identity

        # Textual runs thread workers in the event loop's default executor, whose threads the
        # interpreter joins at exit: a lesson that takes long to check would keep the process
        # alive after q. Quitting cancels the worker; checking asks this and stops at once.
        worker = get_current_worker()
        first: list["CatalogEntry"] = []
        try:
            # The bundled lessons an earlier tutor of this process read, where their files are
            # unchanged (nn_tui/ui/bundled_cache.py): used as they are, not read again.
            bundled_now = BUNDLED.read(bundled_lessons_dir()) if self.include_bundled else {}
            known = BUNDLED.entries(bundled_now)
            if self.open_directly is not None:
                from nn_tui.lessons.catalog import load_entry

                bundled = identity(self.open_directly.parent) == identity(bundled_lessons_dir())
                kept = [entry for entry in known if entry.path == self.open_directly]
                first.append(kept[0] if kept and bundled else load_entry(
                    self.open_directly, bundled, cancelled=lambda: worker.is_cancelled,
                    replay=not bundled))
                import_module("nn_tui.ui.screens.lesson")
                self.post_message(self.FirstLoaded(clean_entry(first[0])))
            opened = {identity(entry.path) for entry in first}  # (it stays the one used)
            # The bundled lessons are not replayed here: the test suite replays each of them
            # (as `nn-tui check` does), and at every start it cost each tutor about half a
            # second of CPU (a classroom of 30 tutors on 2 cores: 10 s more before the list).
            entries = build_catalog(self.sources, include_bundled=self.include_bundled,
                                    cancelled=lambda: worker.is_cancelled,
                                    loaded=first + [entry for entry in known
                                                    if identity(entry.path) not in opened],
                                    replay_bundled=False)
        except Cancelled:
            return
        infos = BUNDLED.describe(entries, bundled_now, describe_catalog)
        # Load the lesson screen's modules (the panes, Markdown) here too, off the main thread,
        # so opening a lesson does not pause on imports.
        import_module("nn_tui.ui.screens.lesson")

        self.post_message(self.Loaded(infos))

    def on_picker_screen_first_loaded(self, message: FirstLoaded) -> None:
        self.open_directly = None
        self.app.open_entry(message.entry)

    def on_picker_screen_loaded(self, message: Loaded) -> None:
        from nn_tui.lessons.progress import shared_ids

        self.infos = message.infos
        self.shared = shared_ids((info.entry.id, str(info.entry.path)) for info in self.infos
                                 if info.entry.lesson is not None)
        self.app.catalog = self.infos  # the command palette's "open lesson" commands
        if self.is_active or isinstance(self.app.screen, ModalScreen):
            # (Under the lesson opened from the command line, the list is made when the picker
            # shows again: on_screen_resume. Made now, it cost that lesson's opening a few %
            # of its CPU for a list nobody sees yet. Under a dialog it may show: made now.)
            self.refresh_list()
        if self.open_directly is not None:
            from nn_tui.lessons.catalog import identity  # resolve() raises on a link loop

            target = identity(self.open_directly)
            self.open_directly = None
            for info in self.infos:
                if identity(info.entry.path) == target:
                    self.app.open_entry(info.entry)
                    break

    def on_screen_resume(self) -> None:
        if self.infos:
            self.refresh_list()  # progress may have changed in the lesson

    # -- the list --------------------------------------------------------------------------------

    @property
    def store(self) -> "ProgressStore":
        return self.app.store

    def _prompt(self, info: LessonInfo) -> Hanging:
        """The lesson's entry: its title, then its summary, progress and notes, each wrapping
        under its own first letter (not back at the list's edge)."""
        entry = info.entry
        text = Hanging()
        if entry.lesson is None:
            text.add(Text("✗ ", style="bold red"), Text(clean(entry.title), style="bold red"))
            text.add("   ", Text(clean(entry.summary), style="red"))
            return text
        shared = self.shared.get(str(entry.path))
        if shared:
            progress = self.store.record_for(entry.id, self._shape(entry))
        else:
            progress = self.store.peek(entry.id)
        done = progress is not None and progress.done
        text.add(Text("✓ " if done else "  ", style="bold green"),
                 Text(clean(entry.title), style="bold"))
        if entry.summary:
            text.add("   ", Text(clean(entry.summary), style="dim"))
        reached = 0 if progress is None or not progress.updated else progress.furthest + 1
        right = 0 if progress is None else progress.checks_right
        status = f"steps {min(reached, info.steps)}/{info.steps}"
        if info.checks:
            status += f" · checks right {right}/{info.checks}"
        if done:
            status += " · done"
        text.add("   ", Text(status, style="green" if done else ""))
        if shared:
            from nn_tui.lessons.progress import shared_text

            text.add(Text("   ⚠ ", style="yellow"),
                     Text(clean(shared_text([Path(other).name for other in shared])),
                          style="yellow"))
        return text

    def _shape(self, entry) -> object:
        from nn_tui.lessons.progress import LessonShape

        key = str(entry.path)
        if key not in self._shapes:
            self._shapes[key] = LessonShape.of_lesson(entry.lesson)
        return self._shapes[key]

    def refresh_list(self, force: bool = True) -> None:
        words = self.query_one("#picker-filter", Input).value.lower().split()
        shown = [info for info in self.infos if all(word in info.search_text for word in words)]
        if not force and shown == self.shown:
            return  # typing that does not change the matches need not rebuild the list
        self.shown = shown
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(Option(self._prompt(info), id=str(number))
                                for number, info in enumerate(self.shown))
        if self.shown:
            option_list.highlighted = min(highlighted or 0, len(self.shown) - 1)
        broken = sum(1 for info in self.infos if info.entry.lesson is None)
        status = f"{len(self.shown)} of {len(self.infos)} lessons"
        if broken:
            status += f" · {broken} broken (select one to see why)"
        if not self.infos:
            status = "No lesson files found."
        self.query_one("#picker-status", Static).update(literal(status))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_list(force=False)
        option_list = self.query_one(OptionList)
        if self.shown:
            option_list.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.app.open_entry(self.shown[event.option_index].entry)

    def action_move(self, delta: int) -> None:
        option_list = self.query_one(OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_open(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and highlighted < len(self.shown):
            self.app.open_entry(self.shown[highlighted].entry)

    def action_clear_filter(self) -> None:
        self.query_one("#picker-filter", Input).value = ""
