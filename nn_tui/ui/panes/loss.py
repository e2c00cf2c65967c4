"""The Loss pane: the loss value, an epoch counter with a progress bar, and the loss plot.

During live training ``show()`` is called on every message from the training worker. It only
stores the view and marks the pane dirty; a timer applies the latest data at a fixed rate
(``REDRAW_HZ``), with every curve downsampled to at most ``MAX_POINTS`` points, so the plot costs
the same whether the run is at epoch 10 or 10,000 and the keyboard stays responsive.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import ProgressBar, Static

from nn_tui.format import worked
from nn_tui.format.numbers import num
from nn_tui.lessons.session import StepView, TrainingOutcome, race_epoch
from nn_tui.ui.panes._common import MUTED, VALUE, WARNING
from nn_tui.ui.perf.screen import set_classes_shallow

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot

REDRAW_HZ = 4
MAX_POINTS = 200
MIN_PLOT_ROWS = 6
TITLED_PLOT_ROWS = 12  # from this height the plot's axes are titled "epoch" and "loss"
# Each curve's plotext marker, the glyph that stands for it in the key beside the plot, and
# its colour (plotext's own sequence). One style per run a race can have (8 variants and the
# main network), so no two curves share a key. The shapes tell the curves apart without colour
# (NO_COLOR); the key is beside the plot, not in it, where it hid the top of a short plot.
CURVE_STYLES = (
    ("hd", "▞▞", (0, 130, 200)),
    ("dot", "••", (60, 180, 75)),
    ("sd", "██", (230, 25, 75)),
    ("braille", "⣿⣿", (245, 130, 48)),
    ("x", "xx", (145, 30, 180)),
    ("+", "++", (70, 240, 240)),
    ("o", "oo", (240, 50, 230)),
    ("*", "**", (180, 225, 40)),
    ("#", "##", (0, 128, 128)),
)
PLOT_NOTE = "A training run draws its loss curve here."


def downsample(values: Sequence[float], limit: int = MAX_POINTS) -> tuple[list[int], list[float]]:
    """At most ``limit`` (epoch, loss) points that keep the curve's shape.

    The first and last points are always kept; in between, the history is cut into equal
    buckets and each bucket keeps its lowest and highest value, so spikes survive.
    """
    count = len(values)
    if count <= limit:
        return list(range(count)), [float(v) for v in values]
    data = np.asarray(values, dtype=float)
    buckets = max((limit - 2) // 2, 1)
    # The interior points (all but the first and the last) in equal buckets, one row each;
    # the last row is padded with NaN, which argmin/argmax skip. Vectorised: the history of a
    # long run is redrawn a few times a second on the UI thread.
    interior = data[1:-1]
    size = -(-len(interior) // buckets)
    rows = -(-len(interior) // size)
    grid = np.full(rows * size, np.nan)
    grid[: len(interior)] = interior
    grid = grid.reshape(rows, size)
    starts = 1 + np.arange(rows) * size
    lows = starts + np.nanargmin(grid, axis=1)
    highs = starts + np.nanargmax(grid, axis=1)
    kept = np.unique(np.concatenate(([0], lows, highs, [count - 1])))
    return kept.tolist(), data[kept].tolist()


def curve_style(number: int) -> tuple[str, str, tuple[int, int, int]]:
    return CURVE_STYLES[number % len(CURVE_STYLES)]


def _loss_value(outcome: TrainingOutcome) -> Text:
    """The run's latest loss, and which epoch it belongs to when that is not the epoch counter's
    (a run that overflowed keeps the loss, and the network, of its last finite epoch)."""
    loss = outcome.history[-1]
    text = Text(num(loss), style=VALUE)
    if not math.isfinite(loss):
        text.append(" (overflow)", style=WARNING)
    kept = outcome.kept_epoch
    if kept != outcome.epochs_run:
        text.append(" before training" if kept == 0 else f" at epoch {kept}", style=MUTED)
    return text


def _outcome_line(outcome: TrainingOutcome) -> Text:
    """The one run's epoch counter, loss and state, and why it diverged or stalled if it did."""
    line = Text(f"epoch {outcome.epochs_run} / {outcome.epochs_planned}")
    line.append("  L ", style=MUTED)
    line.append_text(_loss_value(outcome))
    if outcome.diverged:
        line.append("\n✗ diverged: ", style=WARNING)
        line.append(outcome.diverged)
    elif outcome.stalled:
        line.append("\n⚠ stalled, ", style=WARNING)
        line.append(outcome.stalled)
    elif outcome.epochs_run == outcome.epochs_planned:
        line.append("  ✓ done", style=MUTED)
    # Where the curve starts: the loss over all rows through the start weights (epoch 0), which
    # no other line of any pane shows (the panes trace one example, or the weights now).
    line.append("\nbefore training (epoch 0): L ", style=MUTED)
    line.append(num(outcome.history[0]), style=VALUE)
    return line


def _keyed_line(outcome: TrainingOutcome, curve: int) -> Text:
    """One of several runs, on one short line that starts with its curve's key: its final
    loss, or where it diverged, or (while running) its loss and epoch."""
    _marker, glyph, (red, green, blue) = curve_style(curve)
    line = Text(glyph, style=f"bold rgb({red},{green},{blue})")
    line.append(f" {outcome.label}: ", style="bold")
    if outcome.diverged:
        line.append("✗ diverged", style=WARNING)  # when and why: on a line of its own below
        return line
    line.append("L ", style=MUTED)
    line.append_text(_loss_value(outcome))
    # Where its curve starts (epoch 0, before training): written, not only drawn.
    start = f"from {num(outcome.history[0])}"
    if outcome.stalled:
        line.append(f" ({start})", style=MUTED)
        line.append(" ⚠ stalled", style=WARNING)  # why: on a line of its own below
    # A finished run gets no mark: a tick beside a run that failed to learn read as "learned".
    elif outcome.epochs_run < outcome.epochs_planned:
        line.append(f" (epoch {outcome.epochs_run}, {start})", style=MUTED)
    else:
        line.append(f" ({start})", style=MUTED)
    return line


def loss_summary(view: StepView) -> Text:
    """The loss of the example on screen; then the last training run (a race: one key line
    per run, then why any diverged); at a train step before its run, how to start it."""
    trace = view.trace
    text = Text()
    if not trace.has_loss:
        text.append("No loss: ", style=VALUE)
        text.append('this lesson has loss = "none". Backpropagation starts from the given '
                    "gradient ∂L/∂ŷ (the data's dL_dy values), so there is no loss value to show "
                    "and nothing to train.")
        return text
    # After a training run the example's loss stays in view, unless the step moved to an
    # example nothing has computed yet (its loss would give its ŷ away: the session's reveal).
    if view.reveal.loss or (view.trainings and view.reveal.forward):
        loss_line = worked.loss_lines(trace)[0]
        where = "this example" if trace.mode == "sample" else "this batch"
        if len(view.trainings) > 1:
            where += f" ({view.variant_label})"  # which of the racing networks is on screen
        change = worked.loss_change(trace) if view.reveal.update else None
        text.append(f"L on {where} = ")
        # Before and after the update, written (as everywhere) so that the two values shown
        # give the change shown.
        text.append(loss_line.value if change is None else change.old, style=VALUE)
        if not math.isfinite(trace.loss):
            text.append(" (overflow)", style=WARNING)
        if change is not None:
            text.append(" before the update → ")
            text.append(change.new, style=VALUE)
            if not math.isfinite(trace.after.loss):
                text.append(" (overflow)", style=WARNING)
            text.append(f" after ({_direction(change)})" if change.change else " after")
    else:
        text.append("L = ?", style=VALUE)
        text.append("  (not computed yet)", style=MUTED)
    if view.trainings:
        text.append("\ntraining, loss over all rows:", style=MUTED)
    if len(view.trainings) == 1:
        text.append("\n")
        text.append_text(_outcome_line(view.trainings[0]))
    elif view.trainings:
        # The key lines first, short enough to sit beside the plot; then the reasons.
        for number, outcome in enumerate(view.trainings):
            text.append("\n")
            text.append_text(_keyed_line(outcome, number))
        for number, outcome in enumerate(view.trainings):
            if outcome.diverged or outcome.stalled:
                _marker, glyph, _colour = curve_style(number)
                text.append(f"\n{glyph} {'diverged: ' if outcome.diverged else 'stalled, '}",
                            style=WARNING)
                text.append(outcome.diverged or outcome.stalled)
    if view.trainings and not any(finite_points(o.history)[0] for o in view.trainings):
        text.append("\nNo loss curve: no epoch has a finite loss to plot.", style=MUTED)
    if view.training_planned:
        text.append("\n")
        text.append_text(ready_line(view.training_planned))
    elif not view.trainings:
        text.append(f"\n{PLOT_NOTE}", style=MUTED)
    return text


def _direction(change) -> str:
    """"lower by 0.0008728", "higher by 0.0100", "unchanged"."""
    if change.change == "0":
        return "unchanged"
    direction = "lower" if change.change.startswith("−") else "higher"
    return f"{direction} by {change.change.lstrip('−+')}"


def ready_line(planned: Sequence[int]) -> Text:
    """How to start a train step's run, and how long it is."""
    if len(planned) == 1:
        what = f"{planned[0]} epochs"
    elif len(set(planned)) == 1:
        what = f"{len(planned)} networks, {planned[0]} epochs each"
    else:
        what = f"{len(planned)} networks, {' + '.join(str(epochs) for epochs in planned)} epochs"
    line = Text(f"Ready to train {what}: ")
    line.append("press space to start", style=VALUE)
    line.append(", . for one epoch.")
    return line


def _ceiling(outcomes: Sequence[TrainingOutcome]) -> float | None:
    """Where to cut diverging curves so the converging ones keep a readable scale."""
    steady = [outcome for outcome in outcomes if not outcome.diverged]
    if not steady or len(steady) == len(outcomes):
        return None
    return 1.5 * max(max(finite_points(outcome.history)[1], default=0.0) for outcome in steady)


def plot_scale(lowest: float, highest: float) -> float:
    """What to divide the losses by before plotting them: 1 for ordinary losses, a power of
    ten for huge or tiny ones. plotext rounds every coordinate via value·10⁸, which overflows
    for losses above about 1e300 (a run that diverges from such a start), and loses tiny
    ones; the tick labels are written from the unscaled values, so the learner sees the
    losses themselves."""
    magnitude = max(abs(lowest), abs(highest))
    if magnitude == 0 or 1e-6 <= magnitude <= 1e6:
        return 1.0
    return 10.0 ** math.floor(math.log10(magnitude))


def finite_points(history: Sequence[float]) -> tuple[list[int], list[float]]:
    """The (epoch, loss) points of a history whose loss is a finite number: only those can be
    plotted (an overflowed loss has no place on an axis, and plotext fails on one)."""
    epochs = [epoch for epoch, loss in enumerate(history) if math.isfinite(loss)]
    return epochs, [float(history[epoch]) for epoch in epochs]


def _clip_at(epochs: list[int], losses: list[float],
             ceiling: float) -> tuple[list[int], list[float]]:
    """The curve up to where it leaves the top of the plot, ending on the edge.

    (Plotting the off-scale points and letting plotext clip them is not an option: it
    interpolates every segment point by point, and a segment to 10⁵ takes minutes.)
    """
    for position, loss in enumerate(losses):
        if loss > ceiling:
            return epochs[: position + 1], losses[:position] + [ceiling]
    return epochs, losses


class LossPane(Vertical):
    """Not a scrolling pane: the plot takes whatever height the pane is given."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=f"pane {classes or ''}".strip())
        self.border_title = "Loss"
        self.view: StepView | None = None
        self._text_stale = False
        self._plot_stale = False
        self._plotted_key: tuple = ()
        # What the plot shows now, (label, epochs, losses) per curve, and how often it was redrawn.
        self.plotted: tuple[tuple[str, list[int], list[float]], ...] = ()
        self.redraws = 0
        self._summary_lines: int | None = None  # the summary's height when last updated

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="loss-info"):
            yield Static("", id="loss-summary", markup=False)
            progress = ProgressBar(id="loss-progress", show_eta=False)
        progress.display = False  # until there is a training run to count
        yield progress
        # The plot widget is mounted when there is a first curve to draw: plotext takes a
        # noticeable part of start-up to import, and most steps come before any training.

    def on_resize(self) -> None:
        # A wide, short pane puts the numbers beside the plot (as in the design sketch); a
        # narrow one stacks them above it.
        # With room to spare (-roomy), a race's key lines get the width to stay on one line each.
        # (Both at once, restyling only the pane and its children the rules for them select:
        # panes.tcss styles nothing deeper by these classes.)
        set_classes_shallow(self, {
            "-wide": self.size.width >= 3 * self.size.height and self.size.width >= 70,
            "-roomy": self.size.width >= 110}, restyle=self.children)
        self._plot_stale = True  # the plot may now fit, or no longer fit

    @property
    def plot_fits(self) -> bool:
        """Whether the pane has the rows a readable plot needs (axes, ticks and a curve).

        Beside the numbers the plot gets the pane's full height; under them, only what the
        numbers leave, which may be half of it."""
        rows = self.content_region.height
        return rows >= (MIN_PLOT_ROWS if self.has_class("-wide") else 2 * MIN_PLOT_ROWS)

    def on_mount(self) -> None:
        self.set_interval(1 / REDRAW_HZ, self.redraw_if_stale, name="loss-redraw")

    def show(self, view: StepView) -> None:
        previous = self.view
        self.view = view
        # A training message for the run already on screen (not its first: that one replaces
        # "press space to start", and the header already says training).
        live = (previous is not None and previous.index == view.index and bool(view.trainings)
                and not previous.training_planned)
        if live:
            self._text_stale = True
        else:
            # Stepping: the numbers change at once; only training messages wait for the timer,
            # and the plot (if there is one to draw or clear) follows on its next tick.
            self._update_text(view)
        self._plot_stale = bool(view.trainings) or self.plot is not None

    def redraw_if_stale(self) -> None:
        if self.view is None:
            return
        if self._text_stale:
            self._text_stale = False
            self._update_text(self.view)
        if self._plot_stale:
            self._plot_stale = False
            self._update_plot(self.view.trainings)

    def _update_text(self, view: StepView) -> None:
        summary = self.query_one("#loss-summary", Static)
        text = loss_summary(view)
        # A new summary of as many lines as the old one (a nudge in explore mode, most steps)
        # needs no layout pass: the pane's rows stay where they are, only the text is repainted.
        # Nor does one while the pane is hidden or not laid out yet (no width): showing it
        # lays it out, measuring the summary then (on a large terminal the pane is hidden at
        # most steps, and this layout pass was the only one those steps made).
        height = self._summary_height(text)
        summary.update(text, layout=height is not None and height != self._summary_lines)
        self._summary_lines = height
        self.set_class(len(view.trainings) > 1, "-race")  # key lines: a wider numbers column
        progress = self.query_one("#loss-progress", ProgressBar)
        progress.display = bool(view.trainings)
        if view.trainings:
            # The same count as the header's "epoch k of n".
            epoch, planned = race_epoch(view.trainings)
            progress.update(total=max(planned, 1), progress=epoch)

    def _summary_height(self, text: Text) -> int | None:
        """The lines ``text`` takes at the summary's width (None before it is laid out)."""
        width = self.query_one("#loss-summary", Static).content_region.width
        if width <= 0:
            return None
        return len(text.wrap(self.app.console, width))

    @property
    def plot(self) -> PlotextPlot | None:
        """The plot widget, once a curve has been drawn."""
        plots = self.query("#loss-plot")
        return plots.first() if plots else None

    def _update_plot(self, outcomes: tuple[TrainingOutcome, ...]) -> None:
        plot = self.plot
        if plot is None:
            if not outcomes or not self.plot_fits:
                return
            from textual_plotext import PlotextPlot

            plot = PlotextPlot(id="loss-plot")
            self.mount(plot)
        # The curves, and whether the plot is tall enough for axis titles (a resize can change
        # that without a new curve; a plot just mounted has no height yet: look again at the
        # next tick).
        titled = plot.size.height >= TITLED_PLOT_ROWS
        if not plot.size.height:
            self._plot_stale = True
        key = (titled, *((o.label, len(o.history), o.history[-1], o.diverged) for o in outcomes))
        if key == self._plotted_key:
            plot.display = bool(outcomes) and bool(self.plotted) and self.plot_fits
            self.set_class(plot.display, "-plotting")
            return
        plot.display = bool(outcomes) and self.plot_fits
        self.set_class(plot.display, "-plotting")
        self._plotted_key = key
        plt = plot.plt
        plt.clear_data()
        curves = []
        ceiling = _ceiling(outcomes)
        for number, outcome in enumerate(outcomes):
            finite_epochs, finite_losses = finite_points(outcome.history)
            if not finite_losses:
                continue  # overflowed before training: its line says so, there is no curve
            kept, losses = downsample(finite_losses)
            epochs = [finite_epochs[position] for position in kept]
            if ceiling is not None:
                epochs, losses = _clip_at(epochs, losses, ceiling)
            curves.append((outcome.label, epochs, losses, number))
        # From 0 (or below, for a loss that can be negative), so a loss that stalls above 0
        # shows as stalled.
        lowest = min((min(losses) for _label, _epochs, losses, _n in curves), default=0.0)
        highest = max((max(losses) for _label, _epochs, losses, _n in curves), default=1.0)
        scale = plot_scale(lowest, highest)
        for _label, epochs, losses, number in curves:
            marker, _glyph, colour = curve_style(number)
            plt.plot(epochs, [loss / scale for loss in losses], marker=marker, color=colour)
        if outcomes:
            plt.xlim(0, max(race_epoch(outcomes)[1], 1))
        bottom = min(0.0, lowest) / scale
        top = highest / scale if highest / scale > bottom else bottom + 1.0
        plt.ylim(bottom, top)
        # Three ticks, evenly spaced: plotext's own ticks on a short plot came out uneven
        # (0.123 above 0.074 with 0.098 missing), which reads as a mistake. Labelled with the
        # losses themselves (the curves may be drawn scaled, see plot_scale).
        ticks = [bottom, (bottom + top) / 2, top]
        plt.yticks(ticks, [f"{tick * scale:.3g}" for tick in ticks])
        curves = [(label, epochs, losses) for label, epochs, losses, _n in curves]
        # A short plot gives its axis-title row to the curves (the pane is the Loss pane, and
        # the numbers beside it count epochs).
        plt.xlabel("epoch" if titled else "")
        plt.ylabel("loss" if titled else "")
        # Nothing to draw (every run overflowed before training): the numbers beside the plot
        # say why, and an empty frame would only look broken.
        plot.display = plot.display and bool(curves)
        self.set_class(plot.display, "-plotting")
        self.plotted = tuple(curves)
        self.redraws += 1
        plot.refresh()
