"""The Network pane names every weight, bias, z and a as the Weights and Forward panes do
(issue 14, "One notation"): for every step of every bundled lesson, at the widths the pane has
at 120×40 and 80×24 (and the narrower ones its fallbacks are drawn at), in the lesson and in
explore mode."""

from __future__ import annotations

import dataclasses
import functools
import io
import re
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console, Group
from rich.text import Text

from nn_tui.format.numbers import current_decimals
from nn_tui.lessons.explore import ExploreSession
from nn_tui.lessons.fingerprint import value_key
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession, Reveal
from nn_tui.ui.panes import network as network_pane
from nn_tui.ui.panes._common import explore_marks
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


@functools.cache
def _console(width: int) -> Console:
    # Recorded into a string, not written to the (captured) stdout.
    return Console(width=width, record=True, color_system=None, legacy_windows=False,
                   file=io.StringIO())


def text_of(renderable, width: int) -> str:
    console = _console(width)
    console.print(renderable)
    console.file = io.StringIO()
    return console.export_text()


def drawn_key(view) -> tuple:
    """Everything the Network pane reads from ``view``, by value (the traces by ``value_key``):
    two views with equal keys are drawn alike at one size. Many steps show the same numbers,
    revealed as far, with the same highlight."""
    marks = explore_marks(view)
    return (value_key(view.trace), None if marks is None else value_key(marks),
            view.reveal.forward, view.reveal.loss, view.highlight,
            getattr(view, "selected", None), view.input_names, view.output_names,
            current_decimals())


def structure(value):
    """``value`` (a trace: dataclasses of arrays) with its numbers left out: the arrays' shapes,
    the names, modes and flags. The names a pane writes (W₁[2,1], a₁, ŷ[2]) depend only on
    these."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,) + tuple(
            (item.name, structure(getattr(value, item.name))) for item in dataclasses.fields(value))
    if isinstance(value, (tuple, list)):
        return tuple(structure(item) for item in value)
    if isinstance(value, (float, np.floating)):
        return float
    return value


_PRINTED_AT: set[int] = set()


def lines_text(lines, width: int) -> str:
    """What the console prints for the Text ``lines`` (a diagram) at ``width`` columns. When
    every line fits the width, holds no tab, ends in a newline and is not justified, the console
    wraps, pads and cuts nothing: that is the lines' text, one a line. The first such diagram
    at each width is printed too and compared (so the rule is the console's, not assumed);
    others are printed."""
    plain = all(line.cell_len <= width and "\t" not in line.plain and line.end == "\n"
                and line.justify in (None, "default") for line in lines)
    if not plain or width not in _PRINTED_AT:
        printed = text_of(Group(*lines), width)
        if plain:
            _PRINTED_AT.add(width)
            assert printed == "".join(line.plain + "\n" for line in lines), (
                f"the console printed a diagram at width {width} other than its lines' text: "
                f"lines_text no longer holds")
        return printed
    return "".join(line.plain + "\n" for line in lines)


_NETWORK_TEXT: dict[tuple, str] = {}
_LINES_TEXT: dict[tuple, str] = {}
_LISTING_TEXT: dict[tuple, str] = {}
_LISTING_HEIGHTS_SEEN: set[int] = set()
_KNOWN: dict[tuple, frozenset[str]] = {}


def network_text(view, width: int, height: int) -> str:
    """The Network pane's text for ``view`` at ``width`` × ``height``: drawn once per value,
    a diagram (a group of lines) written out once per its lines' text (the three heights
    and many highlights give the same lines), and the listing (what is drawn when no diagram
    fits: not a group of lines) written out once per value and width — it is drawn from the
    view alone, whatever the height, which the first listing at each width shows by being
    written out at every height it is drawn at and compared."""
    key = (drawn_key(view), width, height)
    if key not in _NETWORK_TEXT:
        renderable = network_renderable(view, width, height)
        lines = getattr(renderable, "renderables", None)
        if lines is not None and all(type(line) is Text for line in lines):
            # What a Text prints as depends on its characters and its layout settings, not
            # its styles (the console writes no colour).
            content = (width, tuple((line.plain, line.justify, line.overflow, line.no_wrap,
                                     line.end, line.tab_size) for line in lines))
            if content not in _LINES_TEXT:
                _LINES_TEXT[content] = lines_text(lines, width + 4)
            _NETWORK_TEXT[key] = _LINES_TEXT[content]
        else:
            listing = (drawn_key(view), width, type(renderable))
            if listing not in _LISTING_TEXT:
                _LISTING_TEXT[listing] = text_of(renderable, width + 4)
                if width not in _LISTING_HEIGHTS_SEEN:
                    _LISTING_HEIGHTS_SEEN.add(width)
                    for other in HEIGHTS:
                        drawn = network_renderable(view, width, other)
                        if type(drawn) is type(renderable):
                            assert text_of(drawn, width + 4) == _LISTING_TEXT[listing], (
                                f"the listing at width {width} differs at height {other}: "
                                f"the listing cache in network_text no longer holds")
            _NETWORK_TEXT[key] = _LISTING_TEXT[listing]
    return _NETWORK_TEXT[key]


def known_names(view) -> frozenset[str]:
    """The names the Weights and Forward panes write for ``view``'s network with everything
    revealed (the names are the network's, whatever is revealed yet), at half of 120 columns
    and at 120: read once per network structure, in the lesson and in explore mode (whose
    Weights pane is drawn by its own code), with and without "was" marks."""
    key = (structure(view.trace), getattr(view, "selected", None) is None,
           explore_marks(view) is None, view.input_names, view.output_names)
    if key not in _KNOWN:
        depth = len(view.trace.layers)
        whole = dataclasses.replace(view, reveal=Reveal(depth, True, depth, True))
        known: set[str] = set()
        for width in (60, 120):
            known |= set(NAME.findall(text_of(weights_renderable(whole, width), width)))
            known |= set(NAME.findall(text_of(forward_renderable(whole, width), width)))
        _KNOWN[key] = frozenset(known)
    return _KNOWN[key]


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


_DIAGRAMS: dict[tuple, object] = {}
_DRAWINGS: dict[tuple, list] = {}


@pytest.fixture
def diagrams_by_value(monkeypatch):
    """The pane's diagram of a view in one style (``_diagram``) built once per value (its
    ``drawn_key``) and style, and drawn (``_draw``) once per diagram and width. The pane builds
    and draws every style it tries again at each of the 12 sizes this test reads: the same
    diagrams, as ``drawn_key`` holds everything the pane reads. Both are pure (``_draw`` copies
    the diagram's text before changing it); what ``network_renderable`` returns is unchanged."""
    build, draw = network_pane._diagram, network_pane._draw

    def diagram(view, detail):
        key = (drawn_key(view), dataclasses.astuple(detail))
        if key not in _DIAGRAMS:
            _DIAGRAMS[key] = build(view, detail)
        return _DIAGRAMS[key]

    def drawing(view, diagram, available):
        # The diagrams are kept (above), so their ids name them.
        key = (drawn_key(view), id(diagram), available)
        if key not in _DRAWINGS:
            _DRAWINGS[key] = draw(view, diagram, available)
        return _DRAWINGS[key]

    monkeypatch.setattr(network_pane, "_diagram", diagram)
    monkeypatch.setattr(network_pane, "_draw", drawing)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_network_pane_uses_the_other_panes_names(path, diagrams_by_value):
    for where, view in views_of(path):
        known = known_names(view)
        for width in WIDTHS:
            for height in HEIGHTS:
                shown = network_text(view, width, height)
                case = f"{path.stem} {where} width {width} height {height}"
                bare = BARE.findall(shown)
                assert not bare, f"{case}: bare {bare}\n{shown}"
                for name in NAME.findall(shown):
                    assert covered(name, known), (
                        f"{case}: {name!r} is not a name the Weights or Forward pane uses "
                        f"({sorted(known)})\n{shown}")
                for layer in view.trace.layers:
                    if layer.activation == "identity":
                        assert "linear" not in shown, f"{path.stem} {where}: 'linear'\n{shown}"
