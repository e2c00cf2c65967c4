"""An explore goal in the panes' names and plain words: ``min(x[0] > 1.09, x[0] < 1.11)`` is
written ``1.09 < x < 1.11``, ``layers[0].W[0][0] > 3`` is ``w₁ > 3``.

The goal is read from its parsed tree (``nn_tui.lessons.expressions``), never from its text:
``min(...)`` of conditions is "all of them" (written with "and"), ``max(...)`` "any of them"
("or"); two bounds on the same value are joined into one range. A trace path is named as the
panes name its number (``nn_tui.format.worked``); a path with no name on screen keeps its text.
"""

from __future__ import annotations

from nn_tui.engine.trace import Trace
from nn_tui.format.names import subscript
from nn_tui.format.worked import a_symbol, bias_symbol, weight_symbol, z_symbol
from nn_tui.lessons.expressions import Expression, source_text

_COMPARISONS = {"<": "<", ">": ">", "<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}
_OPERATORS = {"+": "+", "-": "−", "*": "·", "/": "/", "^": "^"}


def goal_text(expression: Expression, trace: Trace) -> str:
    """``expression`` (a parsed goal, ``explore_goal.parse_goal``) in the panes' names for the
    network of ``trace``: "1.09 < x < 1.11", "w₁ > 3 and w₁ ≤ 3.0011", "ŷ > 0.5"."""
    return _condition(expression.tree, trace, top=True)


def _condition(node: tuple, trace: Trace, top: bool = False) -> str:
    if node[0] == "call" and node[1] in ("min", "max"):
        parts = list(node[2])
        word = " and " if node[1] == "min" else " or "
        if node[1] == "min" and len(parts) == 2:
            joined = _range(parts[0], parts[1], trace)
            if joined is not None:
                return joined
        text = word.join(_condition(part, trace) for part in parts)
        return text if top else f"({text})"
    return _expression(node, trace)


def _bound(node: tuple) -> tuple[tuple, str, float] | None:
    """(the value's node, comparison, number) of "value op number" or "number op value"."""
    if node[0] != "compare":
        return None
    _kind, op, left, right = node
    if right[0] == "number" and left[0] != "number":
        return left, op, right[1]
    if left[0] == "number" and right[0] != "number":
        return right, _FLIPPED[op], left[1]
    return None


def _range(first: tuple, second: tuple, trace: Trace) -> str | None:
    """"low < v < high" for a lower and an upper bound on the same value (None otherwise)."""
    first_bound, second_bound = _bound(first), _bound(second)
    if first_bound is None or second_bound is None or first_bound[0] != second_bound[0]:
        return None
    bounds = [first_bound, second_bound]
    lower = [b for b in bounds if b[1] in (">", ">=")]
    upper = [b for b in bounds if b[1] in ("<", "<=")]
    if len(lower) != 1 or len(upper) != 1:
        return None
    (value, low_op, low), (_value, high_op, high) = lower[0], upper[0]
    name = _expression(value, trace)
    low_sign = "<" if low_op == ">" else "≤"
    high_sign = _COMPARISONS[high_op]
    return f"{_number(low)} {low_sign} {name} {high_sign} {_number(high)}"


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "−")


def _expression(node: tuple, trace: Trace, outer: int = 0) -> str:
    kind = node[0]
    if kind == "number":
        return _number(node[1])
    if kind == "compare":
        return (f"{_expression(node[2], trace, 2)} {_COMPARISONS[node[1]]} "
                f"{_expression(node[3], trace, 2)}")
    if kind == "negate":
        return f"−{_expression(node[1], trace, 4)}"
    if kind == "binary":
        level = 2 if node[1] in "+-" else 3 if node[1] in "*/" else 5
        text = (f"{_expression(node[2], trace, level)} {_OPERATORS[node[1]]} "
                f"{_expression(node[3], trace, level + 1)}")
        return f"({text})" if level < outer else text
    if kind == "call":
        if node[1] in ("min", "max") and all(a[0] in ("compare", "call") for a in node[2]):
            return _condition(node, trace)
        return f"{node[1]}({', '.join(_expression(a, trace) for a in node[2])})"
    name = path_name(_parts(node), trace)
    return name if name is not None else source_text(node)


def _parts(node: tuple) -> tuple | None:
    """("layers", 0, "W", 0, 0) for the path ``layers[0].W[0][0]``; None for anything else."""
    kind = node[0]
    if kind == "name":
        return (node[1],)
    if kind == "field":
        head = _parts(node[1])
        return None if head is None else head + (node[2],)
    if kind == "index" and node[2][0] == "number" and float(node[2][1]).is_integer():
        head = _parts(node[1])
        return None if head is None else head + (int(node[2][1]),)
    return None


def path_name(parts: tuple | None, trace: Trace) -> str | None:
    """The panes' name of the number at trace path ``parts`` (``("layers", 0, "z", 1)`` is
    ``z₁[2]``; ``("after", "loss")`` is "L after the update"); None when it has none."""
    if not parts:
        return None
    if parts[0] == "after":
        name = path_name(parts[1:], trace)
        return None if name is None else f"{name} after the update"
    try:
        return _name(parts, trace)
    except (IndexError, TypeError, ValueError):
        return None


def _name(parts: tuple, trace: Trace) -> str | None:
    depth = len(trace.layers)
    head = parts[0]
    if parts == ("loss",):
        return "L"
    if parts == ("learning_rate",):
        return "η"
    if head in ("x", "y") and len(parts) == 2 and trace.mode == "sample":
        size = trace.layers[0].W.shape[1] if head == "x" else trace.layers[-1].W.shape[0]
        return head if size == 1 else f"{head}{subscript(parts[1] + 1)}"
    if head == "output" and len(parts) == 2 and trace.mode == "sample":
        return a_symbol(trace, depth - 1, parts[1])
    if head == "layers" and len(parts) >= 3:
        layer, field, rest = parts[1], parts[2], parts[3:]
        trace.layers[layer]  # an index out of range names nothing
        if field == "W" and len(rest) == 2:
            return weight_symbol(trace, layer, *rest)
        if field == "b" and len(rest) == 1:
            return bias_symbol(trace, layer, rest[0])
        if field in ("z", "a") and len(rest) == 1 and trace.mode == "sample":
            symbol = z_symbol if field == "z" else a_symbol
            return symbol(trace, layer, rest[0])
    if head == "grads" and len(parts) >= 3:
        layer, field, rest = parts[1], parts[2], parts[3:]
        trace.layers[layer]
        if field == "W" and len(rest) == 2:
            return f"∂L/∂{weight_symbol(trace, layer, *rest)}"
        if field == "b" and len(rest) == 1:
            return f"∂L/∂{bias_symbol(trace, layer, rest[0])}"
        if trace.mode != "sample" or len(rest) != 1:
            return None
        z, a = z_symbol(trace, layer, rest[0]), a_symbol(trace, layer, rest[0])
        if field == "dL_dz":
            return f"∂L/∂{z}"
        if field == "dL_da":
            return f"∂L/∂{a}"
        if field == "da_dz" and trace.layers[layer].activation != "softmax":
            return f"∂{a}/∂{z}"
    return None



def goal_words(source: str, trace: Trace) -> str:
    """The goal written in a lesson file (``step.goal``) as ``goal_text`` writes it; the text
    as written when it does not parse (``nn-tui check`` refuses such a lesson)."""
    from nn_tui.lessons.explore_goal import GoalError, parse_goal

    try:
        return goal_text(parse_goal(source), trace)
    except GoalError:
        return source.strip()
