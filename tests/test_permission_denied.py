"""A file or folder the OS refuses to let the tutor read or write, as any user.

tests/test_robust_inputs.py::test_an_unreadable_file_is_a_broken_entry and
tests/test_export_markdown.py::test_a_read_only_folder_exits_2 use real permissions, which root
ignores: run as root (as this suite is on its build machine) both are skipped every time. Here the
OS's refusal (EACCES) is given by the call that meets it, so the message is checked whoever runs
the suite; those two still check real permissions where they can.
"""

from __future__ import annotations

import errno
import os

import pytest

from nn_tui.cli import main
from nn_tui.export import tempfile as export_tempfile
from nn_tui.lessons import loader
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.errors import LessonError
from nn_tui.lessons.loader import load_lesson

FRUIT = bundled_lessons_dir() / "fruit.toml"


def _refused(path):
    real_open = os.open

    def open_refusing(name, *args, **kwargs):
        if os.fspath(name) == os.fspath(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(name))
        return real_open(name, *args, **kwargs)

    return open_refusing


def test_a_lesson_file_the_os_refuses_to_read_is_named_with_permission_denied(capsys, tmp_path,
                                                                             monkeypatch):
    path = tmp_path / "secret.toml"
    path.write_bytes(FRUIT.read_bytes())
    monkeypatch.setattr(loader.os, "open", _refused(path))
    with pytest.raises(LessonError, match="permission denied") as caught:
        load_lesson(path)
    assert "secret.toml" in str(caught.value)
    # The CLI says the same, with exit status 2 and no traceback.
    assert main(["check", str(path)]) == 2
    said = "".join(capsys.readouterr())
    assert "secret.toml" in said and "permission denied" in said, said
    assert "Traceback" not in said, said


def test_export_to_a_folder_the_os_refuses_to_write_exits_2(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()

    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(export_tempfile, "mkstemp", refuse)
    target = folder / "out.md"
    status = main(["export", str(FRUIT), "--markdown", "-o", str(target)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith(f"nn-tui export: -o {target}: "), err
    assert "permission denied" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []
