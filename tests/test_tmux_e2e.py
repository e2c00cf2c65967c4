"""End to end, as a person would: nn-tui in a real terminal (tmux), keys typed, the screen read."""

from __future__ import annotations

import time

from tmux_helpers import requires_tmux

pytestmark = requires_tmux


def test_learner_opens_a_lesson_steps_through_and_quits(tmux_tutor):
    term = tmux_tutor()
    # The picker lists the course; type to filter down to the PSA hidden-layer lesson.
    term.wait_for("One neuron")
    term.keys("-l", "one hidden neuron")
    term.wait_for("PSA: one hidden neuron")
    time.sleep(0.3)
    term.keys("Enter")
    term.wait_for("PSA: one hidden neuron, one backprop step")
    # At the compact layout one of Forward pass / Gradients / Weights shows at a time.
    for title in ("Lesson", "Network", "Loss"):
        term.wait_for(title)
    # Step forward until the forward pass shows the article's output, 0.3250 (exactly 0.32496…).
    for _ in range(30):
        if "0.3250" in term.screen():
            break
        term.keys("Right")
        time.sleep(0.25)
    assert "0.3250" in term.screen()
    term.keys("End")
    term.wait_for("step ")
    term.keys("Home")
    time.sleep(0.3)
    term.keys("q")
    assert term.exit_status(timeout=15) == "0"
