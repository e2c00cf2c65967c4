"""Issue 11 in the tutor: a lesson written by ``nn-tui new`` from a CSV file opens and plays to
its end, its question is graded, and a broken CSV file shows its own file and line."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Static

from nn_tui.cli import main
from nn_tui.lessons.progress import ProgressStore
from nn_tui.ui.perf.header import HeaderBar
from ui_helpers import make_app, screen_text, settle, wait_for_screen

BIG = (120, 40)
CSV = "patient,PSA,cancer\n1,3.8,1\n2,3.4,1\n3,2.0,0\n4,0.9,0\n"


def _new_lesson(tmp_path: Path) -> Path:
    (tmp_path / "psa.csv").write_text(CSV, encoding="utf-8")
    target = tmp_path / "psa.toml"
    assert main(["new", "--csv", str(tmp_path / "psa.csv"), "--inputs", "PSA", "--targets",
                 "cancer", "-o", str(target)]) == 0
    return target


def _status(app) -> str:
    return app.screen.query_one(HeaderBar).status


async def test_new_lesson_opens_and_plays_to_the_end(tmp_path, capsys):
    target = _new_lesson(tmp_path)
    capsys.readouterr()
    app = make_app(target)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await settle(app, pilot)
        screen = app.screen
        assert screen.lesson.id == "psa"
        total = screen.session.total
        assert screen.session.generated and total == 10
        assert _status(app).startswith(f"step 1 of {total}")
        assert "PSA = 3.8" in screen_text(app)  # the focus row, read from the CSV file
        # Step on to the question (the output layer's sum), answer it right.
        check = next(index for index, step in enumerate(screen.session.steps)
                     if step.kind == "check")
        for _ in range(check):
            await pilot.press("right")
            await settle(app, pilot)
        assert _status(app).startswith(f"step {check + 1} of {total}")
        answer = float(screen.session.answer(check))  # what the trace says
        assert app.focused is app.screen.query_one("#check-input", Input)
        await pilot.press(*f"{answer:.6f}", "enter")
        await pilot.pause()
        assert "correct" in str(app.screen.query_one("#check-feedback", Static).render()).lower()
        while not _status(app).startswith(f"step {total} of {total}"):
            await pilot.press("right")
            await settle(app, pilot)
        assert "Training" in screen_text(app)
    progress = ProgressStore().get("psa")
    assert progress.total == total and progress.furthest == total - 1
    assert progress.check(check).correct
    # Matched to the walk-through it played (not to no steps) and to its data.
    from nn_tui.lessons.loader import load_lesson
    from nn_tui.lessons.progress import LessonShape

    shape = LessonShape.of_lesson(load_lesson(target))
    assert (progress.fingerprint, progress.data) == (shape.fingerprint, shape.data)
    assert progress.check(check).key == shape.keys[check]


async def test_picker_lists_a_csv_lesson_and_opens_it(tmp_path, capsys):
    _new_lesson(tmp_path)
    capsys.readouterr()
    app = make_app(lesson_dirs=[tmp_path])
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        options = app.screen.query_one(OptionList)
        titles = [str(options.get_option_at_index(i).prompt).split("\n")[0]
                  for i in range(options.option_count)]
        assert any("psa: a 1 → 2 → 1 network" in title for title in titles), titles
        await pilot.press(*"psa.csv", "enter")  # words of its summary
        await wait_for_screen(app, pilot, "LessonScreen")
        assert app.screen.lesson.id == "psa", app.screen.lesson.id
        assert app.screen.lesson.data_file == "psa.csv"


async def test_broken_csv_shows_the_csv_file_and_its_line(tmp_path, capsys):
    target = _new_lesson(tmp_path)
    capsys.readouterr()
    (tmp_path / "psa.csv").write_text(CSV.replace("3,2.0,0", "3,two,0"), encoding="utf-8")
    app = make_app(target)
    async with app.run_test(size=BIG) as pilot:
        await wait_for_screen(app, pilot, "ErrorScreen")
        await settle(app, pilot)
        shown = screen_text(app)
        rows = [row for row in shown.splitlines() if "psa.csv:4" in row]
        assert rows and "'two' is not" in rows[0], shown
        assert "is not a number" in shown
