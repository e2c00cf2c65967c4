"""SVG snapshots of the lesson screen at 120×40: fruit forward pass, PSA gradients, PSA training.

Regenerate with ``pytest tests/ui/test_snapshots.py --snapshot-update`` after a deliberate change
to the screen or to the bundled lessons, and look at the new SVGs before keeping them.
"""

from __future__ import annotations

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.app import NnTuiApp
from ui_helpers import make_app, redraw_loss, settle, unsettled_panes, wait_for_screen, wait_until

SIZE = (120, 40)


async def open_at(pilot, choose_step) -> None:
    """Wait for the lesson screen, then go to the step ``choose_step(session)`` picks."""
    app = pilot.app
    await wait_for_screen(app, pilot, "LessonScreen")
    # Step by step, as a learner gets there (a jump skips the steps whose layout the panes
    # size themselves by).
    target = choose_step(app.screen.session)
    for index in range(target + 1):
        app.screen.go(index)
        await settle(app, pilot)
    # The panes scroll to the step's ◀ lines after its first paint: the picture is the one a
    # learner reads, once they have.
    await wait_until(pilot, lambda: not unsettled_panes(app.screen), "the panes settle")
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def last_of_kind(kind: str):
    def choose(session) -> int:
        return max(i for i, step in enumerate(session.steps) if step.kind == kind)
    return choose


def full_forward(session) -> int:
    """The first step showing every layer's forward arithmetic."""
    depth = len(session.lesson.network.layers)
    return next(i for i, step in enumerate(session.steps)
                if step.kind == "forward" and session.view(i).reveal.forward == depth)


def app_for(name: str) -> NnTuiApp:
    return make_app(bundled_lessons_dir() / f"{name}.toml")


def test_fruit_forward_pass(snap_compare):
    async def run_before(pilot) -> None:
        await open_at(pilot, full_forward)

    assert snap_compare(app_for("fruit"), terminal_size=SIZE, run_before=run_before)


def test_psa_gradients(snap_compare):
    async def run_before(pilot) -> None:
        await open_at(pilot, last_of_kind("backward"))

    assert snap_compare(app_for("psa-hidden-layer"), terminal_size=SIZE, run_before=run_before)


def test_psa_training_finished(snap_compare):
    async def run_before(pilot) -> None:
        await open_at(pilot, last_of_kind("train"))
        await pilot.press("space")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        # The Loss pane redraws its plot on a timer (a few Hz): apply its next tick now.
        await redraw_loss(pilot.app, pilot)

    assert snap_compare(app_for("psa-hidden-layer"), terminal_size=SIZE, run_before=run_before)
