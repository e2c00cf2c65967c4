"""Keys that come faster than the tutor paints never leave the focus in a hidden answer box.

A question puts the cursor in its answer box, and Textual moves the focus a turn of the event
loop later. Two → in a row (a key held down, a quick double tap) passed the question before
that turn: the step after it showed with the focus in the question's box, now hidden, and the
letter keys (e for explore, h, t, …) went into it unseen; the same with ← ← back past it.
A digit typed at the question puts the cursor in the box the same way (and → right after it
must leave it out of the hidden box too): it goes through the same guarded focus.

The keys are posted to the app together, as a terminal delivers keys typed quickly (Pilot's
``press`` waits for the app to go idle after each key, which hides the fault).
"""

from __future__ import annotations

from textual import events
from ui_helpers import Cases, goto_step, make_app, open_at, settle

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.widgets.check import AnswerInput

PSA = bundled_lessons_dir() / "psa-hidden-layer.toml"
QUESTION = 2  # psa-hidden-layer: a number question (its box takes the cursor)
FORWARD = 3  # the forward step after it (e explores it)


def keys_at_once(app, *keys: tuple[str, str | None]) -> None:
    """Post ``keys`` ((key, character) pairs) to the app in one go, as the terminal driver
    does for keys typed faster than they are handled."""
    for key, character in keys:
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


def hidden_focus(screen) -> str | None:
    """What is wrong with the focus: a hidden answer box holding it."""
    focused = screen.focused
    if isinstance(focused, AnswerInput) and not screen.query_one("#check").display:
        return f"the focus is in the hidden answer box at step {screen.view.index + 1}"
    return None


async def test_fast_keys_past_a_question_leave_no_focus_in_its_hidden_box():
    cases = Cases()
    app = make_app(PSA)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_at(app, pilot, QUESTION - 1)

        async def explores_at_forward(case: str) -> None:
            await settle(app, pilot)
            assert screen.view.index == FORWARD, f"at step {screen.view.index + 1}"
            assert hidden_focus(screen) is None, hidden_focus(screen)
            await pilot.press("e")
            await settle(app, pilot)
            assert screen.explore is not None, "e did not open explore mode"
            screen.leave_explore()
            await settle(app, pilot)

        with cases("→ → from the step before the question"):
            keys_at_once(app, ("right", None), ("right", None))
            await explores_at_forward("→ →")

        with cases("← ← from the step after the question"):
            await goto_step(app, pilot, FORWARD)
            keys_at_once(app, ("left", None), ("left", None))
            await settle(app, pilot)
            assert screen.view.index == QUESTION - 1, f"at step {screen.view.index + 1}"
            assert hidden_focus(screen) is None, hidden_focus(screen)

        with cases("a digit typed at the question, then →"):
            await goto_step(app, pilot, QUESTION)
            screen.set_focus(None)
            await settle(app, pilot)
            keys_at_once(app, ("5", "5"), ("right", None))
            await explores_at_forward("5 →")
    cases.check()
