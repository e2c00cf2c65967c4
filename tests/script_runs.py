"""Run many standalone Python scripts, each in a process of its own, for the price of one start.

A new interpreter per script (``subprocess.run([sys.executable, script])``) spends most of
its time starting Python and importing NumPy (~0.15 s of CPU here), not running the script.
``run_scripts`` starts one interpreter, imports the modules the scripts share (``preload``), and
forks a child per script from it: each script still runs in its own process, as ``__main__``,
with its own arguments, its own stdout and stderr (file descriptors 1 and 2, so C-level writes
are caught too), its own warning filters and NumPy error settings, and its own exit status
(``sys.exit``, or 1 and the traceback on stderr after an uncaught exception, as ``python
script.py`` does). What the children share is what was imported before the fork.

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
for script, args in jobs["runs"]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.argv = [script, *args]
                sys.path[0] = os.path.dirname(os.path.abspath(script))
                try:
                    runpy.run_path(script, run_name="__main__")
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


def run_scripts(runs: Sequence[tuple[Path, Sequence[str]]], env: Mapping[str, str],
                preload: Sequence[str] = (), timeout: float = 600) -> list[ScriptRun]:
    """Run each ``(script, arguments)`` of ``runs`` as ``python script arguments`` would, in
    ``env``, each in a process forked from one interpreter that has imported ``preload``;
    their results in the same order. Raises ``RuntimeError`` if the driver itself fails."""
    request = json.dumps({"preload": list(preload),
                          "runs": [[str(script), list(args)] for script, args in runs]})
    driver = subprocess.run([sys.executable, "-c", _DRIVER], input=request, capture_output=True,
                            text=True, encoding="utf-8", env=dict(env), timeout=timeout)
    if driver.returncode != 0:
        raise RuntimeError(f"the script driver failed ({driver.returncode}):\n{driver.stderr}")
    return [ScriptRun(*result) for result in json.loads(driver.stdout)]
