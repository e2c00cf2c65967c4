"""The numbers of a worked line, kept as an expression: written out and recomputed from one tree.

A worked line "1 − ŷ² = 1 − 0.46212² = 0.7864" shows a result the engine computed from
unrounded numbers. Written with the operands rounded to the display's digits ("1 − 0.4621²")
it would not give the result shown (0.7865 on a calculator). The rule of every worked line:
**recomputing its numbers, as shown, gives its result, as shown.** So each line keeps its
numbers as an ``Expr`` tree; ``fit`` writes the trace's numbers (``Num``) with the display's
``d`` significant digits and, where the line then would not recompute, with one more digit at a
time, until the numbers on screen give the result on screen. Exact numbers (the lesson's inputs
and targets, η, 1, K) are written as they are (``Given``).

The same tree renders the text (``render``) and recomputes it from that text (``recompute``),
so what a test recomputes is what the learner reads. Nothing of the network is computed here:
the value of every line comes from the trace; the tree only recomputes the shown arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Callable, Sequence

from nn_tui.format.numbers import MAX_DECIMALS, current_decimals, num, short

# How close to the edge between two roundings a recomputed result may not be (relative).
EDGE = 1e-12
# Beyond this many terms a sum is shortened to its first two and last terms ("a + b + … + z").
MAX_TERMS = 4


def parse_shown(text: str) -> float:
    """The number a shown text stands for: ``−0.4621`` → −0.4621, ``4.380e−05``, ``∞``,
    ``nan``, ``½``. Raises ValueError for text that is no number."""
    text = text.strip().replace("−", "-")
    if text in ("∞", "-∞"):
        return math.inf if text == "∞" else -math.inf
    if text == "½":
        return 0.5
    return float(text)


class Expr:
    """A node of a line's arithmetic. ``render(d)`` writes it with trace numbers at ``d``
    significant digits; ``recompute(d)`` evaluates what that text says (each number as shown)."""

    def render(self, digits: int, wrap: bool = False) -> str:
        """The text; ``wrap``: a negative number here follows an operator, so is parenthesised."""
        raise NotImplementedError

    def recompute(self, digits: int) -> float:
        """The value of the text ``render(digits)`` writes, from its numbers as shown."""
        raise NotImplementedError

    def operands(self, digits: int) -> list[str]:
        """The numbers the text shows, in reading order (as written, without parentheses)."""
        return []


@lru_cache(maxsize=16384)
def _written(value: float, digits: int) -> tuple[str, float]:
    """(``num(value, digits)``, the number that text stands for): panes redraw the same trace
    numbers at every step, and a line tries them at more than one number of digits."""
    text = num(value, digits)
    return text, parse_shown(text)


@lru_cache(maxsize=1024)
def _given(value: float) -> tuple[str, float] | None:
    """(short text, its number) of an exact number, or None if its short form would round it."""
    written = short(value)
    if not math.isfinite(value):
        return written, value
    number = parse_shown(written)
    return (written, number) if number == value else None


def _wrapped(text: str, wrap: bool) -> str:
    return f"({text})" if wrap and text.startswith("−") else text


@dataclass(frozen=True)
class Num(Expr):
    """A number of the trace, written by the display rule with the line's digits."""

    value: float

    def render(self, digits: int, wrap: bool = False) -> str:
        return _wrapped(_written(float(self.value), digits)[0], wrap)

    def recompute(self, digits: int) -> float:
        return _written(float(self.value), digits)[1]

    def operands(self, digits: int) -> list[str]:
        return [_written(float(self.value), digits)[0]]


@dataclass(frozen=True)
class Given(Expr):
    """An exact number: an input or target of the lesson, η, a count, 1. Written short (``2``,
    ``0.25``); one that its short form would round is written as a trace number is."""

    value: float
    text: str = ""  # a fixed spelling, e.g. "½"

    def _written(self, digits: int) -> tuple[str, float]:
        if self.text:
            return self.text, parse_shown(self.text)
        return _given(float(self.value)) or _written(float(self.value), digits)

    def _text(self, digits: int) -> str:
        return self._written(digits)[0]

    def render(self, digits: int, wrap: bool = False) -> str:
        return _wrapped(self._text(digits), wrap)

    def recompute(self, digits: int) -> float:
        return self._written(digits)[1]

    def operands(self, digits: int) -> list[str]:
        return [self._text(digits)]


@dataclass(frozen=True)
class Sum(Expr):
    """``a + b + c``; more than ``shorten`` terms are written "a + b + … + z" (the hidden terms
    still count, at the same digits)."""

    terms: tuple[Expr, ...]
    shorten: int = MAX_TERMS  # beyond this many terms: about half of them first, then "…"

    def _shown(self) -> tuple[Expr | None, ...]:
        if len(self.terms) > self.shorten:
            head = self.shorten // 2
            return self.terms[:head] + (None,) + self.terms[head + 1 - self.shorten:]
        return self.terms

    def render(self, digits: int, wrap: bool = False) -> str:
        return " + ".join("…" if term is None else term.render(digits, True)
                          for term in self._shown())

    def recompute(self, digits: int) -> float:
        return math.fsum(term.recompute(digits) for term in self.terms)

    def operands(self, digits: int) -> list[str]:
        return [text for term in self._shown() if term is not None
                for text in term.operands(digits)]


@dataclass(frozen=True)
class Sub(Expr):
    """``a − b``."""

    left: Expr
    right: Expr

    def render(self, digits: int, wrap: bool = False) -> str:
        return f"{self.left.render(digits)} − {self.right.render(digits, True)}"

    def recompute(self, digits: int) -> float:
        return self.left.recompute(digits) - self.right.recompute(digits)

    def operands(self, digits: int) -> list[str]:
        return self.left.operands(digits) + self.right.operands(digits)


@dataclass(frozen=True)
class Mul(Expr):
    """``a·b·c`` (``spaced``: ``a · b · c``, the chain rule's factors; its first factor is
    written bare, as a line starts)."""

    factors: tuple[Expr, ...]
    spaced: bool = False

    def render(self, digits: int, wrap: bool = False) -> str:
        dot = " · " if self.spaced else "·"
        return dot.join(factor.render(digits, not (self.spaced and i == 0))
                        for i, factor in enumerate(self.factors))

    def recompute(self, digits: int) -> float:
        return math.prod(factor.recompute(digits) for factor in self.factors)

    def operands(self, digits: int) -> list[str]:
        return [text for factor in self.factors for text in factor.operands(digits)]


@dataclass(frozen=True)
class Div(Expr):
    """``a / b`` (``tight``: ``a/b``, as in "(1/K)")."""

    top: Expr
    bottom: Expr
    tight: bool = False

    def render(self, digits: int, wrap: bool = False) -> str:
        bar = "/" if self.tight else " / "
        return f"{self.top.render(digits)}{bar}{self.bottom.render(digits, True)}"

    def recompute(self, digits: int) -> float:
        return self.top.recompute(digits) / self.bottom.recompute(digits)

    def operands(self, digits: int) -> list[str]:
        return self.top.operands(digits) + self.bottom.operands(digits)


@dataclass(frozen=True)
class Neg(Expr):
    """``−a`` (a minus before a product or a bracket, never before a bare negative number)."""

    inner: Expr

    def render(self, digits: int, wrap: bool = False) -> str:
        return f"−{self.inner.render(digits, True)}"

    def recompute(self, digits: int) -> float:
        return -self.inner.recompute(digits)

    def operands(self, digits: int) -> list[str]:
        return self.inner.operands(digits)


@dataclass(frozen=True)
class Group(Expr):
    """``(a)``, or ``[a]`` with ``square``."""

    inner: Expr
    square: bool = False

    def render(self, digits: int, wrap: bool = False) -> str:
        left, right = "[]" if self.square else "()"
        return f"{left}{self.inner.render(digits)}{right}"

    def recompute(self, digits: int) -> float:
        return self.inner.recompute(digits)

    def operands(self, digits: int) -> list[str]:
        return self.inner.operands(digits)


@dataclass(frozen=True)
class Square(Expr):
    """``a²``."""

    base: Expr

    def render(self, digits: int, wrap: bool = False) -> str:
        return f"{self.base.render(digits, True)}²"

    def recompute(self, digits: int) -> float:
        return self.base.recompute(digits) ** 2

    def operands(self, digits: int) -> list[str]:
        return self.base.operands(digits)


@dataclass(frozen=True)
class Exp(Expr):
    """``e^a`` (the exponent written bare: ``e^−0.8000``)."""

    power: Expr

    def render(self, digits: int, wrap: bool = False) -> str:
        return f"e^{self.power.render(digits)}"

    def recompute(self, digits: int) -> float:
        return math.exp(self.power.recompute(digits))

    def operands(self, digits: int) -> list[str]:
        return self.power.operands(digits)


_FUNCTIONS: dict[str, Callable[..., float]] = {
    "tanh": math.tanh,
    "max": max,
    "ln": math.log,
}


@dataclass(frozen=True)
class Call(Expr):
    """``tanh(a)``, ``max(0, a)``, ``ln(a)``; ``bare``: ``ln a`` (one plain number)."""

    name: str
    args: tuple[Expr, ...]
    bare: bool = False

    def render(self, digits: int, wrap: bool = False) -> str:
        inner = ", ".join(arg.render(digits) for arg in self.args)
        return f"{self.name} {inner}" if self.bare else f"{self.name}({inner})"

    def recompute(self, digits: int) -> float:
        return _FUNCTIONS[self.name](*(arg.recompute(digits) for arg in self.args))

    def operands(self, digits: int) -> list[str]:
        return [text for arg in self.args for text in arg.operands(digits)]


@dataclass(frozen=True)
class IfPositive(Expr):
    """``1 if z > 0 else s``: a slope that is 1 for positive z and ``otherwise`` else."""

    z: Expr
    otherwise: Expr

    def render(self, digits: int, wrap: bool = False) -> str:
        return f"1 if {self.z.render(digits)} > 0 else {self.otherwise.render(digits)}"

    def recompute(self, digits: int) -> float:
        return 1.0 if self.z.recompute(digits) > 0 else self.otherwise.recompute(digits)

    def operands(self, digits: int) -> list[str]:
        return self.z.operands(digits) + self.otherwise.operands(digits)


def agrees(expr: Expr, digits: int, shown: str, show: Callable[[float], str]) -> bool:
    """Whether the text of ``expr`` at ``digits``, recomputed, is ``shown`` when written by
    ``show`` (False where it cannot be recomputed: ln 0, an overflow). A result on the edge
    between two roundings (…75 at three decimals) does not agree: a calculator summing in
    another order, or rounding halves up, could show the other one."""
    try:
        value = expr.recompute(digits)
    except (ArithmeticError, ValueError):
        return False
    if show(value) != shown:
        return False
    if not math.isfinite(value):
        return True
    margin = abs(value) * EDGE
    return show(value - margin) == shown == show(value + margin)


@dataclass(frozen=True)
class Fitted:
    """A line's numbers as written: the text, the digits its trace numbers have, and whether
    that text recomputes to the result shown."""

    text: str
    digits: int
    recomputes: bool


def fit(expr: Expr | None, shown: str, show: Callable[[float], str] | None = None,
        decimals: int | None = None) -> Fitted:
    """Write ``expr`` with as few digits as make it recompute to ``shown`` (the line's result as
    the display writes it, by ``show``; default ``num`` at ``decimals``): the display's
    ``decimals`` (default: the current setting) first, then one more at a time, up to
    MAX_DECIMALS. A text that never recomputes (an overflow) is written at ``decimals``."""
    if decimals is None:
        decimals = current_decimals()
    if expr is None:
        return Fitted("", decimals, True)
    if show is None:
        show = lambda value: num(value, decimals)
    for digits in range(decimals, max(decimals, MAX_DECIMALS) + 1):
        if agrees(expr, digits, shown, show):
            return Fitted(expr.render(digits), digits, True)
    return Fitted(expr.render(decimals), decimals, False)


def terms(items: Sequence[Expr]) -> Expr:
    """One term as itself, several as their Sum."""
    return items[0] if len(items) == 1 else Sum(tuple(items))
