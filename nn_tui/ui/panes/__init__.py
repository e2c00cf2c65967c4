"""The lesson screen's panes. Each is a Textual widget titled as the learner sees it, with one
public method, ``show(view)``, that formats a ``StepView``; none of them computes math.

The lesson screen composes them and must load ``PANES_CSS_PATH`` (their borders and sizes).
``LossPane`` is imported lazily because it pulls in textual-plotext.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nn_tui.ui.panes.forward import ForwardPane
from nn_tui.ui.panes.gradients import GradientsPane
from nn_tui.ui.panes.lesson import LessonPane
from nn_tui.ui.panes.network import NetworkPane
from nn_tui.ui.panes.weights import WeightsPane

if TYPE_CHECKING:
    from nn_tui.ui.panes.loss import LossPane

PANES_CSS_PATH = Path(__file__).resolve().parent.parent / "panes.tcss"

__all__ = [
    "LessonPane", "NetworkPane", "WeightsPane", "ForwardPane", "GradientsPane", "LossPane",
    "PANES_CSS_PATH",
]


def __getattr__(name: str):
    if name == "LossPane":
        from nn_tui.ui.panes.loss import LossPane

        return LossPane
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
