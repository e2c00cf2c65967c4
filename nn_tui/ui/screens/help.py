"""The help screen: every key, generated from the screens' ``BINDINGS``, and what each pane
shows.

A key's line is its binding's tooltip (or, without one, its description): a key added to a
screen appears here without retyping it. Bindings in a row with the same tooltip share a line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Markdown

from nn_tui.ui.commands import AppCommands

# How the help writes keys that are not one printable character.
KEY_NAMES = {
    "right": "→", "left": "←", "up": "↑", "down": "↓", "plus": "+", "minus": "−",
    "space": "space",
    "enter": "Enter", "escape": "Escape", "home": "Home", "end": "End", "tab": "Tab",
    "pageup": "PgUp", "pagedown": "PgDn",
}

# Keys that are not bindings of ours (Textual's own, or the answer box's), in the lesson table.
OTHER_KEYS = (
    ("↑ / ↓, PgUp / PgDn", "scroll the pane that has the focus (click it, or Tab to it)"),
    ("← or Escape while \"preparing…\"", "stop preparing that step (stay, or go back to the "
                                          "list)"),
    ("ctrl+p", "command palette: open a lesson, go to a step, hide or show a pane, change "
               "theme"),
)

EXPLORE_INTRO = ("**Explore mode** (e at any step; e or Escape leaves it, and the lesson is "
                 "exactly as it was):")

EXPLORE_PROSE = """\
Every pane redraws from your numbers: a changed number says what it was, "0.7685 (was 0.7311)".
The **Slope** pane (in the Lesson pane's place) shows, for the number p under the cursor, the
loss L before and after your last change, ΔL/Δp, and beside it backpropagation's ∂L/∂p and a
central difference (the gradient check): make the step smaller and ΔL/Δp meets ∂L/∂p. Beside
it, the **output picture** draws what the network answers over the data's range (at 80×24: t
shows it). At a question, explore opens once the question is answered (it would show the number
asked for). An explore step of a lesson opens in explore mode with a task: its goal is checked
after every change, h shows a hint, and reaching it counts like a right answer.
"""

PROSE = """\
**In the answer box** the keys above work while the box is empty. Once you have typed
something, every printable key (n, p, h, r, t, d, q, ?, space, .) types into the box, and ← / → /
Home / End move the text cursor; Enter checks the answer, Escape or Tab leave the box. Out of
the box, typing a digit, ., -, ( or e at a number question puts the cursor back in it.

Answers may be typed as `0.325`, `-2.8e-2`, `1/3` or `.5`, or as the arithmetic that gives
them: `0.325*(1-0.325)`, `0.3250·0.6750`, `e^-1`, `exp(-1)`, `1/(1+e^-1)` (with + − * × · / ^,
parentheses, e, and exp, ln, sqrt, abs, sigmoid); the check shows what it came to. An
answer is right when it agrees with the exact one to about three significant figures (within
5 units of its 4th significant digit), unless the lesson says otherwise. Typing something that
is not a number costs nothing. → moves on from a question you do not want to answer (it counts as
skipped).

## The panes

- **Lesson**: the text of the current step and where you are ("step k of n").
- **Network**: the network as a diagram: inputs, hidden and output nodes with their current
  values, the connections labelled with their weights; the part the step is about is highlighted.
- **Weights**: every weight matrix W and bias b. After an update: old → new, the change highlighted.
- **Forward pass**: each layer's arithmetic with the numbers plugged in: W·x, + b, then the
  activation applied element by element, revealed layer by layer. After an update: the same
  data through the new weights, worked line by line (z₁ new = W₁ new·x + b₁ new = …), the new
  loss, and each output and the loss old → new (change).
- **Gradients**: the chain-rule factors (∂L/∂ŷ, ∂ŷ/∂z, ∂z/∂w, ...) with their values, and every
  parameter's gradient, revealed from the output backwards.
- **Loss**: the loss value; at a train step, how to start the run, then the epoch counter, a
  progress bar and a live plot of the loss (each curve keyed by its dots when several race).
- **Check**: a question about a number on screen; you type the number or pick a choice.

On a terminal of 120×36 or more every pane is on screen at once. On a smaller one (from 80×24)
the Lesson pane sits above one of the others, chosen for the step (t shows the next), and the Loss
pane or the Check box below them. A question takes the Loss pane's place, except a question about
the training runs: then the Loss pane stays beside it (or, on a small terminal, above it).

The top line names the lesson and says where you are: the step, and the state of the network
(its weights so far, or the epoch a run has reached).

Every number is computed by the engine from the live network; the panes only write it down.

**Notation.** The layer is the subscript, the neuron and the input are in brackets, all counted
from 1: W₂[1,2] is layer 2's weight from input 2 (of that layer) into neuron 1, b₁[2] the bias of
layer 1's neuron 2, z₁[2] and a₁[2] that neuron's sum and output; x₁, x₂ are the inputs and ŷ the
output. A layer with a single weight writes it w₁ (layer 1's weight). Data rows are counted from
1 as well ("row 3"). A number like 4.380e−05 is scientific notation: 4.380 × 10⁻⁵ = 0.0000438
(e−05: move the point 5 places left; e+06: 6 places right); it is used below 0.0001 and from a
million up.

**Worked lines recompute.** Type a worked line's numbers into a calculator as they are shown and
you get its result as it is shown. Where the digits of the d setting would not give it (1 −
0.4621² is 0.7865, but the slope is 0.7864), the line shows its numbers with one more digit at a
time until they do (1 − 0.46212² = 0.7864): a number can have more digits in a worked line than
elsewhere on screen. The same for old → new (change): the two values differ by the change.
"""


def key_label(key: str) -> str:
    """One key as the help writes it: ``question_mark`` → ``?``, ``right`` → ``→``."""
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    character = key_to_character(key)
    return character if character is not None and character.isprintable() else key


def binding_keys(binding: Binding) -> str:
    """A binding's keys as the help writes them: ``right,n`` → ``→ or n``."""
    return " or ".join(key_label(key.strip()) for key in binding.key.split(","))


def key_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """(keys, what they do) for the bindings that have a description, in their order; a run
    of bindings with the same text is one row (``→ / ←``; ``1 … 9`` for a longer run)."""
    groups: list[tuple[str, list[Binding]]] = []
    for binding in bindings:
        if not binding.description:
            continue
        text = binding.tooltip or binding.description
        if groups and groups[-1][0] == text:
            groups[-1][1].append(binding)
        else:
            groups.append((text, [binding]))
    rows = []
    for text, group in groups:
        if len(group) > 3:
            keys = f"{binding_keys(group[0])} … {binding_keys(group[-1])}"
        else:
            keys = " / ".join(binding_keys(binding) for binding in group)
        rows.append((keys, text))
    return rows


def key_table(rows: Sequence[tuple[str, str]]) -> str:
    """A Markdown table of (keys, what they do); ``|`` in a cell is escaped."""
    lines = ["| key | what it does |", "|---|---|"]
    for keys, text in rows:
        cells = (cell.replace("|", "\\|") for cell in (keys, text))
        lines.append("| {} | {} |".format(*cells))
    return "\n".join(lines)


def help_text() -> str:
    """The help, in Markdown: the lesson screen's keys, explore mode's, then the prose."""
    from nn_tui.ui.screens import lesson
    from nn_tui.ui.screens.picker import PickerScreen

    lesson_keys, explore_keys = [], []
    for binding in lesson.LessonScreen.BINDINGS:
        action = binding.action.split("(")[0]
        (explore_keys if action in lesson.EXPLORE_ACTIONS else lesson_keys).append(binding)
    lesson_rows = key_rows(lesson_keys)
    # Textual's own keys and the answer box's go before the last two (? and q) of ours.
    return "\n\n".join([
        "# How to use nn-tui",
        "## Keys",
        key_table([*lesson_rows, *OTHER_KEYS]),
        EXPLORE_INTRO,
        key_table(key_rows(explore_keys)),
        EXPLORE_PROSE.strip(),
        PROSE.strip(),
        "**In the lesson list** (type to filter it):",
        key_table(key_rows(PickerScreen.BINDINGS)),
        "*Escape, ? or q closes this help.*",
    ]) + "\n"


def __getattr__(name: str) -> str:
    # ``HELP``: generated on first use (it imports the lesson screen, which loads NumPy).
    if name == "HELP":
        return help_text()
    raise AttributeError(name)


class HelpScreen(ModalScreen[None]):
    COMMANDS = {AppCommands}
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(help_text())

    def action_close(self) -> None:
        self.dismiss(None)
