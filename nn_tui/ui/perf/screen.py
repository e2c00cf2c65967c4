"""Screen-level speed workarounds (see the package docstring for the figures)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping
from weakref import WeakKeyDictionary

from textual.css.model import CombinatorType, Selector, SelectorType
from textual.css.stylesheet import Stylesheet
from textual.dom import DOMNode
from textual.events import ScreenResume
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class FirstResumeStyledScreen(Screen):
    """A screen that skips the restyle of itself, whole, that Textual makes every time a screen
    becomes the current one, the first time: a screen just pushed was styled as it mounted, and
    nothing styles it differently in between (a class that changes restyles what it selects by
    itself). That restyle was ~1/3 of the style work of opening a lesson (60 of its 178 style
    applications at 120×40; CPU of opening fruit in a Pilot app: 112–116 ms → 100 ms). Later
    resumes (back from a dialog, the help, a lesson) restyle as Textual does.
    """

    _resumed = False

    def on_screen_resume(self, event: ScreenResume) -> None:
        """Handlers run subclass first: this runs before Textual's, which reads the flag."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False


class QuietFocusScreen(FirstResumeStyledScreen):
    """A screen that does not repaint itself whole when the focus moves.

    ``Screen.focused`` repaints the screen on every change: at a question the focus moves into
    the answer box and out again, and that repaint made every question step cost twice as much
    to draw (step latency). Nothing such a screen draws may depend on the focus other than the
    ``:focus`` styles, which restyle their own widgets.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


def breakpoints_from_start(screen: Screen) -> None:
    """Give ``screen`` (being made, not yet mounted) the breakpoint classes of the terminal's
    size now, as Textual gives them at its first Resize.

    Textual sets them only on that Resize, after the first layout: a screen whose layout
    follows them (the lesson screen's pane grid, the picker) was laid out first without them,
    every pane rendered its content at a width it never showed, and the classes then restyled
    the whole screen (10-20 % of the CPU of opening a lesson). Set here, before the screen's
    styles are first applied, the Resize finds them in place and changes nothing; a terminal
    resized in between still gets its own classes then. Outside a running app (no size to
    read) nothing is set.
    """
    try:
        app = screen.app
    except RuntimeError:  # Textual's NoActiveAppError (in a private module): no app running
        return
    width, height = app.size
    horizontal = (app.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is None
                  else screen.HORIZONTAL_BREAKPOINTS) or []
    vertical = (app.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is None
                else screen.VERTICAL_BREAKPOINTS) or []
    # As Textual picks them (Screen._on_resize): per direction, the class of the largest
    # threshold the size reaches; every other breakpoint class off.
    classes = {name: False for _threshold, name in horizontal + vertical}
    for dimension, breakpoints in ((width, horizontal), (height, vertical)):
        reached = [entry for entry in breakpoints if dimension >= entry[0]]
        if reached:
            classes[max(reached)[1]] = True
    screen.update_classes(classes, update=False)


def freeze_gc_after_paint(screen: Screen) -> None:
    """After the first paint, move every object alive (modules, widgets, styles: they live as
    long as the screen) out of the garbage collector's reach: a full collection that scanned
    them all paused a step for 40-70 ms (step latency max and p95)."""
    screen.call_after_refresh(gc.freeze)


def set_classes_shallow(node: Widget, classes: Mapping[str, bool],
                        restyle: Iterable[DOMNode] = ()) -> bool:
    """Set ``node``'s classes and restyle only ``node`` and those of ``restyle`` a rule naming
    a changed class may select (returns whether any class changed).

    A class change restyles everything below the node (Textual's ``update_classes``): for the
    pane grid that is every pane's content, the Markdown included, and it cost a few hundred
    milliseconds per step. The rules that use these classes must then style only ``node`` and
    the nodes in ``restyle``. Of those, only the ones such a rule can select are restyled
    (``_styled_by``), and ``node`` only when its rules for the new classes differ from those
    for the old (``_NodeRules``): restyling the grid and its panes at each change of step kind
    cost ~0.8 ms of the step (step p50, benchmarks/tui.py), mostly for nothing (on a large
    terminal the step kinds share the rows).
    """
    changed = frozenset(name for name, on in classes.items() if node.has_class(name) != on)
    if not changed:
        return False
    stylesheet = node.app.stylesheet
    known = _NodeRules.of(stylesheet, node, classes)
    before = known.rules_now(node)
    node.update_classes(classes, update=False)
    key = known.key(node)
    after = known.maps.get(key) if key is not None else None
    if before is None or after is None or before != after:
        # Textual's stylesheet leaves in ``found`` the rules it gave the node (unless they use
        # pseudo-classes it never caches, such as :first-child).
        found: dict = {}
        stylesheet.apply(node, cache=found)
        if key is not None and len(found) == 1:
            known.maps[key] = next(iter(found.values()))
    targets = _styled_by(stylesheet, changed)
    others = [other for other in restyle if _may_select(targets, other)]
    if others:
        stylesheet.update_nodes(others)
    return True


# Pseudo-classes that also set flags on the node when it is styled (hover, focus-within, order
# in the parent): where the node's rules use them it is always restyled.
_FLAGGED = frozenset({"hover", "focus-within", "first-of-type", "last-of-type", "first-child",
                      "last-child", "empty", "odd", "even"})


class _NodeRules:
    """The rules Textual's stylesheet gave a node, per context: its classes, the pseudo-classes
    its rules test on it, and its ancestors' classes (its id and type do not change). Valid
    for one parse of the stylesheet and one set of classes the node may take; a node whose
    rules test pseudo-classes of its ancestors, or ones that set flags, has no key (always
    restyled)."""

    _held: WeakKeyDictionary[DOMNode, _NodeRules] = WeakKeyDictionary()

    def __init__(self, rules: object, names: frozenset[str], own: tuple[str, ...],
                 usable: bool) -> None:
        self.rules = rules
        self.names = names  # the classes the node may take (those set through here)
        self.own = own  # the pseudo-classes its rules test on the node itself
        self.usable = usable
        self.maps: dict[tuple, dict] = {}

    @classmethod
    def of(cls, stylesheet: Stylesheet, node: DOMNode,
           classes: Mapping[str, bool]) -> _NodeRules:
        """The record for ``node`` (a new one when the stylesheet was parsed again or the
        node may take classes it did not before)."""
        rules = stylesheet.rules
        names = frozenset(classes) | node.classes
        held = cls._held.get(node)
        if held is not None and held.rules is rules and names <= held.names:
            return held
        # Every rule that may select the node with any of these classes (as Textual picks
        # them: by the last selector's name) and the pseudo-classes it tests where.
        selector_names = ({"*", f"#{node.id}"} | {f".{name}" for name in names}
                          | {base.__name__ for base in type(node).__mro__})
        own: set[str] = set()
        above: set[str] = set()
        rules_map = stylesheet.rules_map
        for name in selector_names:
            for rule in rules_map.get(name, ()):
                for selector_set in rule.selector_set:
                    selectors = selector_set.selectors
                    start = len(selectors) - 1
                    while start > 0 and selectors[start].combinator is CombinatorType.SAME:
                        start -= 1
                    for position, selector in enumerate(selectors):
                        (own if position >= start else above).update(selector.pseudo_classes)
        held = cls(rules, names, tuple(sorted(own)),
                   usable=not above and own.isdisjoint(_FLAGGED))
        cls._held[node] = held
        return held

    def key(self, node: DOMNode) -> tuple | None:
        """The context of ``node`` now (None: not usable)."""
        if not self.usable:
            return None
        return (node.classes, tuple(node.has_pseudo_class(name) for name in self.own),
                tuple(ancestor.classes for ancestor in node.ancestors))

    def rules_now(self, node: DOMNode) -> dict | None:
        """The rules the node has now, if known."""
        key = self.key(node)
        return self.maps.get(key) if key is not None else None


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
