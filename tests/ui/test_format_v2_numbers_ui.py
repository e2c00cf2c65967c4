"""Issue 11, the numbers a learner sees and types, in the tutor: arithmetic in the answer box
(its value shown), the d key cycling 4 → 6 → 9 significant decimals in every pane and in the
check's feedback, remembered across runs, and a damaged settings file that never stops start-up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lesson_files import lesson_text, write_lesson
from textual.widgets import Input, Static

from nn_tui.format.numbers import DECIMALS, current_decimals, num
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.progress import ProgressStore
from nn_tui.lessons.settings import load_settings
from ui_helpers import (Cases, goto_step, make_app, notices, open_at, run_palette_command, settle,
                        wait_for_screen)

BIG = (130, 40)
SMALL = (80, 24)

# The fixture's forward and backward steps, then ŷ = σ(−σ(1)) = 0.32496... at a question about
# σ'(z₂) = ŷ(1 − ŷ) = 0.21936..., one about ŷ(1 − ŷ) / 500, and two copies of the first (steps 5
# and 6: each case of the walk below that answers it has one still unanswered).
LESSON = lesson_text(
    "psa-1-1-1", lesson={"id": "typed-arithmetic", "title": "Typed arithmetic"},
    network={"inputs": ["x"], "outputs": ["y"]}, data={"rows": [[2.0, 0.0]]}) + """
[[steps]]
kind = "check"
title = "Slope"
prompt = "What is σ'(z₂) = ŷ(1 − ŷ)?"
answer = "grads[1].da_dz[0]"

[[steps]]
kind = "check"
title = "Small"
prompt = "What is ŷ(1 − ŷ) / 500?"
answer = "grads[1].da_dz[0] / 500"
""" + "".join(f"""
[[steps]]
kind = "check"
title = "Slope, {again}"
prompt = "What is σ'(z₂) = ŷ(1 − ŷ)?"
answer = "grads[1].da_dz[0]"
""" for again in ("again", "once more"))


@pytest.fixture
def lesson(tmp_path) -> Path:
    return write_lesson(tmp_path, LESSON, "typed.toml")


def feedback(app) -> str:
    return str(app.screen.query_one("#check-feedback", Static).render())


def keybar(app) -> list[str]:
    return app.screen.query_one("KeyBar").keys


def record(app, index: int):
    app.store.flush()
    return ProgressStore().get("typed-arithmetic").check(index)


async def type_answer(pilot, text: str) -> None:
    if text.isascii():
        await pilot.press(*text, "enter")
    else:  # (Pilot presses keys by name: × · − are pasted, as a learner's compose key would)
        box = pilot.app.screen.query_one("#check-input", Input)
        box.insert_text_at_cursor(text)
        await pilot.press("enter")
    await pilot.pause()


@pytest.fixture(autouse=True)
def default_decimals():
    """Every test starts (and leaves the process) at the default digits."""
    assert current_decimals() == DECIMALS
    yield
    assert current_decimals() == DECIMALS, "the app must put the digits setting back"


# One app at 130×40 walks every case below, each at a question of its own (steps 3, 4 and the two
# copies of step 3 at 5 and 6, so each starts unanswered) or at step 2 — each the whole of what a
# test of its own checked on a fresh app; a failure names its case (ui_helpers.Cases). The digits
# setting is back at 4 after each case but the last, as the cases expect on starting.


# -- typed arithmetic -----------------------------------------------------------------------------


async def typed_arithmetic_is_evaluated_shown_and_graded(app, pilot, index: int) -> None:
    """At an unanswered copy of the σ'(z₂) question, step ``index``."""
    await goto_step(app, pilot, index)
    expected = app.screen.session.answer(index)
    assert isinstance(app.focused, Input)

    # A wrong product: graded (one attempt), with the value it came to.
    await type_answer(pilot, "0.325*0.325")
    assert f"0.325*0.325 = {num(0.325 * 0.325)}" in feedback(app)
    assert "too low" in feedback(app)
    assert record(app, index).attempts == 1

    # A trace path is not arithmetic a learner may type: no free answer, no attempt.
    await type_answer(pilot, "grads[1].da_dz[0]")
    assert "not a number" in feedback(app)
    assert record(app, index).attempts == 1

    # The pencil-and-paper product of the numbers on screen is right.
    await type_answer(pilot, "0.3250·(1−0.3250)")
    text = feedback(app)
    assert "Correct" in text
    assert f"0.3250·(1−0.3250) = {num(0.325 * 0.675)}" in text
    assert abs(0.325 * 0.675 - expected) < 1e-4
    stored = record(app, index)
    assert stored.correct and stored.attempts == 2


async def every_form_of_the_issue_is_taken_as_the_same_number(app, pilot, index: int) -> None:
    """At an unanswered copy of the σ'(z₂) question, step ``index``."""
    await goto_step(app, pilot, index)
    assert isinstance(app.focused, Input)
    for typed in ("1/(1+e^-1)", "exp(-1)", "e^-1"):
        await type_answer(pilot, typed)
        # Each is a wrong answer here, but the value shown is the one the issue means.
        assert "=" in feedback(app) and "not a number" not in feedback(app), typed
    assert record(app, index).attempts == 3
    await type_answer(pilot, "9^9^9^9")
    assert "not a number" in feedback(app)
    await type_answer(pilot, "output[0]")
    assert "not a number" in feedback(app)
    assert record(app, index).attempts == 3


async def a_plain_number_is_not_echoed(app, pilot, index: int) -> None:
    """At an unanswered copy of the σ'(z₂) question, step ``index``."""
    await goto_step(app, pilot, index)
    assert isinstance(app.focused, Input)
    await type_answer(pilot, "0.2194")
    text = feedback(app)
    assert "Correct" in text and " = " not in text.splitlines()[0]


async def an_answer_can_start_with_a_parenthesis_or_e_out_of_the_box(app, pilot) -> None:
    """At the σ'(z₂) question (step 3), its answer box empty; leaves the box empty."""
    await goto_step(app, pilot, 2)
    box = app.screen.query_one("#check-input", Input)
    assert app.focused is box and box.value == ""
    await pilot.press("escape")
    await pilot.pause()
    assert app.focused is not box
    await pilot.press(*"(1-0.325)*0.325")
    await pilot.pause()
    assert app.focused is box and box.value == "(1-0.325)*0.325"
    box.value = ""
    await pilot.pause()


# -- the d key: 4 → 6 → 9 significant decimals ---------------------------------------------------


async def d_cycles_the_digits_in_every_pane(app, pilot) -> None:
    """At step 2, at 4 digits; leaves 6 digits set."""
    await goto_step(app, pilot, 1)
    screen = app.screen
    y_hat = screen.view.trace.output[0]
    assert current_decimals() == 4
    assert "4 digits" in " ".join(keybar(app))
    panes = {name: screen.pane(f"pane-{name}") for name in
             ("forward", "gradients", "weights", "network")}
    for name, pane in panes.items():
        assert num(y_hat, 4) in pane.text or name in ("gradients", "weights"), name
    assert num(y_hat, 4) in panes["forward"].text

    for decimals in (6, 9, 4):
        await pilot.press("d")
        await settle(app, pilot)
        assert current_decimals() == decimals
        assert f"{decimals} digits" in " ".join(keybar(app))
        forward = panes["forward"].text
        assert num(y_hat, decimals) in forward
        # Every number of the forward pass has the new precision: 0.324962 has 6 decimals.
        assert num(0.5, decimals) in panes["weights"].text
        assert num(0.5, decimals) in panes["network"].text
        da_dz = screen.view.trace.grads[1].da_dz[0]
        assert num(da_dz, decimals) in panes["gradients"].text
        assert num(screen.view.trace.loss, decimals) in str(
            screen.pane("pane-loss").query_one("#loss-summary", Static).render())
        assert load_settings()[0].decimals == decimals, "saved at once"
    await pilot.press("d")
    await settle(app, pilot)


async def d_rewrites_the_checks_numbers(app, pilot) -> None:
    """At the unanswered ŷ(1 − ŷ)/500 question (step 4), at 4 digits; leaves 4 digits."""
    await goto_step(app, pilot, 3)
    expected = app.screen.session.answer(3)
    await type_answer(pilot, "0.2/500")
    assert f"0.2/500 = {num(0.2 / 500, 4)}" in feedback(app) and "too low" in feedback(app)
    await pilot.press("d")  # (from the emptied answer box: the lesson's key)
    await settle(app, pilot)
    assert f"0.2/500 = {num(0.2 / 500, 6)}" in feedback(app)
    await pilot.press("d", "d")
    await settle(app, pilot)
    # Two misses, then the revealed answer follows the digits too.
    assert isinstance(app.focused, Input)
    await type_answer(pilot, "1")
    await pilot.press("r")
    await pilot.pause()
    assert f"The answer: {num(expected, 4)}" in feedback(app)
    await pilot.press("d")
    await settle(app, pilot)
    assert f"The answer: {num(expected, 6)}" in feedback(app)
    # A hint written over it is not replaced by the next press.
    await pilot.press("h")
    await pilot.pause()
    hint_text = feedback(app)
    await pilot.press("d")
    await settle(app, pilot)
    assert feedback(app) == hint_text
    await pilot.press("d")  # 9 → 4
    await settle(app, pilot)


async def d_types_into_an_answer_box_that_holds_text(app, pilot) -> None:
    """At the σ'(z₂) question (step 3), its answer box empty, at 4 digits; leaves 4 digits."""
    await goto_step(app, pilot, 2)
    box = app.screen.query_one("#check-input", Input)
    assert app.focused is box and box.value == ""
    await pilot.press("1", "d")
    await pilot.pause()
    assert box.value == "1d" and current_decimals() == 4
    # From the empty box, d is the lesson's key.
    box.value = ""
    await pilot.pause()
    await pilot.press("d")
    await settle(app, pilot)
    assert current_decimals() == 6 and box.value == ""
    await pilot.press("d")
    await pilot.press("d")
    await settle(app, pilot)


async def the_command_palette_sets_the_digits(app, pilot) -> None:
    """At step 2, at 4 digits; leaves 4 digits."""
    await goto_step(app, pilot, 1)
    screen = app.screen
    await run_palette_command(app, pilot, "show numbers with 9")  # (searched at once)
    await settle(app, pilot)
    assert current_decimals() == 9
    assert num(screen.view.trace.output[0], 9) in screen.pane("pane-forward").text
    assert "9 digits" in " ".join(keybar(app))
    await pilot.press("d")
    await settle(app, pilot)
    assert current_decimals() == 4
    assert load_settings()[0].decimals == 4


async def test_typed_arithmetic_and_the_d_key_in_one_walk(lesson, isolated_home):
    cases = Cases()
    app = make_app(lesson)
    async with app.run_test(size=BIG) as pilot:
        await open_at(app, pilot, 2)
        with cases("d types into an answer box that holds text"):
            await d_types_into_an_answer_box_that_holds_text(app, pilot)
        with cases("an answer can start with a parenthesis or e, out of the box"):
            await an_answer_can_start_with_a_parenthesis_or_e_out_of_the_box(app, pilot)
        with cases("typed arithmetic is evaluated, shown and graded"):
            await typed_arithmetic_is_evaluated_shown_and_graded(app, pilot, 2)
        with cases("every form of the issue is taken as the same number"):
            await every_form_of_the_issue_is_taken_as_the_same_number(app, pilot, 4)
        with cases("a plain number is not echoed"):
            await a_plain_number_is_not_echoed(app, pilot, 5)
        with cases("d rewrites the check's numbers"):
            await d_rewrites_the_checks_numbers(app, pilot)
        with cases("the command palette sets the digits"):
            await the_command_palette_sets_the_digits(app, pilot)
        with cases("d cycles the digits in every pane"):
            await d_cycles_the_digits_in_every_pane(app, pilot)
    with cases("the digits chosen are remembered"):
        saved = json.loads((isolated_home / "settings.json").read_text())
        assert saved["decimals"] == 6
        # The next run starts with the digits chosen (another lesson: this one would offer to
        # resume).
        other = lesson.with_name("other.toml")
        other.write_text(LESSON.replace('id = "typed-arithmetic"', 'id = "other"'),
                         encoding="utf-8")
        app = make_app(other)
        async with app.run_test(size=BIG) as pilot:
            await open_at(app, pilot, 1)
            assert current_decimals() == 6
            assert num(app.screen.view.trace.output[0], 6) in app.screen.pane("pane-forward").text
            assert "6 digits" in " ".join(keybar(app))
            await pilot.press("d", "d")  # back to 4 for the next tests' sake
            await settle(app, pilot)
    cases.check()

async def test_the_help_screen_lists_d(lesson):
    from nn_tui.ui.screens.help import HELP

    assert "| d |" in HELP and "significant digits" in HELP
    binding = next(b for b in __import__("nn_tui.ui.screens.lesson", fromlist=["x"])
                   .LessonScreen.BINDINGS if b.action == "cycle_decimals")
    assert binding.key == "d" and binding.description


@pytest.mark.parametrize("content", [
    b"{not json", b"\xff\xfe", b"[1, 2]", b'{"decimals": 7}', b'{"decimals": "6"}',
    b'{"decimals": true}', b'{"decimals": 1e999}', b"x" * 100_000,
])
async def test_a_damaged_settings_file_never_stops_the_tutor(lesson, isolated_home, content):
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.json").write_bytes(content)
    app = make_app(lesson)
    async with app.run_test(size=SMALL) as pilot:
        # (At the step it opens at: d is the lesson screen's key at every step.)
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert current_decimals() == 4
        assert any("settings" in notice.lower() for notice in notices(app)), "the learner is told"
        await pilot.press("d")
        await settle(app, pilot)
        assert current_decimals() == 6
        await pilot.press("d", "d")
        await settle(app, pilot)
    assert json.loads((isolated_home / "settings.json").read_text())["decimals"] == 4


async def test_a_settings_folder_in_the_way_is_a_notice_not_a_crash(lesson, isolated_home):
    (isolated_home / "settings.json").mkdir(parents=True)
    app = make_app(lesson)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert current_decimals() == 6
        assert any("could not be saved" in notice for notice in notices(app))
        await pilot.press("d", "d")
        await settle(app, pilot)


async def test_bundled_lesson_panes_at_nine_digits(isolated_home):
    """At 9 digits the PSA gradients pane writes ∂L/∂w₁ as the engine has it, to 9 digits."""
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "settings.json").write_text('{"decimals": 9}')
    app = make_app(bundled_lessons_dir() / "psa-hidden-layer.toml")
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        session = app.screen.session
        last_backward = max(i for i, step in enumerate(session.steps) if step.kind == "backward")
        app.screen.go(last_backward)
        await settle(app, pilot)
        grads = app.screen.view.trace.grads[0].dL_dW[0][0]
        assert num(grads, 9) in app.screen.pane("pane-gradients").text
        assert len(num(grads, 9).split(".")[1].rstrip("0123456789")) == 0
