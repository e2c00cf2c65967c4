"""Performance figures for the tutor (a benchmark that prints numbers, not a test).

    python benchmarks/tui.py [--runs 5] [--presses 200] [--nudges 200]

Everything is measured the way a person meets it: the programs run in a pseudo-terminal of
120×40, keys are written to it, and a time is taken when the text they cause is painted.

- start-up: launch to the first painted screen, `nn-tui` (the lesson picker) against a bare
  Textual app with a header, a text and a footer, run alternately (median of --runs), and their
  ratio; also launch to the painted lesson screen of `nn-tui LESSON`, against the same baseline;
- step latency: p50/p95 over --presses → presses on the PSA lesson (Home at the end, not timed),
  READING_PAUSE apart: from writing the key to "step k of n" for the new step appearing on
  screen;
- nudge latency (issue 12): in the same tutor, right after the steps, p50/p95 over --nudges +
  presses in explore mode (e at the first step, the cursor on w₁), READING_PAUSE apart: from
  writing the key to the Forward pass line with the nudged weight (z₁ = w₁·x + b₁ = 0.6000·2 …)
  on screen, every pane redrawn from the edited trace; and its p95 against the step p95;
- training throughput: epochs/s of the engine alone (headless) and of the tutor training the
  same network with every pane live (space at the train step until "finished" is painted), and
  their ratio; also (issue 12) the same run from explore mode (e, then space), where the output
  picture redraws live too;
- peak RSS of the tutor's processes.
Targets (issue 3): start-up within 1.3× the bare app, step p95 < 50 ms, UI-live training at
least 70 % of headless, peak RSS < 150 MB; (issue 12) nudge p95 within 10 % of step p95.

The package is byte-compiled first, as ``pip install`` does: an editable checkout run with
PYTHONDONTWRITEBYTECODE set would otherwise compile every module of nn_tui at each launch.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import tomli_w  # noqa: E402
from terminal import Terminal, child_peak_rss_mb, time_to_paint  # noqa: E402

PYTHON = sys.executable
LESSON = ROOT / "lessons" / "psa-hidden-layer.toml"
TRAIN_EPOCHS = 20_000
# Between two → presses: a quick reader (the tutor renders the next step while one reads).
READING_PAUSE = 0.3
# The PSA network of LESSON with one train step (after a text step), trained for TRAIN_EPOCHS
# epochs: the bundled lesson's network and data, its steps replaced.
TRAIN_LESSON = tomli_w.dumps({
    **tomllib.loads(LESSON.read_text(encoding="utf-8")),
    "lesson": {"id": "bench-train", "title": "Benchmark: PSA training"},
    "training": {"epochs": TRAIN_EPOCHS},
    "steps": [{"kind": "text", "title": "Before training"},
              {"kind": "train", "title": "Training"}],
})


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def startup(runs: int) -> dict:
    picker, lesson, bare = [], [], []
    for _ in range(runs):  # alternate, so a busy moment does not favour one side
        bare.append(time_to_paint([PYTHON, str(HERE / "bare_app.py")], "bare Textual app"))
        picker.append(time_to_paint([PYTHON, "-m", "nn_tui"], "Pick a lesson"))
        lesson.append(time_to_paint([PYTHON, "-m", "nn_tui", str(LESSON)], "Forward pass"))
    base = statistics.median(bare)
    return {
        "bare_s": base,
        "picker_s": statistics.median(picker),
        "lesson_s": statistics.median(lesson),
        "picker_ratio": statistics.median(picker) / base,
        "lesson_ratio": statistics.median(lesson) / base,
    }


def step_and_nudge_latencies(presses: int, nudges: int) -> tuple[list[float], list[float]]:
    """→ latencies, then (in the same tutor, so both meet the same machine and the same warm
    process) explore-mode nudge latencies."""
    from nn_tui.lessons.loader import load_lesson
    from nn_tui.lessons.session import LessonSession

    total = LessonSession(load_lesson(LESSON)).total
    latencies = []
    nudged = []
    with Terminal([PYTHON, "-m", "nn_tui", str(LESSON)]) as terminal:
        terminal.wait_for(f"step 1 of {total} ")
        time.sleep(1.0)  # let start-up work (imports in the background) finish
        position = 1
        while len(latencies) < presses:
            if position == total:
                terminal.send("home")
                terminal.wait_for(f"step 1 of {total} ")
                position = 1
            else:
                sent = terminal.send("right")
                painted = terminal.wait_for(f"step {position + 1} of {total} ")
                latencies.append(painted - sent)
                position += 1
            time.sleep(READING_PAUSE)
        if position != 1:
            terminal.send("home")
            terminal.wait_for(f"step 1 of {total} ")
            time.sleep(READING_PAUSE)
        terminal.send("e")
        terminal.wait_for("EXPLORE")
        time.sleep(READING_PAUSE)
        # w₁ = 0.5 at the start, +0.1 a nudge (added as the tutor adds it), x = 2: the line
        # "z₁ = w₁·x + b₁ = 0.6000·2 + 0.0000 = …" shows each new value once.
        weight = 0.5
        while len(nudged) < nudges:
            weight = weight + 0.1
            sent = terminal.send("+")
            painted = terminal.wait_for(f"{weight:.4f}·2 + ")
            nudged.append(painted - sent)
            time.sleep(READING_PAUSE)
        terminal.send("q")
    return latencies, nudged


def training(folder: Path, pairs: int = 3) -> dict:
    """Headless and UI-live epochs/s, measured in alternation (this machine's speed drifts by
    tens of percent over a minute, so each live run is compared with the headless runs right
    before and after it); the median of the pairs' ratios."""
    from nn_tui.lessons.loader import parse_lesson_text
    from nn_tui.lessons.session import LessonSession

    train_file = folder / "bench-train.toml"
    train_file.write_text(TRAIN_LESSON, encoding="utf-8")
    session = LessonSession(parse_lesson_text(TRAIN_LESSON, str(train_file)))

    def headless() -> float:
        job = session.training_jobs(1)[0]
        trainer = job.trainer(session.X, session.Y)
        started = time.perf_counter()
        trainer.run(job.epochs)
        return job.epochs / (time.perf_counter() - started)

    def live(explore: bool = False) -> float:
        home = tempfile.mkdtemp(prefix="nn-tui-bench-", dir=folder)
        os.environ["NN_TUI_HOME"] = home  # a fresh store: no resume question
        with Terminal([PYTHON, "-m", "nn_tui", str(train_file)]) as terminal:
            terminal.wait_for("step 1 of 2 ")
            time.sleep(1.0)
            terminal.send("right")
            terminal.wait_for("press space to start")
            time.sleep(0.5)
            if explore:  # the same run from explore mode: the output picture is live too
                terminal.send("e")
                terminal.wait_for("EXPLORE")
                time.sleep(0.5)
            started = terminal.send(" ")
            finished = terminal.wait_for(f"epoch {TRAIN_EPOCHS} of {TRAIN_EPOCHS}", timeout=120)
            terminal.send("q")
        return TRAIN_EPOCHS / (finished - started)

    def measured(explore: bool, count: int) -> dict:
        runs = []
        before = headless()
        for _ in range(count):
            ui = live(explore)
            after = headless()
            runs.append((ui, (before + after) / 2))
            before = after
        ratios = sorted(ui / base for ui, base in runs)
        return {
            "headless": statistics.median(base for _ui, base in runs),
            "live": statistics.median(ui for ui, _base in runs),
            "ratio": ratios[len(ratios) // 2],
            "ratios": ratios,
        }

    result = measured(False, pairs)
    result["explore"] = measured(True, pairs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs per program (median)")
    parser.add_argument("--presses", type=int, default=200, help="→ presses to time")
    parser.add_argument("--nudges", type=int, default=200,
                        help="explore-mode nudges to time (at least 200 for the issue's figure)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="nn-tui-bench-"))
    os.environ["NN_TUI_HOME"] = str(home)  # never the learner's own progress
    compileall.compile_dir(ROOT / "nn_tui", quiet=1)

    start = startup(args.runs)
    steps, nudges = step_and_nudge_latencies(args.presses, args.nudges)
    train = training(home)
    rss = child_peak_rss_mb()

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, terminal 120×40")
    print(f"start-up, launch to first paint (median of {args.runs}):")
    print(f"  bare Textual app {start['bare_s']:.3f} s   nn-tui (picker) {start['picker_s']:.3f} s"
          f"   ratio {start['picker_ratio']:.2f}×  (target ≤ 1.30×)")
    print(f"  nn-tui {LESSON.name} (lesson screen with every pane) {start['lesson_s']:.3f} s"
          f"   ratio {start['lesson_ratio']:.2f}×")
    print(f"step latency, → to the new step painted ({len(steps)} presses):")
    print(f"  p50 {1000 * percentile(steps, 0.5):.1f} ms   p95 {1000 * percentile(steps, 0.95):.1f}"
          f" ms   max {1000 * max(steps):.0f} ms  (target p95 < 50 ms)")
    step_p95, nudge_p95 = percentile(steps, 0.95), percentile(nudges, 0.95)
    print(f"nudge latency, + in explore mode to the edited Forward pass painted ({len(nudges)} "
          "nudges, same run):")
    print(f"  p50 {1000 * percentile(nudges, 0.5):.1f} ms   p95 {1000 * nudge_p95:.1f} ms   max "
          f"{1000 * max(nudges):.0f} ms   p95 {nudge_p95 / step_p95:.2f}× the step p95"
          "  (target ≤ 1.10×)")
    print(f"training throughput ({TRAIN_EPOCHS} epochs, 14 rows, 1-1-1 net, "
          f"{len(train['ratios'])} live runs between headless ones):")
    print(f"  headless {train['headless']:,.0f} epochs/s   UI live {train['live']:,.0f} epochs/s"
          f"   ratio {train['ratio']:.0%} (runs: "
          f"{', '.join(f'{r:.0%}' for r in train['ratios'])})  (target ≥ 70 %)")
    explore = train["explore"]
    print(f"  from explore mode, the output picture live too: UI live {explore['live']:,.0f} "
          f"epochs/s   ratio {explore['ratio']:.0%} (runs: "
          f"{', '.join(f'{r:.0%}' for r in explore['ratios'])})  (target ≥ 70 %)")
    print(f"peak RSS of the tutor's processes: {rss:.0f} MB  (target < 150 MB)")


if __name__ == "__main__":
    main()
