"""Edit paths (nn_tui.lessons.edits): the numbers explore mode and `trace --set` may change."""

from __future__ import annotations

import numpy as np
import pytest

from nn_tui.engine import Network
from nn_tui.lessons.edits import (EditError, EditTarget, apply_edits, editable_targets,
                                  parse_assignment, parse_target, value_of)


def network() -> Network:
    return Network.build([2, 2, 1], ["relu", "sigmoid"], "half_sse", 0.1,
                         params=[([[1.0, 2.0], [3.0, 4.0]], [0.5, -0.5]), ([[0.7, -0.2]], [0.1])])


X = np.array([2.0, 3.0])
Y = np.array([1.0])


@pytest.mark.parametrize("text, path", [
    ("layers[0].W[1][0]", "layers[0].W[1][0]"),
    (" layers[-1].W[0][-1] ", "layers[1].W[0][1]"),
    ("layers[1].b[0]", "layers[1].b[0]"),
    ("x[1]", "x[1]"), ("y[-1]", "y[0]"),
    ("learning_rate", "learning_rate"), ("η", "learning_rate"),
])
def test_paths_are_read_and_written_canonically(text, path):
    assert parse_target(text, network(), X, Y).path == path


@pytest.mark.parametrize("text, words", [
    ("layers[2].W[0][0]", "layer index 2 is out of range"),
    ("layers[0].W[0]", "give 2 index"),
    ("layers[0].W[0][2]", "out of range"),
    ("x[2]", "out of range"),
    ("output[0]", "not an editable number"),
    ("layers[0].z[0]", "not an editable number"),
    ("x" * 500, "not a path"),
])
def test_bad_paths_say_why(text, words):
    with pytest.raises(EditError, match=words):
        parse_target(text, network(), X, Y)


def test_assignment_reads_negative_and_refuses_non_numbers():
    target, value = parse_assignment("layers[0].W[0][0]=-0.7", network(), X, Y)
    assert (target.path, value) == ("layers[0].W[0][0]", -0.7)
    with pytest.raises(EditError, match="not a number"):
        parse_assignment("x[0]=abc", network(), X, Y)
    with pytest.raises(EditError, match="PATH=VALUE"):
        parse_assignment("x[0]", network(), X, Y)
    with pytest.raises(EditError, match="greater than 0"):
        parse_assignment("learning_rate=0", network(), X, Y)


def test_apply_edits_copies_and_changes_only_the_target():
    net = network()
    w_before = net.layers[0].W.copy()
    edits = {EditTarget("W", 0, (0, 1)): 9.0, EditTarget("x", None, (0,)): -1.0,
             EditTarget("learning_rate", None, ()): 0.5}
    edited, x, y = apply_edits(net, X, Y, edits)
    assert np.array_equal(net.layers[0].W, w_before) and X[0] == 2.0 and net.learning_rate == 0.1
    assert edited.layers[0].W[0, 1] == 9.0 and edited.layers[0].W[0, 0] == 1.0
    assert x[0] == -1.0 and edited.learning_rate == 0.5
    assert value_of(EditTarget("W", 0, (0, 1)), edited, x, y) == 9.0
    with pytest.raises(EditError):
        apply_edits(net, X, Y, {EditTarget("b", 1, (0,)): float("nan")})


def test_every_number_is_listed_once_in_reading_order():
    targets = editable_targets(network(), X, Y)
    paths = [t.path for t in targets]
    assert paths[:6] == ["layers[0].W[0][0]", "layers[0].W[0][1]", "layers[0].W[1][0]",
                         "layers[0].W[1][1]", "layers[0].b[0]", "layers[0].b[1]"]
    assert paths[-4:] == ["x[0]", "x[1]", "y[0]", "learning_rate"]
    assert len(set(paths)) == len(paths) == 4 + 2 + 2 + 1 + 2 + 1 + 1
    batch = editable_targets(network(), np.zeros((3, 2)), np.zeros((3, 1)))
    assert "x[2][1]" in [t.path for t in batch]
