"""A batch gradient shown row by row: the per-row terms, and the mean (or sum) they give."""

from __future__ import annotations

import os

import numpy as np
import pytest
from rich.console import Console
from script_runs import run_scripts

from nn_tui.format.batch_rows import CAPTION, batch_gradient_table, batch_gradient_text
from nn_tui.format.numbers import num
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from tests.conftest import LESSONS


def _batch_view(lesson_id: str):
    session = LessonSession(load_lesson(LESSONS / f"{lesson_id}.toml"))
    return next(session.view(i) for i in range(session.total)
                if session.view(i).trace.mode == "batch" and session.view(i).reveal.backward)


def _number(cell: str) -> float:
    return float(cell.replace("−", "-"))


@pytest.mark.parametrize("lesson_id", ["psa-softmax", "learning-rate"])
def test_the_rows_add_up_to_the_gradient_on_screen(lesson_id):
    view = _batch_view(lesson_id)
    trace = view.trace
    table = batch_gradient_table(trace, 0)
    n = len(trace.grads[0].dL_dz)
    assert [row[0] for row in table.rows] == [str(row + 1) for row in trace.rows]  # from 1
    units, fan_in = trace.layers[0].W.shape
    terms = table.header.index(next(h for h in table.header if "·" in h))
    for position, (i, j) in enumerate([(i, j) for i in range(units) for j in range(fan_in)]):
        column = [_number(row[terms + position]) for row in table.rows]
        divisor = 1 if trace.reduction == "sum" else n
        assert sum(column) / divisor == pytest.approx(trace.grads[0].dL_dW[i, j], abs=1e-3)
        assert table.totals[position].endswith(f"= {num(trace.grads[0].dL_dW[i, j])}")


def test_each_row_term_is_its_delta_times_its_input():
    trace = _batch_view("psa-softmax").trace
    table = batch_gradient_table(trace, 0)
    assert table.header == ("row", "x", "δ₁[1]", "δ₁[2]", "δ₁[1]·x", "δ₁[2]·x")
    for row in table.rows:
        x, d1, d2, t1, t2 = map(_number, row[1:])
        assert t1 == pytest.approx(d1 * x, abs=1e-3) and t2 == pytest.approx(d2 * x, abs=1e-3)
    # Row 1 (PSA 3.8, cancer): δ = ŷ − y = 0.5 − 0 for healthy, 0.5 − 1 for cancer.
    assert table.rows[0][:4] == ("1", "3.8000", "0.5000", "−0.5000")
    # The mean written so it recomputes: (1/14)·4.4000 = 0.3143.
    assert table.totals[0] == "mean of the 14 rows: ∂L/∂W₁[1,1] = (1/14)·Σ δ₁[1]·x = (1/14)·4.4000 = 0.3143"


def test_a_single_example_has_no_per_row_table():
    session = LessonSession(load_lesson(LESSONS / "fruit.toml"))
    with pytest.raises(ValueError):
        batch_gradient_table(session.view(8).trace, 0)


def test_the_gradients_pane_shows_the_rows_in_batch_mode():
    from nn_tui.ui.panes.gradients import gradients_renderable

    console = Console(width=100, color_system=None, record=True)
    console.print(gradients_renderable(_batch_view("psa-softmax"), 100))
    text = console.export_text()
    assert "row by row" in text and "δ₁[1]·x" in text
    assert "(1/14)·4.4000 = 0.3143" in text


def test_trace_batch_prints_the_rows(tmp_path):
    # `python -m nn_tui`, in a process of its own (forked from an interpreter with nn_tui.cli).
    [result] = run_scripts([("-m", "nn_tui", "trace", str(LESSONS / "psa-softmax.toml"),
                             "--batch")], os.environ, preload=["nn_tui.cli"])
    assert result.returncode == 0, result.stderr
    assert CAPTION in result.stdout
    assert "(1/14)·(−4.4000) = −0.3143" in result.stdout
    assert batch_gradient_text(_batch_view("psa-softmax").trace, 0)[-1] in result.stdout
