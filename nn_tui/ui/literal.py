"""Lesson text on screen: always literal, never markup, never terminal control.

Everything a lesson file (or a file name, or an error quoting a file) puts on screen passes
through here. Textual reads plain ``str`` as markup in many places (``Static``, ``notify``, the
command palette's hits and help) and neither Rich nor Textual removes ESC from text, so a title
holding ``[/x]`` would crash the tutor and one holding ``ESC ] 2 ; ...`` would retitle the
learner's terminal. The validator refuses control characters in lesson files; this is the
second line of defence for whatever reaches the UI by another road (file names, messages).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text
from textual.content import Content

from nn_tui.lessons.errors import BIDI_CONTROLS, TERMINAL_UNSAFE

# C0 controls become their visible "control picture" (ESC shows as ␛); newline and tab are
# kept (they lay text out); DEL and the C1 controls become the replacement character.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
_PICTURES[0x7F] = "\u2421"
_PICTURES.update({code: "\ufffd" for code in range(0x80, 0xA0)})
# Bidi overrides and isolates would reorder what the terminal draws: the replacement character.
_PICTURES.update({ord(char): "\ufffd" for char in BIDI_CONTROLS})
# Every character never sent raw to the terminal (one shared definition) has a picture here.
assert {chr(code) for code in _PICTURES} == TERMINAL_UNSAFE


def clean(text: str) -> str:
    """``text`` with every character of TERMINAL_UNSAFE (controls but newline and tab, bidi
    overrides and isolates) made visible and harmless."""
    if text.isprintable():
        return text  # the usual case, checked in C
    return text.translate(_PICTURES)


def literal(text: object, style: str = "") -> Text:
    """A Rich ``Text`` showing ``text`` exactly as written (no markup, no control bytes)."""
    return Text(clean(str(text)), style=style)


def content(text: object) -> Content:
    """A Textual ``Content`` showing ``text`` literally (for APIs that would parse a str)."""
    return Content(clean(str(text)))


def clean_tree(value: Any) -> Any:
    """A copy of ``value`` with every string inside (dataclass fields, tuples, lists) cleaned.

    Returns ``value`` itself when nothing needed cleaning, so clean lessons cost one walk.
    """
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, tuple):
        items = tuple(clean_tree(item) for item in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, list):
        items = [clean_tree(item) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            old = getattr(value, field.name)
            new = clean_tree(old)
            if new is not old:
                changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value

