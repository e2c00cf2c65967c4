"""Explore mode end to end in a real terminal (tmux): edit a weight, train from the edited
network, write it as a lesson file, leave, quit."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
from tmux_helpers import ROOT, requires_tmux

from nn_tui.engine import Trainer
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession

pytestmark = requires_tmux

PSA = bundled_lessons_dir() / "psa-hidden-layer.toml"


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_edit_train_and_write_a_lesson_in_a_terminal(tmp_path, tmux_tutor, size):
    work = tmp_path / "work"
    work.mkdir()
    term = tmux_tutor(str(PSA), cwd=work, size=size)
    try:
        term.wait_for("step 1 of 20")
        time.sleep(0.5)
        for position in (2, 3, 4):
            term.keys("Right")
            term.wait_for(f"step {position} of 20")
            time.sleep(0.2)
        term.keys("e")
        term.wait_for("EXPLORE")
        term.wait_for("Slope of L with respect to w₁")
        term.keys("+")
        term.wait_for("0.6000·2")
        term.keys("[")
        term.wait_for("step 0.01")
        term.keys("+")
        screen = term.wait_for("0.6100·2")
        assert "(was 1.0000)" in screen  # z₁ = 1.2200, and what it was
        term.keys("Space")
        term.wait_for("finished", timeout=60)
        term.keys("w")
        screen = term.wait_for("psa-hidden-layer-explored.toml")
        written = work / "psa-hidden-layer-explored.toml"
        assert written.exists()
        term.keys("Escape")
        screen = term.wait_for("e Explore")
        assert "EXPLORE" not in screen and "step 4 of 20" in screen
        term.keys("q")
        assert term.exit_status(timeout=15) == "0"
    finally:
        term.kill()
    check = subprocess.run([sys.executable, "-m", "nn_tui", "check", str(written)],
                           capture_output=True, text=True, cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert check.returncode == 0, check.stdout + check.stderr
    # What was written is the network trained from the edit (w₁ = 0.61), as the engine trains it.
    original = load_lesson(PSA)
    network = original.network.build()
    network.layers[0].W[0, 0] = 0.5 + 0.1 + 0.01
    trainer = Trainer(network, original.X, original.Y, original.training.batch_size,
                      original.training.shuffle_seed)
    trainer.run(original.training.epochs)
    lesson = load_lesson(written)
    for spec, layer in zip(lesson.network.layers, trainer.network.layers):
        np.testing.assert_allclose(spec.weights, layer.W, rtol=1e-12)
        np.testing.assert_allclose(spec.bias, layer.b, rtol=1e-12, atol=1e-15)
    assert LessonSession(lesson).view(0).trace.layers[0].W[0, 0] == spec_w1(lesson)


def spec_w1(lesson) -> float:
    return lesson.network.layers[0].weights[0][0]
