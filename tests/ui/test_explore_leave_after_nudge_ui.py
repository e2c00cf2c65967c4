"""Leaving explore mode right after a nudge, before the screen is painted again, closes the
Slope pane without a crash: the nudge asks the pane to scroll its readout into view after the
next paint, and by then the pane is gone (it failed test_explore_ui now and then with
``NoMatches: PaneBody on SlopePane`` when + and Esc came in quick succession)."""

from __future__ import annotations

from nn_tui.lessons.catalog import bundled_lessons_dir
from ui_helpers import make_app, open_at, settle

PSA = bundled_lessons_dir() / "psa-hidden-layer.toml"
FORWARD_STEP = 3


async def test_leaving_in_the_same_moment_as_a_nudge_is_not_a_crash():
    app = make_app(PSA)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_at(app, pilot, FORWARD_STEP)
        await pilot.press("e")
        await settle(app, pilot)
        assert screen.explore is not None
        # + then Esc within one turn of the event loop: the pane's "after the next paint"
        # comes after it was removed.
        screen.action_nudge(1)
        screen.leave_explore()
        await settle(app, pilot)
        await pilot.pause()
        assert screen.explore is None and not screen.query("#pane-slope")
        assert "(was" not in screen.pane("pane-forward").text
