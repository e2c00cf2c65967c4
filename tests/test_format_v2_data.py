"""Issue 11, "Data" and "CLI details": lessons reading a CSV file, ``nn-tui new``, the lesson
writer, negative numbers on the command line, trivial slopes and negative zero."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
import pytest

from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.loader import load_lesson, parse_lesson_text
from nn_tui.lessons.writer import LessonWriteError, lesson_toml, write_new_lesson


# -- the writer ------------------------------------------------------------------------------------


def _and_gate(**changes) -> str:
    arguments = dict(
        lesson_id="and-gate", title='AND "gate"\nsecond line', inputs=["a", "b"], outputs=["y"],
        layers=[("sigmoid", np.array([[0.1, -0.0], [0.3, 0.4]]), np.zeros(2)),
                ("sigmoid", [[1.5, -2]], [0.1])],
        loss="bce", learning_rate=0.5, rows=[[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]],
        training={"epochs": 50})
    arguments.update(changes)
    return lesson_toml(**arguments)


def test_writer_output_is_a_valid_lesson_with_the_values_given():
    text = _and_gate()
    data = tomllib.loads(text)
    assert data["lesson"]["title"] == 'AND "gate"\nsecond line'
    assert data["network"]["layers"][0]["weights"] == [[0.1, 0.0], [0.3, 0.4]]
    assert "-0.0" not in text
    assert "steps" not in data
    lesson = parse_lesson_text(text, "and.toml")
    assert lesson.network.layers[1].weights == ((1.5, -2.0),)
    assert lesson.rows.tolist() == [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]]
    assert lesson.training.epochs == 50
    # A teacher reads the file: every table is explained, matrices are one line.
    assert "# bce: binary cross-entropy" in text
    assert "weights = [[0.1, 0.0], [0.3, 0.4]]" in text
    assert "# " not in _and_gate(comments=False)


def test_writer_csv_data_and_extra_layer_keys():
    text = lesson_toml(lesson_id="p", title="P", inputs=["x"], outputs=["y"],
                       layers=[{"activation": "identity", "weights": [[2.0]], "bias": None,
                                "freeze": ["weights"]}],
                       loss="mse", learning_rate=0.1, csv="data/p.csv",
                       csv_inputs=["PSA level"], csv_targets=["cancer"])
    data = tomllib.loads(text)
    assert data["data"] == {"csv": "data/p.csv", "inputs": ["PSA level"], "targets": ["cancer"]}
    assert data["network"]["layers"][0] == {"units": 1, "activation": "identity",
                                            "weights": [[2.0]], "freeze": ["weights"]}


@pytest.mark.parametrize("changes, message", [
    ({"rows": None}, "one of the two"),
    ({"csv": "x.csv"}, "one of the two"),
    ({"layers": [("sigmoid", [[0.1]], [0.0])]}, "fan-in is 2"),
    ({"layers": [("sigmoid", [[0.1, 0.2]], [0.0, 1.0])]}, "has 2 values"),
    ({"layers": [("sigmoid", [[0.1, float("nan")]], [0.0])]}, "not finite"),
    ({"outputs": ["y", "z"]}, "2 names for 1 output units"),
    ({"rows": [[0, 1]]}, "3 expected"),
    ({"learning_rate": float("inf")}, "not finite"),
])
def test_writer_refuses_values_that_make_no_lesson(changes, message):
    with pytest.raises(LessonWriteError, match=message):
        _and_gate(**changes)


def test_write_new_lesson_is_atomic_and_never_overwrites(tmp_path):
    target = tmp_path / "new.toml"
    write_new_lesson(target, "one = 1\n")
    assert target.read_text() == "one = 1\n"
    with pytest.raises(FileExistsError):
        write_new_lesson(target, "two = 2\n")
    assert target.read_text() == "one = 1\n"
    write_new_lesson(target, "two = 2\n", overwrite=True)
    assert target.read_text() == "two = 2\n"
    # A dangling link is something there too: writing through it would create its target.
    link = tmp_path / "link.toml"
    link.symlink_to(tmp_path / "nowhere.toml")
    with pytest.raises(FileExistsError):
        write_new_lesson(link, "x = 1\n")
    with pytest.raises(IsADirectoryError):
        write_new_lesson(tmp_path, "x = 1\n", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.toml", "new.toml"]
    assert (os.stat(target).st_mode & 0o777) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
