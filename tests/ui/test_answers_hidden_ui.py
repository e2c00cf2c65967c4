"""No check's answer is on screen before the learner answers it.

The walk through every step of every bundled lesson (tests/ui/test_layout_fit_v2.py, one app
per lesson, a fresh home) reads the whole screen at 120×40 at each numeric check (every pane,
the lesson text, the Check box with its prompt) with :func:`find_answer`. The answer, written as
the panes write it (``num`` at 4 significant digits, with either minus sign) and, when it has
three or more significant digits, its short form without trailing zeros, must not be there.

A number can be on screen for another reason: an answer that is a round number equal to one of
the network's given parameters (the sum 0.8 while W₁[2,2] = 0.8). Those are listed in
COINCIDENCES with the reason, by lesson and step title.
"""

from __future__ import annotations

import re

from nn_tui.format.numbers import num

# (lesson id, check title): why the answer's digits are on screen without giving it away.
COINCIDENCES = {
    ("fruit", "Your turn: the first hidden sum"):
        "z₁[1] = 0.8 while the given weight W₁[2,2] is also 0.8000",
    ("activations", "Predict: the bent network at x = −2"):
        "the answer −2 equals the given bias b −2.0000",
    ("slopes", "Your turn: nudge ReLU to the right"):
        "the slope 1 equals the given weight w₁ 1.0000",
    ("single-neuron", "Your turn: the dot product"):
        "z = 1 while the network's given bias is −1.0000 and weights are round",
}


def answer_forms(value: float) -> set[str]:
    """The ways a learner would recognise ``value`` on screen."""
    shown = num(value, 4)
    forms = {shown, shown.replace("−", "-")}
    short = shown.rstrip("0").rstrip(".") if "." in shown and "e" not in shown else shown
    if len(re.sub(r"[^\d]", "", short).lstrip("0")) >= 3:
        forms |= {short, short.replace("−", "-")}
    return forms


def find_answer(text: str, value: float) -> str | None:
    """The screen line that shows ``value`` in one of its forms, or None. A form counts only as
    a whole number: not inside a longer one, and not as the digits of its own negative."""
    for form in sorted(answer_forms(value), key=len, reverse=True):
        before = r"(?<![\d.])" if form[0] in "−-" else r"(?<![\d.−-])"
        match = re.search(before + re.escape(form) + r"(?!\d)", text)
        if match:
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            return text[start:end if end != -1 else None].strip()
    return None


def test_the_forms_and_the_match_rule():
    assert answer_forms(0.5647) >= {"0.5647"}
    assert find_answer("│ ŷ 0.5647 healthy │", 0.56471) == "│ ŷ 0.5647 healthy │"
    assert find_answer("│ W 10.5647 │", 0.5647) is None
    assert find_answer("│ b −1.0000 │", 1.0) is None
    assert find_answer("│ δ −0.4005 │", -0.4005) == "│ δ −0.4005 │"
    assert find_answer("What is L? (ln 2 ≈ 0.6931)", 0.693147) is not None
