"""The lesson screen's step control, without Textual: where stepping goes while a step that
needs training is prepared in a worker, and the header's status text.

The screen (nn_tui/ui/screens/lesson.py) asks :class:`StepQueue` what to do with every step it
is told to go to and carries the answer out (it starts the worker, shows the view); the queue
keeps the bookkeeping: which step is being prepared, which step the learner asked for since,
and which preparation a late "ready" message belongs to.
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
