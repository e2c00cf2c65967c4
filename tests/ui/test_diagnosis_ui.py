"""The check widget names recognised mistakes, records them, and does not count them toward the
reveal (Pilot)."""

from __future__ import annotations


from textual.widgets import Input, Static

from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.progress import ProgressStore

from lesson_files import fixture_text
from ui_helpers import make_app, settle, wait_for_screen

BIG = (120, 40)
PSA = bundled_lessons_dir() / "psa-hidden-layer.toml"
DW1_STEP = 12  # 0-based: "Your turn: ∂L/∂w₁", answer grads[0].W[0][0] = −0.0280

TEACHER_LESSON = fixture_text("teacher-mistakes")


def saved() -> ProgressStore:
    return ProgressStore()


def feedback(app) -> str:
    return str(app.screen.query_one("#check-feedback", Static).render())


async def open_at(app, pilot, index: int) -> None:
    await wait_for_screen(app, pilot, "LessonScreen")
    app.screen.go(index)
    await settle(app, pilot)
    assert app.screen.view.index == index
    assert app.focused is app.screen.query_one("#check-input", Input)


async def answer(app, pilot, typed: str) -> None:
    await pilot.press(*typed, "enter")
    await pilot.pause()


async def test_a_recognised_mistake_is_named_kept_on_coming_back_and_not_a_miss_toward_the_reveal():
    app = make_app(PSA)
    async with app.run_test(size=BIG) as pilot:
        await open_at(app, pilot, DW1_STEP)
        check = app.screen.query_one("CheckArea")

        def record():
            app.store.flush()
            return saved().get("psa-hidden-layer").check(DW1_STEP)

        await answer(app, pilot, "-0.1278")
        text = feedback(app)
        assert "0.3250 · (−1.0000) · 0.1966 · 2.0000 = −0.1278" in text
        assert "without ∂ŷ/∂z₂ = 0.2194" in text
        assert "Hint" not in text and "too" not in text
        assert record().attempts == 1
        assert record().mistakes == ["missing_activation_slope"]

        # The recognised mistake survives leaving the step and coming back: one try, no reveal.
        await pilot.press("escape")
        app.screen.go(DW1_STEP + 1)
        await settle(app, pilot)
        app.screen.go(DW1_STEP)
        await settle(app, pilot)
        assert "1 try so far" in feedback(app)
        assert not app.screen.query_one("CheckArea").can_reveal
        assert app.focused is app.screen.query_one("#check-input", Input)

        await answer(app, pilot, "0.028")
        assert "without w₂ = −1.0000" in feedback(app)
        assert record().attempts == 2
        assert record().mistakes == ["missing_activation_slope", "missing_weight_back"]
        # Two attempts, but no plain miss yet: no reveal.
        assert not check.can_reveal
        assert "press r" not in feedback(app).lower()
        assert not app.screen.check_action("reveal", ())

        await answer(app, pilot, "5")
        assert "The sign is wrong" in feedback(app) and "Hint:" in feedback(app)
        assert not check.can_reveal  # one plain miss

        await answer(app, pilot, "4")
        assert "press r" in feedback(app).lower()
        assert check.can_reveal
        assert app.screen.check_action("reveal", ())
        await pilot.press("r")
        await pilot.pause()
        assert "The answer: −0.0280" in feedback(app)
        stored = record()
        assert stored.revealed and stored.attempts == 4
        assert stored.mistakes == ["missing_activation_slope", "missing_weight_back"]


async def test_teacher_feedback_is_plain_text_and_hints_are_recorded(tmp_path):
    path = tmp_path / "teacher.toml"
    path.write_text(TEACHER_LESSON, encoding="utf-8")
    app = make_app(path)
    async with app.run_test(size=BIG) as pilot:
        await open_at(app, pilot, 1)
        await answer(app, pilot, "-1")
        assert "[bold]No bias[/bold]: add b = 1." in feedback(app)
        await pilot.press("escape")
        await pilot.press("h")
        await pilot.pause()
        assert "Hint 1/2" in feedback(app)
        app.screen.query_one("#check-input", Input).focus()
        await answer(app, pilot, "0")
        assert "Correct" in feedback(app)
        app.store.flush()
        record = saved().get("teacher-ui").check(1)
        assert record.correct and record.attempts == 2 and record.hints == 1
        assert record.mistakes == ["no_bias"]
        summary = saved().get("teacher-ui").summary()
        assert summary["checks"]["right_after_hints"] == 1
        assert summary["mistakes"] == {"no_bias": 1}
