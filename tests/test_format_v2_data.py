"""Issue 11, "Data" and "CLI details": lessons reading a CSV file, ``nn-tui new``, the lesson
writer, negative numbers on the command line, trivial slopes and negative zero."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from lesson_files import FIXTURES, fixture_text
from table_checks import check_each

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


# -- [data] csv ------------------------------------------------------------------------------------

# One sigmoid unit on four men read from psa.csv, and that file (both in tests/fixtures/).
LESSON = fixture_text("psa-csv")
CSV = (FIXTURES / "psa.csv").read_text(encoding="utf-8")


def _lesson_line(text: str, start: str) -> int:
    """The line of the last key starting so ([data] comes last in LESSON)."""
    return [number for number, line in enumerate(text.splitlines(), 1)
            if line.startswith(start)][-1]


@pytest.fixture
def csv_lesson(tmp_path):
    """(lesson path, csv path) in tmp_path; write other text to either to test a fault."""
    lesson, data = tmp_path / "psa.toml", tmp_path / "psa.csv"
    lesson.write_text(LESSON, encoding="utf-8")
    data.write_text(CSV, encoding="utf-8")
    return lesson, data


def _problems(path: Path) -> list[str]:
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    return [str(problem) for problem in caught.value.problems]


def test_csv_lesson_reads_the_named_columns_in_order(csv_lesson):
    lesson_path, data = csv_lesson
    data.write_text("cancer,note,PSA\n1,\"a note, with a comma\",3.8\n0,x,-0\n", encoding="utf-8")
    lesson = load_lesson(lesson_path)
    assert lesson.rows.tolist() == [[3.8, 1.0], [0.0, 0.0]]
    assert not np.signbit(lesson.rows).any()  # "-0" is 0
    assert lesson.data_file == "psa.csv"
    # As rows would give them: the same lesson with data.rows is the same lesson.
    as_rows = LESSON.replace('csv = "psa.csv"\ninputs = ["PSA"]\ntargets = ["cancer"]',
                             "rows = [[3.8, 1], [0, 0]]")
    assert np.array_equal(parse_lesson_text(as_rows, "x.toml").rows, lesson.rows)


def test_csv_columns_default_to_the_network_names_and_may_differ(csv_lesson):
    lesson_path, data = csv_lesson
    text = LESSON.replace('inputs = ["PSA"]\ntargets = ["cancer"]\n', "")
    lesson_path.write_text(text, encoding="utf-8")
    assert load_lesson(lesson_path).rows.shape == (4, 2)
    data.write_text("psa level,diagnosis\n3.8,1\n", encoding="utf-8")
    problems = _problems(lesson_path)
    assert problems == [
        f"{lesson_path}:{_lesson_line(text, 'csv =')}: data.csv: no column 'PSA' in "
        f"{data} (its first line names the columns 'psa level', 'diagnosis') (data.inputs is "
        "left out, so the columns are named as the network's; give data.inputs and "
        "data.targets to name others)",
        f"{lesson_path}:{_lesson_line(text, 'csv =')}: data.csv: no column 'cancer' in "
        f"{data} (its first line names the columns 'psa level', 'diagnosis') (data.targets is "
        "left out, so the columns are named as the network's; give data.inputs and "
        "data.targets to name others)"]
    lesson_path.write_text(text.replace('csv = "psa.csv"', 'csv = "psa.csv"\ninputs = '
                                        '["psa level"]\ntargets = ["diagnosis"]'))
    assert load_lesson(lesson_path).network.inputs == ("PSA",)


# Each fault of a CSV file: (its text or bytes, the line, what the message says).
CSV_FAULTS = [
    ("patient,PSA,cancer\n1,abc,1\n", 2, "column 'PSA': 'abc' is not a number"),
    ("patient,PSA,cancer\n1,3.8,1\n2,3.4\n", 3, "has 2 cells, but the header (line 1) names 3"),
    ("patient,PSA,cancer\n1,3.8,1,9\n", 2, "has 4 cells"),
    ("patient,PSA,cancer\n1,nan,1\n", 2, "'nan' is not a finite number"),
    ("patient,PSA,cancer\n1,3.8,inf\n", 2, "column 'cancer': 'inf' is not a finite number"),
    ("patient,PSA,cancer\n1,,1\n", 2, "column 'PSA': is empty"),
    ('patient,PSA,cancer\n1,"3,8",1\n', 2, "(a decimal comma? write 0.5, not 0,5)"),
    ("patient,PSA,cancer\n1,1e7,1\n", 2, "'1e7' is too large; keep values within ±1e+06"),
    ("", 1, "is empty: it needs a header line"),
    ("\n\n", 1, "is empty: it needs a header line"),
    ("patient,PSA,cancer\n", 1, "has a header but no rows of data"),
    ("patient,PSA,PSA,cancer\n1,2,3,1\n", 1, "the header names the column 'PSA' 2 times "
                                             "(columns 2, 3)"),
    ('patient,PSA,cancer\n1,"3.8\n', 2, "cannot be read as CSV"),
    ('note,PSA,cancer\n"two\nlines",3.8,1\n5,x,1\n', 4, "column 'PSA': 'x' is not a number"),
    (b"patient,PSA,cancer\n1,2\xe9,1\n", 2, "is not UTF-8 text (byte 0xe9"),
    ("PSA,cancer\n1,1\n".encode("utf-16"), 1, "is UTF-16 text"),
    ("PSA,cancer\n1,1\n".encode("utf-16-le"), 1, "looks like UTF-16 or UTF-32 text"),
    ("PSA,cancer\n" + "1,1\n" * 10_001, 10_002, "has more than 10,000 rows of data"),
    ("note,PSA,cancer\n" + "x" * 10_001 + ",1,1\n", 2, "has a cell of 10,001 characters"),
    ("," * 1000 + "PSA,cancer\n1,1\n", 1, "has 1,002 columns; the limit is 1,000"),
    ("PSA,cancer\n" + "1,1\n" * 3 + "1,\x00\n", 5, "holds a NUL character"),
]


@pytest.mark.parametrize("content, line, message", CSV_FAULTS)
def test_each_csv_fault_names_the_csv_file_and_line(csv_lesson, content, line, message):
    lesson_path, data = csv_lesson
    if isinstance(content, bytes):
        data.write_bytes(content)
    else:
        data.write_text(content, encoding="utf-8")
    problems = _problems(lesson_path)
    assert problems[0].startswith(f"{data}:{line}: "), problems
    assert message in problems[0]


def test_csv_with_bom_and_crlf_and_blank_lines_is_read(csv_lesson):
    lesson_path, data = csv_lesson
    data.write_bytes(b"\xef\xbb\xbfpatient,PSA,cancer\r\n1,3.8,1\r\n\r\n2,\xe2\x88\x921.5,0\r\n")
    assert load_lesson(lesson_path).rows.tolist() == [[3.8, 1.0], [-1.5, 0.0]]


# Faults on the lesson's side: (a change to the lesson, the key, what the message says).
LESSON_FAULTS = [
    ('csv = "psa.csv"', 'csv = "missing.csv"', "data.csv", "missing.csv: cannot read the "
                                                           "file: no such file"),
    ('csv = "psa.csv"', 'csv = "sub"', "data.csv", "is a folder, not a CSV file"),
    ('csv = "psa.csv"', 'csv = ""', "data.csv", "must not be empty"),
    ('csv = "psa.csv"', 'csv = 3', "data.csv", "must be text"),
    ('csv = "psa.csv"', 'csv = "psa.csv"\nrows = [[1, 1]]', "data.csv",
     "give the data as rows or as a csv file, not both"),
    ('inputs = ["PSA"]\ntargets', 'inputs = ["PSA", "patient"]\ntargets', "data.inputs",
     "names 2 column(s); the network has 1 inputs (PSA)"),
    ('inputs = ["PSA"]\ntargets', 'inputs = ["Psa"]\ntargets', "data.inputs[0]",
     "no column 'Psa' in"),
    ('targets = ["cancer"]', 'targets = ["PSA"]', "data.targets",
     "the column 'PSA' is named in data.inputs too"),
    ('targets = ["cancer"]', 'targets = ["patient"]', "data.targets",
     "bce needs targets between 0 and 1"),
    ('targets = ["cancer"]', 'targets = []', "data.targets", "must be a non-empty list"),
]


@pytest.mark.parametrize("old, new, key, message", LESSON_FAULTS)
def test_each_lesson_side_fault_names_the_lesson_file_key_and_line(csv_lesson, old, new, key,
                                                                    message):
    lesson_path, data = csv_lesson
    (lesson_path.parent / "sub").mkdir()
    text = LESSON.replace(old, new)
    lesson_path.write_text(text, encoding="utf-8")
    problems = _problems(lesson_path)
    line = _lesson_line(text, key.split(".")[1].split("[")[0] + " =")
    assert any(p.startswith(f"{lesson_path}:{line}: {key}: ") and message in p
               for p in problems), problems


def test_rows_lesson_refuses_csv_column_keys():
    text = LESSON.replace('csv = "psa.csv"', "rows = [[1, 1]]")
    with pytest.raises(LessonError) as caught:
        parse_lesson_text(text, "x.toml")
    assert [p.key for p in caught.value.problems] == ["data.inputs", "data.targets"]
    assert "use it with csv" in caught.value.problems[0].message


def test_csv_special_files_and_sizes_are_refused(csv_lesson):
    lesson_path, data = csv_lesson
    data.unlink()
    os.mkfifo(data)  # a reader would wait for a writer forever
    assert "is a named pipe (FIFO), not a CSV file" in _problems(lesson_path)[0]
    data.unlink()
    data.write_text("PSA,cancer\n" + "1,1\n" * 300_000)
    assert "CSV files are limited to 1,000,000 bytes" in _problems(lesson_path)[0]
    data.unlink()
    data.symlink_to(data.parent / "nowhere.csv")
    assert "no such file (or a symbolic link to a missing file)" in _problems(lesson_path)[0]


def test_csv_path_is_relative_to_the_lesson_and_may_leave_its_folder(tmp_path):
    shared, lessons = tmp_path / "shared", tmp_path / "lessons"
    shared.mkdir()
    lessons.mkdir()
    (shared / "psa.csv").write_text(CSV)
    (lessons / "a.toml").write_text(LESSON.replace("psa.csv", "../shared/psa.csv"))
    assert load_lesson(lessons / "a.toml").rows.shape == (4, 2)
    (lessons / "b.toml").write_text(LESSON.replace("psa.csv", str(shared / "psa.csv")))
    assert load_lesson(lessons / "b.toml").rows.shape == (4, 2)
    # Whatever the current folder is.
    here = os.getcwd()
    try:
        os.chdir(shared)
        assert load_lesson(Path("../lessons/a.toml")).rows.shape == (4, 2)
    finally:
        os.chdir(here)


def test_csv_lesson_works_in_every_command(csv_lesson, capsys):
    import json

    from nn_tui.cli import main

    lesson_path, _data = csv_lesson
    assert main(["check", str(lesson_path)]) == 0
    assert "ok  " in capsys.readouterr().out
    assert main(["trace", str(lesson_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["x"] == [3.8]
    assert main(["trace", str(lesson_path), "--batch"]) == 0
    assert "all 4 rows" in capsys.readouterr().out
    assert main(["train", str(lesson_path), "--epochs", "3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["loss_history"]) == 4
    assert main(["export", "--markdown", str(lesson_path)]) == 0
    assert "They are read from psa.csv" in capsys.readouterr().out
    assert main(["export", "--python", str(lesson_path)]) == 0
    assert "3.8" in capsys.readouterr().out
    assert main(["list", "--lessons", str(lesson_path.parent), "--json"]) == 0
    listed = [r for r in json.loads(capsys.readouterr().out) if r["id"] == "psa-csv"]
    assert listed and listed[0]["ok"]


def test_broken_csv_is_exit_2_with_file_and_line_never_a_traceback(csv_lesson):
    from script_runs import run_scripts

    lesson_path, data = csv_lesson
    data.write_text("patient,PSA,cancer\n1,3.8,1\n2,oops,0\n")
    commands = (["check"], ["trace"], ["train"], ["export", "--markdown"])
    # `python -m nn_tui ...`, each in a process of its own (forked from one interpreter).
    runs = run_scripts([("-m", "nn_tui", *command, str(lesson_path)) for command in commands],
                       {**os.environ, "PYTHONPATH": str(ROOT)}, preload=["nn_tui.cli"])
    for command, done in zip(commands, runs):
        assert done.returncode == 2, (command, done)
        assert f"{data}:3: column 'PSA': 'oops' is not a number" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


ROOT = Path(__file__).resolve().parent.parent


def test_a_changed_csv_is_another_version_of_the_lesson(csv_lesson, isolated_home):
    from nn_tui.lessons.progress import LessonShape, ProgressStore

    lesson_path, data = csv_lesson
    first = LessonShape.of_lesson(load_lesson(lesson_path))
    assert first.total == 8  # the generated walk-through's steps, not none
    store = ProgressStore()
    store.match("psa-csv", first)
    store.record_step("psa-csv", 3, first.total)
    store.save()
    store.flush()
    data.write_text(CSV.replace("3.8", "3.9"))
    second = LessonShape.of_lesson(load_lesson(lesson_path))
    assert second.fingerprint == first.fingerprint and second.version != first.version
    assert ProgressStore().record_for("psa-csv", second) is None
    assert ProgressStore().record_for("psa-csv", first).step == 3
    # The same data again: the same version.
    data.write_text(CSV)
    assert LessonShape.of_lesson(load_lesson(lesson_path)).version == first.version
    # A record written before data versions (no data hash) is this version's, whatever data.
    legacy = ProgressStore()
    legacy.get("psa-csv").data = ""
    assert legacy.record_for("psa-csv", second) is not None


def test_bundled_lessons_ship_their_csv_files():
    """The wheel force-includes the whole lessons/ folder (not only *.toml), so a bundled
    lesson's CSV file ships beside it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include == {"lessons": "nn_tui/bundled_lessons"}
    assert "lessons" in config["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    assert "tomli-w>=1.0" in config["project"]["dependencies"]


# -- nn-tui new ------------------------------------------------------------------------------------


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    from nn_tui.cli import main

    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def data_csv(tmp_path) -> Path:
    path = tmp_path / "psa.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_new_writes_a_lesson_that_checks_traces_and_trains(data_csv, capsys):
    status, out, err = _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA",
                            "--targets", "cancer")
    assert status == 0, err
    target = data_csv.with_suffix(".toml")
    assert f"wrote {target}" in out and "1 → 2 → 1" in out
    text = target.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["data"] == {"csv": "psa.csv", "inputs": ["PSA"], "targets": ["cancer"]}
    assert "steps" not in data  # the generated walk-through
    hidden, output = data["network"]["layers"]
    assert hidden["activation"] == "sigmoid" and hidden["units"] == 2
    # 0/1 targets: a sigmoid output and binary cross-entropy.
    assert output["activation"] == "sigmoid" and data["network"]["loss"] == "bce"
    # Written out, rounded so a learner can redo the arithmetic.
    for layer in (hidden, output):
        assert all(round(w, 2) == w for row in layer["weights"] for w in row)
        assert layer["bias"] == [0.0] * layer["units"]
    assert "# " in text  # explained for the teacher
    assert _cli(capsys, "check", str(target))[0] == 0
    status, out, _ = _cli(capsys, "trace", str(target))
    assert status == 0 and "Backward pass" in out
    assert _cli(capsys, "train", str(target), "--epochs", "5")[0] == 0
    # The same seed gives the same file; another seed other weights.
    again = data_csv.parent / "again.toml"
    assert _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA", "--targets",
                "cancer", "-o", str(again))[0] == 0
    assert again.read_text() == text
    other = data_csv.parent / "other.toml"
    assert _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA", "--targets",
                "cancer", "-o", str(other), "--seed", "7")[0] == 0
    assert tomllib.loads(other.read_text())["network"]["layers"] != data["network"]["layers"]


def test_new_never_overwrites_without_force(data_csv, capsys):
    target = data_csv.parent / "mine.toml"
    target.write_text("# my own lesson\n")
    status, _out, err = _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA",
                             "--targets", "cancer", "-o", str(target))
    assert status == 2 and "already exists" in err and "--force" in err
    assert target.read_text() == "# my own lesson\n"
    assert _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA", "--targets",
                "cancer", "-o", str(target), "--force")[0] == 0
    assert "[lesson]" in target.read_text()


@pytest.mark.parametrize("targets, rows, options, activation, loss", [
    ("y", "0\n1\n", (), "sigmoid", "bce"),
    ("y", "0.5\n2.5\n", (), "identity", "mse"),
    ("y,z", "1,0\n0,1\n", (), "softmax", "cross_entropy"),
    ("y,z", "1,1\n0,1\n", (), "sigmoid", "bce"),  # several labels: not one-hot
    ("y", "0\n1\n", ("--loss", "mse"), "identity", "mse"),
    ("y", "0\n1\n", ("--loss", "half_sse", "--output-activation", "sigmoid"), "sigmoid",
     "half_sse"),
    ("y", "0.5\n2.5\n", ("--output-activation", "relu"), "relu", "mse"),
])
def test_new_chooses_the_output_and_loss_from_the_targets(tmp_path, capsys, monkeypatch, targets,
                                                           rows, options, activation, loss):
    monkeypatch.chdir(tmp_path)  # -o -: the CSV file is named relative to the current folder
    data = tmp_path / "d.csv"
    width = len(targets.split(","))
    lines = rows.strip().splitlines()
    data.write_text(f"x,{targets}\n" + "".join(f"{index},{line}\n"
                                             for index, line in enumerate(lines)))
    status, out, err = _cli(capsys, "new", "--csv", str(data), "--inputs", "x", "--targets",
                            targets, "--hidden", "0", *options, "-o", "-")
    assert status == 0, err
    lesson = parse_lesson_text(out, str(tmp_path / "d.toml"))
    assert len(lesson.network.layers) == 1 and lesson.network.layers[0].units == width
    assert (lesson.network.layers[0].activation, lesson.network.loss) == (activation, loss)
    assert not (tmp_path / "d.toml").exists()  # -o - prints


def test_new_options_are_written(data_csv, capsys, monkeypatch):
    monkeypatch.chdir(data_csv.parent)
    status, out, _ = _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA,patient",
                          "--targets", "cancer", "--hidden", "3,2", "--activation", "tanh",
                          "--learning-rate", "0.5", "--epochs", "40", "--id", "my-psa",
                          "--title", 'PSA "quoted"', "-o", "-")
    assert status == 0
    lesson = parse_lesson_text(out, str(data_csv.parent / "x.toml"))
    assert lesson.id == "my-psa" and lesson.title == 'PSA "quoted"'
    assert lesson.network.sizes == [2, 3, 2, 1]
    assert [layer.activation for layer in lesson.network.layers] == ["tanh", "tanh", "sigmoid"]
    assert lesson.network.learning_rate == 0.5 and lesson.training.epochs == 40
    assert lesson.rows[0].tolist() == [3.8, 1, 1]


def test_new_refers_to_the_csv_relative_to_the_lesson(data_csv, capsys):
    folder = data_csv.parent / "lessons" / "week1"
    folder.mkdir(parents=True)
    target = folder / "psa.toml"
    assert _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA", "--targets",
                "cancer", "-o", str(target))[0] == 0
    assert tomllib.loads(target.read_text())["data"]["csv"] == "../../psa.csv"
    assert load_lesson(target).rows.shape == (4, 2)


@pytest.mark.parametrize("argv, message", [
    (["--inputs", "PSA", "--targets", "Cancer"], "psa.csv:1: no column 'Cancer' (the header "
                                                 "names patient, PSA, cancer)"),
    (["--inputs", "PSA", "--targets", "PSA"], "the column 'PSA' is in --inputs and --targets"),
    (["--inputs", "PSA,", "--targets", "cancer"], "give column names separated by commas"),
    (["--inputs", "PSA", "--targets", "cancer", "--hidden", "two"], "--hidden 'two'"),
    (["--inputs", "PSA", "--targets", "cancer", "--hidden", "0,3"], "--hidden '0,3'"),
    (["--inputs", "PSA", "--targets", "cancer", "--hidden", "65"], "of 1 to 64 units"),
    (["--inputs", "PSA", "--targets", "cancer", "--activation", "swish"],
     "--activation 'swish': unknown (valid: identity"),
    (["--inputs", "PSA", "--targets", "cancer", "--activation", "softmax"], "output layer only"),
    (["--inputs", "PSA", "--targets", "cancer", "--loss", "hinge"], "--loss 'hinge': unknown"),
    (["--inputs", "PSA", "--targets", "cancer", "--learning-rate", "-0.1"],
     "--learning-rate must be a number greater than 0"),
    (["--inputs", "PSA", "--targets", "cancer", "--seed", "-1"], "--seed must be between 0"),
    (["--inputs", "PSA", "--targets", "cancer", "--epochs", "0"], "--epochs must be between"),
    (["--inputs", "PSA", "--targets", "cancer", "--id", "My Lesson"], "--id 'My Lesson'"),
    (["--inputs", "PSA", "--targets", "cancer", "-o", "x.txt"], "name the lesson file"),
    (["--inputs", "PSA", "--targets", "patient", "--loss", "bce"],
     "nothing written: the lesson would not pass check:\n  data.targets: bce needs targets "
     "between 0 and 1"),
    (["--inputs", "PSA", "--targets", "patient", "--loss", "cross_entropy"],
     "a softmax layer needs at least 2 units"),
])
def test_new_refuses_bad_options_with_exit_2(data_csv, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(data_csv.parent)
    status, out, err = _cli(capsys, "new", "--csv", "psa.csv", *argv)
    assert status == 2 and message in err, err
    assert "Traceback" not in err
    assert sorted(p.name for p in data_csv.parent.iterdir()) == ["psa.csv"]


def test_new_refuses_a_broken_csv_with_its_line(data_csv, capsys):
    data_csv.write_text("patient,PSA,cancer\n1,3.8,1\n2,x,0\n")
    status, _out, err = _cli(capsys, "new", "--csv", str(data_csv), "--inputs", "PSA",
                             "--targets", "cancer")
    assert status == 2 and f"{data_csv}:3: column 'PSA': 'x' is not a number" in err
    status, _out, err = _cli(capsys, "new", "--csv", str(data_csv.parent / "none.csv"),
                             "--inputs", "PSA", "--targets", "cancer")
    assert status == 2 and "no such file" in err
    assert not data_csv.with_suffix(".toml").exists()


def test_new_notes_inputs_that_saturate_a_sigmoid(tmp_path, capsys):
    data = tmp_path / "big.csv"
    data.write_text("area,price\n120,0\n300,1\n")
    status, out, _ = _cli(capsys, "new", "--csv", str(data), "--inputs", "area", "--targets",
                          "price")
    assert status == 0 and "note: inputs reach 300" in out


# -- CLI details -----------------------------------------------------------------------------------


def _bundled(name: str) -> str:
    from nn_tui.lessons.catalog import bundled_lessons_dir

    return str(bundled_lessons_dir() / name)


@pytest.mark.parametrize("value, expected", [
    ("-1,4", [-1.0, 4.0]), ("-1e-3,-2", [-0.001, -2.0]), ("-.5,3", [-0.5, 3.0]),
    ("\u22121,4", [-1.0, 4.0]), ("1,-4", [1.0, -4.0]),
])
def test_predict_takes_negative_values(capsys, value, expected):
    import json

    for argv in (["--predict", value], [f"--predict={value}"]):
        status, out, err = _cli(capsys, "train", _bundled("fruit.toml"), "--epochs", "2",
                                "--json", *argv)
        assert status == 0, err
        assert json.loads(out)["predictions"][0]["x"] == expected


def _number_options():
    """(command, option) of every option of every command that takes a number."""
    import argparse

    from nn_tui.cli import _command_parser

    parser = _command_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        for action in sub._actions:
            numeric = action.type in (int, float) or action.dest in ("predict", "hidden")
            if numeric and action.option_strings:
                yield name, action.option_strings[-1]


@pytest.mark.parametrize("command, option", list(_number_options()))
def test_every_numeric_option_takes_a_negative_value(capsys, command, option):
    """A negative value reaches the command (which may refuse it in its own words); argparse
    never says "expected one argument". Each value in turn (table_checks: every failing value
    named); "-1e0" and "-1,2" failed before."""
    paths = {"trace": [_bundled("fruit.toml")], "train": [_bundled("fruit.toml")],
             "export": [_bundled("fruit.toml"), "--markdown"],
             "new": ["--csv", "none.csv", "--inputs", "a", "--targets", "b"]}

    def reaches_the_command(value):
        status, _out, err = _cli(capsys, command, *paths.get(command, []), option, value)
        assert "expected one argument" not in err
        assert "unrecognized arguments" not in err
        if status != 0 and command in paths:  # refused by the command, in its own words
            assert status == 2 and option in err, err

    check_each(reaches_the_command, [(value, (value,)) for value in ("-1", "-1e0", "-1,2")])


def test_identity_slope_is_written_once(capsys):
    from nn_tui.format import worked

    lesson = load_lesson(_bundled("single-neuron.toml"))
    network = lesson.network.build()
    trace = network.trace(lesson.X[0], lesson.Y[0], rows=(0,))
    slope = next(row for row in worked.backward_rows(trace, 0) if row.symbol.startswith("∂ŷ/∂z"))
    assert slope.text() == f"{slope.symbol} = 1"
    status, out, _ = _cli(capsys, "trace", _bundled("single-neuron.toml"), "--decimals", "6")
    assert status == 0
    assert "= 1 = 1" not in out and "1 = 1.000000" not in out
    assert f"{slope.symbol} = 1 " in out


def _same_number(left: str, right: str) -> bool:
    try:
        return float(left.replace("−", "-")) == float(right.replace("−", "-"))
    except ValueError:
        return False


@pytest.mark.parametrize("activation", ["identity", "relu", "sigmoid", "tanh"])
@pytest.mark.parametrize("z", [-1.5, 0.0, 0.7])
def test_no_slope_line_says_the_same_number_twice(activation, z):
    """Every activation's worked slope, in the CLI's text and the panes' rows: no two
    neighbouring parts of "symbol = formula = numbers = value" are the same number."""
    from nn_tui.engine.activations import ACTIVATIONS
    from nn_tui.format import worked
    from nn_tui.lessons.model import LayerSpec, NetworkSpec

    assert activation in ACTIVATIONS
    spec = NetworkSpec(("x",), ("y",), "mse", 0.1,
                       (LayerSpec(1, activation, ((1.0,),), (z - 1.0,)),))
    trace = spec.build().trace(np.array([1.0]), np.array([0.5]), rows=(0,))
    for row in worked.backward_rows(trace, 0):
        parts = row.text().split(" = ")
        for left, right in zip(parts, parts[1:]):
            assert left != right and not _same_number(left, right), row.text()


def test_json_never_prints_negative_zero(capsys, tmp_path):
    from nn_tui.cli import strict_json

    clean, _ = strict_json({"a": [-0.0, np.float64(-0.0), [1.0, -0.0]], "b": -0.0, "c": 0})
    assert "-0" not in __import__("json").dumps(clean)
    negative_zero = re.compile(r"-0\.0(?![0-9])|-0(?![.0-9])")
    # Zero targets under cross-entropy give −y/ŷ = −0.0: every --json command.
    for name in ("psa-softmax.toml", "fruit.toml", "layers.toml"):
        for argv in (["trace", "--json"], ["trace", "--batch", "--json"],
                     ["train", "--epochs", "3", "--json"]):
            status, out, _ = _cli(capsys, *argv, _bundled(name))
            assert status == 0 and not negative_zero.search(out)
    status, out, _ = _cli(capsys, "list", "--json")
    assert status == 0 and not negative_zero.search(out)


def test_text_output_never_shows_negative_zero(capsys, tmp_path):
    lesson = tmp_path / "zero.toml"
    lesson.write_text(LESSON.replace('csv = "psa.csv"\ninputs = ["PSA"]\ntargets = ["cancer"]',
                                     "rows = [[-0.0, 0], [-0.0, 1]]")
                      .replace("bias = [0.0]", "bias = [-0.0]"))
    for argv in (["trace"], ["trace", "--batch"], ["train", "--epochs", "2"],
                 ["export", "--markdown"]):
        status, out, _ = _cli(capsys, *argv, str(lesson))
        assert status == 0
        # A zero written with a minus ("−0.0000", "x = −0"); "−0/0.5000" is the formula −y/ŷ.
        found = re.search(r"[−-]0\.0+(?![0-9])|[=(,\[] ?[−-]0(?![.0-9/])", out)
        assert found is None, out[max(found.start() - 80, 0):found.end() + 20]
