"""The Network pane's listing names each layer's activation as the Weights and Forward headings
do ("layer 1 · relu", "output · sigmoid"), not with the diagram's narrow symbols (σ, ReLU).

Checked for every bundled lesson at every step kind's first occurrence, at the widths and
heights where the pane falls back to the listing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.console import Console

from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.panes.network import ACTIVATION_SHORT, network_renderable

LESSONS = sorted((Path(__file__).parent.parent / "lessons").glob("*.toml"))
HEADING = re.compile(r"(?:layer \d+|output|hidden) · (\S+)")


def text_of(renderable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_listing_headings_use_the_activation_names_of_the_other_panes(path):
    session = LessonSession(load_lesson(path))
    firsts = {}
    for index in range(session.total):
        firsts.setdefault(session.steps[index].kind, index)
    listed = 0
    for index in firsts.values():
        view = session.view(index)
        names = {layer.activation for layer in view.trace.layers}
        for width, height in ((24, 0), (40, 8), (56, 14), (76, 14)):
            shown = text_of(network_renderable(view, width, height), width + 4)
            for name in HEADING.findall(shown):
                listed += 1
                assert name in names, (
                    f"{path.stem} step {index + 1} width {width}: '· {name}' is not one of "
                    f"{sorted(names)}\n{shown}")
    # The listing is drawn somewhere for every lesson (at the narrowest widths at least), and a
    # short symbol that differs from the name would have been caught.
    assert listed > 0
    assert any(short != name for name, short in ACTIVATION_SHORT.items())
