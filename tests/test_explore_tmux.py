"""Explore mode end to end in a real terminal (tmux): edit a weight, train from the edited
network, write it as a lesson file, leave, quit."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from nn_tui.engine import Trainer
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROOT = Path(__file__).resolve().parent.parent
PSA = bundled_lessons_dir() / "psa-hidden-layer.toml"


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen; last screen:\n{screen}")


def _wait_for_file(path: Path, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    raise AssertionError(f"{path} was never written")


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
def test_edit_train_and_write_a_lesson_in_a_terminal(tmp_path, size):
    session = f"nn-tui-explore-{uuid.uuid4().hex[:8]}"
    work = tmp_path / "work"
    work.mkdir()
    status_file = tmp_path / "exit-status"
    env = {
        "NN_TUI_HOME": str(tmp_path / "home"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
    }
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = (
        f"cd {shlex.quote(str(work))} && env -u COLUMNS -u LINES {exports} "
        f"{shlex.quote(sys.executable)} -m nn_tui {shlex.quote(str(PSA))}; "
        f"echo $? > {shlex.quote(str(status_file))}; sleep 30"
    )
    columns, rows = size
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(columns), "-y",
                    str(rows), "sh", "-c", command], check=True)
    term = Terminal(session)
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
        assert _wait_for_file(status_file) == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
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
