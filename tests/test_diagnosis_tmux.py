"""A learner in a real terminal (tmux) answers a check wrongly in a usual way, is told which
factor is missing, and `nn-tui progress` shows the mistake afterwards."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tmux_helpers import ROOT, requires_tmux

pytestmark = requires_tmux

PSA = ROOT / "lessons" / "psa-hidden-layer.toml"


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


def test_a_learner_is_told_the_missing_factor(tmux_tutor, home):
    term = tmux_tutor(str(PSA), home=home)
    term.wait_for("step 1 of 20")
    for step in range(2, 14):
        term.keys("Right")
        term.wait_for(f"step {step} of 20")
    term.wait_for("what is ∂L/∂w₁?")
    term.type("-0.1278")
    term.keys("Enter")
    screen = term.wait_for("without ∂ŷ/∂z₂ = 0.2194")
    assert "0.3250 · (−1.0000) · 0.1966 · 2.0000 = −0.1278" in screen.replace("\n", "")
    term.keys("5", "Enter")
    term.wait_for("Hint:")
    term.keys("q")
    assert term.exit_status(timeout=15) == "0", term.screen()
    result = subprocess.run([sys.executable, "-m", "nn_tui", "progress", "--json"],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, "NN_TUI_HOME": str(home),
                                 "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    (lesson,) = json.loads(result.stdout)["lessons"]
    assert lesson["mistakes"] == {"missing_activation_slope": 1}
    assert lesson["mistakes_by_step"] == [{"step": 13, "kinds": ["missing_activation_slope"]}]
