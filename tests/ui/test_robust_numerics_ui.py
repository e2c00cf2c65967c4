"""Issue 9, numbers that are not ordinary floats, in the tutor: overflowing runs and traces.

- A lesson whose numbers overflow (4 identity layers, weights 1e6, η = 1e6, one row [1e6, 0])
  with an update step then a train step: space at the train step must not crash the Loss plot;
  the run is reported as diverged from the start, and the pane says there is no curve.
- A run that overflows at epoch 1 keeps its starting network; the Loss pane labels its loss as
  the loss before training, not as epoch 1's.
- Every pane renders a trace full of inf and nan legibly (∞, nan, "overflow"), never crashing.
- A saturated run (η = 1e6 on a sigmoid network) says so in the Loss pane.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from lesson_files import fixture_text, lesson_data, lesson_text
from textual.geometry import Region
from textual.widgets import Static

from nn_tui.engine import Network
from nn_tui.lessons.loader import parse_lesson_text
from nn_tui.lessons.session import LessonSession, Reveal, TrainingOutcome
from nn_tui.ui.panes import LossPane
from ui_helpers import (Cases, EveryPaneApp, make_app, redraw_loss, rendered, screen_text,
                        settle, wait_for_screen)

BIG = (120, 40)
SMALL = (80, 24)

# Four identity layers with weights of a million: text, update, train, text.
UPDATE_THEN_TRAIN = fixture_text("overflow")
# The same without the update: text, train, text.
TRAIN_ONLY = lesson_text("overflow", steps=[step for step in lesson_data("overflow")["steps"]
                                            if step["kind"] != "update"])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def loss_text(app) -> str:
    return str(app.screen.query_one("#loss-summary", Static).render())


async def wait_for_redraw(app, pilot) -> None:
    await redraw_loss(app, pilot)


@pytest.mark.parametrize("size", [BIG, SMALL])
async def test_space_at_a_train_step_whose_start_overflows_reports_divergence(tmp_path, size):
    app = make_app(write(tmp_path, "overflow.toml", UPDATE_THEN_TRAIN))
    async with app.run_test(size=size) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        app.screen.go(2)
        await settle(app, pilot)
        assert app.screen.view.index == 2
        await pilot.press("space")
        await wait_for_redraw(app, pilot)
        assert "diverged" in app.screen.query_one("HeaderBar").status
        text = " ".join(loss_text(app).split())
        assert "epoch 0 / 10" in text and "∞ (overflow)" in text
        assert "before training" in text and "nothing was trained" in text
        assert "No loss curve" in text
        pane = app.screen.query_one(LossPane)
        assert pane.plotted == ()  # no point to plot, and no empty frame either
        assert pane.plot is None or not pane.plot.display
        # The next step still shows the run's outcome (no silent continuation).
        await pilot.press("right")
        await wait_for_redraw(app, pilot)
        assert app.screen.view.index == 3
        assert "diverged" in loss_text(app)
        assert "Traceback" not in screen_text(app)
    assert app.return_code in (None, 0)


async def test_a_run_that_overflows_at_epoch_1_keeps_the_starting_network(tmp_path):
    app = make_app(write(tmp_path, "overflow.toml", TRAIN_ONLY))
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        app.screen.go(1)
        await settle(app, pilot)
        await pilot.press("space")
        await wait_for_redraw(app, pilot)
        text = " ".join(loss_text(app).split())
        # Epoch 1 was tried and overflowed; the loss shown is the one before training.
        assert "epoch 1 / 10 L 1.000e+60 before training" in text
        assert "overflowed at epoch 1" in text and "kept as it was before training" in text
        pane = app.screen.query_one(LossPane)
        [(_label, epochs, losses)] = pane.plotted
        assert epochs == [0] and np.isfinite(losses).all()
        # Later steps use the kept network (finite numbers), not weights like −2e60.
        await pilot.press("right")
        await wait_for_redraw(app, pilot)
        view = app.screen.view
        assert view.network.layers[0].W[0, 0] == 1e6
        assert np.isfinite(view.trace.loss)
        assert view.epochs_trained == 0
        assert "diverged" in loss_text(app)


# -- every pane with a trace full of inf and nan ----------------------------------------------


def wild_views(loss: str, hidden: str, output: str, batch: bool):
    """Every step of a generated walk-through, with the trace replaced by one through weights of
    inf, −inf and nan (every number of it overflows), and with a run that overflowed."""
    lesson = parse_lesson_text(lesson_text("two-by-two", network={
        "loss": loss, "layers": {0: {"activation": hidden}, 1: {"activation": output}}}))
    session = LessonSession(lesson)
    network = Network.build(
        [2, 2, 2], [hidden, output], loss, 1e300,
        params=[(np.array([[np.inf, -np.inf], [np.nan, 1e308]]), np.array([1e308, -np.inf])),
                (np.array([[1e308, np.nan], [-np.inf, np.inf]]), np.array([np.nan, 1e308]))])
    x = lesson.X if batch else lesson.X[0]
    y = lesson.Y if batch else lesson.Y[0]
    trace = network.trace(x, y, rows=tuple(range(len(x))) if batch else (0,))
    run = TrainingOutcome("main", "main network", (float("inf"),), 10, 0,
                          "the loss of the starting weights is already ∞", network)
    everything = Reveal(forward=2, loss=True, backward=2, update=True)
    for index in range(session.total):
        view = session.view(index)
        yield dataclasses.replace(view, trace=trace, network=network)
        yield dataclasses.replace(view, trace=trace, network=network, reveal=everything,
                                  trainings=(run,))


WILD_CASES = [(loss, hidden, output, batch)
              for loss, hidden, output in [
                  ("mse", "identity", "identity"), ("half_sse", "relu", "tanh"),
                  ("bce", "tanh", "sigmoid"), ("cross_entropy", "sigmoid", "softmax"),
                  ("bce", "relu", "softmax")]
              for batch in (False, True)]


async def test_every_pane_renders_inf_and_nan_legibly():
    # One app shows every case in turn (the panes are shown each case's views from scratch);
    # each failure names its case. Every view is rendered by every pane at its size (``show``
    # draws the pane's lines at once, the Loss pane's timer tick its plot, ``rendered`` the
    # other text) and read there; the screen is painted and read once per case, after its
    # last view.
    app = EveryPaneApp()
    async with app.run_test(size=BIG) as pilot:
        panes = list(app.query(".pane"))
        loss_pane = app.query_one(LossPane)
        for loss, hidden, output, batch in WILD_CASES:
            case = f"{loss}, {hidden} then {output}, {'batch' if batch else 'one row'}"
            shown = set()
            for view in wild_views(loss, hidden, output, batch):
                # Steps that reveal the same parts of the same trace draw the same numbers: one
                # each.
                kind = (view.step.kind, view.reveal, len(view.trainings))
                if kind in shown:
                    continue
                shown.add(kind)
                for pane in panes:
                    pane.show(view)
                loss_pane.redraw_if_stale()  # the Loss pane's plot, as at its timer's tick
                for pane in panes:
                    text = rendered(pane)
                    # written ∞, never Python's inf
                    assert "inf" not in text.replace("information", ""), (
                        f"{case}, step {view.index + 1}: {pane.border_title}:\n{text}")
            await pilot.pause()
            await redraw_loss(app, pilot)
            screen = screen_text(app)
            # Every pane still draws, and the numbers that overflowed read as such.
            for title in ("Network", "Weights", "Forward pass", "Gradients", "Loss"):
                assert title in screen, f"{case}: no {title} pane"
            assert "∞" in screen and "overflow" in screen, f"{case}:\n{screen}"
            # written ∞, never Python's inf
            assert "inf" not in screen.replace("information", ""), f"{case}:\n{screen}"


# -- saturation -----------------------------------------------------------------------------------


SATURATING = fixture_text("saturating")


async def test_a_saturated_run_says_why_it_stopped_learning(tmp_path):
    app = make_app(write(tmp_path, "saturating.toml", SATURATING))
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await pilot.press("space")
        await wait_for_redraw(app, pilot)
        text = " ".join(loss_text(app).split())
        assert "stalled" in text and "saturated" in text
        assert "pinned at 0 or 1" in text and "σ′ ≈ 0" in text and "smaller" in text
        assert "✓ done" not in text


# Loss histories at the extremes of a float, and what the run says of them (None: nothing).
EXTREME_HISTORIES = [
    ((1.7e308,), "the numbers overflowed at epoch 1"),
    ((1.7e308, 1.6e308, 1.79e308), None),
    ((1e-300, 5e-324, 0.0), None),
    ((float("nan"),), "the loss of the starting weights is already nan"),
    ((2.0, 1.0, 0.5), "the numbers overflowed at epoch 3"),
]


def painted(widget) -> str:
    """What ``widget`` itself paints over its region (its border and border title), as the
    screen shows it: a pane's title without an export of the whole screen (``screen_text``)."""
    width, height = widget.outer_size
    return "\n".join(strip.text for strip in widget.render_lines(Region(0, 0, width, height)))


async def test_the_loss_plot_takes_the_extremes_of_a_float():
    # One app shows each history in turn, alone and after a steady run (the pane is shown each
    # case's view from scratch); each failure names its history and runs.
    lesson = parse_lesson_text(TRAIN_ONLY)
    session = LessonSession(lesson)
    view = session.view(1)
    steady = TrainingOutcome("main", "main", (0.5, 0.4, 0.3), 10, 2, None, view.network)
    cases = Cases()
    app = EveryPaneApp()
    async with app.run_test(size=BIG) as pilot:
        pane = app.query_one(LossPane)
        for history, diverged in EXTREME_HISTORIES:
            wild = TrainingOutcome("wild", "wild", history, 10, len(history), diverged,
                                   view.network)
            for trainings in ((wild,), (steady, wild)):
                with cases(f"history {history}, runs {[run.label for run in trainings]}"):
                    pane.show(dataclasses.replace(view, trainings=trainings,
                                                  training_planned=()))
                    await redraw_loss(app, pilot)
                    await pilot.pause()
                    assert all(np.isfinite(losses).all() for _l, _e, losses in pane.plotted), (
                        pane.plotted)
                    assert pane.region.area and "Loss" in painted(pane), painted(pane)
    cases.check()
