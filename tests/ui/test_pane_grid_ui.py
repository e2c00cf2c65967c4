"""On a large terminal (120×40) a pane hidden from the command palette gives its room to its
neighbours: the panes left cover the pane grid with no gap and no overlap, and the Loss pane
keeps its full width and its plot.

Textual's grid places the panes in DOM order, each at the first free cell where its span fits:
hiding one used to shift every later pane one cell along, leave the bottom row (10 lines)
empty and put the Loss pane in a half-width middle cell without its plot.
"""

from __future__ import annotations

import pytest
from lesson_files import lesson_with
from textual.geometry import Region
from ui_helpers import (
    Cases,
    make_app,
    nothing_rendered_ahead,  # noqa: F401  (a fixture)
    open_at,
    redraw_loss,
    resize_to,
    run_palette_command,
    settle,
    wait_until,
)

from nn_tui.lessons.catalog import bundled_lessons_dir

BIG = (120, 40)
SMALL = (80, 24)
FRUIT = bundled_lessons_dir() / "fruit.toml"
SLOPES = bundled_lessons_dir() / "slopes.toml"
FRUIT_QUESTION = 2  # → → from the start: a question (the Check box has the bottom row)
TINY_TRAIN = 4  # tests/fixtures/tiny-checks.toml: its train step
SLOPES_EXPLORE = 5  # slopes.toml: an explore step (explore mode opens on it)
# The walks read the layout, not the next step nor the nudges rendered ahead.
pytestmark = pytest.mark.usefixtures("nothing_rendered_ahead")

SIX = ("pane-lesson", "pane-network", "pane-forward", "pane-weights", "pane-gradients",
       "pane-loss")


async def toggle(app, pilot, pane_id: str, palette: bool = True) -> None:
    """Hide (or show) ``pane_id`` from the palette, as a learner does (``palette=False``: by
    the command the palette runs, for the walks whose subject is the layout, not the palette:
    each palette command costs ~0.1 s of CPU)."""
    screen = app.screen
    pane = screen.query_one(f"#{pane_id}")
    verb = "Show" if pane_id in screen.hidden_panes else "Hide"
    if palette:
        await run_palette_command(app, pilot, f"{verb} the {pane.border_title} pane")
    else:
        screen.toggle_pane(pane_id)
    await settle(app, pilot)
    assert (pane_id in screen.hidden_panes) == (verb == "Hide"), f"{verb} {pane_id}"


async def show_all(app, pilot) -> None:
    """Show every pane hidden (a case that failed half-way may have left some)."""
    for pane_id in sorted(app.screen.hidden_panes):
        await toggle(app, pilot, pane_id, palette=False)


def gaps(screen, case: str) -> list[str]:
    """What is wrong with the pane grid's tiling: an empty cell of the grid (a part of #panes
    no child shown covers), two children over one place, a child with no room."""
    grid = screen.query_one("#panes")
    area = grid.region
    shown = [child for child in grid.children if child.display]
    problems = []
    for child in shown:
        if not child.region.area:
            problems.append(f"{child.id} has no room")
    covered = sum(child.region.intersection(area).area for child in shown)
    union = Region.from_union([child.region for child in shown]) if shown else Region()
    if union != area or covered != area.area:
        where = {child.id: tuple(child.region) for child in shown}
        problems.append(f"{case}: the children shown cover {covered} of {area.area} cells "
                        f"of #panes {tuple(area)} (union {tuple(union)}): {where}")
    return problems


async def check_tiled(app, pilot, case: str) -> None:
    """Assert that the pane grid is tiled, once the layout has had time to follow."""
    screen = app.screen
    try:
        await wait_until(pilot, lambda: not gaps(screen, case), "the grid is tiled", timeout=2)
    except AssertionError:
        pass  # said below, with what is wrong
    problems = gaps(screen, case)
    assert not problems, "\n".join(problems)


FRUIT_HIDDEN = ([(pane_id,) for pane_id in SIX]
                + [("pane-weights", "pane-gradients"), ("pane-lesson", "pane-network"),
                   ("pane-network", "pane-loss")])
TRAIN_HIDDEN = ([(pane_id,) for pane_id in SIX if pane_id != "pane-loss"]
                + [("pane-weights", "pane-gradients")])


async def test_hiding_panes_on_fruit_leaves_no_gap():
    """Each pane, and three pairs, hidden at a question and through the lesson's other steps
    (a backward step gives the gradients more rows), then shown again; then the Weights pane
    hidden at 80×24 (``small_terminal_stacks_the_panes_full_width``): one app, each case
    named in the failure."""
    cases = Cases()
    app = make_app(FRUIT)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_at(app, pilot, FRUIT_QUESTION)
        with cases("fruit, none hidden"):
            await check_tiled(app, pilot, "fruit, none hidden")
        check = screen.query_one("#check")
        where = check.region
        for number, hidden in enumerate(FRUIT_HIDDEN):
            case = f"fruit question, hidden {hidden}"
            palette = number == 0  # the palette once; the layout is the subject
            with cases(case):
                await show_all(app, pilot)
                screen.go(FRUIT_QUESTION)
                await settle(app, pilot)
                for pane_id in hidden:
                    await toggle(app, pilot, pane_id, palette)
                await check_tiled(app, pilot, case)
                if "pane-loss" not in hidden:
                    # The Check box keeps the bottom row, where the learner types.
                    assert (check.region.y, check.region.height) == (where.y, where.height), (
                        f"the Check box moved from {tuple(where)} to {tuple(check.region)}")
                for index in (0, 6, 9):
                    screen.go(index)
                    await settle(app, pilot)
                    await check_tiled(app, pilot, f"fruit step {index + 1}, hidden {hidden}")
                for pane_id in hidden:
                    await toggle(app, pilot, pane_id, palette)
                await check_tiled(app, pilot, f"fruit step 10, {hidden} shown again")
        with cases("80×24, Weights hidden, grown and shrunk again"):
            await show_all(app, pilot)
            await small_terminal_stacks_the_panes_full_width(app, pilot, screen)
    cases.check()


async def small_terminal_stacks_the_panes_full_width(app, pilot, screen) -> None:
    """80×24 has one column (the spans are for the large grid only), and a pane hidden there
    leaves no gap when the terminal grows, nor a span behind when it shrinks again. (In the
    fruit walk's app, resized: a new app at 80×24 cost more than these checks.)"""
    await resize_to(app, pilot, SMALL)
    screen.go(FRUIT_QUESTION)
    await settle(app, pilot)
    await toggle(app, pilot, "pane-weights", palette=False)
    grid = screen.query_one("#panes")

    def stacked(case: str) -> None:
        shown = [child for child in grid.children if child.display]
        assert "pane-weights" not in [child.id for child in shown] and len(shown) == 3, case
        for child in shown:
            assert child.region.width == grid.region.width, f"{case}: {child.id}"

    stacked("80×24, Weights hidden")
    await check_tiled(app, pilot, "80×24, Weights hidden")
    await resize_to(app, pilot, BIG)
    await check_tiled(app, pilot, "grown to 120×40, Weights hidden")
    assert screen.query_one("#pane-gradients").region.width == grid.region.width
    await resize_to(app, pilot, SMALL)
    stacked("back to 80×24")
    await check_tiled(app, pilot, "back to 80×24, Weights hidden")


async def test_the_loss_pane_keeps_its_width_and_plot_at_a_train_step(tmp_path):
    """At a train step, with each detail pane (and a pair) hidden: the grid stays tiled and the
    Loss pane keeps the full width and its plot, before and after a run (one app: the first
    case trains, the later ones find the run's plot already drawn)."""
    cases = Cases()
    app = make_app(lesson_with(tmp_path, "tiny-checks"))
    async with app.run_test(size=BIG) as pilot:
        screen = await open_at(app, pilot, TINY_TRAIN)
        for number, hidden in enumerate(TRAIN_HIDDEN):
            case = f"tiny-checks train step, hidden {hidden}"
            with cases(case):
                await show_all(app, pilot)
                for pane_id in hidden:
                    await toggle(app, pilot, pane_id, palette=number == 0)
                await check_tiled(app, pilot, case)
                if number == 0:
                    await pilot.press("space")
                    await app.workers.wait_for_complete()
                await redraw_loss(app, pilot)
                await check_tiled(app, pilot, f"{case}, trained")
                loss = screen.query_one("#pane-loss")
                assert loss.region.width == screen.query_one("#panes").region.width, (
                    f"the Loss pane is {loss.region.width} wide")
                assert loss.plot is not None and loss.plot.display, "no #loss-plot"
    cases.check()


async def test_hiding_panes_in_explore_mode_leaves_no_gap():
    app = make_app(SLOPES)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_at(app, pilot, SLOPES_EXPLORE)
        await wait_until(pilot, lambda: screen.query("#pane-picture"), "explore mode opens")
        await settle(app, pilot)
        await check_tiled(app, pilot, "explore, none hidden")
        # The palette once (the picture, explore mode's own pane); the layout is the subject.
        for number, pane_id in enumerate(("pane-picture", "pane-network", "pane-loss")):
            await toggle(app, pilot, pane_id, palette=number == 0)
            await check_tiled(app, pilot, f"explore, {pane_id} hidden too")
        for pane_id in ("pane-picture", "pane-network", "pane-loss"):
            await toggle(app, pilot, pane_id, palette=False)
        await check_tiled(app, pilot, "explore, shown again")
