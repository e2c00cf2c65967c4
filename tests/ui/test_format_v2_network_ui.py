"""The network conventions of lesson format v2 in the running tutor: a lesson with a shared,
frozen bias shows it once per layer and marks its gradient "not applied"; a lesson with
``loss = "none"`` says there is no loss, and has no training step to start."""

from __future__ import annotations

from lesson_files import lesson_with
from ui_helpers import goto_step, make_app, screen_text, settle, wait_for_screen

SIZE = (160, 50)


async def _step_to(app, pilot, predicate) -> None:
    """Go to the first step whose view satisfies ``predicate`` (the keys are not the subject
    here: the screen goes straight there, as the palette's "Go to step" does)."""
    session = app.screen.session
    target = next((index for index in range(session.total) if predicate(session.view(index))),
                  None)
    assert target is not None, "the step never came"
    await goto_step(app, pilot, target)


async def test_frozen_shared_bias_lesson_in_the_tutor(tmp_path):
    path = lesson_with(tmp_path, "mazur")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await _step_to(app, pilot, lambda view: view.reveal.update)
        shown = " ".join(screen_text(app).split())
        assert "b shared by all units" in shown
        assert "frozen: not applied" in shown
        assert "b₁[" not in shown  # one shared bias: b₁, never b₁[1]
        view = app.screen.view
        assert view.trace.after.layers[0].b.tolist() == [0.35]
        await pilot.press("right")
        await settle(app, pilot)
        # The update was applied: the weights moved, the frozen biases did not.
        network = app.screen.view.network
        assert network.layers[0].b.tolist() == [0.35] and network.layers[1].b.tolist() == [0.6]
        assert abs(network.layers[1].W[0, 0] - 0.35891648) < 5e-9


async def test_loss_none_lesson_in_the_tutor(tmp_path):
    path = lesson_with(tmp_path, "upstream")
    app = make_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(app, pilot, "LessonScreen")
        await _step_to(app, pilot, lambda view: view.reveal.backward > 0)
        shown = " ".join(screen_text(app).split())
        assert "No loss" in shown and "nothing to train" in shown
        assert "L nan" not in shown and "= nan" not in shown
        assert "dL_dy" in shown
        steps = app.screen.session.steps
        assert all(step.kind != "train" for step in steps)
