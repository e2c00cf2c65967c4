"""The lesson screen's structure (issue 10): help generated from the screens' bindings, the
README's key tables in step with them, per-screen palette commands, and the picker's filter box
letting q and ? through only while it is empty (``check_consume_key``)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.ui.screens.help import binding_keys, help_text, key_label
from nn_tui.ui.screens.lesson import LessonScreen
from nn_tui.ui.screens.picker import PickerScreen
from ui_helpers import make_app, screen_text, settle, wait_for_screen, wait_until

BIG = (120, 40)
README = Path(__file__).resolve().parents[2] / "README.md"


def described(screen_class):
    return [binding for binding in screen_class.BINDINGS if binding.description]


def help_rows(text: str) -> dict[str, set[str]]:
    """What each table row of the help says → the keys in its first cell."""
    rows: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("| ") and len(cells) == 2 and cells[0] != "key":
            rows.setdefault(cells[1], set()).update(re.split(r" or | / | … |, ", cells[0]))
    return rows


def test_every_described_binding_is_in_the_help_with_its_text():
    rows = help_rows(help_text())
    for screen_class in (LessonScreen, PickerScreen):
        for binding in described(screen_class):
            text = binding.tooltip or binding.description
            assert text in rows, f"{screen_class.__name__}: {binding.action} not in the help"
            keys = {key_label(key) for key in binding.key.split(",")}
            if binding.action.startswith("choose("):  # one row: "1 … 9"
                keys &= {"1", "9"}
            assert keys <= rows[text], (binding.key, rows[text])


def test_a_binding_added_to_the_screen_appears_in_the_help(monkeypatch):
    from textual.binding import Binding

    extra = Binding("x", "frobnicate", "Frob", tooltip="frobnicate the weights")
    monkeypatch.setattr(LessonScreen, "BINDINGS", [*LessonScreen.BINDINGS, extra])
    assert "| x | frobnicate the weights |" in help_text()


def test_key_names_read_as_on_the_keyboard():
    assert key_label("question_mark") == "?"
    assert key_label("full_stop") == "."
    assert key_label("left_square_bracket") == "["
    assert binding_keys(LessonScreen.BINDINGS[2]) == "+ or = or ↑"


def readme_keys() -> set[str]:
    """Every key the README's key tables (under "In the tutor") name."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## In the tutor"):text.index("### Your progress")]
    keys: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| key") or line.startswith("| ---"):
            continue
        cell = line.split(" | ")[0].strip("| ").replace("`", "")
        for low, high in re.findall(r"(\d)…(\d)", cell):
            keys.update(str(digit) for digit in range(int(low), int(high) + 1))
        keys.update(token.strip("(),") for token in re.split(r"[\s/]+", cell))
    return keys


# The README writes these keys as a person types them.
README_SPELLING = {"−": "-", "Escape": "Esc"}


def test_the_readme_key_tables_list_every_key_of_the_lesson_screen():
    keys = readme_keys()
    missing = []
    for binding in described(LessonScreen):
        for key in binding.key.split(","):
            label = key_label(key)
            if README_SPELLING.get(label, label) not in keys:
                missing.append((label, binding.action))
    assert not missing, f"keys missing from the README's tables: {missing}"


async def test_the_picker_filter_lets_q_and_help_through_only_while_empty():
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        await pilot.press("a", "q", "question_mark")
        await pilot.pause()
        assert app.screen.query_one("#picker-filter").value == "aq?"
        assert type(app.screen).__name__ == "PickerScreen"
        await pilot.press("escape")  # clears the filter
        await pilot.pause()
        assert app.screen.query_one("#picker-filter").value == ""
        await pilot.press("question_mark")
        await wait_for_screen(app, pilot, "HelpScreen")
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


def offered(palette) -> str:
    """The prompts the command palette lists now, one a line."""
    from textual.widgets import OptionList

    options = palette.query_one(OptionList)
    return "\n".join(str(options.get_option_at_index(i).prompt)
                     for i in range(options.option_count))


async def palette_titles(app, pilot) -> str:
    """What the screen shows once the command palette lists its commands (waited for in the
    palette's list, then the screen read once: not the whole screen read every 20 ms)."""
    await pilot.press("ctrl+p")
    await wait_for_screen(app, pilot, "CommandPalette")
    palette = app.screen
    await wait_until(pilot, lambda: "Go to step" in offered(palette)
                     or "Open lesson" in offered(palette), "the palette lists its commands")
    await pilot.pause()
    return screen_text(app)


async def test_lesson_commands_are_offered_on_the_lesson_screen_only():
    psa = bundled_lessons_dir() / "psa-hidden-layer.toml"
    app = make_app(psa)
    async with app.run_test(size=(120, 60)) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        shown = await palette_titles(app, pilot)
        assert "Go to step 1" in shown
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "LessonScreen")
        await pilot.press("escape")
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        shown = await palette_titles(app, pilot)
        assert "Open lesson" in shown and "Go to step" not in shown
        # Searched for, the lesson screen's commands are not found either.
        app.screen.query_one(Input).value = "digits"  # (at once: the search is the subject)
        await settle(app, pilot)  # the palette's search (a worker) has ended, and painted
        assert "significant digits" not in screen_text(app)
