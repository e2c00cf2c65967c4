"""The lesson screen's step control, without Textual: where stepping goes while a step that
needs training is prepared in a worker, which step is rendered ahead, when the step reached is
saved, and the header's status text.

The screen (nn_tui/ui/screens/lesson.py) asks :class:`StepControl` what to do with every step
it is told to go to and carries the answer out (it starts the worker, shows the view, sets the
timers); the control keeps the bookkeeping: which step is being prepared (:class:`StepQueue`),
which step the learner asked for since, which preparation a late "ready" message belongs to,
and when the save of the step reached is due (:class:`SaveSchedule`).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Protocol

from rich.text import Text

from nn_tui.lessons.session import StepView, race_epoch
from nn_tui.ui.literal import clean


class Cancellable(Protocol):
    """What the queue needs of a worker: a way to stop it."""

    def cancel(self) -> None: ...


class Route(Enum):
    """What the screen does with a step it is asked to go to."""

    WAIT = "wait"  # the preparation under way leads there: show it when ready
    SAME = "same"  # the step on screen: only its status line again
    PREPARE = "prepare"  # train it in a worker first (the screen calls ``started``)
    SHOW = "show"  # compute and show it now


class StepQueue:
    """The preparation of at most one step at a time, and the step wanted after it.

    ``preparing`` is the step being prepared (None when none is), ``wanted`` a step further on
    asked for meanwhile (reached once ``preparing`` is ready), ``run`` counts preparations so a
    late message from an abandoned one is ignored.
    """

    def __init__(self) -> None:
        self.preparing: int | None = None
        self.wanted: int | None = None
        self.run = 0
        self.worker: Cancellable | None = None

    @property
    def busy(self) -> bool:
        """Whether a step is being prepared."""
        return self.preparing is not None

    def target(self, shown: int) -> int:
        """The step stepping counts from: the one wanted or prepared, else ``shown``."""
        if self.preparing is None:
            return shown
        return self.wanted if self.wanted is not None else self.preparing

    def route(self, index: int, shown: int | None,
              needs_training: Callable[[int], bool]) -> Route:
        """What to do to go to step ``index`` (``shown``: the step on screen, if any).

        A step past the one being prepared that needs training too waits for it (that
        preparation is the first part of the way); any other step abandons the preparation
        (its finished trainings stay cached by the session).
        """
        if self.preparing is not None:
            if index == self.preparing:
                self.wanted = None
                return Route.WAIT
            if index > self.preparing and needs_training(index):
                self.wanted = index
                return Route.WAIT
            self.abandon()
        if shown is not None and index == shown:
            return Route.SAME
        return Route.PREPARE if needs_training(index) else Route.SHOW

    def started(self, index: int) -> int:
        """Note that step ``index`` is being prepared; returns the run number its worker's
        message must carry."""
        self.preparing = index
        self.run += 1
        return self.run

    def ready(self, run: int) -> tuple[bool, int | None]:
        """A preparation finished: (whether it is the current one, the step wanted since, if
        it is another). A stale run leaves the queue as it was."""
        if run != self.run or self.preparing is None:
            return False, None
        index, wanted = self.preparing, self.wanted
        self.preparing = self.wanted = None
        self.worker = None
        return True, wanted if wanted is not None and wanted != index else None

    def abandon(self) -> None:
        """Stop the preparation under way (if any) and forget the wanted step."""
        if self.worker is not None:
            self.worker.cancel()
        self.worker = None
        self.preparing = None
        self.wanted = None


class SaveSchedule:
    """When the step reached is written to disk: ``delay`` seconds after the first step since
    the last save, so a run of → presses costs one write (an fsync on every → cost more than
    some steps take to draw). Answers to questions are saved the moment they are given, and
    the screen saves at once on leaving, quitting and at the end of the lesson.
    """

    def __init__(self, delay: float) -> None:
        self.delay = delay  # seconds
        self.due: float | None = None  # when the pending save is due (None: none pending)

    @property
    def pending(self) -> bool:
        """Whether a step was reached since the last save."""
        return self.due is not None

    def step_reached(self, now: float) -> float | None:
        """A step was reached at ``now`` (seconds, monotonic): the seconds until its save when
        the screen must set a timer for it, None when the save already pending covers it."""
        if self.due is not None:
            return None
        self.due = now + self.delay
        return self.delay

    def saved(self) -> None:
        """The save was done (the timer fired, or the screen saved at once): none pending."""
        self.due = None


class StepControl:
    """Where stepping goes in a lesson of ``total`` steps: the step queue, the step rendered
    ahead and the save schedule (``needs_training(index)``: whether showing step ``index``
    trains first, so it is prepared in a worker).

    ``shown`` below is the index of the step on screen (None before the first one).
    """

    def __init__(self, total: int, needs_training: Callable[[int], bool],
                 save_delay: float) -> None:
        self.total = total
        self.needs_training = needs_training
        self.queue = StepQueue()
        self.saves = SaveSchedule(save_delay)

    @property
    def busy(self) -> bool:
        """Whether a step is being prepared."""
        return self.queue.busy

    def clamp(self, index: int) -> int:
        """``index`` within the lesson's steps."""
        return max(0, min(index, self.total - 1))

    def route(self, index: int, shown: int | None) -> Route:
        """What to do to go to step ``index`` (already clamped); see ``StepQueue.route``."""
        return self.queue.route(index, shown, self.needs_training)

    def following(self, shown: int) -> int:
        """The step → goes to (counted from the step wanted or being prepared, if any)."""
        return self.queue.target(shown) + 1

    def at_end(self, shown: int | None) -> bool:
        """Whether → ends the lesson: the last step is on screen and nothing is prepared."""
        return not self.busy and shown == self.total - 1

    def back(self, shown: int | None, start: int) -> int:
        """The step ← goes to (``start``: the step the screen opens on, before any is shown).

        While a step is being prepared, ← abandons it: back one step from it if that one is
        ready, else to the step still on screen (or, before any, the last one before it that
        needs no training).
        """
        target = self.queue.target(shown if shown is not None else start) - 1
        if not self.busy:
            return target
        self.queue.abandon()
        while (target > 0 and self.needs_training(target)
               and (shown is None or target > shown)):
            target -= 1
        return target

    def ahead(self, shown: int | None, live: bool, exploring: bool) -> int | None:
        """The step to render ahead while the learner reads step ``shown`` (None: none).

        The next step, unless a run is live, a step is being prepared, explore mode is on,
        or the next step would train first (rendering it ahead would train the network).
        """
        if shown is None or live or exploring or self.busy:
            return None
        following = shown + 1
        if following >= self.total or self.needs_training(following):
            return None
        return following


def status_text(view: StepView, live=None, finished: bool = False,
                paused: bool = False) -> Text:
    """The header's right side: the step, and the state of the network on screen or of the run
    in progress (``live``: its outcomes so far; the Loss pane has the run's losses and how to
    start it)."""
    text = Text(f"{view.position} · ")
    if live is None:
        text.append(clean(view.state_label))
        return text
    # Short enough for an 80-column header; the Loss pane names the runs and says why one
    # diverged.
    epoch, planned = race_epoch(live)
    text.append(f"epoch {epoch} of {planned}", style="bold")
    diverged = sum(1 for outcome in live if outcome.diverged)
    if diverged:
        text.append(f" · {diverged} diverged" if len(live) > 1 else " · diverged",
                    style="bold red")
    # (The key bar says what space does.)
    if finished:
        text.append(" · finished (→ next)", style="green")
    elif paused:
        text.append(" · paused", style="yellow")
    else:
        text.append(" · training")
    return text
