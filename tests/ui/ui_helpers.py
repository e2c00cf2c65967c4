"""What the Pilot tests share: building the app, waiting for it, and reading the screen."""

from __future__ import annotations

from pathlib import Path

from nn_tui.ui.app import NnTuiApp


def make_app(*paths: Path, lesson_dirs=()) -> NnTuiApp:
    return NnTuiApp(list(paths), list(lesson_dirs), cursor_blink=False)


async def settle(app, pilot) -> None:
    """Let pending messages and workers (a catalogue load, a view being prepared) finish."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def wait_for_screen(app, pilot, name: str) -> None:
    for _ in range(200):
        if type(app.screen).__name__ == name:
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{name} never appeared (on {type(app.screen).__name__})")


def screen_text(app) -> str:
    """What the terminal shows, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
