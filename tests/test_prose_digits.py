"""Prose numbers quote what the panes show at the default 4 significant digits.

The prose-number table (``STATED`` in tests/test_curriculum.py) checks that each number written in a lesson is the engine's
number rounded to the places the text gives. That lets the text say "0.0713" while the pane, at
its default 4 significant digits, shows 0.07128: a last-digit disagreement. Here every stated
number must read as the pane writes it (``nn_tui.format.numbers.num`` at 4 digits), or be exact
("0.5", "2", "0.42" when the value is exactly 0.42: fewer written digits then lose nothing).
"""

from __future__ import annotations

import pytest

import test_curriculum as curriculum
from nn_tui.format.numbers import num


def _as_number(text: str) -> float:
    return float(text.replace("−", "-"))


# Numbers written with fewer digits on purpose, each marked as such in its sentence ("about",
# "≈", a quote of the source article, e to three decimals as the slopes lesson introduces it).
# (lesson id, stated): why.
APPROXIMATE = {
    ("slopes", "2.718"): "e ≈ 2.718, 'about 2.718' in the text",
    ("slopes", "0.19"): "a rough reading of the nudged slope 0.192, said as 'about'",
    ("losses", "0.0467"): "'MSE = 0.14 / 3 ≈ 0.0467'",
    ("losses", "−1.42"): "a ratio worked from the shown operands: (0.3425 − 0.3567) / 0.01",
    ("psa-softmax", "0.035"): "'about 0.035 lower'",
    ("psa-softmax", "56.5"): "a percentage, 'about 56.5 %'",
    ("psa-softmax", "43.5"): "a percentage, 'about 43.5 %'",
    ("psa-hidden-layer", "0.322"): "the source article's own number, quoted as the article rounds it",
    ("psa-hidden-layer", "0.0519"): "the source article's own number, quoted as the article rounds it",
    ("chain-rule", "0.0084"): "'0.42·0.02 ≈ 0.0084', a nudge carried by hand",
    ("chain-rule", "−0.80"): "'about −0.80 per unit', a nudge's rough slope",
}


def reads_as_shown(stated: str, engine: float) -> bool:
    """Whether ``stated`` says what the pane shows for ``engine`` at 4 significant digits: the
    same text, the same text without its trailing zeros ("0.42" for 0.4200), or more digits
    that round to it ("0.32496" for 0.3250, where a note explains the rounding)."""
    shown = num(engine, 4)
    if stated == shown or abs(_as_number(stated) - engine) <= 1e-12 * max(1.0, abs(engine)):
        return True
    if "." in shown and shown.rstrip("0").rstrip(".") == stated:
        return True
    places = len(stated.split(".")[1]) if "." in stated else 0
    shown_places = len(shown.split(".")[1]) if "." in shown and "e" not in shown else 0
    return places > shown_places and num(_as_number(stated), 4) == shown


def _reads_as_shown(lesson_id, session, title, stated, source, at) -> None:
    engine = float(curriculum._stated_value(session, curriculum._index(session, at or title),
                                            source))
    if (lesson_id, stated) in APPROXIMATE:
        # Listed as deliberately rounded: it must still be marked so, and still be rounded.
        assert not reads_as_shown(stated, engine) or stated == num(engine, 4), (
            f"listed as approximate, but the text says {stated} as the panes show it")
        return
    assert reads_as_shown(stated, engine), (
        f"the text says {stated}, the panes show {num(engine, 4)} (4 significant digits)")


# One test per lesson over its entries of STATED (each failing entry named), not one per entry.
@pytest.mark.parametrize("lesson_id", curriculum.STATED_LESSONS)
def test_prose_number_reads_as_the_pane_shows_it(lesson_id):
    failures = curriculum.stated_failures(lesson_id, _reads_as_shown)
    assert not failures, (f"{len(failures)} stated numbers are not written as the panes show "
                          "them:\n" + "\n".join(failures))


def test_the_rule_catches_a_last_digit_disagreement():
    assert not reads_as_shown("0.0713", 0.071283)  # the pane shows 0.07128
    assert reads_as_shown("0.07128", 0.071283)
    assert reads_as_shown("0.42", 0.41997)  # 0.4200 on screen
    assert reads_as_shown("0.32496", 0.324961)
