"""Live training of a train step in a thread worker.

The worker only computes (engine code) and posts messages carrying copies: the partial
``TrainingOutcome`` of every job and a trace of the first job's current network on the step's
data. Widgets are updated by the screen that receives the messages, never from the thread.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from nn_tui.ui.literal import clean

if TYPE_CHECKING:
    from nn_tui.engine import Trace
    from nn_tui.lessons.session import LessonSession, StepView, TrainingOutcome

# At most this many progress messages per second (the plot redraws at the same rate). Each one
# redraws the panes, tens of milliseconds on the UI thread; at 20 a second the UI thread held the
# interpreter lock a third of the time and slowed training down.
POSTS_PER_SECOND = 4
# Epochs run between two looks at the pause/cancel flags are sized so one chunk takes about this
# long, so space and q answer within a few tens of milliseconds.
CHUNK_SECONDS = 0.02
MAX_CHUNK = 500


class TrainingRun(Widget):
    """Owns the training worker of the current train step; invisible (it only sends messages)."""

    DEFAULT_CSS = "TrainingRun { display: none; }"

    @dataclass
    class Progress(Message):
        run: int  # which start() this belongs to: a cancelled run's late messages are ignored
        index: int
        outcomes: tuple["TrainingOutcome", ...]  # partial: epochs_run < epochs_planned
        trace: "Trace"  # the first job's current network on the step's data

    @dataclass
    class Finished(Message):
        run: int
        index: int
        outcomes: tuple["TrainingOutcome", ...]
        trace: "Trace"

    def __init__(self) -> None:
        super().__init__()
        self._resume = threading.Event()  # set = running, clear = paused
        self._single_epochs = 0  # epochs requested with "." while paused
        self._lock = threading.Lock()
        self._worker: Worker | None = None
        self.index: int | None = None
        self.run = 0

    # -- control (UI thread) ---------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self._worker is not None and self._worker.state in (
            WorkerState.PENDING, WorkerState.RUNNING)

    @property
    def paused(self) -> bool:
        return self.active and not self._resume.is_set()

    def start(self, session: "LessonSession", view: "StepView", paused: bool = False) -> None:
        # The jobs are read from the session here, in the UI thread, so the worker never
        # touches the session (the screen keeps using it while training runs).
        jobs = session.training_jobs(view.index)
        self.start_jobs(jobs, session.X, session.Y, session.selected_data(view.selection),
                        view.index, paused)

    def start_jobs(self, jobs, X, Y, data, index: int, paused: bool = False) -> int:
        """Train ``jobs`` (``TrainingJob``s) on the rows ``X``, ``Y``, tracing ``data`` (x, y,
        rows) in the progress messages, for the step ``index``; returns the run's number.
        Explore mode trains its edited network through this, under the same rules."""
        self.cancel()
        self.run += 1
        self.index = index
        if paused:
            self._resume.clear()
        else:
            self._resume.set()
        self._single_epochs = 0
        self._worker = self._train(jobs, X, Y, data, index, self.run)
        return self.run

    def toggle_pause(self) -> bool:
        """Pause a running run or resume a paused one; returns True when now paused."""
        if self._resume.is_set():
            self._resume.clear()
            return True
        self._resume.set()
        return False

    def one_epoch(self) -> None:
        """Pause (if running) and run exactly one more epoch."""
        with self._lock:
            self._resume.clear()
            self._single_epochs += 1

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._resume.set()  # wake a paused worker so it sees the cancellation
        self._worker = None
        self.index = None

    # -- the worker (its own thread) ------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A failure in the engine must not take the tutor down with it: say so and stop.
        if event.worker is self._worker and event.state == WorkerState.ERROR:
            self.notify(clean(f"Training stopped by an error: {event.worker.error}"),
                        title="Training", severity="error", timeout=10, markup=False)

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def _train(self, jobs, X, Y, data, index: int, run: int) -> None:
        from nn_tui.engine.training import TrainingCancelled

        try:
            self._run_jobs(jobs, X, Y, data, index, run)
        except TrainingCancelled:
            pass  # cancelled mid-epoch: the partial run is thrown away

    def _run_jobs(self, jobs, X, Y, data, index: int, run: int) -> None:
        from nn_tui.lessons.session import LessonSession

        worker = get_current_worker()
        trainers = [job.trainer(X, Y) for job in jobs]
        for trainer in trainers:
            # Looked at between mini-batches: a long epoch cannot hold up q, Esc or ←.
            trainer.should_stop = lambda: worker.is_cancelled
        data_x, data_y, rows = data
        chunk = 1
        last_post = 0.0

        def snapshot() -> tuple[tuple["TrainingOutcome", ...], "Trace"]:
            outcomes = tuple(LessonSession.outcome_from(job, trainer)
                             for job, trainer in zip(jobs, trainers))
            return outcomes, outcomes[0].network.trace(data_x, data_y, rows=rows)

        while not worker.is_cancelled:
            pending = [(job, trainer) for job, trainer in zip(jobs, trainers)
                       if trainer.epoch < job.epochs and not trainer.diverged]
            if not pending:
                break
            single = False
            if not self._resume.is_set():
                with self._lock:
                    if self._single_epochs:
                        self._single_epochs -= 1
                        single = True
                if not single:
                    self._resume.wait(0.05)
                    continue
            epochs = 1 if single else chunk
            started = time.perf_counter()
            for job, trainer in pending:
                trainer.run(min(epochs, job.epochs - trainer.epoch))
            elapsed = time.perf_counter() - started
            if not single:
                per_epoch = max(elapsed / epochs, 1e-6)
                chunk = max(1, min(MAX_CHUNK, int(CHUNK_SECONDS / per_epoch)))
            now = time.monotonic()
            if single or now - last_post >= 1 / POSTS_PER_SECOND:
                last_post = now
                outcomes, trace = snapshot()
                if not worker.is_cancelled:
                    self.post_message(self.Progress(run, index, outcomes, trace))
        if not worker.is_cancelled:
            outcomes, trace = snapshot()
            self.post_message(self.Finished(run, index, outcomes, trace))

