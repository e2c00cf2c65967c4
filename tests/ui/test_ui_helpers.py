"""The Pilot helpers' own rules (tests/ui/ui_helpers.py): a wait on a widget of a screen just
pushed waits for it to be composed; a wait that never ends says what it waited for."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Button
from ui_helpers import wait_until


class Dialog(Screen):
    def compose(self) -> ComposeResult:
        yield Button("Resume", id="resume")


async def test_a_wait_on_a_widget_not_composed_yet_waits_for_it():
    app = App()
    async with app.run_test(size=(40, 10)) as pilot:
        app.push_screen(Dialog())
        # The screen is pushed; its button comes a few turns of the loop later. Until then the
        # query finds nothing, which is "not yet", not a failure.
        await wait_until(pilot, lambda: app.screen.query_one("#resume", Button).size.area > 0,
                         "the button is laid out")
        assert app.screen.query_one("#resume", Button).size.area > 0


async def test_a_wait_that_never_ends_names_what_it_waited_for_and_the_missing_widget():
    app = App()
    async with app.run_test(size=(40, 10)) as pilot:
        with pytest.raises(AssertionError, match=r"never: the exit button.*#exit"):
            await wait_until(pilot, lambda: app.screen.query_one("#exit").display,
                             "the exit button", timeout=0.05)
        with pytest.raises(AssertionError, match=r"^never: one equals two$"):
            await wait_until(pilot, lambda: 1 == 2, "one equals two", timeout=0.05)
