"""The Slope pane of explore mode: the selected number's last nudge as a slope, beside the
gradient backpropagation computed and a central difference (the gradient check).

It formats an ``ExploreState`` (built by the lesson screen from ``ExploreSession.readout()``),
computing nothing: the losses, the ratio and the slopes are the model's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input

from nn_tui.engine import Trace
from nn_tui.format.names import subscript
from nn_tui.format.numbers import num
from nn_tui.format.worked import bias_symbol, weight_symbol
from nn_tui.lessons.edits import EditTarget
from nn_tui.lessons.explore import SlopeReadout
from nn_tui.ui.panes.lesson import TextMarkdown
from nn_tui.ui.panes._common import HEADING, MUTED, VALUE, WARNING, Pane, PaneBody

SLOPE_DECIMALS = 6  # slopes are compared to ~1e−6: four decimals would hide the meeting
AGREE = 1e-6


def target_symbol(trace: Trace, target: EditTarget) -> str:
    """The symbol the panes use for an editable number: w₂, W₁[1,2], b₁, x, x₂, y, η; a batch
    row's input as x₂ (row 3)."""
    if target.kind == "W":
        return weight_symbol(trace, target.layer, *target.index)
    if target.kind == "b":
        return bias_symbol(trace, target.layer, target.index[0])
    if target.kind == "learning_rate":
        return "η"
    size = trace.layers[0].W.shape[1] if target.kind == "x" else trace.layers[-1].W.shape[0]
    k = target.index[-1]
    symbol = target.kind if size == 1 else f"{target.kind}{subscript(k + 1)}"
    if len(target.index) == 2:
        rows = trace.rows or tuple(range(len(trace.x)))
        symbol += f" (row {rows[target.index[0]] + 1})"  # counted from 1 on screen
    return symbol


def signed(value: float, decimals: int | None = None) -> str:
    """``+0.1000`` / ``−0.1000``: a change always shows its direction."""
    text = num(value, decimals)
    return text if text.startswith("−") or text in ("nan",) else f"+{text}"


@dataclass(frozen=True)
class ExploreState:
    """What the slope pane shows: the readout, the step size, the edits (symbol, old, new)."""

    readout: SlopeReadout
    symbol: str
    step: str
    changes: tuple[tuple[str, float, float], ...]
    editable_count: int
    position: int  # the cursor's place among the editable numbers (0-based)
    training: bool = False  # a run from the edited network is under way
    # At an explore step: (the task, the goal, whether it is reached, the explanation once it
    # is, the hints asked for); None elsewhere.
    goal: tuple[str, str, bool, str, tuple[str, ...]] | None = None
    # At an explore step: its title and text (Markdown, shown as the Lesson pane shows it),
    # which explore mode would otherwise hide with the Lesson pane.
    title: str = ""
    text: str = ""


def slope_renderable(state: ExploreState, width: int) -> RenderableType:
    """The readout in about eight lines (it shares the Lesson pane's place with the picture)."""
    readout = state.readout
    p = state.symbol
    loss = "L" if readout.loss_path == "loss" else "L after the update"
    lines: list[Text] = []
    parts: list[RenderableType] = []
    if state.title:
        parts.append(Text(state.title, style="bold"))
    if state.text.strip():
        # Lesson text: Markdown as in the Lesson pane, never Rich markup.
        parts.append(TextMarkdown(state.text))
    if state.goal is not None:
        # Lesson text: plain Text, never markup.
        task, goal, reached, explanation, hints = state.goal
        line = Text("Task: ", style=HEADING)
        line.append(task)
        lines.append(line)
        line = Text(f"goal {goal}: ", style=MUTED)
        line.append("✓ reached" if reached else "not yet",
                    style="bold green" if reached else "bold")
        if reached:
            line.append(": that counts as a right answer (Esc leaves explore mode; → then "
                        "goes on)")
        if explanation:
            line.append(f" · {explanation}")
        lines.append(line)
        for number, hint in enumerate(hints, start=1):
            lines.append(Text.assemble((f"Hint {number}: ", "bold"), hint))
    head = Text()
    head.append(f"{p} = ", style="bold")
    head.append(num(readout.value), style=VALUE)
    head.append(f"   step {state.step}", style="bold")
    head.append(f"   ({state.position + 1} of {state.editable_count})", style=MUTED)
    lines.append(head)
    change = readout.change
    if change is None:
        lines.append(Text(f"nudge {p} with + or − to see how {loss} moves", style=MUTED))
    else:
        lines.append(Text.assemble(("last change  ", MUTED),
                                   f"{p} {num(change.before)} → {num(change.after)}   "
                                   f"Δ{p} = {signed(change.delta)}"))
        lines.append(Text.assemble(("             ", MUTED),
                                   f"L {num(change.loss_before)} → {num(change.loss_after)}   "
                                   f"ΔL = {signed(change.loss_delta)}"))
        ratio = change.ratio
        line = Text(f"ΔL/Δ{p} = {signed(change.loss_delta)} / {signed(change.delta)} = ")
        line.append("?" if ratio is None else num(ratio, SLOPE_DECIMALS), style=VALUE)
        lines.append(line)
    if readout.backprop is not None:
        line = Text(f"backprop ∂L/∂{p} at {p} = {num(readout.value)}: ")
        # (Named as the Gradients pane names it, not by its trace path: issue 14.)
        line.append(num(readout.backprop, SLOPE_DECIMALS), style=VALUE)
        lines.append(line)
    else:
        why = ("backprop stops at the weights and inputs: no ∂L/∂y"
               if readout.target.kind == "y" else "backprop gives no ∂/∂η (η is not in L)")
        lines.append(Text(why, style=MUTED))
    central = Text(f"central difference, h = {readout.h:.0e}: ".replace("-", "−"))
    central.append(num(readout.central, SLOPE_DECIMALS), style=VALUE)
    if readout.backprop is not None and math.isfinite(readout.central):
        gap = abs(readout.central - readout.backprop)
        if gap <= AGREE * max(1.0, abs(readout.backprop)):
            central.append(" ✓", style="bold green")
        else:
            central.append(f" ✗ off by {num(gap, 2)}", style=WARNING)
    lines.append(central)
    if change is not None and change.ratio is not None and readout.backprop is not None:
        gap = abs(change.ratio - readout.backprop)
        lines.append(Text(f"ΔL/Δ{p} is {num(gap, 2)} off; [ shrinks the step", style=MUTED))
    if state.training:
        lines.append(Text("training from your edited network (space pauses)", style=MUTED))
    if state.changes:
        line = Text("changed: ", style=HEADING)
        for number, (symbol, old, new) in enumerate(state.changes):
            if number:
                line.append("   ")
            line.append(f"{symbol} {num(old)} → ")
            line.append(num(new), style=VALUE)
        lines.append(line)
    return Group(*parts, *lines)


class ValueInput(Input):
    """Where Enter types an exact value for the selected number; Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Every printable key types here (the explore keys +, −, 0, [, ], e, w, q included).
        return bool(character and character.isprintable()) or \
            super().check_consume_key(key, character)

    def key_hints(self) -> list[tuple[str, str, str]]:
        """(key, action, description) the key bar shows while this box has the focus."""
        return [("enter", "submit", "Set the value"), ("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.value = ""
        self.display = False
        self.screen.set_focus(None)

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False


class SlopePane(Pane):
    """Explore mode's readout; shown in the Lesson pane's place while exploring."""

    PANE_TITLE = "Slope"

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.state: ExploreState | None = None

    def compose(self) -> ComposeResult:
        # The value box is mounted on the first Enter: most visits only nudge.
        yield PaneBody(id=f"{self.id}-body" if self.id else None)

    def show_state(self, state: ExploreState) -> None:
        """Show ``state`` (nothing is redrawn when it is the one shown)."""
        if state.readout.loss_path == "loss":
            self.border_title = f"Slope of L with respect to {state.symbol}"
        else:
            self.border_title = f"Slope of L after the update, by {state.symbol}"
        if state == self.state:
            return
        self.state = state
        self.body.update(lambda width, height: slope_renderable(state, width), (state,))
        if state.readout.change is not None:
            # The step's text and task come first (read on opening); once the learner nudges,
            # the readout they are watching is kept in view.
            self.call_after_refresh(self._follow_readout)

    def _follow_readout(self) -> None:
        """Scroll as little as keeps the readout (its first line to the central difference)
        in view."""
        if not self.is_attached or not self.query(PaneBody):
            return  # explore mode was left before the refresh: the pane is gone
        state, body = self.state, self.body
        if state is None or not body.size.height:
            return
        texts = [line.text for line in body._lines]
        head = next((i for i, text in enumerate(texts)
                     if f"({state.position + 1} of {state.editable_count})" in text), None)
        end = next((i for i, text in enumerate(texts) if text.lstrip().startswith(
            "central difference")), None)
        if head is None or end is None:
            return
        top, height = round(body.scroll_y), body.size.height
        last = min(end + 1, len(texts) - 1)  # and the "… off; [ shrinks the step" line
        if last >= top + height:
            top = last - height + 1
        top = min(top, head)
        if top != round(body.scroll_y):
            body.scroll_to(y=max(top, 0), animate=False)

    def prerender_state(self, state: ExploreState) -> None:
        self.body.prerender(lambda width, height: slope_renderable(state, width), (state,))

    def show(self, view) -> None:  # the lesson screen calls show() on every pane
        self.view = view

    def prerender(self, view) -> None:
        pass

    @property
    def value_input(self) -> ValueInput | None:
        boxes = self.query(ValueInput)
        return boxes.first() if boxes else None

    async def ask_value(self, symbol: str, value: float) -> None:
        """Open the value box for ``symbol`` (now ``value``) and put the cursor in it."""
        box = self.value_input
        if box is None:
            box = ValueInput(id="explore-value", max_length=100)
            await self.mount(box)
        box.value = ""
        box.placeholder = f"{symbol} = ? now {num(value)} (Enter sets it, Escape cancels)"
        box.display = True
        box.focus()
