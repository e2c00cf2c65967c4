"""Every "Hide the … pane" the command palette offers hides that pane, in explore mode too.

Explore mode's output picture was offered ("Hide the Output picture pane") and stayed on screen
(the layout showed it whatever the learner hid); the Slope pane, which holds the task and the
number being edited, was offered too. Now the palette offers the panes the layout can hide
(``pane_layout.HIDEABLE_PANE_IDS``) and each one offered goes when chosen, and comes back.

One app does it at 120×40, then resized to 80×24 (a second app cost more than the checks);
at 80×24 it runs the command the palette offers as the palette runs it, without opening the
palette again (a round trip ~0.1 s CPU; what is offered is read at both sizes).
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
from nn_tui.ui.commands import LessonCommands
from nn_tui.ui.pane_layout import HIDEABLE_PANE_IDS

SLOPES = bundled_lessons_dir() / "slopes.toml"
EXPLORE_STEP = 5  # slopes.toml: an explore step (explore mode opens on it)
SIZES = ((120, 40), (80, 24))


async def palette(app, pilot, words: str, size: tuple[int, int]) -> None:
    """Choose the command titled ``words`` in the palette (at the first size), or run what the
    palette runs for it (at the second)."""
    if size == SIZES[0]:
        await run_palette_command(app, pilot, words)
        await settle(app, pilot)
    else:
        await run_offered_command(app, pilot, words)


def offered(screen) -> dict[str, str]:
    """The palette's "Hide/Show the … pane" commands on ``screen``: title → help."""
    return {title: help_text for title, help_text, _ in LessonCommands(screen).commands()
            if title.startswith(("Hide the ", "Show the ")) and title.endswith(" pane")}


# Nothing reads the next step or the nudges rendered ahead here.
@pytest.mark.usefixtures("nothing_rendered_ahead")
async def test_every_pane_the_palette_offers_in_explore_mode_can_be_hidden():
    app = make_app(SLOPES)
    async with app.run_test(size=SIZES[0]) as pilot:
        screen = await open_at(app, pilot, EXPLORE_STEP)
        await wait_until(pilot, lambda: screen.query("#pane-picture"), "explore mode opens")
        await settle(app, pilot)
        await at_each_size(app, pilot, SIZES,
                           lambda size: hide_and_show_the_picture(app, pilot, screen, size))


async def hide_and_show_the_picture(app, pilot, screen, size: tuple[int, int]) -> None:
    """In explore mode at ``size``: the palette offers to hide the output picture (not the
    Slope pane); chosen, it goes (and t does not bring it back on a small terminal); "Show"
    brings it back."""
    picture = screen.query_one("#pane-picture")
    for _ in range(len(HIDEABLE_PANE_IDS)):  # 80×24: t brings the picture up
        if picture.display:
            break
        await pilot.press("t")
        await settle(app, pilot)
    assert picture.display
    titles = offered(screen)
    slope = screen.query_one("#pane-slope")
    assert f"Hide the {slope.border_title} pane" not in titles  # the task and the value
    hide = f"Hide the {picture.border_title} pane"
    assert hide in titles, sorted(titles)
    await palette(app, pilot, hide, size)
    assert not picture.display and "pane-picture" in screen.hidden_panes
    # Hidden, t no longer brings it up on a small terminal.
    for _ in range(len(HIDEABLE_PANE_IDS)):
        await pilot.press("t")
        await settle(app, pilot)
        assert not picture.display
    await palette(app, pilot, f"Show the {picture.border_title} pane", size)
    assert "pane-picture" not in screen.hidden_panes
    if size == (120, 40):
        assert picture.display  # beside the readout again
