"""Issue 9, the tutor's behaviour: lesson text shown literally (6, 7), long work that stops at
once (10), keys while typing an answer (14), the end of a lesson (16), screens torn down
under a binding check (18), and nothing slow on Enter (19)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.binding import Binding
from textual.keys import key_to_character
from textual.widgets import Input, OptionList, Static

import nn_tui.engine.network as network_module
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.progress import ProgressStore
from nn_tui.ui.app import NnTuiApp
from nn_tui.ui.literal import clean, clean_tree
from nn_tui.ui.screens.lesson import LessonScreen
from nn_tui.ui.widgets.check import MAX_ANSWER_LENGTH, AnswerInput
from nn_tui.ui.perf.header import HeaderBar
from lesson_files import lesson_text, write_lesson
from ui_helpers import (Cases, goto_step, make_app, no_rendering_ahead, open_at, resize_to,  # noqa: F401
                        screen_text, settle, wait_for_screen)

BIG = (120, 40)
SMALL = (80, 24)

# Every text field holds something Rich or Textual markup would eat or choke on.
MARKUP = "[b]W[i][j][/b] [/notes/week2] [@click=app.quit]x[/]"
# The tiny-checks unit, with every text of the lesson, its variant and its steps (a step of
# each kind the fixture has) holding MARKUP.
MARKUP_LESSON = lesson_text(
    "tiny-checks",
    lesson={"id": "markup", "title": f"The weight W[i][j] {MARKUP}",
            "summary": f"Summary {MARKUP}"},
    network={"inputs": ["x[i]"], "outputs": ["[b]y"]},
    data={"rows": [[1.0, 2.0], [2.0, 4.0]]}, training={"epochs": 20},
    variants=[{"id": "other", "label": f"Variant {MARKUP}",
               "layers": [{"units": 1, "activation": "identity", "weights": [[1.0]],
                           "bias": [0.0]}]}],
    steps=f'''
[[steps]]
kind = "text"
title = "Text {MARKUP}"
text = "Body {MARKUP}"

[[steps]]
kind = "forward"
title = "Forward {MARKUP}"
text = "Forward body {MARKUP}"

[[steps]]
kind = "check"
title = "Check {MARKUP}"
prompt = "Prompt {MARKUP}"
answer = "output[0]"
hints = ["Hint {MARKUP}"]
explanation = "Explanation {MARKUP}"

[[steps]]
kind = "check"
title = "Choice {MARKUP}"
prompt = "Choose {MARKUP}"
answer = "1"
choices = [{{ text = "Choice A {MARKUP}", value = 0 }}, {{ text = "Choice B {MARKUP}", value = 1 }}]
explanation = "Because {MARKUP}"

[[steps]]
kind = "train"
title = "Train {MARKUP}"
text = "Train body {MARKUP}"
variants = ["main", "other"]
''')

CHECK_LESSON = lesson_text("tiny-checks", lesson={"id": "tiny-keys", "title": "Tiny keys",
                                                  "summary": None}, steps="""
[[steps]]
kind = "text"
title = "Hello"
text = "A single linear unit."

[[steps]]
kind = "check"
title = "Your turn"
prompt = "What is the output ŷ?"
answer = "output[0]"
hints = ["Multiply w by x, then add b."]

[[steps]]
kind = "check"
title = "Which way"
prompt = "Is ŷ above the target?"
answer = "1"
choices = [{ text = "yes", value = 0 }, { text = "no, below", value = 1 }]

[[steps]]
kind = "train"
title = "Train"
text = "Gradient descent."

[[steps]]
kind = "text"
title = "After"
text = "Trained."
""")


def slow_lesson(epochs: int = 2000) -> str:
    """A small lesson (few rows, few epochs: within any work budget) whose training is made
    slow by ``slow_gradients``; the steps after its train step need that training."""
    return lesson_text(
        "tiny-checks", lesson={"id": "slow", "title": "Slow", "summary": None},
        network={"learning_rate": 0.01, "layers": {0: {"bias": [0.0]}}},
        data={"rows": [[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]]},
        training={"epochs": epochs, "batch_size": 1}, steps="""
[[steps]]
kind = "text"
title = "Start"
text = "Before."

[[steps]]
kind = "train"
title = "Train"
text = "Slow."

[[steps]]
kind = "text"
title = "After 1"
text = "After."

[[steps]]
kind = "text"
title = "After 2"
text = "The end."
""")


@pytest.fixture
def markup_lesson(tmp_path) -> Path:
    return write_lesson(tmp_path, MARKUP_LESSON, "markup.toml")


@pytest.fixture
def check_lesson(tmp_path) -> Path:
    return write_lesson(tmp_path, CHECK_LESSON, "tiny.toml")


@pytest.fixture
def slow_gradients(monkeypatch):
    """Once ``.enabled`` is set, every gradient pass sleeps a millisecond: a train step takes
    many seconds. Tests set it after the lesson opened, so opening (which replays the lesson to
    check it, training a capped number of mini-batches) stays quick."""
    original = network_module.Network.gradients
    switch = SimpleNamespace(enabled=False)

    def gradients(self, *args, **kwargs):
        if switch.enabled:
            time.sleep(0.001)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(network_module.Network, "gradients", gradients)
    return switch


@pytest.fixture
def slow_path(tmp_path) -> Path:
    path = tmp_path / "slow.toml"
    path.write_text(slow_lesson(), encoding="utf-8")
    return path


def header(app) -> str:
    return app.screen.query_one(HeaderBar).status


def training_threads() -> list[threading.Thread]:
    """Threads that are inside the engine's training loop right now."""
    frames = sys._current_frames()
    busy = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident)
        while frame is not None:
            if frame.f_code.co_filename.endswith(("engine/training.py", "engine/network.py")):
                busy.append(thread)
                break
            frame = frame.f_back
    return busy


async def wait_until(pilot, condition, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        if pilot is not None:  # (every 2 ms, as ui_helpers.wait_until: no 20 ms steps idle)
            await pilot.pause(0.002)
        else:
            time.sleep(0.002)


def wait_for_no_training(timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while training_threads():
        assert time.monotonic() < deadline, "training still runs after the tutor stopped it"
        time.sleep(0.002)


# -- 6 and 7: lesson text is data ---------------------------------------------------------------


def test_clean_makes_control_characters_visible():
    assert clean("plain [b] text") == "plain [b] text"
    assert clean("a\nb\tc") == "a\nb\tc"
    hostile = "T\x1b]2;HIJACKED\x1b\\ \x1b[2J \x07 \x9b \x7f"
    cleaned = clean(hostile)
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in cleaned)
    assert "␛]2;HIJACKED" in cleaned


def test_the_lesson_entering_the_ui_is_cleaned_deeply(markup_lesson, tmp_path):
    lesson = load_lesson(markup_lesson)
    import dataclasses

    hostile = dataclasses.replace(
        lesson, title="T\x1b]2;X\x07",
        steps=(dataclasses.replace(lesson.steps[0], title="S\x1b[2J"), *lesson.steps[1:]))
    cleaned = clean_tree(hostile)
    assert "\x1b" not in cleaned.title and "\x1b" not in cleaned.steps[0].title
    assert cleaned.steps[1] is hostile.steps[1]  # what is clean is kept as it is
    assert clean_tree(lesson) is lesson


async def test_markup_like_text_is_shown_literally_everywhere(markup_lesson):
    app = make_app(markup_lesson)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        screen = app.screen
        assert "W[i][j]" in screen_text(app)  # the header
        for index in range(screen.session.total):
            screen.go(index)
            await settle(app, pilot)
            text = screen_text(app)
            step = screen.session.steps[index]
            assert step.title.split(" ")[0] in text
            assert "[/notes/week2]" in text, f"step {index}"
            if step.kind == "check" and not step.choices:
                await pilot.press("h")
                await pilot.pause()
                assert "Hint [b]W[i][j][/b]" in screen_text(app)
                await pilot.press(*"0.75", "enter")
                await pilot.pause()
                assert "Explanation [b]W[i][j][/b]" in screen_text(app)
            if step.choices:
                assert "Choice A [b]W[i][j][/b]" in text
                await pilot.press("2")
                await pilot.pause()
                assert "Because [b]W[i][j][/b]" in screen_text(app)
            if step.kind == "train":
                await pilot.press("space")
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert "Variant [b]W[i][j][/b]" in screen_text(app)
        # The command palette: discovery, then a search (highlighted hits).
        await pilot.press("ctrl+p")
        await wait_for_screen(app, pilot, "CommandPalette")
        palette = app.screen

        def offered(words: str) -> bool:
            # (Waited for in the palette's list, cheaply; then the screen is read once.)
            options = palette.query_one(OptionList)
            return any(words in str(options.get_option_at_index(i).prompt)
                       for i in range(options.option_count))

        await wait_until(pilot, lambda: offered("Go to step 1:"), "the palette's commands",
                         timeout=10)
        await pilot.pause()
        assert "Go to step 1: Text [b]W[i][j][/b]" in screen_text(app)
        # (Searched at once, not key by key: the hits are the subject, not the typing.)
        palette.query_one(Input).value = "weight"
        # (The lesson's summary is the help line of the hit that opens it.)
        await wait_until(pilot, lambda: offered("Summary [b]W[i][j][/b]"),
                         "the palette's hits for 'weight'", timeout=10)
        await pilot.pause()
        text = screen_text(app)
        assert "The weight W[i][j]" in text
        assert "Summary [b]W[i][j][/b] [/notes/week2]" in text
        await pilot.press("escape")
        await pilot.pause()
        # The picker's list.
        await wait_for_screen(app, pilot, "LessonScreen")
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        await pilot.press(*"markup")
        await pilot.pause()
        assert "Summary [b]W[i][j][/b] [/notes/week2] [@click=app.quit]x[/]" in screen_text(app)
        assert app.is_running


async def test_markup_in_a_broken_file_and_its_problems_is_literal(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "[b]bad[i].toml").write_text('[lesson]\nid = "x"\ntitle = "[/x] t"\n'
                                            '"[/oops]" = 1\n', encoding="utf-8")
    app = make_app(folder)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        assert "[b]bad[i].toml (broken)" in screen_text(app)
        await pilot.press("enter")
        await wait_for_screen(app, pilot, "ErrorScreen")
        assert "[b]bad[i].toml" in screen_text(app)
        assert "lesson.[/oops]" in screen_text(app)  # the key, quoted in the problem table


def _hostile_lessons(tmp_path) -> Path:
    """A folder with a lesson whose titles and prompt hold ESC/BEL sequences (a window-title
    hijack, a screen wipe, a bell and a colour), and a broken file whose name holds one."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    # (TOML escapes: the file holds ESC itself once parsed.)
    title = "Hijack \\u001b]2;HIJACKED\\u001b\\\\ me \\u001b[2J"
    text = CHECK_LESSON.replace('title = "Tiny keys"', f'title = "{title}"').replace(
        'title = "Hello"', 'title = "Wipe \\u001b[2J"').replace(
        'prompt = "What is the output ŷ?"', 'prompt = "Bell \\u0007 \\u001b[31m red"')
    (folder / "hostile.toml").write_text(text, encoding="utf-8")
    (folder / "name\x1b[2Jx.toml").write_text("not toml [", encoding="utf-8")
    return folder


async def _open_each_entry(app, pilot) -> list[str]:
    """The lesson list once it is filled, then every entry of it opened in turn (a lesson
    walked through every step): what was on screen each time, named."""
    await wait_for_screen(app, pilot, "PickerScreen")
    await settle(app, pilot)
    shown: list[tuple[str, str]] = [("the lesson list", screen_text(app))]
    option_list = app.screen.query_one(OptionList)
    for number in range(option_list.option_count):
        option_list.highlighted = number
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ != "PickerScreen",
                         "the entry opened", timeout=10)
        await settle(app, pilot)
        shown.append((f"entry {number + 1} ({type(app.screen).__name__})", screen_text(app)))
        if isinstance(app.screen, LessonScreen):
            for index in range(app.screen.session.total):
                app.screen.go(index)
                await settle(app, pilot)
                shown.append((f"entry {number + 1} step {index + 1}", screen_text(app)))
            await pilot.press("escape")
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
    return shown


async def test_control_characters_in_a_lesson_file_are_refused_and_shown_escaped(tmp_path):
    """The loader refuses a lesson with control characters: it is listed as broken, and
    neither the list, its error screen nor a file name with ESC in it sends one to the
    terminal."""
    app = make_app(_hostile_lessons(tmp_path))
    async with app.run_test(size=BIG) as pilot:
        shown = await _open_each_entry(app, pilot)
    assert "hostile.toml (broken)" in shown[0][1]
    # The list, then both entries' error screens: hostile.toml's first, naming the problem.
    assert [where for where, _text in shown] == [
        "the lesson list", "entry 1 (ErrorScreen)", "entry 2 (ErrorScreen)"]
    assert "hostile.toml" in shown[1][1]
    assert "contains the control character" in shown[1][1], shown[1][1]
    found = [where for where, text in shown if "\x1b" in text or "\x07" in text]
    assert not found, found


async def test_control_characters_that_reach_the_tutor_are_drawn_as_pictures(tmp_path,
                                                                             monkeypatch):
    """Behind the loader, the tutor cleans what it shows (nn_tui.ui.literal.clean): a lesson
    let through with control characters (the loader's check turned off here) is listed,
    opened and walked through every step with each one drawn as its picture (␛, ␇), never
    sent to the terminal."""
    import nn_tui.lessons.loader as loader_module

    monkeypatch.setattr(loader_module, "_control_character", lambda text: None)
    app = make_app(_hostile_lessons(tmp_path))
    async with app.run_test(size=BIG) as pilot:
        shown = await _open_each_entry(app, pilot)
    assert "Hijack ␛]2;HIJACKED" in shown[0][1]
    texts = dict(shown)
    # The hostile lesson is listed first and walked through all 5 steps; the file whose name
    # has an ESC in it is the broken entry after it.
    assert list(texts) == ["the lesson list", "entry 1 (LessonScreen)",
                           *(f"entry 1 step {number}" for number in range(1, 6)),
                           "entry 2 (ErrorScreen)"], list(texts)
    lesson_steps = [text for where, text in shown if " step " in where]
    assert any("Wipe ␛[2J" in text for text in lesson_steps)
    assert any("Bell ␇ ␛[31m red" in text for text in lesson_steps)
    found = [where for where, text in shown if "\x1b" in text or "\x07" in text]
    assert not found, found


# -- 10: long work stops at once ---------------------------------------------------------------


async def test_q_while_preparing_exits_and_stops_the_training(slow_path, slow_gradients):
    app = make_app(slow_path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        slow_gradients.enabled = True
        await pilot.press("end")
        await wait_until(pilot, lambda: "preparing" in header(app) and training_threads(),
                         "the preparation training")
        assert "preparing" in header(app)
        assert training_threads(), "the preparation should be training"
        started = time.monotonic()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    wait_for_no_training()
    assert time.monotonic() - started < 3


async def test_left_while_preparing_abandons_it_and_steps_back(slow_path, slow_gradients):
    app = make_app(slow_path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        slow_gradients.enabled = True
        screen = app.screen
        await pilot.press("right")  # the train step (its own view needs no training)
        await settle(app, pilot)
        assert screen.view.index == 1
        await pilot.press("end")
        await wait_until(pilot, lambda: "preparing" in header(app), "the preparation")
        assert "preparing" in header(app)
        await pilot.press("left")
        await pilot.pause()
        assert "preparing" not in header(app)
        assert screen.view.index == 1 and not screen.steps.busy
        wait_for_no_training()
        # The session is still whole: the same preparation can be asked for again.
        await pilot.press("home")
        await pilot.pause()
        assert screen.view.index == 0
        await pilot.press("end")
        await wait_until(pilot, lambda: "preparing" in header(app), "the preparation again")
        assert "preparing" in header(app)
        await pilot.press("home")  # a ready step: shown at once
        await pilot.pause()
        assert screen.view.index == 0 and "preparing" not in header(app)
        wait_for_no_training()


async def test_escape_while_preparing_or_training_stops_the_work(slow_path, slow_gradients):
    app = make_app(slow_path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        slow_gradients.enabled = True
        await pilot.press("end")
        await wait_until(pilot, training_threads, "the preparation training")
        assert training_threads()
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        wait_for_no_training()
        # Live training, then Escape.
        entry = next(info.entry for info in app.catalog if info.entry.id == "slow")
        app.open_lesson(entry, 1)
        await wait_for_screen(app, pilot, "LessonScreen")
        await pilot.press("space")
        await wait_until(pilot, lambda: training_threads(), "the live run")
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        wait_for_no_training()
        assert app.is_running


def test_a_cancelled_replay_leaves_the_session_usable(tmp_path):
    from nn_tui.engine.training import TrainingCancelled
    from nn_tui.lessons.session import LessonSession

    file = tmp_path / "slow.toml"
    file.write_text(slow_lesson(epochs=50), encoding="utf-8")
    session = LessonSession(load_lesson(file))
    calls = []

    def cancel_soon() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(TrainingCancelled):
        session.view(3, cancelled=cancel_soon)
    assert session.needs_training(3)
    view = session.view(3)  # not cancelled: trains to the end
    assert view.epochs_trained == 50


# -- 14: keys while typing ---------------------------------------------------------------------


def printable_binding_keys() -> list[str]:
    keys = set()
    for binding in [*LessonScreen.BINDINGS, *NnTuiApp.BINDINGS]:
        assert isinstance(binding, Binding)
        for key in binding.key.split(","):
            character = key_to_character(key)
            if character is not None and character.isprintable():
                keys.add(key)
    return sorted(keys)


async def test_the_help_says_how_keys_work_in_the_answer_box():
    from nn_tui.ui.screens.help import HELP

    assert "answer box" in HELP and "empty" in HELP
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "empty" in readme and "answer box" in readme


# -- 16: the end of a lesson -------------------------------------------------------------------


async def test_right_on_the_last_step_shows_the_end_and_opens_the_next_lesson(tmp_path):
    folder = tmp_path / "course"
    folder.mkdir()
    first = CHECK_LESSON.replace('title = "Tiny keys"', 'title = "Tiny keys"\norder = 1')
    (folder / "a.toml").write_text(first, encoding="utf-8")
    second = first.replace('id = "tiny-keys"', 'id = "tiny-next"').replace(
        'title = "Tiny keys"', 'title = "Tiny [b]next[/b]"').replace("order = 1", "order = 2")
    (folder / "b.toml").write_text(second, encoding="utf-8")
    app = make_app(folder)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        await pilot.press("enter")
        await wait_for_screen(app, pilot, "LessonScreen")
        screen = app.screen
        assert screen.lesson.id == "tiny-keys"
        screen.go(1)
        await settle(app, pilot)
        await pilot.press(*"0.75", "enter")  # right first time
        await pilot.pause()
        screen.go(screen.session.total - 1)
        await settle(app, pilot)
        await pilot.press("right")
        await wait_for_screen(app, pilot, "LessonEndScreen")
        text = screen_text(app)
        assert "End of the lesson" in text and "Tiny keys" in text
        assert "the last of the lesson's 5 steps" in text
        assert "1 right first time" in text and "1 not answered" in text
        assert "Escape" in text
        following = app.screen.following
        assert following is not None and following.id == "tiny-next"
        assert "Next lesson: Tiny [b]next[/b]" in text
        # ← returns to the last step; → shows the end again; Enter opens the next lesson.
        await pilot.press("left")
        await wait_for_screen(app, pilot, "LessonScreen")
        assert app.screen.view.index == 4
        await pilot.press("right")
        await wait_for_screen(app, pilot, "LessonEndScreen")
        await pilot.press("enter")
        await wait_for_screen(app, pilot, "LessonScreen")
        assert app.screen.lesson.id == following.id
        assert len(app.screen_stack) == 3  # default, picker, the new lesson
        assert ProgressStore().get("tiny-keys").done


# -- 18: screens torn down under a binding check -----------------------------------------------


async def test_tab_then_escape_at_each_kind_of_question_of_every_bundled_lesson(no_rendering_ahead):
    # One app walks every bundled lesson (the picker, its catalogue and the app start are the
    # same for every lesson); each failure names the lesson and the step. No step after a
    # question is rendered ahead: the walk never goes there.
    from nn_tui.lessons.session import LessonSession

    names = sorted(path.name for path in bundled_lessons_dir().glob("*.toml"))
    app = make_app(bundled_lessons_dir())
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        entries = {info.entry.path.name: info.entry for info in app.catalog}
        visited = []
        for name in names:
            entry = entries[name]
            session = LessonSession(entry.lesson)
            # One question of each kind (a typed number, a choice) per lesson: what Tab focuses
            # and what the teardown must not trip on differ by kind, not from question to question.
            questions = {}
            for index, step in enumerate(session.steps):
                if step.kind == "check":
                    questions.setdefault(bool(step.choices), index)
            for index in sorted(questions.values()):
                app.open_lesson(entry, index)
                await wait_for_screen(app, pilot, "LessonScreen")
                await settle(app, pilot)
                await pilot.press("tab", "escape", "escape")
                try:
                    await wait_for_screen(app, pilot, "PickerScreen")
                except AssertionError as error:
                    raise AssertionError(f"{name} step {index + 1}: {error}") from None
                assert app.is_running, (name, index)
                visited.append((name, index))
        assert visited, "no bundled lesson has a question"


# -- 19: nothing slow on Enter ----------------------------------------------------------------


def test_the_engine_stops_between_mini_batches_when_asked():
    import numpy as np

    from nn_tui.engine import Network
    from nn_tui.engine.training import Trainer, TrainingCancelled

    network = Network.build([1, 1], ["identity"], "mse", 0.01, "mean", seed=0)
    X, Y = np.arange(8.0).reshape(8, 1), 2 * np.arange(8.0).reshape(8, 1)
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3

    trainer = Trainer(network, X, Y, batch_size=1, should_stop=stop)
    with pytest.raises(TrainingCancelled):
        trainer.run(1000)
    assert trainer.epoch == 0  # stopped inside the first epoch, after three mini-batches
    full = Trainer(network.copy(), X, Y, should_stop=stop)
    with pytest.raises(TrainingCancelled):
        full.run(1000)
    # Without a stop check the run is unchanged.
    assert Trainer(network.copy(), X, Y).run(5)


def burst(app, *keys: str) -> None:
    """Keys arriving in one burst, as from a fast typist, an unbracketed paste or a slow link:
    all reach the app before any is handled (``pilot.press`` waits after each key)."""
    from textual import events

    for key in keys:
        app.post_message(events.Key(key, key_to_character(key)))


BURSTS = [("1", "2", "h"), ("3", "n"), ("1", "p"), ("x", "7", "t"), ("x", "q"),
          ("5", "question_mark", "r")]


async def test_end_then_left_in_one_burst_run_in_that_order(slow_path, slow_gradients):
    """End starts preparing the last step; a ← right behind it abandons that preparation (a
    focused pane used to take End to scroll and hand it on after the ←)."""
    app = make_app(slow_path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        slow_gradients.enabled = True
        screen = app.screen
        burst(app, "end", "left")
        await settle(app, pilot)
        assert "preparing" not in header(app) and not screen.steps.busy
        assert screen.view.index < screen.session.total - 1


# -- one tiny-keys app: the answer box's keys (14), the end (16), a torn-down screen (18), a long
# answer (19) -------------------------------------------------------------------------------------
# One app, opened at the question (step 2) as from the command line, is walked through every case
# below in turn, each from the state a test of its own started in (the size, the step, an empty
# box); a failure names its case (ui_helpers.Cases).


async def every_printable_key_types_while_the_box_holds_text(app, pilot, screen) -> None:
    """At the unanswered question (step 2), 120×40, the cursor in its empty box."""
    keys = printable_binding_keys()
    assert {"n", "p", "h", "r", "q", "t", "question_mark", "space", "full_stop"} <= set(keys)
    box = screen.query_one(AnswerInput)
    for key in keys:
        box.value = ""
        await pilot.press("1", key)
        await pilot.pause()
        assert app.is_running and app.screen is screen, key
        assert screen.view.index == 1, key
        assert box.value == "1" + key_to_character(key), key
        assert app.focused is box, key
    # "nan" typed from an empty box: n moves on (the box was empty) and nothing else.
    box.value = ""
    await pilot.press("1", *"nan")
    await pilot.pause()
    assert box.value == "1nan" and screen.view.index == 1
    record = ProgressStore().get("tiny-keys").check(1)
    assert record.attempts == 0 and not record.skipped


async def typing_a_number_after_leaving_the_box_goes_back_into_it(app, pilot, screen) -> None:
    """At the question (step 2), the cursor in its empty box."""
    box = screen.query_one(AnswerInput)
    await pilot.press("escape")
    await pilot.pause()
    assert app.focused is not box and app.screen is screen
    await pilot.press("-", "0", ".", "5")
    await pilot.pause()
    assert app.focused is box and box.value == "-0.5"
    assert screen.view.index == 1


async def a_long_typed_answer_is_capped_and_answered_at_once(app, pilot, screen) -> None:
    """At the question (step 2), the cursor in its empty box."""
    box = screen.query_one(Input)
    await pilot.press(*"1234")  # typed, then (quicker than 200 more key presses) filled
    box.value = "1" * (MAX_ANSWER_LENGTH - 5)
    box.cursor_position = len(box.value)
    await pilot.press(*("1" * 25))  # typing past the cap
    assert len(box.value) == MAX_ANSWER_LENGTH
    box.value = "1" * 50 + "/" + "1" * 40 + " x"
    started = time.perf_counter()
    await pilot.press("enter")
    await pilot.pause()
    assert time.perf_counter() - started < 1.0
    assert "not a number" in str(screen.query_one("#check-feedback", Static).render())


async def arrows_edit_a_non_empty_box_and_step_from_an_empty_one(app, pilot, screen) -> None:
    """At the question (step 2), 80×24, the cursor in its empty box; ends at step 3."""
    box = screen.query_one(AnswerInput)
    await pilot.press(*"12")
    await pilot.press("left", "left")
    await pilot.pause()
    assert box.cursor_position == 0 and screen.view.index == 1
    await pilot.press("right", "end", "home")
    await pilot.pause()
    assert box.cursor_position == 0 and screen.view.index == 1
    await pilot.press("0")
    assert box.value == "012"
    # The key bar drops ←/→ stepping while the box holds text, and gives it back after.
    from nn_tui.ui.perf.keybar import KeyBar

    keys = screen.query_one(KeyBar).keys
    assert not any("Next" in key or "Quit" in key or "Hint" in key for key in keys)
    assert "esc Leave the box" in keys and "⏎ Check answer" in keys
    await pilot.press("backspace", "delete", "delete", "delete")
    await pilot.pause()
    assert box.value == ""
    assert any("Next" in key for key in screen.query_one(KeyBar).keys)
    # Empty: the lesson's keys work from the box.
    await pilot.press("h")
    await pilot.pause()
    assert "Hint 1/1" in str(screen.query_one("#check-feedback", Static).render())
    await pilot.press("right")
    await settle(app, pilot)
    assert screen.view.index == 2
    await pilot.press("left")
    await settle(app, pilot)
    assert screen.view.index == 1
    # Escape leaves a non-empty box; then the keys are the lesson's again.
    await pilot.press("5", "escape")
    await pilot.pause()
    assert not isinstance(app.focused, AnswerInput)
    await pilot.press("n")
    await settle(app, pilot)
    assert screen.view.index == 2


async def keys_in_one_burst_type_once_the_first_one_typed(app, pilot, screen) -> None:
    """Every burst in turn, each from the same start (the cursor in the empty box of the
    question); the failures name their bursts."""
    box = screen.query_one(AnswerInput)
    failed = []
    for keys in BURSTS:
        if screen.view.index != 1:  # (a failed burst stepped away; the walk's last case too)
            screen.go(1)
        box.value = ""
        box.focus()
        await settle(app, pilot)
        assert app.focused is box and box.value == "" and screen.view.index == 1, keys
        burst(app, *keys)
        await settle(app, pilot)
        typed = "".join(key_to_character(key) for key in keys)
        if not (app.is_running and app.screen is screen):
            failed.append(f"{keys}: left the lesson screen ({app.screen})")
            break
        hint = "Hint" in str(screen.query_one("#check-feedback", Static).render())
        if screen.view.index != 1 or box.value != typed or hint:
            failed.append(f"{keys}: step {screen.view.index + 1}, box {box.value!r}, "
                          f"hint shown: {hint}")
    assert not failed, "\n".join(failed)


async def keys_and_messages_after_the_screen_is_gone_do_nothing(app, pilot, screen) -> None:
    """At the question (step 2); leaves the lesson for the list."""
    await pilot.press("escape", "escape")
    await wait_for_screen(app, pilot, "PickerScreen")
    # Whatever Textual asks a dismissed screen must not raise.
    for action in ("reveal", "hint", "choose", "train", "next", "switch_detail"):
        screen.check_action(action, ())
    screen.action_hint()
    screen.action_reveal()
    screen.action_choose(1)
    screen.action_train()
    screen.go(2)
    screen.refresh_bindings()
    await pilot.pause()
    assert app.is_running


async def escape_at_the_end_returns_to_the_list(app, pilot) -> None:
    """At the last step (5)."""
    await pilot.press("right")
    await wait_for_screen(app, pilot, "LessonEndScreen")
    await pilot.press("escape")
    await wait_for_screen(app, pilot, "PickerScreen")


async def q_from_an_empty_box_quits(app, pilot) -> None:
    """At the question (step 2), the cursor in its empty box."""
    assert isinstance(app.focused, AnswerInput)
    await pilot.press("q")
    await pilot.pause()


async def test_the_answer_box_keys_the_end_and_a_torn_down_screen_in_one_walk(check_lesson):
    cases = Cases()
    app = make_app(check_lesson)
    async with app.run_test(size=BIG) as pilot:
        screen = await open_at(app, pilot, 1)
        entry = next(info.entry for info in app.catalog if info.entry.id == "tiny-keys")

        async def at_the_question(size) -> None:
            """Back at the question (step 2) at ``size``, its box empty and focused."""
            if tuple(app.size) != size:
                await resize_to(app, pilot, size)
            if screen.view.index != 1:
                await goto_step(app, pilot, 1)
            box = screen.query_one(AnswerInput)
            box.value = ""
            box.focus()
            await settle(app, pilot)

        # Each at the question, its box empty and focused, at its size (the first is there).
        at_the_box = [
            (BIG, every_printable_key_types_while_the_box_holds_text),
            (BIG, typing_a_number_after_leaving_the_box_goes_back_into_it),
            (BIG, a_long_typed_answer_is_capped_and_answered_at_once),
            (SMALL, arrows_edit_a_non_empty_box_and_step_from_an_empty_one),
            (SMALL, keys_in_one_burst_type_once_the_first_one_typed),
            (BIG, keys_and_messages_after_the_screen_is_gone_do_nothing),
        ]
        for number, (size, case) in enumerate(at_the_box):
            if number:
                await at_the_question(size)
            with cases(f"{case.__name__.replace('_', ' ')} ({size[0]}×{size[1]})"):
                await case(app, pilot, screen)
        # Each on the lesson opened again from the list at a step (the one before left it).
        for step, case in ((4, escape_at_the_end_returns_to_the_list),
                           (1, q_from_an_empty_box_quits)):
            with cases(f"{case.__name__.replace('_', ' ')} (120×40)"):
                await wait_for_screen(app, pilot, "PickerScreen")
                app.open_lesson(entry, step)
                await wait_for_screen(app, pilot, "LessonScreen")
                await settle(app, pilot)
                await case(app, pilot)
    with cases("q from an empty box quits (120×40)"):
        assert app.return_code == 0
    cases.check()
