"""Recognising the usual mistakes behind a wrong number (nn_tui.lessons.diagnosis), teacher
mistakes in lesson files, their record in the progress file, `nn-tui try` and `nn-tui progress`."""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest
from lesson_files import fixture_text
from lesson_files import lesson_text as base_lesson_text

from nn_tui.cli import main
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.diagnosis import KINDS, candidates, diagnose
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.expressions import parse_expression
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.model import Step
from nn_tui.lessons.progress import CheckRecord, LessonProgress, ProgressStore
from nn_tui.lessons.lint import check_lesson
from nn_tui.lessons.session import LessonSession

BUNDLED = sorted(bundled_lessons_dir().glob("*.toml"))


def number_checks(session: LessonSession) -> list[int]:
    """The checks that take a typed number and read the trace (not `training`)."""
    found = []
    for index, step in enumerate(session.steps):
        if step.kind != "check" or step.choices:
            continue
        roots = parse_expression(step.answer).roots
        if roots and "training" not in roots:
            found.append(index)
    return found


def only_check(lesson, answer: str, **fields) -> LessonSession:
    """A session of ``lesson`` with one check step asking ``answer``."""
    step = Step(kind="check", prompt="?", answer=answer, **fields)
    return LessonSession(replace(lesson, steps=(step,)))


def kinds(session: LessonSession, index: int = 0) -> set[str]:
    return {mistake.kind for mistake in candidates(session, index)}


# -- every bundled check ------------------------------------------------------------------------


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_every_bundled_mistake_is_recognised_and_the_answer_never_is(path):
    session = LessonSession(load_lesson(path))
    for index in number_checks(session):
        expected = session.answer(index)
        assert diagnose(session, index, expected).verdict == "right"
        tolerance = session.tolerance(index)
        found = candidates(session, index)
        values = [mistake.value for mistake in found]
        for mistake in found:
            assert math.isfinite(mistake.value)
            assert abs(mistake.value - expected) > tolerance, (index, mistake)
            assert mistake.teacher or mistake.kind in KINDS, mistake.kind
            result = diagnose(session, index, mistake.value)
            assert result.verdict == "mistake", (index, mistake)
            assert result.mistake.kind == mistake.kind, (index, mistake, result.mistake)
            assert result.mistake.feedback == mistake.feedback
            # The feedback plugs in the number it names.
            assert mistake.feedback.strip()
        # Distinct: no two candidates within the tolerance of each other.
        for first, a in enumerate(values):
            for b in values[first + 1:]:
                assert abs(a - b) > tolerance


def test_the_bundled_lessons_have_mistakes_to_recognise():
    """Every bundled check over forward values or gradients has some; those over given numbers
    (weights alone) have none."""
    total = 0
    for path in BUNDLED:
        session = LessonSession(load_lesson(path))
        for index in number_checks(session):
            answer = session.steps[index].answer
            found = candidates(session, index)
            total += len(found)
            reads_computed = any(word in answer for word in ("grads", "after", "output", "loss",
                                                             ".z", ".a"))
            if reads_computed and re.fullmatch(r"[a-z_]+(\[\d+\]|\.[A-Za-z_]+)*", answer):
                assert found, (path.stem, index + 1, answer)
            elif answer.startswith("len(") or answer.startswith("layers[1].W"):
                assert not found
    assert total > 100


def test_try_recognises_every_bundled_mistake(capsys, monkeypatch):
    """`nn-tui try --json` agrees with diagnose on every automatic mistake of every check."""
    import nn_tui.cli

    # Each command validates and replays its lesson (a training run for some): once per file
    # is enough here, the command is otherwise run as it is.
    loaded: dict[str, object] = {}
    real_load = nn_tui.cli._load

    def load_once(path: str):
        if path not in loaded:
            loaded[path] = real_load(path)
        return loaded[path]

    monkeypatch.setattr(nn_tui.cli, "_load", load_once)
    for path in BUNDLED:
        session = LessonSession(load_lesson(path))
        for index in number_checks(session):
            for mistake in candidates(session, index):
                assert main(["try", str(path), "--step", str(index + 1),
                             repr(mistake.value), "--json"]) == 0
                data = json.loads(capsys.readouterr().out)
                assert data["verdict"] == "mistake", (path.stem, index + 1, mistake)
                assert data["mistake"] == {"kind": mistake.kind, "feedback": mistake.feedback}
            assert main(["try", str(path), "--step", str(index + 1),
                         repr(session.answer(index)), "--json"]) == 0
            data = json.loads(capsys.readouterr().out)
            assert data["verdict"] == "right" and data["mistake"] is None


# -- the feedback, with numbers -----------------------------------------------------------------


def test_the_issue_example_the_product_without_the_output_slope(psa_hidden):
    session = only_check(psa_hidden, "grads[1].W[0][0]")
    assert session.answer(0) == pytest.approx(0.0521, abs=5e-5)
    result = diagnose(session, 0, 0.2376)
    assert result.verdict == "mistake"
    assert result.mistake.kind == "missing_activation_slope"
    assert result.mistake.feedback == (
        "0.3250 · 0.7311 = 0.2376: that is ∂L/∂ŷ · a₁ without ∂ŷ/∂z₂ = 0.2194.")
    # The other factors left out, each named with its value.
    assert diagnose(session, 0, 0.0713).mistake.kind == "missing_input"
    assert "without the factor a₁ = 0.7311" in diagnose(session, 0, 0.0713).mistake.feedback
    assert diagnose(session, 0, 0.1604).mistake.kind == "missing_loss_derivative"
    assert diagnose(session, 0, -0.0521).mistake.kind == "sign_flipped"
    assert diagnose(session, 0, 0.1042).mistake.kind == "factor_two"
    assert diagnose(session, 0, 0.0261).mistake.kind == "factor_two"
    assert diagnose(session, 0, 0.0521).verdict == "right"
    assert diagnose(session, 0, 0.3).verdict == "miss"


def test_the_hidden_layer_chain(psa_hidden):
    """∂L/∂w₁ = ∂L/∂ŷ · ∂ŷ/∂z₂ · w₂ · ∂a₁/∂z₁ · x: each factor left out, and the new w₂."""
    session = only_check(psa_hidden, "grads[0].W[0][0]")
    assert session.answer(0) == pytest.approx(-0.0280, abs=5e-5)
    slope = diagnose(session, 0, -0.1278).mistake
    assert slope.kind == "missing_activation_slope"
    assert slope.feedback.startswith("0.3250 · (−1.0000) · 0.1966 · 2.0000 = −0.1278")
    assert slope.feedback.endswith("without ∂ŷ/∂z₂ = 0.2194.")
    assert "without ∂a₁/∂z₁ = 0.1966" in diagnose(session, 0, -0.1426).mistake.feedback
    # w₂ = −1: leaving it out is the sign flipped, and named as the weight left out (first).
    assert diagnose(session, 0, 0.0280).mistake.kind == "missing_weight_back"
    assert diagnose(session, 0, -0.0140).mistake.kind == "missing_input"  # ∂L/∂b₁
    # Backprop through the new w₂ = −1 − 0.1·0.0521 is 0.5 % off the right answer: the default
    # tolerance (5 units of the 4th significant digit, 0.18 % here) tells them apart, as does a
    # tight one.
    assert "updated_weights" in kinds(session)
    tight = only_check(psa_hidden, "grads[0].W[0][0]", tolerance=1e-6)
    updated = diagnose(tight, 0, tight.answer(0) * (1 + 0.1 * 0.052130)).mistake
    assert updated.kind == "updated_weights"
    assert "new w₂ = −1.0052" in updated.feedback and "old one, −1.0000" in updated.feedback


SYNTHETIC = fixture_text("two-hidden-units")


@pytest.fixture
def synthetic():
    return parse_lesson_text(SYNTHETIC, "synthetic.toml")


@pytest.mark.parametrize("answer, expected", [
    ("grads[1].W[0][1]", {"missing_activation_slope", "missing_loss_derivative", "missing_input",
                          "sign_flipped", "factor_two", "z_for_a", "other_row"}),
    ("grads[0].W[1][1]", {"missing_activation_slope", "missing_loss_derivative",
                          "missing_weight_back", "updated_weights", "missing_input",
                          "sign_flipped", "factor_two", "z_for_a", "a_for_z", "other_row"}),
    ("grads[0].b[1]", {"missing_activation_slope", "missing_weight_back", "updated_weights",
                       "sign_flipped", "factor_two"}),
    ("grads[0].dL_da[0]", {"missing_activation_slope", "missing_weight_back",
                           "updated_weights", "sign_flipped"}),
    ("grads[1].dL_dz[0]", {"missing_activation_slope", "missing_loss_derivative", "z_for_a"}),
    ("grads[1].dL_da[0]", {"z_for_a", "sign_flipped", "factor_two"}),
    ("grads[0].da_dz[1]", {"activation_for_slope", "z_for_a", "a_for_z"}),
    ("layers[0].z[1]", {"bias_left_out", "a_for_z", "other_row"}),
    ("layers[0].a[1]", {"bias_left_out", "z_for_a", "activation_twice", "other_row"}),
    ("layers[1].z[0]", {"bias_left_out", "z_for_a", "a_for_z"}),
    ("output[0]", {"bias_left_out", "z_for_a", "activation_twice", "other_row"}),
    ("loss", {"loss_without_half", "bias_left_out", "other_row"}),
    ("after.layers[1].W[0][0]", {"gradient_ascent", "eta_left_out", "other_parameter"}),
    ("after.layers[0].b[1]", {"gradient_ascent", "eta_left_out", "other_parameter"}),
    ("after.layers[1].dW[0][1]", {"gradient_ascent", "eta_left_out", "other_parameter"}),
    ("after.loss", {"old_weights", "gradient_ascent", "eta_left_out", "loss_without_half"}),
    ("loss - after.loss", {"sign_flipped", "loss_without_half", "old_weights",
                           "gradient_ascent"}),
    ("100 * output[0]", {"bias_left_out", "z_for_a", "activation_twice"}),
])
def test_every_family_in_sample_mode(synthetic, answer, expected):
    session = only_check(synthetic, answer)
    found = kinds(session)
    assert expected <= found, expected - found
    right = session.answer(0)
    for mistake in candidates(session, 0):
        assert diagnose(session, 0, mistake.value).mistake.kind == mistake.kind
    assert diagnose(session, 0, right).verdict == "right"


@pytest.mark.parametrize("answer, expected", [
    ("grads[1].W[0][1]", {"sum_for_mean", "one_row_for_batch", "missing_activation_slope"}),
    ("grads[0].b[0]", {"sum_for_mean", "one_row_for_batch"}),
    ("grads[1].dL_dz[2][0]", {"other_row", "sum_for_mean"}),
    ("layers[0].z[1][0]", {"other_row", "bias_left_out", "a_for_z"}),
    ("loss", {"sum_for_mean", "one_row_for_batch", "loss_without_half"}),
    ("after.layers[1].W[0][0]", {"sum_for_mean", "one_row_for_batch", "gradient_ascent",
                                 "eta_left_out"}),
])
def test_batch_mistakes(synthetic, answer, expected):
    session = only_check(synthetic, answer, batch=True)
    found = kinds(session)
    assert expected <= found, expected - found
    # The sum over the three rows is three times the mean.
    sums = [m for m in candidates(session, 0) if m.kind == "sum_for_mean"]
    if answer.startswith(("grads[1].W", "grads[0].b", "loss")):
        assert sums[0].value == pytest.approx(3 * session.answer(0))
        assert "sum over the 3 rows" in sums[0].feedback


def test_batch_with_a_summed_loss(synthetic):
    lesson = replace(synthetic, network=replace(synthetic.network, reduction="sum"))
    session = only_check(lesson, "grads[1].b[0]", batch=True)
    mean = [m for m in candidates(session, 0) if m.kind == "mean_for_sum"]
    assert mean and mean[0].value == pytest.approx(session.answer(0) / 3)


def test_losses_without_their_factors(fruit):
    mse = replace(fruit, network=replace(fruit.network, loss="mse"))
    session = only_check(mse, "loss")
    # One output: 1/K is 1 and mse has no ½; nothing to recognise there.
    assert not {"loss_without_1_over_k", "loss_without_half"} & kinds(session)
    bce = only_check(fruit, "loss")
    minus = [m for m in candidates(bce, 0) if m.kind == "sign_flipped"]
    assert minus and minus[0].value == pytest.approx(-bce.answer(0))


def test_cross_entropy_other_class_and_one_over_k():
    lesson = load_lesson(bundled_lessons_dir() / "losses.toml")
    session = LessonSession(lesson)
    by_answer = {}
    for index in number_checks(session):
        by_answer.setdefault(session.steps[index].answer, []).append(index)
    found = set()
    for index in by_answer["loss"]:
        found |= kinds(session, index)
    assert {"other_class", "loss_without_1_over_k", "loss_without_half", "sign_flipped"} <= found


def test_a_slope_of_one_is_never_a_mistake():
    """Identity output: ∂ŷ/∂z = 1, so leaving it out changes nothing and is not reported."""
    lesson = load_lesson(bundled_lessons_dir() / "single-neuron.toml")
    session = only_check(lesson, "grads[0].W[0][0]")
    assert "missing_activation_slope" not in kinds(session)
    assert "missing_loss_derivative" in kinds(session)


def test_answers_over_training_or_given_numbers_get_none(psa_hidden):
    assert candidates(only_check(psa_hidden, "layers[1].W[0][0] * 2"), 0) == ()
    assert candidates(only_check(psa_hidden, "0.5"), 0) == ()


def test_a_match_needs_the_tolerance(psa_hidden):
    session = only_check(psa_hidden, "grads[1].W[0][0]", tolerance=1e-6)
    exact = [m for m in candidates(session, 0) if m.kind == "missing_activation_slope"][0]
    assert diagnose(session, 0, exact.value).verdict == "mistake"
    assert diagnose(session, 0, round(exact.value, 4)).verdict == "miss"
    loose = only_check(psa_hidden, "grads[1].W[0][0]")
    assert diagnose(loose, 0, round(exact.value, 4)).verdict == "mistake"


def test_a_non_check_step_is_refused(psa_hidden):
    session = LessonSession(psa_hidden)
    with pytest.raises(ValueError):
        diagnose(session, 0, 1.0)


# -- teacher mistakes -----------------------------------------------------------------------------


def lesson_text(mistakes: str, answer: str = "layers[0].z[0]") -> str:
    """The teacher-mistakes fixture's unit with one question on z; ``mistakes`` is TOML text
    (some of it invalid on purpose)."""
    head = base_lesson_text("teacher-mistakes", lesson={"id": "teacher-mistakes"}, steps=None)
    return head + f"""
[[steps]]
kind = "check"
prompt = "What is z?"
answer = "{answer}"
mistakes = {mistakes}
"""


def test_teacher_mistakes_are_recognised_first(tmp_path):
    text = lesson_text('''[
  { answer = "layers[0].z[0] + 6", kind = "weight_sign", feedback = "That counts −3 as +3." },
  { answer = "layers[0].z[0] - layers[0].b[0]", feedback = "[bold]No bias[/bold] there." },
]''')
    lesson = parse_lesson_text(text, "t.toml")
    assert [m.kind for m in lesson.steps[0].mistakes] == ["weight_sign", ""]
    session = LessonSession(lesson)
    assert check_lesson(lesson) == []
    assert session.answer(0) == 0.0
    found = candidates(session, 0)
    assert [m.kind for m in found[:2]] == ["weight_sign", "teacher_2"]
    # Every automatic candidate here has a teacher's value (6: w's sign; −1: no bias): the
    # teacher's two are kept in their place and the automatic ones dropped, none left after.
    assert [m.teacher for m in found] == [True, True], found
    assert diagnose(session, 0, 6.0).mistake.feedback == "That counts −3 as +3."
    # The teacher's −1 (no bias) comes before the automatic bias_left_out, which gives it too.
    result = diagnose(session, 0, -1.0)
    assert result.mistake.kind == "teacher_2"
    assert result.mistake.feedback == "[bold]No bias[/bold] there."  # plain text, kept as is
    assert "bias_left_out" not in {m.kind for m in found}


@pytest.mark.parametrize("mistakes, key, message", [
    ('"x"', "steps[0].mistakes", "must be a list of 1 to 10 tables"),
    ('[]', "steps[0].mistakes", "must be a list of 1 to 10 tables"),
    ('[{ answer = "1" }]', "steps[0].mistakes[0].feedback", "missing"),
    ('[{ feedback = "f" }]', "steps[0].mistakes[0].answer", "missing"),
    ('[{ answer = "layers[0].z[0] +", feedback = "f" }]', "steps[0].mistakes[0].answer",
     "ends too early"),
    ('[{ answer = true, feedback = "f" }]', "steps[0].mistakes[0].answer", "must be text"),
    ('[{ answer = "1", feedback = "" }]', "steps[0].mistakes[0].feedback", "must not be empty"),
    ('[{ answer = "1", feedback = "a\\u001b[2Jb" }]', "steps[0].mistakes[0].feedback",
     "control character"),
    ('[{ answer = "1", feedback = "f", kind = "Bad Kind" }]', "steps[0].mistakes[0].kind",
     "lowercase letters"),
    ('[{ answer = "1", feedback = "f", kind = "k" }, { answer = "2", feedback = "g", kind = "k" }]',
     "steps[0].mistakes[1].kind", "names another mistake"),
    ('[{ answer = "1", feedback = "f", why = "x" }]', "steps[0].mistakes[0].why", "unknown key"),
    ('[7]', "steps[0].mistakes[0]", "must be a table"),
])
def test_teacher_mistakes_are_validated(mistakes, key, message):
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(lesson_text(mistakes), "bad.toml")
    problems = caught.value.problems
    assert any(p.key == key and message in p.message for p in problems), problems
    assert all(p.line is not None for p in problems if p.key.startswith("steps[0].mistakes"))


def test_mistakes_are_refused_on_a_choice_question():
    text = lesson_text('[{ answer = "1", feedback = "f" }]').replace(
        'mistakes =', 'choices = [{ text = "a", value = 0 }, { text = "b", value = 1 }]\nmistakes =')
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(text, "bad.toml")
    assert any(p.key == "steps[0].mistakes" and "multiple-choice" in p.message
               for p in caught.value.problems)


@pytest.mark.parametrize("answer, message", [
    ("layers[0].zz[0]", "has no field 'zz'"),
    ("layers[0].z[3]", "out of range"),
    ("layers[0].z[0] + 1e-13", "grades right"),
    ("1 / (layers[0].z[0])", "division by zero"),
])
def test_check_reports_bad_teacher_mistakes_with_file_and_line(tmp_path, capsys, answer,
                                                               message):
    path = tmp_path / "bad.toml"
    path.write_text(lesson_text(f'[{{ answer = "{answer}", feedback = "f" }}]'),
                    encoding="utf-8")
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    err = captured.out + captured.err
    assert f"{path}:" in err and "steps[0].mistakes[0].answer" in err and message in err
    line = err.split(f"{path}:")[1].split(":")[0]
    assert line.isdigit()


# -- progress -------------------------------------------------------------------------------------


def test_check_records_keep_mistakes_and_hints(isolated_home):
    store = ProgressStore()
    record = store.get("psa-hidden-layer").check(12)
    record.attempts = 3
    record.add_mistake("missing_activation_slope")
    record.add_mistake("sign_flipped")
    record.hints = 1
    store.save(wait=True)
    again = ProgressStore().get("psa-hidden-layer").check(12)
    assert again.mistakes == ["missing_activation_slope", "sign_flipped"]
    assert again.hints == 1


def test_the_mistake_list_is_capped():
    record = CheckRecord()
    for number in range(80):
        record.add_mistake(f"teacher_{number}")
    assert len(record.mistakes) == 50 and record.mistakes[-1] == "teacher_79"


def write_progress(home: Path, checks: dict) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "progress.json"
    lesson = {"step": 3, "furthest": 5, "total": 20, "done": False, "updated": 1.0,
              "checks": checks}
    path.write_text(json.dumps({"version": 1, "lessons": {"psa-hidden-layer": lesson}}),
                    encoding="utf-8")
    return path


def test_old_records_without_mistakes_still_load(isolated_home):
    write_progress(isolated_home, {"2": {"attempts": 1, "correct": True}})
    store = ProgressStore()
    assert store.notice is None
    record = store.get("psa-hidden-layer").check(2)
    assert record.correct and record.mistakes == [] and record.hints == 0


@pytest.mark.parametrize("damaged", ["x", [1], ["Bad Kind"], ["a" * 80], ["ok"] * 51, None])
def test_damaged_mistakes_are_set_aside(isolated_home, damaged):
    write_progress(isolated_home, {"2": {"attempts": 1, "correct": True},
                                   "4": {"attempts": 2, "mistakes": damaged}})
    store = ProgressStore()
    progress = store.get("psa-hidden-layer")
    assert "2" in progress.checks and "4" not in progress.checks
    assert store.notice and "mistakes" in store.notice
    assert list(isolated_home.glob("progress.json.corrupt-*"))


@pytest.mark.parametrize("damaged", [-1, "2", 1.5, True])
def test_damaged_hint_counts_are_set_aside(isolated_home, damaged):
    write_progress(isolated_home, {"4": {"attempts": 2, "hints": damaged}})
    store = ProgressStore()
    assert "4" not in store.get("psa-hidden-layer").checks
    assert store.notice and "hints" in store.notice


PROGRESS_CHECKS = {
    "2": {"attempts": 1, "correct": True},  # right first time
    "4": {"attempts": 3, "correct": True, "mistakes": ["missing_activation_slope"]},
    "9": {"attempts": 1, "correct": True, "hints": 2},  # right, but after hints
    "12": {"attempts": 4, "revealed": True,
           "mistakes": ["missing_activation_slope", "sign_flipped", "teacher_1"]},
    "13": {"attempts": 1, "skipped": True, "mistakes": ["factor_two"]},
}


def test_the_summary_counts_checks_and_mistakes():
    progress = LessonProgress.from_dict({"step": 12, "total": 20, "checks": PROGRESS_CHECKS})
    summary = progress.summary()
    assert summary["checks"] == {"answered": 5, "right_first_time": 1, "right_after_hints": 2,
                                 "revealed": 1, "unsolved": 1, "skipped": 0}
    passed = LessonProgress.from_dict({"checks": {"3": {"skipped": True}}}).summary()
    assert passed["checks"]["skipped"] == 1 and passed["checks"]["answered"] == 0
    assert summary["mistakes"] == {"missing_activation_slope": 2, "factor_two": 1,
                                   "sign_flipped": 1, "teacher_1": 1}
    assert summary["mistakes_by_step"][0] == {"step": 5, "kinds": ["missing_activation_slope"]}
    assert summary["step"] == 13


def test_progress_command(isolated_home, capsys):
    write_progress(isolated_home, PROGRESS_CHECKS)
    assert main(["progress", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["home"] == str(isolated_home)
    (lesson,) = data["lessons"]
    assert lesson["id"] == "psa-hidden-layer"
    assert lesson["title"].startswith("PSA: one hidden neuron")
    assert lesson["checks"]["right_first_time"] == 1
    assert lesson["mistakes"]["missing_activation_slope"] == 2
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "psa-hidden-layer" in out
    assert ("checks tried: 5 (1 right first time, 2 right after hints or tries, 1 revealed, "
            "1 not solved); 0 skipped without an answer") in out
    assert "missing_activation_slope ×2 (steps 5, 13)" in out
    assert "factor_two ×1 (step 14)" in out


def test_progress_command_without_progress(isolated_home, capsys):
    assert main(["progress"]) == 0
    assert "No progress recorded yet" in capsys.readouterr().out
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lessons"] == []


def test_progress_command_on_a_damaged_file(isolated_home, capsys):
    isolated_home.mkdir(parents=True)
    (isolated_home / "progress.json").write_text("{not json", encoding="utf-8")
    assert main(["progress"]) == 0
    captured = capsys.readouterr()
    assert "damaged" in captured.err, captured.err
    assert "No progress recorded yet" in captured.out


# -- nn-tui try -----------------------------------------------------------------------------------


PSA = str(bundled_lessons_dir() / "psa-hidden-layer.toml")


@pytest.mark.parametrize("value, verdict, kind", [
    ("-0.1278", "mistake", "missing_activation_slope"),
    ("−0.1278", "mistake", "missing_activation_slope"),
    ("-1.278e-1", "mistake", "missing_activation_slope"),
    ("-0.0280", "right", None),
    ("-2.8e-2", "right", None),
    ("-7/250", "right", None),
    ("0.0280", "mistake", "missing_weight_back"),
    ("5", "miss", None),
])
def test_try_json(capsys, value, verdict, kind):
    assert main(["try", PSA, "--step", "13", value, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"step", "value", "verdict", "mistake", "answer", "non_finite"}
    assert data["step"] == 13 and data["verdict"] == verdict
    assert data["answer"] == pytest.approx(-0.02803, abs=1e-5)
    if kind is None:
        assert data["mistake"] is None
    else:
        assert data["mistake"]["kind"] == kind and data["mistake"]["feedback"]


def test_try_text_and_bundled_ids(capsys):
    assert main(["try", "psa-hidden-layer", "--step", "13", "-0.1278"]) == 0
    out = capsys.readouterr().out
    assert "a recognised mistake, missing_activation_slope (automatic)" in out
    assert "without ∂ŷ/∂z₂ = 0.2194" in out
    assert main(["try", "psa-hidden-layer", "--step", "13", "5"]) == 0
    assert "a plain miss" in capsys.readouterr().out
    assert main(["try", "psa-hidden-layer", "--step", "13", "-0.028"]) == 0
    assert "right" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["nope", "--step", "1", "1"], "no such file, nor a bundled lesson"),
    ([PSA, "--step", "0", "1"], "has steps 1 to 20"),
    ([PSA, "--step", "21", "1"], "has steps 1 to 20"),
    ([PSA, "--step", "1", "1"], "is a text step, not a check"),
    ([PSA, "--step", "15", "1"], "multiple-choice"),
    ([PSA, "--step", "13", "abc"], "'abc' is not a number"),
    ([PSA, "--step", "13", "1/0"], "is not a number"),
    ([PSA, "--step", "x", "1"], "invalid int value"),
    ([PSA, "13"], "required: --step"),
])
def test_try_bad_input(capsys, args, message):
    assert main(["try", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_try_a_broken_lesson(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text("[lesson]\nid = 'x'\n", encoding="utf-8")
    assert main(["try", str(path), "--step", "1", "1"]) == 2
    assert str(path) in capsys.readouterr().err


def test_try_teacher_mistake(tmp_path, capsys):
    path = tmp_path / "t.toml"
    path.write_text(lesson_text('[{ answer = "layers[0].z[0] + 6", kind = "weight_sign", '
                                'feedback = "That counts −3 as +3." }]'), encoding="utf-8")
    assert main(["try", str(path), "--step", "1", "6", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mistake"] == {"kind": "weight_sign", "feedback": "That counts −3 as +3."}


def test_the_guide_documents_every_kind():
    text = (Path(__file__).resolve().parent.parent / "docs" / "lesson-format.md").read_text(
        encoding="utf-8")
    for kind in KINDS:
        assert f"`{kind}`" in text, kind
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "nn-tui try LESSON --step N VALUE" in readme and "nn-tui progress [--json]" in readme


def test_bundled_teacher_mistakes_are_recognised():
    session = LessonSession(load_lesson(bundled_lessons_dir() / "learning-rate.toml"))
    result = diagnose(session, 6, 1.7)
    assert result.mistake.kind == "previous_eta" and result.mistake.teacher
    session = LessonSession(load_lesson(bundled_lessons_dir() / "psa-softmax.toml"))
    assert diagnose(session, 4, 0.5).mistake.kind == "probability_for_loss"


def test_the_chain_cut_short(psa_hidden):
    session = only_check(psa_hidden, "grads[0].W[0][0]")
    mistake = diagnose(session, 0, -0.0713).mistake
    assert mistake.kind == "chain_cut_short"
    assert mistake.feedback == ("−0.07128: that is ∂L/∂a₁, where the chain stops short: it still "
                                "passes through ∂a₁/∂z₁ = 0.1966 and then x = 2.0000.")


def test_an_expression_comparing_given_values_gets_no_forward_story():
    """losses step 8 asks for the ratio of two squared misses the prompt gives: 4 is not "the
    bias left out" (the learner computed no forward pass), just a plain miss."""
    session = LessonSession(load_lesson(bundled_lessons_dir() / "losses.toml"))
    assert session.steps[7].answer == "(y[1] - output[1])^2 / (y[2] - output[2])^2"
    assert diagnose(session, 7, 4.0).verdict == "miss"
    assert not {"bias_left_out", "z_for_a", "activation_twice", "other_row"} & kinds(session, 7)
    # One value scaled is still a computed value: 100·ŷ keeps the forward mistakes.
    fruit = load_lesson(bundled_lessons_dir() / "fruit.toml")
    assert {"bias_left_out", "z_for_a"} <= kinds(only_check(fruit, "100 * output[0]"))


def test_a_teacher_mistake_over_an_expression():
    session = LessonSession(load_lesson(bundled_lessons_dir() / "losses.toml"))
    assert diagnose(session, 7, 3.0).mistake.kind == "ratio_not_squared"
