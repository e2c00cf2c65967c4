"""The Gradients pane: the chain-rule table, revealed from the output backwards, then the update."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from nn_tui.format import worked
from nn_tui.format.batch_rows import CAPTION, batch_gradient_table
from nn_tui.format.numbers import current_decimals
from nn_tui.lessons.session import StepView
from nn_tui.ui.panes._common import (
    CHANGED, HEADING, HERE_MARKER, MUTED, PARAMETER, VALUE, WARNING, Pane, append_was, equation,
    explore_marks, marked_layer, layer_name, was_values,
)
from nn_tui.ui.panes.forward import worked_table

# Below this width the four-column table would squeeze every column to a few letters, so each
# factor becomes one "symbol = formula = numbers = value" line with its meaning under it.
TABLE_MIN_WIDTH = 72


def _meaning(row: worked.GradRow) -> Text:
    """What the factor means; for a frozen parameter's gradient, that it is not applied."""
    text = Text(row.meaning, style=MUTED)
    if not row.applied:
        text.append(f" · {worked.NOT_APPLIED}", style=WARNING)
    return text


def _wide_table(rows: list[worked.GradRow], marked: bool,
                base_rows: list[worked.GradRow] | None = None) -> Table:
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style=MUTED, expand=True)
    table.add_column("factor", no_wrap=True)
    table.add_column("meaning", ratio=2, overflow="fold")
    table.add_column("formula with numbers", ratio=3, overflow="fold")
    table.add_column("value", justify="right", no_wrap=True)
    for row, was in zip(rows, was_values(rows, base_rows)):
        style = PARAMETER if row.is_parameter else ""
        value = Text(row.value, style=VALUE if was in (None, row.value) else CHANGED)
        append_was(value, row.value, was)
        value.append(f" {HERE_MARKER}" if marked and row.is_parameter else "  ")
        table.add_row(
            Text(row.symbol, style=style),
            _meaning(row),
            worked.working(row.formula, row.plugged, row.value),
            value,
            style=style,
        )
    return table


def _narrow_table(rows: list[worked.GradRow], marked: bool,
                  base_rows: list[worked.GradRow] | None = None) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1, overflow="fold")
    for row, was in zip(rows, was_values(rows, base_rows)):
        right = equation(row.formula, row.plugged, row.value, marked and row.is_parameter, was)
        right.append("\n")
        right.append_text(_meaning(row))
        symbol = Text(f"{row.symbol} =", style=PARAMETER if row.is_parameter else "")
        table.add_row(symbol, right)
    return table


def per_row_table(trace, layer: int) -> RenderableType:
    """The per-row terms a batch gradient is the mean (or sum) of, one line per data row."""
    table = batch_gradient_table(trace, layer)
    grid = Table(box=None, padding=(0, 1), show_edge=False, header_style=MUTED)
    for position, name in enumerate(table.header):
        grid.add_column(name, justify="right", style=MUTED if position == 0 else VALUE,
                        no_wrap=True)
    for row in table.rows:
        grid.add_row(*row)
    parts: list[RenderableType] = [Text(f"row by row · {CAPTION}", style=HEADING), grid]
    parts += [Text(line) for line in table.totals]
    if table.note:
        parts.append(Text(table.note, style=MUTED))
    return Group(*parts)


def gradients_renderable(view: StepView, width: int) -> RenderableType:
    trace = view.trace
    base = explore_marks(view)  # explore mode: the step's own trace, to mark what changed
    depth = len(trace.layers)
    shown = min(view.reveal.backward, depth)
    parts: list[RenderableType] = []
    if shown == 0:
        parts.append(Text("The chain rule runs at the backward steps, starting from the output.",
                          style=MUTED))
        return Group(*parts)
    if trace.mode == "batch":
        parts.append(Text("gradients of the loss over the whole batch", style=MUTED))
    for layer in range(depth - 1, depth - 1 - shown, -1):
        name = layer_name(layer, depth)
        parts.append(Text(f"{name} · chain rule", style=HEADING))
        rows = worked.backward_rows(trace, layer)
        marked = marked_layer(view.highlight, layer, "backward")
        builder = _wide_table if width >= TABLE_MIN_WIDTH else _narrow_table
        parts.append(builder(rows, marked,
                             None if base is None else worked.backward_rows(base, layer)))
        if trace.mode == "batch":
            parts.append(per_row_table(trace, layer))
    if shown < depth:
        parts.append(Text("the chain rule goes one layer further back at a later step",
                          style=MUTED))
    if view.reveal.update:
        eta = f"{trace.learning_rate:g}"
        parts.append(Text(f"update · w ← w − η·∂L/∂w with η = {eta}", style=HEADING))
        for layer in range(depth):
            parts.append(worked_table(
                worked.update_lines(trace, layer), False,
                None if base is None else worked.update_lines(base, layer)))
    return Group(*parts)


class GradientsPane(Pane):
    PANE_TITLE = "Gradients"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._default_rows: dict[tuple, int] = {}  # the body's rows in the usual grid, by size
        self._needed: dict[tuple, int] = {}  # the lesson's tallest ◀ block, by width, decimals

    def renderable(self, view: StepView, width: int, height: int) -> RenderableType:
        return gradients_renderable(view, width)

    def needs_room(self, session, usual: bool) -> bool | None:
        """Whether the lesson's backward steps need more rows than the pane has in the usual
        grid: the rows a backward step marks ◀ (the gradients of the layer it is about) with
        their heading, for the tallest such step of the lesson (so the rows do not change
        between its backward steps). ``usual``: the grid has its usual rows now (then the
        body's height is the usual one, noted per terminal size). None when not known yet
        (before the first layout at this size).

        Worked out once per width (a few renders, kept with the lines rendered ahead), over
        the backward steps that need no training to reach."""
        size = tuple(self.app.size)
        if usual and self.body.size.height > 0:
            self._default_rows[size] = self.body.size.height
        rows = self._default_rows.get(size)
        width = self.body.size.width
        if rows is None or width <= 0:
            return None
        key = (id(session), width, current_decimals())
        needed = self._needed.get(key)
        if needed is None:
            needed = 0
            for index, step in enumerate(session.steps):
                if step.kind != "backward" or session.needs_training(index):
                    continue
                lines = self.lines_of(session.view(index))
                marked = [row for row, line in enumerate(lines) if HERE_MARKER in line]
                if marked:
                    needed = max(needed, marked[-1] - marked[0] + 2)  # (+ the heading)
            self._needed = {key: needed}  # (one lesson per screen: the latest width only)
        return needed > rows
