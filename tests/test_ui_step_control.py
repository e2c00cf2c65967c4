"""The lesson screen's step control without Textual (nn_tui/ui/stepping.py): where → and ← go,
the step rendered ahead, and when the step reached is saved."""

from __future__ import annotations

import pytest

from nn_tui.ui.stepping import Route, SaveSchedule, StepControl


class Worker:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def control(total: int = 10, trains_from: int = 5, delay: float = 1.0) -> StepControl:
    """A lesson of ``total`` steps whose steps from ``trains_from`` on train first."""
    return StepControl(total, lambda index: index >= trains_from, delay)


# -- the save schedule ---------------------------------------------------------------------------

def test_the_first_step_since_a_save_sets_the_deadline_later_ones_ride_on_it():
    saves = SaveSchedule(1.5)
    assert not saves.pending
    assert saves.step_reached(now=10.0) == 1.5  # the screen sets a timer for 1.5 s
    assert saves.pending and saves.due == 11.5
    # More steps before the save: no second timer, the deadline stays.
    assert saves.step_reached(now=10.4) is None
    assert saves.step_reached(now=11.2) is None
    assert saves.due == 11.5


def test_after_a_save_the_next_step_starts_a_new_deadline():
    saves = SaveSchedule(1.0)
    saves.step_reached(now=0.0)
    saves.saved()
    assert not saves.pending and saves.due is None
    assert saves.step_reached(now=5.0) == 1.0 and saves.due == 6.0


def test_the_screen_save_delay_reaches_the_schedule():
    assert control(delay=0.02).saves.delay == 0.02


# -- → and ← ---------------------------------------------------------------------------------

def test_next_counts_from_the_step_on_screen_and_ends_the_lesson_on_the_last():
    steps = control(total=4, trains_from=99)
    assert steps.following(0) == 1
    assert not steps.at_end(2) and steps.at_end(3)
    assert not steps.at_end(None)  # nothing shown yet
    assert steps.clamp(-3) == 0 and steps.clamp(12) == 3


def test_next_while_a_step_is_prepared_counts_from_it_and_the_end_waits_for_it():
    steps = control(total=6, trains_from=5)
    assert steps.route(5, shown=4) is Route.PREPARE
    steps.queue.started(5)
    assert steps.busy and steps.following(4) == 6
    assert not steps.at_end(5)  # the last step is being prepared: → does not end yet


def test_previous_without_a_preparation_is_one_step_back():
    steps = control()
    assert steps.back(shown=3, start=0) == 2
    assert steps.back(shown=None, start=4) == 3  # before the first step is shown


def test_previous_abandons_a_preparation_and_goes_back_to_a_step_that_is_ready():
    steps = control(total=10, trains_from=5)
    assert steps.route(7, shown=4) is Route.PREPARE
    steps.queue.started(7)
    worker = steps.queue.worker = Worker()
    # From 7 back one is 6, which trains too: back to the step still on screen instead.
    assert steps.back(shown=4, start=0) == 4
    assert worker.cancelled and not steps.busy


def test_previous_during_the_first_preparation_goes_to_the_last_step_needing_no_training():
    steps = control(total=10, trains_from=5)
    steps.route(8, shown=None)
    steps.queue.started(8)
    assert steps.back(shown=None, start=8) == 4


# -- rendering ahead ---------------------------------------------------------------------------

@pytest.mark.parametrize(("shown", "live", "exploring", "expected"), [
    (2, False, False, 3),  # the next step, while the learner reads this one
    (None, False, False, None),  # nothing on screen yet
    (2, True, False, None),  # a run is live: its panes are drawn instead
    (2, False, True, None),  # explore mode renders its own nudges ahead
    (4, False, False, None),  # the next step trains first: not rendered ahead
    (9, False, False, None),  # the last step: nothing follows
])
def test_the_step_rendered_ahead(shown, live, exploring, expected):
    steps = control(total=10, trains_from=5)
    assert steps.ahead(shown, live=live, exploring=exploring) == expected


def test_nothing_is_rendered_ahead_while_a_step_is_prepared():
    steps = control(total=10, trains_from=5)
    steps.route(5, shown=1)
    steps.queue.started(5)
    assert steps.ahead(1, live=False, exploring=False) is None
