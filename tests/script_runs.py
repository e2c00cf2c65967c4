"""Run many Python command lines (``python script.py ...``, ``python -m module ...``), each in
a process of its own, for the price of one interpreter start per test process.

A new interpreter per run (``subprocess.run([sys.executable, script])``) spends most of its
time starting Python and importing NumPy (~0.15 s of CPU here), not running the script.
``run_scripts`` hands its runs to a driver: one interpreter, started at the first call of a test
process and kept until that process ends, that imports the modules the runs share (``preload``)
and forks a child per run: each still runs in its own process, as ``__main__``, with its own
``sys.argv``, environment (the ``env`` given, as ``os.environ``), working folder, stdin
(empty), stdout and stderr (file descriptors 1 and 2, so C-level writes are caught too), its own
warning filters and NumPy error settings, and its own exit status (``sys.exit``, or 1 and the
traceback on stderr after an uncaught exception, as ``python`` does). What the children share
is what the driver imported before the fork (the preloads of every call so far), and the
interpreter's start-up settings: ``sys.path`` (the driver starts with this checkout first on
it) and variables read only at start (``PYTHONPATH``, the BLAS thread counts NumPy reads on
import: one thread, see nn_tui/__init__).

The driver is its own process (not a fork of pytest's, with its threads and captured file
descriptors), as in ``tests/test_fuzz.py``'s harness. It ends when the test process does (its
requests pipe closes).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_DRIVER = r"""
import json, os, runpy, sys, tempfile, traceback


def start(command, jobs):
    # A child running ``command``; its pid and the files its stdout and stderr go to.
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)  # never the driver's requests
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            os.environ.clear()
            os.environ.update(jobs["env"])
            os.chdir(jobs["cwd"])
            try:
                if command[0] == "-m":
                    sys.argv = [command[1], *command[2:]]
                    sys.path[0] = os.getcwd()
                    runpy.run_module(command[1], run_name="__main__", alter_sys=True)
                else:
                    sys.argv = list(command)
                    sys.path[0] = os.path.dirname(os.path.abspath(command[0]))
                    runpy.run_path(command[0], run_name="__main__")
                code = 0
            except SystemExit as exit:
                if exit.code is None or isinstance(exit.code, int):
                    code = exit.code or 0
                else:
                    print(exit.code, file=sys.stderr)
                    code = 1
            except BaseException:
                traceback.print_exc()
                code = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    return pid, out, err


def finish(pid, out, err):
    _, status = os.waitpid(pid, 0)
    with out, err:
        out.seek(0)
        err.seek(0)
        return [os.waitstatus_to_exitcode(status), out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace")]


report = sys.stdout
for request in sys.stdin:
    jobs = json.loads(request)
    for name in jobs["preload"]:
        __import__(name)
    if jobs["together"]:  # all started, then all waited for: they run at the same time
        started = [start(command, jobs) for command in jobs["runs"]]
        results = [finish(*child) for child in started]
    else:
        results = [finish(*start(command, jobs)) for command in jobs["runs"]]
    report.write(json.dumps(results) + "\n")
    report.flush()
"""


@dataclass(frozen=True)
class ScriptRun:
    """One script's run: its exit status (negative: killed by that signal) and its output."""

    returncode: int
    stdout: str
    stderr: str


_driver: subprocess.Popen | None = None


def _start_driver() -> subprocess.Popen:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    driver = subprocess.Popen([sys.executable, "-c", _DRIVER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              cwd=ROOT)
    atexit.register(_stop_driver, driver)
    return driver


def _stop_driver(driver: subprocess.Popen) -> None:
    if driver.poll() is None:
        driver.stdin.close()
        try:
            driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver.kill()
            driver.wait()


def _read_line(driver: subprocess.Popen, timeout: float) -> bytes:
    """The driver's next line of output; RuntimeError when it exits or takes over ``timeout``."""
    fd = driver.stdout.fileno()
    chunks: list[bytes] = []
    end = time.monotonic() + timeout
    while not chunks or not chunks[-1].endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            driver.kill()
            driver.wait()
            raise RuntimeError(f"the script driver took over {timeout:g} s")
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            driver.wait()
            raise RuntimeError(f"the script driver failed ({driver.returncode}):\n"
                               f"{driver.stderr.read().decode('utf-8', 'replace')}")
        chunks.append(chunk)
    return b"".join(chunks)


def run_scripts(runs: Sequence[Sequence[str | Path]], env: Mapping[str, str],
                preload: Sequence[str] = (), cwd: Path | None = None,
                timeout: float = 600, together: bool = False) -> list[ScriptRun]:
    """Run each command line of ``runs`` (``[script, *arguments]`` or ``["-m", module,
    *arguments]``, what follows ``python``) as ``python`` would, in ``env`` and ``cwd`` (default:
    this process's), each in a process forked from the driver once it has imported ``preload``:
    one after the other, or all at the same time when ``together``. Their results in the same
    order. Raises ``RuntimeError`` if the driver itself fails."""
    global _driver
    if _driver is None or _driver.poll() is not None:
        _driver = _start_driver()
    request = json.dumps({"preload": list(preload), "env": dict(env), "together": together,
                          "cwd": str(cwd if cwd is not None else os.getcwd()),
                          "runs": [[str(part) for part in command] for command in runs]})
    _driver.stdin.write(request.encode("utf-8") + b"\n")
    _driver.stdin.flush()
    try:
        results = json.loads(_read_line(_driver, timeout))
    except RuntimeError:
        _driver = None
        raise
    return [ScriptRun(*result) for result in results]
