"""What the tmux tests share: the tutor started in a real terminal, keys typed, the screen read.

Use the ``tmux_tutor`` fixture (tests/conftest.py): ``term = tmux_tutor("lesson.toml")``
starts ``nn-tui lesson.toml`` in its own tmux session and returns a :class:`Terminal`; every
session is killed when the test ends. Sessions are named uniquely (a random suffix, with the
pytest-xdist worker in the name), so the tests run in parallel on one tmux server. The tutor runs
as the house rules ask: ``env -u COLUMNS -u LINES``, ``NN_TUI_HOME`` and ``HOME`` under the test's
``tmp_path``, ``PYTHONPATH`` at this checkout (not an installed copy).

Mark a module (or test) that needs tmux with ``pytestmark = requires_tmux``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
WIDTH, HEIGHT = 120, 40

requires_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tutor_env(tmp_path: Path, home: Path | None = None) -> dict[str, str]:
    """The environment the tutor gets: a home under ``tmp_path`` and this checkout's package."""
    return {
        "NN_TUI_HOME": str(home if home is not None else tmp_path / "home"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
    }


def nn_tui_command(env: dict[str, str], *args: str) -> str:
    """A shell command running ``nn-tui *args`` with ``env`` (and no COLUMNS/LINES)."""
    exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
    argv = " ".join(shlex.quote(part) for part in (sys.executable, "-m", "nn_tui", *args))
    return f"env -u COLUMNS -u LINES {exports} {argv}"


def session_name(prefix: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}-{worker}-{uuid.uuid4().hex[:8]}"


def wait_until(predicate: Callable[[], object], timeout: float, message: Callable[[], str] | str,
               interval: float = 0.05):
    """Poll ``predicate`` until it returns something true (returned), or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message() if callable(message) else message)
        time.sleep(interval)


def read_when_written(path: Path, timeout: float = 15.0) -> str:
    """The stripped text of ``path`` once something is written to it."""
    return wait_until(lambda: path.exists() and path.read_text().strip(), timeout,
                      f"{path} was never written")


class Terminal:
    """One tmux session running the tutor; ``pid_file``/``status_file`` are written by its shell."""

    def __init__(self, session: str, pid_file: Path, status_file: Path) -> None:
        self.session = session
        self.pid_file = pid_file
        self.status_file = status_file

    def keys(self, *keys: str) -> None:
        """Keys by tmux name ("Enter", "Right", "q"); ``"-l", text`` types text literally."""
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys], check=True)

    def type(self, text: str) -> None:
        """``text`` typed literally (a leading "-" is not a tmux flag)."""
        subprocess.run(["tmux", "send-keys", "-t", self.session, "-l", "--", text], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session],
                              capture_output=True, text=True).stdout

    def pane_title(self) -> str:
        return subprocess.run(["tmux", "display", "-p", "-t", self.session, "#{pane_title}"],
                              capture_output=True, text=True).stdout.strip()

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """The screen once ``text`` is on it."""
        screen = ""

        def shown():
            nonlocal screen
            screen = self.screen()
            return text in screen

        wait_until(shown, timeout,
                   lambda: f"{text!r} never appeared on screen; last screen:\n{screen}", 0.1)
        return screen

    @property
    def pid(self) -> int:
        """The tutor's process id (its shell execs it, so the shell's pid is the tutor's)."""
        return int(wait_until(lambda: self.pid_file.exists() and self.pid_file.read_text().strip(),
                              10, "the tutor never started"))

    def exit_status(self, timeout: float) -> str | None:
        """The tutor's exit status once it ended, or None if it is still running after
        ``timeout`` seconds."""
        try:
            return read_when_written(self.status_file, timeout)
        except AssertionError:
            return None

    def kill(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)


def start_session(shell_command: str, prefix: str, pid_file: Path, status_file: Path,
                  cwd: Path, linger: int = 60, size: tuple[int, int] = (WIDTH, HEIGHT)) -> Terminal:
    """Run ``shell_command`` in a new tmux session; its exit status goes to ``status_file`` and the
    session stays open ``linger`` seconds after (so the last screen can still be read)."""
    session = session_name(prefix)
    command = (f"cd {shlex.quote(str(cwd))} && {shell_command}; "
               f"echo $? > {shlex.quote(str(status_file))}; sleep {linger}")
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]),
                    "-y", str(size[1]), "sh", "-c", command], check=True)
    return Terminal(session, pid_file, status_file)


def start_tutor(tmp_path: Path, *args: str, home: Path | None = None, prefix: str = "nn-tui",
                before: str = "", cwd: Path | None = None,
                size: tuple[int, int] = (WIDTH, HEIGHT)) -> Terminal:
    """``nn-tui *args`` in a new tmux session of ``size`` (columns, rows), run from ``cwd``
    (default ``tmp_path``); ``before`` is a shell command run first (``&&``), e.g. ``nn-tui new``
    writing the lesson the tutor opens."""
    tag = uuid.uuid4().hex[:8]  # a test may start the tutor more than once
    pid_file, status_file = tmp_path / f"tutor-{tag}.pid", tmp_path / f"tutor-{tag}.status"
    tutor = nn_tui_command(tutor_env(tmp_path, home), *args)
    # The inner shell writes its pid and becomes the tutor (exec), so the pid is the tutor's.
    inner = f"echo $$ > {shlex.quote(str(pid_file))}; exec {tutor}"
    shell = f"sh -c {shlex.quote(inner)}"
    if before:
        shell = f"{before} && {shell}"
    return start_session(shell, prefix, pid_file, status_file, cwd or tmp_path, size=size)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited and not yet reaped by its shell, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
