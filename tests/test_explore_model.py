"""Explore mode's model (nn_tui/lessons/explore.py): edits, the slope readout, reset, isolation
from the lesson session, training data and the written lesson file."""

from __future__ import annotations

import os

import numpy as np
import pytest
from script_runs import run_scripts

from nn_tui.engine import Trainer
from nn_tui.lessons.edits import EditError, EditTarget, parse_target
from nn_tui.lessons.explore import (ExploreSession, lesson_document, loss_of, step_text,
                                    write_lesson)
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.lint import check_lesson
from nn_tui.lessons.session import LessonSession

W2 = EditTarget("W", 1, (0, 0))


def _session_and_view(lesson, kind="forward"):
    session = LessonSession(lesson)
    index = next(i for i, step in enumerate(session.steps) if step.kind == kind)
    return session, session.view(index)


def _fingerprint(view):
    """Every number of a view's trace and network, as bytes (bit-for-bit comparisons)."""
    trace = view.trace
    parts = [trace.x.tobytes(), trace.y.tobytes(), np.float64(trace.loss).tobytes()]
    for layer in trace.layers:
        parts += [layer.W.tobytes(), layer.b.tobytes(), layer.z.tobytes(), layer.a.tobytes()]
    for grad in trace.grads:
        parts += [grad.dL_dW.tobytes(), grad.dL_db.tobytes()]
    for layer in view.network.layers:
        parts += [layer.W.tobytes(), layer.b.tobytes()]
    parts.append(np.float64(view.network.learning_rate).tobytes())
    return b"".join(parts)


@pytest.mark.parametrize("lesson_name", ["psa_hidden", "fruit", "psa_softmax"])
def test_the_nudge_ratio_meets_backprop_as_the_step_shrinks(lesson_name, request):
    lesson = request.getfixturevalue(lesson_name)
    _session, view = _session_and_view(lesson)
    explore = ExploreSession(view)
    checked = 0
    for target in explore.targets:
        if target.kind not in ("W", "b", "x"):
            continue
        explore.select(target)
        gaps = []
        for exponent in range(-1, -8, -1):
            explore.reset()
            explore.step_exponent = exponent
            explore.nudge(1)
            readout = explore.readout()
            assert readout.change is not None and readout.change.target == target
            assert readout.backprop is not None
            gaps.append(abs(readout.change.ratio - readout.backprop))
        # The forward difference's error shrinks with the step (about ½·L''·Δp) ...
        assert gaps[-1] < 1e-6, (target.path, gaps)
        assert gaps[-1] <= gaps[0] + 1e-12
        # ... and the central difference with h = 1e-7 is the gradient check.
        assert readout.h == pytest.approx(1e-7 * max(1.0, abs(readout.value)))
        assert readout.central == pytest.approx(readout.backprop, abs=1e-6)
        checked += 1
    assert checked >= 5


def test_the_backprop_slope_is_read_from_the_trace(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.select(W2)
    readout = explore.readout()
    assert readout.backprop == view.trace.grads[1].dL_dW[0, 0]
    assert readout.backprop_path == "grads[1].W[0][0]"
    explore.select(EditTarget("x", None, (0,)))
    readout = explore.readout()
    assert readout.backprop == view.trace.grads[0].dL_da_prev[0]
    assert readout.backprop_path == "grads[0].dL_da_prev[0]"


def test_target_and_learning_rate_have_a_central_difference_only(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    trace = view.trace
    explore = ExploreSession(view)
    # y: half squared error, ∂L/∂y = −(ŷ − y) = −∂L/∂ŷ.
    explore.select(EditTarget("y", None, (0,)))
    readout = explore.readout()
    assert readout.backprop is None and readout.loss_path == "loss"
    assert readout.central == pytest.approx(-trace.grads[-1].dL_da[0], abs=1e-6)
    # η: the loss after the update, L(θ − η·g), has the slope −∇L(θ')·g at θ' = θ − η·g.
    explore.select(EditTarget("learning_rate", None, ()))
    readout = explore.readout()
    assert readout.backprop is None and readout.loss_path == "after.loss"
    assert readout.loss == trace.after.loss
    updated = view.network.copy()
    updated.set_params([(layer.W, layer.b) for layer in trace.after.layers])
    after = updated.trace(trace.x, trace.y)
    slope = -sum(float(np.sum(g.dL_dW * h.dL_dW) + np.sum(g.dL_db * h.dL_db))
                 for g, h in zip(trace.grads, after.grads))
    assert readout.central == pytest.approx(slope, abs=1e-6)
    # A nudge of η changes the loss after the update, not L.
    explore.nudge(1)
    assert explore.trace.loss == trace.loss
    assert explore.trace.after.loss != trace.after.loss
    assert explore.readout().change.loss_before == trace.after.loss


def test_reset_restores_the_step_bit_for_bit(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    before = _fingerprint(view)
    explore = ExploreSession(view)
    assert explore.trace is view.trace
    for target in explore.targets:
        explore.select(target)
        explore.nudge(1)
        explore.nudge(1)
    explore.set_value(3.25, W2)
    assert explore.trace is not view.trace
    explore.reset()
    assert explore.trace is view.trace
    assert explore.edits == {} and explore.changes() == []
    assert explore.readout().change is None
    assert _fingerprint(view) == before


def test_a_nudge_and_its_undo_give_back_the_step_trace(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.select(EditTarget("W", 0, (0, 0)))
    for _ in range(3):
        explore.nudge(1)
    for _ in range(3):
        explore.nudge(-1)
    # 0.5 + 0.1 + 0.1 + 0.1 − 0.1 − 0.1 − 0.1 is not 0.5 in floating point; the step's value is.
    assert explore.edits == {}
    assert explore.trace is view.trace
    # Traces are cached by value: the same edits give the same object again.
    explore.nudge(1)
    first = explore.trace
    explore.nudge(1)
    explore.nudge(-1)
    assert explore.trace is first


def test_edits_never_touch_the_lesson_session(psa_hidden):
    session = LessonSession(psa_hidden)
    views = [session.view(index) for index in range(6)]
    prints = [_fingerprint(view) for view in views]
    data = (session.X.tobytes(), session.Y.tobytes())
    explore = ExploreSession(views[4])
    for target in explore.targets:
        explore.select(target)
        explore.set_value(explore.value() + 0.7)
    X, Y = explore.training_data(session.X, session.Y)
    network, _x, _y = explore.edited_data()
    Trainer(network, X, Y).run(5)
    explore.adopt(network)
    assert [session.view(index) for index in range(6)] == views
    assert all(session.view(i) is view for i, view in enumerate(views))
    assert [_fingerprint(view) for view in views] == prints
    assert (session.X.tobytes(), session.Y.tobytes()) == data
    assert session.answer(next(i for i, s in enumerate(session.steps) if s.kind == "check")) \
        == pytest.approx(LessonSession(psa_hidden).answer(
            next(i for i, s in enumerate(session.steps) if s.kind == "check")))


@pytest.mark.parametrize("typed", ["abc", "", "1/0", "nan", "inf", "1e999", "2 3", "0x10"])
def test_typed_values_that_are_not_numbers_change_nothing(psa_hidden, typed):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.select(W2)
    with pytest.raises(EditError):
        explore.set_text(typed)
    assert explore.edits == {} and explore.last is None and explore.trace is view.trace


def test_typed_values_are_read_like_answers(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.select(W2)
    assert explore.set_text(" −0.7 ") == -0.7
    assert explore.set_text("1/4") == 0.25
    assert explore.trace.layers[1].W[0, 0] == 0.25
    change = explore.readout().change
    assert (change.before, change.after) == (-0.7, 0.25)


def test_the_learning_rate_stays_positive(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.select(EditTarget("learning_rate", None, ()))
    with pytest.raises(EditError):
        explore.set_value(0.0)
    explore.step_exponent = 0
    with pytest.raises(EditError):
        explore.nudge(-1)  # 0.1 − 1 < 0
    assert explore.value() == 0.1 and explore.edits == {}
    # Near zero the slope is a forward difference (η − h would not be positive).
    explore.set_value(5e-8)
    assert np.isfinite(explore.readout().central)


def test_step_size_is_a_power_of_ten_within_bounds(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    assert explore.step == 0.1 and explore.step_label == "0.1"
    explore.scale_step(False)
    assert explore.step == pytest.approx(0.01) and explore.step_label == "0.01"
    for _ in range(20):
        explore.scale_step(False)
    assert explore.step_label == step_text(-9) == "1e-9"
    for _ in range(20):
        explore.scale_step(True)
    assert explore.step == 1000
    assert [step_text(e) for e in (-5, -4, -1, 0, 3)] == ["1e-5", "0.0001", "0.1", "1", "1000"]


def test_cursor_wraps_and_editable_limits_it(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    assert [t.path for t in explore.targets] == [
        "layers[0].W[0][0]", "layers[0].b[0]", "layers[1].W[0][0]", "layers[1].b[0]", "x[0]",
        "y[0]", "learning_rate"]
    assert explore.move(-1).path == "learning_rate"
    assert explore.move(1).path == "layers[0].W[0][0]"
    limited = ExploreSession(view, [W2, EditTarget("b", 1, (0,))])
    assert [t.path for t in limited.targets] == ["layers[1].W[0][0]", "layers[1].b[0]"]
    with pytest.raises(EditError):
        limited.set_value(1.0, EditTarget("W", 0, (0, 0)))
    with pytest.raises(ValueError):
        ExploreSession(view, [])


def test_batch_steps_edit_each_row(psa_softmax):
    session = LessonSession(psa_softmax)
    index = next(i for i, step in enumerate(session.steps) if step.batch)
    view = session.view(index)
    assert view.trace.mode == "batch"
    explore = ExploreSession(view)
    target = parse_target("x[1][0]", view.network, explore.x, explore.y)
    explore.select(target)
    explore.nudge(1)
    assert explore.trace.x[1, 0] == pytest.approx(view.trace.x[1, 0] + 0.1)
    readout = explore.readout()
    assert readout.central == pytest.approx(readout.backprop, abs=1e-6)


def test_training_data_puts_the_edited_row_in(psa_hidden):
    session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    row = view.trace.rows[0]
    explore.set_value(9.0, EditTarget("x", None, (0,)))
    X, Y = explore.training_data(session.X, session.Y)
    assert X[row, 0] == 9.0
    assert np.array_equal(np.delete(X, row, 0), np.delete(session.X, row, 0))
    assert np.array_equal(Y, session.Y)


def test_adopt_takes_a_trained_network_as_edits(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.set_value(0.2, EditTarget("learning_rate", None, ()))
    network, _x, _y = explore.edited_data()
    network.layers[0].W[0, 0] = 1.5
    explore.adopt(network)
    assert explore.value(EditTarget("W", 0, (0, 0))) == 1.5
    assert explore.value(EditTarget("learning_rate", None, ())) == 0.2
    explore.reset()
    assert explore.trace is view.trace


def test_written_lesson_passes_check_and_reproduces_the_edited_trace(psa_hidden, tmp_path):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    explore.set_value(-0.8123456789, W2)
    explore.set_value(2.5, EditTarget("x", None, (0,)))
    explore.set_value(0.3, EditTarget("learning_rate", None, ()))
    path = write_lesson(explore, psa_hidden, tmp_path, step_label="step 4 of 20")
    assert path.name == "psa-hidden-layer-explored.toml"
    written = load_lesson(path)
    assert check_lesson(written) == []
    replay = LessonSession(written)
    assert replay.generated
    trace = replay.view(0).trace
    assert trace.to_dict() == explore.trace.to_dict()
    # `python -m nn_tui check`, in a process of its own (forked from an interpreter that has
    # imported nn_tui.cli).
    [result] = run_scripts([("-m", "nn_tui", "check", str(path))], os.environ,
                           preload=["nn_tui.cli"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_writing_never_replaces_a_file(psa_hidden, tmp_path):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    first = write_lesson(explore, psa_hidden, tmp_path)
    first_text = first.read_text()
    explore.set_value(1.0, W2)
    second = write_lesson(explore, psa_hidden, tmp_path)
    assert second.name == "psa-hidden-layer-explored-2.toml"
    assert first.read_text() == first_text
    assert load_lesson(second).network.layers[1].weights == ((1.0,),)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.name, second.name])


def test_a_custom_example_is_added_as_the_focus_row(psa_hidden):
    session = LessonSession(psa_hidden)
    view = session.view(0)
    explore = ExploreSession(view)
    explore.rows = ()  # as a step with its own x and y traces it
    document = lesson_document(explore, psa_hidden)
    assert len(document["rows"]) == len(psa_hidden.rows) + 1
    assert document["focus"] == len(psa_hidden.rows)


def test_loss_of_follows_the_target(psa_hidden):
    _session, view = _session_and_view(psa_hidden)
    trace = view.trace
    assert loss_of(trace, W2) == trace.loss
    assert loss_of(trace, EditTarget("learning_rate", None, ())) == trace.after.loss


def test_values_a_lesson_file_could_not_hold_are_refused(psa_hidden, psa_softmax):
    _session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    with pytest.raises(EditError):
        explore.set_value(2e6, W2)
    _session, view = _session_and_view(psa_softmax)
    explore = ExploreSession(view)
    target = next(t for t in explore.targets if t.kind == "y")
    with pytest.raises(EditError):
        explore.set_value(1.5, target)  # cross-entropy targets are probabilities
    assert explore.edits == {}


def test_the_data_shown_stays_the_same_object_until_the_data_is_edited(psa_hidden):
    session, view = _session_and_view(psa_hidden)
    explore = ExploreSession(view)
    first = explore.shown_data(session.X, session.Y)
    explore.set_value(0.9, W2)
    assert explore.shown_data(session.X, session.Y) is first  # a weight: same data
    explore.set_value(3.0, EditTarget("x", None, (0,)))
    second = explore.shown_data(session.X, session.Y)
    assert second is not first and second[0][view.trace.rows[0], 0] == 3.0


def test_the_slope_of_a_bounded_target_is_one_sided(fruit):
    _session, view = _session_and_view(fruit)
    explore = ExploreSession(view)
    target = EditTarget("y", None, (0,))
    assert explore.value(target) == 1.0  # bce: y may not pass 1
    explore.select(target)
    readout = explore.readout()
    # bce: ∂L/∂y = −ln ŷ + ln(1 − ŷ) = −z for a sigmoid output (one row, mean over one).
    assert readout.central == pytest.approx(-view.trace.layers[-1].z[0], abs=1e-6)
    with pytest.raises(EditError):
        explore.nudge(1)


def test_the_command_line_set_gives_the_tutors_numbers(psa_hidden):
    """``nn-tui trace --step N --set`` (issue 12) against the numbers explore mode shows."""
    import json

    [result] = run_scripts(
        [("-m", "nn_tui", "trace", psa_hidden.path, "--step", "4", "--set",
          "layers[1].W[0][0]=-0.8", "--set", "x[0]=2.5", "--json")],
        os.environ, preload=["nn_tui.cli"])
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    session = LessonSession(psa_hidden)
    explore = ExploreSession(session.view(3))
    explore.set_value(-0.8, W2)
    explore.set_value(2.5, EditTarget("x", None, (0,)))
    shown = explore.trace.to_dict()
    for key in ("x", "y", "output", "loss", "learning_rate"):
        assert printed[key] == pytest.approx(shown[key], rel=1e-12), key
    for mine, theirs in zip(shown["grads"], printed["grads"]):
        np.testing.assert_allclose(theirs["W"], mine["W"], rtol=1e-12)
    assert printed["after"]["loss"] == pytest.approx(shown["after"]["loss"], rel=1e-12)
