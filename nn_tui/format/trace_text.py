"""The worked arithmetic of a trace as plain-text lines: one source for ``nn-tui trace`` and the
Markdown export (``nn_tui.export.markdown``), built on the same rows as the panes
(``nn_tui.format.worked``).

Each function returns the lines of one section; the callers add their own headings (the CLI a
plain title, the export bold Markdown and code blocks).
"""

from __future__ import annotations

import unicodedata

from nn_tui.engine.trace import Trace
from nn_tui.format import worked
from nn_tui.format.numbers import short


def width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width font (combining marks take none, wide
    characters two)."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def capped(lines: list[str], limit: int | None) -> list[str]:
    """At most ``limit`` lines of a batch (None: all), then how many more rows there are."""
    if limit is None or len(lines) <= limit:
        return lines
    return lines[:limit] + [f"… and {len(lines) - limit} more rows"]


def forward_text(trace: Trace, layer: int, limit: int | None = None) -> list[str]:
    """Layer ``layer``'s forward arithmetic (0-based): one equation per line for a sample; for a
    batch one line per row (its inputs beside the first layer, z and a in columns, as the
    pane's table), at most ``limit`` rows."""
    if trace.mode == "sample":
        return [line.text() for line in worked.forward_lines(trace, layer)]
    rows = worked.batch_forward_rows(trace, layer)
    z_name = worked.z_symbol(trace, layer, 0).split("[")[0]
    a_name = worked.a_symbol(trace, layer, 0).split("[")[0]
    digits = len(str(max(row for row, _z, _a in rows) + 1))
    inputs = [f"x = {', '.join(short(v) for v in trace.x[position])}   " if layer == 0 else ""
              for position in range(len(rows))]
    inputs_width = max(width(text) for text in inputs)
    z_width = max(width(z) for _row, z, _a in rows)
    lines = [f"row {row + 1:>{digits}}:  {inputs[position]:<{inputs_width}}"
             f"{z_name} = {z:<{z_width}}   {a_name} = {a}"
             for position, (row, z, a) in enumerate(rows)]
    return capped(lines, limit)


def loss_text(trace: Trace) -> list[str]:
    """The loss arithmetic (or, with ``loss = "none"``, what stands in for it)."""
    return [line.text() if trace.has_loss else line.meaning for line in worked.loss_lines(trace)]


def gradient_meaning(row: worked.GradRow) -> str:
    """What a chain-rule factor means, with "(not applied: frozen)" for a frozen parameter."""
    return row.meaning if row.applied else f"{row.meaning} ({worked.NOT_APPLIED})"


def backward_text(trace: Trace, layer: int) -> list[str]:
    """Layer ``layer``'s chain-rule factors and gradients, each beside what it means (a frozen
    parameter's gradient says it is not applied)."""
    lines = [f"{row.text():<60}  {row.meaning}" for row in worked.backward_rows(trace, layer)]
    if trace.mode != "sample":
        # The per-row terms the batch gradients are the mean (or sum) of.
        from nn_tui.format.batch_rows import batch_gradient_text

        lines += ["", *batch_gradient_text(trace, layer)]
    return lines


def update_text(trace: Trace) -> list[str]:
    """Every layer's gradient step, old → new."""
    return [line.text() for layer in range(len(trace.layers))
            for line in worked.update_lines(trace, layer)]


def after_text(trace: Trace, limit: int | None = None) -> list[str]:
    """The step's effect, as the Forward pass pane shows it: the forward pass through the new
    weights worked layer by layer (sample mode), the new loss worked, then old → new (change)
    of the outputs (every row's in a batch, at most ``limit`` rows) and of L."""
    depth = len(trace.layers)
    lines: list[str] = []
    if trace.mode == "sample":
        for layer in range(depth):
            name = "output layer" if layer == depth - 1 else f"layer {layer + 1}"
            lines.append(f"{name} · {trace.layers[layer].activation} · new weights")
            lines += ["  " + line.text() for line in worked.after_forward_lines(trace, layer)]
    lines += [line.text() for line in worked.after_loss_lines(trace)]
    if not trace.has_loss:
        lines.append(worked.NO_LOSS_TEXT)
    lines.append("old → new (change):")
    lines += capped(["  " + change.text() for change in worked.output_changes(trace)], limit)
    loss = worked.loss_change(trace)
    if loss is not None:
        lines.append("  " + loss.text())
    return lines
