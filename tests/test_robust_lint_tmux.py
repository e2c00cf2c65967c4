"""QA re-test of issues 9.3/9.20 in a real terminal (tmux): q while the picker is still
"Loading lessons…" (a folder of lessons that take long to check) ends the process at once."""

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


def _slow_to_check(index: int) -> str:
    """A valid lesson whose checking takes about a second: 20,000 epochs of a tiny network and
    answers that read nearly the whole answer budget."""
    count = 99  # 99 × 20,005 values: just within the answers' budget (MAX_ANSWER_WORK)
    checks = "".join('\n[[steps]]\nkind = "check"\nprompt = "p"\n'
                     'answer = "max(training.main.history)"\n' for _ in range(count))
    return f"""[lesson]
id = "slow-{index}"
title = "Slow {index}"

[network]
inputs = ["a"]
outputs = ["b"]
loss = "mse"
learning_rate = 0.0000001

[[network.layers]]
units = 1
activation = "identity"
weights = [[0.5]]

[data]
rows = [[1, 2]]

[[steps]]
kind = "train"
epochs = 20000
{checks}"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_q_while_lessons_load_ends_the_process_at_once(tmp_path):
    folder = tmp_path / "slow"
    folder.mkdir()
    for index in range(40):  # about 40 s of checking
        (folder / f"slow{index:02}.toml").write_text(_slow_to_check(index), encoding="utf-8")
    session = f"nn-tui-lint-{uuid.uuid4().hex[:8]}"
    pid_file, status_file = tmp_path / "pid", tmp_path / "status"
    env = {"NN_TUI_HOME": str(tmp_path / "home"), "HOME": str(tmp_path),
           "TERM": "xterm-256color", "PATH": os.environ.get("PATH", ""),
           "PYTHONPATH": str(ROOT)}
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    tutor = " ".join(shlex.quote(part) for part in
                     (sys.executable, "-m", "nn_tui", "--lessons", str(folder)))
    inner = f"echo $$ > {shlex.quote(str(pid_file))}; exec env -u COLUMNS -u LINES " \
            f"{exports} {tutor}"
    command = (f"sh -c {shlex.quote(inner)}; echo $? > {shlex.quote(str(status_file))}; "
               "sleep 60")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                    "sh", "-c", command], check=True)
    try:
        deadline = time.monotonic() + 30
        screen = ""
        while "Loading lessons" not in screen and time.monotonic() < deadline:
            time.sleep(0.1)
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                    capture_output=True, text=True).stdout
        assert "Loading lessons" in screen, screen
        time.sleep(1.5)  # well into checking the folder
        pid = int(pid_file.read_text())
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        start = time.monotonic()
        while _alive(pid) and time.monotonic() - start < 20:
            time.sleep(0.05)
        ended = time.monotonic() - start
        assert not _alive(pid), "the tutor kept running after q"
        assert ended < 5, f"the tutor took {ended:.1f} s to end after q"
        assert status_file.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
