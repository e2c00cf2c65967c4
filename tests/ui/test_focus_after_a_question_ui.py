"""After a question the arrow keys scroll again at once (a learner in tmux, session 21): once
a question was answered, left with Escape, or stepped away from, nothing had the focus, so
↑/↓ and PgUp/PgDn did nothing until Tab was pressed twice. The focus now goes back to the
first pane shown."""

from __future__ import annotations

import pytest
from ui_helpers import goto_step, make_app, settle, wait_for_screen, wait_until

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.panes._common import PaneBody
from nn_tui.ui.widgets.check import AnswerInput

QUESTION = 9  # psa-hidden-layer step 10 (a number question); step 11's text scrolls at 80×24


async def answer(app, pilot, screen) -> None:
    await pilot.press(*f"{float(screen.session.answer(QUESTION)):.6f}", "enter")


async def leave_with_escape(app, pilot, screen) -> None:
    await pilot.press("1", "escape")


async def skip(app, pilot, screen) -> None:
    pass  # → from the empty box


@pytest.mark.parametrize("leave", [answer, leave_with_escape, skip],
                         ids=["answered", "escape", "skipped"])
async def test_after_a_question_the_arrows_scroll_the_next_step(leave):
    app = make_app(bundled_lessons_dir() / "psa-hidden-layer.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        screen = await goto_step(app, pilot, QUESTION)
        assert isinstance(app.focused, AnswerInput)
        await leave(app, pilot, screen)
        await settle(app, pilot)
        await pilot.press("right")
        await settle(app, pilot)
        assert screen.view.index == QUESTION + 1
        body = screen.pane("pane-lesson").body
        await wait_until(pilot, lambda: app.focused is body, "the Lesson pane has the focus")
        assert body.max_scroll_y > 0  # (the step's text is longer than the pane: it scrolls)
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert body.scroll_y > 0, "PgDn did not scroll the Lesson pane"
        assert isinstance(app.focused, PaneBody)
