"""Self-check answers: a tiny, safe expression language over trace paths.

An answer is written in a lesson file as text such as ``layers[1].z[0]``, ``grads[0].W[0][0]``,
``after.loss - loss``, ``sign(after.layers[1].W[0][0] - layers[1].W[0][0])`` or ``0.5``. It is
parsed by the recursive-descent parser below into a small tree and evaluated against the plain
data of a trace (``Trace.to_dict()`` plus a few extra roots). Nothing is ever passed to Python's
``eval``: only numbers, paths, + − · / ^, comparisons and the functions in ``FUNCTIONS`` exist.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_EXPRESSION_LENGTH = 500
MAX_DEPTH = 40


class ExpressionError(ValueError):
    """An answer expression that does not parse, or does not resolve against a trace."""


class _Unknown:
    """A number the evaluator is not told (see UNKNOWN)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


# A number whose value is not known (validation trains long runs only in part): it may stand
# for any leaf of a context. Arithmetic, functions and comparisons on it give UNKNOWN, and an
# index that is UNKNOWN gives UNKNOWN without a range check; paths, fields and literal indices
# are still checked, so an answer over it is checked for everything but its value.
UNKNOWN = _Unknown()


class AnswerWorkExceeded(ExpressionError):
    """Evaluating answers read more values than a ``WorkMeter`` allows."""


class WorkMeter:
    """Counts the work of evaluating answers: one unit per path, number, operation and
    function call, and one per value a function reads from a list (``max(history)`` reads every
    entry). Shared by several evaluations, it bounds them together.

    ``limit`` (None: no limit) raises AnswerWorkExceeded once the count would pass it;
    ``cancelled`` is asked every few thousand units and raises ``Cancelled`` when it says so.
    ``measure_only`` makes list functions count their values and return UNKNOWN without
    reading them, so the work of the rest of a file can be measured cheaply.
    """

    CHECK_EVERY = 4096

    class Cancelled(Exception):
        """The ``cancelled`` callback asked to stop."""

    def __init__(self, limit: int | None = None,
                 cancelled: Callable[[], bool] | None = None) -> None:
        self.limit = limit
        self.cancelled = cancelled
        self.count = 0
        self.measure_only = False
        self._next_check = self.CHECK_EVERY

    def add(self, units: int) -> None:
        self.count += units
        if self.limit is not None and self.count > self.limit and not self.measure_only:
            raise AnswerWorkExceeded(f"more than {self.limit:,} values read")
        if self.count >= self._next_check:
            self._next_check = self.count + self.CHECK_EVERY
            if self.cancelled is not None and self.cancelled():
                raise WorkMeter.Cancelled


def _value_count(value: Any) -> int:
    """How many values a list function reads from ``value``: its numbers at every depth, counted
    list by list (a flat list of a million entries costs one ``len``)."""
    if not isinstance(value, list):
        return 1
    if value and isinstance(value[0], list):
        if value[0] and not isinstance(value[0][0], list):  # a matrix: no need to recurse
            return len(value) + sum(len(row) if isinstance(row, list) else 1 for row in value)
        return len(value) + sum(_value_count(item) for item in value)
    return len(value) or 1


def _argument_words(arg: tuple, name: str) -> Callable[[], str]:
    """How a message names argument ``arg`` of function ``name``, written only when needed."""
    return lambda: f"the argument {_quoted(arg)} of {name}()"


def _as_list(value: Any, name: str, argument: str | Callable[[], str],
             meter: WorkMeter | None = None) -> Any:
    """The numbers of ``value`` (a number, or lists of numbers at any depth) as one flat list,
    or UNKNOWN if any of them is. ``argument`` describes it in messages."""
    if not isinstance(value, list) or not value:
        raise ExpressionError(f"{name}() needs a non-empty list of numbers (such as "
                              f"layers[0].a), and {_named(argument)} is {_kind_of(value)}")
    if meter is not None:
        meter.add(_value_count(value))
        if meter.measure_only:
            return UNKNOWN
    flat: list[float] = []
    unknown = False

    def walk(item: Any) -> None:
        nonlocal unknown
        if isinstance(item, list):
            if UNKNOWN in item:  # identity is tested first: a C-speed scan
                unknown = True
                return
            try:
                # A flat list of numbers: a finite sum means every entry is finite (an inf or
                # nan makes the sum inf or nan, or fsum raises), so take the list as it is.
                if math.isfinite(math.fsum(item)):
                    flat.extend(float(sub) for sub in item)
                    return
            except (TypeError, OverflowError, ValueError):
                pass  # nested lists, tables, huge integers: look at each entry
            for sub in item:
                walk(sub)
        elif item is UNKNOWN:
            unknown = True
        elif isinstance(item, (int, float)):
            flat.append(_as_number(item, lambda: f"a value of {_named(argument)}"))
        else:
            raise ExpressionError(
                f"{name}() needs a list of numbers (such as layers[0].a), but {_named(argument)} "
                f"{'hold' if argument == 'its arguments' else 'holds'} {_kind_of(item)}")

    walk(value)
    if unknown:
        return UNKNOWN
    return flat


def _count_numbers(value: Any, argument: str | Callable[[], str]) -> int:
    """How many numbers (or UNKNOWNs) lists ``value`` holds at every depth, as len() counts."""
    if isinstance(value, list):
        return sum(_count_numbers(item, argument) for item in value)
    if value is UNKNOWN or (isinstance(value, (int, float))):
        return 1
    raise ExpressionError(f"len() needs a list of numbers (such as layers[0].a), but "
                          f"{_named(argument)} holds {_kind_of(value)}")


def _kind_of(value: Any) -> str:
    if value is None:  # the trace's null: no loss value with loss = "none"
        return 'null (no value: a lesson with loss = "none" has no loss)'
    if isinstance(value, list):
        return "an empty list" if not value else "a list"
    if isinstance(value, dict):
        keys = ", ".join(list(value)[:8])
        return f"a table (of {keys})" if keys else "a table"
    if isinstance(value, (int, float)) or value is UNKNOWN:
        return "a number"
    return repr(value)


def _finite(value: float, where: str | Callable[[], str]) -> float:
    """``value`` if it is an ordinary number; ExpressionError for inf and nan, which no answer
    can be compared with (and which would make indices and arguments meaningless).
    ``where`` names the value (a callable is called only for the message)."""
    if not math.isfinite(value):
        raise ExpressionError(f"{_named(where)} is {value}, not a finite number")
    return value


def _named(where: str | Callable[[], str]) -> str:
    return where if isinstance(where, str) else where()


def _as_number(value: Any, where: str | Callable[[], str]) -> Any:
    """``value`` as a finite float (UNKNOWN stays UNKNOWN); ExpressionError otherwise."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        try:
            return _finite(float(value), where)
        except OverflowError:  # an int too large for a float
            raise ExpressionError(f"{_named(where)} is too large to be a number") from None
    raise ExpressionError(f"{_named(where)} is {_kind_of(value)}, not a number")


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _safe_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise ExpressionError(f"exp({x:g}) is too large to be a number") from None


# round(x, d) with d beyond this is x itself; bounding it keeps int(d) meaningful.
MAX_ROUND_DIGITS = 20


def _round(x: float, digits: float) -> float:
    if digits != int(digits) or abs(digits) > MAX_ROUND_DIGITS:
        raise ExpressionError(
            f"round() needs a whole number of digits between {-MAX_ROUND_DIGITS} and "
            f"{MAX_ROUND_DIGITS}, not {digits}")
    return float(round(x, int(digits)))


def _ln(x: float) -> float:
    if x <= 0:
        raise ExpressionError(f"ln({x}) is undefined")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0:
        raise ExpressionError(f"sqrt({x}) is undefined")
    return math.sqrt(x)


def _sign(x: float) -> float:
    return float((x > 0) - (x < 0))


# name -> (number of arguments or None for "one list", function)
FUNCTIONS: dict[str, tuple[int | None, Callable[..., float]]] = {
    "abs": (1, abs),
    "sign": (1, _sign),
    "exp": (1, _safe_exp),
    "ln": (1, _ln),
    "log": (1, _ln),
    "sqrt": (1, _sqrt),
    "sigmoid": (1, _sigmoid),
    "relu": (1, lambda x: max(0.0, x)),
    "tanh": (1, math.tanh),
    "round": (2, _round),
    "max": (None, max),
    "min": (None, min),
    "sum": (None, math.fsum),
    "mean": (None, lambda xs: math.fsum(xs) / len(xs)),
    "argmax": (None, lambda xs: float(max(range(len(xs)), key=xs.__getitem__))),
    "argmin": (None, lambda xs: float(min(range(len(xs)), key=xs.__getitem__))),
    "len": (None, lambda xs: float(len(xs))),
}

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|<=|>=|==|!=|[-+*/^()\[\].,<>·−]))"
)


@dataclass(frozen=True)
class Expression:
    source: str
    tree: tuple

    def evaluate(self, context: dict[str, Any], meter: WorkMeter | None = None) -> Any:
        """The value of the expression over ``context`` (plain dicts, lists and numbers).

        Returns UNKNOWN (not a float) only when ``context`` holds UNKNOWN values it depends on.
        ``meter`` counts the work done (and may stop it, see WorkMeter).
        Raises ExpressionError when a path does not resolve, an index or argument is not a
        usable number, or any value met on the way (read or computed) is not finite; the
        message quotes the part of the expression at fault.
        """
        try:
            return _as_number(_evaluate(self.tree, context, meter), f"{self.source!r}")
        except (OverflowError, ValueError, ZeroDivisionError, TypeError,
                RecursionError) as error:
            if isinstance(error, ExpressionError):
                raise
            raise ExpressionError(f"{self.source!r} cannot be computed: {error}") from None

    @property
    def roots(self) -> set[str]:
        """The top-level names this expression reads (``layers``, ``after`` ...)."""
        found: set[str] = set()

        def walk(node: tuple) -> None:
            if node[0] == "name":
                found.add(node[1])
            for child in node[1:]:
                if isinstance(child, tuple):
                    walk(child)
                elif isinstance(child, list):
                    for item in child:
                        walk(item)

        walk(self.tree)
        return found


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[tuple[str, str]] = []
        position = 0
        stripped = source.rstrip()
        while position < len(stripped):
            match = _TOKEN.match(stripped, position)
            if not match or match.end() == position:
                bad = stripped[position:].strip()[:1]
                raise ExpressionError(f"unexpected character {bad!r} in {source!r}")
            kind = match.lastgroup
            assert kind is not None  # every alternative of _TOKEN is a named group
            text = match.group(kind)
            if kind == "op":
                text = {"·": "*", "−": "-", "**": "^"}.get(text, text)
            self.tokens.append((kind, text))
            position = match.end()
        self.index = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next_is(self, text: str) -> bool:
        """Whether the next token is ``text``."""
        token = self.peek()
        return token is not None and token[1] == text

    def take(self, text: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(f"{self.source!r} ends too early")
        if text is not None and token[1] != text:
            raise ExpressionError(f"expected {text!r} but found {token[1]!r} in {self.source!r}")
        self.index += 1
        return token

    def parse(self) -> tuple:
        if not self.tokens:
            raise ExpressionError("the answer is empty")
        tree = self.compare()
        if (token := self.peek()) is not None:
            raise ExpressionError(f"unexpected {token[1]!r} in {self.source!r}")
        return tree

    def _nested(self, parse: Callable[[], tuple]) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"{self.source!r} is nested too deeply")
        try:
            return parse()
        finally:
            self.depth -= 1

    def compare(self) -> tuple:
        left = self.additive()
        token = self.peek()
        if token and token[1] in ("<", ">", "<=", ">=", "==", "!="):
            self.take()
            return ("compare", token[1], left, self.additive())
        return left

    def additive(self) -> tuple:
        node = self.term()
        while (token := self.peek()) and token[1] in ("+", "-"):
            self.take()
            node = ("binary", token[1], node, self.term())
        return node

    def term(self) -> tuple:
        node = self.unary()
        while (token := self.peek()) and token[1] in ("*", "/"):
            self.take()
            node = ("binary", token[1], node, self.unary())
        return node

    def unary(self) -> tuple:
        token = self.peek()
        if token and token[1] in ("-", "+"):
            self.take()
            return self._nested(
                lambda: ("negate", self.unary()) if token[1] == "-" else self.unary())
        return self.power()

    def power(self) -> tuple:
        base = self.postfix()
        if (token := self.peek()) and token[1] == "^":
            self.take()
            return ("binary", "^", base, self._nested(self.unary))
        return base

    def postfix(self) -> tuple:
        node = self.primary()
        while (token := self.peek()) and token[1] in ("[", "."):
            self.take()
            if token[1] == "[":
                index = self._nested(self.compare)
                self.take("]")
                node = ("index", node, index)
            else:
                kind, name = self.take()
                if kind != "name":
                    raise ExpressionError(f"expected a name after '.' in {self.source!r}")
                node = ("field", node, name)
        return node

    def primary(self) -> tuple:
        kind, text = self.take()
        if kind == "number":
            value = float(text)
            if not math.isfinite(value):
                raise ExpressionError(f"the number {text[:30]!r} is too large (not finite)")
            return ("number", value)
        if kind == "name":
            if (token := self.peek()) and token[1] == "(":
                if text not in FUNCTIONS:
                    valid = ", ".join(sorted(FUNCTIONS))
                    raise ExpressionError(f"unknown function {text!r} (known: {valid})")
                self.take("(")
                args: list[tuple] = []
                if not (self.next_is(")")):
                    args.append(self._nested(self.compare))
                    while self.next_is(","):
                        self.take(",")
                        args.append(self._nested(self.compare))
                self.take(")")
                arity = FUNCTIONS[text][0]
                if arity is not None and len(args) != arity:
                    raise ExpressionError(f"{text}() takes {arity} argument(s), got {len(args)}")
                return ("call", text, args)
            return ("name", text)
        if text == "(":
            node = self._nested(self.compare)
            self.take(")")
            return node
        raise ExpressionError(f"unexpected {text!r} in {self.source!r}")


def parse_expression(source: str) -> Expression:
    if not isinstance(source, str):
        raise ExpressionError("an answer must be text")
    if len(source) > MAX_EXPRESSION_LENGTH:
        raise ExpressionError(f"an answer is limited to {MAX_EXPRESSION_LENGTH} characters")
    return Expression(source, _Parser(source).parse())


_PRECEDENCE = {"compare": 1, "+": 2, "-": 2, "*": 3, "/": 3, "negate": 4, "^": 5}


def _source(node: tuple, outer: int = 0) -> str:
    """The expression text of ``node`` (spacing and number forms normalised), to quote in
    messages: ``layers[1].z[0]``, ``2 * loss``, ``sum(1e+308, 1e+308)``."""
    kind = node[0]
    if kind == "number":
        return f"{node[1]:g}"
    if kind == "name":
        return node[1]
    if kind == "field":
        return f"{_source(node[1], 9)}.{node[2]}"
    if kind == "index":
        return f"{_source(node[1], 9)}[{_source(node[2])}]"
    if kind == "call":
        return f"{node[1]}({', '.join(_source(arg) for arg in node[2])})"
    if kind == "negate":
        text, level = f"-{_source(node[1], 4)}", 4
    else:  # binary, compare
        level = _PRECEDENCE["compare" if kind == "compare" else node[1]]
        # ^ groups to the right, the others to the left: parenthesise the other side.
        left_level, right_level = (level + 1, level) if node[1] == "^" else (level, level + 1)
        text = f"{_source(node[2], left_level)} {node[1]} {_source(node[3], right_level)}"
    return f"({text})" if level < outer else text


def source_text(node: tuple) -> str:
    """The expression text of a parsed ``node`` (``Expression.tree`` or a part of it), with
    spacing and number forms normalised: ``layers[1].z[0]``, ``2 * loss``."""
    return _source(node)


def _quoted(node: tuple) -> str:
    text = _source(node)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def _evaluate(node: tuple, context: dict[str, Any], meter: WorkMeter | None = None) -> Any:
    if meter is not None:
        meter.add(1)
    kind = node[0]
    if kind == "number":
        return node[1]
    if kind == "name":
        if node[1] not in context:
            raise ExpressionError(f"unknown name {node[1]!r} (known: {', '.join(sorted(context))})")
        return context[node[1]]
    if kind == "field":
        container = _evaluate(node[1], context, meter)
        if not isinstance(container, dict) or node[2] not in container:
            keys = ", ".join(container) if isinstance(container, dict) else ""
            hint = f" (it has: {keys})" if keys else ""
            raise ExpressionError(f"{_source(node[1])} has no field {node[2]!r}{hint}")
        return container[node[2]]
    if kind == "index":
        container = _evaluate(node[1], context, meter)
        position = _as_number(_evaluate(node[2], context, meter),
                              lambda: f"the index {_quoted(node[2])}")
        if not isinstance(container, list):
            raise ExpressionError(f"{_source(node[1])} is not a list, so it cannot be indexed")
        if position is UNKNOWN:
            return UNKNOWN  # which entry is not known, so neither is whether it exists
        if position != math.floor(position):
            raise ExpressionError(f"index {position:g} of {_source(node[1])} is not a whole number")
        position = int(position)
        if not -len(container) <= position < len(container):
            raise ExpressionError(
                f"index {position} is out of range: {_source(node[1])} has {len(container)} items"
            )
        return container[position]
    if kind == "negate":
        value = _as_number(_evaluate(node[1], context, meter), lambda: _quoted(node[1]))
        return value if value is UNKNOWN else -value
    if kind == "binary":
        left = _as_number(_evaluate(node[2], context, meter), lambda: _quoted(node[2]))
        right = _as_number(_evaluate(node[3], context, meter), lambda: _quoted(node[3]))
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        op = node[1]
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        elif op == "/":
            if right == 0:
                raise ExpressionError(f"division by zero in {_quoted(node)}: "
                                      f"{_quoted(node[3])} is 0")
            result = left / right
        else:
            try:
                result = left**right
            except (OverflowError, ZeroDivisionError, TypeError) as error:
                raise ExpressionError(f"{_quoted(node)} ({left:g} ^ {right:g}) cannot be "
                                      "computed") from error
            if isinstance(result, complex):
                raise ExpressionError(f"{_quoted(node)} ({left:g} ^ {right:g}) is not a real "
                                      "number")
        return _finite(float(result), lambda: f"{_quoted(node)} ({left:g} {op} {right:g})")
    if kind == "compare":
        left = _as_number(_evaluate(node[2], context, meter), lambda: _quoted(node[2]))
        right = _as_number(_evaluate(node[3], context, meter), lambda: _quoted(node[3]))
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        result = {
            "<": left < right, ">": left > right, "<=": left <= right,
            ">=": left >= right, "==": left == right, "!=": left != right,
        }[node[1]]
        return 1.0 if result else 0.0
    if kind == "call":
        name = node[1]
        arity, function = FUNCTIONS[name]
        values = [_evaluate(arg, context, meter) for arg in node[2]]
        if arity is None:
            argument = (lambda: _quoted(node[2][0])) if len(node[2]) == 1 else "its arguments"
            items = values[0] if len(values) == 1 and isinstance(values[0], list) else values
            if name == "len" and isinstance(items, list) and items:
                # How many numbers, not which: known even when they are not.
                if meter is not None:
                    meter.add(_value_count(items))
                return float(_count_numbers(items, argument))
            numbers = _as_list(items, name, argument, meter)
            if numbers is UNKNOWN:
                return UNKNOWN
            try:
                result = function(numbers)
            except OverflowError:
                raise ExpressionError(f"{_quoted(node)} overflows: its result is too large to "
                                      "be a number") from None
        else:
            numbers = [_as_number(value, _argument_words(arg, name))
                       for value, arg in zip(values, node[2])]
            if UNKNOWN in numbers:
                return UNKNOWN
            result = function(*numbers)
        return _finite(float(result), lambda: _quoted(node))
    raise ExpressionError(f"cannot evaluate {kind}")  # pragma: no cover - parser never builds it


# Each part of a number can be matched in only one way (no nested or adjacent repeats over the
# same characters), so matching is linear in the length; the length limit bounds it further.
_UNSIGNED = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_LEARNER_NUMBER = re.compile(
    rf"\s*(?P<sign>[-+]?)\s*(?P<num>{_UNSIGNED})(?:\s*/\s*(?P<den>{_UNSIGNED}))?\s*"
)
# No honest answer is longer; anything longer is "not a number" without being looked at. It
# also bounds the work of an arithmetic answer: at most this many numbers and operations, each
# a single float operation (``9^9^9^9`` overflows at once and is refused, it is never computed
# as an integer).
MAX_LEARNER_NUMBER_LENGTH = 100
# What a learner's arithmetic may name: the constant e and these functions of one number. No
# trace path: an answer box that read ``output[0]`` would give the answer away. (None starts
# with a letter the lesson screen takes from an empty answer box, n p h r t d q: tanh and relu
# could not be typed first.)
LEARNER_CONSTANTS = {"e": math.e}
LEARNER_FUNCTIONS = frozenset({"exp", "ln", "log", "sqrt", "abs", "sigmoid"})
# Signs a keyboard may type for minus and times, read as - and *.
_LEARNER_SYMBOLS = str.maketrans({"−": "-", "×": "*", "⋅": "*", "∙": "*", "·": "*"})


@dataclass(frozen=True)
class LearnerAnswer:
    """A learner's typed answer: its ``value``, and whether it was ``arithmetic`` (more than a
    plain number: ``1/3``, ``0.325*(1-0.325)``, ``e^-1``), whose value is then worth showing."""

    value: float
    arithmetic: bool


def parse_learner_answer(text: str) -> LearnerAnswer | None:
    """A number or a piece of arithmetic typed by a learner, evaluated.

    Numbers: ``0.325``, ``-2.8e-2``, ``.5``, ``−0.7`` (Unicode minus), ``1/3``. Arithmetic: ``+ -
    * / ^`` (also ``**``, ``×``, ``·``), parentheses, the constant ``e`` and the functions in
    ``LEARNER_FUNCTIONS``: ``0.325*(1-0.325)``, ``0.3250·0.6750``, ``e^-1``, ``exp(-1)``,
    ``1/(1+e^-1)``. Evaluated by this module's parser, never by ``eval``.

    Returns None for anything else: other names (trace paths such as ``output[0]``),
    comparisons, two signs in a row (``--1``, a slip), a division by zero, a result or a step
    that is not a finite real number, text longer than ``MAX_LEARNER_NUMBER_LENGTH``, so the
    caller can say "that is not a number" without counting an attempt. The work is bounded by
    the length limit (see there).
    """
    if not isinstance(text, str) or len(text) > MAX_LEARNER_NUMBER_LENGTH:
        return None
    text = text.translate(_LEARNER_SYMBOLS)
    match = _LEARNER_NUMBER.fullmatch(text)
    if match:
        value = _plain_number(match)
        return None if value is None else LearnerAnswer(value, match.group("den") is not None)
    try:
        parser = _Parser(text)
        kinds = [token for _kind, token in parser.tokens]
        if any(first in "+-" and second in "+-" for first, second in zip(kinds, kinds[1:])):
            return None
        tree = parser.parse()
        if not _learner_tree(tree):
            return None
        value = Expression(text, tree).evaluate(dict(LEARNER_CONSTANTS))
    except ExpressionError:
        return None
    return LearnerAnswer(value, True)


def _learner_tree(node: tuple) -> bool:
    """Whether ``node`` is plain arithmetic a learner may type (see parse_learner_answer)."""
    kind = node[0]
    if kind == "number":
        return True
    if kind == "name":
        return node[1] in LEARNER_CONSTANTS
    if kind == "negate":
        return _learner_tree(node[1])
    if kind == "binary":
        return _learner_tree(node[2]) and _learner_tree(node[3])
    if kind == "call":
        return node[1] in LEARNER_FUNCTIONS and all(_learner_tree(arg) for arg in node[2])
    return False  # paths (field, index) and comparisons


def _plain_number(match: re.Match) -> float | None:
    try:
        value = float(match.group("num"))
        if match.group("den") is not None:
            denominator = float(match.group("den"))
            if denominator == 0:
                return None
            value /= denominator
    except (OverflowError, ValueError):
        return None
    if match.group("sign") == "-":
        value = -value
    return value if math.isfinite(value) else None


def parse_learner_number(text: str) -> float | None:
    """The value of a learner's typed answer (``parse_learner_answer``), or None when it is not
    a number nor arithmetic the answer box takes."""
    answer = parse_learner_answer(text)
    return None if answer is None else answer.value
