"""A batch gradient, row by row: the per-row terms whose mean (or sum) the Gradients pane shows.

In batch mode a parameter's gradient is ∂L/∂W[i,j] = (1/n)·Σₖ δₖ[i]·aₖ[j] (without the 1/n when
the lesson sums): δₖ = ∂Lₖ/∂z[i] is row k's own error signal, aₖ[j] what arrives on the weight.
The trace stores ∂L/∂z per row already scaled by the reduction (1/n for the mean), so row k's
own δ is that value times n; this module writes those factors and their products, one line per
data row, and the total they add up to, so the learner can follow the mean number by number.
Rows are numbered from 1, as every table on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_tui.engine.trace import Trace
from nn_tui.format.numbers import num
from nn_tui.format.worked import _value_symbol, weight_symbol, z_symbol

CAPTION = ("per row i: δ = ∂Lᵢ/∂z, the row's own error signal; its weight gradient is "
           "δ times what arrives on the weight")

# A table wider than this many product columns would not fit a pane: the first ones are shown.
MAX_TERMS = 4


@dataclass(frozen=True)
class BatchGradientTable:
    """One layer's per-row terms: ``header`` names the columns ("row", "x", "δ[2]",
    "δ[2]·x"); ``rows`` are the cells (strings) of each data row; ``totals`` are the lines under
    the table ("mean of the 14 rows: ∂L/∂W₁[2,1] = (1/14)·(−1.3571 + …) = −0.3143")."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...]
    note: str = ""


def batch_gradient_table(trace: Trace, layer: int) -> BatchGradientTable:
    """The per-row terms of layer ``layer``'s weight gradients in a batch ``trace`` (shape of
    ``grads[layer].dL_dz``: (rows, units); of ``layers[layer].a_prev``: (rows, fan_in)).
    Raises ValueError for a trace that is not a batch."""
    if trace.mode == "sample":
        raise ValueError("a single example has no per-row terms")
    record = trace.layers[layer]
    grad = trace.grads[layer]
    a_prev = np.asarray(record.a_prev, dtype=float).reshape(len(grad.dL_dz), -1)
    dl_dz = np.asarray(grad.dL_dz, dtype=float)
    n = len(dl_dz)
    scale = 1.0 if trace.reduction == "sum" else float(n)
    own = dl_dz * scale  # row k's own δ = ∂Lₖ/∂z
    units, fan_in = record.W.shape
    pairs = [(i, j) for i in range(units) for j in range(fan_in)]
    shown = pairs[:MAX_TERMS]
    inputs = [_value_symbol(trace, layer, j) for j in range(fan_in)]
    deltas = sorted({i for i, _ in shown})
    # δ named as its z: δ₁[2] is the error signal of z₁[2].
    delta = {i: "δ" + z_symbol(trace, layer, i).removeprefix("z") for i in deltas}
    header = ("row", *inputs, *(delta[i] for i in deltas),
              *(f"{delta[i]}·{inputs[j]}" for i, j in shown))
    data_rows = trace.rows or tuple(range(n))
    rows = []
    for k in range(n):
        rows.append((str(data_rows[k] + 1),
                     *(num(a_prev[k, j]) for j in range(fan_in)),
                     *(num(own[k, i]) for i in deltas),
                     *(num(own[k, i] * a_prev[k, j]) for i, j in shown)))
    totals = []
    how = "sum" if trace.reduction == "sum" else "mean"
    factor = "" if trace.reduction == "sum" else f"(1/{n})·"
    for i, j in shown:
        column = float(np.sum(own[:, i] * a_prev[:, j]))
        totals.append(f"{how} of the {n} rows: ∂L/∂{weight_symbol(trace, layer, i, j)} = "
                      f"{factor}Σ {delta[i]}·{inputs[j]} = {factor}{_bracket(num(column))} "
                      f"= {num(grad.dL_dW[i, j])}")
    note = ""
    if len(shown) < len(pairs):
        note = f"(the first {len(shown)} of {len(pairs)} weights; the others add up alike)"
    return BatchGradientTable(header, tuple(rows), tuple(totals), note)


def _bracket(value: str) -> str:
    return f"({value})" if value.startswith("−") else value


def batch_gradient_text(trace: Trace, layer: int) -> list[str]:
    """The table as plain text lines (``nn-tui trace --batch`` and the Markdown export)."""
    table = batch_gradient_table(trace, layer)
    widths = [max(len(cell) for cell in column)
              for column in zip(table.header, *table.rows)]
    lines = [CAPTION]
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(table.header, widths))]
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(row, widths))
              for row in table.rows]
    lines += list(table.totals)
    if table.note:
        lines.append(table.note)
    return lines
