"""Issue 9 in a real terminal (tmux): lesson text cannot drive the terminal (7), and q / Escape
stop a long training at once, leaving no process behind (10)."""

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


class Terminal:
    def __init__(self, session: str, pid_file: Path, status_file: Path) -> None:
        self.session = session
        self.pid_file = pid_file
        self.status_file = status_file

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def pane_title(self) -> str:
        return subprocess.run(["tmux", "display", "-p", "-t", self.session, "#{pane_title}"],
                              capture_output=True, text=True).stdout.strip()

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on screen; last screen:\n{screen}")

    @property
    def pid(self) -> int:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.pid_file.exists() and self.pid_file.read_text().strip():
                return int(self.pid_file.read_text())
            time.sleep(0.05)
        raise AssertionError("the tutor never started")

    def exit_status(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and self.status_file.read_text().strip():
                return self.status_file.read_text().strip()
            time.sleep(0.05)
        return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by the shell) is not running either.
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture
def run_tutor(tmp_path):
    sessions = []

    def start(*args: str) -> Terminal:
        session = f"nn-tui-keys-{uuid.uuid4().hex[:8]}"
        pid_file, status_file = tmp_path / "pid", tmp_path / "status"
        env = {
            "NN_TUI_HOME": str(tmp_path / "home"),
            "HOME": str(tmp_path),
            "TERM": "xterm-256color",
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),  # this checkout, not an installed copy
        }
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        tutor = " ".join(shlex.quote(part) for part in (sys.executable, "-m", "nn_tui", *args))
        # The inner shell writes its pid and becomes the tutor (exec), so the pid is the tutor's.
        inner = f"echo $$ > {shlex.quote(str(pid_file))}; exec env -u COLUMNS -u LINES " \
                f"{exports} {tutor}"
        command = (f"cd {shlex.quote(str(tmp_path))} && sh -c {shlex.quote(inner)}; "
                   f"echo $? > {shlex.quote(str(status_file))}; sleep 60")
        subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                        "sh", "-c", command], check=True)
        sessions.append(session)
        return Terminal(session, pid_file, status_file)

    yield start
    for session in sessions:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def slow_lesson(rows: int = 3000, epochs: int = 100_000) -> str:
    """The issue's slow train step: 3,000 rows, a 2-64-1 network, 100,000 epochs."""
    import random

    rng = random.Random(0)
    data = []
    for _ in range(rows):
        a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
        data.append(f"[{a:.3f}, {b:.3f}, {1.0 if a * b > 0 else 0.0}]")
    return f"""[lesson]
id = "slow-train"
title = "Slow training"

[network]
inputs = ["a", "b"]
outputs = ["y"]
loss = "bce"
learning_rate = 0.1

[[network.layers]]
units = 64
activation = "tanh"

[[network.layers]]
units = 1
activation = "sigmoid"

[data]
rows = [{", ".join(data)}]

[training]
epochs = {epochs}

[[steps]]
kind = "text"
title = "Start"
text = "A slow run."

[[steps]]
kind = "train"
title = "Train"
text = "Long."

[[steps]]
kind = "text"
title = "After"
text = "Done."
"""


def slow_lesson_file(folder: Path) -> Path:
    """The issue's lesson, or (if a work budget refuses it) the largest one accepted that still
    trains for many seconds."""
    from nn_tui.lessons.errors import LessonError
    from nn_tui.lessons.loader import load_lesson

    path = folder / "slow.toml"
    for epochs in (100_000, 20_000, 5_000, 2_500, 2_000):
        path.write_text(slow_lesson(epochs=epochs), encoding="utf-8")
        try:
            load_lesson(path)
            return path
        except LessonError:
            continue
    pytest.skip("no slow lesson within the work budget")


def test_q_while_preparing_ends_the_process_at_once(run_tutor, tmp_path):
    lesson = slow_lesson_file(tmp_path)
    term = run_tutor(str(lesson))
    term.wait_for("Slow training")
    term.wait_for("step 1 of 3")
    pid = term.pid
    term.keys("End")
    term.wait_for("preparing")
    time.sleep(1.0)  # well into the training
    assert alive(pid)
    started = time.monotonic()
    term.keys("q")
    status = term.exit_status(timeout=5)
    assert status == "0", f"the tutor did not exit promptly after q: {term.screen()}"
    assert time.monotonic() - started < 5
    assert not alive(pid)


def test_escape_and_left_while_preparing_stop_the_work(run_tutor, tmp_path):
    lesson = slow_lesson_file(tmp_path)
    term = run_tutor(str(lesson))
    term.wait_for("step 1 of 3")
    pid = term.pid
    # ← abandons the preparation: the CPU goes quiet, the lesson stays usable.
    term.keys("End")
    term.wait_for("preparing")
    time.sleep(0.5)
    term.keys("Left")
    term.wait_for("step 2 of 3")
    time.sleep(0.5)
    before = cpu_seconds(pid)
    time.sleep(1.5)
    assert cpu_seconds(pid) - before < 0.5, "training went on after ←"
    # Escape while preparing returns to the list and stops the training too.
    term.keys("End")
    term.wait_for("preparing")
    time.sleep(0.5)
    term.keys("Escape")
    term.wait_for("Pick a lesson")
    time.sleep(0.5)
    before = cpu_seconds(pid)
    time.sleep(1.5)
    assert cpu_seconds(pid) - before < 0.5, "training went on after Escape"
    term.keys("q")
    assert term.exit_status(timeout=5) == "0"
    assert not alive(pid)


HIJACK_LESSON = """[lesson]
id = "hijack"
title = "Hijack \\u001b]2;HIJACKED\\u001b\\\\ title"
summary = "Wipes \\u001b[2J the screen"

[network]
inputs = ["x"]
outputs = ["y"]
loss = "mse"
learning_rate = 0.1

[[network.layers]]
units = 1
activation = "identity"
weights = [[0.5]]
bias = [0.0]

[data]
rows = [[1.0, 2.0]]

[[steps]]
kind = "text"
title = "Step \\u001b[2J wipe"
text = "Text."
"""


def test_a_title_with_escape_sequences_cannot_drive_the_terminal(run_tutor, tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "hijack.toml").write_text(HIJACK_LESSON, encoding="utf-8")
    term = run_tutor("--lessons", str(folder))
    term.wait_for(" lessons")  # the status line: the list is loaded
    assert "HIJACKED" not in term.pane_title()
    term.keys("-l", "hijack")
    deadline = time.monotonic() + 10
    while "hijack" not in term.screen().lower() or "1 of" not in term.screen():
        assert time.monotonic() < deadline, term.screen()
        time.sleep(0.1)
    screen = term.screen()
    # Listed as broken (the validator refuses control characters) or shown escaped (␛).
    assert "hijack.toml (broken)" in screen or "␛]2;HIJACKED" in screen, screen
    assert "HIJACKED" not in term.pane_title()
    # Open it: the title never changes, and the screen is not wiped.
    term.keys("Enter")
    time.sleep(1.0)
    assert "HIJACKED" not in term.pane_title()
    assert term.screen().strip(), "the screen was wiped"
    term.keys("Escape")
    term.wait_for("Pick a lesson")
    term.keys("Escape")  # clear the filter, so q quits
    time.sleep(0.3)
    term.keys("q")
    assert term.exit_status(timeout=10) == "0"
    assert "HIJACKED" not in term.pane_title()
