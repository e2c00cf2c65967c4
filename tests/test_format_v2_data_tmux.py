"""Issue 11 in a real terminal (tmux): `nn-tui new` writes a lesson from a CSV file, the tutor
opens it and a learner steps through it, answering its question, to the end."""

from __future__ import annotations

from tmux_helpers import nn_tui_command, requires_tmux, tutor_env

pytestmark = requires_tmux

CSV = "patient,PSA,cancer\n1,3.8,1\n2,3.4,1\n3,2.0,0\n4,0.9,0\n"


def test_new_then_open_in_the_tutor_and_step_through(tmp_path, tmux_tutor):
    (tmp_path / "psa.csv").write_text(CSV, encoding="utf-8")
    new = nn_tui_command(tutor_env(tmp_path), "new", "--csv", "psa.csv", "--inputs", "PSA",
                         "--targets", "cancer", "--hidden", "2", "--activation", "sigmoid")
    term = tmux_tutor("psa.toml", before=new)
    term.wait_for("step 1 of 10", timeout=60)
    term.wait_for("PSA = 3.8")  # the focus row, from the CSV file, once painted
    from nn_tui.lessons.loader import load_lesson
    from nn_tui.lessons.session import LessonSession

    session_model = LessonSession(load_lesson(tmp_path / "psa.toml"))
    check = next(i for i, step in enumerate(session_model.steps) if step.kind == "check")
    answer = float(session_model.answer(check))
    for index in range(1, check + 1):
        term.keys("Right")
        term.wait_for(f"step {index + 1} of 10")
    term.keys(*f"{answer:.4f}", "Enter")
    term.wait_for("Correct")
    for index in range(check + 1, 10):
        term.keys("Right")
        term.wait_for(f"step {index + 1} of 10")
    term.keys("q")
    assert term.exit_status(timeout=20) == "0"
