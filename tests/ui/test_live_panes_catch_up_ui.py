"""Live training never leaves a pane behind the others (read-through of session 21, a learner
in tmux): a burst of single epochs (. . . . .) drew the loss and the epoch count at every epoch
but the weights, the diagram and the arithmetic only twice a second, so once the run paused
the Network, Weights and Forward panes stayed at epoch 1 while the Loss pane said epoch 5.
The panes skipped between two full redraws now catch up at the end of the interval."""

from __future__ import annotations

import re

import pytest
from textual import events
from ui_helpers import goto_step, make_app, settle, wait_for_screen, wait_until

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.perf.header import HeaderBar
from nn_tui.ui.screens.lesson import LessonScreen

TRAIN_STEP = 17  # psa-hidden-layer step 18: train on all 14 patients
EPOCHS = 5
# (Generous: the catch-up comes 1/LIVE_PANES_HZ after the last full redraw.)
CATCH_UP = 5.0


def loss_in_network_pane(screen) -> str | None:
    found = re.search(r"\bL (\d\.\d+)", screen.pane("pane-network").text)
    return found and found.group(1)


def loss_in_loss_pane(screen) -> str | None:
    found = re.search(r"L on this example = (\d\.\d+)",
                      str(screen.query_one("#loss-summary").render()))
    return found and found.group(1)


@pytest.mark.parametrize("explore", [False, True], ids=["lesson", "explore mode"])
async def test_a_burst_of_single_epochs_leaves_every_pane_at_the_last_epoch(explore,
                                                                         monkeypatch):
    # Full redraws 20 times a second, not twice: the catch-up comes 50 ms after the first
    # epoch's, not 500 ms (the burst is over within a few ms either way).
    monkeypatch.setattr(LessonScreen, "LIVE_PANES_HZ", 20)
    app = make_app(bundled_lessons_dir() / "psa-hidden-layer.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        screen = await goto_step(app, pilot, TRAIN_STEP)
        if explore:  # (the run then starts from the edited network: here, the step's own)
            await pilot.press("e")
            await wait_until(pilot, lambda: screen.explore is not None, "explore mode")
            await settle(app, pilot)
        before = loss_in_network_pane(screen)
        for _ in range(EPOCHS):  # one burst, as keys typed faster than a paint arrive
            app.post_message(events.Key("full_stop", "."))
        header = screen.query_one(HeaderBar)
        await wait_until(pilot, lambda: f"epoch {EPOCHS} of" in header.status
                         and "paused" in header.status, f"epoch {EPOCHS}, paused")
        # The Loss pane draws its numbers at its own tick: once it shows the last epoch, the
        # Network pane's loss must come to agree with it.
        summary = screen.query_one("#loss-summary")
        await wait_until(pilot, lambda: f"epoch {EPOCHS} / " in str(summary.render()),
                         f"the Loss pane at epoch {EPOCHS}")
        await wait_until(pilot, lambda: loss_in_network_pane(screen) == loss_in_loss_pane(screen),
                         "the Network pane's L agrees with the Loss pane's", timeout=CATCH_UP)
        assert loss_in_network_pane(screen) != before  # (the run changed it: not both stale)
        screen.stop_work()
