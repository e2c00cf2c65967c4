"""A classroom against one ``nn-tui serve``: many browser tabs at once (a benchmark, not a test).

    python benchmarks/classroom.py [--sessions 30] [--steps 10] [--deadline 600]

Starts ``nn-tui serve`` on 127.0.0.1 (a free port; nothing else is ever contacted) and opens
--sessions websocket sessions at the same moment, each speaking textual-serve's browser
protocol as textual.js does (``["resize", {...}]`` and ``["stdin", keys]`` as JSON text; the
terminal's output comes back as binary frames). Each session then does what a learner does:
waits for the picker's lesson list, types ``psa-hidden`` and Enter, and steps → through
--steps steps of the lesson, READING_PAUSE apart. Reported:

- sessions that failed (target 0): an error, a closed socket or a wait past its timeout;
- time to first paint: connecting to the picker's title painted, and to the lesson list
  painted (the catalogue loads after the first paint), p50/p95/max;
- opening the lesson: Enter to "step 1 of" painted, p50/p95;
- step latency under that load: writing → to "step k of" painted, p50/p95 over all presses;
- peak memory of the whole server: the server process and all its descendants (the tutors),
  RSS summed from /proc every SAMPLE_EVERY seconds, with the process count at that moment.

Text is found in the output with its escape sequences removed; a changed line is repainted
whole, so a string within one line (a header's "step 4 of 20") arrives in one piece.
The package is byte-compiled first, as ``pip install`` does (see benchmarks/tui.py): 30 tutors
compiling nn_tui at once would be measured otherwise. The load average before the run is
printed, since a shared machine's other work slows everything here.
Everything is bounded: each wait has a timeout, the whole run a deadline (--deadline), the
sessions are at most MAX_SESSIONS, and the server is stopped (Ctrl+C, then kill) at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
HOST = "127.0.0.1"  # never anything else: this is a load test of a server on this machine
MAX_SESSIONS = 100
WIDTH, HEIGHT = 120, 40
READING_PAUSE = 0.3  # between two → presses, as in benchmarks/tui.py
SAMPLE_EVERY = 0.1  # seconds between two memory samples
PAINT_TIMEOUT = 240.0  # a tutor starting among 30 on 2 cores takes a while
STEP_TIMEOUT = 60.0
LESSON_TITLE = "PSA: one hidden neuron, one backprop step"

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS and friends
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# -- memory of the server and its descendants ----------------------------------------------------


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (via /proc/PID/task/TID/children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue.extend(int(child) for child in children.read().split())
        except OSError:
            continue  # it ended meanwhile
    return found


def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class MemorySampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_processes = 0
        self.samples = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            pids = descendants(self.pid)
            total = sum(rss_bytes(pid) for pid in pids)
            self.samples += 1
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            self.halt.wait(SAMPLE_EVERY)


# -- one learner -----------------------------------------------------------------------------------


@dataclass
class Session:
    number: int
    first_paint: float | None = None  # s from connecting to the picker's title
    lessons_listed: float | None = None  # s from connecting to the lesson list
    lesson_open: float | None = None  # s from Enter to "step 1 of"
    steps: list[float] = field(default_factory=list)  # s from → to "step k of"
    error: str | None = None


class Screen:
    """The text a session has received, escapes removed, searchable since a mark."""

    def __init__(self, websocket) -> None:
        self.websocket = websocket
        self.raw = bytearray()
        self.mark = 0

    def since_mark(self) -> str:
        return _ESCAPES.sub("", self.raw[self.mark:].decode("utf-8", "ignore"))

    async def wait_for(self, pattern: str, timeout: float) -> None:
        import aiohttp

        end = time.monotonic() + timeout
        while pattern not in self.since_mark():
            left = end - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{pattern!r} not painted within {timeout:g} s")
            message = await asyncio.wait_for(self.websocket.receive(), left)
            if message.type == aiohttp.WSMsgType.BINARY:
                self.raw += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                  aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.ERROR):
                raise ConnectionError(f"the session closed ({message.type.name})")

    async def send_keys(self, keys: str) -> None:
        self.mark = len(self.raw)
        await self.websocket.send_str(json.dumps(["stdin", keys]))


async def learner(session: Session, url: str, steps: int, start: asyncio.Event,
                  done: asyncio.Event) -> None:
    import aiohttp

    await start.wait()
    try:
        async with aiohttp.ClientSession() as client:
            began = time.monotonic()
            async with client.ws_connect(f"{url}/ws?width={WIDTH}&height={HEIGHT}",
                                         timeout=aiohttp.ClientWSTimeout(ws_close=10),
                                         max_msg_size=0) as websocket:
                screen = Screen(websocket)
                await websocket.send_str(json.dumps(["resize", {"width": WIDTH,
                                                                "height": HEIGHT}]))
                await screen.wait_for("one number at a time", PAINT_TIMEOUT)
                session.first_paint = time.monotonic() - began
                await screen.wait_for(LESSON_TITLE, PAINT_TIMEOUT)
                session.lessons_listed = time.monotonic() - began
                await screen.send_keys("psa-hidden")
                await screen.wait_for("psa-hidden", STEP_TIMEOUT)  # the filter box echoes it
                sent = time.monotonic()
                await screen.send_keys("\r")
                await screen.wait_for("step 1 of", PAINT_TIMEOUT)
                session.lesson_open = time.monotonic() - sent
                for step in range(2, steps + 2):
                    await asyncio.sleep(READING_PAUSE)
                    sent = time.monotonic()
                    await screen.send_keys("\x1b[C")  # →, as xterm.js sends it
                    await screen.wait_for(f"step {step} of", STEP_TIMEOUT)
                    session.steps.append(time.monotonic() - sent)
                # Stay connected until every learner is through, so the memory peak is that of
                # the whole class at once.
                await done.wait()
    except Exception as error:  # noqa: BLE001 - a failed session is a figure, not a crash
        session.error = f"{type(error).__name__}: {error}"


async def classroom(url: str, count: int, steps: int, stop) -> tuple[list[Session], float]:
    """Run the learners; once all are through (or failed), ``stop()`` (in a thread) stops the
    server with every session still open; returns the sessions and what ``stop`` returned."""
    sessions = [Session(number) for number in range(count)]
    start, done = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(learner(session, url, steps, start, done))
             for session in sessions]

    async def all_through():
        while not all(session.error or len(session.steps) == steps for session in sessions):
            if all(task.done() for task in tasks):
                return
            await asyncio.sleep(0.1)

    start.set()  # every learner connects at the same moment
    try:
        await all_through()
        stopped = await asyncio.to_thread(stop)
    finally:
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return sessions, stopped


# -- the server ------------------------------------------------------------------------------------


def start_server(port: int, home: Path) -> subprocess.Popen:
    env = dict(os.environ, NN_TUI_HOME=str(home), PYTHONPATH=str(ROOT))
    log = open(home / "serve.log", "wb")
    process = subprocess.Popen([PYTHON, "-m", "nn_tui", "serve", "--host", HOST,
                                "--port", str(port)], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"nn-tui serve exited: {(home / 'serve.log').read_text()}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise SystemExit("nn-tui serve did not start within 60 s")


def stop_server(process: subprocess.Popen) -> float:
    """Ctrl+C to the server's group; the seconds it took to exit (killed after 60 s)."""
    began = time.monotonic()
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    except ProcessLookupError:
        pass
    return time.monotonic() - began


def summary(name: str, values: list[float], unit: str = "s") -> str:
    if not values:
        return f"{name}: no data"
    scale, fmt = (1000, "{:.0f} ms") if unit == "ms" else (1, "{:.2f} s")
    show = lambda value: fmt.format(value * scale)  # noqa: E731
    return (f"{name}: p50 {show(statistics.median(values))}, "
            f"p95 {show(percentile(values, 0.95))}, max {show(max(values))} (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--steps", type=int, default=10, help="→ presses per session")
    parser.add_argument("--deadline", type=float, default=600.0,
                        help="seconds the whole classroom may take (default 600)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions: 1 to {MAX_SESSIONS}")
    if not 1 <= args.steps <= 18:
        parser.error("--steps: 1 to 18 (the lesson has 20 steps)")
    try:
        import aiohttp  # noqa: F401  (textual-serve's own dependency)
        import textual_serve  # noqa: F401
    except ImportError:
        raise SystemExit("needs the serve extra: pip install -e '.[serve]'")

    compileall.compile_dir(ROOT / "nn_tui", quiet=1)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="nn-tui-classroom-") as home_dir:
        home = Path(home_dir)
        port = free_port()
        server = start_server(port, home)
        sampler = MemorySampler(server.pid)
        sampler.start()
        time.sleep(1.0)
        idle = sum(rss_bytes(pid) for pid in descendants(server.pid))
        began = time.monotonic()
        try:
            sessions, shutdown = asyncio.run(asyncio.wait_for(
                classroom(f"http://{HOST}:{port}", args.sessions, args.steps,
                          lambda: stop_server(server)), args.deadline))
        except asyncio.TimeoutError:
            sessions = None
        finally:
            stop_server(server)
        elapsed = time.monotonic() - began
        sampler.halt.set()
        sampler.join(5)
        log = (home / "serve.log").read_text(errors="replace")

    if sessions is None:
        print(f"the classroom did not finish within --deadline {args.deadline:g} s")
        return 1
    failed = [session for session in sessions if session.error]
    steps = [latency for session in sessions for latency in session.steps]
    print(f"classroom: {args.sessions} sessions at once against nn-tui serve on {HOST}, "
          f"{args.steps} steps each, {READING_PAUSE:g} s apart; {os.cpu_count()} cores, load "
          f"average {load_before:.1f} before; "
          f"{elapsed:.1f} s in all, shutdown included")
    print(f"sessions failed: {len(failed)} of {len(sessions)}")
    for session in failed:
        print(f"  session {session.number}: {session.error}")
    print(summary("first paint (connect → picker title)",
                  [s.first_paint for s in sessions if s.first_paint is not None]))
    print(summary("lesson list painted (connect → lessons listed)",
                  [s.lessons_listed for s in sessions if s.lessons_listed is not None]))
    print(summary("open the lesson (Enter → step 1)",
                  [s.lesson_open for s in sessions if s.lesson_open is not None]))
    print(summary("step latency (→ → next step painted)", steps, unit="ms"))
    print(f"memory: server alone {idle / 2**20:.0f} MB; peak of the server and its tutors "
          f"{sampler.peak / 2**20:.0f} MB over {sampler.peak_processes} processes "
          f"({(sampler.peak - idle) / 2**20 / max(1, sampler.peak_processes - 1):.0f} MB a "
          f"tutor), {sampler.samples} samples")
    print(f"shutdown (Ctrl+C with every session open): {shutdown:.1f} s; "
          f"tracebacks in the server log: {log.count('Traceback')}")
    if args.json:
        print(json.dumps({
            "sessions": args.sessions, "failed": len(failed),
            "first_paint_s": [s.first_paint for s in sessions],
            "lessons_listed_s": [s.lessons_listed for s in sessions],
            "lesson_open_s": [s.lesson_open for s in sessions],
            "step_latency_s": steps, "peak_rss_bytes": sampler.peak,
            "idle_rss_bytes": idle, "shutdown_s": shutdown}))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
