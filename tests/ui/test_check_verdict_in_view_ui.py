"""The ✓/✗ of an answer is in view in the Check box, however long the explanation or hint
after it (the feedback area used to follow its end, scrolling the verdict out of view)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.ui_helpers import make_app, open_at, screen_text, settle

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_the_verdict_of_a_choice_is_on_screen(size):
    app = make_app(LESSONS / "fruit.toml")
    async with app.run_test(size=size) as pilot:
        await open_at(app, pilot, 0)
        steps = app.screen.session.steps
        index = max(i for i, step in enumerate(steps) if step.kind == "check" and step.choices)
        await open_at(app, pilot, index)
        await pilot.press("1")  # orange: ŷ is below 0.5 for this fruit
        await settle(app, pilot)
        assert "✗" in screen_text(app), "the wrong answer's ✗ is out of view"
        await pilot.press("2")
        await settle(app, pilot)
        assert "✓" in screen_text(app), "the right answer's ✓ is out of view"
