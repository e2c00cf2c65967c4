"""Explore mode's control without Textual (nn_tui/ui/exploring.py): its state, the operations
the lesson screen's keys run, and what it decides for the screen."""

from __future__ import annotations

import pytest

from nn_tui.lessons.edits import EditError
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.lessons.training import TrainingOutcome
from nn_tui.ui.exploring import (
    EXPLORE_ACTIONS,
    EXPLORE_EDIT_ACTIONS,
    ExploreControl,
    refusal,
    step_editable,
)
from tests.conftest import LESSONS


class Record:
    def __init__(self) -> None:
        self.correct = False
        self.skipped = True
        self.attempts = 0


class Store:
    """The part of ``ProgressStore`` explore mode uses: a record per step, and saves."""

    def __init__(self) -> None:
        self.records: dict[int, Record] = {}
        self.saves = 0

    def get(self, lesson_id: str):
        return self

    def check(self, index: int) -> Record:
        return self.records.setdefault(index, Record())

    def save(self) -> None:
        self.saves += 1


def never() -> bool:
    raise AssertionError("asked whether a run goes on where it cannot matter")


@pytest.fixture
def slopes():
    """The slopes lesson and the index of its first explore step (goal: x nudged to 1.1)."""
    lesson = load_lesson(LESSONS / "slopes.toml")
    session = LessonSession(lesson)
    index = next(i for i, step in enumerate(lesson.steps) if step.kind == "explore")
    return lesson, session, index


def test_off_until_entered_and_leave_gives_back_what_was_saved(psa_hidden):
    view = LessonSession(psa_hidden).view(2)
    control = ExploreControl()
    assert not control.active and control.session is None
    control.enter(view, None, saved="the screen as it was")
    assert control.active and control.session.view is view
    assert control.layout_state == "-explore"
    control.edit(lambda session: session.nudge(1))
    control.hint()
    assert control.leave() == "the screen as it was"
    assert not control.active and control.hints == 0 and control.trainings == ()
    assert control.leave() is None  # already off


def test_a_step_with_nothing_to_explore_leaves_it_off(psa_hidden):
    view = LessonSession(psa_hidden).view(0)
    control = ExploreControl()
    with pytest.raises(ValueError):
        control.enter(view, [], saved=None)  # no number the cursor may reach
    assert not control.active


def test_an_edit_the_session_refuses_changes_nothing(psa_hidden):
    control = ExploreControl()
    control.enter(LessonSession(psa_hidden).view(2), None, saved=None)
    with pytest.raises(EditError):
        control.edit(lambda session: session.set_text("not a number"))
    assert not control.session.edited


def test_the_explore_keys_are_on_only_while_exploring_and_edits_wait_for_a_run(psa_hidden):
    control = ExploreControl()
    for action in EXPLORE_ACTIONS:
        assert control.allows(action, never, entering=False) is False
    # The lesson's keys are not explore mode's to decide while it is off.
    assert control.allows("next", never, entering=False) is None
    control.enter(LessonSession(psa_hidden).view(2), None, saved=None)
    for action in EXPLORE_ACTIONS:
        assert control.allows(action, lambda: False, entering=False) is True
        assert control.allows(action, never, entering=True) is False  # typing a value
    # While the run from the edited network goes on, its numbers are on screen: no edits,
    # but Escape and 0 still stop it.
    for action in EXPLORE_ACTIONS:
        expected = action not in EXPLORE_EDIT_ACTIONS
        assert control.allows(action, lambda: True, entering=False) is expected
    for action in ("next", "previous", "first", "last", "reveal", "choose", "back"):
        assert control.allows(action, never, entering=False) is False
    assert control.allows("train", never, entering=False) is True
    assert control.allows("train", never, entering=True) is False
    assert control.allows("hint", never, entering=False) is False  # not an explore step
    assert control.allows("switch_detail", never, entering=False) is None


def test_why_explore_mode_cannot_open():
    assert refusal(busy=False, training=False, unanswered=False) is None
    assert "being prepared" in refusal(busy=True, training=True, unanswered=True)
    assert "training" in refusal(busy=False, training=True, unanswered=True)
    assert "answered" in refusal(busy=False, training=False, unanswered=True)


def test_an_explore_step_opens_on_its_own_numbers_and_hints_one_at_a_time(slopes):
    lesson, session, index = slopes
    view = session.view(index)
    editable = step_editable(view)
    assert [target.path for target in editable] == list(lesson.steps[index].editable)
    assert step_editable(session.view(0)) is None  # every number, at other steps
    control = ExploreControl()
    control.enter(view, editable, saved=None)
    hints = len(view.step.hints)
    for shown in range(hints):
        assert control.allows("hint", never, entering=False) is True
        assert control.goal_text()[4] == tuple(view.step.hints[:shown])
        control.hint()
    assert control.allows("hint", never, entering=False) is False


def test_reaching_an_explore_steps_goal_counts_once_as_a_right_answer(slopes):
    lesson, session, index = slopes
    view = session.view(index)
    control = ExploreControl()
    control.enter(view, step_editable(view), saved=None)
    store = Store()
    assert control.goal_reached() is False
    assert not control.record_goal(store, lesson.id) and store.saves == 0
    task, goal, reached, explanation, _hints = control.goal_text()
    assert not reached and explanation == ""
    control.edit(lambda session: session.set_text("1.1"))  # the goal: x nudged to 1.1
    assert control.goal_reached() is True
    assert control.record_goal(store, lesson.id)
    record = store.check(index)
    assert record.correct and not record.skipped and record.attempts == 1 and store.saves == 1
    assert not control.record_goal(store, lesson.id) and store.saves == 1  # once only
    assert control.goal_text()[2] is True and control.goal_text()[3]
    assert ExploreControl().goal_reached() is None  # not exploring


def test_the_goal_is_computed_once_per_edited_trace(slopes, monkeypatch):
    _lesson, session, index = slopes
    control = ExploreControl()
    control.enter(session.view(index), None, saved=None)
    import nn_tui.lessons.explore_goal as explore_goal

    calls = []
    goal_met = explore_goal.goal_met
    monkeypatch.setattr(explore_goal, "goal_met",
                        lambda *args: calls.append(1) or goal_met(*args))
    control.goal_reached()
    control.goal_reached()
    assert len(calls) == 1
    control.edit(lambda session: session.nudge(1))
    control.goal_reached()
    assert len(calls) == 2


def test_goal_text_is_none_away_from_an_explore_step(psa_hidden):
    control = ExploreControl()
    control.enter(LessonSession(psa_hidden).view(2), None, saved=None)
    assert control.goal_text() is None and control.goal_reached() is None


def test_the_nudge_previews_leave_the_edits_as_they_were(psa_hidden):
    control = ExploreControl()
    control.enter(LessonSession(psa_hidden).view(2), None, saved=None)
    control.edit(lambda session: session.nudge(1))
    session = control.session
    before = (dict(session.edits), session.last, session.trace)
    seen = []
    for direction in control.nudge_previews():
        seen.append((direction, session.value()))
        assert session.trace is not before[2]  # the nudge is in force while rendered
    assert [direction for direction, _value in seen] == [1, -1]
    assert (dict(session.edits), session.last, session.trace) == before
    # Stopped half-way (an error while rendering): the edits still come back.
    previews = control.nudge_previews()
    next(previews)
    previews.close()
    assert (dict(session.edits), session.last) == before[:2]


def test_a_run_from_the_edited_network_and_its_outcomes(psa_hidden):
    lesson = psa_hidden
    steps = LessonSession(lesson)
    view = steps.view(2)
    control = ExploreControl()
    control.enter(view, None, saved=None)
    control.edit(lambda session: session.nudge(1))
    jobs, X, Y, (x, y, rows) = control.training_job(lesson, view, steps.X, steps.Y)
    (job,) = jobs
    assert job.variant_id == "explore" and job.epochs == lesson.training.epochs
    assert job.network is not view.network  # the edited copy, never the step's own
    control.run_started(7)
    assert control.layout_state == "-explore-run"
    assert control.is_training(runner_active=True, runner_run=7)
    assert not control.is_training(runner_active=True, runner_run=8)  # another run
    assert not control.is_training(runner_active=False, runner_run=7)
    # The run ends: its network becomes the edited numbers, its outcome stays until an edit.
    trainer = job.trainer(X, Y)
    history = trainer.run(3)
    outcome = TrainingOutcome("explore", job.label, tuple(history), 3, 3, None,
                              trainer.network)
    control.run_finished((outcome,))
    assert control.run is None and control.trainings == (outcome,)
    assert control.view().trainings == (outcome,)
    assert control.layout_state == "-explore-run"
    assert control.session.edited  # the trained weights, as edits against the step's
    assert control.edit(lambda session: session.move(1)) is True  # the run's curve goes
    assert control.trainings == () and control.layout_state == "-explore"
    assert control.edit(lambda session: session.move(1)) is False


def test_reset_drops_the_edits_and_the_run(psa_hidden):
    control = ExploreControl()
    view = LessonSession(psa_hidden).view(2)
    control.enter(view, None, saved=None)
    control.edit(lambda session: session.nudge(1))
    control.run_started(3)
    control.reset()
    assert control.run is None and control.trainings == ()
    assert not control.session.edited and control.session.trace is view.trace


def test_the_live_view_of_a_run_shows_the_forward_pass_and_the_loss(psa_hidden):
    steps = LessonSession(psa_hidden)
    control = ExploreControl()
    view = steps.view(2)
    control.enter(view, None, saved=None)
    jobs, X, Y, _shown = control.training_job(psa_hidden, view, steps.X, steps.Y)
    trainer = jobs[0].trainer(X, Y)
    history = trainer.run(2)
    outcome = TrainingOutcome("explore", "run", tuple(history), 5, 2, None, trainer.network)
    trace = control.session.trace
    live = control.live_view((outcome,), trace)
    assert live.trainings == (outcome,) and live.network is trainer.network
    assert live.reveal.forward == len(trace.layers) and live.reveal.loss
    assert not live.reveal.backward
