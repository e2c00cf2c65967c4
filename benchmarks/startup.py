"""Time from launch to a marker text being painted, for a command run in a pseudo-terminal.

Used by benchmarks/tui.py; runnable alone:
    python benchmarks/startup.py "Forward pass" -- nn-tui lessons/psa-hidden-layer.toml
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

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[()][0-9A-B]|\x1b[=>]")


def time_to_paint(command: list[str], marker: str, columns: int = 120, rows: int = 40,
                  timeout: float = 30.0) -> float:
    """Seconds from fork to the first time ``marker`` appears in the terminal output."""
    env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(columns), LINES=str(rows))
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(command[0], command, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    seen = b""
    elapsed = None
    needle = marker.encode()
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            # Textual positions text with cursor moves; strip escapes before searching.
            if needle in ANSI.sub(b"", seen[-200_000:]):
                elapsed = time.perf_counter() - start
                break
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        # Drain so the child can exit, then reap it.
        deadline = time.perf_counter() + 5
        while time.perf_counter() < deadline:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
                if ready:
                    os.read(fd, 65536)
            except OSError:
                pass
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    if elapsed is None:
        raise RuntimeError(f"{marker!r} never appeared running {' '.join(command)}")
    return elapsed


def child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


if __name__ == "__main__":
    marker, _, *cmd = sys.argv[1:]
    print(f"{time_to_paint(cmd, marker):.3f} s")
