"""The lesson screen: the six panes, the self-check area and live training of one lesson.

The state shown is a pure function of the step index (``LessonSession.view``), so stepping back
shows exactly what that step showed before. Live training only overlays a copy of the view with
the worker's partial results.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
import time
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from nn_tui.engine.training import TrainingCancelled
from nn_tui.format.numbers import current_decimals, next_decimals, use_decimals
from nn_tui.lessons.explore import ExploreSession
from nn_tui.lessons.model import Lesson
from nn_tui.lessons.progress import ProgressStore
from nn_tui.lessons.session import LessonSession, StepView, position_label
from nn_tui.ui.commands import LessonCommands
from nn_tui.ui.exploring import EXPLORE_ACTIONS, ExploreControl
from nn_tui.ui.literal import clean
from nn_tui.ui.pane_layout import (
    COMPOSE_SPAN_CLASSES,
    DETAIL_PANES,
    detail_for,
    grid_layout,
    next_detail,
    span_classes,
)
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
from nn_tui.ui.perf.pane_body import LineBody
from nn_tui.ui.perf.screen import (
    QuietFocusScreen,
    breakpoints_from_start,
    freeze_gc_after_paint,
    set_classes_shallow,
)
from nn_tui.ui.screens.explore_mode import ExploreDisplay
from nn_tui.ui.stepping import Route, StepControl, status_text
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
# From this size (columns, rows) every pane is shown at once, as in the design sketch.
WIDE = (120, 36)
SAVE_DELAY = 1.0  # seconds from a step to the save of the step reached (``SaveSchedule``)
PRERENDER_DELAY = 0.1  # seconds after a step is shown, the next one is rendered ahead
# How often live training redraws the panes other than Loss.
LIVE_PANES_HZ = 2


# The characters an answer can start with (a number, or arithmetic such as "(1-0.325)*2");
# typed anywhere at a number question they go to its answer box. (Not "e", as in "e^-1": out of
# the box it is the explore key, which says to answer first; in the box it types.)
ANSWER_START_CHARACTERS = frozenset("0123456789.-−+(")


class LessonScreen(QuietFocusScreen):
    """One lesson: the panes, the self-check area, live training, and explore mode."""

    COMMANDS = {LessonCommands}
    PANES = PANES
    LIVE_PANES_HZ = LIVE_PANES_HZ
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-medium"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-medium-height"), (36, "-tall")]

    # Seconds from a step to the save of the step reached (``SaveSchedule``). A setting, not a
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
        breakpoints_from_start(self)  # laid out once, at the size it is shown at
        self.lesson = lesson
        self.store = store
        self.session = LessonSession(lesson)
        self.start = max(0, min(start, self.session.total - 1))
        self.view: StepView | None = None
        self.detail = "pane-forward"
        self.hidden_panes: set[str] = set()
        # Where stepping goes, which step a worker prepares, what is rendered ahead and when
        # the step reached is saved (no Textual: the screen sets the timers and workers).
        self.steps = StepControl(self.session.total, self.session.needs_training,
                                 self.save_delay)
        self._live = None  # the partial outcomes of the run in progress
        self._panes_updated = 0.0  # when live training last redrew every pane
        # The latest progress only the Loss pane has shown yet (every pane catches up with it).
        self._panes_behind: TrainingRun.Progress | None = None
        self._save_timer = None
        self._prerender_timer = None
        self._ready = False  # mounted: the panes exist
        self._check_area: CheckArea | None = None
        self._shown_view: StepView | None = None  # what the panes show (a finished run's too)
        # Explore mode: its state and operations, and how this screen shows them.
        self.exploring = ExploreControl()
        self.explore_display = ExploreDisplay(self)

    @property
    def explore(self) -> ExploreSession | None:
        """Explore mode's edits (``ExploreSession``), None when not exploring."""
        return self.exploring.session

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
                        check = CheckArea(id="check")
                        # (Before it is mounted: styled once, with them.)
                        check.update_classes(dict.fromkeys(
                            COMPOSE_SPAN_CLASSES["check"].split(), True), update=False)
                        yield check
                    classes = " ".join(filter(None, (
                        "detail" if pane_id in DETAIL_PANES else "",
                        COMPOSE_SPAN_CLASSES[pane_id])))
                    yield pane_class(id=pane_id, classes=classes or None)
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
        """Show the panes for the terminal size and the step (``pane_layout.grid_layout``
        decides), and give the grid the classes its rows and spans follow (the rules are in
        app.tcss: "lesson screen").

        Which panes show is each pane's ``display``. The grid's classes restyle only the grid
        and its direct children (``set_classes_shallow``), so the layout rules in app.tcss may
        style only those. On a large terminal each child shown gets the span classes of its
        place (``pane_layout.span_classes``): restyled alone, and only when they change.
        """
        exploring = self.explore is not None
        grid = self.query_one("#panes")
        wide = not self.compact
        # Backward steps whose gradients do not fit the usual rows (GradientsPane.needs_room).
        room = False
        if wide and not exploring and self.view is not None and self.view.reveal.backward:
            room = self.pane("pane-gradients").needs_room(
                self.session, usual=not grid.has_class("-gradient-room")
                and not grid.has_class("-explore") and not grid.has_class("-explore-run"))
            if room is None:  # not known at this size yet: as it is
                room = grid.has_class("-gradient-room")
        layout = grid_layout(
            self.view, wide=wide,
            explore_state=self.exploring.layout_state if exploring else None,
            hidden=self.hidden_panes, detail=self.detail,
            loss_beside=not exploring and self._loss_beside_check(), gradient_room=room)
        for _class, pane_id in PANES:
            pane = self.pane(pane_id)
            visible = pane_id in layout.shown
            if pane.display != visible:
                pane.display = visible
                for body in pane.query(LineBody) if visible else ():
                    body.render_when_laid_out()
        picture = self.explore_display.picture_pane if exploring else None  # (leaving: removed)
        if picture is not None and picture.display != layout.picture:
            picture.display = layout.picture
        set_classes_shallow(grid, layout.classes, restyle=grid.children)
        spans = layout.spans
        if spans is not None:  # (a small terminal has one column: the spans stay as they were)
            for child in grid.children:
                span = spans.get(child.id)
                if span is not None:
                    set_classes_shallow(child, span_classes(span))

    def _loss_beside_check(self) -> bool:
        """Whether the current question keeps the Loss pane on screen: it is about the runs,
        or comes after one (the plot of the run stays in view), and the Loss pane is not
        hidden."""
        return (self.view is not None and self.view.step.kind == "check"
                and "pane-loss" not in self.hidden_panes
                and (self.session.asks_about_training(self.view.index)
                     or bool(self.view.trainings)))

    def on_resize(self) -> None:
        if not self._alive:
            return
        self._apply_layout()
        self.refresh_bindings()

    # -- stepping --------------------------------------------------------------------------------

    def go(self, index: int) -> None:
        """Show step ``index`` (clamped to the lesson), preparing it in a worker first when it
        trains (``StepControl.route`` says which)."""
        index = self.steps.clamp(index)
        if not self._ready:  # e.g. a palette command before the screen was mounted
            self.start = index
            return
        if not self._alive:
            return
        if self.explore is not None:  # (a palette command: the keys that step are off)
            self.leave_explore()
        shown = self.view.index if self.view is not None else None
        route = self.steps.route(index, shown)
        if route is Route.WAIT:
            return
        if route is Route.SAME:
            self._show_status(self.view)  # (the header said "preparing…")
            return
        if self.view is not None:
            self._leave_step()
        if route is Route.PREPARE:
            run = self.steps.queue.started(index)
            header = self._one(HeaderBar)
            if header is not None:
                header.set_status(f"{position_label(index, self.session.total)} · preparing… "
                                  "(← or Esc to stop)")
            self.steps.queue.worker = self._prepare(index, run)
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

        if (event.worker is self.steps.queue.worker and event.state == WorkerState.ERROR
                and self._alive):
            self.steps.queue.abandon()
            self.notify(clean(f"That step could not be prepared: {event.worker.error}"),
                        title="Lesson", severity="error", timeout=10, markup=False)
            if self.view is not None:
                self._show_status(self.view)

    def stop_work(self) -> None:
        """Stop the live training run and any preparation (leaving the screen, quitting)."""
        self.steps.queue.abandon()
        runner = self._one(TrainingRun)
        if runner is not None:
            runner.cancel()
        self.workers.cancel_node(self)

    def on_lesson_screen_view_ready(self, message: ViewReady) -> None:
        if not self._alive:
            return
        current, wanted = self.steps.queue.ready(message.run)
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
        self.detail = detail_for(view, self._loss_beside_check(),
                                 self.session.asks_about_training(view.index))
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
        self.stop_prerender()
        self._prerender_timer = self.set_timer(PRERENDER_DELAY, self._prerender_next)
        self.refresh_bindings()

    def stop_prerender(self) -> None:
        """Drop the rendering ahead of the next step planned (explore mode opens)."""
        if self._prerender_timer is not None:
            self._prerender_timer.stop()
            self._prerender_timer = None

    def _prerender_next(self) -> None:
        """While the learner reads, compute the step ``StepControl.ahead`` names and render its
        panes, so → only has to paint."""
        self._prerender_timer = None
        if not self._alive:
            return
        following = self.steps.ahead(self.view.index if self.view is not None else None,
                                     live=self._live is not None,
                                     exploring=self.explore is not None)
        if following is None:
            return
        upcoming = self.session.view(following)
        for _class, pane_id in PANES:
            pane = self.pane(pane_id)
            if pane.display and hasattr(pane, "prerender"):
                pane.prerender(upcoming)

    def _save_soon(self) -> None:
        """Save the step reached when ``SaveSchedule`` says (at once on leaving or quitting)."""
        delay = self.steps.saves.step_reached(time.monotonic())
        if delay is not None:
            self._save_timer = self.set_timer(delay, self._save_due)

    def _save_due(self) -> None:
        self._save_timer = None
        self._save_now()

    def _save_now(self) -> None:
        self.steps.saves.saved()
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
        entering = isinstance(self.focused, ValueInput)  # typing a value for explore mode
        if action == "explore":
            return view is not None and not entering and not self._typing()
        # Explore mode's keys, and the lesson's while exploring (its hints are the explore
        # step's, one at a time, in the readout).
        allowed = self.exploring.allows(action, self.explore_display.training, entering)
        if allowed is not None:
            return allowed
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

    def action_next(self) -> None:
        shown = self.view.index if self.view is not None else None
        if self.steps.at_end(shown):
            self.show_end()
            return
        self.go(self.steps.following(shown if shown is not None else self.start))

    def action_previous(self) -> None:
        # (While a step is being prepared, ← abandons it: StepControl.back.)
        self.go(self.steps.back(self.view.index if self.view is not None else None,
                                self.start))

    def action_first(self) -> None:
        self.go(0)

    def action_last(self) -> None:
        self.go(self.session.total - 1)

    def action_back(self) -> None:
        self.stop_work()
        self.dismiss()  # on_unmount saves the progress

    def action_hint(self) -> None:
        if self.explore is not None:
            self.explore_display.hint()
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
            self._save_timer = None
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
        check.focus_answer()  # (only if the question is still shown when the focus moves)
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
        self.detail = next_detail(
            self.detail, loss_beside=self.explore is None and self._loss_beside_check(),
            picture=(self.explore_display.picture_pane is not None
                     and "pane-picture" not in self.hidden_panes))
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
        if self.explore is not None and not self.explore_display.training():
            self.explore_display.start_training()
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
        if self.explore is not None and not self.explore_display.training():
            self.explore_display.start_training(paused=True)
        elif not runner.active:
            runner.start(self.session, self.view, paused=True)
        runner.one_epoch()

    def _refresh_live_label(self) -> None:
        if self.explore is not None:
            self.explore_display.training_state()
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
            if message.run == self.exploring.run:
                self.explore_display.progress(message)
            return
        self._live = message.outcomes
        every_pane = self.every_pane_now(message, self._catch_up_live)
        self._show_live(message.outcomes, message.trace, every_pane)
        self._show_status(self.view, message.outcomes)

    def every_pane_now(self, message: TrainingRun.Progress,
                       catch_up: Callable[[TrainingRun.Progress], None]) -> bool:
        """Whether a live run's ``message`` redraws every pane: the loss and the epoch counter
        follow every message; the weights, the diagram and the arithmetic (most of the drawing,
        which the training thread waits for) ``LIVE_PANES_HZ`` times a second.

        A message that does not is not lost: at the end of the interval ``catch_up`` gets the
        latest such message, unless a full redraw came first, so the panes never stay behind
        the loss beside them when no message follows (a burst of single epochs, then paused:
        the Network and Weights panes stayed at epoch 1 beside the Loss pane's epoch 5).
        ``catch_up`` checks that the run is still the one shown."""
        now = time.monotonic()
        wait = self._panes_updated + 1 / self.LIVE_PANES_HZ - now
        if wait <= 0:
            self._panes_updated = now
            self._panes_behind = None
            return True
        if self._panes_behind is None:
            self.set_timer(wait, lambda: self._panes_catch_up(catch_up))
        self._panes_behind = message
        return False

    def _panes_catch_up(self, catch_up: Callable[[TrainingRun.Progress], None]) -> None:
        message, self._panes_behind = self._panes_behind, None
        if message is not None and self._alive:
            self._panes_updated = time.monotonic()
            catch_up(message)

    def _catch_up_live(self, message: TrainingRun.Progress) -> None:
        """Every pane at ``message`` (see every_pane_now), unless the run has moved on."""
        if self._live is message.outcomes and self._current_run(message):
            self._show_live(message.outcomes, message.trace)

    def on_training_run_finished(self, message: TrainingRun.Finished) -> None:
        if not self._current_run(message):
            return
        if self.explore is not None:
            if message.run == self.exploring.run:
                self.explore_display.finished(message)
            return
        self._live = None
        self.session.record_outcomes(message.index, message.outcomes)
        self._show_live(message.outcomes, message.trace)
        self.pane("pane-loss").redraw_if_stale()  # now, not at its tick: the header says finished
        # A run that diverged shows in red in the header, and the Loss pane says why (no toast:
        # it would sit over the plot the learner is reading).
        self._show_status(self.view, message.outcomes, finished=True)

    # -- explore mode (ExploreControl holds it, ExploreDisplay shows it) -----------------------

    async def action_explore(self) -> None:
        """``e``: enter explore mode, or leave it."""
        if self.explore is not None:
            self.leave_explore()
        else:
            await self.enter_explore()

    async def enter_explore(self, editable=None) -> bool:
        """Explore the numbers of the step on screen (see ``ExploreDisplay.enter``)."""
        return await self.explore_display.enter(editable)

    def leave_explore(self) -> None:
        """Back to the lesson exactly as it was (see ``ExploreDisplay.leave``)."""
        self.explore_display.leave()

    async def _open_explore_step(self, index: int) -> None:
        view = self.view
        if (view is None or view.index != index or self.explore is not None
                or not self._alive or view.step.kind != "explore"):
            return
        await self.enter_explore()

    def action_leave_explore(self) -> None:
        self.leave_explore()

    def action_explore_move(self, offset: int) -> None:
        self.explore_display.move(offset)

    def action_nudge(self, direction: int) -> None:
        self.explore_display.edit(lambda session: session.nudge(direction))

    def action_step_size(self, up: int) -> None:
        self.explore_display.scale_step(up > 0)

    async def action_type_value(self) -> None:
        await self.explore_display.ask_value()
        self.refresh_bindings()

    @on(Input.Submitted, "#explore-value")
    def _value_typed(self, event: Input.Submitted) -> None:
        event.stop()
        self.explore_display.value_typed(event.input, event.value)
        self.refresh_bindings()

    def on_descendant_blur(self, event) -> None:
        # Leaving the value box (Escape, a click elsewhere) brings the explore keys back.
        if isinstance(event.widget, ValueInput):
            self.refresh_bindings()
        elif isinstance(event.widget, AnswerInput):
            # Answered, left with Escape, or stepped away from: unless the focus went somewhere
            # (Tab), it goes back to a pane, so ↑/↓ and PgUp/PgDn scroll again at once (with
            # no focus they did nothing until Tab was pressed twice).
            self.call_later(self._focus_reading)

    def _focus_reading(self) -> None:
        """Give the focus to the first pane shown (the Lesson pane's text on most steps), if
        nothing has it."""
        if not self._alive or self.focused is not None:
            return
        for _class, pane_id in PANES:
            pane = self.pane(pane_id)
            if pane.display and pane.body.display:
                self.set_focus(pane.body, scroll_visible=False)
                return

    def action_explore_reset(self) -> None:
        self.explore_display.reset()
        self.refresh_bindings()

    def action_write_lesson(self) -> None:
        """``w``: the explored network as a new lesson file in the current folder."""
        self.explore_display.write_lesson()
