"""Explore mode's panes are swapped in order: every way of leaving explore mode and entering it
again before the old Slope pane and output picture are gone mounts the new ones only once the
old ones are removed (``ExploreDisplay`` awaits the removal it started), never a second
``#pane-slope`` or ``#pane-picture`` beside the one being removed.

Without that, the command palette's "go to step …" from an explore step to another explore
step crashed the tutor with ``DuplicateIds 'pane-slope'`` (``go`` leaves explore mode, and the
next explore step opens it again before Textual had removed the old pane); a fast walk through
psa-softmax at 80×24 once hit ``'pane-picture'`` the same way.

One app walks slopes.toml through every path at 120×40, then resized at 80×24: the palette, ``screen.go``
(Home/End and the palette call it), Esc then e in one turn of the event loop, ← / → out of an
explore step and back, e at an ordinary step right after leaving, a resize in between, the
output picture in the detail slot (t) on a small terminal. After each the screen must show
exactly one Slope pane and one picture (or none, out of explore mode) and the app must still
be running (a crash ends it; ``run_test`` then raises it).
"""

from __future__ import annotations

import pytest
from ui_helpers import (
    at_each_size,
    make_app,
    nothing_rendered_ahead,  # noqa: F401  (a fixture)
    open_at,
    run_offered_command,
    run_palette_command,
    settle,
    wait_until,
)

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.panes.picture_pane import PicturePane
from nn_tui.ui.panes.slope import SlopePane

SLOPES = bundled_lessons_dir() / "slopes.toml"
# slopes.toml: explore steps 5, 10, 21, 28; step 3 is a forward step, 9 a check, 11 a check.
EXPLORE_STEPS = (5, 10, 21, 28)
FORWARD_STEP = 3
BIG = (120, 40)
SMALL = (80, 24)


def panes(screen) -> tuple[int, int]:
    """How many Slope panes and output pictures the screen holds (being removed ones too)."""
    return len(screen.query(SlopePane)), len(screen.query(PicturePane))


async def exploring_at(app, pilot, screen, index: int) -> None:
    """Wait until step ``index`` is on screen in explore mode with its own two panes (the old
    ones gone), and the app still running."""
    await wait_until(pilot, lambda: not app.is_running or (
                                     screen.view is not None and screen.view.index == index
                                     and screen.explore is not None
                                     and screen.explore.view.index == index
                                     and panes(screen) == (1, 1)),
                     f"step {index + 1} in explore mode with one Slope pane and one picture")
    await settle(app, pilot)
    assert app.is_running, "the tutor stopped"
    assert panes(screen) == (1, 1)
    assert screen.query_one("#pane-slope").display
    # Every pane shows the step explored (not the one left).
    assert screen.pane("pane-forward").view.index == index


async def lesson_at(app, pilot, screen, index: int) -> None:
    """Wait until step ``index`` is on screen out of explore mode, with no explore pane left."""
    await wait_until(pilot, lambda: not app.is_running or (
                                     screen.view is not None and screen.view.index == index
                                     and screen.explore is None and panes(screen) == (0, 0)),
                     f"step {index + 1} out of explore mode, its panes removed")
    await settle(app, pilot)
    assert app.is_running, "the tutor stopped"
    assert panes(screen) == (0, 0) and screen.explore is None


async def palette_go(app, pilot, index: int) -> None:
    await run_palette_command(app, pilot, f"go to step {index + 1}:")


async def palette_go_command(app, pilot, index: int) -> None:
    """What the palette's "go to step …" runs (``screen.go`` in the app's task), without the
    palette."""
    title = next(name for name in offered_titles(app)
                 if name.startswith(f"Go to step {index + 1}:"))
    await run_offered_command(app, pilot, title)


def offered_titles(app) -> list[str]:
    from nn_tui.ui.commands import LessonCommands

    return [title for title, _help, _callback in LessonCommands(app.screen).commands()]


# Nothing reads the next step or the nudges rendered ahead here: the walk is about the panes.
@pytest.mark.usefixtures("nothing_rendered_ahead")
async def test_every_way_out_of_explore_mode_and_back_swaps_its_panes_in_order():
    app = make_app(SLOPES)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_at(app, pilot, EXPLORE_STEPS[0])
        await at_each_size(app, pilot, (BIG, SMALL),
                           lambda size: every_way_out_and_back(app, pilot, screen, size))


async def every_way_out_and_back(app, pilot, screen, size: tuple[int, int]) -> None:
    """The walk at ``size``, from explore step 6 (the first)."""
    first, second, third, last = EXPLORE_STEPS
    if screen.view.index != first:
        screen.go(first)
    await exploring_at(app, pilot, screen, first)

    # The command palette, from an explore step to the next one (the reported crash).
    await palette_go(app, pilot, second)
    await exploring_at(app, pilot, screen, second)

    # screen.go (what the palette and Home/End call) between explore steps, in one turn
    # of the loop, back and forth.
    screen.go(third)
    await exploring_at(app, pilot, screen, third)
    screen.go(second)
    screen.go(last)
    await exploring_at(app, pilot, screen, last)

    # Esc then e in the same turn of the loop, and as two keys.
    screen.leave_explore()
    assert await screen.enter_explore()
    await exploring_at(app, pilot, screen, last)
    await pilot.press("escape", "e")
    await exploring_at(app, pilot, screen, last)

    # ← / → out of an explore step (after Esc) and back: the step opens explore mode again.
    screen.go(second)
    await exploring_at(app, pilot, screen, second)
    await pilot.press("escape", "right", "left")
    await exploring_at(app, pilot, screen, second)
    await pilot.press("escape", "left", "right")
    await exploring_at(app, pilot, screen, second)
    screen.leave_explore()
    screen.go(second + 1)
    screen.go(second)
    await exploring_at(app, pilot, screen, second)

    # The palette to an ordinary step, then e there right after leaving it, and Esc e (on
    # the small terminal by the command the palette runs: the palette has been used above).
    if size == BIG:
        await palette_go(app, pilot, FORWARD_STEP)
    else:
        await palette_go_command(app, pilot, FORWARD_STEP)
    await lesson_at(app, pilot, screen, FORWARD_STEP)
    await pilot.press("e")
    await exploring_at(app, pilot, screen, FORWARD_STEP)
    screen.leave_explore()
    assert await screen.enter_explore()
    await exploring_at(app, pilot, screen, FORWARD_STEP)
    await pilot.press("escape", "e", "escape")
    await lesson_at(app, pilot, screen, FORWARD_STEP)

    # A resize between leaving and entering again (to the other size and back).
    other = SMALL if size == BIG else BIG
    await pilot.press("e")
    await exploring_at(app, pilot, screen, FORWARD_STEP)
    screen.leave_explore()
    await pilot.resize_terminal(*other)
    assert await screen.enter_explore()
    await exploring_at(app, pilot, screen, FORWARD_STEP)
    screen.leave_explore()
    await pilot.resize_terminal(*size)
    screen.go(first)
    await exploring_at(app, pilot, screen, first)

    # The output picture in the detail slot (t; on a small terminal it is one of the panes
    # t brings), then out and in again, and on to the next explore step.
    if size == SMALL:
        for _ in range(6):
            if screen.detail == "pane-picture":
                break
            await pilot.press("t")
        assert screen.detail == "pane-picture"
        await wait_until(pilot, lambda: screen.query_one("#pane-picture").display,
                         "the output picture in the detail slot")
    screen.leave_explore()
    assert await screen.enter_explore()
    await exploring_at(app, pilot, screen, first)
    screen.go(second)
    await exploring_at(app, pilot, screen, second)
    assert screen.query_one("#pane-picture").display == (size == BIG)

    # Leaving explore mode for good by going to a non-explore step.
    screen.go(second + 1)
    await lesson_at(app, pilot, screen, second + 1)
