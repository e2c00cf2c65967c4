"""The Forward pass pane: each layer's arithmetic with the numbers plugged in, layer by layer."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nn_tui.format import worked
from nn_tui.format.numbers import short
from nn_tui.lessons.session import StepView
from nn_tui.ui.panes._common import (
    CONTINUE_HINT, HEADING, HERE_MARKER, MUTED, VALUE, Pane, equation, explore_marks,
    marked_layer, layer_name, was_values,
)


def worked_table(lines: list[worked.WorkedLine], marked: bool = False,
                 base_lines: list[worked.WorkedLine] | None = None) -> Table:
    """``symbol = formula = plugged = value``; long right-hand sides wrap under themselves.
    With ``base_lines`` (explore mode: the same lines before the edits) a changed value says
    what it was."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)  # "z₁ ="
    table.add_column(ratio=1, overflow="fold")
    for line, was in zip(lines, was_values(lines, base_lines)):
        table.add_row(f"{line.symbol} =",
                      equation(line.formula, line.plugged, line.value, marked, was))
    return table


def _layer_heading(view: StepView, layer: int) -> Text:
    record = view.trace.layers[layer]
    depth = len(view.trace.layers)
    name = layer_name(layer, depth)
    return Text(f"{name} · {record.activation}", style=HEADING)


def _batch_table(view: StepView, layer: int, marked: bool) -> Table:
    trace = view.trace
    z_name = worked.z_symbol(trace, layer, 0).split("[")[0]
    a_name = worked.a_symbol(trace, layer, 0).split("[")[0]
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style=MUTED)
    table.add_column("row", justify="right", no_wrap=True)
    if layer == 0:
        table.add_column("x", overflow="fold")
    table.add_column(z_name, overflow="fold")
    table.add_column(a_name, overflow="fold")
    for position, (row, z_text, a_text) in enumerate(worked.batch_forward_rows(trace, layer)):
        inputs = [", ".join(short(v) for v in trace.x[position])] if layer == 0 else []
        # Rows are counted from 1 on screen, like neurons and inputs (the trace's own
        # paths, rows[k], stay 0-based).
        table.add_row(str(row + 1), *inputs, z_text, Text(a_text, style=VALUE))
    if marked:
        table.caption = f"{HERE_MARKER} this layer"
    return table


def forward_renderable(view: StepView, width: int) -> RenderableType:
    trace = view.trace
    base = explore_marks(view)  # explore mode: the step's own trace, to mark what changed
    depth = len(trace.layers)
    shown = min(view.reveal.forward, depth)
    parts: list[RenderableType] = []
    if trace.mode == "batch":
        rows = len(trace.rows) if trace.rows else len(trace.x)
        parts.append(Text(f"all {rows} data rows at once, one line per row", style=MUTED))
    if shown == 0:
        parts.append(Text("Nothing computed yet for these inputs: the forward steps write out "
                          "each layer's arithmetic here.", style=MUTED))
    for layer in range(shown):
        marked = marked_layer(view.highlight, layer, "forward")
        parts.append(_layer_heading(view, layer))
        if trace.mode == "sample":
            parts.append(worked_table(
                worked.forward_lines(trace, layer), marked,
                None if base is None else worked.forward_lines(base, layer)))
        else:
            parts.append(_batch_table(view, layer, marked))
    if view.reveal.loss and shown == depth:
        parts.append(Text(f"loss · {trace.loss_name}", style=HEADING))
        if trace.has_loss:
            parts.append(worked_table(worked.loss_lines(trace), view.highlight.part == "loss",
                                      None if base is None else worked.loss_lines(base)))
        else:  # loss = "none": say there is no loss value (never a 0 or nan as if one)
            parts.append(Text(worked.NO_LOSS_TEXT, style=MUTED))
    elif 0 < shown < depth:
        parts.append(Text(CONTINUE_HINT, style=MUTED))
    if view.reveal.update:
        parts += _after_update(view, base)
    return Group(*parts)


def _after_update(view: StepView, base=None) -> list[RenderableType]:
    """The forward pass through the updated weights, worked line by line (sample mode), the
    new loss worked, then old → new (change) of the outputs (every row's in batch mode) and L.
    With ``base`` (explore mode: the trace before the learner's edits) a changed value says
    what it was."""
    trace = view.trace
    depth = len(trace.layers)
    parts: list[RenderableType] = [
        Text("after the update · the same data through the new weights", style=HEADING)]
    if trace.mode == "sample":
        for layer in range(depth):
            parts.append(Text(f"{layer_name(layer, depth)} · {trace.layers[layer].activation}"
                              " · new weights", style=MUTED))
            parts.append(worked_table(
                worked.after_forward_lines(trace, layer), False,
                None if base is None else worked.after_forward_lines(base, layer)))
    if trace.has_loss:
        parts.append(worked_table(
            worked.after_loss_lines(trace), False,
            None if base is None or not base.has_loss else worked.after_loss_lines(base)))
    else:
        parts.append(Text(worked.NO_LOSS_TEXT, style=MUTED))
    changes = worked.output_changes(trace)
    loss = worked.loss_change(trace)
    parts.append(Text("old → new (change)", style=MUTED))
    parts.append(changes_table(changes + ([loss] if loss is not None else []),
                               rows=trace.mode == "batch"))
    return parts


def changes_table(changes: list[worked.Change], rows: bool = False) -> Table:
    """``ŷ  0.7958 → 0.8710  (+0.0752)``, one value a line, in columns (``rows``: the data
    row first, for a batch's outputs)."""
    table = Table.grid(padding=(0, 1))
    if rows:
        table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    for change in changes:
        where = [] if not rows else ["" if change.row is None else f"row {change.row + 1}"]
        amount = f"({change.change})" if change.change else ""
        table.add_row(*where, change.symbol, change.old, "→", Text(change.new, style=VALUE),
                      Text(amount, style=MUTED))
    return table


class ForwardPane(Pane):
    PANE_TITLE = "Forward pass"

    def renderable(self, view: StepView, width: int, height: int) -> RenderableType:
        return forward_renderable(view, width)
