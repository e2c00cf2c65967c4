"""Which panes the lesson screen shows at a step, without Textual (nn_tui/ui/pane_layout.py)."""

from __future__ import annotations

import dataclasses

import pytest
from lesson_files import first_view_of_each_kind

from nn_tui.ui.pane_layout import (
    DETAIL_PANES,
    LAYOUT_STATES,
    PANE_IDS,
    detail_for,
    grid_layout,
    next_detail,
)


@pytest.fixture
def views(psa_hidden):
    """The PSA lesson's first view of each step kind."""
    return first_view_of_each_kind(psa_hidden)


def state(layout) -> str:
    on = [name for name in LAYOUT_STATES if layout.classes[name]]
    assert len(on) <= 1  # one state class at a time
    return on[0] if on else ""


def layout(view, wide=True, explore_state=None, hidden=(), detail="pane-forward",
           loss_beside=False):
    return grid_layout(view, wide=wide, explore_state=explore_state, hidden=set(hidden),
                       detail=detail, loss_beside=loss_beside)


def test_a_large_terminal_shows_every_pane(views):
    shown = layout(views["text"]).shown
    assert shown == set(PANE_IDS)
    assert layout(views["text"], hidden={"pane-network"}).shown == set(PANE_IDS) - {
        "pane-network"}


def test_a_small_terminal_shows_the_lesson_one_detail_pane_and_the_loss(views):
    shown = layout(views["text"], wide=False, detail="pane-gradients").shown
    assert shown == {"pane-lesson", "pane-gradients", "pane-loss"}


def test_a_question_hides_the_loss_pane_unless_it_is_about_the_runs(views):
    check = views["check"]
    assert "pane-loss" not in layout(check).shown
    assert state(layout(check)) == "-check" and not layout(check).classes["-loss-beside"]
    # Wide, before any gradients are shown: the Check box takes the Gradients pane's place and
    # the Loss pane keeps its own.
    up = layout(check, loss_beside=True)
    assert not check.reveal.backward
    assert "pane-loss" in up.shown and "pane-gradients" not in up.shown
    assert up.classes["-check-up"] and not up.classes["-loss-beside"]
    # With gradients on screen the box cannot move up: the Loss pane shares the bottom row.
    backward = dataclasses.replace(check, reveal=dataclasses.replace(check.reveal, backward=1))
    beside = layout(backward, loss_beside=True)
    assert "pane-loss" in beside.shown and "pane-gradients" in beside.shown
    assert beside.classes["-loss-beside"] and not beside.classes["-check-up"]
    # Small: the Loss pane then takes the detail slot, when it is the detail.
    assert "pane-loss" not in layout(check, wide=False, loss_beside=True).shown
    assert "pane-loss" in layout(check, wide=False, loss_beside=True, detail="pane-loss").shown
    # Only at a question: elsewhere loss_beside means nothing.
    assert not layout(views["text"], loss_beside=True).classes["-loss-beside"]


def test_the_state_class_follows_the_step_and_explore_mode(views):
    assert state(layout(views["text"])) == ""
    assert state(layout(views["check"])) == "-check"
    assert state(layout(views["train"])) == "-train"
    race = dataclasses.replace(views["text"], trainings=(object(), object()))
    assert state(layout(race)) == "-race"
    exploring = layout(views["check"], explore_state="-explore-run", loss_beside=True)
    assert state(exploring) == "-explore-run" and not exploring.classes["-loss-beside"]
    # Explore mode: the Slope pane takes the Lesson pane's place; the Loss pane stays.
    assert "pane-lesson" not in exploring.shown and "pane-loss" in exploring.shown
    assert state(layout(None)) == ""


def test_the_output_picture_shows_beside_the_readout_or_as_the_detail(views):
    assert layout(views["text"], explore_state="-explore").picture
    assert not layout(views["text"], wide=False, explore_state="-explore").picture
    assert layout(views["text"], wide=False, explore_state="-explore",
                  detail="pane-picture").picture


def test_the_detail_pane_for_a_step(views):
    assert detail_for(views["backward"], False) == "pane-gradients"
    assert detail_for(views["update"], False) == "pane-weights"
    assert detail_for(views["forward"], False) == "pane-forward"
    assert detail_for(views["check"], True) == "pane-loss"
    first_text = views["text"]  # before any arithmetic: the network
    assert not first_text.reveal.forward and detail_for(first_text, False) == "pane-network"
    revealed = dataclasses.replace(first_text, reveal=dataclasses.replace(
        first_text.reveal, backward=1))
    assert detail_for(revealed, False) == "pane-gradients"


def test_t_cycles_the_detail_panes_and_the_extra_ones_when_they_exist():
    seen = ["pane-forward"]
    for _ in range(len(DETAIL_PANES)):
        seen.append(next_detail(seen[-1], loss_beside=False, picture=False))
    assert seen[:-1] == list(DETAIL_PANES) and seen[-1] == seen[0]
    assert next_detail("pane-network", loss_beside=True, picture=True) == "pane-loss"
    assert next_detail("pane-loss", loss_beside=True, picture=True) == "pane-picture"
    assert next_detail("pane-picture", loss_beside=True, picture=False) == "pane-forward"


def test_the_screen_lays_out_the_panes_in_this_order():
    from nn_tui.ui.screens.lesson import PANES

    assert tuple(pane_id for _class, pane_id in PANES) == PANE_IDS
