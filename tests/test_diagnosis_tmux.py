"""A learner in a real terminal (tmux) answers a check wrongly in a usual way, is told which
factor is missing, and `nn-tui progress` shows the mistake afterwards."""

from __future__ import annotations

import json
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

ROOT = Path(__file__).resolve().parent.parent
PSA = ROOT / "lessons" / "psa-hidden-layer.toml"


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def type(self, text: str) -> None:
        """``text`` typed literally (a leading "-" is not a tmux flag)."""
        subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", "--", text], check=True)

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


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def terminal(tmp_path, home):
    session = f"nn-tui-diag-{uuid.uuid4().hex[:8]}"
    status_file = tmp_path / "exit-status"
    env = {"NN_TUI_HOME": str(home), "HOME": str(tmp_path), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    command = (f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES {exports} "
               f"{shlex.quote(sys.executable)} -m nn_tui {shlex.quote(str(PSA))}; "
               f"echo $? > {shlex.quote(str(status_file))}; sleep 30")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "sh", "-c", command], check=True)
    try:
        yield Terminal(session), status_file
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_a_learner_is_told_the_missing_factor(terminal, home):
    term, status_file = terminal
    term.wait_for("step 1 of 20")
    for step in range(2, 14):
        term.keys("Right")
        term.wait_for(f"step {step} of 20")
    term.wait_for("what is ∂L/∂w₁?")
    term.type("-0.1278")
    term.keys("Enter")
    screen = term.wait_for("without ∂ŷ/∂z₂ = 0.2194")
    assert "0.3250 · (−1.0000) · 0.1966 · 2.0000 = −0.1278" in screen.replace("\n", "")
    term.keys("5", "Enter")
    term.wait_for("Hint:")
    term.keys("q")
    deadline = time.monotonic() + 15
    while not (status_file.exists() and status_file.read_text().strip()):
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.1)
    assert status_file.read_text().strip() == "0"
    result = subprocess.run([sys.executable, "-m", "nn_tui", "progress", "--json"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "NN_TUI_HOME": str(home),
                                 "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    (lesson,) = json.loads(result.stdout)["lessons"]
    assert lesson["mistakes"] == {"missing_activation_slope": 1}
    assert lesson["mistakes_by_step"] == [{"step": 13, "kinds": ["missing_activation_slope"]}]
