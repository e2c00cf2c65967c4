"""Which of the lesson screen's panes a step shows, without Textual.

The lesson screen (nn_tui/ui/screens/lesson.py) asks :func:`grid_layout` which panes to show
and which classes to give the pane grid, and carries the answer out (each pane's ``display``,
the grid's classes); the rows and spans those classes choose are in app.tcss ("lesson
screen"). :func:`detail_for` picks the pane in the detail slot of a small terminal for a step,
:func:`next_detail` the one ``t`` brings.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from nn_tui.lessons.session import StepView

# The panes of the grid, in grid order (the screen pairs each with its widget class).
PANE_IDS = ("pane-lesson", "pane-network", "pane-forward", "pane-weights", "pane-gradients",
            "pane-loss")
# The panes the learner can hide (the palette's "Hide the … pane"): the six, and explore mode's
# output picture. Explore mode's Slope pane holds the task and the value being edited: never.
HIDEABLE_PANE_IDS = (*PANE_IDS, "pane-picture")
# On a small terminal the Lesson pane, one of these (t cycles them) and the Loss pane (or the
# Check box) are stacked full width, so the text and the arithmetic both get whole lines. (At a
# question about the training runs, the Loss pane takes the detail slot; t reaches it too.)
DETAIL_PANES = ("pane-forward", "pane-gradients", "pane-weights", "pane-network")
# The classes of the pane grid that choose its rows (one at a time; app.tcss has the rules).
LAYOUT_STATES = ("-explore", "-explore-run", "-train", "-check", "-race")
DETAIL_FOR_KIND = {"backward": "pane-gradients", "update": "pane-weights", "train": "pane-weights"}


@dataclass(frozen=True)
class GridLayout:
    """What the pane grid shows: the panes (``shown``: their ids), whether explore mode's
    output picture is shown, and the grid's classes (name → set or not)."""

    shown: frozenset[str]
    picture: bool
    classes: dict[str, bool]


def grid_layout(view: StepView | None, *, wide: bool, explore_state: str | None,
                hidden: Collection[str], detail: str, loss_beside: bool,
                gradient_room: bool = False) -> GridLayout:
    """The layout for ``view`` (None before the first step is shown).

    ``wide``: the terminal shows every pane at once (from 120×36); ``explore_state``: explore
    mode's grid class when it is on (``ExploreControl.layout_state``), else None; ``hidden``:
    the panes the learner hid; ``detail``: the pane in the detail slot of a small terminal;
    ``loss_beside``: the step is a question about the training runs, or comes after one, and
    the Loss pane is not hidden (it stays beside the Check box, or takes the detail slot on a
    small terminal); ``gradient_room``: the step's gradients need more rows than usual
    (``GradientsPane.needs_room``; wide terminals only).
    """
    exploring = explore_state is not None
    kind = view.step.kind if view is not None else None
    is_check = kind == "check" and not exploring
    # Any other question hides the Loss pane: the Check box takes its place.
    loss_beside = is_check and loss_beside
    # Wide, with no gradients to show yet: the Check box takes the Gradients pane's place and
    # the Loss pane keeps its row, its size and its plot (nothing of it is redrawn).
    check_up = bool(loss_beside and wide and view is not None and not view.reveal.backward)
    shown = set()
    for pane_id in PANE_IDS:
        visible = pane_id not in hidden
        if pane_id in DETAIL_PANES and not wide:
            visible = visible and pane_id == detail
        if pane_id == "pane-loss" and is_check:
            visible = loss_beside and (wide or detail == pane_id)
        if pane_id == "pane-lesson":
            visible = visible and not exploring  # the Slope pane is in its place
        if pane_id == "pane-gradients" and check_up:
            visible = False
        if visible:
            shown.add(pane_id)
    # One state class for the rows (they differ by what the bottom row must hold).
    if exploring:
        state = explore_state
    elif kind == "train":
        state = "-train"
    elif is_check:
        state = "-check"
    elif view is not None and len(view.trainings) > 1:
        state = "-race"
    else:
        state = ""
    classes = {name: name == state for name in LAYOUT_STATES}
    classes["-loss-beside"] = loss_beside and not check_up
    classes["-check-up"] = check_up
    # The rows a question after a run needs for the Loss pane's plot where the box cannot move
    # up (gradients on screen), or (small terminals) in the slot t gave it.
    classes["-loss-plot"] = bool(loss_beside and view is not None and view.trainings
                                 and not check_up and (wide or detail == "pane-loss"))
    classes["-gradient-room"] = bool(gradient_room and wide and not exploring)
    # Explore mode's output picture: beside the readout on a large terminal (the other panes
    # move one place along), one of the panes t shows under it on a small one.
    # (Hidden from the palette, it stays hidden, as the other panes do.)
    picture = "pane-picture" not in hidden and (wide or detail == "pane-picture")
    return GridLayout(frozenset(shown), picture, classes)


def detail_for(view: StepView, loss_beside: bool, about_runs: bool = True) -> str:
    """The pane in the detail slot when ``view`` is shown (``loss_beside``: as for
    ``grid_layout``; ``about_runs``: the question asks about the training runs): what the step
    is about, the latest revealed arithmetic at a text step or a question, or before any, the
    network with its inputs and weights (what a question's pencil work starts from)."""
    kind = view.step.kind
    if kind == "check" and loss_beside and about_runs:
        return "pane-loss"  # (after a run, t reaches it: the question may need others)
    if kind in ("text", "check"):
        if view.reveal.backward:
            return "pane-gradients"
        if not view.reveal.forward and not view.trainings:
            return "pane-network"
    return DETAIL_FOR_KIND.get(kind, "pane-forward")


def next_detail(detail: str, loss_beside: bool, picture: bool) -> str:
    """The pane ``t`` puts in the detail slot after ``detail``: the DETAIL_PANES in turn, and
    the Loss pane at a question about the runs (``loss_beside``) and the output picture in
    explore mode (``picture``)."""
    choices = DETAIL_PANES
    if loss_beside:
        choices += ("pane-loss",)
    if picture:
        choices += ("pane-picture",)
    position = choices.index(detail) if detail in choices else -1
    return choices[(position + 1) % len(choices)]
