"""Screen-level speed workarounds (see the package docstring for the figures)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Mapping

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
    """Set ``node``'s classes and restyle only ``node`` and ``restyle`` (returns whether any
    class changed).

    A class change restyles everything below the node (Textual's ``update_classes``): for the
    pane grid that is every pane's content, the Markdown included, and it cost a few hundred
    milliseconds per step. The rules that use these classes must then style only ``node`` and
    the nodes in ``restyle``.
    """
    if all(node.has_class(name) == on for name, on in classes.items()):
        return False
    node.update_classes(classes, update=False)
    node.app.stylesheet.update_nodes([node, *restyle])
    return True
