"""Pilot tests of the tutor: picker, stepping, checks, training, progress, errors, sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Static

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.progress import ProgressStore
from nn_tui.ui.app import NnTuiApp, run_app
from nn_tui.ui.perf.header import HeaderBar
from lesson_files import fixture_text, lesson_text, write_lesson
from ui_helpers import (Cases, goto_step, make_app, notices, redraw_loss, resize_to,
                        run_palette_command, screen_text, settle, wait_for_screen, wait_until)

BIG = (120, 40)


def saved(app) -> ProgressStore:
    """The progress file as the running app has saved it (saves are written by a thread)."""
    app.store.flush()
    return ProgressStore()

SMALL = (80, 24)

# y = 2·x with a single identity unit: output[0] for x = 1 is w·1 + b = 0.5 + 0.25 = 0.75.
CHECK_LESSON = fixture_text("tiny-checks")

# The same unit at η = 50: training diverges.
DIVERGING_LESSON = lesson_text(
    "tiny-checks",
    lesson={"id": "too-fast", "title": "Too fast", "summary": None},
    network={"learning_rate": 50.0, "layers": {0: {"bias": [0.0]}}},
    training={"epochs": 500},
    steps="""
[[steps]]
kind = "text"
title = "Start"
text = "η = 50."

[[steps]]
kind = "train"
title = "Train"
text = "Watch it blow up."
""")


@pytest.fixture
def check_lesson(tmp_path) -> Path:
    return write_lesson(tmp_path, CHECK_LESSON, "tiny.toml")


@pytest.fixture
def diverging_lesson(tmp_path) -> Path:
    return write_lesson(tmp_path, DIVERGING_LESSON, "fast.toml")


def text_of(widget) -> str:
    return str(widget.render())


def header(app) -> str:
    """The right side of the header line: "step k of n · ..."."""
    return app.screen.query_one(HeaderBar).status


def feedback(app) -> str:
    return text_of(app.screen.query_one("#check-feedback", Static))


def picker_titles(app) -> list[str]:
    option_list = app.screen.query_one(OptionList)
    return [str(option_list.get_option_at_index(i).prompt).split("\n")[0]
            for i in range(option_list.option_count)]


# -- picker ------------------------------------------------------------------------------------


async def test_picker_lists_bundled_lessons_and_filters():
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        titles = picker_titles(app)
        assert any("PSA: one hidden neuron" in title for title in titles)
        assert any("Apple or orange" in title for title in titles)
        assert len(titles) == len(list(bundled_lessons_dir().glob("*.toml")))
        await pilot.press(*"apple")
        await pilot.pause()
        assert [t for t in picker_titles(app)] and all("Apple" in t for t in picker_titles(app))
        await pilot.press("escape")
        await pilot.pause()
        assert len(picker_titles(app)) == len(titles)


async def test_broken_file_is_listed_and_shows_its_error(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "good.toml").write_text(CHECK_LESSON, encoding="utf-8")
    (folder / "bad.toml").write_text(CHECK_LESSON.replace('"identity"', '"wiggle"'),
                                     encoding="utf-8")
    app = make_app(folder)
    async with app.run_test(size=BIG) as pilot:
        await settle(app, pilot)
        titles = picker_titles(app)
        assert len(titles) == 2  # a folder lists just that folder
        assert any("bad.toml (broken)" in title for title in titles)
        await pilot.press(*"bad", "enter")
        await wait_for_screen(app, pilot, "ErrorScreen")
        shown = screen_text(app)
        assert "bad.toml" in shown and "wiggle" in shown
        assert "network.layers[0].activation" in shown
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")


async def test_broken_lesson_opened_directly_shows_file_key_line_problem(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(CHECK_LESSON.replace("learning_rate = 0.1", "learning_rate = -1"),
                    encoding="utf-8")
    app = make_app(path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "ErrorScreen")
        shown = screen_text(app)
        assert str(path) in shown.replace("\n", "")
        assert "network.learning_rate" in shown
        line = CHECK_LESSON.split("\n").index("learning_rate = 0.1") + 1
        assert any(row.strip("│ ").startswith(f"{line} ") and "learning_rate" in row
                   for row in shown.splitlines())


# -- the PSA lesson ----------------------------------------------------------------------------


async def open_psa(app, pilot) -> None:
    await wait_for_screen(app, pilot, "PickerScreen")
    await settle(app, pilot)
    await pilot.press(*"psa-hidden", "enter")
    await wait_for_screen(app, pilot, "LessonScreen")


# One PSA app opened from the picker at 120×40 is walked through every case below, then resized
# (the too-small case ends at 80×24) and walked through the 80×24 cases; q quits it at the end.
# Each case is the whole of what a test of its own used to check on a fresh app; a failure
# names its case (ui_helpers.Cases).


async def stepping_both_ways(app, pilot) -> None:
    """From step 1: → ; n p n ; End ; Home ; → → ← (each key as the learner presses it)."""
    screen = app.screen
    assert screen.lesson.id == "psa-hidden-layer"
    total = screen.session.total
    assert header(app).startswith(f"step 1 of {total}")
    titles = {pane.border_title for pane in screen.query(".pane")}
    assert titles == {"Lesson", "Network", "Weights", "Forward pass", "Gradients", "Loss"}
    await pilot.press("right")
    await pilot.pause()
    assert header(app).startswith(f"step 2 of {total}")
    first_views = {1: screen.view}
    await pilot.press("n", "p", "n")
    await settle(app, pilot)
    assert header(app).startswith(f"step 3 of {total}")
    await pilot.press("end")
    await settle(app, pilot)
    assert header(app).startswith(f"step {total} of {total}")
    await pilot.press("home")
    await settle(app, pilot)
    assert header(app).startswith(f"step 1 of {total}")
    await pilot.press("right", "right", "left")
    await settle(app, pilot)
    # Going back gives exactly the view the step had the first time.
    assert screen.view is first_views[1]
    assert header(app).startswith(f"step 2 of {total}")


async def help_and_pane_toggle(app, pilot) -> None:
    await pilot.press("question_mark")
    await wait_for_screen(app, pilot, "HelpScreen")
    await pilot.press("escape")
    await wait_for_screen(app, pilot, "LessonScreen")
    app.screen.toggle_pane("pane-weights")
    await pilot.pause()
    assert app.screen.query_one("#pane-weights").styles.display == "none"
    app.screen.toggle_pane("pane-weights")
    await pilot.pause()
    assert app.screen.query_one("#pane-weights").styles.display == "block"


async def key_bar_shows_the_live_keys_and_runs_them_on_click(app, pilot) -> None:
    from nn_tui.ui.perf.keybar import KeyBar

    screen = app.screen
    bar = screen.query_one(KeyBar)
    keys = bar.keys
    assert keys[:2] == ["→ Next", "← Previous"] and "q Quit" in keys
    assert not any("Hint" in key for key in keys)
    check = next(i for i, step in enumerate(screen.session.steps) if step.kind == "check")
    await goto_step(app, pilot, check)
    await pilot.pause()
    assert "h Hint" in bar.keys
    await pilot.click(KeyBar, offset=(2, 0))  # on "→ Next"
    await settle(app, pilot)
    assert screen.view.index == check + 1
    assert not any("Hint" in key for key in bar.keys)


async def focus_still_restyles_the_focused_pane(app, pilot) -> None:
    """The lesson screen does not repaint itself whole on a focus change (for speed); the
    focused pane's frame must still change and the focus watchers still fire."""
    screen = app.screen
    pane = screen.query_one("#pane-forward")
    assert not pane.has_focus_within
    before = pane.styles.border_top
    seen = []
    screen.watch(screen, "focused", lambda focused: seen.append(focused), init=False)
    screen.query_one("#pane-forward-body").focus()
    await pilot.pause()
    await pilot.pause()
    assert pane.styles.border_top != before  # .pane:focus-within
    assert seen and seen[-1] is screen.query_one("#pane-forward-body")


async def home_and_end_step_even_while_a_pane_has_the_focus(app, pilot) -> None:
    screen = app.screen
    screen.query_one("#pane-forward-body").focus()
    await pilot.press("end")
    await settle(app, pilot)
    assert screen.view.index == screen.session.total - 1
    await pilot.press("home")
    await settle(app, pilot)
    assert screen.view.index == 0


async def too_small_terminal_shows_a_notice_and_recovers(app, pilot) -> None:
    """At step 1, 120×40: shrunk to 60×20, then to 80×24."""
    notice = app.screen.query_one(".too-small")
    main = app.screen.query_one("#lesson-main")
    assert not notice.display or notice.styles.display == "none"
    await pilot.resize_terminal(60, 20)
    # The new size reaches the screen a few messages later: wait for it, not for idleness.
    await wait_until(pilot, lambda: app.screen.has_class("-narrow"), "the narrow layout")
    await pilot.pause()
    assert notice.styles.display == "block" and main.styles.display == "none"
    await pilot.press("right")
    await pilot.pause()
    await pilot.resize_terminal(*SMALL)
    await wait_until(pilot, lambda: not app.screen.has_class("-narrow"), "the 80×24 layout")
    await pilot.pause()
    assert main.styles.display == "block" and notice.styles.display == "none"
    assert header(app).startswith("step 2 of")


async def small_terminal_stacks_lesson_one_detail_pane_and_loss(app, pilot) -> None:
    """At step 1, 80×24."""
    screen = app.screen
    # Nothing computed yet: the diagram of what will compute it.
    assert visible_panes(app) == ["Lesson", "Network", "Loss"]
    lesson_pane = screen.query_one("#pane-lesson")
    assert lesson_pane.size.width >= SMALL[0] - 6  # full width, so the text gets whole lines
    seen = []
    for _ in range(4):
        await pilot.press("t")
        await pilot.pause()
        (detail,) = [title for title in visible_panes(app) if title not in ("Lesson", "Loss")]
        seen.append(detail)
    assert sorted(seen) == ["Forward pass", "Gradients", "Network", "Weights"]
    backward = next(i for i, step in enumerate(screen.session.steps) if step.kind == "backward")
    await goto_step(app, pilot, backward)
    assert "Gradients" in visible_panes(app)
    check = next(i for i, step in enumerate(screen.session.steps) if step.kind == "check")
    await goto_step(app, pilot, check)
    assert "Loss" not in visible_panes(app)
    assert screen.query_one("#check").display
    # t works from the answer box (it is no digit) and the pane shown draws its content.
    before = visible_panes(app)
    await pilot.press("t")
    await pilot.pause()
    await pilot.pause()
    assert screen.query_one("#check-input").value == ""
    (shown,) = [p for p in screen.query(".pane") if p.display and p.id != "pane-lesson"]
    assert visible_panes(app) != before and shown.text.strip()


async def test_psa_walk_at_both_sizes_and_quit_with_q():
    cases = Cases()
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await open_psa(app, pilot)
        with cases("stepping both ways at 120×40"):
            await stepping_both_ways(app, pilot)
        await goto_step(app, pilot, 0)
        with cases("help and pane toggle"):
            await help_and_pane_toggle(app, pilot)
        with cases("key bar shows the live keys and runs them on click"):
            await key_bar_shows_the_live_keys_and_runs_them_on_click(app, pilot)
        await goto_step(app, pilot, 0)
        with cases("focus still restyles the focused pane"):
            await focus_still_restyles_the_focused_pane(app, pilot)
        with cases("home and end step even while a pane has the focus"):
            await home_and_end_step_even_while_a_pane_has_the_focus(app, pilot)
        await goto_step(app, pilot, 0)
        with cases("too small a terminal shows a notice and recovers"):
            await too_small_terminal_shows_a_notice_and_recovers(app, pilot)
        await resize_to(app, pilot, SMALL)
        await pilot.press("home")
        await settle(app, pilot)
        with cases("stepping both ways at 80×24"):
            await stepping_both_ways(app, pilot)
        await goto_step(app, pilot, 0)
        with cases("80×24 stacks the Lesson, one detail pane and the Loss"):
            await small_terminal_stacks_lesson_one_detail_pane_and_loss(app, pilot)
        with cases("q quits with 0"):
            await pilot.press("escape")  # out of the answer box (q there is a letter typed)
            await goto_step(app, pilot, 0)
            assert not isinstance(app.focused, Input)
            await pilot.press("q")
            await pilot.pause()
    with cases("q quits with 0"):
        assert app.return_code == 0
        assert app.return_value == 0
    cases.check()


def test_run_app_returns_zero_after_q(monkeypatch, check_lesson):
    """run_app itself, driven headless: open a lesson, step, press q."""
    from textual.app import App

    async def learner(pilot) -> None:
        await wait_for_screen(pilot.app, pilot, "LessonScreen")
        await pilot.press("right", "q")

    def headless_run(self, **kwargs):
        return App.run(self, headless=True, size=BIG, auto_pilot=learner)

    monkeypatch.setattr(NnTuiApp, "run", headless_run)
    assert run_app([check_lesson], []) == 0
    assert ProgressStore().get("tiny-checks").step == 1


# -- self-checks -------------------------------------------------------------------------------

# tiny-checks with its two questions asked again before the train step: steps 5 and 6 (the ŷ
# question) and 7 (the choice), so each case of the walk below starts at an unanswered one.
def _step_text(start: str) -> str:
    begin = CHECK_LESSON.index(start)
    return CHECK_LESSON[begin:CHECK_LESSON.index("[[steps]]", begin + 1)]


_TRAIN_STEP = CHECK_LESSON.index('[[steps]]\nkind = "train"')
CHECKS_AGAIN = (CHECK_LESSON[:_TRAIN_STEP]
                + 2 * _step_text('[[steps]]\nkind = "check"\ntitle = "Your turn"')
                + _step_text('[[steps]]\nkind = "check"\ntitle = "Which way"')
                + CHECK_LESSON[_TRAIN_STEP:])


async def not_a_number_wrong_hint_reveal(app, pilot, index: int) -> None:
    """At an unanswered ŷ question, step ``index``."""
    await goto_step(app, pilot, index)
    answer_box = app.screen.query_one("#check-input", Input)
    assert app.focused is answer_box
    record = lambda: saved(app).get("tiny-checks").check(index)  # noqa: E731

    await pilot.press(*"abc", "enter")
    await pilot.pause()
    assert "not a number" in feedback(app)
    assert record().attempts == 0

    # (0.5 would be w·x without the bias: a recognised mistake, not a plain miss.)
    await pilot.press(*"0.6", "enter")
    await pilot.pause()
    assert "too low" in feedback(app)
    assert "Multiply w by x" in feedback(app)  # the first hint comes with a miss
    assert record().attempts == 1
    assert not app.screen.query_one("CheckArea").can_reveal

    await pilot.press(*"3/2", "enter")
    await pilot.pause()
    assert "too high" in feedback(app)
    assert record().attempts == 2
    assert "press r" in feedback(app).lower()

    await pilot.press("r")
    await pilot.pause()
    assert "The answer: 0.7500" in feedback(app)
    assert "ŷ = w·x + b" in feedback(app)
    assert record().revealed and not record().correct


async def right_answer_then_the_choices(app, pilot, index: int) -> None:
    """At an unanswered ŷ question, step ``index``, the choice question next."""
    await goto_step(app, pilot, index)
    await pilot.press("h")
    await pilot.pause()
    assert "Hint 1/2" in feedback(app)
    await pilot.press(*".75", "enter")
    await pilot.pause()
    assert "Correct" in feedback(app)
    stored = saved(app).get("tiny-checks").check(index)
    assert stored.correct and stored.attempts == 1

    await pilot.press("right")
    await settle(app, pilot)
    assert app.screen.view.index == index + 1
    await pilot.press("1")
    await pilot.pause()
    assert "not it" in feedback(app)
    await pilot.press("2")
    await pilot.pause()
    assert "Correct" in feedback(app)
    assert saved(app).get("tiny-checks").check(index + 1).correct


async def moving_on_from_an_unanswered_check_counts_as_skipped(app, pilot, index: int) -> None:
    """At an unanswered ŷ question, step ``index``."""
    await goto_step(app, pilot, index)
    await pilot.press("right")  # the empty answer box passes → on to the lesson
    await settle(app, pilot)
    assert app.screen.view.index == index + 1
    # Saved with the step reached, within LessonScreen.save_delay (not an fsync on every →).
    await wait_until(pilot, lambda: saved(app).get("tiny-checks").check(index).skipped,
                     "the skip is saved")


async def test_self_checks_at_both_sizes(tmp_path, quick_saves):
    cases = Cases()
    app = make_app(write_lesson(tmp_path, CHECKS_AGAIN, "tiny.toml"))
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        assert [step.title for step in app.screen.session.steps][2:8] == [
            "Your turn", "Which way", "Your turn", "Your turn", "Which way", "Train"]
        with cases("not a number, wrong, a hint, the reveal at 120×40"):
            await not_a_number_wrong_hint_reveal(app, pilot, 2)
        with cases("moving on from an unanswered question counts as skipped"):
            await moving_on_from_an_unanswered_check_counts_as_skipped(app, pilot, 4)
        await resize_to(app, pilot, SMALL)
        with cases("a hint, the right answer, then a choice wrong and right, at 80×24"):
            await right_answer_then_the_choices(app, pilot, 5)
    cases.check()


# -- training ----------------------------------------------------------------------------------


async def wait_for_epochs(screen, pilot, epochs: int) -> None:
    """Until the header says the run is at ``epochs`` (as a learner reads it)."""
    await wait_until(pilot, lambda: f"epoch {epochs} of " in screen.query_one(HeaderBar).status,
                     f"training reaches epoch {epochs}")


async def test_leaving_the_step_cancels_training_and_q_answers_while_training(check_lesson):
    app = make_app(check_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await goto_step(app, pilot, 4)
        screen = app.screen
        runner = screen.query_one("TrainingRun")
        await pilot.press("full_stop")
        await wait_for_epochs(screen, pilot, 1)
        assert runner.active and runner.paused
        await pilot.press("left")
        await settle(app, pilot)
        assert not runner.active
        assert screen.view.index == 3
        await goto_step(app, pilot, 4)
        await pilot.press("space", "q")
        await pilot.pause()
    assert app.return_code == 0


async def test_diverging_training_stops_with_a_reason(diverging_lesson):
    app = make_app(diverging_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await goto_step(app, pilot, 1)
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "diverged" in header(app)
        # The reason, in full, is in the Loss pane.
        await redraw_loss(app, pilot)
        reason = text_of(app.screen.query_one("#loss-summary", Static))
        assert "learning rate" in reason and "η = 50" in reason


# -- progress ----------------------------------------------------------------------------------


async def test_progress_saved_and_resume_offered(check_lesson):
    app = make_app(check_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await pilot.press("right", "right")
        await settle(app, pilot)
        await pilot.press("escape", "escape")  # leave the answer box, then the lesson
        await wait_for_screen(app, pilot, "PickerScreen")
        assert saved(app).get("tiny-checks").step == 2
        assert "steps 3/5" in "\n".join(str(app.screen.query_one(OptionList)
                                             .get_option_at_index(i).prompt)
                                         for i in range(app.screen.query_one(OptionList)
                                                        .option_count))
    app = make_app(check_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "ResumeDialog")
        await pilot.press("enter")
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        assert app.screen.view.index == 2
    app = make_app(check_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "ResumeDialog")
        await pilot.press("s")
        await wait_for_screen(app, pilot, "LessonScreen")
        assert app.screen.view.index == 0


async def test_corrupt_progress_file_is_moved_aside_with_a_notice(isolated_home):
    isolated_home.mkdir(parents=True)
    (isolated_home / "progress.json").write_text("{ not json", encoding="utf-8")
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        messages = notices(app)
        assert any("damaged" in message for message in messages)
        await pilot.press("q")
    assert list(isolated_home.glob("progress.json.corrupt-*"))
    json.loads((isolated_home / "progress.json").read_text(encoding="utf-8"))


# -- sizes, help, palette ----------------------------------------------------------------------


# -- small terminals and the key bar ---------------------------------------------------------


def visible_panes(app) -> list[str]:
    return [pane.border_title for pane in app.screen.query(".pane") if pane.display]


async def test_header_keeps_the_status_whole_and_shortens_the_title():
    from textual.app import App

    class HeaderApp(App):
        def compose(self):
            yield HeaderBar("nn-tui · A rather long lesson title that cannot fit beside it")

    app = HeaderApp()
    async with app.run_test(size=(70, 3)) as pilot:
        bar = app.query_one(HeaderBar)
        bar.set_status("step 18 of 20 · epoch 6000 of 6000 · finished")
        await pilot.pause()
        line = str(bar.render())
        assert line.endswith("step 18 of 20 · epoch 6000 of 6000 · finished")
        assert line.startswith("nn-tui ·") and "…" in line
        assert len(line) == bar.content_region.width
        # A status wider than the line leaves the title its minimum and ends in an ellipsis.
        bar.set_status("x" * 80)
        await pilot.pause()
        line = str(bar.render())
        assert len(line) <= bar.content_region.width and line.rstrip().endswith("…")


# -- one tiny-checks app: the palette, a training run, its plot at both sizes --------------------


async def palette_goes_to_step_5(app, pilot) -> None:
    screen = app.screen
    await run_palette_command(app, pilot, "go to step 5")  # (searched at once, not key by key)
    await settle(app, pilot)
    assert screen.view.index == 4


async def palette_hides_the_weights_pane(app, pilot) -> None:
    screen = app.screen
    await run_palette_command(app, pilot, "hide the weights pane")
    assert screen.query_one("#pane-weights").display is False


async def training_start_pause_one_epoch_and_finish(app, pilot) -> None:
    """At the train step (5 of 5), before any run."""
    screen = app.screen
    runner = screen.query_one("TrainingRun")
    # Before the run, the Loss pane says how to start it and how long it is.
    summary = screen.query_one("#loss-summary", Static)
    assert "Ready to train 300 epochs: press space to start" in text_of(summary)
    await pilot.press("full_stop")
    await wait_for_epochs(screen, pilot, 1)
    assert runner.paused
    assert "press space" not in text_of(summary)  # gone with the run's first message
    await pilot.press("full_stop")
    await wait_for_epochs(screen, pilot, 2)
    assert runner.paused
    await pilot.press("space")  # resume, run to the end
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert "epoch 300 of 300" in header(app) and "finished" in header(app)
    await redraw_loss(app, pilot)
    assert "press space" not in text_of(summary) and "✓ done" in text_of(summary)
    outcome = screen.session.training_outcomes(4)[0]
    assert outcome.epochs_run == 300
    assert outcome.history[-1] < outcome.history[0]


async def loss_plot_keeps_a_readable_width_beside_the_numbers(app, pilot) -> None:
    """At the train step after its run, at the terminal's size now."""
    from textual.geometry import Region

    from nn_tui.ui.panes.loss import TITLED_PLOT_ROWS

    await redraw_loss(app, pilot)  # mounts and draws the plot
    pane = app.screen.query_one("#pane-loss")
    plot = pane.query_one("#loss-plot")
    assert plot.display and plot.size.width >= pane.content_region.width // 4
    # This short a plot gives its axis-title row to the curves.
    assert plot.size.height < TITLED_PLOT_ROWS
    drawn = "\n".join(strip.text for strip in plot.render_lines(Region(0, 0, *plot.size)))
    assert "epoch" not in drawn
    assert drawn.count("┤") == 3  # three evenly spaced loss ticks: 0, middle, top


async def test_palette_training_and_its_plot_at_both_sizes(check_lesson):
    cases = Cases()
    app = make_app(check_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        with cases("the command palette goes to step 5"):
            await palette_goes_to_step_5(app, pilot)
        await goto_step(app, pilot, 4)
        with cases("training: started paused, one epoch at a time, then to the end"):
            await training_start_pause_one_epoch_and_finish(app, pilot)
        with cases("the loss plot at 120×40"):
            await loss_plot_keeps_a_readable_width_beside_the_numbers(app, pilot)
        await resize_to(app, pilot, SMALL)
        with cases("the loss plot at 80×24"):
            await loss_plot_keeps_a_readable_width_beside_the_numbers(app, pilot)
        # Last: a hidden Weights pane changes the wide grid the plot above is checked in.
        await resize_to(app, pilot, BIG)
        with cases("the command palette hides the Weights pane"):
            await palette_hides_the_weights_pane(app, pilot)
    cases.check()


# -- one xor app: a question about the runs, at both sizes, the Loss pane shown and hidden -------


def first_question_about_runs(session) -> int:
    return next(i for i in range(session.total) if session.asks_about_training(i))


async def question_keeps_the_runs_losses_in_view(app, pilot, size) -> None:
    """Arriving at the question at ``size`` (the terminal's size now)."""
    screen = app.screen
    question = first_question_about_runs(screen.session)
    await goto_step(app, pilot, question)
    await settle(app, pilot)
    check, loss = screen.query_one("#check"), screen.query_one("#pane-loss")
    assert check.display and loss.display
    summary = text_of(screen.query_one("#loss-summary", Static))
    # xor asks it as a prediction, before the race: no run's outcome is in view yet
    # (tests/ui/test_run_outcomes_hidden_ui.py), the Loss pane keeps its place beside it.
    assert screen.session.predicted_run(question) == question + 1
    assert "0.003382" not in summary and "0.6931" not in summary
    if size == BIG:
        # With no gradients to show yet, the Check box takes the Gradients pane's place
        # and the Loss pane keeps its whole row (its size and its plot) under it.
        assert not screen.query_one("#pane-gradients").display
        assert check.region.bottom <= loss.region.y and loss.region.width > check.region.width
    else:
        # The Loss pane takes the detail slot; t still reaches the other panes, and back.
        assert visible_panes(app) == ["Lesson", "Loss"]
        seen = []
        for _ in range(5):
            await pilot.press("t")
            await pilot.pause()
            seen.append([t for t in visible_panes(app) if t != "Lesson"])
        assert seen[-1] == ["Loss"] and ["Forward pass"] in seen
    # The next step, not a question, gives the row back to the Loss pane alone.
    await goto_step(app, pilot, question + 1)
    assert not check.display and loss.display


def hidden_loss_pane_stays_hidden(app, size) -> None:
    """At the question, the Loss pane hidden, at ``size`` (the terminal's size now)."""
    screen = app.screen
    check = screen.query_one("#check")
    assert check.display and not screen.query_one("#pane-loss").display
    if size == BIG:
        assert check.styles.column_span == 2  # the whole bottom row, no empty half
    else:
        assert len(visible_panes(app)) == 2  # Lesson and a detail pane, no empty slot


async def test_a_question_about_the_runs_at_both_sizes_loss_pane_shown_and_hidden():
    cases = Cases()
    app = make_app(bundled_lessons_dir() / "xor.toml")
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        screen = app.screen
        question = first_question_about_runs(screen.session)
        with cases("the runs' losses in view at the question, 120×40"):
            await question_keeps_the_runs_losses_in_view(app, pilot, BIG)
        await resize_to(app, pilot, SMALL)
        with cases("the runs' losses in view at the question, 80×24"):
            await question_keeps_the_runs_losses_in_view(app, pilot, SMALL)
        # The Loss pane hidden away from the question, then the question reached again.
        await goto_step(app, pilot, 0)
        screen.toggle_pane("pane-loss")
        await goto_step(app, pilot, question)
        with cases("a hidden Loss pane stays hidden at the question, 80×24"):
            hidden_loss_pane_stays_hidden(app, SMALL)
        await resize_to(app, pilot, BIG)
        with cases("a hidden Loss pane stays hidden at the question, 120×40"):
            hidden_loss_pane_stays_hidden(app, BIG)
    cases.check()
