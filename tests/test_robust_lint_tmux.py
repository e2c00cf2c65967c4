"""QA re-test of issues 9.3/9.20 in a real terminal (tmux): q while the picker is still
"Loading lessons…" (a folder of lessons that take long to check) ends the process at once."""

from __future__ import annotations

import time

from lesson_files import train_then_checks
from tmux_helpers import alive, requires_tmux, wait_until

pytestmark = requires_tmux


def _slow_to_check(index: int) -> str:
    """A valid lesson whose checking takes about a second: 20,000 epochs of a tiny network and
    answers that read nearly the whole answer budget."""
    count = 99  # 99 × 20,005 values: just within the answers' budget (MAX_ANSWER_WORK)
    return train_then_checks(20000, *["max(training.main.history)"] * count,
                             id=f"slow-{index}", title=f"Slow {index}")


def test_q_while_lessons_load_ends_the_process_at_once(tmp_path, tmux_tutor):
    folder = tmp_path / "slow"
    folder.mkdir()
    for index in range(40):  # about 40 s of checking
        (folder / f"slow{index:02}.toml").write_text(_slow_to_check(index), encoding="utf-8")
    term = tmux_tutor("--lessons", str(folder))
    term.wait_for("Loading lessons")
    time.sleep(1.5)  # well into checking the folder
    pid = term.pid
    term.keys("q")
    start = time.monotonic()
    wait_until(lambda: not alive(pid), 20, "the tutor kept running after q")
    ended = time.monotonic() - start
    assert ended < 5, f"the tutor took {ended:.1f} s to end after q"
    assert term.exit_status(timeout=5) == "0"
