"""Kill test of the progress file: a child process saves in a loop and is killed with SIGKILL at
random moments; after every kill the file must be valid JSON holding either the old or the new
content, and the temp files killed writers leave behind are cleaned up on the next load.

    python benchmarks/progress_kill.py [--kills 200] [--dir DIR] [--seed N]

Prints the number of kills and what each left behind; exits 1 on the first violation.
The saving child prints ``ready PID`` once started, then ``saved N`` after each save returns;
its content is a function of N (the same N in every lesson, so a torn write shows).

Each child is forked from one process that has imported the progress store (``--forker DIR``:
it forks a child for every ``go`` line it reads, reaps it once killed and prints ``dead``), not
started as a new interpreter: a Python start and its imports cost ~60 ms of CPU per kill, the
saving until the kill ~20 ms. The child is as fresh for what is tested: a process of its own
that opens the store, saves, and dies by SIGKILL at any instruction.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

LESSONS = 40  # lessons the child rewrites at every save (about 10 KB: writes take a while)


def child(directory: Path) -> None:
    """Save forever; the content of save N: every lesson's step N % 97 and attempts N."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from nn_tui.lessons.progress import ProgressStore

    store = ProgressStore(directory)
    start = counter_of(directory / "progress.json") or 0
    print(f"ready {os.getpid()}", flush=True)
    number = start
    while True:
        number += 1
        for index in range(LESSONS):
            progress = store.get(f"lesson-{index}")
            progress.step = progress.furthest = number % 97
            progress.total = 100
            progress.check(0).attempts = number
        store.save()
        print(f"saved {number}", flush=True)


def forker(directory: Path) -> None:
    """For each ``go`` line on stdin: fork a child that saves (``child``) and writes to our
    stdout, wait until it has been killed, then print ``dead`` (after everything it printed)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import nn_tui.lessons.progress  # noqa: F401 - imported once, here, for every child

    for line in sys.stdin:
        if line.strip() != "go":
            continue
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                child(directory)
            finally:
                os._exit(1)  # never back into this loop
        os.waitpid(pid, 0)
        print("dead", flush=True)


def counter_of(path: Path) -> int | None:
    """The save number the file holds; ValueError when it is not valid or not consistent."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None

    def refuse(name):
        raise ValueError(f"non-standard JSON constant {name}")

    data = json.loads(raw.decode("utf-8"), parse_constant=refuse)  # strict JSON
    lessons = data["lessons"]
    numbers = {lessons[f"lesson-{index}"]["checks"]["0"]["attempts"] for index in range(LESSONS)}
    if len(numbers) != 1:
        raise ValueError(f"lessons from different saves: {sorted(numbers)}")
    number = numbers.pop()
    steps = {lessons[f"lesson-{index}"]["step"] for index in range(LESSONS)}
    if steps != {number % 97}:
        raise ValueError(f"step {steps} does not belong to save {number}")
    return number


@dataclass
class Results:
    kills: int = 0
    old: int = 0  # the file held the last save the child confirmed
    new: int = 0  # the file held the save in progress (written, not yet confirmed)
    temps_left: int = 0  # kills that left a temp file behind (killed mid-write)
    temps_after_cleanup: int = 0
    failures: list[str] = field(default_factory=list)


def run(kills: int, directory: Path, seed: int = 0, max_delay: float = 0.03) -> Results:
    """Start, kill and check the child ``kills`` times; returns what was seen."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    rng = random.Random(seed)
    results = Results()
    path = directory / "progress.json"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    process = subprocess.Popen([sys.executable, __file__, "--forker", str(directory)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdin is not None and process.stdout is not None
    try:
        _kill_children(process, kills, path, rng, max_delay, results)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
    return results


def _kill_children(process: subprocess.Popen, kills: int, path: Path, rng: random.Random,
                   max_delay: float, results: Results) -> None:
    """Have ``process`` (the forker) start a saving child ``kills`` times, kill each at a random
    moment and check what it left behind, into ``results``."""
    from nn_tui.lessons.progress import ProgressStore

    directory = path.parent
    for _ in range(kills):
        before = counter_of(path) or 0
        process.stdin.write("go\n")
        process.stdin.flush()
        ready = process.stdout.readline().split()
        if len(ready) != 2 or ready[0] != "ready":  # wait until it is saving
            results.failures.append(f"child did not start: {' '.join(ready) or 'no output'}")
            return
        # After the first save, then a random moment: mid-write, mid-rename or between saves.
        process.stdout.readline()
        time.sleep(rng.uniform(0, max_delay))
        os.kill(int(ready[1]), signal.SIGKILL)
        confirmed = before
        while (line := process.stdout.readline()) and line.strip() != "dead":
            if line.startswith("saved "):
                confirmed = int(line.split()[1])
        if not line:
            results.failures.append("the forker stopped")
            return
        confirmed = max(confirmed, before + 1)  # the first "saved" line was read above
        results.kills += 1
        try:
            number = counter_of(path)
        except (ValueError, KeyError, TypeError) as error:
            results.failures.append(f"kill {results.kills}: invalid file: {error}")
            return
        if number == confirmed:
            results.old += 1
        elif number == confirmed + 1:
            results.new += 1
        else:
            results.failures.append(f"kill {results.kills}: file holds save {number}, "
                                    f"expected {confirmed} or {confirmed + 1}")
            return
        temps = [name for name in os.listdir(directory) if name.endswith(".tmp")]
        results.temps_left += bool(temps)
        # The next load cleans up what the killed writer left.
        store = ProgressStore(directory)
        if store.notice:
            results.failures.append(f"kill {results.kills}: {store.notice}")
            return
        left = [name for name in os.listdir(directory) if name.endswith(".tmp")]
        results.temps_after_cleanup += len(left)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.forker is not None:
        forker(args.forker)
        return 0
    with tempfile.TemporaryDirectory(prefix="nn-tui-kill-") as scratch:
        directory = args.dir or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        results = run(args.kills, directory, args.seed)
        elapsed = time.monotonic() - started
    print(f"kills: {results.kills} in {elapsed:.1f} s")
    print(f"file after a kill held the confirmed (old) save: {results.old}, "
          f"the save in progress (new): {results.new}")
    print(f"kills that left a temp file: {results.temps_left}; "
          f"temp files left after the next load: {results.temps_after_cleanup}")
    for failure in results.failures:
        print(f"FAILED: {failure}")
    return 1 if results.failures or results.temps_after_cleanup else 0


if __name__ == "__main__":
    sys.exit(main())
