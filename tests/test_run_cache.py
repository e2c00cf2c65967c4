"""The cache of finished training runs (nn_tui.lessons.run_cache): keyed by content, bounded,
never stale, and nothing handed out can change what it keeps."""

from __future__ import annotations

import numpy as np
import pytest
from lesson_files import lesson_with

from nn_tui.engine import Network
from nn_tui.engine.training import TrainingCancelled
from nn_tui.lessons import run_cache
from nn_tui.lessons.lint import lint_lesson
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.lessons.session import LessonSession
from nn_tui.lessons.training import TrainingJob, outcome_from

X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, 0.2]])
Y = np.array([[1.0], [1.0], [0.0], [0.3]])


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache and leaves none of its runs; the runs the process's
    other tests trained are put back afterwards (cleared, the bundled lessons' runs were trained
    again by the next test to replay them)."""
    kept, counts = list(run_cache._runs.items()), dict(run_cache._counts)
    run_cache.clear()
    yield
    run_cache.clear()
    run_cache._runs.update(kept)
    run_cache._counts.update(counts)


def network(**changes) -> Network:
    settings = {"activations": ["tanh", "sigmoid"], "loss": "bce", "learning_rate": 0.5,
                "reduction": "mean"}
    settings.update(changes)
    return Network.build([2, 3, 1], settings["activations"], settings["loss"],
                         settings["learning_rate"], settings["reduction"], seed=3)


def job(net: Network | None = None, **changes) -> TrainingJob:
    fields = {"variant_id": "main", "label": "main network", "network": net or network(),
              "epochs": 40, "batch_size": 2, "seed": 7, "shuffle": True}
    fields.update(changes)
    return TrainingJob(**fields)


def uncached(training: TrainingJob, x=X, y=Y, epochs=None):
    trainer = training.trainer(x, y)
    trainer.run(training.epochs if epochs is None else epochs)
    return outcome_from(training, trainer)


def same_run(a, b) -> bool:
    return (a.history == b.history and a.epochs_run == b.epochs_run
            and a.diverged == b.diverged and a.stalled == b.stalled
            and all(np.array_equal(p.W, q.W) and np.array_equal(p.b, q.b)
                    for p, q in zip(a.network.layers, b.network.layers)))


def test_a_kept_run_is_the_run_trained_afresh():
    first = run_cache.trained_outcome(job(), X, Y, 40)
    again = run_cache.trained_outcome(job(), X, Y, 40)
    assert run_cache.cache_info()["runs"] == 1 and run_cache.cache_info()["hits"] == 1
    assert same_run(first, uncached(job())) and same_run(again, first)


def nudged_weight() -> Network:
    net = network()
    net.layers[0].W = net.layers[0].W.copy()
    net.layers[0].W[1, 0] += 1e-9
    return net


def nudged_bias() -> Network:
    net = network()
    net.layers[1].b = net.layers[1].b + 0.5
    return net


def frozen_bias() -> Network:
    net = network()
    net.layers[0].freeze = ("bias",)
    return net


# Each: one thing the run depends on, changed; (job, X, Y, epochs to run).
CHANGES = {
    "a weight by 1e-9": lambda: (job(nudged_weight()), X, Y, 40),
    "a bias": lambda: (job(nudged_bias()), X, Y, 40),
    "a frozen bias": lambda: (job(frozen_bias()), X, Y, 40),
    "an activation": lambda: (job(network(activations=["relu", "sigmoid"])), X, Y, 40),
    "the loss": lambda: (job(network(loss="mse")), X, Y, 40),
    "η": lambda: (job(network(learning_rate=0.25)), X, Y, 40),
    "the reduction": lambda: (job(network(reduction="sum")), X, Y, 40),
    "an input": lambda: (job(), X + np.eye(4, 2) * 0.01, Y, 40),
    "a target": lambda: (job(), X, Y[::-1].copy(), 40),
    "the epochs run": lambda: (job(), X, Y, 39),
    "the epochs planned": lambda: (job(epochs=41), X, Y, 40),
    "the batch size": lambda: (job(batch_size=3), X, Y, 40),
    "the seed": lambda: (job(seed=8), X, Y, 40),
    "the shuffle": lambda: (job(shuffle=False), X, Y, 40),
}


@pytest.mark.parametrize("change", CHANGES)
def test_one_changed_number_or_setting_is_a_new_run(change):
    kept = run_cache.trained_outcome(job(), X, Y, 40)
    changed_job, x, y, epochs = CHANGES[change]()
    assert run_cache.run_key(changed_job, x, y, epochs) != run_cache.run_key(job(), X, Y, 40)
    outcome = run_cache.trained_outcome(changed_job, x, y, epochs)
    assert run_cache.cache_info()["runs"] == 2, "trained, not taken from the cache"
    assert same_run(outcome, uncached(changed_job, x, y, epochs))
    if change not in ("the epochs planned",):  # the same 40 epochs: only the plan differs
        assert not same_run(outcome, kept)


def test_the_variant_names_come_from_the_job_not_the_kept_run():
    run_cache.trained_outcome(job(), X, Y, 40)
    other = run_cache.trained_outcome(job(variant_id="wide", label="wide network"), X, Y, 40)
    assert run_cache.cache_info()["hits"] == 1
    assert (other.variant_id, other.label) == ("wide", "wide network")


def test_no_caller_can_change_a_kept_run():
    first = run_cache.trained_outcome(job(), X, Y, 40)
    expected = [layer.W.copy() for layer in first.network.layers]
    first.network.layers[0].W[0, 0] = 99.0  # the caller's own copy
    first.network.layers[1].b = first.network.layers[1].b + 1
    again = run_cache.trained_outcome(job(), X, Y, 40)
    assert np.array_equal(again.network.layers[0].W, expected[0])
    assert again.network is not first.network
    again.network.layers[0].W[0, 0] = 5.0  # a hit's network is writable, and the caller's own
    third = run_cache.trained_outcome(job(), X, Y, 40)
    assert np.array_equal(third.network.layers[0].W, expected[0])
    assert isinstance(third.history, tuple)
    with pytest.raises(AttributeError):
        third.history = ()  # frozen


def test_the_starting_network_is_not_trained_in_place():
    start = network()
    before = [layer.W.copy() for layer in start.layers]
    run_cache.trained_outcome(job(start), X, Y, 40)
    assert all(np.array_equal(layer.W, W) for layer, W in zip(start.layers, before))


def test_the_cache_is_bounded_and_forgets_the_least_recently_used(monkeypatch):
    monkeypatch.setattr(run_cache, "MAX_RUNS", 2)
    for seed in (1, 2, 1, 3):  # 1 used again after 2, so 2 is the one forgotten
        run_cache.trained_outcome(job(seed=seed), X, Y, 10)
    assert run_cache.cache_info() == {"hits": 1, "runs": 3, "kept": 2}
    run_cache.trained_outcome(job(seed=1), X, Y, 10)
    assert run_cache.cache_info()["runs"] == 3
    run_cache.trained_outcome(job(seed=2), X, Y, 10)
    assert run_cache.cache_info()["runs"] == 4


def test_a_cancelled_run_is_not_kept():
    with pytest.raises(TrainingCancelled):
        run_cache.trained_outcome(job(), X, Y, 40, should_stop=lambda: True)
    assert run_cache.cache_info()["kept"] == 0
    outcome = run_cache.trained_outcome(job(), X, Y, 40)
    assert outcome.epochs_run == 40 and run_cache.cache_info()["runs"] == 1


# -- through lesson files ---------------------------------------------------------------------

def train_outcomes(path):
    session = LessonSession(load_lesson(path))
    index = next(i for i, step in enumerate(session.steps) if step.kind == StepKind.TRAIN)
    return session.training_outcomes(index)


def test_the_same_lesson_in_two_files_trains_once(tmp_path):
    first = lesson_with(tmp_path / "a", "tiny-checks")
    second = lesson_with(tmp_path / "b", "tiny-checks", name="copy.toml")
    (one,) = train_outcomes(first)
    (two,) = train_outcomes(second)
    assert run_cache.cache_info()["runs"] == 1
    assert one.history == two.history
    assert lint_lesson(load_lesson(first)) == lint_lesson(load_lesson(second))


@pytest.mark.parametrize("overrides", [
    {"network": {"layers": {0: {"weights": [[0.5000001]]}}}},
    {"network": {"learning_rate": 0.11}},
    {"data": {"rows": [[1.0, 2.0], [2.0, 4.0], [3.0, 6.5]]}},
    {"training": {"epochs": 299}},
])
def test_a_lesson_changed_by_one_number_is_trained_again(tmp_path, overrides):
    (kept,) = train_outcomes(lesson_with(tmp_path / "a", "tiny-checks"))
    (changed,) = train_outcomes(lesson_with(tmp_path / "b", "tiny-checks", **overrides))
    assert run_cache.cache_info()["runs"] == 2
    assert changed.history != kept.history


def test_a_changed_engine_threshold_is_a_new_run(monkeypatch):
    from nn_tui.engine import training as engine_training

    before = run_cache.run_key(job(), X, Y, 40)
    monkeypatch.setattr(engine_training, "DIVERGENCE_FACTOR", 2.0)
    assert run_cache.run_key(job(), X, Y, 40) != before
