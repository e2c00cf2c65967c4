"""Lesson files for tests: shared fixtures (tests/fixtures/*.toml) and modified copies of them.

Rather than one more inline lesson, a test writes a copy of a fixture (or of a bundled lesson)
with only what it is about changed::

    path = lesson_with(tmp_path, "tiny-checks", network={"learning_rate": 50.0},
                       training={"epochs": 500}, steps=TRAIN_STEPS)

Each keyword names a top-level table of the lesson (``lesson``, ``network``, ``data``,
``training``, …) or ``steps``. A table given as a dict is merged into the base's table key by
key (nested tables too); a dict with whole-number keys changes those items of a list of tables
(``network={"layers": {0: {"bias": [0.0]}}}``); a list, or any other value, replaces the base's
value; ``None`` removes the key. ``steps`` (and any other list of tables) may also be TOML text
of ``[[steps]]`` tables. ``steps=None`` gives the head of a lesson that a test adds its own
``[[steps]]`` text to (file:line tests then count lines in the text they wrote).

The text is written by tomli-w with short arrays on one line, as a lesson's author writes them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from nn_tui.lessons.catalog import bundled_lessons_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
        elif isinstance(value, dict) and isinstance(merged.get(key), list) and value \
                and all(isinstance(index, int) for index in value):
            items = list(merged[key])
            for index, change in value.items():
                items[index] = _merge(items[index], change)
            merged[key] = items
        else:
            merged[key] = value
    return merged


# An array whose items each stand on one line of their own (tomli-w's layout): joined onto one
# line when short, innermost first, so ``weights = [[0.5]]`` reads as an author writes it.
_ONE_ITEM_A_LINE = re.compile(r"\[\n((?:[ ]+(?![ \]}])[^\n]*,\n)+)[ ]*\]")
_SHORT_ARRAY = 88


def _dumps(data: dict[str, Any]) -> str:
    """``data`` as TOML, each top-level list of tables (``steps``, ``variants``) as ``[[key]]``
    tables after the rest: tomli-w writes a short one inline before ``[lesson]``, where a test's
    own ``[[steps]]`` text could not be added to it."""
    def is_table_list(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)

    text = tomli_w.dumps({key: value for key, value in data.items() if not is_table_list(value)})
    for key, items in data.items():
        if is_table_list(items):
            for item in items:
                # A dict under a top-level key is always written as a [key] table.
                table = tomli_w.dumps({key: item}).removeprefix(f"[{key}]\n")
                text += f"\n[[{key}]]\n{table}"
    return text


def _join_short_arrays(text: str) -> str:
    def join(match: re.Match[str]) -> str:
        joined = "[" + ", ".join(line.strip()[:-1] for line in match.group(1).splitlines()) + "]"
        return joined if len(joined) <= _SHORT_ARRAY else match.group(0)

    while (joined := _ONE_ITEM_A_LINE.sub(join, text)) != text:
        text = joined
    return text


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
    return _join_short_arrays(_dumps(lesson_data(base, **overrides)))


def write_lesson(folder: Path, text: str, name: str = "lesson.toml") -> Path:
    """Write the lesson ``text`` to ``folder/name`` (UTF-8); the path written."""
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path


def lesson_with(folder: Path, base: str = "tiny-checks", *, name: str | None = None,
                **overrides: Any) -> Path:
    """Write ``base`` with ``overrides`` applied to ``folder/name`` (default ``<base>.toml``);
    the path written."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return write_lesson(folder, lesson_text(base, **overrides), name or f"{base}.toml")


def train_then_checks(epochs: int, *answers: str, choices: str = "", **lesson: Any) -> str:
    """The train-then-checks fixture with a train step of ``epochs`` epochs, then one check per
    answer of ``answers`` (prompt "p"), each with ``choices`` (TOML text) when given; ``lesson``
    changes the [lesson] table (id, title)."""
    text = lesson_text("train-then-checks", lesson=lesson,
                       steps=[{"kind": "train", "epochs": epochs}])
    for answer in answers:
        text += f'\n[[steps]]\nkind = "check"\nprompt = "p"\nanswer = "{answer}"\n{choices}'
    return text


def dense_lesson(inputs: list[str], outputs: list[str], layers: list[dict[str, Any]],
                 rows: list[list[float]], **network: Any) -> str:
    """A lesson without steps (the tutor generates its walk-through) of the network ``layers``
    (``[[network.layers]]`` tables) on ``rows``; ``network`` sets the other [network] keys (loss,
    learning_rate, seed). The two-by-two fixture with all of that changed."""
    return lesson_text("two-by-two", lesson={"id": "inline", "title": "Inline network"},
                       network={"inputs": inputs, "outputs": outputs, "layers": layers, **network},
                       data={"rows": rows}, steps=None)


def first_view_of_each_kind(lesson) -> dict:
    """``lesson``'s first view of each step kind (``{"text": view, "check": view, …}``), from
    the steps that need no training run to be shown."""
    from nn_tui.lessons.session import LessonSession

    session = LessonSession(lesson)
    found = {}
    for index in range(session.total):
        if session.needs_training(index):
            continue
        found.setdefault(session.view(index).step.kind, session.view(index))
    return found
