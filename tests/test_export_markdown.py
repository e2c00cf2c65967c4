"""``nn-tui export LESSON --markdown``: the lesson as a printable document.

Every bundled lesson exports; the document holds each step's title, each question's answer in
the solutions, and the trace's numbers written as the panes write them (compared with
``nn-tui trace --json``); bad lessons and unwritable outputs exit 2; ``-o`` writes atomically.
"""

from __future__ import annotations

import json
import os
import re
import sys
from functools import lru_cache
from pathlib import Path

import pytest
from lesson_files import lesson_text

from nn_tui.cli import main
from nn_tui.export.markdown import authored_markdown, export_markdown, plain, table
from nn_tui.format.numbers import num, use_decimals
from nn_tui.lessons.catalog import bundled_lessons_dir, load_checked_lesson
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.loader import parse_lesson_text
from nn_tui.lessons.session import MAIN, LessonSession

LESSONS = bundled_lessons_dir()
BUNDLED = sorted(path.stem for path in LESSONS.glob("*.toml"))
PSA_HIDDEN = str(LESSONS / "psa-hidden-layer.toml")


def small(**overrides) -> str:
    """One identity unit, ŷ = 0.5·x, on two rows, without steps: the tiny-checks fixture cut
    down; an override (as lesson_text takes them) replaces the change of that table here."""
    changes = {"lesson": {"id": "small", "title": "Small", "summary": None},
               "network": {"layers": {0: {"bias": [0.0]}}},
               "data": {"rows": [[1.0, 2.0], [2.0, 4.0]]}, "training": None, "steps": None}
    return lesson_text("tiny-checks", **{**changes, **overrides})


SMALL = small()


def with_sources(value: str) -> str:
    """SMALL with ``sources = <value>`` (TOML text, some of it wrong on purpose) in [lesson]."""
    return SMALL.replace('title = "Small"\n', f'title = "Small"\nsources = {value}\n', 1)


@pytest.fixture(autouse=True)
def four_decimals():
    """The panes' default; ``trace --decimals`` changes a module setting."""
    use_decimals(4)
    yield
    use_decimals(4)


@lru_cache(maxsize=None)
def exported(lesson_id: str) -> str:
    use_decimals(4)
    lesson, _notes = load_checked_lesson(LESSONS / f"{lesson_id}.toml")
    return export_markdown(lesson)


@lru_cache(maxsize=None)
def session_of(lesson_id: str) -> LessonSession:
    lesson, _notes = load_checked_lesson(LESSONS / f"{lesson_id}.toml")
    return LessonSession(lesson)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _solutions(document: str) -> str:
    assert "\n## Solutions\n" in document
    return document.split("\n## Solutions\n", 1)[1]


def _steps(document: str) -> list[str]:
    """The document's step sections, in order."""
    body = document.split("\n## Steps\n", 1)[1].split("\n## Solutions\n", 1)[0]
    return re.split(r"\n(?=### Step \d+ · )", body.strip())


# -- every bundled lesson ----------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_every_bundled_lesson_exports_from_the_command_line(capsys, lesson_id):
    status, out, err = _run(capsys, "export", str(LESSONS / f"{lesson_id}.toml"), "--markdown")
    assert status == 0, err
    assert err == ""
    assert out == exported(lesson_id)
    assert out.startswith("# ")


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_the_document_has_every_step_title_in_order(lesson_id):
    document = exported(lesson_id)
    session = session_of(lesson_id)
    sections = _steps(document)
    assert len(sections) == session.total
    for index, (step, section) in enumerate(zip(session.steps, sections)):
        title = step.title or step.kind.capitalize()
        assert section.startswith(f"### Step {index + 1} · {plain(title)}\n"), section[:80]


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_every_check_is_asked_in_the_body_and_answered_in_the_solutions(lesson_id):
    document = exported(lesson_id)
    session = session_of(lesson_id)
    sections = _steps(document)
    solutions = _solutions(document)
    number = 0
    for index, step in enumerate(session.steps):
        if step.kind != "check":
            continue
        number += 1
        # The question (and its choices) in the body, never its answer there.
        assert f"**Question {number}.** {plain(step.prompt)}" in sections[index]
        for choice in step.choices:
            assert plain(choice.text) in sections[index]
        # The answer as the tutor reveals it, and the explanation, in the solutions.
        solution = solutions.split(f"### Question {number} · ", 1)[1].split("\n### ", 1)[0]
        if step.choices:
            correct = session.correct_choice(index)
            assert (f"The answer: choice {correct + 1}, "
                    f"**{plain(step.choices[correct].text)}**") in solution
        else:
            assert f"The answer: **{num(session.answer(index))}**" in solution
        if step.explanation:
            assert plain(step.explanation) in solution
        for hint in step.hints:
            assert plain(hint) in solution
    assert number > 0
    assert f"### Question {number + 1} · " not in solutions


def _trace_json(capsys, lesson_id: str, *options: str) -> dict:
    status, out, err = _run(capsys, "trace", str(LESSONS / f"{lesson_id}.toml"), "--json",
                            *options)
    assert status == 0, err
    return json.loads(out)


def _flat(values) -> list[float]:
    if isinstance(values, list):
        return [number for value in values for number in _flat(value)]
    return [values]


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_the_numbers_are_those_of_nn_tui_trace(capsys, lesson_id):
    """For every data selection a lesson traces through its initial network (a row, or all rows
    at once), the numbers the steps reveal there are the ``trace --json`` numbers of that
    selection, written as the panes write them (4 decimals, a real minus sign)."""
    session = session_of(lesson_id)
    document = exported(lesson_id)
    revealed: dict[tuple, object] = {}
    for index in range(session.total):
        view = session.view(index)
        if (view.variant_id != MAIN or view.updates_applied or view.epochs_trained
                or view.selection.mode == "custom"):
            continue
        key = ("--batch",) if view.trace.mode == "batch" else ("--sample", str(view.trace.rows[0]))
        revealed[key] = revealed[key].merge(view.reveal) if key in revealed else view.reveal
    checked = []
    for options, reveal in revealed.items():
        data = _trace_json(capsys, lesson_id, *options)
        depth = len(data["layers"])
        values = []
        for layer in range(min(reveal.forward, depth)):
            values += _flat(data["layers"][layer]["z"]) + _flat(data["layers"][layer]["a"])
        if reveal.loss and reveal.forward >= depth:
            values.append(data["loss"])
        for layer in range(depth - 1, depth - 1 - min(reveal.backward, depth), -1):
            values += _flat(data["grads"][layer]["W"]) + _flat(data["grads"][layer]["b"])
        if reveal.update:
            for layer in range(depth):
                values += _flat(data["after"]["layers"][layer]["W"])
                values += _flat(data["after"]["layers"][layer]["b"])
            values.append(data["after"]["loss"])
        for value in values:
            assert num(value) in document, (options, value)
        checked += values
    # Which lessons show their data through the initial network at all: the others teach with
    # samples of their own steps or with variants (checked against the session below).
    if lesson_id in ("fruit", "psa-hidden-layer", "learning-rate", "losses", "psa-softmax",
                     "layers"):
        assert len(checked) >= 2
    if lesson_id in ("fruit", "psa-hidden-layer"):
        assert len(checked) >= 12  # forward, loss, every gradient, every new weight


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_each_step_shows_what_its_panes_reveal_and_only_that(lesson_id):
    """The values a step's panes reveal are in its section of the document (or in an earlier
    one, when they did not change), and a step before any forward step shows no arithmetic."""
    session = session_of(lesson_id)
    sections = _steps(exported(lesson_id))
    for index in range(session.total):
        view = session.view(index)
        trace = view.trace
        if trace.mode != "sample":
            continue
        upto = "\n".join(sections[: index + 1])
        depth = len(trace.layers)
        for layer in range(min(view.reveal.forward, depth)):
            for value in list(trace.layers[layer].z) + list(trace.layers[layer].a):
                assert num(value) in upto, (index, layer, value)
        if view.reveal.loss:
            assert num(trace.loss) in upto
        for layer in range(depth - 1, depth - 1 - min(view.reveal.backward, depth), -1):
            for value in list(trace.grads[layer].dL_dW.ravel()) + list(trace.grads[layer].dL_db):
                assert num(value) in upto, (index, layer, value)
        if not (view.reveal.forward or view.reveal.loss or view.trainings):
            assert "```" not in sections[index], index


def test_psa_hidden_layer_step_by_step():
    """The published worked example, where the tutor reveals it: nothing computed before the
    forward steps, then ŷ, the loss, the gradients, the update and the loss after it."""
    sections = _steps(exported("psa-hidden-layer"))
    by_title = {section.split("\n", 1)[0].split(" · ", 1)[1]: section for section in sections}
    assert "```" not in by_title["Your turn: the hidden sum"]
    hidden = by_title["Forward: the hidden neuron"]
    assert "z₁ = w₁·x + b₁ = 0.5000·2 + 0.0000 = 1.0000" in hidden
    assert "a₁ = σ(z₁) = 1 / (1 + e^−z₁) = 1 / (1 + e^−1.0000) = 0.7311" in hidden
    assert "ŷ = " not in hidden  # the output layer comes at the next forward step
    assert "ŷ = σ(z₂) = 1 / (1 + e^−z₂) = 1 / (1 + e^0.7311) = 0.3250" in \
        by_title["Forward: the prediction"]
    # ½·0.3250² is 0.05281: the line shows ŷ with the digit that makes it recompute.
    assert "L = ½·Σ(y − ŷ)² = ½·(0 − 0.32496)² = 0.05280" in \
        by_title["How wrong: half the squared error"]
    output = by_title["Backward: the output layer"]
    assert "∂L/∂ŷ · ∂ŷ/∂z₂ · ∂z₂/∂w₂ = 0.32496 · 0.21936 · 0.73106" in output
    assert "| 0.05211 |" in output
    assert "∂L/∂w₁" not in output  # the hidden layer's gradients come one step later
    assert "| −0.02803 |" in by_title["Backward: the hidden layer"]
    update = by_title["One step of gradient descent"]
    assert "w₂ new = w₂ − η·∂L/∂w₂ = −1.0000 − 0.1·0.05211 = −1.0052" in update
    # After the update: the forward pass through the new weights, worked, then old → new.
    assert "z₂ new = w₂ new·a₁ new + b₂ new = (−1.00521)·0.73243 + (−0.0071284) = −0.7434" \
        in update
    assert "ŷ new = σ(z₂ new) = 1 / (1 + e^−z₂ new) = 1 / (1 + e^0.7434) = 0.3223" in update
    assert "L new = ½·Σ(y − ŷ)² = ½·(0 − 0.32227)² = 0.05193" in update
    assert "ŷ 0.3249625 → 0.3222656 (−0.002697)" in update
    assert "L 0.052800304 → 0.051927552 (−0.0008728)" in update
    assert "was" not in update and "see the rows" not in update
    training = by_title["Training on all 14 patients"]
    outcome = session_of("psa-hidden-layer").training_outcomes(
        [step.title for step in session_of("psa-hidden-layer").steps].index(
            "Training on all 14 patients"))[0]
    assert re.search(rf"\| main network \| +6000 / 6000 \| +{num(outcome.history[0])} \| "
                     rf"+{num(outcome.history[-1])} \| done", training)
    assert "0.06836" in training  # the mean loss the lesson's prose quotes (as 0.0684)


def test_the_document_starts_with_the_network_and_the_data():
    document = exported("psa-hidden-layer")
    head = document.split("\n## Steps\n", 1)[0]
    assert head.startswith("# PSA: one hidden neuron, one backprop step\n")
    assert "- **Learning rate:** η = 0.1" in head
    assert "L = ½·Σ(y − ŷ)²" in head
    assert "w₁ = 0.5000   b₁ = 0.0000" in head and "w₂ = −1.0000   b₂ = 0.0000" in head
    assert "| row | PSA | cancer |" in head
    assert "|   9 |   2 |      0 |" in head
    assert "follows row 9 (PSA = 2, cancer = 0)" in head


# -- training and the loss plot ----------------------------------------------------------------


def test_training_results_are_a_table_with_a_text_plot():
    document = exported("learning-rate")
    session = session_of("learning-rate")
    index = next(k for k, step in enumerate(session.steps) if step.kind == "train")
    outcomes = session.training_outcomes(index)
    section = _steps(document)[index]
    for outcome in outcomes:
        row = next(line for line in section.splitlines()
                   if line.startswith(f"| {outcome.label} "))
        assert f"{outcome.epochs_run} / {outcome.epochs_planned}" in row
        assert num(outcome.history[0]) in row and num(outcome.history[-1]) in row
    diverged = [outcome for outcome in outcomes if outcome.diverged]
    assert diverged, "the lesson's η = 0.3 run diverges"
    for outcome in diverged:
        assert f"- {outcome.label}: diverged: {outcome.diverged}" in section
    plot = section.split("The loss curve", 1)[1].split("```text\n", 1)[1].split("\n```", 1)[0]
    assert "\x1b" not in plot
    assert max(len(line) for line in plot.splitlines()) <= 80
    assert "epoch" in plot
    for marker, outcome in zip("•x+", outcomes):
        assert f"{marker}  {outcome.label}" in plot  # the key: the plot reads without colour


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_the_markdown_is_well_formed(lesson_id):
    document = exported(lesson_id)
    fences = [line for line in document.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", document)
    assert document.endswith("\n") and not document.endswith("\n\n")
    # Tables: every row of a table has as many cells as its header.
    for block in re.findall(r"(?:^\|.*\|\n)+", document, flags=re.M):
        rows = block.strip().splitlines()
        cells = {len(re.split(r"(?<!\\)\|", row)) for row in rows}
        assert len(cells) == 1, block


# -- sources ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", ("fruit", "psa-softmax", "psa-hidden-layer"))
def test_the_article_lessons_cite_their_source(lesson_id):
    lesson = session_of(lesson_id).lesson
    assert lesson.sources
    sources = exported(lesson_id).split("\n## Sources\n", 1)[1]
    for source in lesson.sources:
        assert f"- {plain(source)}" in sources
    if lesson_id.startswith("psa"):
        assert "The Math Behind a Neural Network" in sources
        assert "June 06, 2025" in sources


def test_a_lesson_without_sources_has_no_sources_section():
    lesson = parse_lesson_text(SMALL, "small.toml")
    assert lesson.sources == ()
    assert "## Sources" not in export_markdown(lesson)


@pytest.mark.parametrize("value, key, message", [
    ('"one article"', "lesson.sources", "must be a list of texts"),
    ("[1]", "lesson.sources[0]", "must be text"),
    ('["  "]', "lesson.sources[0]", "must not be empty"),
    ('["ok", "a\\u001b[2Jb"]', "lesson.sources[1]", "control character \\x1b"),
    ('["a\\u202eb"]', "lesson.sources[0]", "control character \\u202e"),
    (f'["{"x" * 501}"]', "lesson.sources[0]", "the limit is 500"),
    ("[" + ", ".join(['"s"'] * 21) + "]", "lesson.sources", "the limit is 20"),
])
def test_sources_are_validated_like_other_text(value, key, message):
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(with_sources(value), "small.toml")
    problems = [problem for problem in caught.value.problems if problem.key == key]
    assert problems and message in problems[0].message, caught.value


def test_sources_are_listed_in_the_document():
    lesson = parse_lesson_text(
        with_sources('["Someone, *An article*, a journal (2025)", "A book <b>"]'), "s.toml")
    assert lesson.sources == ("Someone, *An article*, a journal (2025)", "A book <b>")
    sources = export_markdown(lesson).split("\n## Sources\n", 1)[1]
    # Shown literally: no emphasis, no HTML.
    assert "- Someone, \\*An article\\*, a journal (2025)" in sources
    assert "- A book \\<b>" in sources


# -- lesson text in Markdown --------------------------------------------------------------------


def test_plain_text_is_escaped_only_where_markdown_would_act():
    assert plain("ŷ > 0.5 and x < 2, 0.3250, half_sse, Σ[y·ln ŷ]") == \
        "ŷ > 0.5 and x < 2, 0.3250, half_sse, Σ[y·ln ŷ]"
    assert plain("a*b _x_ `c` [l](u) <i>") == "a\\*b \\_x\\_ \\`c\\` [l\\](u) \\<i>"
    assert plain("# heading\n- item\n1. item\n> quote") == \
        "\\# heading  \n\\- item  \n1\\. item  \n\\> quote"


def test_step_text_stays_markdown_without_html_or_an_open_fence():
    assert authored_markdown("**bold** and <script>x</script>") == \
        "**bold** and &lt;script>x&lt;/script>"
    assert authored_markdown("```\n<kept> in code\n") == "```\n<kept> in code\n```"


def test_a_step_cannot_break_the_document():
    text = SMALL + '''
[[steps]]
kind = "text"
title = "# not a heading | pipe *star*"
text = """
An open fence:
```
never closed
"""

[[steps]]
kind = "check"
title = "Q"
prompt = "What is <b>z</b>?\\n# also not a heading"
answer = "layers[0].z[0]"
explanation = "It is *z*."
'''
    document = export_markdown(parse_lesson_text(text, "t.toml"))
    assert "### Step 1 · \\# not a heading | pipe \\*star\\*" in document
    assert len([line for line in document.splitlines() if line.startswith("```")]) % 2 == 0
    assert "## Solutions" in document
    assert "**Question 1.** What is \\<b>z\\</b>?  \n\\# also not a heading" in document
    assert "It is \\*z\\*." in document


def test_a_table_lines_up_its_columns():
    text = table(("a", "value"), [("∂L/∂ŷ", "−0.1"), ("long name", "2")], (False, True))
    lines = text.splitlines()
    assert lines[0] == "| a         | value |"
    assert lines[1] == "| --------- | ----: |"
    assert lines[2] == "| ∂L/∂ŷ     |  −0.1 |"
    assert lines[3] == "| long name |     2 |"


# -- the command line ---------------------------------------------------------------------------


def test_a_bad_lesson_exits_2_with_the_usual_message(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(SMALL.replace('"mse"', '"hinge"'), encoding="utf-8")
    output = tmp_path / "out.md"
    status, out, err = _run(capsys, "export", str(bad), "--markdown", "-o", str(output))
    assert status == 2
    assert out == ""
    assert f"{bad}" in err and "network.loss: unknown loss 'hinge'" in err
    assert "Traceback" not in err
    assert not output.exists()


def test_a_lesson_check_refuses_exits_2(capsys, tmp_path):
    """Not only the loader's problems: a question whose choices match no answer, as check."""
    text = SMALL + '''
[[steps]]
kind = "check"
prompt = "Which?"
answer = "layers[0].z[0]"
choices = [{ text = "a", value = 7 }, { text = "b", value = 8 }]
'''
    bad = tmp_path / "choices.toml"
    bad.write_text(text, encoding="utf-8")
    status, out, err = _run(capsys, "export", str(bad), "--markdown")
    assert status == 2 and out == ""
    assert "steps[0].choices" in err


@pytest.mark.parametrize("argv, message", [
    (("export", PSA_HIDDEN), "one of the arguments --markdown --python is required"),
    (("export", PSA_HIDDEN, "--markdown", "--python"), "not allowed with argument"),
    (("export", "--markdown"), "the following arguments are required: LESSON"),
])
def test_usage_errors_exit_2(capsys, argv, message):
    status, out, err = _run(capsys, *argv)
    assert status == 2 and out == ""
    assert message in err


def test_missing_lesson_exits_2(capsys, tmp_path):
    status, _out, err = _run(capsys, "export", str(tmp_path / "nope.toml"), "--markdown")
    assert status == 2
    assert "nope.toml" in err and "no such file" in err


def test_o_writes_the_file(capsys, tmp_path):
    output = tmp_path / "psa.md"
    status, out, err = _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", str(output))
    assert (status, out, err) == (0, "", "")
    assert output.read_text(encoding="utf-8") == exported("psa-hidden-layer")
    assert list(tmp_path.iterdir()) == [output]  # no temp file left behind


def test_o_replaces_an_existing_file_atomically_keeping_its_mode(capsys, tmp_path):
    output = tmp_path / "psa.md"
    output.write_text("old", encoding="utf-8")
    output.chmod(0o640)
    status, _out, err = _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", str(output))
    assert status == 0, err
    assert output.read_text(encoding="utf-8") == exported("psa-hidden-layer")
    assert output.stat().st_mode & 0o777 == 0o640
    assert list(tmp_path.iterdir()) == [output]


def test_a_new_file_gets_the_usual_mode(capsys, tmp_path):
    output = tmp_path / "new.md"
    mask = os.umask(0o022)
    try:
        assert _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", str(output))[0] == 0
    finally:
        os.umask(mask)
    assert output.stat().st_mode & 0o777 == 0o644


def test_an_interrupted_write_leaves_the_old_file(monkeypatch, tmp_path):
    from nn_tui import export

    output = tmp_path / "psa.md"
    output.write_text("old", encoding="utf-8")

    def fail(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "replace", fail)
    with pytest.raises(OSError):
        export.write_atomically(output, "new text")
    assert output.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [output]


@pytest.mark.parametrize("where, message", [
    ("missing/out.md", "no such folder"),
    ("", "is a folder"),
    ("out.md/", "give a file name"),
])
def test_an_unwritable_path_exits_2(capsys, tmp_path, where, message):
    target = str(tmp_path / where) if where else str(tmp_path)
    if where.endswith("/"):
        target += "/"
    status, out, err = _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", target)
    assert status == 2 and out == ""
    assert err.startswith(f"nn-tui export: -o {target}: ")
    assert message in err and "Traceback" not in err


def test_a_read_only_folder_exits_2(capsys, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        status, out, err = _run(capsys, "export", PSA_HIDDEN, "--markdown",
                                "-o", str(folder / "out.md"))
    finally:
        folder.chmod(0o700)
    assert status == 2 and out == ""
    assert "permission denied" in err
    assert list(folder.iterdir()) == []


def test_a_full_disk_exits_2(capsys, tmp_path, monkeypatch):
    """A write that fails after the checks (disk full, quota) is a message too."""
    from nn_tui import export

    def full(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export.os, "fsync", full)
    output = tmp_path / "out.md"
    status, out, err = _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", str(output))
    assert status == 2 and out == ""
    assert "no space left" in err
    assert list(tmp_path.iterdir()) == []


def test_o_refuses_to_overwrite_the_lesson(capsys, tmp_path):
    lesson = tmp_path / "small.toml"
    lesson.write_text(SMALL, encoding="utf-8")
    status, _out, err = _run(capsys, "export", str(lesson), "--markdown", "-o", str(lesson))
    assert status == 2
    assert "is the lesson file itself" in err
    assert lesson.read_text(encoding="utf-8") == SMALL


def test_export_does_not_load_textual(tmp_path):
    from script_runs import run_scripts

    script = tmp_path / "export_without_textual.py"
    script.write_text(
        "import sys\nfrom nn_tui.cli import main\n"
        f"status = main(['export', {PSA_HIDDEN!r}, '--markdown', '-o', "
        f"{str(tmp_path / 'out.md')!r}])\n"
        "assert status == 0, status\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'textual'], 'textual'\n",
        encoding="utf-8")
    # In a process of its own, forked from an interpreter that has imported nn_tui.cli (and so
    # holds whatever that import pulls in, Textual included if it ever did).
    [result] = run_scripts([(script,)], os.environ, preload=["nn_tui.cli"],
                           cwd=Path(__file__).resolve().parent.parent, timeout=120)
    assert result.returncode == 0, result.stderr


def test_a_large_batch_is_listed_in_part():
    from nn_tui.export.markdown import MAX_BATCH_LINES

    rows = [[float(k), float(2 * k)] for k in range(50)]
    text = small(data={"rows": rows}) + '\n[[steps]]\nkind = "update"\nbatch = true\n'
    document = export_markdown(parse_lesson_text(text, "big.toml"))
    assert f"… and {50 - MAX_BATCH_LINES} more rows" in document
    assert "row 49:" not in document
    assert "row 19:" in document


def test_list_json_gives_the_sources(capsys):
    status, out, err = _run(capsys, "list", "--json")
    assert status == 0, err
    records = {record["id"]: record for record in json.loads(out)}
    assert records["psa-hidden-layer"]["sources"] == list(session_of("psa-hidden-layer")
                                                          .lesson.sources)
    assert records["xor"]["sources"] == []


@pytest.mark.parametrize("lesson_id", BUNDLED)
def test_the_document_renders_as_github_flavoured_markdown(lesson_id):
    """Rendered (markdown-it, which Rich brings, in its GitHub-like mode): one heading per step
    and per solution, the tables as tables, the worked arithmetic as code, no raw HTML."""
    from markdown_it import MarkdownIt

    document = exported(lesson_id)
    session = session_of(lesson_id)
    html = MarkdownIt("gfm-like").render(document)
    questions = sum(step.is_question for step in session.steps)  # checks and explore tasks
    assert html.count("<h3>") == session.total + questions
    tables = len(re.findall(r"^\| [-:]", document, flags=re.M))
    assert html.count("<table>") == tables >= 1
    fences = len([line for line in document.splitlines() if line.startswith("```")]) // 2
    assert html.count("<pre><code") == fences
    assert "<script" not in html and "<b>" not in html


def test_python_is_wired_to_the_python_exporter(capsys, monkeypatch, tmp_path):
    """--python hands the checked lesson to nn_tui.export.python.export_python and prints or
    writes its text like --markdown (a stand-in module here: the exporter has its own tests)."""
    import types

    seen = []
    stand_in = types.ModuleType("nn_tui.export.python")

    def export_python(lesson):
        seen.append(lesson.id)
        return "import numpy as np\nprint('ŷ')\n"

    stand_in.export_python = export_python
    monkeypatch.setitem(sys.modules, "nn_tui.export.python", stand_in)
    status, out, err = _run(capsys, "export", PSA_HIDDEN, "--python")
    assert (status, out, err) == (0, "import numpy as np\nprint('ŷ')\n", "")
    output = tmp_path / "psa.py"
    assert _run(capsys, "export", PSA_HIDDEN, "--python", "-o", str(output))[0] == 0
    assert output.read_text(encoding="utf-8") == "import numpy as np\nprint('ŷ')\n"
    assert seen == ["psa-hidden-layer", "psa-hidden-layer"]


def test_o_refuses_a_device_or_a_pipe(capsys, tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for target in ("/dev/null", str(pipe)):
        status, out, err = _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", target)
        assert status == 2 and out == ""
        assert "is not a regular file" in err
    assert Path("/dev/null").is_char_device()


def test_o_writes_through_a_symbolic_link(capsys, tmp_path):
    real = tmp_path / "real.md"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert _run(capsys, "export", PSA_HIDDEN, "--markdown", "-o", str(link))[0] == 0
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == exported("psa-hidden-layer")
