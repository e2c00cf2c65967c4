"""Run many Python command lines (``python script.py ...``, ``python -m module ...``), each in
a process of its own, for the price of one interpreter start.

A new interpreter per run (``subprocess.run([sys.executable, script])``) spends most of its
time starting Python and importing NumPy (~0.15 s of CPU here), not running the script.
``run_scripts`` starts one interpreter, imports the modules the runs share (``preload``), and
forks a child per run from it: each still runs in its own process, as ``__main__``, with its
own ``sys.argv``, its own stdout and stderr (file descriptors 1 and 2, so C-level writes are
caught too), its own warning filters and NumPy error settings, and its own exit status
(``sys.exit``, or 1 and the traceback on stderr after an uncaught exception, as ``python``
does). What the children share is what was imported before the fork.

The driver is its own process (not a fork of pytest's, with its threads and captured file
descriptors), as in ``tests/test_fuzz.py``'s harness.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

_DRIVER = r"""
import json, os, runpy, sys, tempfile, traceback

jobs = json.loads(sys.stdin.read())
for name in jobs["preload"]:
    __import__(name)
report = sys.stdout
results = []
for command in jobs["runs"]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
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
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        results.append([os.waitstatus_to_exitcode(status),
                        out.read().decode("utf-8", "replace"),
                        err.read().decode("utf-8", "replace")])
report.write(json.dumps(results))
"""


@dataclass(frozen=True)
class ScriptRun:
    """One script's run: its exit status (negative: killed by that signal) and its output."""

    returncode: int
    stdout: str
    stderr: str


def run_scripts(runs: Sequence[Sequence[str | Path]], env: Mapping[str, str],
                preload: Sequence[str] = (), cwd: Path | None = None,
                timeout: float = 600) -> list[ScriptRun]:
    """Run each command line of ``runs`` (``[script, *arguments]`` or ``["-m", module,
    *arguments]``, what follows ``python``) as ``python`` would, in ``env`` and ``cwd``, each
    in a process forked from one interpreter that has imported ``preload``; their results in
    the same order. Raises ``RuntimeError`` if the driver itself fails."""
    request = json.dumps({"preload": list(preload),
                          "runs": [[str(part) for part in command] for command in runs]})
    driver = subprocess.run([sys.executable, "-c", _DRIVER], input=request, capture_output=True,
                            text=True, encoding="utf-8", env=dict(env), cwd=cwd,
                            timeout=timeout)
    if driver.returncode != 0:
        raise RuntimeError(f"the script driver failed ({driver.returncode}):\n{driver.stderr}")
    return [ScriptRun(*result) for result in json.loads(driver.stdout)]
