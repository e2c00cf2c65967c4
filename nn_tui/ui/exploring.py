"""Explore mode's control, without Textual: what the lesson screen's explore mode holds and does.

:class:`ExploreControl` is owned by the lesson screen (nn_tui/ui/screens/lesson.py). It keeps the
state (the ``ExploreSession`` of edits, the run from the edited network, its finished outcomes,
the hints shown, what to put back on leaving) and carries out the operations (enter, edit,
reset, train, leave), and it decides what the screen asks it: whether an action is enabled, why
explore mode cannot open, whether the step's goal is reached. The screen renders what it holds
(nn_tui/ui/screens/explore_mode.py) and wires the keys, the timers and the training worker to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from nn_tui.format.goal_text import goal_words
from nn_tui.lessons.edits import EditError, EditTarget
from nn_tui.lessons.explore import ExploreSession, ExploreView
from nn_tui.lessons.session import Reveal, StepView, TrainingJob
from nn_tui.ui.literal import clean

# The actions of explore mode's keys (enabled only while exploring), and those that change the
# edits (they wait while a run from the edited network goes on: its numbers are on screen).
EXPLORE_ACTIONS = ("explore_move", "nudge", "step_size", "type_value", "explore_reset",
                   "leave_explore", "write_lesson")
EXPLORE_EDIT_ACTIONS = ("explore_move", "nudge", "step_size", "type_value", "write_lesson")
# The lesson's own keys that are off while exploring (the lesson is held where it was).
LESSON_ONLY_ACTIONS = ("next", "previous", "first", "last", "reveal", "choose", "back")


def step_editable(view: StepView) -> list[EditTarget] | None:
    """The numbers an explore step lets the learner change (None: every number, as at every
    other kind of step)."""
    if view.step.kind != "explore":
        return None
    from nn_tui.lessons.explore_goal import step_targets

    try:
        return step_targets(view.step, view.network, view.trace.x, view.trace.y)
    except EditError:
        return None  # (nn-tui check refuses such a lesson)


def refusal(busy: bool, training: bool, unanswered: bool) -> str | None:
    """Why explore mode cannot open now (None: it can): while a step is being prepared
    (``busy``), while the lesson's own run trains, and at a question not yet answered (explore
    mode shows the whole computation, the number asked for too)."""
    if busy:
        return "This step is still being prepared: explore it once it is on screen."
    if training:
        return ("The network is training: let the run finish (or step away) before exploring; "
                "space pauses it.")
    if unanswered:
        return ("Explore opens once this question is answered (or its answer revealed): it "
                "shows every number, the one asked for too.")
    return None


class ExploreControl:
    """Explore mode's state and operations (``active`` while exploring).

    - ``session``: the edits (``ExploreSession``), None when not exploring;
    - ``run``: the number of the run from the edited network going on (None: none);
    - ``trainings``: the finished run's outcomes, shown until the next edit (its curve belongs
      to the network it trained);
    - ``hints``: how many of an explore step's hints are shown;
    - ``saved``: what the screen puts back on leaving (the screen's own record, kept here).
    """

    def __init__(self) -> None:
        self.session: ExploreSession | None = None
        self.saved: Any = None
        self.run: int | None = None
        self.trainings: tuple = ()
        self.hints = 0
        self._goal: tuple[object, bool] | None = None  # (trace, whether it meets the goal)

    @property
    def active(self) -> bool:
        """Whether explore mode is on."""
        return self.session is not None

    # -- entering and leaving --------------------------------------------------------------------

    def enter(self, view: StepView, editable: list[EditTarget] | None, saved: Any,
              update_shown: bool = True) -> None:
        """Explore the numbers of ``view`` (``editable``: the ones the cursor may reach, None
        for every one); ``saved``: what to give back on leaving; ``update_shown``: whether the
        lesson has shown an update by this step (if not, the after-update lines stay hidden).
        Raises ValueError when the step has nothing to explore (``ExploreSession``), leaving
        explore mode off."""
        self.session = ExploreSession(view, editable, update_shown=update_shown)
        self.saved = saved
        self.run = None
        self.trainings = ()
        self.hints = 0
        self._goal = None

    def leave(self) -> Any:
        """Explore mode off: every edit, run and hint dropped; returns what was saved on
        entering (None if it was not on)."""
        saved = self.saved
        self.session = None
        self.saved = None
        self.run = None
        self.trainings = ()
        self.hints = 0
        self._goal = None
        return saved

    # -- what the screen asks --------------------------------------------------------------------

    def allows(self, action: str, training: Callable[[], bool],
               entering: bool) -> bool | None:
        """Whether ``action`` is enabled as far as explore mode decides (None: explore mode
        has no say). ``training()``: whether a run from the edited network goes on (asked
        only when it matters: the screen checks every key's action at every step);
        ``entering``: the learner is typing a value for explore mode."""
        if action in EXPLORE_ACTIONS:
            if not self.active or entering:
                return False
            # While a run from the edited network goes on, its numbers are the ones on
            # screen: space pauses it, 0 or Escape drop it; edits wait until it has finished.
            return action not in EXPLORE_EDIT_ACTIONS or not training()
        if not self.active:
            return None
        if action == "hint":
            step = self.session.view.step
            return step.kind == "explore" and self.hints < len(step.hints)
        if action in LESSON_ONLY_ACTIONS:
            return False
        if action in ("train", "one_epoch"):
            return not entering
        return None

    def is_training(self, runner_active: bool, runner_run: int) -> bool:
        """Whether the run from the edited network is going on (running or paused), given the
        training runner's state."""
        return self.run is not None and runner_active and runner_run == self.run

    @property
    def layout_state(self) -> str:
        """The pane grid's state class: with a run's plot to show, or not."""
        return "-explore-run" if self.trainings or self.run is not None else "-explore"

    def view(self) -> ExploreView:
        """The view every pane shows: the edited trace, with the finished run's outcomes."""
        view = self.session.explore_view()
        if self.trainings:
            view = dataclasses.replace(view, trainings=self.trainings)
        return view

    def live_view(self, outcomes, trace) -> ExploreView:
        """The view of a run from the edited network, as a train step shows its run: the
        forward pass and the loss live (the chain rule and the update return when it ends;
        redrawing them twice a second took a third of the training's speed)."""
        depth = len(trace.layers)
        return dataclasses.replace(self.session.explore_view(), trace=trace,
                                   network=outcomes[0].network, trainings=outcomes, base=None,
                                   reveal=Reveal(forward=depth, loss=True))

    def goal_reached(self) -> bool | None:
        """At an explore step: whether the edited network meets the step's goal (None at other
        steps). Computed once per edited trace."""
        session = self.session
        if session is None or session.view.step.kind != "explore":
            return None
        from nn_tui.lessons.explore_goal import GoalError, goal_met, trace_context

        trace = session.trace
        if self._goal is None or self._goal[0] is not trace:
            runs = tuple(session.view.trainings) + tuple(self.trainings)
            context = trace_context(trace, {outcome.variant_id: outcome.to_dict()
                                            for outcome in runs})
            try:
                met = goal_met(session.view.step, context)
            except GoalError:
                met = False
            self._goal = (trace, met)
        return self._goal[1]

    def record_goal(self, store, lesson_id: str) -> bool:
        """Count a reached goal like a right answer: the step's record in ``store`` (a
        ``ProgressStore``) is saved as correct the first time. Returns whether it was just
        recorded (the screen says so)."""
        if not self.goal_reached():
            return False
        answer = store.get(lesson_id).check(self.session.view.index)
        if answer.correct:
            return False
        answer.correct = True
        answer.skipped = False
        answer.attempts += 1
        store.save()
        return True

    def goal_text(self) -> tuple[str, str, bool, str, tuple[str, ...]] | None:
        """At an explore step: (the task, the goal, whether it is reached, the explanation once
        it is, the hints asked for), as lesson text made safe to show; None elsewhere."""
        session = self.session
        if session is None or session.view.step.kind != "explore":
            return None
        step = session.view.step
        reached = bool(self.goal_reached())
        return (clean(step.prompt), clean(goal_words(step.goal, session.trace)), reached,
                clean(step.explanation) if reached else "",
                tuple(clean(hint) for hint in step.hints[:self.hints]))

    # -- operations ------------------------------------------------------------------------------

    def edit(self, change: Callable[[ExploreSession], object]) -> bool:
        """Run one edit of the session (``change(session)``). Raises EditError for a refused
        one, which changes nothing. Returns whether a finished run's outcomes were dropped
        (the grid loses the run's plot)."""
        change(self.session)
        dropped = bool(self.trainings)
        self.trainings = ()
        return dropped

    def move(self, offset: int) -> None:
        """The cursor ``offset`` numbers along (wrapping round)."""
        self.session.move(offset)

    def scale_step(self, up: bool) -> None:
        """The nudge step 10 times larger (``up``) or smaller."""
        self.session.scale_step(up)

    def hint(self) -> None:
        """One more of the explore step's hints."""
        self.hints += 1

    def reset(self) -> None:
        """Every number back to the step's own; the run and its outcomes dropped."""
        self.run = None
        self.trainings = ()
        self.session.reset()

    def nudge_previews(self) -> Iterator[int]:
        """Nudge the selected number up, then down, yielding the direction while the nudge is
        in force (the screen renders it ahead); the edits are as before after each, and after
        the loop however it ends. A nudge refused (a bound) is skipped."""
        session = self.session
        saved = (session.edits, session.last)
        try:
            for direction in (1, -1):
                try:
                    session.nudge(direction)
                except EditError:
                    continue
                yield direction
                session.edits, session.last = saved
        finally:
            session.edits, session.last = saved

    def training_job(self, lesson, view: StepView, X, Y):
        """What a run from the edited network trains: (jobs, X, Y, (x, y, rows) to trace) for
        ``TrainingRun.start_jobs``. The epochs are the train step's at a train step, else the
        lesson's; the data as training from here uses it (``ExploreSession.training_data``)."""
        session = self.session
        network, x, y = session.edited_data()
        X, Y = session.training_data(X, Y)
        step = view.step
        training = lesson.training
        epochs = step.epochs if step.kind == "train" and step.epochs else training.epochs
        job = TrainingJob("explore", "your edited network", network, epochs,
                          training.batch_size, training.shuffle_seed)
        return (job,), X, Y, (x, y, session.rows)

    def run_started(self, run: int) -> None:
        """A run from the edited network started (``run``: the runner's number for it)."""
        self.trainings = ()
        self.run = run

    def run_finished(self, outcomes) -> None:
        """The run ended: the edited numbers become the trained network's, its outcomes stay
        on screen until the next edit."""
        self.session.adopt(outcomes[0].network)
        self.run = None
        self.trainings = tuple(outcomes)

    def run_dropped(self) -> None:
        """The run was cancelled (reset, leaving): no run and no outcomes."""
        self.run = None
        self.trainings = ()
