"""tests/lesson_files.py and tests/fixtures/: every fixture is a lesson `nn-tui check` accepts, and
the text lesson_text writes means what lesson_data says, for every fixture and bundled lesson."""

from __future__ import annotations

import tomllib

import pytest
from lesson_files import (
    FIXTURES,
    base_path,
    lesson_data,
    lesson_text,
    lesson_with,
    train_then_checks,
    write_lesson,
)

from nn_tui.lessons.catalog import bundled_lessons_dir, load_checked_lesson
from nn_tui.lessons.loader import parse_lesson_text

FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.toml"))
BASES = FIXTURE_NAMES + sorted(path.stem for path in bundled_lessons_dir().glob("*.toml"))


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_is_a_checked_lesson(name):
    path = FIXTURES / f"{name}.toml"
    lesson, _notes = load_checked_lesson(path)
    assert lesson.id == tomllib.loads(path.read_text("utf-8"))["lesson"]["id"]


@pytest.mark.parametrize("base", BASES)
def test_the_text_written_means_the_data(base):
    changes = {"lesson": {"id": "changed"}, "training": {"epochs": 3}}
    text = lesson_text(base, **changes)
    assert tomllib.loads(text) == lesson_data(base, **changes)
    parse_lesson_text(text, str(base_path(base)))  # beside the original: a CSV file is found


def test_without_changes_the_fixture_is_its_own_text():
    assert lesson_text("tiny-checks") == (FIXTURES / "tiny-checks.toml").read_text("utf-8")


def test_short_arrays_stand_on_one_line_and_long_ones_one_item_a_line():
    rows = [[float(k), 2.0 * k] for k in range(40)]
    text = lesson_text("tiny-checks", data={"rows": rows})
    assert 'weights = [[0.5]]\nbias = [0.25]\n' in text
    assert 'rows = [\n    [0.0, 0.0],\n    [1.0, 2.0],\n' in text
    assert tomllib.loads(text)["data"]["rows"] == rows


def test_items_of_a_list_of_tables_change_by_index_and_none_removes():
    data = lesson_data("psa-1-1-1", network={"layers": {1: {"bias": [2.0], "weights": None}}},
                       lesson={"title": None})
    first, second = data["network"]["layers"]
    assert first == {"units": 1, "activation": "sigmoid", "weights": [[0.5]], "bias": [0.0]}
    assert second == {"units": 1, "activation": "sigmoid", "bias": [2.0]}
    assert "title" not in data["lesson"]


def test_steps_none_leaves_a_head_that_steps_text_can_follow():
    head = lesson_text("psa-1-1-1", lesson={"id": "head"}, steps=None)
    assert "[[steps]]" not in head and "steps =" not in head
    lesson = parse_lesson_text(head + '\n[[steps]]\nkind = "forward"\n', "head.toml")
    assert [step.kind for step in lesson.steps] == ["forward"]


def test_short_steps_are_written_as_tables_after_the_rest():
    """tomli-w alone writes a short list of tables inline before [lesson]."""
    text = lesson_text("psa-1-1-1", lesson={"id": "short"})
    assert text.startswith("[lesson]\n")
    assert text.count("\n[[steps]]\n") == 2


def test_train_then_checks_adds_one_check_per_answer(tmp_path):
    text = train_then_checks(7, "training.main.epochs", "len(training.main.history)",
                             id="two-checks")
    path = write_lesson(tmp_path, text, "two.toml")
    lesson, _notes = load_checked_lesson(path)
    assert lesson.id == "two-checks"
    assert [step.kind for step in lesson.steps] == ["train", "check", "check"]
    assert lesson.steps[0].epochs == 7


def test_lesson_with_writes_the_changed_copy(tmp_path):
    path = lesson_with(tmp_path / "sub", "tiny-checks", lesson={"id": "copy"})
    assert path == tmp_path / "sub" / "tiny-checks.toml"
    assert tomllib.loads(path.read_text("utf-8"))["lesson"]["id"] == "copy"
