"""The lesson screen's step control without Textual (nn_tui/ui/stepping.py)."""

from __future__ import annotations

from nn_tui.ui.stepping import Route, StepQueue


class Worker:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def trains_from(first: int):
    return lambda index: index >= first


def test_a_step_that_needs_no_training_is_shown_and_the_one_on_screen_kept():
    queue = StepQueue()
    assert queue.route(2, shown=1, needs_training=trains_from(5)) is Route.SHOW
    assert queue.route(1, shown=1, needs_training=trains_from(5)) is Route.SAME
    assert not queue.busy and queue.target(1) == 1


def test_steps_past_a_preparation_wait_for_it_and_follow_once_ready():
    queue = StepQueue()
    assert queue.route(5, shown=4, needs_training=trains_from(5)) is Route.PREPARE
    run = queue.started(5)
    queue.worker = Worker()
    assert queue.route(7, shown=4, needs_training=trains_from(5)) is Route.WAIT
    assert queue.target(4) == 7  # → again counts from the step asked for
    assert queue.route(5, shown=4, needs_training=trains_from(5)) is Route.WAIT
    assert queue.wanted is None  # back to the one being prepared: nothing further wanted
    queue.route(6, shown=4, needs_training=trains_from(5))
    assert queue.ready(run) == (True, 6)
    assert not queue.busy and queue.worker is None


def test_going_elsewhere_abandons_the_preparation_and_ignores_its_late_message():
    queue = StepQueue()
    run = queue.started(5)
    worker = queue.worker = Worker()
    assert queue.route(2, shown=4, needs_training=trains_from(5)) is Route.SHOW
    assert worker.cancelled and not queue.busy
    assert queue.ready(run) == (False, None)
    again = queue.started(6)
    assert queue.ready(run) == (False, None) and queue.busy  # the stale run is ignored
    assert queue.ready(again) == (True, None)


def test_a_ready_preparation_that_was_the_wanted_step_goes_nowhere_further():
    queue = StepQueue()
    run = queue.started(5)
    queue.route(5, shown=None, needs_training=trains_from(5))
    assert queue.ready(run) == (True, None)


def test_the_status_names_the_step_and_the_run_in_progress():
    from types import SimpleNamespace

    from nn_tui.lessons.catalog import bundled_lessons_dir
    from nn_tui.lessons.loader import load_lesson
    from nn_tui.lessons.session import LessonSession
    from nn_tui.ui.stepping import status_text

    view = LessonSession(load_lesson(bundled_lessons_dir() / "xor.toml")).view(0)
    assert status_text(view).plain == f"{view.position} · {view.state_label}"

    def run(epochs, diverged=False):
        return SimpleNamespace(epochs_run=epochs, epochs_planned=1000, diverged=diverged)

    live = [run(400), run(250, diverged=True)]
    assert status_text(view, live).plain == (f"{view.position} · epoch 400 of 1000 · "
                                            "1 diverged · training")
    assert status_text(view, live[:1], paused=True).plain.endswith("epoch 400 of 1000 · paused")
    assert status_text(view, live[:1], finished=True, paused=True).plain.endswith(
        "· finished (→ next)")
