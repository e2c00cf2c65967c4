"""The Weights pane: every W and b; after an update, old → new with the change highlighted."""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nn_tui.format import worked
from nn_tui.format.numbers import num
from nn_tui.format.worked import bias_symbol, weight_symbol
from nn_tui.lessons.session import StepView
from nn_tui.ui.panes._common import (
    CHANGED, HEADING, MUTED, VALUE, WENT_DOWN, WENT_UP, Pane, append_was, cursor_text,
    explore_marks, highlighted_layer, layer_name,
)


def _change(change: worked.Change, applied: float) -> Text:
    """The applied change, signed, with an arrow so it reads without colour too."""
    if not change.change:
        # ∞ − ∞ (an update of an overflowed weight) has no direction.
        return Text("nan (overflow)" if math.isnan(applied) else "(overflow)", style=WENT_UP)
    if change.change == "0":
        return Text("  0", style=MUTED)
    if change.change.startswith("−"):
        return Text(f"▼ {change.change}", style=WENT_DOWN)
    return Text(f"▲ {change.change}", style=WENT_UP)


def _parameters(view: StepView, layer: int) -> list[tuple[str, float, float | None, float | None]]:
    """(symbol, value, new value, change) for every weight then bias of one layer's neurons
    (no bias row without a bias; a shared bias once, after the last neuron's weights)."""
    trace = view.trace
    record = trace.layers[layer]
    after = trace.after.layers[layer] if view.reveal.update else None
    rows = []

    def bias_row(position: int) -> tuple:
        return (bias_symbol(trace, layer, position), record.b[position],
                None if after is None else after.b[position],
                None if after is None else after.step_b[position])

    for unit in range(record.W.shape[0]):
        for k in range(record.W.shape[1]):
            rows.append((
                weight_symbol(trace, layer, unit, k), record.W[unit, k],
                None if after is None else after.W[unit, k],
                None if after is None else after.step_W[unit, k],
            ))
        if record.use_bias and not record.shared_bias:
            rows.append(bias_row(unit))
    if record.shared_bias:
        rows.append(bias_row(0))
    return rows


def _frozen(view: StepView, layer: int, symbol: str) -> bool:
    """Whether the parameter named ``symbol`` belongs to a frozen group of ``layer``."""
    record = view.trace.layers[layer]
    return record.frozen("bias" if symbol.startswith("b") else "weights")


def _layer_heading(view: StepView, layer: int) -> Text:
    record = view.trace.layers[layer]
    depth = len(view.trace.layers)
    name = layer_name(layer, depth)
    units, fan_in = record.W.shape
    if not record.use_bias:
        bias = "no bias"
    elif record.shared_bias:
        bias = "b shared by all units"
    else:
        bias = f"b {units}"
    heading = Text(f"{name} · {record.activation} · W {units}×{fan_in}, {bias}", style=HEADING)
    if record.freeze:
        frozen = " and ".join("W" if group == "weights" else "b" for group in record.freeze)
        heading.append(f" · {frozen} frozen (gradients not applied)", style=MUTED)
    if highlighted_layer(view.highlight, layer) and view.highlight.part == "layer":
        heading.append("  ◀", style=VALUE)
    return heading


def _by_neuron(cells: list[Text], per_neuron: int, width: int) -> RenderableType:
    """One line per neuron (its weights, then its bias), aligned in columns; a neuron too long
    for the width goes on over more lines, indented, so one neuron's numbers stay together (a
    flowing grid put the next neuron's first numbers beside them)."""
    cell_width = max(len(cell.plain) for cell in cells)
    gap, indent = 3, 2
    per_line = per_neuron
    if per_neuron * cell_width + (per_neuron - 1) * gap > width:
        # As many as fit after the indent of the lines that go on (the first holds as many).
        per_line = max(1, (width - indent + gap) // (cell_width + gap))
    lines = []
    for start in range(0, len(cells), per_neuron):
        neuron = cells[start:start + per_neuron]
        for offset in range(0, len(neuron), per_line):
            line = Text(" " * indent if offset else "")
            for cell in neuron[offset:offset + per_line]:
                line.append_text(cell)
                line.append(" " * (cell_width + gap - len(cell.plain)))
            line.rstrip()
            lines.append(line)
    return Group(*lines)


def editable_cell(symbol: str, value: float, was: float | None, selected: bool) -> Text:
    """Explore mode: one editable number, "w₂ −0.9000 (was −1.0000)", the cursor's between
    ▸ ◂ and reversed (so it shows without colour too)."""
    shown = num(value)
    before = None if was is None else num(was)
    text = Text(f"{symbol} ")
    if selected:
        text.append_text(cursor_text(shown))
    else:
        text.append(shown, style=CHANGED if before not in (None, shown) else VALUE)
    return append_was(text, shown, before)


def _explore_renderable(view: StepView, width: int) -> RenderableType:
    """Explore mode: every weight and bias (and η) as an editable number, the cursor on one,
    what the edits changed marked "(was …)"."""
    from nn_tui.lessons.edits import EditTarget

    trace = view.trace
    base = explore_marks(view)
    selected = getattr(view, "selected", None)
    editable = getattr(view, "editable", frozenset())
    parts: list[RenderableType] = []
    eta = EditTarget("learning_rate", None, ())
    if eta in editable:
        parts.append(editable_cell("η", trace.learning_rate,
                                   None if base is None else base.learning_rate,
                                   selected == eta))
    for layer in range(len(trace.layers)):
        parts.append(_layer_heading(view, layer))
        record = trace.layers[layer]
        old = None if base is None else base.layers[layer]
        cells = []
        for unit in range(record.W.shape[0]):
            for k in range(record.W.shape[1]):
                target = EditTarget("W", layer, (unit, k))
                cells.append(editable_cell(
                    weight_symbol(trace, layer, unit, k), record.W[unit, k],
                    None if old is None else old.W[unit, k], selected == target))
            target = EditTarget("b", layer, (unit,))
            cells.append(editable_cell(bias_symbol(trace, layer, unit), record.b[unit],
                                       None if old is None else old.b[unit], selected == target))
        # One line per neuron, its weights then its bias, wrapping between numbers (a "was"
        # makes a cell wider than the columns of the lesson's layout).
        per_neuron = record.W.shape[1] + 1
        for start in range(0, len(cells), per_neuron):
            parts.append(Text("   ").join(cells[start:start + per_neuron]))
    return Group(*parts)


def weights_renderable(view: StepView, width: int) -> RenderableType:
    if getattr(view, "selected", None) is not None:
        return _explore_renderable(view, width)
    parts: list[RenderableType] = []
    updating = view.reveal.update
    if updating:
        eta = view.trace.learning_rate
        parts.append(Text(f"one gradient step, η = {eta:g}: old → new (change)", style=MUTED))
    for layer in range(len(view.trace.layers)):
        parts.append(_layer_heading(view, layer))
        rows = _parameters(view, layer)
        if updating:
            table = Table.grid(padding=(0, 1))
            table.add_column(no_wrap=True)
            table.add_column(justify="right", no_wrap=True)
            table.add_column(no_wrap=True)
            table.add_column(justify="right", no_wrap=True)
            table.add_column(no_wrap=True)
            # old → new written so that the two values shown give the change shown.
            changes = worked.parameter_changes(view.trace, layer)
            for (symbol, _old, _new, applied), change in zip(rows, changes):
                frozen = _frozen(view, layer, symbol)
                moved = (Text("  frozen: not applied", style=MUTED) if frozen
                         else _change(change, applied))
                old_text = num(_old) if frozen else change.old
                new_text = num(_new) if frozen else change.new
                table.add_row(symbol, old_text, "→", Text(new_text, style=VALUE), moved)
            parts.append(table)
        else:
            cells = [Text.assemble((symbol, ""), " ", (num(value), VALUE)) for symbol, value, _, _ in rows]
            record = view.trace.layers[layer]
            own_bias = record.use_bias and not record.shared_bias
            per_neuron = record.W.shape[1] + (1 if own_bias else 0)
            parts.append(_by_neuron(cells, per_neuron, width))
    if updating:
        parts.append(Text("▼ went down  ▲ went up", style=MUTED))
    return Group(*parts)


class WeightsPane(Pane):
    PANE_TITLE = "Weights"
    SHOWS_CURSOR = True

    def renderable(self, view: StepView, width: int, height: int) -> RenderableType:
        return weights_renderable(view, width)
