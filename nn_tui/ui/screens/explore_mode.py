"""How the lesson screen shows explore mode: edit any number of the step and watch every pane
answer.

The edits and their checks live in ``nn_tui.lessons.explore``, explore mode's state and
operations in :class:`~nn_tui.ui.exploring.ExploreControl` (neither uses Textual). The lesson
screen owns one ``ExploreDisplay``, which renders that state: it swaps the Lesson pane for the
Slope pane and the output picture, redraws the panes from the edited trace, renders the likely
next nudges ahead, starts the run from the edited network, and puts the lesson back exactly as
it was on leaving. The screen's key actions call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.await_remove import AwaitRemove
from textual.widget import Widget
from textual.widgets import Input

from nn_tui.format.numbers import num
from nn_tui.lessons.edits import EditError
from nn_tui.lessons.explore import write_lesson
from nn_tui.lessons.session import race_epoch
from nn_tui.lessons.writer import LessonWriteError
from nn_tui.ui.exploring import ExploreControl, refusal, step_editable
from nn_tui.ui.literal import clean
from nn_tui.ui.panes.picture_pane import PicturePane
from nn_tui.ui.panes.slope import ExploreState, SlopePane, target_symbol
from nn_tui.ui.perf.header import HeaderBar
from nn_tui.ui.training import TrainingRun
from nn_tui.ui.widgets.check import CheckArea

if TYPE_CHECKING:
    from nn_tui.ui.screens.lesson import LessonScreen

# How long after an edit the likely next edits (a nudge either way) are rendered ahead.
EXPLORE_PRERENDER_DELAY = 0.05  # seconds


@dataclass
class Saved:
    """The lesson screen as explore mode found it, put back exactly on leaving."""

    view: object  # the StepView every pane showed
    detail: str
    scroll: dict
    focused: Widget | None
    status: Text
    check_shown: bool


class ExploreDisplay:
    """Explore mode on ``screen``: renders ``screen.exploring`` (an ``ExploreControl``) and
    carries out its operations with the screen's panes, header, notices and training run."""

    def __init__(self, screen: LessonScreen) -> None:
        self.screen = screen
        self.control: ExploreControl = screen.exploring
        self._timer = None  # renders the next nudges ahead
        # Explore mode's own panes while exploring (mounted on entering, removed on leaving).
        self._slope: SlopePane | None = None
        self._picture: PicturePane | None = None
        # The last ones being removed, and their removals: Textual removes a widget in its own
        # task, after ``remove()`` returns, so entering again at once (the palette's "go to
        # step" to another explore step, Esc then e, ← then →) would mount a second
        # ``#pane-slope`` beside the one being removed (DuplicateIds).
        self._removing: list[Widget] = []
        self._removals: list[AwaitRemove] = []

    @property
    def slope_pane(self) -> SlopePane | None:
        """Explore mode's readout (mounted only while exploring; None once it is being
        removed, and once the screen is torn down)."""
        pane = self._slope
        return pane if pane is not None and pane.is_attached else None

    @property
    def picture_pane(self) -> PicturePane | None:
        """Explore mode's output picture (as ``slope_pane``)."""
        pane = self._picture
        return pane if pane is not None and pane.is_attached else None

    def training(self) -> bool:
        """Whether a run from the edited network is going on (running or paused)."""
        runner = self.screen._one(TrainingRun)
        return runner is not None and self.control.is_training(runner.active, runner.run)

    def _notify(self, message: str, title: str = "Explore", **options) -> None:
        self.screen.notify(clean(message), title=title, markup=False, **options)

    # -- entering and leaving --------------------------------------------------------------------

    async def enter(self, editable=None) -> bool:
        """Explore the numbers of the step on screen (``editable``: the EditTargets the cursor
        may reach; None for every one, or at an explore step the ones it lists). Refused, with
        a notice saying why (``exploring.refusal``)."""
        screen, control = self.screen, self.control
        if not screen._alive or screen.view is None or control.active:
            return False
        runner = screen._one(TrainingRun)
        check = screen._one(CheckArea)
        why = refusal(
            busy=screen.steps.busy,
            training=runner is not None and runner.active,
            unanswered=(screen.view.step.kind == "check" and check is not None
                        and check.index is not None and not check.settled))
        if why is not None:
            self._notify(why, severity="warning", timeout=6)
            return False
        view = screen._shown_view or screen.view
        header = screen._one(HeaderBar)
        saved = Saved(
            view=view, detail=screen.detail,
            scroll={pane_id: self._scroller(pane_id).scroll_y for _c, pane_id in screen.PANES
                    if self._scroller(pane_id) is not None},
            focused=screen.focused, status=header._status.copy() if header else Text(),
            check_shown=bool(check is not None and check.display),
        )
        try:
            control.enter(view, step_editable(view) if editable is None else editable, saved,
                          update_shown=any(step.kind == "update"
                                           for step in screen.lesson.steps[:view.index + 1]))
        except ValueError as error:
            self._notify(f"Nothing to explore here: {error}", severity="warning")
            return False
        screen.stop_prerender()
        if check is not None:
            check.display = False
        if screen.detail == "pane-loss":
            screen.detail = "pane-forward"  # the Loss pane is below the readout anyway
        screen.set_focus(None)
        # The readout takes the Lesson pane's place in the grid (it is mounted right after it
        # and the Lesson pane is hidden); it exists only while exploring, so leaving gives back
        # the screen's own widgets and nothing else. The output picture is mounted after it:
        # beside it on a large terminal, one of the panes t brings under it on a small one.
        session = control.session
        if self._removing:
            # The panes of the last time may still be being removed: they go first (their ids
            # are the new ones'). Leaving explore mode meanwhile (a palette command runs in
            # the app's task, not the screen's) ends this entering.
            await self._removed()
            if control.session is not session or not screen._alive:
                return False
        grid = screen.query_one("#panes")
        self._slope = SlopePane(id="pane-slope")
        self._picture = PicturePane(id="pane-picture")
        await grid.mount(self._slope, self._picture, after=screen.pane("pane-lesson"))
        if control.session is not session or not screen._alive:
            return False  # left while they were mounted (``leave`` removed them)
        screen._apply_layout()
        self.render()
        screen.refresh_bindings()
        return True

    def leave(self) -> None:
        """Back to the lesson exactly as it was: the same view object on every pane, the same
        pane in the detail slot, the same scroll positions, focus and header."""
        screen, control = self.screen, self.control
        if not control.active:
            return
        if self.training():
            screen._one(TrainingRun).cancel()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        saved = control.leave()
        self._remove_panes()
        if saved is None or not screen._alive:
            return
        screen.detail = saved.detail
        check = screen._one(CheckArea)
        if check is not None:
            check.display = saved.check_shown
        screen._apply_layout()
        for _class, pane_id in screen.PANES:
            screen.pane(pane_id).show(saved.view)
        screen.pane("pane-loss").redraw_if_stale()  # the run's plot goes now, not at a tick
        screen._shown_view = saved.view
        header = screen._one(HeaderBar)
        if header is not None:
            header.set_status(saved.status)

        def restore() -> None:
            for pane_id, offset in saved.scroll.items():
                body = self._scroller(pane_id)
                if body is not None and body.scroll_y != offset:
                    body.scroll_to(y=offset, animate=False)

        restore()
        screen.call_after_refresh(restore)
        focused = saved.focused
        if focused is not None and focused.is_attached and focused.display:
            screen.set_focus(focused)
        screen.refresh_bindings()

    def _remove_panes(self) -> None:
        """Remove the Slope pane and the output picture; ``enter`` waits for that removal to
        finish before it mounts their successors (``_removed``)."""
        panes = [pane for pane in (self._slope, self._picture)
                 if pane is not None and pane.is_attached]
        self._slope = self._picture = None
        if panes:
            removal = panes[0].parent.remove_children(panes)
            self._removing = [*(pane for pane in self._removing if pane.is_attached), *panes]
            self._removals = [*self._removals, removal]

    async def _removed(self) -> None:
        """Wait until the panes of the last explore mode are gone (at once when they are: a
        removed widget is detached when Textual has finished removing it)."""
        if any(pane.is_attached for pane in self._removing):
            for removal in self._removals:
                await removal
        self._removing, self._removals = [], []

    def _scroller(self, pane_id: str):
        """The part of a pane that scrolls (its PaneBody; the Loss pane's numbers)."""
        if pane_id == "pane-loss":
            return self.screen._one("#loss-info")
        return getattr(self.screen.pane(pane_id), "body", None)

    # -- rendering -------------------------------------------------------------------------------

    def state(self) -> ExploreState:
        """What the Slope pane shows of the control's state."""
        session = self.control.session
        trace = session.trace
        goal = self.control.goal_text()
        step = session.view.step
        return ExploreState(
            goal=goal,
            title=clean(step.title) if goal is not None else "",
            text=clean(step.text) if goal is not None else "",
            readout=session.readout(),
            symbol=target_symbol(trace, session.selected),
            step=session.step_label,
            changes=tuple((target_symbol(trace, target), old, new)
                          for target, old, new in session.changes()),
            editable_count=len(session.targets),
            position=session.cursor,
            training=self.training(),
        )

    def render(self) -> None:
        """Every pane from the edited trace (each redraws only if its content changed), the
        readout and the header; then the likely next edits are rendered ahead."""
        screen, control = self.screen, self.control
        if not control.active or not screen._alive:
            return
        view = control.view()
        for _class, pane_id in screen.PANES:
            pane = screen.pane(pane_id)
            pane.show(view)
            if getattr(pane, "SHOWS_CURSOR", False) and pane.display:
                pane.follow_cursor()
        # Reaching the goal is said in the Slope pane, not in a notice: a notice outlived the
        # step and covered the next step's Check box.
        control.record_goal(screen.store, screen.lesson.id)
        slope = self.slope_pane
        if slope is not None:
            slope.show_state(self.state())
        self.show_picture(view.network, view.trace.x)
        self.status()
        if self._timer is not None:
            self._timer.stop()
        self._timer = screen.set_timer(EXPLORE_PRERENDER_DELAY, self._prerender_nudges)

    def show_picture(self, network, x) -> None:
        """The output picture of ``network`` with the traced (edited) example ``x`` marked,
        over the data as training from here would use it."""
        picture, session = self.picture_pane, self.control.session
        if picture is None or session is None:
            return
        X, Y = session.shown_data(self.screen.session.X, self.screen.session.Y)
        view = session.view
        picture.show_network(network, X, Y, x, session.rows, view.input_names,
                             view.output_names)

    def status(self, epoch: str = "") -> None:
        """The header: EXPLORE, the number under the cursor and its step, the edits or the
        run's state (``epoch``), the goal at an explore step."""
        header = self.screen._one(HeaderBar)
        session = self.control.session
        if header is None or session is None:
            return
        text = Text("EXPLORE", style="bold reverse")
        symbol = target_symbol(session.trace, session.selected)
        text.append(f" {symbol} = {num(session.value())} · step {session.step_label}")
        if epoch:
            text.append(f" · {epoch}", style="bold")
        elif session.edited:
            count = len(session.edits)
            text.append(f" · {count} edit{'s' if count > 1 else ''} (0 resets)")
        reached = self.control.goal_reached()
        if reached is not None:
            text.append(" · goal ✓" if reached else " · goal: not yet",
                        style="bold green" if reached else "bold")
        text.append(" · Esc leaves", style="dim")
        header.set_status(text)

    def _prerender_nudges(self) -> None:
        """While the learner looks, compute and render a nudge either way, so the next + or −
        only has to paint (what → does for the next step)."""
        self._timer = None
        screen, control = self.screen, self.control
        slope = self.slope_pane
        if not control.active or not screen._alive or self.training() or slope is None:
            return
        for _direction in control.nudge_previews():
            view = control.view()
            state = self.state()
            for _class, pane_id in screen.PANES:
                pane = screen.pane(pane_id)
                if pane.display and hasattr(pane, "prerender"):
                    pane.prerender(view)
            slope.prerender_state(state)

    # -- operations ------------------------------------------------------------------------------

    def edit(self, change) -> None:
        """Run one edit (``change(session)``); a refused one says why and changes nothing."""
        control = self.control
        if not control.active:
            return
        try:
            dropped = control.edit(change)
        except EditError as error:
            self._notify(str(error), severity="error", timeout=6)
            return
        if dropped:
            self.screen._apply_layout()  # the run's plot goes with its outcomes
        self.render()

    def move(self, offset: int) -> None:
        if self.control.active:
            self.control.move(offset)
            self.render()

    def scale_step(self, up: bool) -> None:
        if self.control.active:
            self.control.scale_step(up)
            self.render()

    def hint(self) -> None:
        self.control.hint()
        self.render()

    async def ask_value(self) -> None:
        """Open the Slope pane's box for an exact value of the number under the cursor."""
        session, slope = self.control.session, self.slope_pane
        if session is not None and slope is not None:
            await slope.ask_value(target_symbol(session.trace, session.selected),
                                  session.value())

    def value_typed(self, box: Input, text: str) -> None:
        """The value typed in the box: set it (a refused one stays in the box, to be
        corrected, with a notice saying why)."""
        if not self.control.active:
            box.display = False
            return
        try:
            dropped = self.control.edit(lambda session: session.set_text(text))
        except EditError as error:
            self._notify(str(error), title="Not a value for this number", severity="error",
                         timeout=6)
            return
        box.value = ""
        box.display = False
        self.screen.set_focus(None)
        if dropped:
            self.screen._apply_layout()
        self.render()

    def reset(self) -> None:
        """Every number back to the step's own (a run from them is stopped)."""
        if not self.control.active:
            return
        if self.training():
            self.screen._one(TrainingRun).cancel()
        self.control.reset()
        self.screen._apply_layout()
        self.render()
        self.screen.pane("pane-loss").redraw_if_stale()

    def write_lesson(self) -> None:
        """The explored network as a new lesson file in the current folder."""
        session, screen = self.control.session, self.screen
        if session is None:
            return
        folder = None
        try:
            folder = Path.cwd()  # (gone if the folder was deleted under the tutor)
            path = write_lesson(session, screen.lesson, folder, step_label=screen.view.position)
        except OSError as error:
            where = folder or "the current folder"
            self._notify(f"Could not write the lesson in {where}: {error.strerror or error}",
                         title="Save as lesson", severity="error", timeout=10)
            return
        except LessonWriteError as error:  # e.g. a weight a diverged run left at ±∞
            self._notify(f"This network cannot be written as a lesson: {error}",
                         title="Save as lesson", severity="error", timeout=10)
            return
        self._notify(f"Wrote {path.name} in {folder} (open it with: nn-tui {path.name})",
                     title="Saved as a lesson", timeout=10)

    # -- training from the edited network --------------------------------------------------------

    def start_training(self, paused: bool = False) -> None:
        """Train from the edited network (``paused``: started paused, for one epoch)."""
        screen, control = self.screen, self.control
        runner = screen._one(TrainingRun)
        if not control.active or runner is None:
            return
        jobs, X, Y, shown = control.training_job(screen.lesson, screen.view,
                                                 screen.session.X, screen.session.Y)
        control.run_started(runner.start_jobs(jobs, X, Y, shown, screen.view.index, paused))
        screen._apply_layout()
        self.status(epoch="training")
        screen.refresh_bindings()

    def progress(self, message) -> None:
        """A run from the edited network moved on: the Loss pane follows every message, the
        other panes and the picture ``LIVE_PANES_HZ`` times a second."""
        screen = self.screen
        self._show_progress(message, screen.every_pane_now(message, self._catch_up))
        epoch, planned = race_epoch(message.outcomes)
        runner = screen._one(TrainingRun)
        state = "paused" if runner is not None and runner.paused else "training"
        self.status(epoch=f"epoch {epoch} of {planned} · {state}")

    def _show_progress(self, message, every_pane: bool) -> None:
        screen = self.screen
        live = self.control.live_view(message.outcomes, message.trace)
        for _class, pane_id in screen.PANES:
            if pane_id == "pane-loss" or every_pane and pane_id != "pane-lesson":
                screen.pane(pane_id).show(live)
        if every_pane:
            self.show_picture(live.network, live.trace.x)

    def _catch_up(self, message) -> None:
        """Every pane and the picture at ``message`` (LessonScreen.every_pane_now), unless the
        run has moved on (finished, reset, explore mode left)."""
        if self.screen.explore is not None and self.training() and message.run == self.control.run:
            self._show_progress(message, every_pane=True)

    def finished(self, message) -> None:
        """The run ended: its network becomes the edited one, its outcomes stay in view."""
        screen = self.screen
        outcomes = message.outcomes
        self.control.run_finished(outcomes)
        screen._apply_layout()
        self.render()
        screen.pane("pane-loss").redraw_if_stale()
        epoch, planned = race_epoch(outcomes)
        verdict = "diverged" if outcomes[0].diverged else "finished"
        self.status(epoch=f"epoch {epoch} of {planned} · {verdict} (0 resets)")
        screen.refresh_bindings()

    def training_state(self) -> None:
        """The header after space paused or resumed the run."""
        if self.training():
            runner = self.screen._one(TrainingRun)
            self.status(epoch="paused" if runner.paused else "training")
