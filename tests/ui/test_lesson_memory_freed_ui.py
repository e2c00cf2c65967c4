"""A lesson left is freed: its screen, panes and traces do not stay in memory until the tutor
quits (the lesson screen takes its objects out of the garbage collector's reach after its first
paint for steady step times, and must give them back when it goes)."""

from __future__ import annotations

import gc
import weakref

from nn_tui.lessons.catalog import bundled_lessons_dir
from ui_helpers import make_app, settle, wait_for_screen, wait_until

LESSONS = bundled_lessons_dir()


async def test_each_lesson_left_is_freed_while_the_tutor_runs():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        left = []
        for _visit in range(2):
            await pilot.press("enter")  # the first lesson in the list
            await wait_for_screen(app, pilot, "LessonScreen")
            await settle(app, pilot)
            await pilot.pause()  # its first paint, after which its objects are frozen
            left.append(weakref.ref(app.screen))
            await pilot.press("escape")
            await wait_for_screen(app, pilot, "PickerScreen")
            await settle(app, pilot)
            # Collected once the lesson list has painted; a collection of our own here would
            # free nothing that is still frozen.
            await wait_until(pilot, lambda: left[-1]() is None,
                             "the lesson screen left is freed", timeout=5)
        gc.collect()
        assert [ref() for ref in left] == [None, None]
