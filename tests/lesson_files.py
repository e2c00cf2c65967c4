"""Lesson files for tests: shared fixtures (tests/fixtures/*.toml) and modified copies of them.

Rather than one more inline lesson, a test writes a copy of a fixture (or of a bundled lesson)
with only what it is about changed::

    path = lesson_with(tmp_path, "tiny-checks", network={"learning_rate": 50.0},
                       training={"epochs": 500}, steps=TRAIN_STEPS)

Each keyword names a top-level table of the lesson (``lesson``, ``network``, ``data``,
``training``, …) or ``steps``. A table given as a dict is merged into the base's table key by
key (nested tables too); a list, or any other value, replaces the base's value; ``None`` removes
the key. ``steps`` (and any other list of tables) may also be TOML text of ``[[steps]]`` tables.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from nn_tui.lessons.catalog import bundled_lessons_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures"


# The PSA lessons' 1-1-1 sigmoid network (w₁ = 0.5, w₂ = −1, biases 0), as the [[network.layers]]
# tables of a lesson file: the small network many tests build their own lesson text around.
SIGMOID_1_1_1_LAYERS = """[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[0.5]]
bias = [0.0]

[[network.layers]]
units = 1
activation = "sigmoid"
weights = [[-1.0]]
bias = [0.0]
"""


def base_path(base: str) -> Path:
    """The file of ``base``: a fixture in tests/fixtures/, else a bundled lesson."""
    for folder in (FIXTURES, bundled_lessons_dir()):
        path = folder / f"{base}.toml"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no lesson fixture or bundled lesson named {base!r}")


def fixture_text(base: str) -> str:
    """The TOML text of ``base``, as it is on disk."""
    return base_path(base).read_text(encoding="utf-8")


def _merge(into: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(into)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def lesson_data(base: str = "tiny-checks", **overrides: Any) -> dict[str, Any]:
    """``base`` parsed, with ``overrides`` applied (see the module docstring)."""
    data = tomllib.loads(fixture_text(base))
    changes = {}
    for key, value in overrides.items():
        if isinstance(value, str) and f"[[{key}]]" in value:
            value = tomllib.loads(value)[key]
        changes[key] = value
    return _merge(data, changes)


def lesson_text(base: str = "tiny-checks", **overrides: Any) -> str:
    """The TOML text of ``base`` with ``overrides`` applied (the base's own text if none)."""
    if not overrides:
        return fixture_text(base)
    return tomli_w.dumps(lesson_data(base, **overrides))


def lesson_with(folder: Path, base: str = "tiny-checks", *, name: str | None = None,
                **overrides: Any) -> Path:
    """Write ``base`` with ``overrides`` applied to ``folder/name`` (default ``<base>.toml``);
    the path written."""
    path = Path(folder) / (name or f"{base}.toml")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(lesson_text(base, **overrides), encoding="utf-8")
    return path
