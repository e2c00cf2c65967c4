"""Screen-level speed workarounds (see the package docstring for the figures)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping

from textual.css.model import CombinatorType, Selector, SelectorType
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class QuietFocusScreen(Screen):
    """A screen that does not repaint itself whole when the focus moves.

    ``Screen.focused`` repaints the screen on every change: at a question the focus moves into
    the answer box and out again, and that repaint made every question step cost twice as much
    to draw (step latency). Nothing such a screen draws may depend on the focus other than the
    ``:focus`` styles, which restyle their own widgets.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


def freeze_gc_after_paint(screen: Screen) -> None:
    """After the first paint, move every object alive (modules, widgets, styles: they live as
    long as the screen) out of the garbage collector's reach: a full collection that scanned
    them all paused a step for 40-70 ms (step latency max and p95)."""
    screen.call_after_refresh(gc.freeze)


def set_classes_shallow(node: Widget, classes: Mapping[str, bool],
                        restyle: Iterable[DOMNode] = ()) -> bool:
    """Set ``node``'s classes and restyle only ``node`` and those of ``restyle`` a rule naming
    a changed class may style (returns whether any class changed).

    A class change restyles everything below the node (Textual's ``update_classes``): for the
    pane grid that is every pane's content, the Markdown included, and it cost a few hundred
    milliseconds per step. The rules that use these classes must then style only ``node`` and
    the nodes in ``restyle``. Of those, only the ones such a rule can select are restyled
    (``_styled_by``): restyling all the grid's panes at each step kind change cost ~0.8 ms of
    the step (step p50, benchmarks/tui.py), for the one node whose rows change.
    """
    changed = frozenset(name for name, on in classes.items() if node.has_class(name) != on)
    if not changed:
        return False
    node.update_classes(classes, update=False)
    targets = _styled_by(node.app.stylesheet, changed)
    node.app.stylesheet.update_nodes(
        [node, *(other for other in restyle if _may_select(targets, other))])
    return True


# Per set of class names: the stylesheet's rules it was read from, and the last compound
# selector (the part that names the styled node) of each rule that names one of the classes.
_STYLED_BY: dict[frozenset[str], tuple[object, tuple[tuple[Selector, ...], ...]]] = {}


def _styled_by(stylesheet: Stylesheet,
               names: frozenset[str]) -> tuple[tuple[Selector, ...], ...]:
    """The last compound selectors of the rules that name any class of ``names`` (read again
    when the stylesheet is parsed again, e.g. a theme change)."""
    rules = stylesheet.rules
    cached = _STYLED_BY.get(names)
    if cached is not None and cached[0] is rules:
        return cached[1]
    found = []
    for rule in rules:
        for selector_set in rule.selector_set:
            selectors = selector_set.selectors
            if not any(part.type is SelectorType.CLASS and part.name in names
                       for part in selectors):
                continue
            start = len(selectors) - 1
            while start > 0 and selectors[start].combinator is CombinatorType.SAME:
                start -= 1
            found.append(tuple(selectors[start:]))
    _STYLED_BY[names] = (rules, tuple(found))
    return tuple(found)


def _may_select(compounds: tuple[tuple[Selector, ...], ...], node: DOMNode) -> bool:
    """Whether any of ``compounds`` may select ``node``: by its id and type only (classes and
    pseudo-classes change, so they count as matching: restyling one node too many costs time,
    one too few a wrong layout)."""
    names = {base.__name__ for base in type(node).__mro__}
    for compound in compounds:
        if all((part.type is not SelectorType.ID or part.name == node.id)
               and (part.type is not SelectorType.TYPE or part.name in names)
               for part in compound):
            return True
    return False
