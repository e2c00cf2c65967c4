"""Drive a program in a pseudo-terminal the way a person would, and time what they would see.

Used by benchmarks/tui.py; runnable alone:
    python benchmarks/terminal.py "Forward pass" -- nn-tui lessons/psa-hidden-layer.toml
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import resource
import select
import signal
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>]")
KEYS = {"right": b"\x1b[C", "left": b"\x1b[D", "home": b"\x1b[H", "end": b"\x1b[F", "q": b"q"}


class Terminal:
    """A command running in a pty of the given size; ``wait_for`` reads until text appears."""

    def __init__(self, command: list[str], columns: int = 120, rows: int = 40) -> None:
        env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows))
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child
            os.execvpe(command[0], command, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.command = command
        self._seen = b""

    def send(self, key: str) -> float:
        """Send a key; returns the time it was sent. What was read before is forgotten."""
        self._seen = b""
        os.write(self.fd, KEYS.get(key, key.encode()))
        return time.perf_counter()

    def wait_for(self, marker: str, timeout: float = 30.0) -> float:
        """Read output until ``marker`` is on screen; returns the time it arrived."""
        needle = marker.encode()
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            self._seen += chunk
            # Textual positions text with cursor moves; strip escapes before searching.
            if needle in ANSI.sub(b"", self._seen[-200_000:]):
                return time.perf_counter()
        raise RuntimeError(f"{marker!r} never appeared running {' '.join(self.command)}")

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        # Drain so the child can exit, then reap it.
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            done, _ = os.waitpid(self.pid, os.WNOHANG)
            if done:
                break
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if ready:
                    os.read(self.fd, 65536)
            except OSError:
                pass
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def time_to_paint(command: list[str], marker: str, columns: int = 120, rows: int = 40) -> float:
    """Seconds from fork to the first time ``marker`` appears in the terminal."""
    with Terminal(command, columns, rows) as terminal:
        return terminal.wait_for(marker) - terminal.started


def child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


if __name__ == "__main__":
    marker, _, *cmd = sys.argv[1:]
    print(f"{time_to_paint(cmd, marker):.3f} s")
