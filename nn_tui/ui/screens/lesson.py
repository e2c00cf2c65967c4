"""The lesson screen: the six panes, the self-check area and live training of one lesson.

The state shown is a pure function of the step index (``LessonSession.view``), so stepping back
shows exactly what that step showed before. Live training only overlays a copy of the view with
the worker's partial results.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from nn_tui.engine.training import TrainingCancelled
from nn_tui.format.numbers import current_decimals, next_decimals, use_decimals
from nn_tui.lessons.explore import ExploreSession
from nn_tui.lessons.model import Lesson
from nn_tui.lessons.progress import ProgressStore
from nn_tui.lessons.session import LessonSession, StepView, position_label
from nn_tui.ui.commands import LessonCommands
from nn_tui.ui.literal import clean
from nn_tui.ui.panes import (
    ForwardPane,
    GradientsPane,
    LessonPane,
    LossPane,
    NetworkPane,
    WeightsPane,
)
from nn_tui.ui.panes.slope import ValueInput
from nn_tui.ui.perf.header import HeaderBar
from nn_tui.ui.perf.keybar import KeyBar
from nn_tui.ui.perf.screen import freeze_gc_after_paint, set_classes_shallow
from nn_tui.ui.screens.explore_mode import (
    EXPLORE_ACTIONS,
    EXPLORE_EDIT_ACTIONS,
    ExploreScreen,
    _Saved,
)
from nn_tui.ui.stepping import Route, StepQueue, status_text
from nn_tui.ui.training import TrainingRun
from nn_tui.ui.widgets.check import AnswerInput, CheckArea

# (pane class, widget id) in grid order; each pane carries its own title (its border title).
PANES = (
    (LessonPane, "pane-lesson"),
    (NetworkPane, "pane-network"),
    (ForwardPane, "pane-forward"),
    (WeightsPane, "pane-weights"),
    (GradientsPane, "pane-gradients"),
    (LossPane, "pane-loss"),
)
# On a small terminal the Lesson pane, one of these (t cycles them) and the Loss pane (or the
# Check box) are stacked full width, so the text and the arithmetic both get whole lines. (At a
# question about the training runs, the Loss pane takes the detail slot; t reaches it too.)
DETAIL_PANES = ("pane-forward", "pane-gradients", "pane-weights", "pane-network")
# From this size (columns, rows) every pane is shown at once, as in the design sketch.
WIDE = (120, 36)
SAVE_DELAY = 1.0  # seconds
PRERENDER_DELAY = 0.1  # seconds after a step is shown, the next one is rendered ahead
# How often live training redraws the panes other than Loss.
LIVE_PANES_HZ = 2
# The classes of the pane grid that choose its rows (one at a time; app.tcss has the rules).
LAYOUT_STATES = ("-explore", "-explore-run", "-train", "-check", "-race")
DETAIL_FOR_KIND = {"backward": "pane-gradients", "update": "pane-weights", "train": "pane-weights"}


# The characters an answer can start with (a number, or arithmetic such as "(1-0.325)*2");
# typed anywhere at a number question they go to its answer box. (Not "e", as in "e^-1": out of
# the box it is the explore key, which says to answer first; in the box it types.)
ANSWER_START_CHARACTERS = frozenset("0123456789.-−+(")


class LessonScreen(ExploreScreen):
    """One lesson: the panes, the self-check area, live training, and explore mode."""

    COMMANDS = {LessonCommands}
    PANES = PANES
    LIVE_PANES_HZ = LIVE_PANES_HZ
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-medium"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-medium-height"), (36, "-tall")]

    # Seconds from a step to the save of the step reached (see _save_soon). A setting, not a
    # constant, so the tests can shorten the wait instead of sleeping through it.
    save_delay: float = SAVE_DELAY

    # The help screen lists these (nn_tui/ui/screens/help.py): the description names the key in
    # the key bar, the tooltip says what it does in the help; bindings in a row with the same
    # tooltip are one line of the help.
    BINDINGS = [
        # In the order the key bar shows them (the most used first: a small terminal cuts the
        # end of the line).
        # Explore mode's keys come first: they are enabled only in explore mode, where the
        # lesson's own keys (stepping, hints, choices) are not.
        Binding("right", "explore_move(1)", "Move", key_display="←→", priority=True,
                tooltip="move the cursor over the numbers you can change: every weight and "
                        "bias, the inputs x and target y of the example, η"),
        Binding("left", "explore_move(-1)", "Move", show=False, priority=True,
                tooltip="move the cursor over the numbers you can change: every weight and "
                        "bias, the inputs x and target y of the example, η"),
        Binding("plus,equals_sign,up", "nudge(1)", "Nudge", key_display="+−", priority=True,
                tooltip="nudge the number under the cursor up / down by the step shown in "
                        "the top line"),
        Binding("minus,down", "nudge(-1)", "Nudge −", show=False, priority=True,
                tooltip="nudge the number under the cursor up / down by the step shown in "
                        "the top line"),
        Binding("left_square_bracket", "step_size(-1)", "Step", key_display="[ ]",
                priority=True, tooltip="make the step 10 times smaller / larger"),
        Binding("right_square_bracket", "step_size(1)", "Step ×10", show=False, priority=True,
                tooltip="make the step 10 times smaller / larger"),
        Binding("enter", "type_value", "Type value", priority=True,
                tooltip="type an exact value (as in the answer box: `0.7`, `-2.5e-3`, `1/3`); "
                        "Escape cancels"),
        Binding("0", "explore_reset", "Reset", priority=True,
                tooltip="reset every number to the step's own"),
        Binding("w", "write_lesson", "Save as lesson", priority=True,
                tooltip="save your network (with the data) as a new lesson file in the "
                        "current folder"),
        Binding("escape", "leave_explore", "Leave", priority=True,
                tooltip="leave explore mode (e too): the lesson is exactly as it was"),
        Binding("right,n", "next", "Next", priority=True,
                tooltip="next step (on the last step: how the lesson went, and the next "
                        "lesson)"),
        Binding("left,p", "previous", "Previous", priority=True,
                tooltip="previous step (the screen returns exactly to how that step was)"),
        Binding("space", "train", "Train/pause",
                tooltip="start, pause or resume training (at a train step; in explore mode, "
                        "from your edited network)"),
        Binding("full_stop", "one_epoch", "1 epoch",
                tooltip="train exactly one epoch, then pause"),
        Binding("h", "hint", "Hint", priority=True, tooltip="next hint (at a question)"),
        Binding("r", "reveal", "Reveal answer", priority=True,
                tooltip="reveal the worked answer (after two wrong tries)"),
        Binding("question_mark", "app.help", "Help", priority=True, tooltip="this help"),
        Binding("q", "app.quit_app", "Quit", priority=True,
                tooltip="quit (your progress is saved)"),
        Binding("t", "switch_detail", "Next pane", priority=True,
                tooltip="next pane below the lesson: Forward pass, Gradients, Weights, "
                        "Network (below 120×36)"),
        Binding("e", "explore", "Explore", priority=True,
                tooltip="explore: change any number of this step and watch the network "
                        "answer (below)"),
        Binding("escape", "back", "Lessons",
                tooltip="leave the answer box; again to go back to the lessons"),
        # Last: a small terminal's key bar cuts it before the keys that move around. (The key
        # bar shows the setting in place of this description: "4 digits".)
        Binding("d", "cycle_decimals", "Digits: 4, 6 or 9", priority=True,
                tooltip="numbers with 4, 6 or 9 significant digits, in turn, in every pane and "
                        "the check (the key bar shows which; remembered for next time)"),
        # Priority, like ←/→: a focused pane would otherwise take Home/End (to scroll) and hand
        # them on later than a ← pressed just after, so "End ←" ran as "← End".
        Binding("home", "first", "First step", show=False, priority=True,
                tooltip="first / last step"),
        Binding("end", "last", "Last step", show=False, priority=True,
                tooltip="first / last step"),
        *(Binding(str(number), f"choose({number})", f"Choice {number}", show=False,
                  tooltip="pick an answer (multiple-choice questions)")
          for number in range(1, 10)),
    ]

    @dataclass
    class ViewReady(Message):
        """A view that needed training to compute (done in a thread) is ready."""

        index: int
        run: int  # which preparation: an abandoned one's late message is ignored

    def __init__(self, lesson: Lesson, store: ProgressStore, start: int = 0) -> None:
        super().__init__()
        self.lesson = lesson
        self.store = store
        self.session = LessonSession(lesson)
        self.start = max(0, min(start, self.session.total - 1))
        self.view: StepView | None = None
        self.detail = "pane-forward"
        self.hidden_panes: set[str] = set()
        self.steps = StepQueue()  # the step being prepared (trained in a worker) and the next
        self._live = None  # the partial outcomes of the run in progress
        self._panes_updated = 0.0  # when live training last redrew every pane
        self._save_timer = None
        self._prerender_timer = None
        self._ready = False  # mounted: the panes exist
        self._check_area: CheckArea | None = None
        self._shown_view: StepView | None = None  # what the panes show (a finished run's too)
        # Explore mode (None when not exploring): the edits, what to restore, the run from the
        # edited network and its finished outcomes.
        self.explore: ExploreSession | None = None
        self._explore_saved: _Saved | None = None
        self._explore_run: int | None = None
        self._explore_trainings: tuple = ()
        self._explore_timer = None
        self._explore_hints = 0  # hints of an explore step shown so far

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="lesson-main"):
            yield HeaderBar(clean(f"nn-tui · {self.lesson.title}"))
            with Container(id="panes"):
                for pane_class, pane_id in PANES:
                    if pane_id == "pane-loss":
                        # The check box takes the Loss pane's place in the grid at a question
                        # (or, at a question about the runs or after one, the empty Gradients
                        # pane's place before it or a share of its row), so the other panes
                        # keep their size and their content need not be laid out again.
                        yield CheckArea(id="check")
                    classes = "detail" if pane_id in DETAIL_PANES else None
                    yield pane_class(id=pane_id, classes=classes)
        yield Static(Text("Please enlarge the terminal to at least 80×24 to see the lesson.",
                          style="bold"), classes="too-small")
        yield TrainingRun()
        yield KeyBar()

    def on_mount(self) -> None:
        self._check_area = self.query_one(CheckArea)
        self._ready = True
        self.go(self.start)
        freeze_gc_after_paint(self)

    def pane(self, pane_id: str):
        return self.query_one(f"#{pane_id}")

    def _one(self, selector):
        """``query_one``, or None once the screen is being torn down: bindings are checked and
        messages delivered while a dismissed screen's children are already gone."""
        try:
            return self.query_one(selector)
        except NoMatches:
            return None

    @property
    def _alive(self) -> bool:
        """Whether the screen still has its widgets (not dismissed, not being removed)."""
        check = self._check_area
        return self._ready and check is not None and check.is_attached

    @property
    def compact(self) -> bool:
        """Below 120×36 the panes share the screen: one of the DETAIL_PANES at a time."""
        width, height = self.app.size
        return width < WIDE[0] or height < WIDE[1]

    def _apply_layout(self) -> None:
        """Show the panes for the terminal size and the step, and give the grid the classes
        its rows and spans follow (the rules are in app.tcss: "lesson screen").

        Which panes show is each pane's ``display``. The grid's classes restyle only the grid
        and its direct children (``set_classes_shallow``), so the layout rules in app.tcss may
        style only those.
        """
        wide = not self.compact
        exploring = self.explore is not None
        is_check = (self.view is not None and self.view.step.kind == "check"
                    and not exploring)
        # A question about the training runs keeps their losses in view (unless the learner
        # hid the Loss pane): the Loss pane shares the bottom row with the Check box, or on a
        # small terminal takes the detail slot. Any other question hides it.
        loss_beside = is_check and self._loss_beside_check()
        # Wide, with no gradients to show yet: the Check box takes the Gradients pane's place
        # and the Loss pane keeps its row, its size and its plot (nothing of it is redrawn).
        check_up = loss_beside and wide and not self.view.reveal.backward
        for _class, pane_id in PANES:
            visible = pane_id not in self.hidden_panes
            if pane_id in DETAIL_PANES and not wide:
                visible = visible and pane_id == self.detail
            if pane_id == "pane-loss" and is_check:
                visible = loss_beside and (wide or self.detail == pane_id)
            if pane_id == "pane-lesson":
                visible = visible and not exploring  # the Slope pane is in its place
            if pane_id == "pane-gradients" and check_up:
                visible = False
            pane = self.pane(pane_id)
            if pane.display != visible:
                pane.display = visible
        picture = self.picture_pane if exploring else None  # (leaving: being removed)
        if picture is not None:
            # Explore mode: the output picture beside the readout (wide: the top row, the
            # other panes move one place along), or one of the panes t shows under it (small).
            visible = wide or self.detail == "pane-picture"
            if picture.display != visible:
                picture.display = visible
        # One state class for the rows (they differ by what the bottom row must hold).
        if exploring:
            state = "-explore-run" if self._explore_trainings or self._explore_run else "-explore"
        elif self.view is not None and self.view.step.kind == "train":
            state = "-train"
        elif is_check:
            state = "-check"
        elif self.view is not None and len(self.view.trainings) > 1:
            state = "-race"
        else:
            state = ""
        classes = {name: name == state for name in LAYOUT_STATES}
        classes["-loss-beside"] = loss_beside and not check_up
        classes["-check-up"] = check_up
        grid = self.query_one("#panes")
        # The rows a question after a run needs for the Loss pane's plot where the box cannot
        # move up (gradients on screen), or (small terminals) in the slot t gave it.
        classes["-loss-plot"] = (loss_beside and bool(self.view.trainings) and not check_up
                                 and (wide or self.detail == "pane-loss"))
        # Backward steps whose gradients do not fit the usual rows (GradientsPane.needs_room).
        room = False
        if wide and not exploring and self.view is not None and self.view.reveal.backward:
            room = self.pane("pane-gradients").needs_room(
                self.session, usual=not grid.has_class("-gradient-room")
                and not grid.has_class("-explore") and not grid.has_class("-explore-run"))
            if room is None:  # not known at this size yet: as it is
                room = grid.has_class("-gradient-room")
        classes["-gradient-room"] = room
        set_classes_shallow(grid, classes, restyle=grid.children)

    def _loss_beside_check(self) -> bool:
        """Whether the current question keeps the Loss pane on screen: it is about the runs,
        or comes after one (the plot of the run stays in view)."""
        return (self.view is not None and "pane-loss" not in self.hidden_panes
                and (self.session.asks_about_training(self.view.index)
                     or bool(self.view.trainings)))

    def on_resize(self) -> None:
        if not self._alive:
            return
        self._apply_layout()
        self.refresh_bindings()

    # -- stepping --------------------------------------------------------------------------------

    def go(self, index: int) -> None:
        index = max(0, min(index, self.session.total - 1))
        if not self._ready:  # e.g. a palette command before the screen was mounted
            self.start = index
            return
        if not self._alive:
            return
        if self.explore is not None:  # (a palette command: the keys that step are off)
            self.leave_explore()
        shown = self.view.index if self.view is not None else None
        route = self.steps.route(index, shown, self.session.needs_training)
        if route is Route.WAIT:
            return
        if route is Route.SAME:
            self._show_status(self.view)  # (the header said "preparing…")
            return
        if self.view is not None:
            self._leave_step()
        if route is Route.PREPARE:
            run = self.steps.started(index)
            header = self._one(HeaderBar)
            if header is not None:
                header.set_status(f"{position_label(index, self.session.total)} · preparing… "
                                  "(← or Esc to stop)")
            self.steps.worker = self._prepare(index, run)
        else:
            self._show(self.session.view(index))

    @work(thread=True, exclusive=True, group="prepare", exit_on_error=False)
    def _prepare(self, index: int, run: int) -> None:
        # Stepping past a train step the learner did not run trains that step's network
        # (deterministically); it takes a moment, so it runs here instead of freezing the keys.
        # The training looks at the cancel flag between mini-batches: ←, Esc and q stop it at
        # once (the process would otherwise live on, training, after the tutor quit).
        from textual.worker import get_current_worker

        worker = get_current_worker()
        try:
            self.session.view(index, cancelled=lambda: worker.is_cancelled)
        except TrainingCancelled:
            return
        if not worker.is_cancelled:
            self.post_message(self.ViewReady(index, run))

    def on_worker_state_changed(self, event) -> None:
        # A preparation that failed (an engine error) must not leave "preparing…" for ever.
        from textual.worker import WorkerState

        if (event.worker is self.steps.worker and event.state == WorkerState.ERROR
                and self._alive):
            self.steps.abandon()
            self.notify(clean(f"That step could not be prepared: {event.worker.error}"),
                        title="Lesson", severity="error", timeout=10, markup=False)
            if self.view is not None:
                self._show_status(self.view)

    def stop_work(self) -> None:
        """Stop the live training run and any preparation (leaving the screen, quitting)."""
        self.steps.abandon()
        runner = self._one(TrainingRun)
        if runner is not None:
            runner.cancel()
        self.workers.cancel_node(self)

    def on_lesson_screen_view_ready(self, message: ViewReady) -> None:
        if not self._alive:
            return
        current, wanted = self.steps.ready(message.run)
        if not current:
            return
        self._show(self.session.view(message.index))
        if wanted is not None:
            self.go(wanted)

    def _leave_step(self) -> None:
        runner = self._one(TrainingRun)
        if runner is not None:
            runner.cancel()
        self._live = None
        check = self._one(CheckArea)
        if self.view.step.kind == "check" and check is not None:
            check.skip_if_unanswered()
        if self.view.step.kind == "explore":
            record = self.store.get(self.lesson.id).check(self.view.index)
            if not record.correct:
                record.skipped = True  # left without reaching the goal, as a skipped check

    def _show(self, view: StepView) -> None:
        if not self._alive:
            return
        self.view = view
        self._shown_view = view
        step = view.step
        self.detail = DETAIL_FOR_KIND.get(step.kind, "pane-forward")
        if (step.kind == "check" and self._loss_beside_check()
                and self.session.asks_about_training(view.index)):
            self.detail = "pane-loss"  # (after a run, t reaches it: the question may need others)
        elif step.kind in ("text", "check"):
            # What the step can be about: the latest revealed arithmetic, or before any, the
            # network with its inputs and weights (what a question's pencil work starts from).
            if view.reveal.backward:
                self.detail = "pane-gradients"
            elif not view.reveal.forward and not view.trainings:
                self.detail = "pane-network"
        check = self.query_one(CheckArea)
        is_check = step.kind == "check"
        check.display = is_check
        self._apply_layout()
        # After the layout: a pane hidden at this step (small terminals) keeps the view and
        # draws it only when shown, instead of drawing it now for nothing.
        for _class, pane_id in PANES:
            self.pane(pane_id).show(view)
        if is_check:
            check.show(self.session, self.store, self.lesson.id, view.index)
            check.focus_answer()
        elif isinstance(self.focused, AnswerInput):
            self.set_focus(None)
        self._show_status(view)
        self.store.record_step(self.lesson.id, view.index, view.total)
        self._save_soon()
        if step.kind == "explore":
            # An explore step opens in explore mode, on the numbers the teacher lets change.
            self.call_later(self._open_explore_step, view.index)
        if self._prerender_timer is not None:
            self._prerender_timer.stop()
        self._prerender_timer = self.set_timer(PRERENDER_DELAY, self._prerender_next)
        self.refresh_bindings()

    def _prerender_next(self) -> None:
        """While the learner reads, compute the next step and render its panes, so → only has
        to paint. (Not past a train step the learner has not run: that would train.)"""
        self._prerender_timer = None
        view = self.view
        if (view is None or self._live is not None or self.steps.busy
                or not self._alive or self.explore is not None):
            return
        following = view.index + 1
        if following >= self.session.total or self.session.needs_training(following):
            return
        upcoming = self.session.view(following)
        for _class, pane_id in PANES:
            pane = self.pane(pane_id)
            if pane.display and hasattr(pane, "prerender"):
                pane.prerender(upcoming)

    def _save_soon(self) -> None:
        """Save the step reached within ``save_delay`` seconds (at once on leaving or quitting).

        An fsync on every → cost more than some steps take to draw; answers to questions are
        still saved the moment they are given."""
        if self._save_timer is None:
            self._save_timer = self.set_timer(self.save_delay, self._save_now)

    def _save_now(self) -> None:
        self._save_timer = None
        self.store.save()

    def on_unmount(self) -> None:
        self.stop_work()
        self.store.save()

    def _show_status(self, view: StepView, live=None, finished: bool = False) -> None:
        """The header's right side: the step, and the state of the network on screen or of the
        run in progress (the Loss pane has the run's losses and how to start it)."""
        header, runner = self._one(HeaderBar), self._one(TrainingRun)
        if header is None or runner is None:
            return
        header.set_status(status_text(view, live, finished, paused=runner.paused))

    # -- actions ---------------------------------------------------------------------------------

    DYNAMIC_ACTIONS = ("train", "one_epoch", "hint", "reveal", "choose", "switch_detail",
                       "next", "previous", "explore", "back") + EXPLORE_ACTIONS

    def refresh_bindings(self) -> None:
        """Refresh the key bar only when a key was enabled or disabled (most steps change none)."""
        state = tuple(self.check_action(action, ()) for action in self.DYNAMIC_ACTIONS)
        if state != getattr(self, "_binding_state", None):
            self._binding_state = state
            super().refresh_bindings()

    def _typing(self) -> bool:
        """Whether the learner has text in the answer box and the cursor in it: then ←/→ and
        Home/End edit the text (and printable keys type, see ``AnswerInput``)."""
        focused = self.focused
        return isinstance(focused, AnswerInput) and focused.holds_text

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # Called by Textual for every key and for the key bar, also while the screen is being
        # dismissed (its children already gone): never assume a widget is there.
        view = self.view
        step = view.step if view is not None else None
        exploring = self.explore is not None
        entering = isinstance(self.focused, ValueInput)  # typing a value for explore mode
        if action in EXPLORE_ACTIONS:
            if not exploring or entering:
                return False
            # While a run from the edited network goes on, its numbers are the ones on screen:
            # space pauses it, 0 or Escape drop it; edits wait until it has finished.
            return action not in EXPLORE_EDIT_ACTIONS or not self._explore_training()
        if action == "explore":
            return view is not None and not entering and not self._typing()
        if exploring and action == "hint":
            # An explore step's hints, one at a time, in the readout.
            step = self.explore.view.step
            return step.kind == "explore" and self._explore_hints < len(step.hints)
        if exploring and action in ("next", "previous", "first", "last", "reveal", "choose",
                                    "back"):
            return False
        if action in ("train", "one_epoch") and exploring:
            return not entering
        if action in ("next", "previous", "first", "last"):
            return not self._typing()
        if action in ("train", "one_epoch"):
            return step is not None and step.kind == "train"
        if action == "hint":
            return step is not None and step.kind == "check"
        if action == "reveal":
            check = self._one(CheckArea)
            return (step is not None and step.kind == "check" and check is not None
                    and check.index is not None and check.can_reveal)
        if action == "choose":
            return step is not None and step.kind == "check" and bool(step.choices)
        if action == "switch_detail":
            return self.compact
        return True

    def current_index(self) -> int:
        return self.steps.target(self.view.index if self.view is not None else self.start)

    def action_next(self) -> None:
        if (not self.steps.busy and self.view is not None
                and self.view.index == self.session.total - 1):
            self.show_end()
            return
        self.go(self.current_index() + 1)

    def action_previous(self) -> None:
        if not self.steps.busy:
            self.go(self.current_index() - 1)
            return
        # ← while a step is being prepared abandons it: back one step if that one is ready,
        # else to the step still on screen (or, before any, the last one that needs no training).
        target = self.current_index() - 1
        self.steps.abandon()
        while (target > 0 and self.session.needs_training(target)
               and (self.view is None or target > self.view.index)):
            target -= 1
        self.go(target)

    def action_first(self) -> None:
        self.go(0)

    def action_last(self) -> None:
        self.go(self.session.total - 1)

    def action_back(self) -> None:
        self.stop_work()
        self.dismiss()  # on_unmount saves the progress

    def action_hint(self) -> None:
        if self.explore is not None:
            self._explore_hints += 1
            self._render_explore()
            self.refresh_bindings()
            return
        check = self._one(CheckArea)
        if check is not None and check.index is not None:
            check.hint()

    def action_reveal(self) -> None:
        check = self._one(CheckArea)
        if check is not None and check.reveal():
            self.refresh_bindings()

    def action_choose(self, number: int) -> None:
        check = self._one(CheckArea)
        if check is not None:
            check.choose(number)
            self.refresh_bindings()

    # -- the end of the lesson -------------------------------------------------------------------

    def show_end(self) -> None:
        """→ on the last step: what was done, and where to go next (``LessonEndScreen``)."""
        from nn_tui.ui.screens.end import LessonEndScreen, lesson_summary, next_entry

        check = self._one(CheckArea)
        if check is not None and self.view.step.kind == "check":
            check.skip_if_unanswered()
        self.store.record_step(self.lesson.id, self.view.index, self.view.total)
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_now()
        following = next_entry(getattr(self.app, "catalog", []), self.lesson.id)
        summary = lesson_summary(self.session, self.store.peek(self.lesson.id))
        self.app.push_screen(LessonEndScreen(self.lesson.title, summary, following),
                             self._end_chosen)

    def _end_chosen(self, choice) -> None:
        """What the learner picked on the end screen: stay, the list, or the next lesson."""
        if choice is None:
            return
        if choice == "lessons":
            self.action_back()
            return
        self.stop_work()
        self.app.open_entry(choice)

    def on_key(self, event) -> None:
        # A learner who left the answer box (Esc, Tab, a click) and types a number means to
        # answer: the first digit, point or minus puts the cursor back in the box and types.
        # (Digits pick a choice at multiple-choice questions; those have no box.)
        character = event.character
        if not character or character not in ANSWER_START_CHARACTERS or self.explore is not None:
            return
        check = self._one(CheckArea)
        if check is None or check.index is None or check.is_choice or check.settled:
            return
        box = check.query_one(AnswerInput)
        if self.focused is box or not box.display:
            return
        event.stop()
        box.focus()
        box.insert_text_at_cursor(character)

    def describe_binding(self, binding: Binding) -> str:
        """The key bar's text for ``binding``: the digits setting for ``d``."""
        if binding.action == "cycle_decimals":
            return f"{current_decimals()} digits"
        return binding.description

    def action_cycle_decimals(self) -> None:
        """Numbers with the next number of significant decimals (4 → 6 → 9 → 4)."""
        self.set_decimals(next_decimals(current_decimals()))

    def set_decimals(self, decimals: int) -> None:
        """Numbers with ``decimals`` significant decimals in every pane and the check's
        feedback, from now on; remembered for the next run."""
        if not self._alive:
            return
        use_decimals(decimals)
        for _class, pane_id in PANES:
            pane = self.pane(pane_id)
            if pane.view is not None:
                pane.show(pane.view)  # the panes' content keys include the decimals
        self.query_one(CheckArea).refresh_numbers()
        Screen.refresh_bindings(self)  # the key bar's "4 digits"
        remember = getattr(self.app, "remember_decimals", None)
        if callable(remember):
            remember(decimals)

    def action_switch_detail(self) -> None:
        if not self._alive:
            return
        choices = DETAIL_PANES
        if (self.view is not None and self.view.step.kind == "check"
                and self._loss_beside_check() and self.explore is None):
            choices += ("pane-loss",)
        if self.picture_pane is not None:
            choices += ("pane-picture",)
        position = choices.index(self.detail) if self.detail in choices else -1
        self.detail = choices[(position + 1) % len(choices)]
        self._apply_layout()

    def toggle_pane(self, pane_id: str) -> None:
        if not self._alive:
            return
        if pane_id in self.hidden_panes:
            self.hidden_panes.discard(pane_id)
        else:
            self.hidden_panes.add(pane_id)
        if self.detail in self.hidden_panes and self.detail == "pane-loss":
            self.detail = "pane-forward"  # the slot the hidden Loss pane had at a question
        self._apply_layout()

    def on_answer_input_navigate(self, message: AnswerInput.Navigate) -> None:
        if self._alive:
            getattr(self, f"action_{message.action}")()

    def on_check_area_changed(self, message: CheckArea.Changed) -> None:
        if self._alive:
            self.refresh_bindings()

    def on_answer_input_typing(self, message: AnswerInput.Typing) -> None:
        # The box became empty or not: ←/→ switch between stepping and editing (key bar).
        if self._alive:
            self.refresh_bindings()

    # -- training --------------------------------------------------------------------------------

    def action_train(self) -> None:
        runner = self._one(TrainingRun)
        if runner is None or self.view is None:
            return
        if self.explore is not None and not self._explore_training():
            self._start_explore_training()
            return
        if runner.active:
            runner.toggle_pause()
            self._refresh_live_label()
            return
        runner.start(self.session, self.view)

    def action_one_epoch(self) -> None:
        runner = self._one(TrainingRun)
        if runner is None or self.view is None:
            return
        if self.explore is not None and not self._explore_training():
            self._start_explore_training(paused=True)
        elif not runner.active:
            runner.start(self.session, self.view, paused=True)
        runner.one_epoch()

    def _refresh_live_label(self) -> None:
        if self.explore is not None:
            if self._explore_training():
                runner = self._one(TrainingRun)
                self._explore_status(epoch="paused" if runner.paused else "training")
            return
        if self._live is not None:
            self._show_status(self.view, self._live)

    def _show_live(self, outcomes, trace, every_pane: bool = True) -> None:
        live = dataclasses.replace(self.view, trace=trace, network=outcomes[0].network,
                                   trainings=outcomes, training_planned=())
        self._shown_view = live
        for _class, pane_id in PANES:
            if pane_id == "pane-loss" or every_pane and pane_id != "pane-lesson":
                self.pane(pane_id).show(live)

    def _current_run(self, message) -> bool:
        runner = self._one(TrainingRun)
        return (runner is not None and self._alive and self.view is not None
                and message.index == self.view.index
                and message.run == runner.run and runner.index == message.index)

    def on_training_run_progress(self, message: TrainingRun.Progress) -> None:
        if not self._current_run(message):
            return
        if self.explore is not None:
            if message.run == self._explore_run:
                self._explore_progress(message)
            return
        self._live = message.outcomes
        # The loss and the epoch counter follow every message; the weights, the diagram and the
        # arithmetic (most of the drawing, which the training thread waits for) twice a second.
        now = time.monotonic()
        every_pane = now - self._panes_updated >= 1 / self.LIVE_PANES_HZ
        if every_pane:
            self._panes_updated = now
        self._show_live(message.outcomes, message.trace, every_pane)
        self._show_status(self.view, message.outcomes)

    def on_training_run_finished(self, message: TrainingRun.Finished) -> None:
        if not self._current_run(message):
            return
        if self.explore is not None:
            if message.run == self._explore_run:
                self._explore_finished(message)
            return
        self._live = None
        self.session.record_outcomes(message.index, message.outcomes)
        self._show_live(message.outcomes, message.trace)
        self.pane("pane-loss").redraw_if_stale()  # now, not at its tick: the header says finished
        # A run that diverged shows in red in the header, and the Loss pane says why (no toast:
        # it would sit over the plot the learner is reading).
        self._show_status(self.view, message.outcomes, finished=True)
