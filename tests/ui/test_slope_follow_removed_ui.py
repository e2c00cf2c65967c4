"""Explore mode left while the Slope pane's scroll to its readout is still due: the pane is being
removed, and the scroll (asked for after the next refresh) finds no body. It must do nothing,
not raise (the tutor showed a traceback when `+` was followed at once by Escape)."""

from __future__ import annotations

from ui_helpers import PaneApp

from nn_tui.ui.panes._common import PaneBody
from nn_tui.ui.panes.slope import SlopePane


async def test_follow_readout_after_the_body_is_gone_does_nothing():
    pane = SlopePane(id="pane-slope")
    app = PaneApp(pane)
    async with app.run_test(size=(80, 24)) as pilot:
        await pane.query_one(PaneBody).remove()
        await pilot.pause()
        pane._follow_readout()  # what the pending call_after_refresh runs
        await pilot.pause()
        assert pane.is_attached and not pane.query(PaneBody)
