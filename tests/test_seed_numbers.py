"""The numbers the two source articles print come out of the engine."""

import pytest

from engine_runs import train


def test_psa_hidden_layer_forward_loss_and_one_step(psa_hidden):
    row = psa_hidden.focus
    trace = psa_hidden.network.build().trace(psa_hidden.X[row], psa_hidden.Y[row])
    assert psa_hidden.X[row][0] == 2.0 and psa_hidden.Y[row][0] == 0.0
    assert trace.layers[0].z[0] == pytest.approx(1.0)
    assert trace.layers[0].a[0] == pytest.approx(0.7310585786, abs=1e-10)
    assert trace.layers[1].z[0] == pytest.approx(-0.7310585786, abs=1e-10)
    # The article prints 0.3248; the exact value is 0.32496...
    assert trace.output[0] == pytest.approx(0.32496, abs=5e-6)
    assert trace.loss == pytest.approx(0.05280, abs=5e-6)
    assert trace.grads[1].dL_dW[0][0] == pytest.approx(0.0521, abs=5e-5)
    assert trace.grads[1].dL_db[0] == pytest.approx(0.0713, abs=5e-5)
    assert trace.grads[0].dL_dW[0][0] == pytest.approx(-0.0280, abs=5e-5)
    assert trace.grads[0].dL_db[0] == pytest.approx(-0.0140, abs=5e-5)
    assert trace.after.output[0] == pytest.approx(0.3223, abs=5e-5)
    assert trace.after.loss == pytest.approx(0.05193, abs=5e-6)


def test_fruit_forward_pass(fruit):
    trace = fruit.network.build().trace(fruit.X[fruit.focus], fruit.Y[fruit.focus])
    assert list(fruit.X[fruit.focus]) == [1.0, 1.0] and fruit.Y[fruit.focus][0] == 1.0
    assert trace.layers[0].z == pytest.approx([0.8, 1.2])
    assert trace.layers[0].a == pytest.approx([0.8, 1.2])
    assert trace.layers[1].z[0] == pytest.approx(1.36)
    assert trace.output[0] == pytest.approx(0.7958, abs=5e-5)
    # One step moves the prediction towards the target 1.
    assert trace.after.output[0] > trace.output[0]


def test_psa_softmax_prediction_at_two(psa_softmax):
    result = train(psa_softmax.network.build(), psa_softmax.X, psa_softmax.Y,
                   psa_softmax.training.epochs)
    healthy, cancer = result.network.predict([2.0])
    assert cancer == pytest.approx(0.43, abs=0.01)
    assert healthy > cancer
