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
import re
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
_UNSAFE = re.compile("[" + re.escape("".join(sorted(TERMINAL_UNSAFE))) + "]")


def clean(text: str) -> str:
    """``text`` with every character of TERMINAL_UNSAFE (controls but newline and tab, bidi
    overrides and isolates) made visible and harmless."""
    if text.isprintable() or _UNSAFE.search(text) is None:
        # The usual cases, checked in C: the same object back (a newline or a tab is not
        # "printable", and is kept), so ``clean_tree`` keeps a clean lesson as it is.
        return text
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
    if type(value) in _ATOMS:
        return value  # (most of a lesson: its data's numbers)
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, tuple):
        items = tuple(clean_tree(item) for item in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, list):
        items = [clean_tree(item) for item in value]
        return value if all(a is b for a, b in zip(items, value)) else items
    names = _init_fields(type(value))
    if names:
        changes = {}
        for name in names:
            old = getattr(value, name)
            new = clean_tree(old)
            if new is not old:
                changes[name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


# Values with no string inside, passed over at once.
_ATOMS = frozenset({int, float, bool, complex, bytes, type(None)})
# The fields ``dataclasses.replace`` takes, per dataclass type (None: not a dataclass), looked
# up once per type, not at every value: the picker cleans every lesson of the catalogue at each
# start, a walk of a few hundred values per lesson.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _init_fields(kind: type) -> tuple[str, ...] | None:
    try:
        return _FIELDS[kind]
    except KeyError:
        pass
    names = None
    if dataclasses.is_dataclass(kind):
        names = tuple(field.name for field in dataclasses.fields(kind) if field.init)
    _FIELDS[kind] = names
    return names
