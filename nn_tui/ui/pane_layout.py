"""Which of the lesson screen's panes a step shows, without Textual.

The lesson screen (nn_tui/ui/screens/lesson.py) asks :func:`grid_layout` which panes to show
and which classes to give the pane grid and its panes, and carries the answer out (each pane's
``display``, the grid's classes, each pane's span classes); the rows and spans those classes
choose are in app.tcss ("lesson screen"). :func:`grid_spans` decides the spans on a large
terminal, so that the panes shown fill the grid whatever the learner hid. :func:`detail_for`
picks the pane in the detail slot of a small terminal for a step, :func:`next_detail` the one
``t`` brings.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

from nn_tui.lessons.session import StepView

# The panes of the grid, in grid order (the screen pairs each with its widget class).
PANE_IDS = ("pane-lesson", "pane-network", "pane-forward", "pane-weights", "pane-gradients",
            "pane-loss")
# The panes the learner can hide (the palette's "Hide the … pane"): the six, and explore mode's
# output picture. Explore mode's Slope pane holds the task and the value being edited: never.
HIDEABLE_PANE_IDS = (*PANE_IDS, "pane-picture")
# On a small terminal the Lesson pane, one of these (t cycles them) and the Loss pane (or the
# Check box) are stacked full width, so the text and the arithmetic both get whole lines. (At a
# question about the training runs, the Loss pane takes the detail slot; t reaches it too.)
DETAIL_PANES = ("pane-forward", "pane-gradients", "pane-weights", "pane-network")
# The classes of the pane grid that choose its rows (one at a time; app.tcss has the rules).
LAYOUT_STATES = ("-explore", "-explore-run", "-train", "-check", "-race")
DETAIL_FOR_KIND = {"backward": "pane-gradients", "update": "pane-weights", "train": "pane-weights"}

# -- the grid of a large terminal ---------------------------------------------------------------
# "LessonScreen.-wide.-tall #panes" in app.tcss: 2 columns × 4 rows.
GRID_COLUMNS, GRID_ROWS = 2, 4
# The children of #panes in the order the screen mounts them (Textual's grid places them in
# this order): the Check box is "check", between the Gradients and Loss panes; explore mode's
# Slope pane and output picture come right after the Lesson pane (which they replace).
GRID_ORDER = ("pane-lesson", "pane-slope", "pane-picture", "pane-network", "pane-forward",
              "pane-weights", "pane-gradients", "check", "pane-loss")
# The classes of a grid child that choose its span (app.tcss has the rules; none: one cell).
SPAN_CLASSES = ("-span-2-columns", "-span-2-rows", "-span-3-rows", "-span-4-rows")
# A cell of the grid a pane covers: (column, row, columns, rows), from the top left cell (0, 0).
Cell = tuple[int, int, int, int]
# The spans a pane may take: (columns, rows).
_SPANS = tuple((columns, rows) for rows in range(1, GRID_ROWS + 1)
               for columns in range(1, GRID_COLUMNS + 1))
# The panes whose place is the layout's anchor: the Check box stays where the learner is
# typing, and the Loss pane keeps its width and its plot (redrawn only when its size changes).
_ANCHORED = ("check", "pane-loss")


def span_classes(span: tuple[int, int]) -> Mapping[str, bool]:
    """The SPAN_CLASSES (name → set or not) of a grid child spanning ``span``: (columns,
    rows), each 1 to the grid's size (KeyError otherwise). Shared: not to be changed."""
    return _SPAN_CLASSES_OF[span]


_SPAN_CLASSES_OF = {
    (columns, rows): {"-span-2-columns": columns == 2, "-span-2-rows": rows == 2,
                      "-span-3-rows": rows == 3, "-span-4-rows": rows == 4}
    for columns, rows in _SPANS}


def home_cells(*, exploring: bool, check_up: bool, loss_beside: bool) -> dict[str, Cell]:
    """Where each child of the grid goes when none is hidden (the design sketch): the Lesson
    pane (or, exploring, the Slope pane and the output picture) and Network over Forward pass
    at the top, Weights and Gradients below, and the Loss pane or the Check box across the
    bottom row; at a question about the runs, the two side by side (``loss_beside``), or the
    box in the (empty) Gradients pane's place (``check_up``)."""
    if exploring:
        homes = {"pane-slope": (0, 0, 1, 1), "pane-picture": (1, 0, 1, 1),
                 "pane-network": (0, 1, 1, 1), "pane-forward": (1, 1, 1, 1)}
    else:
        homes = {"pane-lesson": (0, 0, 1, 2), "pane-network": (1, 0, 1, 1),
                 "pane-forward": (1, 1, 1, 1)}
    homes["pane-weights"] = (0, 2, 1, 1)
    homes["pane-gradients"] = (1, 2, 1, 1)
    if check_up:
        homes["check"] = (1, 2, 1, 1)
    elif loss_beside:
        homes["check"] = (0, 3, 1, 1)
    else:
        homes["check"] = (0, 3, 2, 1)
    homes["pane-loss"] = (1, 3, 1, 1) if loss_beside and not check_up else (0, 3, 2, 1)
    return homes


def _contains(outer: Cell, inner: Cell) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


def _cells(cell: Cell) -> int:
    """The bit mask of the grid cells ``cell`` covers (bit ``row * GRID_COLUMNS + column``)."""
    column, row, columns, rows = cell
    mask = 0
    for y in range(row, row + rows):
        for x in range(column, column + columns):
            mask |= 1 << (y * GRID_COLUMNS + x)
    return mask


def _cost(pane_id: str, home: Cell, cell: Cell) -> tuple[int, int, int, int]:
    """What placing a child at ``cell`` instead of ``home`` costs (compared as a tuple, the
    first term first; see ``grid_spans``)."""
    if cell == home:
        return (0, 0, 0, 0)
    return (0 if _contains(cell, home) else 1, 1 if pane_id in _ANCHORED else 0,
            1 if cell[3] > home[3] else 0, 1)


@lru_cache(maxsize=512)
def _best_spans(homes: tuple[tuple[str, Cell], ...]) -> tuple[tuple[int, int], ...]:
    full = (1 << (GRID_COLUMNS * GRID_ROWS)) - 1
    count = len(homes)
    best: tuple[int, ...] | None = None
    best_spans: tuple[tuple[int, int], ...] = ()
    chosen: list[tuple[int, int]] = []

    # Depth first over each child's span in DOM order, placing each as Textual does
    # (``textual.layouts.grid.GridLayout.arrange``: a cursor runs over the cells row by row and
    # never back; each child goes at the first cell from the cursor where its span meets no
    # child placed before it, and the cursor moves one cell on). A branch ends where a child
    # falls outside the grid (Textual would add rows or overflow the columns), where a cell
    # before the cursor stays empty (no later child can fill it), or where it already costs
    # as much as the best found (the costs only add up).
    def search(index: int, taken: int, cursor: int, cost: tuple[int, ...]) -> None:
        nonlocal best, best_spans
        if best is not None and cost >= best:
            return
        if index == count:
            if taken == full:
                best, best_spans = cost, tuple(chosen)
            return
        pane_id, home = homes[index]
        # Its own span first: the best found early prunes the most.
        for columns, rows in (home[2:], *(span for span in _SPANS if span != home[2:])):
            position = cursor
            while position < GRID_COLUMNS * GRID_ROWS:
                row, column = divmod(position, GRID_COLUMNS)
                # Cells past the last column or row are free, as in Textual.
                cover = _cells((column, row, min(columns, GRID_COLUMNS - column),
                                min(rows, GRID_ROWS - row)))
                if not cover & taken:
                    break
                position += 1
            else:
                continue
            if column + columns > GRID_COLUMNS or row + rows > GRID_ROWS:
                continue
            cell = (column, row, columns, rows)
            cover = _cells(cell)
            behind = (1 << (position + 1)) - 1  # the cells up to this one
            if (taken | cover) & behind != behind:
                continue
            chosen.append((columns, rows))
            step = _cost(pane_id, home, cell)
            search(index + 1, taken | cover, position + 1,
                   tuple(total + more for total, more in zip(cost, step)))
            chosen.pop()

    search(0, 0, 0, (0, 0, 0, 0))
    return best_spans


def grid_spans(homes: Mapping[str, Cell], shown: Collection[str]) -> dict[str, tuple[int, int]]:
    """The span (``(columns, rows)``) of each child of the large terminal's grid in ``shown``
    (ids as in GRID_ORDER) so that the children shown fill the grid, with no empty cell: what
    a hidden pane leaves goes to its neighbours.

    Textual's grid has no explicit placement (it places the children in DOM order, each at
    the first free cell where its span fits), so a child's place follows from the spans of
    those before it; of every set of spans that fills the grid, the one chosen keeps, in this
    order of priority: each child over its own cells (``homes``, see :func:`home_cells`: it
    keeps its rows), the Check box and the Loss pane exactly where they are, as many children
    as can at their height (the room goes sideways first), and as many children as can at
    their size. Each layout is searched once (cached: 0.1-2 ms the first time, a few µs
    after); a grid with nothing shown gets no spans.
    """
    order = tuple((pane_id, homes[pane_id]) for pane_id in GRID_ORDER if pane_id in shown)
    return dict(zip((pane_id for pane_id, _home in order), _best_spans(order)))


# The span classes each child of the grid is made with: its span in the layout of a step with
# none hidden, so that the first layout changes none (a change restyles the child).
COMPOSE_SPAN_CLASSES = {
    pane_id: " ".join(name for name, on in span_classes(cell[2:]).items() if on)
    for pane_id, cell in home_cells(exploring=False, check_up=False,
                                    loss_beside=False).items()}


@dataclass(frozen=True)
class GridLayout:
    """What the pane grid shows: the panes (``shown``: their ids), whether explore mode's
    output picture is shown, the grid's classes (name → set or not), and on a large terminal
    the span (``(columns, rows)``) of each child of the grid shown (ids as in GRID_ORDER; the
    screen gives each its ``span_classes``); None on a small terminal (one column)."""

    shown: frozenset[str]
    picture: bool
    classes: dict[str, bool]
    spans: dict[str, tuple[int, int]] | None = None


def grid_layout(view: StepView | None, *, wide: bool, explore_state: str | None,
                hidden: Collection[str], detail: str, loss_beside: bool,
                gradient_room: bool = False) -> GridLayout:
    """The layout for ``view`` (None before the first step is shown).

    ``wide``: the terminal shows every pane at once (from 120×36); ``explore_state``: explore
    mode's grid class when it is on (``ExploreControl.layout_state``), else None; ``hidden``:
    the panes the learner hid; ``detail``: the pane in the detail slot of a small terminal;
    ``loss_beside``: the step is a question about the training runs, or comes after one, and
    the Loss pane is not hidden (it stays beside the Check box, or takes the detail slot on a
    small terminal); ``gradient_room``: the step's gradients need more rows than usual
    (``GradientsPane.needs_room``; wide terminals only).
    """
    exploring = explore_state is not None
    kind = view.step.kind if view is not None else None
    is_check = kind == "check" and not exploring
    # Any other question hides the Loss pane: the Check box takes its place.
    loss_beside = is_check and loss_beside
    # Wide, with no gradients to show yet: the Check box takes the Gradients pane's place and
    # the Loss pane keeps its row, its size and its plot (nothing of it is redrawn).
    check_up = bool(loss_beside and wide and view is not None and not view.reveal.backward)
    shown = set()
    for pane_id in PANE_IDS:
        visible = pane_id not in hidden
        if pane_id in DETAIL_PANES and not wide:
            visible = visible and pane_id == detail
        if pane_id == "pane-loss" and is_check:
            visible = loss_beside and (wide or detail == pane_id)
        if pane_id == "pane-lesson":
            visible = visible and not exploring  # the Slope pane is in its place
        if pane_id == "pane-gradients" and check_up:
            visible = False
        if visible:
            shown.add(pane_id)
    # One state class for the rows (they differ by what the bottom row must hold).
    if exploring:
        state = explore_state
    elif kind == "train":
        state = "-train"
    elif is_check:
        state = "-check"
    elif view is not None and len(view.trainings) > 1:
        state = "-race"
    else:
        state = ""
    classes = {name: name == state for name in LAYOUT_STATES}
    classes["-loss-beside"] = loss_beside and not check_up
    classes["-check-up"] = check_up
    # The rows a question after a run needs for the Loss pane's plot where the box cannot move
    # up (gradients on screen), or (small terminals) in the slot t gave it.
    classes["-loss-plot"] = bool(loss_beside and view is not None and view.trainings
                                 and not check_up and (wide or detail == "pane-loss"))
    classes["-gradient-room"] = bool(gradient_room and wide and not exploring)
    # Explore mode's output picture: beside the readout on a large terminal (the other panes
    # move one place along), one of the panes t shows under it on a small one.
    # (Hidden from the palette, it stays hidden, as the other panes do.)
    picture = "pane-picture" not in hidden and (wide or detail == "pane-picture")
    spans = None
    if wide:
        # What the grid holds: the panes shown, the Check box at a question, and exploring
        # the Slope pane and (unless hidden) the output picture.
        children = set(shown)
        if is_check:
            children.add("check")
        if exploring:
            children.add("pane-slope")
            if picture:
                children.add("pane-picture")
        spans = grid_spans(home_cells(exploring=exploring, check_up=check_up,
                                      loss_beside=loss_beside), children)
    return GridLayout(frozenset(shown), picture, classes, spans)


def detail_for(view: StepView, loss_beside: bool, about_runs: bool = True) -> str:
    """The pane in the detail slot when ``view`` is shown (``loss_beside``: as for
    ``grid_layout``; ``about_runs``: the question asks about the training runs): what the step
    is about, the latest revealed arithmetic at a text step or a question, or before any, the
    network with its inputs and weights (what a question's pencil work starts from)."""
    kind = view.step.kind
    if kind == "check" and loss_beside and about_runs:
        return "pane-loss"  # (after a run, t reaches it: the question may need others)
    if kind in ("text", "check"):
        if view.reveal.backward:
            return "pane-gradients"
        if not view.reveal.forward and not view.trainings:
            return "pane-network"
    return DETAIL_FOR_KIND.get(kind, "pane-forward")


def next_detail(detail: str, loss_beside: bool, picture: bool) -> str:
    """The pane ``t`` puts in the detail slot after ``detail``: the DETAIL_PANES in turn, and
    the Loss pane at a question about the runs (``loss_beside``) and the output picture in
    explore mode (``picture``)."""
    choices = DETAIL_PANES
    if loss_beside:
        choices += ("pane-loss",)
    if picture:
        choices += ("pane-picture",)
    position = choices.index(detail) if detail in choices else -1
    return choices[(position + 1) % len(choices)]
