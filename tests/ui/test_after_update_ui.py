"""After an update, the panes show real worked lines and old → new (change) columns that agree
with themselves (issue 14, item 3): no "ŷ new = was 0.7958 = 0.8710", no "see the rows".

Each pane is mounted alone (as in test_panes) and fed the real StepView of every bundled update
step; every "old → new (change)" on screen is checked: the two values shown differ by the
change shown.
"""

from __future__ import annotations

import re

import pytest
from textual.widget import Widget

from nn_tui.format.arithmetic import parse_shown
from nn_tui.format.numbers import num
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import StepKind
from nn_tui.lessons.session import LessonSession, StepView
from nn_tui.ui.panes import ForwardPane, LossPane, WeightsPane
from tests.conftest import LESSONS
from ui_helpers import PaneApp, rendered

SIZE = (120, 40)
NUMBER = r"−?\d+\.\d+(?:e[−+]\d+)?"
# "ŷ 0.3249625 → 0.3222656 (−0.002697)" (Forward) and "w₁ 0.50000 → 0.50280 ▲ +0.002803"
CHANGE = re.compile(rf"({NUMBER}) +→ +({NUMBER}) +(?:\(|▲ |▼ )([−+]{NUMBER})")
LOSS = re.compile(rf"({NUMBER}) before the update → ({NUMBER}) after \((lower|higher) by "
                  rf"({NUMBER})\)")


async def show(pane: Widget, view: StepView, size=SIZE) -> str:
    app = PaneApp(pane)
    async with app.run_test(size=size) as pilot:
        pane.show(view)
        await pilot.pause()
        await pilot.pause()
        return rendered(pane)


def update_views() -> list[tuple[str, int, StepView]]:
    """Every bundled update step: (lesson stem, step index, its view). The views are kept (a
    pane may key a cache on a trace's identity, which must not be reused while they show)."""
    found = []
    for path in sorted(LESSONS.glob("*.toml")):
        session = LessonSession(load_lesson(path))
        updates = [i for i, step in enumerate(session.steps) if step.kind == StepKind.UPDATE]
        # Only an update step shows an update, and the steps after it while it stays in view
        # (an update not applied): the views past that (training runs among them) are not
        # worked out for nothing.
        shown = False
        for index in range(session.total):
            if not shown and (not updates or index > updates[-1]):
                break
            view = session.view(index)
            shown = view.reveal.update
            if shown:
                found.append((path.stem, index, view))
    return found


def shown_change(old: str, new: str) -> str:
    difference = num(parse_shown(new) - parse_shown(old))
    return difference if difference.startswith("−") else f"+{difference}"


async def test_every_old_new_change_on_screen_agrees():
    updates = update_views()
    assert updates, "no bundled lesson has an update step"
    # One app per kind of pane shows every update step in turn; each failure names its step.
    texts: dict[tuple[str, int], dict[type, str]] = {(s, i): {} for s, i, _ in updates}
    for kind in (ForwardPane, WeightsPane, LossPane):
        pane = kind()
        app = PaneApp(pane)
        async with app.run_test(size=SIZE) as pilot:
            for stem, index, view in updates:
                pane.show(view)
                await pilot.pause()
                await pilot.pause()
                texts[stem, index][kind] = rendered(pane)
    for stem, index, _ in updates:
        where = f"{stem} step {index}"
        checked = 0
        for kind in (ForwardPane, WeightsPane):
            text = texts[stem, index][kind]
            assert "was " not in text and "see the rows" not in text \
                and "one per row" not in text, f"{where} ({kind.__name__}):\n{text}"
            for old, new, change in CHANGE.findall(text):
                assert shown_change(old, new) == change, f"{where}: {old} → {new}"
                checked += 1
        text = texts[stem, index][LossPane]
        match = LOSS.search(text.replace("\n", " "))
        assert match, f"{where}:\n{text}"
        old, new, direction, amount = match.groups()
        sign = "−" if direction == "lower" else "+"
        assert shown_change(old, new) == sign + amount, where
        assert checked >= 2, where


async def test_forward_pane_works_the_new_forward_pass(psa_hidden):
    view = next(v for v in map(_session(psa_hidden).view, range(_session(psa_hidden).total))
                if v.reveal.update)
    text = await show(ForwardPane(), view)
    after = text[text.index("after the update"):]
    # A line per layer and activation, the new weights plugged in, then the new loss.
    assert "z₁ new = w₁ new·x + b₁ new = 0.5028·2 + 0.001402 = 1.0070" in after
    assert "a₁ new = σ(z₁ new) = 1 / (1 + e^−z₁ new) = 1 / (1 + e^−1.0070) = 0.7324" in after
    assert "z₂ new = w₂ new·a₁ new + b₂ new = (−1.00521)·0.73243 + (−0.0071284) = −0.7434" \
        in after
    assert re.search(r"ŷ new = +σ\(z₂ new\) = .* = 0\.3223", after)
    assert "L new = ½·Σ(y − ŷ)² = ½·(0 − 0.32227)² = 0.05193" in after
    # old → new as its own column.
    assert re.search(r"ŷ +0\.3249625 +→ +0\.3222656 +\(−0\.002697\)", after)
    assert re.search(r"L +0\.052800304 +→ +0\.051927552 +\(−0\.0008728\)", after)


async def test_batch_mode_shows_every_rows_new_output(psa_softmax):
    session = _session(psa_softmax)
    view = next(v for v in map(session.view, range(session.total)) if v.reveal.update)
    assert view.trace.mode == "batch"
    text = await show(ForwardPane(), view, size=(120, 200))
    after = text[text.index("after the update"):]
    rows = view.trace.rows or tuple(range(len(view.trace.output)))
    for row in rows:
        assert re.search(rf"row {row + 1} +ŷ\[1\] +{NUMBER} +→ +{NUMBER}", after), row
    # The new per-row outputs are the engine's, at the digits shown.
    first = re.search(rf"row {rows[0] + 1} +ŷ\[1\] +({NUMBER}) +→ +({NUMBER})", after)
    assert parse_shown(first.group(2)) == pytest.approx(view.trace.after.output[0][0],
                                                        abs=1e-4)
    assert "L new = (1/n)·Σ Lᵢ = " in after


_BY_LESSON: dict[int, LessonSession] = {}


def _session(lesson) -> LessonSession:
    return _BY_LESSON.setdefault(id(lesson), LessonSession(lesson))
