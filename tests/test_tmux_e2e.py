"""End to end, as a person would: nn-tui in a real terminal (tmux), keys typed, the screen read."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

LESSONS = Path(__file__).resolve().parent.parent / "lessons"


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def screen(self) -> str:
        result = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True, text=True
        )
        return result.stdout

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen; last screen:\n{screen}")


@pytest.fixture
def terminal(tmp_path):
    session = f"nn-tui-test-{uuid.uuid4().hex[:8]}"
    status_file = tmp_path / "exit-status"
    env = {
        "NN_TUI_HOME": str(tmp_path / "home"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
    }
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = (
        f"cd {shlex.quote(str(tmp_path))} && env {exports} {shlex.quote(sys.executable)} -m nn_tui; "
        f"echo $? > {shlex.quote(str(status_file))}; sleep 30"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "sh", "-c", command],
        check=True,
    )
    try:
        yield Terminal(session), status_file
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _wait_for_file(path: Path, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.1)
    raise AssertionError(f"{path} was never written")


def test_learner_opens_a_lesson_steps_through_and_quits(terminal):
    term, status_file = terminal
    # The picker lists the course; type to filter down to the PSA hidden-layer lesson.
    term.wait_for("One neuron")
    term.keys("-l", "one hidden neuron")
    term.wait_for("PSA: one hidden neuron")
    time.sleep(0.3)
    term.keys("Enter")
    term.wait_for("PSA: one hidden neuron, one backprop step")
    # At the compact layout one of Forward pass / Gradients / Weights shows at a time.
    for title in ("Lesson", "Network", "Loss"):
        term.wait_for(title)
    # Step forward until the forward pass shows the article's output, 0.3250 (exactly 0.32496…).
    for _ in range(30):
        if "0.3250" in term.screen():
            break
        term.keys("Right")
        time.sleep(0.25)
    assert "0.3250" in term.screen()
    term.keys("End")
    term.wait_for("step ")
    term.keys("Home")
    time.sleep(0.3)
    term.keys("q")
    assert _wait_for_file(status_file) == "0"
