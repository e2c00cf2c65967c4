"""Once a step is on screen and painted, the panes stop working: no callback asks for itself
again after every paint. (A pane hidden at a step — the Gradients pane at a question after a
run — kept re-asking to mark "↓ more" after each refresh, which kept the tutor busy for
seconds per step and would have burnt a core while the learner read.)

One app per lesson walks every step at 120×40, then, resized to 80×24 (and laid out again at
that size), every step again; the module-scoped ``walked`` fixture keeps the steps where the
panes stayed busy, per size, and the tests (one per lesson and size) read it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from nn_tui.ui.panes._common import PaneBody
from tests.ui.ui_helpers import make_app, open_at, resize_to, settle

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
# A few idle cycles: a callback that re-schedules itself after every paint runs once in each.
IDLE_CYCLES = 5
SIZES = [(120, 40), (80, 24)]  # walked in this order, in one app


async def _walk(lesson: str, calls: list[str]) -> dict[tuple[int, int], list]:
    busy_at: dict[tuple[int, int], list] = {}
    app = make_app(LESSONS / lesson)
    async with app.run_test(size=SIZES[0]) as pilot:
        screen = await open_at(app, pilot, 0)
        for size in SIZES:
            if tuple(app.size) != size:
                await resize_to(app, pilot, size)
            busy = busy_at[size] = []
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
        screen.stop_work()
    return busy_at


@pytest.fixture(scope="module", params=["psa-hidden-layer.toml", "fruit.toml"])
def walked(request, tmp_path_factory):
    """The lesson, and the steps (index, kind, the marking panes) whose panes kept marking
    "↓ more" after every paint, at each size: walked once, shared by the lesson's tests."""
    lesson = request.param
    calls: list[str] = []
    original = PaneBody.mark_more

    def counted(self):
        calls.append(self.id)
        return original(self)

    home = tmp_path_factory.mktemp(f"home-{lesson}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NN_TUI_HOME", str(home))  # a fresh home: no resume dialog
        patch.setenv("HOME", str(home / "home"))
        patch.setattr(PaneBody, "mark_more", counted)
        return lesson, asyncio.run(_walk(lesson, calls))


@pytest.mark.parametrize("size", SIZES)
def test_every_step_goes_quiet_once_painted(walked, size):
    lesson, busy_at = walked
    busy = busy_at[size]
    assert not busy, f"{lesson} at {size}: panes still marking after every paint: {busy}"
