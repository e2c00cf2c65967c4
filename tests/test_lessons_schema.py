"""The lesson schema is declared once (nn_tui.lessons.schema): the loader's allowed keys, the
model's fields and the reference tables of docs/lesson-format.md all agree with it; and
``[lesson] format_version``."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from nn_tui.lessons import loader, schema
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.loader import parse_lesson_text
from nn_tui.lessons.model import STEP_KINDS, LayerSpec, Step, StepKind, TrainingSpec

DOC = (Path(__file__).resolve().parents[1] / "docs" / "lesson-format.md").read_text("utf-8")
BUNDLED = sorted(bundled_lessons_dir().glob("*.toml"))


@pytest.mark.parametrize("table", schema.DOCUMENTED, ids=lambda table: table.title)
def test_the_documents_reference_tables_are_the_generated_ones(table):
    assert table.markdown() in DOC, (
        f"docs/lesson-format.md's table of {table.title} differs from nn_tui/lessons/schema.py: "
        "print the tables with `python -m nn_tui.lessons.schema`")


def test_the_documents_table_of_step_kinds_is_the_generated_one():
    assert schema.kinds_markdown() in DOC


def test_every_step_kind_is_declared_once_and_its_own_keys_are_documented():
    assert [entry.kind for entry in schema.KINDS] == list(StepKind)
    assert STEP_KINDS == tuple(kind.value for kind in StepKind)
    for kind, table in schema.KIND_TABLES.items():
        entry = next(entry for entry in schema.KINDS if entry.kind == kind)
        assert table.keys == set(entry.extra), kind


def test_the_loader_allows_exactly_the_declared_keys():
    assert loader.LESSON_KEYS == schema.LESSON.keys
    assert loader.LAYER_KEYS == schema.LAYER.keys
    assert set(loader.STEP_KEYS) == set(StepKind)
    # A train step chooses no data; every other kind may.
    assert "row" not in loader.STEP_KEYS[StepKind.TRAIN]
    assert {"row", "batch", "x", "y"} <= loader.STEP_KEYS[StepKind.EXPLORE]


def test_every_declared_step_key_is_a_field_of_the_model():
    fields = {field.name for field in dataclasses.fields(Step)}
    for kind in StepKind:
        assert schema.step_keys(kind) <= fields, kind
    assert schema.LAYER.keys <= {field.name for field in dataclasses.fields(LayerSpec)}
    assert schema.TRAINING.keys <= {field.name for field in dataclasses.fields(TrainingSpec)}


def test_the_bundled_lessons_use_only_declared_keys():
    for path in BUNDLED:
        data = tomllib.loads(path.read_text("utf-8"))
        assert set(data) <= schema.TOP_KEYS
        assert set(data["lesson"]) <= schema.LESSON.keys
        for step in data.get("steps", ()):
            assert set(step) <= schema.step_keys(StepKind(step["kind"])), (path.name, step)


def test_a_step_kind_is_a_step_kind_enum_and_equals_its_name():
    lesson = parse_lesson_text(BUNDLED[0].read_text("utf-8"), BUNDLED[0].name)
    kinds = {step.kind for step in lesson.steps}
    assert all(isinstance(kind, StepKind) for kind in kinds)
    assert StepKind.CHECK == "check" and f"{StepKind.TRAIN}" == "train"


def _with_version(value: str) -> str:
    return BUNDLED[0].read_text("utf-8").replace("[lesson]\n", f"[lesson]\nformat_version = {value}\n", 1)


def test_format_version_1_is_read():
    assert parse_lesson_text(_with_version("1"), "v1.toml").steps


@pytest.mark.parametrize(("value", "message"), [
    ("2", "is 2, a newer version than this nn-tui reads: update nn-tui"),
    ("0", "is 0, not a version of the format"),
    ('"1"', "must be a whole number (1), not the text"),
    ("1.0", "must be a whole number (1), not the number 1.0"),
])
def test_another_format_version_is_refused_with_file_line_and_key(value, message):
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(_with_version(value), "v.toml")
    text = str(caught.value)
    assert "v.toml:2: lesson.format_version: " in text and message in text
