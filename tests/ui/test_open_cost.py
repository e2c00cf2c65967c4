"""Opening a lesson does its work once, and what it keeps between apps is keyed by value.

- The lesson screen (and the picker) start with the breakpoint classes of the terminal's size,
  so every pane renders its content for the size it is shown at, once, on opening (it used to
  be laid out first as one full-width column, every pane rendered at a width it never showed).
- The Network pane's one style per lesson is kept across apps by value (the networks' traces,
  names, size, decimals): another lesson with the same id, or the same file edited, gets its
  own style, the one worked out afresh.
- Lesson text is cleaned without copying a clean lesson (``clean`` hands back the same string
  when there is nothing to clean, newlines and tabs included).
- The picker's list, skipped while a lesson opened from the command line covers it, is made
  when the picker shows.
"""

from __future__ import annotations

from dataclasses import replace

from lesson_files import lesson_with
from textual.widgets import OptionList, Static
from ui_helpers import Cases, make_app, settle, wait_for_screen, wait_until

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.ui.literal import clean, clean_tree
from nn_tui.ui.panes import ForwardPane, GradientsPane, LessonPane, NetworkPane, WeightsPane
from nn_tui.ui.panes.network import lesson_style

BIG = (120, 40)
SCROLLING_PANES = (LessonPane, NetworkPane, ForwardPane, WeightsPane, GradientsPane)


# -- one render per pane, at the size shown ------------------------------------------------------


async def test_panes_render_once_at_the_size_they_show_and_the_picker_lists_all(monkeypatch):
    """Opened from the command line at 120×40; then Esc to the picker, which lists every
    lesson (its list, skipped while the lesson covered it, is made when it shows)."""
    rendered: dict[str, list[int]] = {}
    for pane_class in SCROLLING_PANES:
        def recording(self, view, width, height, _original=pane_class.renderable):
            rendered.setdefault(self.id, []).append(width)
            return _original(self, view, width, height)
        monkeypatch.setattr(pane_class, "renderable", recording)
    cases = Cases()
    app = make_app(bundled_lessons_dir() / "fruit.toml")
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        with cases("each pane rendered once, at the size it shows"):
            screen = app.screen
            assert {"-wide", "-tall"} <= screen.classes
            for pane in screen.query(".pane"):
                if not isinstance(pane, SCROLLING_PANES) or not pane.display:
                    continue
                width = pane.body.scrollable_content_region.width
                # The step shown and the next one (rendered ahead), each once, at this width.
                assert rendered.get(pane.id) and set(rendered[pane.id]) == {width}, (
                    pane.id, width, rendered.get(pane.id))
                assert len(rendered[pane.id]) <= 2, (pane.id, rendered[pane.id])
        with cases("the picker lists every lesson after a lesson opened directly"):
            await picker_lists_every_lesson(app, pilot)
    cases.check()


async def test_small_terminal_starts_with_its_own_classes():
    app = make_app(bundled_lessons_dir() / "fruit.toml")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        classes = app.screen.classes
        assert {"-medium", "-medium-height"} <= classes
        assert not {"-wide", "-tall", "-narrow", "-short"} & classes
        # A resize still moves the classes (Textual's own Resize handling).
        await pilot.resize_terminal(*BIG)
        await wait_until(pilot, lambda: {"-wide", "-tall"} <= app.screen.classes,
                         "the wide classes after the resize")
        assert not {"-medium", "-medium-height"} & app.screen.classes


def test_a_screen_made_outside_an_app_has_no_breakpoint_classes():
    from nn_tui.lessons.progress import ProgressStore
    from nn_tui.ui.screens.lesson import LessonScreen

    lesson = load_lesson(bundled_lessons_dir() / "fruit.toml")
    screen = LessonScreen(lesson, ProgressStore(background=False))
    assert not {"-narrow", "-medium", "-wide", "-short", "-medium-height", "-tall"} \
        & screen.classes


# -- the Network pane's style, kept by value ---------------------------------------------------


async def _network_style(path) -> tuple[int, str]:
    """(the Network pane's style on opening ``path`` at 120×40, its text), after checking that
    the style is the one ``lesson_style`` works out afresh for the lesson at that size."""
    app = make_app(path)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        screen = app.screen
        pane = screen.query_one(NetworkPane)
        body = pane.body
        width, height = body.scrollable_content_region.width, body.size.height
        view = screen.view
        fresh = lesson_style([replace(view, network=network, trace=trace)
                              for network, trace in screen.session.network_traces()],
                             width, height)
        style = pane.style(view, width, height)
        assert style == fresh, (path, style, fresh)
        return style, pane.text


async def test_lessons_sharing_an_id_each_get_their_own_style(tmp_path):
    # Two files with the same lesson id: a one-neuron network and XOR's 2-2-1, which at
    # 120×40 are drawn in different styles.
    one = lesson_with(tmp_path / "one", "single-neuron")
    other = lesson_with(tmp_path / "other", "xor", lesson={"id": "single-neuron"})
    first, first_text = await _network_style(one)
    second, second_text = await _network_style(other)
    assert first != second
    again, again_text = await _network_style(one)
    assert (again, again_text) == (first, first_text)


async def test_an_edited_lesson_gets_a_new_style(tmp_path):
    path = lesson_with(tmp_path, "psa-1-1-1", name="lesson.toml")
    before, before_text = await _network_style(path)
    # The same file, its first layer now three neurons wide: another diagram, another style.
    lesson_with(tmp_path, "psa-1-1-1", name="lesson.toml", network={"layers": {
        0: {"units": 3, "weights": [[0.5], [0.25], [-0.75]], "bias": [0.0, 0.1, -0.1]},
        1: {"weights": [[-1.0, 0.5, 2.0]]}}})
    after, after_text = await _network_style(path)
    assert after != before
    assert after_text != before_text


# -- lesson text cleaned without copies ----------------------------------------------------------


def test_clean_keeps_clean_text_as_it_is():
    text = "line one\n\tline two"
    assert clean(text) is text
    assert clean("a\x1b]2;x\x07b") == "a\u241b]2;x\u2407b"
    assert clean("tab\tand\u202eoverride") == "tab\tand\ufffdoverride"


def test_clean_tree_keeps_a_clean_lesson_and_cleans_a_dirty_one():
    lesson = load_lesson(bundled_lessons_dir() / "fruit.toml")
    assert any("\n" in step.text for step in lesson.steps)
    assert clean_tree(lesson) is lesson
    step = replace(lesson.steps[0], text="bad \x1b[2J text\nnext line")
    dirty = replace(lesson, steps=(step,) + lesson.steps[1:])
    cleaned = clean_tree(dirty)
    assert cleaned is not dirty
    assert cleaned.steps[0].text == "bad \u241b[2J text\nnext line"
    assert cleaned.steps[1:] == dirty.steps[1:] and cleaned.steps[1] is dirty.steps[1]
    assert cleaned.network is dirty.network


# -- the picker's list, made when the picker shows ---------------------------------------------


async def picker_lists_every_lesson(app, pilot) -> None:
    """From a lesson opened from the command line, Esc: the picker lists every lesson."""
    await pilot.press("escape")
    await wait_for_screen(app, pilot, "PickerScreen")
    count = len(list(bundled_lessons_dir().glob("*.toml")))
    assert app.screen.query_one(OptionList).option_count == count
    status = str(app.screen.query_one("#picker-status", Static).render())
    assert f"{count} of {count} lessons" in status


# -- bundled lessons read once per process, while their files are unchanged ---------------------


def _listed(app) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(index).prompt) for index in
            range(options.option_count)]


async def _picker_list(folder, monkeypatch) -> list[str]:
    """The picker's lines for the bundled lessons in ``folder`` (a tutor started without
    files, as `nn-tui` is)."""
    from nn_tui.lessons import catalog

    monkeypatch.setattr(catalog, "bundled_lessons_dir", lambda: folder)
    app = make_app()
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        await wait_until(pilot, lambda: app.screen.infos, "the catalogue")
        await pilot.pause()
        return _listed(app)


async def test_bundled_lessons_edited_added_or_removed_are_read_again(tmp_path, monkeypatch):
    import shutil

    from nn_tui.ui.screens.picker import BUNDLED

    folder = tmp_path / "bundled"
    folder.mkdir()
    for name in ("fruit.toml", "xor.toml", "single-neuron.toml"):
        shutil.copy(bundled_lessons_dir() / name, folder / name)
    first = await _picker_list(folder, monkeypatch)
    assert len(first) == 3 and any("Apple or orange" in line for line in first)
    assert any("XOR" in line for line in first)
    assert await _picker_list(folder, monkeypatch) == first  # read from the kept entries
    assert len(BUNDLED.entries(BUNDLED.read(folder))) == 3

    fruit = folder / "fruit.toml"
    fruit.write_text(fruit.read_text(encoding="utf-8").replace(
        "Apple or orange", "Pear or plum"), encoding="utf-8")
    (folder / "xor.toml").unlink()
    shutil.copy(bundled_lessons_dir() / "layers.toml", folder / "layers.toml")
    (folder / "broken.toml").write_text("[lesson\n", encoding="utf-8")
    again = await _picker_list(folder, monkeypatch)
    assert any("Pear or plum" in line for line in again)
    assert not any("Apple or orange" in line for line in again)
    assert len(again) == 4 and any("broken" in line for line in again)
    assert not any("XOR" in line for line in again)
    fresh = load_lesson(folder / "layers.toml").title
    assert any(fresh in line for line in again)


def test_the_cache_keeps_only_entries_of_unchanged_files(tmp_path):
    import shutil

    from nn_tui.lessons.catalog import load_entry
    from nn_tui.ui.bundled_cache import BundledCache

    shutil.copy(bundled_lessons_dir() / "fruit.toml", tmp_path / "fruit.toml")
    cache: BundledCache[str] = BundledCache()
    now = cache.read(tmp_path)
    entry = load_entry(tmp_path / "fruit.toml", bundled=True, replay=False)
    described: list[list] = []

    def describe(entries):
        described.append(entries)
        return [entry.title for entry in entries]

    assert cache.describe([entry], now, describe) == [entry.title]
    assert cache.entries(cache.read(tmp_path)) == [entry]
    assert cache.describe([entry], now, describe) == [entry.title]
    assert described == [[entry], []]  # the kept entry's line is not made again
    (tmp_path / "fruit.toml").write_text("# edited\n" + (tmp_path / "fruit.toml").read_text(
        encoding="utf-8"), encoding="utf-8")
    assert cache.entries(cache.read(tmp_path)) == []
    # An entry read from a file that changed after its bytes were read is not kept.
    cache.clear()
    cache.describe([entry], now, describe)
    assert cache.entries(now) == []
