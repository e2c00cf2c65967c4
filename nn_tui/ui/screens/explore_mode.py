"""Explore mode of the lesson screen: edit any number of the step and watch every pane answer.

The edits and their checks live in ``nn_tui.lessons.explore`` (no Textual); this base class of
``LessonScreen`` shows them: it swaps the Lesson pane for the Slope pane and the output
picture, redraws the panes from the edited trace, trains from the edited network, and puts the
lesson back exactly as it was on leaving. It relies on the lesson screen's panes, layout and
stepping (``PANES``, ``_apply_layout``, ``go``...).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import Input

from nn_tui.format.goal_text import goal_words
from nn_tui.format.numbers import num
from nn_tui.lessons.edits import EditError
from nn_tui.lessons.explore import ExploreSession, write_lesson
from nn_tui.lessons.session import Reveal, StepView, TrainingJob, race_epoch
from nn_tui.lessons.writer import LessonWriteError
from nn_tui.ui.literal import clean
from nn_tui.ui.panes.picture_pane import PicturePane
from nn_tui.ui.panes.slope import ExploreState, SlopePane, ValueInput, target_symbol
from nn_tui.ui.perf.header import HeaderBar
from nn_tui.ui.perf.screen import QuietFocusScreen
from nn_tui.ui.training import TrainingRun
from nn_tui.ui.widgets.check import CheckArea

# Explore mode: the actions its keys run (enabled only while exploring), and how long after an
# edit the likely next edits (a nudge either way) are computed and rendered ahead.
EXPLORE_ACTIONS = ("explore_move", "nudge", "step_size", "type_value", "explore_reset",
                   "leave_explore", "write_lesson")
EXPLORE_EDIT_ACTIONS = ("explore_move", "nudge", "step_size", "type_value", "write_lesson")
EXPLORE_PRERENDER_DELAY = 0.05  # seconds


@dataclass
class _Saved:
    """The lesson screen as explore mode found it, put back exactly on leaving."""

    view: StepView
    detail: str
    scroll: dict
    focused: Widget | None
    status: Text
    check_shown: bool


class ExploreScreen(QuietFocusScreen):
    """The explore-mode half of ``LessonScreen`` (which sets ``PANES`` and ``LIVE_PANES_HZ``)."""

    PANES: ClassVar[tuple] = ()  # (pane class, widget id) in grid order
    LIVE_PANES_HZ: ClassVar[float] = 2  # how often live training redraws the other panes

    def _explore_training(self) -> bool:
        """Whether a run from the edited network is going on (running or paused)."""
        runner = self._one(TrainingRun)
        return (self._explore_run is not None and runner is not None and runner.active
                and runner.run == self._explore_run)

    async def action_explore(self) -> None:
        """``e``: enter explore mode, or leave it."""
        if self.explore is not None:
            self.leave_explore()
        else:
            await self.enter_explore()

    @property
    def slope_pane(self) -> SlopePane | None:
        """Explore mode's readout (mounted only while exploring)."""
        return self._one(SlopePane)

    @property
    def picture_pane(self) -> PicturePane | None:
        """Explore mode's output picture (mounted only while exploring)."""
        return self._one(PicturePane)

    def _show_picture(self, network, x) -> None:
        """The output picture of ``network`` with the traced (edited) example ``x`` marked,
        over the data as training from here would use it."""
        picture, explore = self.picture_pane, self.explore
        if picture is None or explore is None:
            return
        X, Y = explore.shown_data(self.session.X, self.session.Y)
        view = explore.view
        picture.show_network(network, X, Y, x, explore.rows, view.input_names,
                             view.output_names)

    async def _open_explore_step(self, index: int) -> None:
        view = self.view
        if (view is None or view.index != index or self.explore is not None
                or not self._alive or view.step.kind != "explore"):
            return
        await self.enter_explore()

    @staticmethod
    def _step_editable(view: StepView):
        """The numbers an explore step lets the learner change (None: every number)."""
        if view.step.kind != "explore":
            return None
        from nn_tui.lessons.explore_goal import step_targets

        try:
            return step_targets(view.step, view.network, view.trace.x, view.trace.y)
        except EditError:
            return None  # (nn-tui check refuses such a lesson)

    def _goal_reached(self, record: bool = False) -> bool | None:
        """At an explore step: whether the edited network meets the step's goal (None at other
        steps). With ``record`` (an edit the learner made, not one rendered ahead), reaching
        it counts like a right answer: the step's record is saved as correct the first time,
        with a notice."""
        explore = self.explore
        if explore is None or explore.view.step.kind != "explore":
            return None
        from nn_tui.lessons.explore_goal import GoalError, goal_met, trace_context

        trace = explore.trace
        if getattr(self, "_goal_for", (None, None))[0] is not trace:
            runs = tuple(explore.view.trainings) + tuple(self._explore_trainings)
            context = trace_context(trace, {outcome.variant_id: outcome.to_dict()
                                            for outcome in runs})
            try:
                met = goal_met(explore.view.step, context)
            except GoalError:
                met = False
            self._goal_for = (trace, met)
        met = self._goal_for[1]
        if met and record:
            answer = self.store.get(self.lesson.id).check(explore.view.index)
            if not answer.correct:
                answer.correct = True
                answer.skipped = False
                answer.attempts += 1
                # Said in the Slope pane, not in a notice: a notice outlived the step and
                # covered the next step's Check box.
                self.store.save()
        return met

    async def enter_explore(self, editable=None) -> bool:
        """Explore the numbers of the step on screen (``editable``: the EditTargets the cursor
        may reach; None for every one, or at an explore step the ones it lists).

        Refused, with a notice saying why, while a step is being prepared, while the lesson's
        own run trains, and at a question not yet answered: explore mode shows the whole
        computation, the number asked for included."""
        if not self._alive or self.view is None or self.explore is not None:
            return False
        refusal = None
        runner = self._one(TrainingRun)
        check = self._one(CheckArea)
        if self.steps.busy:
            refusal = "This step is still being prepared: explore it once it is on screen."
        elif runner is not None and runner.active:
            refusal = ("The network is training: let the run finish (or step away) before "
                       "exploring; space pauses it.")
        elif (self.view.step.kind == "check" and check is not None and check.index is not None
              and not check.settled):
            refusal = ("Explore opens once this question is answered (or its answer revealed): "
                       "it shows every number, the one asked for too.")
        if refusal is not None:
            self.notify(refusal, title="Explore", severity="warning", timeout=6, markup=False)
            return False
        view = self._shown_view or self.view
        self._explore_hints = 0
        if editable is None:
            editable = self._step_editable(view)
        try:
            self.explore = ExploreSession(view, editable, update_shown=any(
                step.kind == "update" for step in self.lesson.steps[:view.index + 1]))
        except ValueError as error:
            self.notify(f"Nothing to explore here: {error}", title="Explore",
                        severity="warning", markup=False)
            return False
        header = self._one(HeaderBar)
        self._explore_saved = _Saved(
            view=view, detail=self.detail,
            scroll={pane_id: self._scroller(pane_id).scroll_y for _c, pane_id in self.PANES
                    if self._scroller(pane_id) is not None},
            focused=self.focused, status=header._status.copy() if header else Text(),
            check_shown=bool(check is not None and check.display),
        )
        if self._prerender_timer is not None:
            self._prerender_timer.stop()
            self._prerender_timer = None
        if check is not None:
            check.display = False
        if self.detail == "pane-loss":
            self.detail = "pane-forward"  # the Loss pane is below the readout anyway
        self.set_focus(None)
        # The readout takes the Lesson pane's place in the grid (it is mounted right after it
        # and the Lesson pane is hidden); it exists only while exploring, so leaving gives back
        # the screen's own widgets and nothing else. An output picture pane would be mounted
        # after it: the slot under it at 120×36 and more (the Lesson pane's two rows).
        grid = self.query_one("#panes")
        slope = SlopePane(id="pane-slope")
        await grid.mount(slope, after=self.pane("pane-lesson"))
        # The output picture beside the readout (wide: the grid places it next), or one of the
        # panes t brings under the readout (small).
        await grid.mount(PicturePane(id="pane-picture"), after=slope)
        self._apply_layout()
        self._render_explore()
        self.refresh_bindings()
        return True

    def leave_explore(self) -> None:
        """Back to the lesson exactly as it was: the same view object on every pane, the same
        pane in the detail slot, the same scroll positions, focus and header."""
        if self.explore is None:
            return
        if self._explore_training():
            self._one(TrainingRun).cancel()
        if self._explore_timer is not None:
            self._explore_timer.stop()
            self._explore_timer = None
        saved = self._explore_saved
        self.explore = None
        self._explore_saved = None
        self._explore_run = None
        self._explore_trainings = ()
        for pane in (self.slope_pane, self.picture_pane):
            if pane is not None:
                pane.remove()
        if saved is None or not self._alive:
            return
        self.detail = saved.detail
        check = self._one(CheckArea)
        if check is not None:
            check.display = saved.check_shown
        self._apply_layout()
        for _class, pane_id in self.PANES:
            self.pane(pane_id).show(saved.view)
        self.pane("pane-loss").redraw_if_stale()  # the run's plot goes now, not at a tick
        self._shown_view = saved.view
        header = self._one(HeaderBar)
        if header is not None:
            header.set_status(saved.status)

        def restore() -> None:
            for pane_id, offset in saved.scroll.items():
                body = self._scroller(pane_id)
                if body is not None and body.scroll_y != offset:
                    body.scroll_to(y=offset, animate=False)

        restore()
        self.call_after_refresh(restore)
        focused = saved.focused
        if focused is not None and focused.is_attached and focused.display:
            self.set_focus(focused)
        self.refresh_bindings()

    def _scroller(self, pane_id: str):
        """The part of a pane that scrolls (its PaneBody; the Loss pane's numbers)."""
        pane = self.pane(pane_id)
        if pane_id == "pane-loss":
            return self._one("#loss-info")
        return getattr(pane, "body", None) if hasattr(pane, "body") else None

    def action_leave_explore(self) -> None:
        self.leave_explore()

    def _explore_state(self, readout=None) -> ExploreState:
        explore = self.explore
        readout = readout or explore.readout()
        trace = explore.trace
        step = explore.view.step
        goal = None
        if step.kind == "explore":
            reached = bool(self._goal_reached())
            goal = (clean(step.prompt), clean(goal_words(step.goal, trace)), reached,
                    clean(step.explanation) if reached else "",
                    tuple(clean(hint) for hint in step.hints[:self._explore_hints]))
        return ExploreState(
            goal=goal,
            title=clean(step.title) if goal is not None else "",
            text=clean(step.text) if goal is not None else "",
            readout=readout,
            symbol=target_symbol(trace, explore.selected),
            step=explore.step_label,
            changes=tuple((target_symbol(trace, target), old, new)
                          for target, old, new in explore.changes()),
            editable_count=len(explore.targets),
            position=explore.cursor,
            training=self._explore_training(),
        )

    def _explore_view(self):
        view = self.explore.explore_view()
        if self._explore_trainings:
            view = dataclasses.replace(view, trainings=self._explore_trainings)
        return view

    def _render_explore(self) -> None:
        """Every pane from the edited trace (each redraws only if its content changed), the
        readout and the header; then the likely next edits are rendered ahead."""
        if self.explore is None or not self._alive:
            return
        view = self._explore_view()
        for _class, pane_id in self.PANES:
            pane = self.pane(pane_id)
            pane.show(view)
            if getattr(pane, "SHOWS_CURSOR", False) and pane.display:
                pane.follow_cursor()
        self._goal_reached(record=True)
        slope = self.slope_pane
        if slope is not None:
            slope.show_state(self._explore_state())
        self._show_picture(view.network, view.trace.x)
        self._explore_status()
        if self._explore_timer is not None:
            self._explore_timer.stop()
        self._explore_timer = self.set_timer(EXPLORE_PRERENDER_DELAY, self._prerender_nudges)

    def _explore_status(self, epoch: str = "") -> None:
        header = self._one(HeaderBar)
        explore = self.explore
        if header is None or explore is None:
            return
        text = Text("EXPLORE", style="bold reverse")
        symbol = target_symbol(explore.trace, explore.selected)
        text.append(f" {symbol} = {num(explore.value())} · step {explore.step_label}")
        if epoch:
            text.append(f" · {epoch}", style="bold")
        elif explore.edited:
            count = len(explore.edits)
            text.append(f" · {count} edit{'s' if count > 1 else ''} (0 resets)")
        reached = self._goal_reached()
        if reached is not None:
            text.append(" · goal ✓" if reached else " · goal: not yet",
                        style="bold green" if reached else "bold")
        text.append(" · Esc leaves", style="dim")
        header.set_status(text)

    def _prerender_nudges(self) -> None:
        """While the learner looks, compute and render a nudge either way, so the next + or −
        only has to paint (what → does for the next step)."""
        self._explore_timer = None
        explore = self.explore
        if explore is None or not self._alive or self._explore_training():
            return
        saved = (explore.edits, explore.last)
        slope = self.slope_pane
        if slope is None:
            return
        try:
            for direction in (1, -1):
                try:
                    explore.nudge(direction)
                except EditError:
                    continue
                view = self._explore_view()
                state = self._explore_state()
                for _class, pane_id in self.PANES:
                    pane = self.pane(pane_id)
                    if pane.display and hasattr(pane, "prerender"):
                        pane.prerender(view)
                slope.prerender_state(state)
                explore.edits, explore.last = saved
        finally:
            explore.edits, explore.last = saved

    def _explore_edit(self, change) -> None:
        """Run one edit of the explore session; a refused one says why and changes nothing."""
        if self.explore is None:
            return
        try:
            change(self.explore)
        except EditError as error:
            self.notify(clean(str(error)), title="Explore", severity="error", timeout=6,
                        markup=False)
            return
        if self._explore_trainings:
            self._explore_trainings = ()  # the run's curve belongs to the network it trained
            self._apply_layout()
        self._render_explore()

    def action_explore_move(self, offset: int) -> None:
        if self.explore is not None:
            self.explore.move(offset)
            self._render_explore()

    def action_nudge(self, direction: int) -> None:
        self._explore_edit(lambda explore: explore.nudge(direction))

    def action_step_size(self, up: int) -> None:
        if self.explore is not None:
            self.explore.scale_step(up > 0)
            self._render_explore()

    async def action_type_value(self) -> None:
        explore = self.explore
        slope = self.slope_pane
        if explore is not None and slope is not None:
            await slope.ask_value(target_symbol(explore.trace, explore.selected),
                                  explore.value())
            self.refresh_bindings()

    @on(Input.Submitted, "#explore-value")
    def _value_typed(self, event: Input.Submitted) -> None:
        event.stop()
        explore = self.explore
        box = event.input
        if explore is None:
            box.display = False
            return
        try:
            explore.set_text(event.value)
        except EditError as error:
            # Nothing changed; the box stays open with what was typed, to be corrected.
            self.notify(clean(str(error)), title="Not a value for this number",
                        severity="error", timeout=6, markup=False)
            return
        box.value = ""
        box.display = False
        self.set_focus(None)
        if self._explore_trainings:
            self._explore_trainings = ()
            self._apply_layout()
        self._render_explore()
        self.refresh_bindings()

    def on_descendant_blur(self, event) -> None:
        # Leaving the value box (Escape, a click elsewhere) brings the explore keys back.
        if isinstance(event.widget, ValueInput):
            self.refresh_bindings()

    def action_explore_reset(self) -> None:
        if self.explore is None:
            return
        if self._explore_training():
            self._one(TrainingRun).cancel()
        self._explore_run = None
        self._explore_trainings = ()
        self.explore.reset()
        self._apply_layout()
        self._render_explore()
        self.pane("pane-loss").redraw_if_stale()
        self.refresh_bindings()

    def action_write_lesson(self) -> None:
        """``w``: the explored network as a new lesson file in the current folder."""
        explore = self.explore
        if explore is None:
            return
        folder = None
        try:
            folder = Path.cwd()  # (gone if the folder was deleted under the tutor)
            path = write_lesson(explore, self.lesson, folder, step_label=self.view.position)
        except OSError as error:
            where = folder or "the current folder"
            self.notify(clean(f"Could not write the lesson in {where}: "
                              f"{error.strerror or error}"),
                        title="Save as lesson", severity="error", timeout=10, markup=False)
            return
        except LessonWriteError as error:  # e.g. a weight a diverged run left at ±∞
            self.notify(clean(f"This network cannot be written as a lesson: {error}"),
                        title="Save as lesson", severity="error", timeout=10, markup=False)
            return
        self.notify(clean(f"Wrote {path.name} in {folder} (open it with: nn-tui {path.name})"),
                    title="Saved as a lesson", timeout=10, markup=False)

    # -- training from the edited network --------------------------------------------------------

    def _start_explore_training(self, paused: bool = False) -> None:
        explore, runner = self.explore, self._one(TrainingRun)
        if explore is None or runner is None:
            return
        network, x, y = explore.edited_data()
        X, Y = explore.training_data(self.session.X, self.session.Y)
        step = self.view.step
        training = self.lesson.training
        epochs = step.epochs if step.kind == "train" and step.epochs else training.epochs
        job = TrainingJob("explore", "your edited network", network, epochs,
                          training.batch_size, training.shuffle_seed)
        self._explore_trainings = ()
        self._explore_run = runner.start_jobs((job,), X, Y, (x, y, explore.rows),
                                              self.view.index, paused)
        self._apply_layout()
        self._explore_status(epoch="training")
        self.refresh_bindings()

    def _explore_live_view(self, outcomes, trace):
        """The view of a run from the edited network, as a train step shows its run: the
        forward pass and the loss live (the chain rule and the update return when it ends;
        redrawing them twice a second took a third of the training's speed)."""
        depth = len(trace.layers)
        return dataclasses.replace(self.explore.explore_view(), trace=trace,
                                   network=outcomes[0].network, trainings=outcomes, base=None,
                                   reveal=Reveal(forward=depth, loss=True))

    def _explore_progress(self, message) -> None:
        now = time.monotonic()
        every_pane = now - self._panes_updated >= 1 / self.LIVE_PANES_HZ
        if every_pane:
            self._panes_updated = now
        live = self._explore_live_view(message.outcomes, message.trace)
        for _class, pane_id in self.PANES:
            if pane_id == "pane-loss" or every_pane and pane_id != "pane-lesson":
                self.pane(pane_id).show(live)
        if every_pane:
            self._show_picture(live.network, live.trace.x)
        epoch, planned = race_epoch(message.outcomes)
        runner = self._one(TrainingRun)
        state = "paused" if runner is not None and runner.paused else "training"
        self._explore_status(epoch=f"epoch {epoch} of {planned} · {state}")

    def _explore_finished(self, message) -> None:
        outcomes = message.outcomes
        self.explore.adopt(outcomes[0].network)
        self._explore_run = None
        self._explore_trainings = outcomes
        self._apply_layout()
        self._render_explore()
        self.pane("pane-loss").redraw_if_stale()
        epoch, planned = race_epoch(outcomes)
        verdict = "diverged" if outcomes[0].diverged else "finished"
        self._explore_status(epoch=f"epoch {epoch} of {planned} · {verdict} (0 resets)")
        self.refresh_bindings()
