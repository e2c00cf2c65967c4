"""Explore steps: the goal a learner reaches by changing numbers, and what they may change.

An ``explore`` step gives the learner a task ("make the network say 'cancer' for this man") and
a ``goal``: a condition written in the answer language (``nn_tui.lessons.expressions``) over the
trace of the *edited* network, e.g. ``output[0] > 0.5`` or ``after.loss < loss``. Explore mode
recomputes the trace after every edit and asks ``goal_met``; reaching the goal counts like a
right answer. ``editable`` lists the edit paths (``nn_tui.lessons.edits``) the learner may
change; without it, every weight, bias, input, target and η of the step is editable.

Nothing here knows about Textual: the TUI, ``nn-tui check`` and the tests share these functions.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from nn_tui.engine import Network, Trace
from nn_tui.lessons.edits import EditError, EditTarget, apply_edits, editable_targets, parse_target
from nn_tui.lessons.expressions import (
    UNKNOWN,
    AnswerWorkExceeded,
    Expression,
    ExpressionError,
    WorkMeter,
    parse_expression,
)
from nn_tui.lessons.model import Step, StepKind

# What the Lesson pane says under an explore step's task; the same words explain the key in
# explore mode, so they stay right once the mode is wired.
EXPLORE_NOTE = ("*Something to try: press **e** to explore — move to a number, nudge it with "
                "+ and −, and watch every pane answer. The goal is checked after every change.*")

_CONDITIONS = ("<", ">", "<=", ">=", "==", "!=")


class GoalError(ExpressionError):
    """A goal that does not parse, is not a condition, or does not resolve at its step."""


@functools.lru_cache(maxsize=256)
def parse_goal(source: str) -> Expression:
    """The parsed goal ``source``: an expression whose outermost operation is a comparison
    (``output[0] > 0.5``), or ``min``/``max`` of conditions ("all of" / "any of"). Parsed once
    per text (explore mode asks after every nudge); an Expression is immutable.

    Raises GoalError with a message fit for ``nn-tui check``."""
    try:
        expression = parse_expression(source)
    except ExpressionError as error:
        # The expression language speaks of answers; this is a goal.
        message = str(error).replace("an answer ", "a goal ", 1)
        raise GoalError(message.replace("the answer is empty", "the goal is empty", 1)) from None
    if not _is_condition(expression.tree):
        raise GoalError(
            f"{source.strip()!r} is not a condition: a goal compares, e.g. \"output[0] > 0.5\" "
            "or \"loss < 0.1\" (for several at once: min(a > 1, b < 2) is all of them, "
            "max(...) any of them)")
    return expression


def _is_condition(node: tuple) -> bool:
    if node[0] == "compare":
        return node[1] in _CONDITIONS
    if node[0] == "call" and node[1] in ("min", "max"):
        arguments = node[2] if isinstance(node[2], list) else list(node[2:])
        return bool(arguments) and all(isinstance(argument, tuple) and _is_condition(argument)
                                       for argument in arguments)
    return False


def goal_value(step: Step, context: dict[str, Any], meter: WorkMeter | None = None) -> Any:
    """1.0 when ``step``'s goal holds over ``context``, 0.0 when not, UNKNOWN when the context
    does not know the numbers it reads (a validating replay that cut training short).

    ``context`` is what an answer reads: ``StepView.context()`` or ``explore_context``.
    Raises GoalError when the goal does not resolve (an unknown path, an index out of range)."""
    if step.kind != StepKind.EXPLORE:
        raise ValueError(f"a {step.kind} step has no goal")
    expression = parse_goal(step.goal)
    try:
        with np.errstate(all="ignore"):
            value = expression.evaluate(context, meter)
    except (GoalError, AnswerWorkExceeded):
        raise
    except ExpressionError as error:
        raise GoalError(str(error)) from None
    if value is UNKNOWN:
        return UNKNOWN
    return 1.0 if value else 0.0


def goal_met(step: Step, context: dict[str, Any]) -> bool:
    """Whether ``step``'s goal holds over ``context`` (see ``goal_value``). A goal that reads a
    number that overflowed is not met: the evaluator refuses non-finite values, and an edit that
    blows the network up has not reached anything. Raises GoalError for a goal that does not
    resolve at all (which ``nn-tui check`` refuses, so a checked lesson never does)."""
    try:
        return goal_value(step, context) == 1.0
    except GoalError as error:
        if "finite" in str(error):
            return False
        raise


def trace_context(trace: Trace, training: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a goal reads from a trace already computed (explore mode's, after an edit): its
    plain form plus ``training`` (the step's runs, as ``StepView.context()["training"]``)."""
    context = trace.to_dict()
    context["training"] = dict(training or {})
    return context


def explore_context(network: Network, x: np.ndarray, y: np.ndarray, rows: tuple = (),
                    training: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a goal reads for the (edited) ``network`` and traced data ``x``, ``y``: the trace's
    plain form plus ``training`` (see ``trace_context``)."""
    return trace_context(network.trace(x, y, rows=rows), training)


def step_targets(step: Step, network: Network, x: np.ndarray, y: np.ndarray) -> list[EditTarget]:
    """The numbers the learner may change at ``step``, in reading order: an explore step's
    ``editable`` list (canonical, duplicates removed) or, without one and at every other kind
    of step (explore mode is open at any step), every number ``editable_targets`` lists.

    ``x``, ``y``: the data the step traces, ``(inputs,)``/``(outputs,)`` for one row or
    ``(rows, inputs)``/``(rows, outputs)`` in batch mode. Raises EditError for a path that names
    no number of this network and data (``nn-tui check`` refuses such a lesson)."""
    if step.editable is None:
        return editable_targets(network, x, y)
    found: list[EditTarget] = []
    for path in step.editable:
        target = parse_target(path, network, x, y)
        if target not in found:
            found.append(target)
    return found


def editable_problems(step: Step, network: Network, x: np.ndarray,
                      y: np.ndarray) -> list[tuple[str, str]]:
    """(key suffix, message) for each ``editable`` path of ``step`` that names no number of
    ``network`` and the data ``x``, ``y``, or names one an earlier path already named."""
    found: list[tuple[str, str]] = []
    seen: dict[EditTarget, int] = {}
    for index, path in enumerate(step.editable or ()):
        try:
            target = parse_target(path, network, x, y)
        except EditError as error:
            found.append((f"editable[{index}]", f"{path.strip()!r}: {error}"))
            continue
        if target in seen:
            found.append((f"editable[{index}]",
                          f"{path.strip()!r} names {target.path} again (editable[{seen[target]}])"))
        else:
            seen[target] = index
    return found


def lint_goal(step: Step, context: dict[str, Any], network: Network, x: np.ndarray,
              y: np.ndarray, meter: WorkMeter | None = None
              ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(problems, notes) of explore ``step`` at its place in the lesson, keys relative to the
    step (``goal``, ``editable[1]``): each editable path names a number; the goal resolves over
    the step's ``context``; and it is not met already (the learner would have nothing to do).
    A note when the goal reads numbers a cut-short training decides (UNKNOWN)."""
    problems = [(key, message) for key, message in editable_problems(step, network, x, y)]
    notes: list[tuple[str, str]] = []
    try:
        value = goal_value(step, context, meter)
    except GoalError as error:
        problems.append(("goal", str(error)))
        return problems, notes
    if value is UNKNOWN:
        notes.append(("goal", "reads the results of a training run longer than check trains; "
                              "whether it is met at the start was not checked"))
    elif value == 1.0:
        problems.append(("goal", (
            f"{step.goal.strip()!r} already holds with the step's own numbers, so the learner "
            "has nothing to do: ask for something the network does not do yet")))
    return problems, notes


def edited_context(step: Step, network: Network, x: np.ndarray, y: np.ndarray,
                   edits: dict[EditTarget, float], rows: tuple = (),
                   training: dict[str, Any] | None = None) -> dict[str, Any]:
    """``explore_context`` of ``network``, ``x``, ``y`` with ``edits`` applied (copies: the
    arguments are never changed). Raises EditError for an edit ``step`` does not allow."""
    allowed = set(step_targets(step, network, x, y))
    for target in edits:
        if target not in allowed:
            raise EditError(f"{target.path} is not editable at this step")
    edited, x_new, y_new = apply_edits(network, x, y, edits)
    return explore_context(edited, x_new, y_new, rows, training)

