"""LessonSession: deterministic replay, the state rules of steps, training outcomes, answers."""

from __future__ import annotations

import numpy as np
import pytest
from lesson_files import lesson_text

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.grading import default_tolerance
from nn_tui.lessons.session import LessonSession

# A 1-1-1 network (the PSA article's) with a step of every kind and two variants.
LESSON = lesson_text(
    "psa-1-1-1", lesson={"id": "session-test", "title": "Session test"},
    data={"rows": [[3.8, 1], [2.0, 0], [1.2, 0], [2.9, 1]], "focus": 1}, training={"epochs": 40},
    steps=None) + """
[[variants]]
id = "slow"
label = "η = 0.01"
learning_rate = 0.01

[[variants]]
id = "wild"
label = "η = 5, linear"
learning_rate = 5.0
epochs = 200
layers = [{ units = 1, activation = "identity", weights = [[0.5]], bias = [0.0] },
          { units = 1, activation = "identity", weights = [[-1.0]], bias = [0.0] }]

[[steps]]                # 0
kind = "text"
title = "Hello"

[[steps]]                # 1
kind = "forward"
layer = 0

[[steps]]                # 2
kind = "forward"

[[steps]]                # 3
kind = "check"
prompt = "What is ŷ?"
answer = "output[0]"

[[steps]]                # 4
kind = "loss"

[[steps]]                # 5
kind = "backward"
layer = 1

[[steps]]                # 6
kind = "backward"

[[steps]]                # 7: a preview that does not move the weights
kind = "update"
apply = false

[[steps]]                # 8
kind = "update"

[[steps]]                # 9
kind = "check"
prompt = "Did the loss go down?"
answer = "loss < 0.0528"
choices = [{ text = "yes", value = 1 }, { text = "no", value = 0 }]

[[steps]]                # 10: sticky selection starts here
kind = "text"
row = 0

[[steps]]                # 11
kind = "forward"

[[steps]]                # 12
kind = "loss"
batch = true

[[steps]]                # 13
kind = "text"
x = [5.0]
y = [1.0]

[[steps]]                # 14
kind = "train"
variants = ["main", "slow", "wild"]

[[steps]]                # 15
kind = "check"
prompt = "Final loss of the slow run?"
answer = "training.slow.loss"
tolerance = 0.001

[[steps]]                # 16
kind = "check"
prompt = "Did the wild run diverge?"
answer = "training.wild.diverged"

[[steps]]                # 17
kind = "train"
use = "slow"
epochs = 5

[[steps]]                # 18
kind = "forward"
use = "main"
"""


@pytest.fixture
def lesson():
    return parse_lesson_text(LESSON, "session-test.toml")


def _snapshot(view) -> dict:
    return {
        "trace": view.trace.to_dict(),
        "reveal": view.reveal,
        "highlight": view.highlight,
        "selection": view.selection,
        "variant": view.variant_id,
        "label": view.state_label,
        "updates": view.updates_applied,
        "epochs": view.epochs_trained,
        "weights": [(layer.W.tolist(), layer.b.tolist()) for layer in view.network.layers],
        "trainings": [outcome.to_dict() for outcome in view.trainings],
    }


def test_a_view_is_the_same_reached_forward_or_by_jumping(lesson):
    forward = LessonSession(lesson)
    walked = [_snapshot(forward.view(k)) for k in range(forward.total)]
    jumper = LessonSession(lesson)
    jumper.view(jumper.total - 1)
    for k in reversed(range(jumper.total)):
        assert _snapshot(jumper.view(k)) == walked[k], f"step {k} differs"
    for k in (0, 9, 14, 18):
        assert _snapshot(LessonSession(lesson).view(k)) == walked[k], f"fresh jump to {k} differs"


def test_reveal_grows_with_forward_loss_backward_update(lesson):
    session = LessonSession(lesson)
    assert session.view(0).reveal.forward == 0
    assert session.view(1).reveal.forward == 1 and session.view(1).highlight.layer == 0
    assert session.view(2).reveal.forward == 2 and not session.view(2).reveal.loss
    assert session.view(4).reveal.loss
    assert session.view(5).reveal.backward == 1 and session.view(5).highlight.direction == "backward"
    assert session.view(6).reveal.backward == 2
    assert session.view(7).reveal.update


def test_update_steps_apply_unless_told_not_to(lesson):
    session = LessonSession(lesson)
    preview, applied, after = session.view(7), session.view(8), session.view(9)
    # apply = false shows the step but keeps the weights.
    assert preview.updates_applied == 0
    assert applied.updates_applied == 0  # the update step itself still shows the old weights
    np.testing.assert_array_equal(applied.network.layers[1].W, preview.network.layers[1].W)
    assert after.updates_applied == 1 and after.state_label == "after 1 update"
    new_W = [layer.W for layer in applied.trace.after.layers]
    for layer, W in zip(after.network.layers, new_W):
        np.testing.assert_allclose(layer.W, W)
    assert after.trace.loss == pytest.approx(applied.trace.after.loss)
    assert after.trace.loss == pytest.approx(0.05193, abs=5e-6)
    # After an applied update the forward pass and loss stay shown, the gradients are hidden again.
    assert after.reveal.forward == 2 and after.reveal.loss and after.reveal.backward == 0
    assert session.answer(9) == 1.0 and session.correct_choice(9) == 0


def test_data_selection_is_sticky(lesson):
    session = LessonSession(lesson)
    assert session.view(9).selection.mode == "focus" and session.view(9).trace.rows == (1,)
    assert session.view(10).selection.row == 0 and session.view(11).selection.row == 0
    assert session.view(11).trace.x.tolist() == [3.8]
    batch = session.view(12)
    assert batch.selection.mode == "batch" and batch.trace.mode == "batch"
    assert batch.trace.rows == (0, 1, 2, 3)
    custom = session.view(13)
    assert custom.selection.mode == "custom" and custom.trace.x.tolist() == [5.0]
    assert session.view(14).selection.mode == "custom"


def test_train_steps_produce_outcomes(lesson):
    session = LessonSession(lesson)
    outcomes = session.training_outcomes(14)
    assert [outcome.variant_id for outcome in outcomes] == ["main", "slow", "wild"]
    main, slow, wild = outcomes
    assert main.epochs_planned == 40 and main.epochs_run == 40 and len(main.history) == 41
    assert main.history[-1] < main.history[0]
    assert slow.history[-1] > main.history[-1]  # a smaller η learns less in the same epochs
    assert wild.epochs_planned == 200 and wild.diverged and wild.epochs_run < 200
    assert all(np.isfinite(wild.history))
    # The jobs start from the variants' own fresh networks.
    jobs = session.training_jobs(14)
    assert [job.network.learning_rate for job in jobs] == [0.1, 0.01, 5.0]

    later = session.view(15)
    assert later.variant_id == "main" and later.epochs_trained == 40
    assert later.trainings == outcomes
    assert "trained 40 epochs" in later.state_label
    assert later.trace.loss == pytest.approx(
        main.network.copy().trace(np.array([5.0]), np.array([1.0])).loss
    )
    assert session.answer(15) == pytest.approx(slow.history[-1])
    assert session.tolerance(15) == 0.001
    assert session.answer(16) == 1.0


def test_a_train_step_says_what_its_run_will_train(lesson):
    session = LessonSession(lesson)
    # Before the run: the epochs of each listed network (a variant's own, else the lesson's),
    # exactly what the training jobs are given; no other step plans any.
    race = session.view(14).training_planned
    assert race == (40, 40, 200)
    assert race == tuple(job.epochs for job in session.training_jobs(14))
    assert session.view(17).training_planned == (5,)
    assert session.view(15).training_planned == () and session.view(0).training_planned == ()


def test_train_step_with_use_trains_that_variant_from_its_start(lesson):
    session = LessonSession(lesson)
    (outcome,) = session.training_outcomes(17)
    assert outcome.variant_id == "slow" and outcome.epochs_run == 5
    fresh = lesson.variant("slow").network.build()
    assert outcome.history[0] == pytest.approx(fresh.total_loss(lesson.X, lesson.Y))
    view = session.view(18)
    # use = "main" brings back the main network's fresh weights, all hidden again but this step's.
    assert view.variant_id == "main" and view.epochs_trained == 0 and view.updates_applied == 0
    np.testing.assert_array_equal(view.network.layers[0].W, [[0.5]])
    assert view.reveal.forward == 2 and view.reveal.backward == 0


def test_default_tolerance(lesson):
    session = LessonSession(lesson)
    expected = session.answer(3)
    assert expected == pytest.approx(0.32496, abs=5e-6)
    assert session.tolerance(3) == default_tolerance(expected) == pytest.approx(5e-4)
    assert session.tolerance(9) == 1e-9  # a multiple-choice answer must match exactly


def test_problems_are_empty_for_a_sound_lesson(lesson):
    assert LessonSession(lesson).problems() == []


def test_problems_name_bad_answers_and_choices():
    text = LESSON.replace('answer = "output[0]"', 'answer = "output[3]"').replace(
        'answer = "loss < 0.0528"', 'answer = "loss"'
    )
    problems = LessonSession(parse_lesson_text(text, "x.toml")).problems()
    assert any(p.startswith("steps[3].answer") and "out of range" in p for p in problems)
    assert any(p.startswith("steps[9].choices") for p in problems)


def test_record_outcomes_keeps_a_finished_live_run(lesson):
    session = LessonSession(lesson)
    jobs = session.training_jobs(14)
    outcomes = []
    for job in jobs:
        trainer = job.trainer(session.X, session.Y)
        trainer.run(job.epochs)
        outcomes.append(LessonSession.outcome_from(job, trainer))
    session.record_outcomes(14, tuple(outcomes))
    assert session.training_outcomes(14) == tuple(outcomes)


def test_arriving_at_a_train_step_does_not_train(lesson, monkeypatch):
    session = LessonSession(lesson)
    runs = []
    original = LessonSession.training_outcomes

    def counting(self, index):
        runs.append(index)
        return original(self, index)

    monkeypatch.setattr(LessonSession, "training_outcomes", counting)
    assert session.needs_training(14) is False  # the train step shows the state before it
    view = session.view(14)
    assert view.step.kind == "train" and view.epochs_trained == 0 and runs == []
    assert session.needs_training(15) is True
    session.view(15)
    assert runs == [14]
    assert session.needs_training(15) is False and session.needs_training(17) is False
    assert session.needs_training(18) is True  # step 17 trains too
    session.view(18)
    assert runs == [14, 17]


def test_a_recorded_live_run_is_what_later_steps_use(lesson):
    session = LessonSession(lesson)
    session.view(14)
    jobs = session.training_jobs(14)
    outcomes = []
    for job in jobs:
        trainer = job.trainer(session.X, session.Y)
        trainer.run(3 if job.variant_id != "wild" else job.epochs)  # a run stopped early ...
        outcomes.append(LessonSession.outcome_from(job, trainer))
    session.record_outcomes(14, tuple(outcomes))
    assert session.needs_training(15) is True  # ... is not kept: the step trains in full
    assert session.view(15).epochs_trained == 40


def test_view_out_of_range(lesson):
    session = LessonSession(lesson)
    with pytest.raises(IndexError):
        session.view(session.total)
    with pytest.raises(ValueError):
        session.answer(0)
    with pytest.raises(ValueError):
        session.training_jobs(0)


NETWORK_ONLY = LESSON.split("[[variants]]")[0]


def test_generated_walk_through_for_a_network_only_file():
    lesson = parse_lesson_text(NETWORK_ONLY, "plain.toml")
    assert lesson.steps == ()
    session = LessonSession(lesson)
    assert session.generated
    kinds = [step.kind for step in session.steps]
    assert kinds[0] == "text" and kinds[-1] == "train"
    for kind in ("forward", "check", "loss", "backward", "update"):
        assert kind in kinds
    assert kinds.count("forward") == 2 and kinds.count("backward") == 2
    assert session.problems() == []
    for k in range(session.total):
        session.view(k)
    check = kinds.index("check")
    assert session.answer(check) == pytest.approx(session.view(check).trace.layers[1].z[0])
    assert session.view(session.total - 1).reveal.loss


@pytest.mark.parametrize("path", sorted(bundled_lessons_dir().glob("*.toml")), ids=lambda p: p.stem)
def test_bundled_lessons_step_through_and_resolve(path):
    session = LessonSession(load_lesson(path))
    assert session.problems() == []
    for k in range(session.total):
        view = session.view(k)
        assert view.index == k and view.total == session.total


def test_questions_about_training_are_told_apart(lesson):
    session = LessonSession(lesson)
    assert session.asks_about_training(15) and session.asks_about_training(16)
    assert not any(session.asks_about_training(k) for k in range(session.total)
                   if k not in (15, 16))


def test_a_race_counts_epochs_like_its_furthest_run():
    from nn_tui.lessons.session import TrainingOutcome, race_epoch

    def run(done, planned, diverged=None):
        return TrainingOutcome("v", "v", (1.0,) * (done + 1), planned, done, diverged, None)

    assert race_epoch([run(20, 100), run(17, 100, "exploded")]) == (20, 100)
    assert race_epoch([run(100, 100), run(150, 300)]) == (150, 300)
    assert race_epoch([run(17, 100, "exploded")]) == (17, 100)
