"""Grading a typed answer: the default tolerance and the verdict, in one place.

The check widget only shows what ``grade`` decides; the session supplies the answer and the
tolerance (a lesson's ``tolerance`` key, else ``default_tolerance``).

The default tolerance follows the digits the tutor shows. Every number on screen has at least
``DISPLAYED_DIGITS`` (4) significant digits (``format.numbers``), so the answer as shown is within
half a unit of its 4th significant digit. A learner who multiplies numbers read off the panes
(``0.1384*0.5933``) carries each one's rounding into the product: a few units of the 4th digit.
So the default accepts ``TOLERANCE_UNITS`` (5) units of the answer's 4th significant digit
(half a unit of its 3rd: the answer right to three significant figures), between 0.05 % and
0.5 % of the answer. It scales with the answer however small it is, so 0 and the answer with
the wrong sign are never accepted (unless the answer is 0, when only ``ABSOLUTE_FLOOR`` is
allowed, float noise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DISPLAYED_DIGITS = 4
TOLERANCE_UNITS = 5
# Far below any number a lesson asks about (the engine's float64 noise on values of order 1 is
# about 1e-16); an answer below it is 0 as far as a learner can tell.
ABSOLUTE_FLOOR = 1e-12


def digit_unit(value: float, digits: int = DISPLAYED_DIGITS) -> float:
    """One unit in the ``digits``-th significant digit of ``value``: 1e-4 for 0.3250, 1e-7 for
    0.0004380, 0.001 for 1.234. ``value`` must be finite and non-zero (ValueError otherwise)."""
    magnitude = abs(float(value))
    if magnitude == 0 or not math.isfinite(magnitude):
        raise ValueError(f"{value!r} has no significant digits")
    exponent = math.floor(math.log10(magnitude))
    # log10 may land a hair off at exact powers of ten: the leading digit decides. (10**309
    # would overflow; no float reaches it.)
    if 10.0**exponent > magnitude:
        exponent -= 1
    elif exponent < 308 and 10.0**(exponent + 1) <= magnitude:
        exponent += 1
    return 10.0**(exponent - digits + 1)


def default_tolerance(answer: float) -> float:
    """How far a typed number may be from ``answer`` when the lesson gives no ``tolerance``:
    TOLERANCE_UNITS units of the answer's 4th significant digit, never below ABSOLUTE_FLOOR
    (see the module doc). Raises ValueError if ``answer`` is not finite."""
    answer = float(answer)
    if not math.isfinite(answer):
        raise ValueError(f"the answer {answer!r} is not a finite number")
    if answer == 0:
        return ABSOLUTE_FLOOR
    return max(TOLERANCE_UNITS * digit_unit(answer), ABSOLUTE_FLOOR)


@dataclass(frozen=True)
class Grade:
    """The verdict on a typed number: ``correct``, and for a wrong one ``closeness``, how far
    off it is in words that guide without giving the number away."""

    correct: bool
    closeness: str = ""


def closeness(given: float, expected: float) -> str:
    """How far ``given`` is from ``expected``, in words ("The sign is wrong", "Close: too low
    by less than a quarter of the answer" ...) that do not give the number away. Distances are
    stated relative to the answer's size, never as a bare fraction that could be read as a
    number ("less than a quarter" alone reads as "less than 0.25")."""
    if expected != 0 and given != 0 and (given > 0) != (expected > 0):
        return "The sign is wrong"
    direction = "too high" if given > expected else "too low"
    scale = abs(expected) if expected else 1.0
    relative = abs(given - expected) / scale
    if relative <= 0.05:
        return f"Very close, but a little {direction} (check your rounding)"
    if relative <= 0.25:
        return f"Close: {direction} by less than a quarter of the answer (under 25%)"
    if relative <= 1.0:
        return f"Not quite: {direction}"
    return f"Far off: {direction} by more than the answer itself"


def grade(typed: float, answer: float, tolerance: float) -> Grade:
    """Whether the learner's number ``typed`` is within ``tolerance`` of ``answer`` (both
    finite; the tolerance absolute, > 0), and if not, how far off it is."""
    if abs(typed - answer) <= tolerance:
        return Grade(True)
    return Grade(False, closeness(typed, answer))


# Choices are exact values (0, 1, 2...); an answer within this of one picks it.
CHOICE_TOLERANCE = 1e-9
