"""What the Pilot tests share: building the app, waiting for it, and reading the screen.

No test sleeps through the app's own delays: the Loss pane's redraw timer is applied at once
with :func:`redraw_loss` (``LossPane.redraw_if_stale`` is what the timer calls), and the save of
the step reached is shortened with the ``quick_saves`` fixture (tests/conftest.py sets
``LessonScreen.save_delay``). Notices are read with :func:`notices`, which :func:`make_app`
records from the app's public ``notify`` (not Textual's private notification list).
"""

from __future__ import annotations

from pathlib import Path

from nn_tui.ui.app import NnTuiApp


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


async def wait_until(pilot, condition, what: str, timeout: float = 6.0) -> None:
    """Let the app run until ``condition()`` holds (checked every 20 ms), or fail."""
    for _ in range(max(1, int(timeout / 0.02))):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never: {what}")


async def wait_for_screen(app, pilot, name: str) -> None:
    await wait_until(pilot, lambda: type(app.screen).__name__ == name,
                     f"{name} appears (on {type(app.screen).__name__})", timeout=4.0)
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


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
