"""The command line: JSON contracts of trace and train, check, list, and clean failures."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from lesson_files import lesson_text
from script_runs import run_scripts

from nn_tui.cli import main
from nn_tui.lessons.catalog import bundled_lessons_dir

LESSONS = bundled_lessons_dir()
PSA_HIDDEN = str(LESSONS / "psa-hidden-layer.toml")
FRUIT = str(LESSONS / "fruit.toml")
PSA_SOFTMAX = str(LESSONS / "psa-softmax.toml")

TRACE_KEYS = {"lesson", "mode", "x", "y", "layers", "output", "loss", "grads", "learning_rate", "after"}
TRAIN_KEYS = {"lesson", "epochs", "outputs", "loss_history", "layers", "predictions"}

# The tiny-checks unit without weights or steps, on one row, and a loss that does not exist.
BROKEN = lesson_text("tiny-checks", lesson={"id": "broken", "title": "Broken", "summary": None},
                     network={"loss": "hinge", "layers": [{"units": 1, "activation": "identity"}]},
                     data={"rows": [[1.0, 2.0]]}, training=None, steps=None)
GOOD = BROKEN.replace('loss = "hinge"', 'loss = "mse"').replace('"broken"', '"good"')


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _json(capsys, *argv: str) -> dict:
    status, out, err = _run(capsys, *argv)
    assert status == 0, err
    return json.loads(out)


def _shape(value) -> tuple:
    return np.asarray(value).shape


def test_trace_json_sample_mode(capsys):
    data = _json(capsys, "trace", PSA_HIDDEN, "--json")
    assert TRACE_KEYS <= set(data)
    assert data["lesson"] == "psa-hidden-layer" and data["mode"] == "sample"
    assert data["x"] == [2.0] and data["y"] == [0.0]
    assert len(data["layers"]) == 2 and len(data["grads"]) == 2
    for layer in data["layers"]:
        assert {"activation", "W", "b", "z", "a"} <= set(layer)
        assert _shape(layer["W"]) == (1, 1) and _shape(layer["z"]) == (1,)
    for grad in data["grads"]:
        assert {"W", "b"} <= set(grad) and _shape(grad["W"]) == (1, 1)
    assert _shape(data["output"]) == (1,)
    assert data["output"][0] == pytest.approx(0.32496, abs=5e-6)
    assert data["loss"] == pytest.approx(0.05280, abs=5e-6)
    assert data["learning_rate"] == 0.1
    after = data["after"]
    assert {"layers", "output", "loss"} <= set(after)
    assert all({"W", "b"} <= set(layer) for layer in after["layers"])
    assert after["output"][0] == pytest.approx(0.3223, abs=5e-5)
    assert after["loss"] == pytest.approx(0.05193, abs=5e-6)


def test_trace_json_sample_option_picks_the_row(capsys):
    data = _json(capsys, "trace", PSA_HIDDEN, "--sample", "0", "--json")
    assert data["x"] == [3.8] and data["y"] == [1.0] and data["rows"] == [0]


def test_trace_json_batch_mode(capsys):
    data = _json(capsys, "trace", FRUIT, "--batch", "--json")
    n = len(data["x"])
    assert data["mode"] == "batch" and n > 1
    assert _shape(data["x"]) == (n, 2) and _shape(data["y"]) == (n, 1)
    assert _shape(data["layers"][0]["z"]) == (n, 2) and _shape(data["layers"][0]["a"]) == (n, 2)
    assert _shape(data["layers"][1]["z"]) == (n, 1)
    assert _shape(data["output"]) == (n, 1) and _shape(data["after"]["output"]) == (n, 1)
    # Parameter gradients keep the parameters' shapes: they are of the one reported loss.
    assert _shape(data["grads"][0]["W"]) == (2, 2) and _shape(data["grads"][1]["b"]) == (1,)
    assert isinstance(data["loss"], float) and isinstance(data["after"]["loss"], float)


def test_trace_text_shows_the_worked_arithmetic(capsys):
    status, out, _ = _run(capsys, "trace", FRUIT)
    assert status == 0
    assert "Forward pass" in out and "Backward pass" in out and "Update" in out
    assert "0.8" in out and "1.2" in out and "1.36" in out


def test_train_json(capsys):
    data = _json(capsys, "train", PSA_SOFTMAX, "--epochs", "30", "--predict", "2.0",
                 "--predict", "3.5", "--json")
    assert TRAIN_KEYS <= set(data)
    assert data["lesson"] == "psa-softmax" and data["epochs"] == 30
    assert data["outputs"] == ["healthy", "cancer"]
    assert len(data["loss_history"]) == 31
    assert data["loss_history"][-1] < data["loss_history"][0]
    assert _shape(data["layers"][0]["W"]) == (2, 1) and _shape(data["layers"][0]["b"]) == (2,)
    assert [p["x"] for p in data["predictions"]] == [[2.0], [3.5]]
    for prediction in data["predictions"]:
        assert len(prediction["output"]) == 2 and sum(prediction["output"]) == pytest.approx(1.0)


def test_train_with_the_lesson_epochs_predicts_the_article(capsys):
    data = _json(capsys, "train", PSA_SOFTMAX, "--predict", "2.0", "--json")
    cancer = data["predictions"][0]["output"][1]
    assert cancer == pytest.approx(0.43, abs=0.02)


def test_train_text_reports_progress_and_the_final_loss(capsys):
    status, out, _ = _run(capsys, "train", PSA_HIDDEN, "--epochs", "20", "--predict", "2")
    assert status == 0
    assert "epoch 20/20" in out and "final loss" in out and "predict PSA = 2" in out


def test_train_multi_input_predict(capsys):
    data = _json(capsys, "train", FRUIT, "--epochs", "5", "--predict", "1,1", "--json")
    assert data["predictions"][0]["x"] == [1.0, 1.0]


def test_check_bundled_lessons(capsys):
    status, out, _ = _run(capsys, "check")
    assert status == 0
    assert out.count("ok  ") == len(list(LESSONS.glob("*.toml")))


def test_check_a_folder_with_a_broken_file(tmp_path, capsys):
    (tmp_path / "good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    status, out, err = _run(capsys, "check", str(tmp_path))
    assert status == 2
    assert f"{tmp_path / 'broken.toml'}:8: network.loss: unknown loss 'hinge'" in out
    assert "ok  " in out and "good.toml" in out
    assert "2 file(s) checked, 1 with problems" in err


def test_check_reports_unresolvable_answers(tmp_path, capsys):
    text = GOOD + (
        '\n[[steps]]\nkind = "check"\nprompt = "?"\nanswer = "layers[4].z[0]"\n'
    )
    (tmp_path / "bad-answer.toml").write_text(text, encoding="utf-8")
    status, out, _ = _run(capsys, "check", str(tmp_path / "bad-answer.toml"))
    assert status == 2 and ".answer: index 4 is out of range" in out


def test_check_missing_path_and_empty_folder(tmp_path, capsys):
    assert _run(capsys, "check", str(tmp_path / "nowhere"))[0] == 2
    assert _run(capsys, "check", str(tmp_path))[0] == 2


def test_list_json(capsys, tmp_path):
    (tmp_path / "broken.toml").write_text(BROKEN, encoding="utf-8")
    records = json.loads(_run(capsys, "list", "--json", "--lessons", str(tmp_path))[1])
    ids = {record["id"] for record in records}
    assert {"fruit", "psa-hidden-layer", "psa-softmax", "broken"} <= ids
    for record in records:
        assert {"id", "title", "summary", "path"} <= set(record)
    broken = next(record for record in records if record["id"] == "broken")
    assert broken["ok"] is False and "hinge" in broken["error"]


def test_list_text(capsys):
    status, out, _ = _run(capsys, "list")
    assert status == 0 and "psa-hidden-layer" in out


@pytest.mark.parametrize(
    "argv,words",
    [
        (["trace", "BROKEN"], "unknown loss 'hinge'"),
        (["trace", "MISSING"], "no such file"),
        (["train", "BROKEN"], "unknown loss 'hinge'"),
        (["trace", PSA_HIDDEN, "--sample", "99"], "has rows 0 to 13"),
        (["trace", PSA_HIDDEN, "--sample", "x"], "invalid int value"),
        (["trace", PSA_HIDDEN, "--sample", "1", "--batch"], "not allowed with"),
        (["trace", PSA_HIDDEN, "--decimals", "0"], "--decimals"),
        (["trace"], "required"),
        (["train", PSA_HIDDEN, "--epochs", "0"], "--epochs"),
        (["train", PSA_HIDDEN, "--predict", "abc"], "numbers separated by commas"),
        (["train", PSA_HIDDEN, "--predict", "1,2"], "takes 1 finite input"),
        (["train", PSA_HIDDEN, "--predict", "nan"], "finite"),
        (["train", PSA_HIDDEN, "--bogus"], "unrecognized arguments"),
        (["list", "--lessons", "MISSING"], "no such folder"),
        (["--lessons", "MISSING"], "no such folder"),
        (["MISSING"], "no such file or folder"),
    ],
)
def test_bad_input_exits_2_with_one_paragraph(tmp_path, capsys, argv, words):
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    argv = [str(broken) if a == "BROKEN" else str(tmp_path / "missing") if a == "MISSING" else a
            for a in argv]
    status, out, err = _run(capsys, *argv)
    assert status == 2
    assert words in err
    assert "Traceback" not in err + out
    assert "\n\n" not in err.strip()  # one paragraph


def test_python_m_nn_tui_fails_cleanly_on_a_broken_file(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text(BROKEN, encoding="utf-8")
    # In a process of its own, forked from an interpreter that has imported nn_tui.cli.
    [result] = run_scripts([("-m", "nn_tui", "trace", str(broken), "--json")], os.environ,
                           preload=["nn_tui.cli"], timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{broken}:8: network.loss: unknown loss 'hinge'" in result.stderr
    assert result.stdout == ""
