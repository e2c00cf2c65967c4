"""Names a reader cannot confuse (issue 10): in Python the gradient of W is GradTrace.dL_dW
(LayerTrace.W is the weight) and the step taken is LayerUpdate.step_W (not a gradient); the
JSON keys and answer paths keep the names lesson files use, read with their list: grads[i].W,
after.layers[i].dW."""

from __future__ import annotations

import numpy as np
import pytest

from nn_tui.engine import Network
from nn_tui.engine.trace import json_value
from nn_tui.format import worked
from nn_tui.lessons.expressions import parse_expression


@pytest.fixture
def trace():
    network = Network.build([2, 2, 1], ["sigmoid", "sigmoid"], "half_sse", 0.5, seed=3)
    return network.trace(np.array([1.0, -2.0]), np.array([1.0]))


def test_gradients_and_steps_are_named_apart_from_the_weights(trace):
    grad, new = trace.grads[1], trace.after.layers[1]
    assert not hasattr(grad, "W") and not hasattr(new, "dW")
    assert grad.dL_dW.shape == trace.layers[1].W.shape
    np.testing.assert_array_equal(new.step_W, new.W - trace.layers[1].W)
    np.testing.assert_allclose(new.step_W, -trace.learning_rate * grad.dL_dW)
    np.testing.assert_allclose(new.step_b, -trace.learning_rate * grad.dL_db)


def test_the_json_contract_is_unchanged(trace):
    data = trace.to_dict()
    assert set(data["grads"][1]) == {"W", "b", "dL_da", "da_dz", "dL_dz", "dL_da_prev"}
    assert set(data["after"]["layers"][1]) == {"W", "b", "dW", "db", "z", "a"}
    assert data["grads"][1]["W"] == trace.grads[1].dL_dW.tolist()
    assert data["after"]["layers"][1]["dW"] == trace.after.layers[1].step_W.tolist()


@pytest.mark.parametrize("part", ["layers", "grads", "after.layers"])
def test_json_value_reads_every_key_as_to_dict_writes_it(trace, part):
    """What reads a record field by its JSON key (the diagnosis of wrong answers) gets the
    value to_dict writes."""
    records = trace.after.layers if part == "after.layers" else getattr(trace, part)
    for record in records:
        for key, value in record.to_dict().items():
            got = json_value(record, key)
            got = got.tolist() if isinstance(got, np.ndarray) else got
            got = list(got) if isinstance(got, tuple) else got  # freeze: a tuple in Python
            assert got == value, (part, key)


def test_worked_rows_point_at_the_paths_the_json_has(trace):
    data = trace.to_dict()
    for layer in range(2):
        for row in worked.backward_rows(trace, layer):
            assert row.value == worked.num(parse_expression(row.path).evaluate(data)), row.path
        for line in worked.update_lines(trace, layer):
            assert line.value == worked.num(parse_expression(line.path).evaluate(data))
