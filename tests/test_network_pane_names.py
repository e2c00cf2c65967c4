"""The Network pane names every weight, bias, z and a as the Weights and Forward panes do
(issue 14, "One notation"): for every step of every bundled lesson, at the widths the pane has
at 120×40 and 80×24 (and the narrower ones its fallbacks are drawn at), in the lesson and in
explore mode."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from rich.console import Console

from nn_tui.lessons.explore import ExploreSession
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession, Reveal
from nn_tui.ui.panes.forward import forward_renderable
from nn_tui.ui.panes.network import network_renderable
from nn_tui.ui.panes.weights import weights_renderable

LESSONS = sorted((Path(__file__).parent.parent / "lessons").glob("*.toml"))
# The pane's inner widths: half of 120 columns, the whole of 80 (the detail slot), and the
# narrower ones at which the diagram falls back to less detail or to the listing.
WIDTHS = (24, 40, 56, 76)
HEIGHTS = (0, 8, 14)

# A name of a weight, bias, z or a: a letter with a layer subscript and maybe [k] / [i,j] /
# [i,:], or ŷ; and a bare letter before a number ("b 0.1000"), which no other pane writes.
NAME = re.compile(r"(?<![\w∂/])(?:[wWbza][₀-₉]+(?:\[[\d,:]+\])?|ŷ(?:\[\d+\])?)")
BARE = re.compile(r"(?<![\w∂/(])([wWbza]) (?=[−\-]?\d)")


def text_of(renderable, width: int) -> str:
    console = Console(width=width, record=True, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.export_text()


def covered(name: str, known: set[str]) -> bool:
    """Whether ``name`` is one the other panes use: itself, a matrix (W₁) or a unit's row
    (W₁[2,:]) whose entries they show, or an entry of a column they head (batch mode)."""
    if name in known:
        return True
    if "[" in name and name.split("[")[0] in known:
        return True  # a batch's Forward pass heads a column a₁ for a₁[1], a₁[2] per row
    if name.endswith(",:]"):
        prefix = name[:-2]  # "W₁[2,"
        return any(other.startswith(prefix) for other in known)
    if "[" not in name:
        return any(other.startswith(name + "[") for other in known)
    return False


def views_of(path: Path):
    session = LessonSession(load_lesson(path))
    for index in range(session.total):
        view = session.view(index)
        yield f"step {index + 1}", view
        explore = ExploreSession(view)
        yield f"step {index + 1} explore", explore.explore_view()


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_network_pane_uses_the_other_panes_names(path):
    for where, view in views_of(path):
        # The names are the network's, whatever is revealed yet: read them off panes that
        # show the whole computation.
        depth = len(view.trace.layers)
        whole = dataclasses.replace(view, reveal=Reveal(depth, True, depth, True))
        known: set[str] = set()
        for width in (60, 120):
            known |= set(NAME.findall(text_of(weights_renderable(whole, width), width)))
            known |= set(NAME.findall(text_of(forward_renderable(whole, width), width)))
        for width in WIDTHS:
            for height in HEIGHTS:
                shown = text_of(network_renderable(view, width, height), width + 4)
                bare = BARE.findall(shown)
                assert not bare, f"{path.stem} {where} width {width}: bare {bare}\n{shown}"
                for name in NAME.findall(shown):
                    assert covered(name, known), (
                        f"{path.stem} {where} width {width}: {name!r} is not a name the "
                        f"Weights or Forward pane uses ({sorted(known)})\n{shown}")
                for layer in view.trace.layers:
                    if layer.activation == "identity":
                        assert "linear" not in shown, f"{path.stem} {where}: 'linear'\n{shown}"
