"""Once a step is on screen and painted, the panes stop working: no callback asks for itself
again after every paint. (A pane hidden at a step — the Gradients pane at a question after a
run — kept re-asking to mark "↓ more" after each refresh, which kept the tutor busy for
seconds per step and would have burnt a core while the learner read.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from nn_tui.ui.panes._common import PaneBody
from tests.ui.ui_helpers import make_app, open_at, settle

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
# A few idle cycles: a callback that re-schedules itself after every paint runs once in each.
IDLE_CYCLES = 5


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@pytest.mark.parametrize("lesson", ["psa-hidden-layer.toml", "fruit.toml"])
async def test_every_step_goes_quiet_once_painted(monkeypatch, lesson, size):
    calls = []
    original = PaneBody.mark_more

    def counted(self):
        calls.append(self.id)
        return original(self)

    monkeypatch.setattr(PaneBody, "mark_more", counted)
    app = make_app(LESSONS / lesson)
    async with app.run_test(size=size) as pilot:
        screen = await open_at(app, pilot, 0)
        busy = []
        for index in range(screen.session.total):
            screen.go(index)
            await settle(app, pilot)
            for _ in range(2):  # the step's own follow-up scroll and mark
                await pilot.pause()
            before = len(calls)
            for _ in range(IDLE_CYCLES):
                await pilot.pause()
            if len(calls) - before >= IDLE_CYCLES:
                busy.append((index, screen.view.step.kind, sorted(set(calls[before:]))))
        assert not busy, f"{lesson} at {size}: panes still marking after every paint: {busy}"
