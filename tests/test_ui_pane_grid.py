"""A large terminal's pane grid stays filled whatever panes the learner hides (no Textual).

Textual's grid places its children in DOM order, each at the first free cell where its span
fits; hiding a pane from the palette used to shift every later pane one cell along, leave the
bottom row (10 lines) empty and put the Loss pane in a half-width middle cell without its plot.
``pane_layout.grid_layout`` now gives every child of the grid a span (``GridLayout.spans``, the
screen turns them into classes whose rules are in app.tcss). Here Textual's placement is
simulated with those spans, for every subset of the hideable panes in every layout state, and
the children shown must tile the 2×4 grid exactly, each over its own cells (its rows kept).
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from lesson_files import first_view_of_each_kind

from nn_tui.ui.pane_layout import (
    COMPOSE_SPAN_CLASSES,
    GRID_ORDER,
    HIDEABLE_PANE_IDS,
    SPAN_CLASSES,
    grid_layout,
    home_cells,
    span_classes,
)

COLUMNS, ROWS = 2, 4  # app.tcss: LessonScreen.-wide.-tall #panes { grid-size: 2 4; }


def textual_places(spans: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Where Textual's grid (``textual.layouts.grid.GridLayout.arrange``) puts children with
    these ``(columns, rows)`` spans, in order: a cursor runs row by row and never back; a child
    goes at the first cell from the cursor where the cells it spans are not taken (cells past
    the grid count as free: Textual overflows there), then the cursor moves one cell on.
    Returns ``(column, row, columns, rows)`` per child."""
    taken: set[tuple[int, int]] = set()
    cursor = 0
    places = []
    for columns, rows in spans:
        while True:
            row, column = divmod(cursor, COLUMNS)
            cells = {(x, y) for x in range(column, column + columns)
                     for y in range(row, row + rows)}
            if taken.isdisjoint(cells):
                break
            cursor += 1
        taken |= cells
        places.append((column, row, columns, rows))
        cursor += 1
    return places


@pytest.fixture(scope="module")
def views():
    """The PSA lesson's first view of each step kind, and the question views of each state."""
    from nn_tui.lessons.catalog import bundled_lessons_dir
    from nn_tui.lessons.loader import load_lesson

    found = first_view_of_each_kind(load_lesson(bundled_lessons_dir() / "psa-hidden-layer.toml"))
    check = found["check"]
    found["check-backward"] = dataclasses.replace(
        check, reveal=dataclasses.replace(check.reveal, backward=1))
    found["train"] = dataclasses.replace(found["text"], step=dataclasses.replace(
        found["text"].step, kind="train"))
    return found


# The layout states: (name, view, explore state, whether the step's question is about the runs
# or comes after one: the screen's loss_beside before the Loss pane is hidden).
STATES = [
    ("text step", "text", None, False),
    ("train step", "train", None, False),
    ("question", "check", None, False),
    ("question about the runs, no gradients yet (-check-up)", "check", None, True),
    ("question about the runs, gradients shown (-loss-beside)", "check-backward", None, True),
    ("explore mode", "text", "-explore", False),
    ("explore mode with a run", "text", "-explore-run", False),
]
HIDDEN_SETS = [frozenset(hidden) for count in range(len(HIDEABLE_PANE_IDS) + 1)
               for hidden in itertools.combinations(HIDEABLE_PANE_IDS, count)]


def grid_children(layout, view, exploring: bool) -> list[str]:
    """The children of #panes the screen shows for ``layout``, in DOM order (the Check box
    shows at a question, explore mode's panes while exploring)."""
    shown = set(layout.shown)
    if view.step.kind == "check" and not exploring:
        shown.add("check")
    if exploring:
        shown.add("pane-slope")
        if layout.picture:
            shown.add("pane-picture")
    return [child for child in GRID_ORDER if child in shown]


def case_layout(views, view_name, explore_state, about_runs, hidden):
    view = views[view_name]
    return view, grid_layout(view, wide=True, explore_state=explore_state, hidden=hidden,
                             detail="pane-forward",
                             loss_beside=about_runs and "pane-loss" not in hidden)


def cells_of(views, view_name, explore_state, about_runs, hidden):
    """Each child shown → where Textual's grid puts it with the layout's spans."""
    view, layout = case_layout(views, view_name, explore_state, about_runs, hidden)
    children = grid_children(layout, view, explore_state is not None)
    assert layout.spans is not None and set(layout.spans) == set(children), (
        f"spans for {sorted(layout.spans or ())}, children shown {children}")
    places = textual_places([layout.spans[child] for child in children])
    return dict(zip(children, places)), layout


@pytest.mark.parametrize("name,view_name,explore_state,about_runs", STATES,
                         ids=[state[0] for state in STATES])
def test_every_subset_of_hidden_panes_tiles_the_grid(views, name, view_name, explore_state,
                                                     about_runs):
    failures = []
    for hidden in HIDDEN_SETS:
        case = f"{name}, hidden {sorted(hidden) or 'none'}"
        places, layout = cells_of(views, view_name, explore_state, about_runs, hidden)
        homes = home_cells(exploring=explore_state is not None,
                           check_up=layout.classes["-check-up"],
                           loss_beside=layout.classes["-loss-beside"])
        if not places:
            # Nothing left to show (every pane hidden at a step without a question).
            assert explore_state is None and view_name != "check"
            continue
        covered: dict[tuple[int, int], str] = {}
        problems = []
        for child, (column, row, columns, rows) in places.items():
            if column + columns > COLUMNS or row + rows > ROWS:
                problems.append(f"{child} falls outside the grid at {(column, row)} "
                                f"spanning {(columns, rows)}")
            for x in range(column, column + columns):
                for y in range(row, row + rows):
                    if (x, y) in covered:
                        problems.append(f"{child} overlaps {covered[(x, y)]} at {(x, y)}")
                    covered[(x, y)] = child
            home = homes[child]
            if not (row <= home[1] and home[1] + home[3] <= row + rows):
                problems.append(f"{child} left its rows {home[1]}–{home[1] + home[3] - 1}: "
                                f"at {(column, row, columns, rows)}")
            if not (column <= home[0] and home[0] + home[2] <= column + columns):
                problems.append(f"{child} left its columns: at {(column, row, columns, rows)}, "
                                f"home {home}")
        empty = [(x, y) for y in range(ROWS) for x in range(COLUMNS) if (x, y) not in covered]
        if empty:
            problems.append(f"empty cells {empty}")
        if "pane-loss" in places and homes["pane-loss"][2] == COLUMNS:
            if places["pane-loss"][2] != COLUMNS:
                problems.append(f"the Loss pane lost its width: {places['pane-loss']}")
        if problems:
            failures.append(f"{case}: {places}: " + "; ".join(problems))
    assert not failures, f"{len(failures)} layouts do not tile the grid:\n" + "\n".join(
        failures[:20])


def test_every_pane_the_palette_offers_is_placed_somewhere(views):
    """Each hideable pane shown at some state has a span (the list of children is whole)."""
    seen = set()
    for _name, view_name, explore_state, about_runs in STATES:
        places, _layout = cells_of(views, view_name, explore_state, about_runs, frozenset())
        seen |= set(places)
    assert set(HIDEABLE_PANE_IDS) | {"check", "pane-slope"} <= seen


# What a learner sees when one pane (or two) goes: its room goes to its neighbours and the
# others keep their cells. (column, row, columns, rows) per child.
EXPECTED = [
    ("text", None, False, {"pane-weights"},
     {"pane-gradients": (0, 2, 2, 1), "pane-loss": (0, 3, 2, 1)}),
    ("text", None, False, {"pane-network"},
     {"pane-lesson": (0, 0, 1, 2), "pane-forward": (1, 0, 1, 2)}),
    ("text", None, False, {"pane-forward"}, {"pane-network": (1, 0, 1, 2)}),
    ("text", None, False, {"pane-lesson"},
     {"pane-network": (0, 0, 2, 1), "pane-forward": (0, 1, 2, 1),
      "pane-weights": (0, 2, 1, 1)}),
    ("text", None, False, {"pane-weights", "pane-gradients"},
     {"pane-lesson": (0, 0, 1, 3), "pane-network": (1, 0, 1, 1),
      "pane-forward": (1, 1, 1, 2), "pane-loss": (0, 3, 2, 1)}),
    ("text", None, False, {"pane-loss"},
     {"pane-weights": (0, 2, 1, 2), "pane-gradients": (1, 2, 1, 2)}),
    ("train", None, False, {"pane-weights"},
     {"pane-gradients": (0, 2, 2, 1), "pane-loss": (0, 3, 2, 1)}),
    # -check-up: the Check box stays in the Gradients pane's cell; the Lesson pane comes down.
    ("check", None, True, {"pane-weights"},
     {"pane-lesson": (0, 0, 1, 3), "check": (1, 2, 1, 1), "pane-loss": (0, 3, 2, 1)}),
    # A question with the Loss pane hidden: the box has the bottom row.
    ("check", None, True, {"pane-loss"}, {"check": (0, 3, 2, 1)}),
    ("check-backward", None, True, {"pane-weights"},
     {"pane-gradients": (0, 2, 2, 1), "check": (0, 3, 1, 1), "pane-loss": (1, 3, 1, 1)}),
    ("text", "-explore", False, {"pane-picture"},
     {"pane-slope": (0, 0, 2, 1), "pane-network": (0, 1, 1, 1), "pane-loss": (0, 3, 2, 1)}),
    ("text", "-explore", False, {"pane-network"},
     {"pane-slope": (0, 0, 1, 1), "pane-picture": (1, 0, 1, 1),
      "pane-forward": (0, 1, 2, 1)}),
]


@pytest.mark.parametrize("view_name,explore_state,about_runs,hidden,expected", EXPECTED,
                         ids=[f"{case[0]}{case[1] or ''}-hide-{'+'.join(sorted(case[3]))}"
                              for case in EXPECTED])
def test_the_room_a_hidden_pane_leaves_goes_to_its_neighbours(views, view_name, explore_state,
                                                               about_runs, hidden, expected):
    places, _layout = cells_of(views, view_name, explore_state, about_runs, frozenset(hidden))
    for child, cell in expected.items():
        assert places.get(child) == cell, f"{child}: {places.get(child)}, not {cell} ({places})"


def test_with_none_hidden_the_spans_are_those_the_panes_are_made_with(views):
    """The screen composes the panes with COMPOSE_SPAN_CLASSES: at a step with none hidden
    their classes do not change (a change restyles the pane)."""
    _view, layout = case_layout(views, "text", None, False, frozenset())
    for child, span in layout.spans.items():
        on = {name for name, value in span_classes(span).items() if value}
        assert on == set(COMPOSE_SPAN_CLASSES[child].split()), child
        assert on <= set(SPAN_CLASSES)


def test_a_small_terminal_has_no_spans(views):
    """One column: the layout gives no spans and the screen leaves the classes alone."""
    layout = grid_layout(views["text"], wide=False, explore_state=None,
                         hidden={"pane-weights"}, detail="pane-forward", loss_beside=False)
    assert layout.spans is None
