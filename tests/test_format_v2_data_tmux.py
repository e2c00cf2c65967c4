"""Issue 11 in a real terminal (tmux): `nn-tui new` writes a lesson from a CSV file, the tutor
opens it and a learner steps through it, answering its question, to the end."""

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

ROOT = Path(__file__).resolve().parent.parent
CSV = "patient,PSA,cancer\n1,3.8,1\n2,3.4,1\n3,2.0,0\n4,0.9,0\n"


def _screen(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                          capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared on screen; last screen:\n{screen}")


def _keys(session: str, *keys: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *keys], check=True)


def test_new_then_open_in_the_tutor_and_step_through(tmp_path):
    (tmp_path / "psa.csv").write_text(CSV, encoding="utf-8")
    status = tmp_path / "status"
    env = {"NN_TUI_HOME": str(tmp_path / "home"), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "PATH": os.environ.get("PATH", ""),
           "PYTHONPATH": str(ROOT)}
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    nn_tui = f"env -u COLUMNS -u LINES {exports} {shlex.quote(sys.executable)} -m nn_tui"
    command = (f"cd {shlex.quote(str(tmp_path))} && "
               f"{nn_tui} new --csv psa.csv --inputs PSA --targets cancer --hidden 2 "
               f"--activation sigmoid && {nn_tui} psa.toml; "
               f"echo $? > {shlex.quote(str(status))}; sleep 60")
    session = f"nn-tui-new-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "sh", "-c", command], check=True)
    try:
        _wait_for(session, "step 1 of 10", timeout=60)
        _wait_for(session, "PSA = 3.8")  # the focus row, from the CSV file, once painted
        from nn_tui.lessons.loader import load_lesson
        from nn_tui.lessons.session import LessonSession

        session_model = LessonSession(load_lesson(tmp_path / "psa.toml"))
        check = next(i for i, step in enumerate(session_model.steps) if step.kind == "check")
        answer = float(session_model.answer(check))
        for index in range(1, check + 1):
            _keys(session, "Right")
            _wait_for(session, f"step {index + 1} of 10")
        _keys(session, *f"{answer:.4f}", "Enter")
        _wait_for(session, "Correct")
        for index in range(check + 1, 10):
            _keys(session, "Right")
            _wait_for(session, f"step {index + 1} of 10")
        _keys(session, "q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not status.exists():
            time.sleep(0.1)
        assert status.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
