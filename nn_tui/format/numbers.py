"""How numbers are written on screen and in the CLI's worked text.

One rule for every magnitude, with ``d`` "significant decimals" (4 by default; the tutor's ``d``
key cycles 4 → 6 → 9, the CLI takes ``--decimals``):

- from 0.1 up to a million: fixed notation with ``d`` decimals (``0.3250``, ``12.3450``), so
  columns line up and every number shows at least ``d`` significant digits;
- below 0.1, down to 0.0001: fixed notation with as many decimals as ``d`` significant digits
  need (``0.08214``, ``0.0004380``): never fewer significant digits than larger numbers get;
- below 0.0001 (more than three zeros after the point) and from a million up: scientific
  notation with the same ``d`` significant digits (``4.380e−05``, ``1.235e+06``);
- 0 and −0.0 are ``0.0000`` (no "−0.0000"), infinities ``∞``/``−∞`` and not-a-number ``nan``;
- every minus sign is a real minus, ``−``.

So a number is never shown with fewer than ``d`` significant digits, and the answer a check
expects, written this way, is always within the default tolerance (``lessons.grading``).
"""

from __future__ import annotations

import math
from typing import Iterable

DECIMALS = 4
# What the tutor's key cycles through (the first is the default).
DECIMAL_CHOICES = (4, 6, 9)
MIN_DECIMALS = 1
MAX_DECIMALS = 15
# Fixed notation from SMALL (up to three zeros after the point) below LARGE; scientific outside.
SMALL = 1e-4
LARGE = 1e6
_settings = {"decimals": DECIMALS}


def use_decimals(decimals: int) -> None:
    """How many significant decimals ``num`` writes from now on (clamped to 1–15); set by
    ``nn-tui trace --decimals`` and the tutor's ``d`` key."""
    _settings["decimals"] = max(MIN_DECIMALS, min(int(decimals), MAX_DECIMALS))


def current_decimals() -> int:
    """The significant decimals ``num`` writes when not told (see ``use_decimals``)."""
    return _settings["decimals"]


def next_decimals(decimals: int) -> int:
    """The setting after ``decimals`` in DECIMAL_CHOICES (4 → 6 → 9 → 4); a value not among
    them goes to the next larger choice, or back to the first."""
    for choice in DECIMAL_CHOICES:
        if choice > decimals:
            return choice
    return DECIMAL_CHOICES[0]


def num(value: float, decimals: int | None = None) -> str:
    """``value`` with ``decimals`` significant decimals (default: the current setting), by the
    rule of the module doc: ``0.3250``, ``−0.7311``, ``0.0004380``, ``4.380e−05``,
    ``1.235e+06``, ``0.0000``, ``∞``, ``nan``."""
    if decimals is None:
        decimals = _settings["decimals"]
    value = float(value)
    magnitude = abs(value)
    if 0.1 <= magnitude < LARGE / 10:  # the common case first: panes write thousands of these
        return f"{value:.{decimals}f}".replace("-", "−")
    if magnitude == 0:
        return f"{0.0:.{decimals}f}"  # -0.0 too: a zero has no sign on screen
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    scientific = f"{value:.{decimals - 1}e}"
    # The exponent after rounding: 0.099996 at 4 digits is 1.000e−01, written 0.1000.
    exponent = int(scientific[scientific.index("e") + 1:])
    # (Decided on the rounded exponent, so 999999.99996 is 1.000e+06, not 1000000.0000.)
    if SMALL <= 10.0**exponent < LARGE:
        return f"{value:.{max(decimals, decimals - 1 - exponent)}f}".replace("-", "−")
    return scientific.replace("-", "−")


def short(value: float) -> str:
    """A compact form for inputs and literals from the lesson file: ``2.0`` stays ``2``,
    ``0.25`` stays ``0.25``; scientific as ``num`` writes it (``1e−05``, ``2.5e+07``)."""
    value = float(value)
    if not math.isfinite(value):
        return num(value)  # int(∞) would raise: ∞ and nan are written as num writes them
    if value == int(value) and abs(value) < 10**6:
        return str(int(value)).replace("-", "−")
    return f"{value:g}".replace("-", "−")


def vector(values: Iterable[float], decimals: int | None = None) -> str:
    """``[0.3250, −0.7311]``: each entry as ``num`` writes it."""
    return "[" + ", ".join(num(v, decimals) for v in values) + "]"


def parenthesised(text: str) -> str:
    """A number written after an operator: a negative one in parentheses, ``(−1.0000)``."""
    return f"({text})" if text.startswith("−") else text


def signed_term(value: float, decimals: int | None = None) -> str:
    """``num(value)``, in parentheses when negative (a term after an operator)."""
    return parenthesised(num(value, decimals))
