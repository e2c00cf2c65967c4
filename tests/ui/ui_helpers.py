"""What the Pilot tests share: building the app, waiting for it, and reading the screen.

No test sleeps through the app's own delays: the Loss pane's redraw timer is applied at once
with :func:`redraw_loss` (``LossPane.redraw_if_stale`` is what the timer calls), and the save of
the step reached is shortened with the ``quick_saves`` fixture (tests/conftest.py sets
``LessonScreen.save_delay``). Notices are read with :func:`notices`, which :func:`make_app`
records from the app's public ``notify`` (not Textual's private notification list).
"""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.css.query import NoMatches

from nn_tui.ui.app import NnTuiApp
from nn_tui.ui.panes import (PANES_CSS_PATH, ForwardPane, GradientsPane, LessonPane, LossPane,
                             NetworkPane, WeightsPane)


class NoticeRecorder:
    """Wraps ``app.notify``: every notice the app (or a widget or screen, which call
    ``self.app.notify``) gives is kept in ``messages``, in order, however long it shows."""

    def __init__(self, notify) -> None:
        self._notify = notify
        self.messages: list[str] = []

    def __call__(self, message, *args, **kwargs):
        self.messages.append(str(message))
        return self._notify(message, *args, **kwargs)


def make_app(*paths: Path, lesson_dirs=()) -> NnTuiApp:
    app = NnTuiApp(list(paths), list(lesson_dirs), cursor_blink=False)
    app.notify = NoticeRecorder(app.notify)
    return app


def notices(app) -> list[str]:
    """Every notice given so far (built with :func:`make_app`)."""
    return list(app.notify.messages)


async def settle(app, pilot) -> None:
    """Let pending messages and workers (a catalogue load, a view being prepared) finish."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot, condition, what: str, timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (checked every 2 ms), or fail after
    ``timeout`` seconds (generous: the whole suite shares a loaded machine). A query in the
    condition that finds nothing yet (``NoMatches``: the widget is not composed yet) counts as
    not met.

    Every 2 ms, not 10: a condition met just after a check waited out the rest of the step,
    ~5 ms per wait on average; the suite waits ~1,300 times (the layout walk alone ~970), and
    each check costs microseconds (the condition, and Textual painting what changed, which it
    would paint anyway)."""
    deadline = time.monotonic() + timeout
    missing = None
    while True:
        # A condition about a widget not there yet (a screen just pushed composes on the next
        # turns of the loop) is not met yet: its query's NoMatches is a no, not a failure.
        try:
            if condition():
                return
            missing = None
        except NoMatches as error:
            missing = error
        if time.monotonic() > deadline:
            raise AssertionError(f"never: {what}" + (f" ({missing})" if missing else ""))
        await pilot.pause(0.002)


async def wait_for_screen(app, pilot, name: str) -> None:
    try:
        await wait_until(pilot, lambda: type(app.screen).__name__ == name, f"{name} appears")
    except AssertionError:
        raise AssertionError(f"{name} never appeared (on {type(app.screen).__name__})") from None
    await pilot.pause()


async def redraw_loss(app, pilot) -> None:
    """Apply now what the Loss pane's redraw timer applies at its next tick (the latest
    training numbers and the plot), instead of waiting ``1 / REDRAW_HZ`` for it."""
    from nn_tui.ui.panes.loss import LossPane

    await app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(2):  # a plot mounted on the first pass is drawn on the second
        for pane in app.screen.query(LossPane):
            pane.redraw_if_stale()
        await pilot.pause()


# One run of text in Textual's SVG screenshot (Rich's export_svg): its x, its line, its text.
_SVG_TEXT = re.compile(r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+" '
                       r'clip-path="url\(#[^"]*-line-(\d+)\)">([^<]*)</text>')
_SVG_CELL_WIDTH = 12.2  # Rich's export_svg: 0.61 × a 20 px font per terminal cell


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines (one per row, as wide as the terminal).

    Read from ``App.export_screenshot`` (the public way to see the whole screen as drawn, with
    screens and toasts layered as the terminal shows them), not from Textual's private
    compositor."""
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for x, line, text in _SVG_TEXT.findall(app.export_screenshot()):
        row, column = rows[int(line)], round(float(x) / _SVG_CELL_WIDTH)
        for character in html.unescape(text).replace("\u00a0", " "):
            if character == "\n" or column >= width:
                continue
            row[column] = character
            if cell_len(character) == 2 and column + 1 < width:
                row[column + 1] = ""  # a wide character takes two cells
            column += cell_len(character)
    return "\n".join("".join(row) for row in rows)


async def goto_step(app, pilot, index: int):
    """Go to step ``index`` of the lesson screen shown and let it settle; the screen."""
    screen = app.screen
    screen.go(index)
    await settle(app, pilot)
    assert screen.view.index == index
    return screen


async def open_at(app, pilot, index: int):
    """Wait for the lesson screen and what it prepares on opening, then go to step ``index``;
    the screen."""
    await wait_for_screen(app, pilot, "LessonScreen")
    await settle(app, pilot)
    return await goto_step(app, pilot, index)


class EveryPaneApp(App):
    """The lesson screen's six panes in a grid, without the screen: for showing them views
    built by a test (``pane.show(view)``)."""

    CSS_PATH = PANES_CSS_PATH
    CSS = "Grid { grid-size: 2 3; } #loss { column-span: 2; }"

    def compose(self) -> ComposeResult:
        with Grid():
            yield LessonPane()
            yield NetworkPane()
            yield WeightsPane()
            yield ForwardPane()
            yield GradientsPane()
            yield LossPane(id="loss")


def unsettled_panes(screen) -> list[str]:
    """The ids of the visible panes whose lines are not yet where they go: the scroll to the
    step's ◀ lines and the "↓ more" note come after the step's first paint
    (``PaneBody.settled``)."""
    from nn_tui.ui.panes._common import Pane

    return [pane.id for pane in screen.query(Pane) if pane.display and not pane.body.settled]


class PaneApp(App):
    """One pane alone, styled as in the tutor (panes.tcss)."""

    CSS_PATH = PANES_CSS_PATH

    def __init__(self, pane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane


def rendered(pane) -> str:
    """Every line the pane's text widgets draw at their laid-out size, scrolled out of view too."""
    from textual.geometry import Region
    from textual.widgets import Static

    from nn_tui.ui.panes._common import PaneBody

    lines = [body.text for body in pane.query(PaneBody)]
    for static in pane.query(Static):
        if static.display and static.size.area:
            region = Region(0, 0, static.size.width, static.size.height)
            lines.extend(strip.text for strip in static.render_lines(region))
    return "\n".join(lines)


async def resize_to(app, pilot, size: tuple[int, int]) -> None:
    """Resize the terminal to ``size`` (width, height) and wait until the screen is laid out
    again at that size: the widgets shown on it fill exactly the new area (``resize_terminal``
    alone may return before the layout follows). For screens whose widgets fill the terminal,
    as the lesson screen's do."""
    from textual.geometry import Region

    width, height = size
    await pilot.resize_terminal(width, height)
    area = Region(0, 0, width, height)

    def laid_out() -> bool:
        screen = app.screen
        regions = [widget.region for widget in screen.children if widget.display]
        return (tuple(app.size) == size and tuple(screen.size) == size
                and Region.from_union([region for region in regions if region]) == area)

    await wait_until(pilot, laid_out, f"the screen laid out at {width}×{height}")
    await pilot.pause()


async def wait_for_step_saved(app, pilot) -> None:
    """Wait until the lesson screen on top has saved the step reached (``SaveSchedule``: with
    the ``quick_saves`` fixture 20 ms after a step), instead of sleeping past the save."""
    screen = app.screen
    await wait_until(pilot, lambda: not screen.steps.saves.pending, "the step reached is saved")


async def at_each_size(app, pilot, sizes, walk) -> None:
    """Run ``await walk(size)`` at each of ``sizes`` in turn in one app, resized between them
    (``resize_to``); a failing check fails with the size it failed at ("at 80×24: …")."""
    for size in sizes:
        if tuple(app.size) != tuple(size):
            await resize_to(app, pilot, size)
        try:
            await walk(size)
        except AssertionError as error:
            raise AssertionError(f"at {size[0]}×{size[1]}: {error}") from error


async def run_palette_command(app, pilot, words: str) -> None:
    """Open the command palette (ctrl+p), search it for ``words`` and run the command it
    highlights for them (enter), once that command is the one highlighted; wait until the
    screen the palette opened on is back.

    The words go into the search box at once, not key by key: every key searched all the
    commands again (typing "go to step 11:" cost ~130 ms CPU, setting it ~13 ms). For tests about
    a command, not about typing in the palette."""
    from textual.widgets import Input, OptionList

    under = type(app.screen).__name__
    await pilot.press("ctrl+p")
    await wait_for_screen(app, pilot, "CommandPalette")
    palette = app.screen
    palette.query_one(Input).value = words

    def highlighted() -> str:
        option = palette.query_one(OptionList).highlighted_option
        prompt = None if option is None else option.prompt
        return "" if prompt is None else getattr(prompt, "plain", str(prompt))

    await wait_until(pilot, lambda: words.lower() in highlighted().lower(),
                     f"the command palette offers {words!r}")
    await pilot.press("enter")
    await wait_for_screen(app, pilot, under)


class Cases:
    """The checks of one shared app walk, each under its name: ``with cases("name"): ...``
    records a failing check under its name and lets the walk go on to the next case;
    ``cases.check()`` at the end fails with one message naming every case that failed.

    One app walked through several cases costs one lesson opening (~0.15 s CPU) instead of one
    per case, and a failure still says which case it is."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.ran: list[str] = []

    def __call__(self, name: str):
        from contextlib import contextmanager

        @contextmanager
        def case():
            if name not in self.ran:
                self.ran.append(name)
            try:
                yield
            except AssertionError as error:
                self.failures.append(f"{name}: {error}")
            except Exception as error:  # (a widget missing, …): the walk still goes on
                self.failures.append(f"{name}: {type(error).__name__}: {error}")

        return case()

    def check(self) -> None:
        assert not self.failures, (f"{len(self.failures)} of {len(self.ran)} cases failed:\n"
                                   + "\n\n".join(self.failures))


import pytest  # noqa: E402  (for the fixtures below; kept here, at the end, with them)


@pytest.fixture
def no_rendering_ahead(monkeypatch):
    """Put off the lesson screen's rendering ahead (``PRERENDER_DELAY`` after a step is shown
    it renders the next step's panes into a cache, while the learner reads) past the test: for
    tests that jump between steps and read none of those panes. (Import it into the module.)"""
    import nn_tui.ui.screens.lesson as lesson_screen

    monkeypatch.setattr(lesson_screen, "PRERENDER_DELAY", 3600.0)


@pytest.fixture
def nothing_rendered_ahead(monkeypatch):
    """Put off all rendering ahead past the test: the lesson screen's next step
    (``PRERENDER_DELAY``) and explore mode's nudge either way after each edit or entry
    (``EXPLORE_PRERENDER_DELAY``, ~7 ms each time). For walks that read none of it (the
    layout, the panes swapped in and out). (Import it into the module.)"""
    import nn_tui.ui.screens.explore_mode as explore_mode
    import nn_tui.ui.screens.lesson as lesson_screen

    monkeypatch.setattr(lesson_screen, "PRERENDER_DELAY", 3600.0)
    monkeypatch.setattr(explore_mode, "EXPLORE_PRERENDER_DELAY", 3600.0)


async def run_offered_command(app, pilot, title: str) -> None:
    """Run the command the command palette offers on the screen shown under ``title`` (its
    exact title), as the palette runs the one chosen (``app.call_later`` once it has closed),
    without opening the palette (~0.1 s CPU a round trip); wait until the app has run it.

    For a walk that goes through the palette itself in another case (``run_palette_command``),
    where what the command does is the subject: it runs the very callback the palette would."""
    from nn_tui.ui.commands import LessonCommands

    commands = {name: callback for name, _help, callback in LessonCommands(app.screen).commands()}
    assert title in commands, f"the palette offers no {title!r}: {sorted(commands)}"
    app.call_later(commands[title])
    await settle(app, pilot)
