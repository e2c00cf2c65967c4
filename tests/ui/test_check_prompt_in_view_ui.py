"""At 80×24 a check's prompt stays in view while its hints open (issue 14, read-through v2):
the hints scroll in the Check box's feedback area, under the prompt and the answer box. Every
check with hints of every bundled lesson, every hint opened; at 120×40 too.

The walk is tests/ui/test_layout_fit_v2.py's (``test_every_step_at_both_sizes``, one test per
lesson): one app goes to every step of the lesson at 80×24, then, resized to 120×40 (and laid
out again at that size), again; at each check with hints and a prompt, once the step's layout is
recorded, it asks for every hint and applies :func:`hints_leave_the_prompt_in_view`; every
failure is collected and named by lesson, step and size. Going back to a check starts a new
attempt (no hint shown), so every hint is opened again at the second size. The prompt is read
where the terminal shows it: the prompt's own lines, those of its rows inside the part of the
screen it is drawn in (the Check box scrolls it when it is taller than the box) and not covered
by another widget. A check's hints are asked for as one burst of h (a paint for the lot, not one
per key). (This walk once had its own app per lesson, going from check to check without
rendering the next step's panes ahead; the layout walk steps to every step anyway, and the
rendering ahead only fills the panes' cache for the step it goes to next.)"""

from __future__ import annotations

import re

from textual import events
from textual.geometry import Region
from ui_helpers import settle, wait_until

from nn_tui.lessons.model import StepKind
from nn_tui.ui.widgets.check import CheckArea

# Seconds a feedback area may take to follow its newest hint (a paint or two; generous for a
# loaded machine, short enough that a product that never follows fails in minutes, not hours).
FOLLOW_TIMEOUT = 3.0


def flowing(text: str) -> str:
    """The text's words in one line, frames and scrollbars left out (a wrapped line reads
    on)."""
    return " ".join(re.sub(r"[│╭╮╰╯─▁▂▃▄▅▆▇█▊]", " ", text).split())


def first_words(prompt: str) -> str:
    """The prompt's first words (they are on its first line at any width the box has)."""
    return " ".join(prompt.split()[:4])


def lines_in_view(app, widget) -> list[str]:
    """The rows of ``widget`` the terminal shows, as drawn: none unless its screen is the one
    shown; a row counts when it lies inside the widget's visible region (its containers clip
    what they scroll out of view) and every cell of it there is the widget's (no other widget,
    a notice say, drawn over it)."""
    screen = widget.screen
    if app.screen is not screen or not widget.display:
        return []
    geometry = screen.find_widget(widget)
    region, visible = geometry.region, geometry.visible_region
    strips = widget.render_lines(Region(0, 0, region.width, region.height))
    shown = []
    for row, strip in enumerate(strips):
        y = region.y + row
        if not visible.y <= y < visible.bottom:
            continue
        cells = range(max(region.x, visible.x), min(region.right, visible.right))
        if cells and all(screen.get_widget_at(x, y)[0] is widget for x in cells):
            start = cells.start - region.x
            shown.append(strip.crop(start, start + len(cells)).text)
    return shown


def press_hints(app, count: int) -> None:
    """``count`` presses of h, reaching the app as one burst (each handled in turn before the
    screen is painted again: one paint for the lot, as for a quick learner)."""
    for _ in range(count):
        app.post_message(events.Key("h", "h"))


def walks_hints(step) -> bool:
    """Whether the walk opens the hints of ``step``: a check with hints and a prompt."""
    return step.kind == StepKind.CHECK and bool(step.hints) and bool(step.prompt)


async def hints_leave_the_prompt_in_view(app, pilot, screen, step) -> list[str]:
    """At the check on screen (a fresh attempt, its layout already recorded by the walk):
    every hint asked for in one burst; what is wrong then, without the case's name (the walk
    puts lesson, step and size in front)."""
    failures = []
    press_hints(app, len(step.hints))
    await settle(app, pilot)
    check = screen.query_one(CheckArea)
    box = check.query_one("#check-feedback-box")
    # The feedback area follows the newest hint after the paint that lays it out.
    try:
        await wait_until(pilot, lambda: box.scroll_y == box.max_scroll_y,
                         "the feedback area follows", timeout=FOLLOW_TIMEOUT)
    except AssertionError:
        pass  # reported below
    feedback = check.query_one("#check-feedback").render().plain
    prompt = flowing(" ".join(lines_in_view(app, check.query_one("#check-prompt"))))
    if f"Hint {len(step.hints)}/{len(step.hints)}" not in feedback:
        failures.append(f"not every hint opened:\n{feedback}")
    if first_words(step.prompt) not in prompt:
        failures.append(f"the prompt is out of view (shown of it: {prompt!r})")
    # The feedback area followed the last hint (its end is at the bottom of the area; a box
    # with little room beside a long prompt scrolls it with ↑/↓).
    if not (box.size.height >= 1 and box.scroll_y == box.max_scroll_y):
        failures.append(f"the feedback area is {box.size.height} rows, "
                        f"scrolled to {box.scroll_y} of {box.max_scroll_y}")
    return failures


def test_the_prompt_is_read_as_the_terminal_shows_it():
    """The prompt's words read on across wrapped lines, frames and scrollbars left out."""
    assert flowing("│ What is ŷ for ▊\n│ the input x?  │") == "What is ŷ for the input x?"
    assert first_words("What is  the\nloss L here, roughly?") == "What is the loss"
