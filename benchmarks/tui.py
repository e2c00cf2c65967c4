"""Performance figures for the tutor (a benchmark that prints numbers, not a test).

    python benchmarks/tui.py [--runs 5]

Prints:
- start-up: launch to the first painted lesson screen, `nn-tui LESSON` vs a bare Textual app with a
  header, a text and a footer, each in a pseudo-terminal at 120×40 (median of --runs), and the ratio;
- step latency: p50/p95 of 200 → presses on the lesson screen (Pilot, 120×40);
- training throughput: epochs/s headless (the engine alone) vs with the UI live (Pilot, plot and
  panes updating), and the ratio;
- peak RSS of the interactive run and of the real start-up process.
Targets (issue 3): start-up within 1.3× the bare app, step p95 < 50 ms, UI-live training ≥ 70 % of
headless, peak RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from startup import child_peak_rss_mb, time_to_paint  # noqa: E402

LESSON = ROOT / "lessons" / "psa-hidden-layer.toml"
TRAIN_EPOCHS = 20_000
# A network-only copy of the PSA lesson: its generated walk-through ends with a train step.
TRAIN_LESSON = """
[lesson]
id = "bench-train"
title = "Benchmark: PSA training"

[network]
inputs = ["PSA"]
outputs = ["cancer"]
loss = "half_sse"
learning_rate = 0.1

[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[0.5]]
bias = [0.0]

[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[-1.0]]
bias = [0.0]

[data]
rows = [[3.8, 1], [3.4, 1], [2.9, 1], [2.8, 1], [2.7, 1], [2.1, 1], [1.6, 1],
        [2.5, 0], [2.0, 0], [1.7, 0], [1.4, 0], [1.2, 0], [0.9, 0], [0.8, 0]]
focus = 8

[training]
epochs = %d
""" % TRAIN_EPOCHS


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def startup(runs: int) -> dict:
    env_home = tempfile.mkdtemp(prefix="nn-tui-bench-")
    os.environ["NN_TUI_HOME"] = env_home
    ours = [time_to_paint([sys.executable, "-m", "nn_tui", str(LESSON)], "Forward pass")
            for _ in range(runs)]
    bare = [time_to_paint([sys.executable, str(HERE / "bare_app.py")], "bare Textual app")
            for _ in range(runs)]
    return {
        "nn_tui_s": statistics.median(ours),
        "bare_s": statistics.median(bare),
        "ratio": statistics.median(ours) / statistics.median(bare),
        "startup_rss_mb": child_peak_rss_mb(),
    }


async def interactive() -> dict:
    """Step latency and UI-live training, in one Pilot session (its RSS is the app's)."""
    import numpy as np

    from nn_tui.lessons.loader import load_lesson, parse_lesson_text
    from nn_tui.lessons.session import LessonSession
    from nn_tui.ui.app import NnTuiApp

    lesson = load_lesson(LESSON)
    total = LessonSession(lesson).total

    async def wait_for_lesson_screen(app, pilot) -> None:
        for _ in range(200):
            if type(app.screen).__name__ == "LessonScreen":
                return
            await pilot.pause(0.05)
        raise RuntimeError("the lesson screen never opened")

    latencies: list[float] = []
    app = NnTuiApp(paths=[LESSON], cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_lesson_screen(app, pilot)
        position = 0
        while len(latencies) < 200:
            if position >= total - 1:
                await pilot.press("home")
                await pilot.pause()
                position = 0
            start = time.perf_counter()
            await pilot.press("right")
            await pilot.pause()
            latencies.append(time.perf_counter() - start)
            position += 1
        await pilot.press("q")

    folder = Path(tempfile.mkdtemp(prefix="nn-tui-bench-lesson-"))
    train_file = folder / "bench-train.toml"
    train_file.write_text(TRAIN_LESSON)
    train_lesson = parse_lesson_text(TRAIN_LESSON, str(train_file))
    session = LessonSession(train_lesson)
    train_index = next(i for i, step in enumerate(session.steps) if step.kind == "train")

    job = session.training_jobs(train_index)[0]
    trainer = job.trainer(session.X, session.Y)
    start = time.perf_counter()
    trainer.run(job.epochs)
    headless = job.epochs / (time.perf_counter() - start)

    app = NnTuiApp(paths=[train_file], cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_lesson_screen(app, pilot)
        await pilot.press("end")
        await pilot.pause()
        screen = app.screen
        start = time.perf_counter()
        await pilot.press("space")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        live_seconds = time.perf_counter() - start
        outcomes = screen.session._outcomes.get(train_index)
        epochs_done = outcomes[0].epochs_run if outcomes else job.epochs
        await pilot.press("q")
    live = epochs_done / live_seconds
    del np
    return {
        "step_p50_ms": 1000 * percentile(latencies, 0.50),
        "step_p95_ms": 1000 * percentile(latencies, 0.95),
        "headless_epochs_per_s": headless,
        "live_epochs_per_s": live,
        "live_ratio": live / headless,
        "epochs": epochs_done,
        "interactive_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per app (median)")
    parser.add_argument("--interactive-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.interactive_only:
        os.environ.setdefault("NN_TUI_HOME", tempfile.mkdtemp(prefix="nn-tui-bench-"))
        print(json.dumps(asyncio.run(interactive())))
        return

    figures = startup(args.runs)
    # The interactive part runs in its own process so its peak RSS is the app's alone.
    result = subprocess.run([sys.executable, __file__, "--interactive-only"],
                            capture_output=True, text=True, check=True)
    figures.update(json.loads(result.stdout.strip().splitlines()[-1]))

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"start-up to first painted lesson screen (median of {args.runs}, 120×40):")
    print(f"  nn-tui {figures['nn_tui_s']:.3f} s   bare Textual app {figures['bare_s']:.3f} s   "
          f"ratio {figures['ratio']:.2f}×  (target ≤ 1.30×)")
    print("step latency over 200 → presses (120×40):")
    print(f"  p50 {figures['step_p50_ms']:.1f} ms   p95 {figures['step_p95_ms']:.1f} ms  "
          f"(target p95 < 50 ms)")
    print(f"training throughput ({figures['epochs']} epochs, 14 rows, 1-1-1 net):")
    print(f"  headless {figures['headless_epochs_per_s']:,.0f} epochs/s   UI live "
          f"{figures['live_epochs_per_s']:,.0f} epochs/s   ratio {figures['live_ratio']:.0%}  "
          f"(target ≥ 70 %)")
    print(f"peak RSS: interactive run {figures['interactive_rss_mb']:.0f} MB, "
          f"start-up process {figures['startup_rss_mb']:.0f} MB  (target < 150 MB)")


if __name__ == "__main__":
    main()
