"""Value keys of traces (nn_tui.lessons.fingerprint): the pane and export caches are keyed by
the numbers, not by the object's id()."""

from __future__ import annotations

import gc

import numpy as np

from nn_tui.lessons.fingerprint import _DIGESTS, value_key
from nn_tui.lessons.session import LessonSession


def _trace(lesson, w: float | None = None):
    network = lesson.network.build()
    if w is not None:
        network.layers[0].W[0, 0] = w
    return network.trace(lesson.X[lesson.focus], lesson.Y[lesson.focus], rows=(lesson.focus,))


def test_equal_numbers_give_equal_keys_and_other_numbers_other_keys(psa_hidden):
    first, again = _trace(psa_hidden), _trace(psa_hidden)
    assert first is not again
    assert value_key(first) == value_key(again)
    assert value_key(_trace(psa_hidden, 0.25)) != value_key(first)


def test_a_dead_traces_key_is_forgotten_so_a_reused_id_cannot_hit(psa_hidden):
    trace = _trace(psa_hidden)
    value_key(trace)
    key = id(trace)
    assert key in _DIGESTS
    del trace
    gc.collect()
    assert key not in _DIGESTS


def test_arrays_of_other_shapes_or_types_differ():
    assert value_key(np.zeros((2, 3))) != value_key(np.zeros((3, 2)))
    assert value_key(np.zeros(3)) != value_key(np.zeros(3, dtype=np.float32))


def test_a_recomputed_trace_of_a_step_has_the_steps_key(psa_hidden):
    """What a live redraw or another session computes for the same weights and data hits the
    cache of the step's own trace (id() would not)."""
    session = LessonSession(psa_hidden)
    for index in range(session.total):
        view = session.view(index)
        x, y, rows = session.selected_data(view.selection)
        again = view.network.copy().trace(x, y, rows=rows)
        assert again is not view.trace
        assert value_key(again) == value_key(view.trace)
