"""No check's answer is on screen before the learner answers it.

One app opens every bundled lesson in turn at 120×40; the test goes to each numeric check and
reads the whole screen (every pane, the lesson text, the Check box with its prompt). The answer,
written as the panes write it (``num`` at 4 significant digits, with either minus sign) and, when
it has three or more significant digits, its short form without trailing zeros, must not be
there.

A number can be on screen for another reason: an answer that is a round number equal to one of
the network's given parameters (the sum 0.8 while W₁[2,2] = 0.8). Those are listed in
COINCIDENCES with the reason, by lesson and step title.
"""

from __future__ import annotations

import re

from nn_tui.format.numbers import num
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.widgets.check import CheckArea
from ui_helpers import make_app, screen_text, settle, wait_for_screen

LESSONS = bundled_lessons_dir()
LESSON_IDS = sorted(path.stem for path in LESSONS.glob("*.toml"))

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


async def _go(app, pilot, screen, index: int) -> None:
    screen.go(index)
    for _ in range(400):
        await settle(app, pilot)
        if (screen.view is not None and screen.view.index == index
                and not screen.steps.busy):
            return
    raise AssertionError(f"step {index + 1} never became ready")


async def test_no_answer_is_on_screen_before_its_check():
    # One app opens every bundled lesson in turn from the list (a fresh home: nothing answered).
    app = make_app(LESSONS)
    found = []
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        entries = {info.entry.path.stem: info.entry for info in app.catalog}
        assert sorted(entries) == LESSON_IDS
        for lesson_id in LESSON_IDS:
            entry = entries[lesson_id]
            checks = [i for i, step in enumerate(entry.lesson.steps)
                      if step.kind == "check" and not step.choices]
            app.open_lesson(entry, 0)
            await wait_for_screen(app, pilot, "LessonScreen")
            screen = app.screen
            for index in checks:
                step = entry.lesson.steps[index]
                await _go(app, pilot, screen, index)
                check = screen.query_one(CheckArea)
                # a fresh home: unanswered
                assert check.index == index and not check.settled, (lesson_id, index)
                line = find_answer(screen_text(app), float(screen.session.answer(index)))
                if line is not None and (lesson_id, step.title) not in COINCIDENCES:
                    found.append(f"{lesson_id} step {index + 1} ({step.title}): {line}")
            app.pop_screen()
            await wait_for_screen(app, pilot, "PickerScreen")
    assert found == [], "answers on screen before their check:\n" + "\n".join(found)
