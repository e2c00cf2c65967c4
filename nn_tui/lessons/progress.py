"""The learner's progress, stored as JSON: validated on load, merged per lesson and written
atomically off the UI thread.

Location: ``$NN_TUI_HOME/progress.json`` when NN_TUI_HOME is set, else the platform's user-data
directory (``platformdirs``).

Never losing progress:

- Every write goes to a temp file in the same directory (``.progress-<pid>-<random>.tmp``), is
  fsync'ed, then renamed over the old file, so a kill at any moment leaves either the old or the
  new file. Temp files left by killed writers are removed on load and on every save (only ours,
  and only while holding the lock, so never one another tutor is writing).
- The file is read with a size limit (``MAX_FILE_BYTES``) and checked field by field (types and
  ranges; ``NaN``/``Infinity``/``1e999`` are damage, ``"done": "false"`` is not "done"). A file that
  cannot be read as a whole (not JSON, too big, nested too deep) is moved aside; a damaged lesson
  record is dropped while the other lessons' records are kept. Either way the original is first
  kept aside under a unique name (``progress.json.corrupt-<time>-<pid>-<n>``, never overwritten)
  and reported through ``ProgressStore.notice`` (and ``on_notice``).
- Two tutors on one NN_TUI_HOME: each save takes an exclusive lock (``fcntl.flock`` on
  ``.progress.lock``), re-reads the file, replaces only the lessons this process changed since it
  last loaded or saved them, and writes the result atomically. Lessons changed by the other tutor
  are kept, and adopted here. (Where ``fcntl`` is missing, e.g. Windows, the merge still happens
  but without the lock.)
- ``save()`` prepares a snapshot of the changed lessons (cheap; on the caller's thread) and hands
  it to a writer thread, so the UI never waits for the disk; ``flush()`` waits for it (on quit).
  A failed save (read-only or full disk, NN_TUI_HOME a file) is retried with the next save and
  reported once, not once per save.
- Progress is matched to the lesson as it is now (``match``): each record stores the lesson's
  step count, a hash of its step kinds and, per question, a key of the question, so a lesson that
  changed does not resume past its end, attach old answers to other questions, or become "done".
- Two lesson files may share an id (a teacher's shortened copy of a bundled lesson): a record is
  kept per version of the lesson (``LessonShape.fingerprint``). Opening another version keeps the
  current record aside whole (``LessonProgress.others``) and restores that version's own record,
  or fits a copy; ``shared_ids`` finds such files for the warnings of ``list``, ``check`` and the
  picker.
- No file-system error on the progress home (an unknown ``~user``, a name too long, a lock or
  file that is a folder, EACCES, EROFS, ENOSPC...) escapes: one notice names the path at fault.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nn_tui.lessons.atomic import write_then_move

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]

FORMAT_VERSION = 1
ENV_HOME = "NN_TUI_HOME"
FILE_NAME = "progress.json"
LOCK_NAME = ".progress.lock"
TEMP_PREFIX = ".progress-"
TEMP_SUFFIX = ".tmp"
# A progress file holds a few hundred bytes per lesson; anything near this is not ours.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_INDEX = 1_000_000  # a step index or count above this is damage, not a long lesson
MAX_ATTEMPTS = 1_000_000_000
MAX_HISTORY = 10  # earlier attempts kept per lesson ("Start over")
MAX_ID_LENGTH = 200  # a lesson id is at most 80 characters; a longer key is damage
MAX_VERSIONS = 8  # records of other versions of a lesson kept (see LessonProgress.others)
LOCK_TIMEOUT = 10.0  # seconds a save waits for another tutor's save
# A temp file in an old format (no pid in its name) is taken as abandoned after this long.
STALE_TEMP_AGE = 600.0
# The step kinds a learner answers (nn_tui.lessons.model.QUESTION_KINDS; this module reads only
# plain step objects, so it does not import the model).
QUESTION_KINDS = ("check", "explore")
# Mistake kinds kept per question (the newest), and what a kind looks like: an identifier of
# nn_tui.lessons.diagnosis.KINDS or a teacher's (``teacher_2``, ``forgot_bias``).
MAX_MISTAKES_KEPT = 50
MISTAKE_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_TEMP_NAME = re.compile(r"^\.progress-(\d+)-[A-Za-z0-9_]+\.tmp$")


def data_dir() -> Path:
    """The progress directory: NN_TUI_HOME if set, else the platform's user-data directory.

    Raises OSError (with a message naming NN_TUI_HOME) when the ``~user`` it starts with cannot
    be expanded."""
    override = os.environ.get(ENV_HOME)
    if override:
        try:
            return Path(override).expanduser()
        except (RuntimeError, KeyError, OSError) as error:
            # pathlib raises RuntimeError for an unknown ~user (no such account, no HOME).
            user = override.split("/", 1)[0]
            raise OSError(f"{ENV_HOME}={shorten(override)} starts with {shorten(user)}, whose "
                          f"home folder is unknown") from error
    from platformdirs import user_data_dir

    return Path(user_data_dir("nn-tui", appauthor=False))


def shorten(text: Any, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters (with "…"), for quoting ids, keys and paths in
    notices: a progress file may hold keys of megabytes."""
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "…"


def shared_ids(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Lessons seen together that share an id, from (lesson id, label) pairs (the label is
    e.g. the file's path, one per file): each label whose id another has too, mapped to the
    other labels. Such files share one progress record (kept per version, see ``match``)."""
    by_id: dict[str, list[str]] = {}
    for lesson_id, label in items:
        by_id.setdefault(lesson_id, []).append(label)
    return {label: [other for other in labels if other != label]
            for labels in by_id.values() if len(labels) > 1 for label in labels}


def shared_text(others: list[str]) -> str:
    """The warning for a lesson file whose id the files ``others`` have too."""
    names = ", ".join(shorten(other, 120) for other in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return (f"shares its id with {names}{more}: they share progress (give a copy its own "
            f"[lesson] id)")


# -- the lesson's shape ---------------------------------------------------------------------------


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class LessonShape:
    """What progress is matched against: each step's kind and a key per step.

    A step's key hashes what identifies it (kind, title, prompt, answer path, choices), so a check
    record follows its question when steps are inserted or removed, and is dropped when the
    question itself changed."""

    kinds: tuple[str, ...]
    keys: tuple[str, ...]
    # A hash of the lesson's data rows ("" when not known): the same steps over other data (a
    # CSV file edited, a copy with its own CSV file) are another version of the lesson.
    data: str = ""

    @classmethod
    def of_lesson(cls, lesson: Any) -> LessonShape:
        """The shape of a validated Lesson: the steps the tutor plays (the generated
        walk-through when the file has none) and its data."""
        from nn_tui.lessons.walkthrough import lesson_steps

        rows = lesson.rows
        data = hashlib.sha256(repr(rows.shape).encode() + rows.tobytes()).hexdigest()[:16]
        return cls.of(lesson_steps(lesson), data)

    @classmethod
    def of(cls, steps: Iterable[Any], data: str = "") -> LessonShape:
        """The shape of a lesson's steps (objects with kind, title, prompt, answer, choices);
        ``data``: the hash of its data (see ``of_lesson``), "" when not known."""
        kinds, keys = [], []
        for step in steps:
            kind = str(getattr(step, "kind", ""))
            choices = [(str(getattr(choice, "text", "")), str(getattr(choice, "value", "")))
                       for choice in getattr(step, "choices", ()) or ()]
            kinds.append(kind)
            # An explore step's goal stands where a check's answer does (a check has no goal,
            # so the keys of checks stay what they were).
            answer = getattr(step, "answer", "") or getattr(step, "goal", "")
            keys.append(_digest([kind, str(getattr(step, "title", "")),
                                 str(getattr(step, "prompt", "")), str(answer), choices]))
        return cls(tuple(kinds), tuple(keys), data)

    @property
    def total(self) -> int:
        return len(self.kinds)

    @property
    def structure(self) -> str:
        """A hash of the step kinds in order (text edits do not change it)."""
        return _digest(list(self.kinds))

    @property
    def fingerprint(self) -> str:
        """A hash of every step's key: two lesson files share it only if their steps are the
        same (a teacher's shortened copy that keeps the id has another)."""
        return _digest(list(self.keys))

    @property
    def version(self) -> str:
        """The key a record of this version is kept under: the fingerprint, and the data's hash
        when known."""
        return f"{self.fingerprint}@{self.data}" if self.data else self.fingerprint

    def fits(self, progress: LessonProgress) -> bool:
        """Whether ``progress`` is the record of this version: the same steps, and the same data
        where both know theirs (records and callers without the data's hash match by steps)."""
        return progress.fingerprint == self.fingerprint and (
            not progress.data or not self.data or progress.data == self.data)

    def find(self, key: str, kind: str | None = None) -> int | None:
        """The index of the one step with this key (of this kind), or None."""
        found = [index for index, own in enumerate(self.keys)
                 if own == key and (kind is None or self.kinds[index] == kind)]
        return found[0] if len(found) == 1 else None


# -- records --------------------------------------------------------------------------------------


@dataclass
class CheckRecord:
    """One question's record: attempts (count), and whether it was right, revealed or skipped.

    ``key`` is the question's key (``LessonShape.keys``) when it was answered ("" in old files).
    ``mistakes``: the kinds of the recognised mistakes made at it, in order (see
    nn_tui.lessons.diagnosis; at most MAX_MISTAKES_KEPT); ``hints``: how many of its hints were
    shown. Both are absent from old files (empty, 0)."""

    attempts: int = 0
    correct: bool = False
    revealed: bool = False
    skipped: bool = False
    key: str = ""
    mistakes: list[str] = field(default_factory=list)
    hints: int = 0

    def add_mistake(self, kind: str) -> None:
        """Record a recognised mistake of this kind (the oldest are dropped past the limit)."""
        self.mistakes.append(kind)
        del self.mistakes[:-MAX_MISTAKES_KEPT]

    def to_dict(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "correct": self.correct, "revealed": self.revealed,
                "skipped": self.skipped, "key": self.key, "mistakes": list(self.mistakes),
                "hints": self.hints}


@dataclass
class LessonProgress:
    """One lesson's progress. Step indices are 0-based; ``checks`` is keyed by str(step index).

    ``shape`` (the structure hash) and ``at`` (the key of the step at ``step``) let ``match`` tell
    whether the lesson changed since; ``history`` holds earlier attempts (newest last)."""

    step: int = 0  # where the learner was last
    furthest: int = 0  # the furthest step reached
    total: int = 0
    done: bool = False
    checks: dict[str, CheckRecord] = field(default_factory=dict)  # keyed by step index
    updated: float = 0.0
    shape: str = ""
    at: str = ""
    fingerprint: str = ""  # LessonShape.fingerprint of the steps it was last matched to
    data: str = ""  # LessonShape.data of the data it was last matched to ("" if unknown)
    # The records of other versions of the lesson (another file with this id, or the lesson
    # before an edit), in their JSON form, keyed by their fingerprint (or "s:" + shape for
    # records older than fingerprints); newest kept, at most MAX_VERSIONS.
    others: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    # The current lesson's step keys, once matched (not stored).
    step_keys: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def checks_right(self) -> int:
        return sum(1 for record in self.checks.values() if record.correct)

    def summary(self) -> dict[str, Any]:
        """What a teacher reads in ``nn-tui progress``: of the questions tried (``answered``),
        those right first time (one attempt, no hint), right after hints or tries, revealed,
        and left unsolved; the questions passed without an answer (``skipped``); and the
        recognised mistakes, counted by kind and listed by step (1-based, as on screen)."""
        counts = {"answered": 0, "right_first_time": 0, "right_after_hints": 0, "revealed": 0,
                  "unsolved": 0, "skipped": 0}
        by_kind: dict[str, int] = {}
        by_step: list[dict[str, Any]] = []
        for index_text, record in sorted(self.checks.items(), key=lambda item: int(item[0])):
            tried = bool(record.attempts or record.revealed or record.correct)
            counts["answered"] += tried
            if record.correct:
                first = record.attempts <= 1 and record.hints == 0
                counts["right_first_time" if first else "right_after_hints"] += 1
            elif record.revealed:
                counts["revealed"] += 1
            elif tried:
                counts["unsolved"] += 1
            elif record.skipped:
                counts["skipped"] += 1
            if record.mistakes:
                by_step.append({"step": int(index_text) + 1, "kinds": list(record.mistakes)})
                for kind in record.mistakes:
                    by_kind[kind] = by_kind.get(kind, 0) + 1
        return {"step": self.step + 1, "total": self.total, "done": self.done,
                "checks": counts,
                "mistakes": dict(sorted(by_kind.items(), key=lambda item: (-item[1], item[0]))),
                "mistakes_by_step": by_step}

    def check(self, step: int) -> CheckRecord:
        """The record of the question at ``step``, created (with its key) when missing."""
        record = self.checks.get(str(step))
        if record is None:
            key = self.step_keys[step] if 0 <= step < len(self.step_keys) else ""
            record = self.checks[str(step)] = CheckRecord(key=key)
        return record

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (plain types only)."""
        return {"step": self.step, "furthest": self.furthest, "total": self.total,
                "done": self.done, "updated": self.updated, "shape": self.shape, "at": self.at,
                "fingerprint": self.fingerprint, "data": self.data,
                "others": {key: dict(value) for key, value in self.others.items()},
                "checks": {key: record.to_dict() for key, record in self.checks.items()},
                "history": [dict(entry) for entry in self.history]}

    @classmethod
    def from_dict(cls, data: Any) -> LessonProgress:
        """Parse and validate one lesson record; raises ValueError naming the bad field.

        Check entries that are damaged are dropped (see ``_checks_from``), the record is kept."""
        progress, _problems = _lesson_from(data)
        return progress


class _Bad:
    """Stands for a number JSON should not hold (NaN, Infinity, 1e999, a 5,000-digit integer)."""

    def __repr__(self) -> str:
        return "a non-finite number"


_BAD = _Bad()


def _parse_float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else _BAD


def _parse_int(text: str) -> Any:
    # Python refuses to convert integers of more than 4,300 digits (ValueError); none is ours.
    return int(text) if len(text) <= 30 else _BAD


def _get_int(data: dict, key: str, maximum: int, default: int = 0) -> int:
    value = data.get(key, default)
    if type(value) is not int or not 0 <= value <= maximum:
        raise ValueError(f"{key} is {shorten(repr(value))}, not a whole number from 0 to {maximum}")
    return value


def _get_bool(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if type(value) is not bool:
        raise ValueError(f"{key} is {shorten(repr(value))}, not true or false")
    return value


def _get_str(data: dict, key: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError(f"{key} is {shorten(repr(value))}, not a short text")
    return value


def _get_time(data: dict, key: str) -> float:
    value = data.get(key, 0.0)
    if type(value) not in (int, float) or not 0 <= value < 1e11:
        raise ValueError(f"{key} is {shorten(repr(value))}, not a time")
    return float(value)


def _get_kinds(data: dict, key: str) -> list[str]:
    value = data.get(key, [])
    if (not isinstance(value, list) or len(value) > MAX_MISTAKES_KEPT
            or not all(isinstance(kind, str) and MISTAKE_KIND.fullmatch(kind) for kind in value)):
        raise ValueError(f"{key} is {shorten(repr(value))}, not a list of at most "
                         f"{MAX_MISTAKES_KEPT} mistake kinds")
    return list(value)


def _check_from(value: Any) -> CheckRecord:
    if not isinstance(value, dict):
        raise ValueError(f"is {type(value).__name__}, not a record")
    return CheckRecord(attempts=_get_int(value, "attempts", MAX_ATTEMPTS),
                       correct=_get_bool(value, "correct"), revealed=_get_bool(value, "revealed"),
                       skipped=_get_bool(value, "skipped"), key=_get_str(value, "key"),
                       mistakes=_get_kinds(value, "mistakes"),
                       hints=_get_int(value, "hints", MAX_INDEX))


def _checks_from(value: Any, problems: list[str]) -> dict[str, CheckRecord]:
    if not isinstance(value, dict):
        raise ValueError(f"checks is {type(value).__name__}, not a table")
    checks = {}
    for key, record in value.items():
        try:
            if not (isinstance(key, str) and key.isdigit() and len(key) <= 7
                    and int(key) <= MAX_INDEX):
                raise ValueError("is not a step number")
            checks[str(int(key))] = _check_from(record)
        except ValueError as error:
            problems.append(f"check {shorten(repr(key))} {error}")
    return checks


def _history_from(value: Any, problems: list[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        problems.append("history is not a list")
        return []
    history = []
    for entry in value[-MAX_HISTORY:]:
        try:
            if not isinstance(entry, dict):
                raise ValueError("is not a record")
            checks = _checks_from(entry.get("checks", {}), problems)
            history.append({"ended": _get_time(entry, "ended"),
                            "furthest": _get_int(entry, "furthest", MAX_INDEX),
                            "checks": {key: record.to_dict() for key, record in checks.items()}})
        except ValueError as error:
            problems.append(f"history entry {error}")
    return history


def _others_from(value: Any, problems: list[str]) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        problems.append("others is not a table")
        return {}
    others = {}
    for key, record in value.items():
        try:
            if not isinstance(key, str) or len(key) > 64:
                raise ValueError("is not a version key")
            progress, inner = _lesson_from(record, nested=False)
            problems.extend(f"another version's {problem}" for problem in inner)
        except ValueError as error:
            problems.append(f"the record of another version {shorten(repr(key))} {error}")
            continue
        others[key] = progress.to_dict()
    return dict(sorted(others.items(), key=lambda item: item[1]["updated"])[-MAX_VERSIONS:])


def _lesson_from(data: Any, nested: bool = True) -> tuple[LessonProgress, list[str]]:
    """One lesson record (ValueError if its own fields are damaged) and the problems of its parts
    that were dropped (check entries, history)."""
    if not isinstance(data, dict):
        raise ValueError(f"is {type(data).__name__}, not a record")
    problems: list[str] = []
    progress = LessonProgress(
        step=_get_int(data, "step", MAX_INDEX), furthest=_get_int(data, "furthest", MAX_INDEX),
        total=_get_int(data, "total", MAX_INDEX), done=_get_bool(data, "done"),
        updated=_get_time(data, "updated"), shape=_get_str(data, "shape"),
        fingerprint=_get_str(data, "fingerprint"), data=_get_str(data, "data"),
        others=_others_from(data.get("others", {}), problems) if nested else {},
        at=_get_str(data, "at"), checks=_checks_from(data.get("checks", {}), problems),
        history=_history_from(data.get("history", []), problems))
    progress.furthest = max(progress.furthest, progress.step)
    return progress, problems


@dataclass
class _FileContents:
    """A progress file as read: its good lesson records, what was damaged, and whether the whole
    file is unreadable (``whole``: why)."""

    lessons: dict[str, LessonProgress] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # "lesson: what"
    lost: list[str] = field(default_factory=list)  # lessons whose whole record was dropped
    parts: dict[str, list[str]] = field(default_factory=dict)  # lesson: the parts dropped
    whole: str | None = None
    exists: bool = False


def _read(path: Path) -> _FileContents:
    """Read and validate a progress file (OSError when it cannot be read at all)."""
    contents = _FileContents()
    try:
        # Non-blocking: a FIFO put in its place must not hang the tutor.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return contents
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        os.close(fd)
        raise
    if stat.S_ISDIR(mode):
        # Nothing can be written over a folder: say so (naming it), rather than set it aside.
        os.close(fd)
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(mode):
            contents.exists = True
            contents.whole = "it is not a regular file"
            return contents
        raw = handle.read(MAX_FILE_BYTES + 1)
    contents.exists = True
    if len(raw) > MAX_FILE_BYTES:
        contents.whole = f"it is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
        return contents
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=lambda _name: _BAD,
                          parse_float=_parse_float, parse_int=_parse_int)
    except RecursionError:
        contents.whole = "it is nested too deeply"
        return contents
    except ValueError as error:  # bad JSON, or bytes that are not UTF-8
        contents.whole = f"it is not JSON ({str(error)[:80]})"
        return contents
    lessons = data.get("lessons", {}) if isinstance(data, dict) else None
    if not isinstance(lessons, dict):
        contents.whole = "it does not hold a table of lessons"
        return contents
    for lesson_id, value in lessons.items():
        name = shorten(lesson_id)
        try:
            if len(lesson_id) > MAX_ID_LENGTH:
                raise ValueError("has a key too long for a lesson id")
            progress, problems = _lesson_from(value)
        except ValueError as error:
            contents.problems.append(f"{name}: {error}")
            contents.lost.append(name)
            continue
        contents.lessons[lesson_id] = progress
        contents.problems.extend(f"{name}: {problem}" for problem in problems)
        if problems:
            contents.parts[name] = problems
    return contents


def _parts_text(problems: list[str]) -> str:
    """What of one lesson record was set aside, e.g. "one question record", "2 parts"."""
    kinds = {"check": "question record", "history": "earlier-attempt record"}
    counts: dict[str, int] = {}
    for problem in problems:
        kind = kinds.get(problem.split(" ", 1)[0], "part")
        counts[kind] = counts.get(kind, 0) + 1
    return ", ".join(f"one {kind}" if count == 1 else f"{count} {kind}s"
                     for kind, count in counts.items())


def _set_aside_text(contents: _FileContents) -> str:
    """Precisely what was set aside: "the record of lesson a; one question record of lesson b"."""
    said = [f"the record of lesson {name}" for name in contents.lost]
    said += [f"{_parts_text(problems)} of lesson {name}"
             for name, problems in contents.parts.items()]
    more = f"; and {len(said) - 5} more" if len(said) > 5 else ""
    return "; ".join(said[:5]) + more


# -- the store ------------------------------------------------------------------------------------


class _Unusable(OSError):
    """The progress home cannot be used at all (its message says why)."""


class _Lock:
    """An exclusive lock on ``path`` (flock), waited for up to ``timeout`` seconds.

    ``blocking=False`` gives up at once (``acquired`` tells). Raises OSError when the lock file
    cannot be opened (a read-only directory) or the wait times out."""

    def __init__(self, path: Path, timeout: float = LOCK_TIMEOUT, blocking: bool = True) -> None:
        self.path, self.timeout, self.blocking = path, timeout, blocking
        self.fd: int | None = None
        self.acquired = False

    def __enter__(self) -> _Lock:
        if fcntl is None:
            self.acquired = True
            return self
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.acquired = True
                return self
            except BlockingIOError:
                if not self.blocking:
                    return self
                if time.monotonic() > deadline:
                    os.close(self.fd)
                    self.fd = None
                    raise OSError(f"another nn-tui kept {self.path} locked") from None
                time.sleep(0.01)

    def __exit__(self, *exc_info) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


class ProgressStore:
    """Every lesson's progress, loaded from ``directory/progress.json`` (see the module doc).

    ``notice`` holds what went wrong on load (a damaged file set aside, a home that cannot be
    written), for the app to show; later problems go to ``on_notice`` (called from the writer
    thread, so it must be thread-safe, e.g. ``App.post_message``) and to ``notices``."""

    def __init__(self, directory: Path | None = None,
                 on_notice: Callable[[str], None] | None = None,
                 background: bool = False) -> None:
        # Where the home cannot even be named (an unknown ~user in NN_TUI_HOME), the store
        # works in memory only: ``_unusable`` says why, and nothing touches the disk.
        self._unusable: str | None = None
        if directory is None:
            try:
                directory = data_dir()
            except OSError as error:
                self._unusable = str(error)
                directory = Path(os.environ.get(ENV_HOME) or ".")
        self.directory = Path(directory)
        self.path = self.directory / FILE_NAME
        self.lock_path = self.directory / LOCK_NAME
        self.notice: str | None = None
        self.notices: list[str] = []
        self.on_notice = on_notice
        self.background = background  # save() hands the writing to a thread (the app's way)
        self.lessons: dict[str, LessonProgress] = {}
        # Each lesson's JSON form as last loaded or saved here: a lesson differs from it only if
        # this process changed it, and only those lessons are written over the file's.
        self._baseline: dict[str, dict[str, Any]] = {}
        self._io_lock = threading.Lock()  # one write at a time in this process
        self._state = threading.Condition()  # guards the fields below
        self._pending: dict[str, dict[str, Any]] = {}
        self._failed: dict[str, dict[str, Any]] = {}
        self._from_disk: dict[str, LessonProgress] | None = None
        self._writing = False
        self._inflight: set[str] = set()  # the lessons the writer is writing now
        self._closed = False
        self._shapes: dict[str, LessonShape] = {}  # lessons matched this session
        self._writer: threading.Thread | None = None
        self._failing: str | None = None  # why saving fails, once reported
        self._aside_count = 0
        self._load()

    # -- loading ---------------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            if self._unusable is not None:
                raise _Unusable(self._unusable)
            contents = _read(self.path)
        except Exception as error:  # noqa: BLE001 - no file-system error may stop the lesson
            self.notice = self._cannot_save_text(error, reading=True)
            self._failing = self.notice
            return
        self.lessons = contents.lessons
        self._baseline = {key: progress.to_dict() for key, progress in self.lessons.items()}
        if contents.whole or contents.problems:
            # Keep the original aside and rewrite the file with the good records at once, so the
            # damage is reported once and not again at every save.
            try:
                self._write({}, startup=True)
            except Exception as error:  # noqa: BLE001 - see _load
                self.notice = (f"Your progress file {self.path} is damaged "
                               f"({self._damage_summary(contents)}) and could not be repaired "
                               f"({self._reason(error)}); progress will not be saved.")
                self._failing = self.notice
            return
        try:
            self._clean_temps(blocking=False)
        except Exception:  # noqa: BLE001 - cleaning up is a courtesy; saving will tell
            pass

    @staticmethod
    def _damage_summary(contents: _FileContents) -> str:
        if contents.whole:
            return contents.whole
        shown = "; ".join(contents.problems[:3])
        more = len(contents.problems) - 3
        return shown + (f"; and {more} more" if more > 0 else "")

    # -- reading ---------------------------------------------------------------------------------

    def get(self, lesson_id: str) -> LessonProgress:
        """The lesson's progress, created when missing."""
        self._adopt()
        progress = self.lessons.get(lesson_id)
        if progress is None:
            progress = self.lessons[lesson_id] = LessonProgress()
            shape = self._shapes.get(lesson_id)
            if shape is not None:
                progress.step_keys, progress.shape = shape.keys, shape.structure
                progress.fingerprint, progress.data = shape.fingerprint, shape.data
                progress.total = shape.total
        return progress

    def peek(self, lesson_id: str) -> LessonProgress | None:
        """The lesson's progress, or None when there is none."""
        self._adopt()
        return self.lessons.get(lesson_id)

    # -- matching progress to the lesson as it is now -----------------------------------------

    def match(self, lesson_id: str, shape: LessonShape, title: str = "") -> str | None:
        """Fit the lesson's stored progress to its steps as they are now.

        Same structure: kept (a question whose key changed loses its record). Changed structure
        (steps added, removed, reordered): the place is found by its step's key, else kept if
        still before the last step, else reset to the start; each question record follows its
        question's key or is set aside into ``history``; "done" is cleared (only reaching the
        last step marks it again). Returns a notice when something was dropped, else None."""
        self._shapes[lesson_id] = shape
        progress = self.peek(lesson_id)
        total = shape.total
        if progress is None or total == 0:
            if progress is not None:
                progress.step_keys = shape.keys
            return None
        kept_aside = False
        own = self._version_key(progress)
        if own is not None and not shape.fits(progress):
            # Another version of the lesson (a copy sharing its id, or the lesson before an
            # edit): its record is kept as it is, and comes back whole when that version is
            # opened again; this version gets its own record back, or a fitted copy.
            others = dict(progress.others)
            others[own] = {**progress.to_dict(), "others": {}}
            mine = (others.pop(shape.version, None) or others.pop(shape.fingerprint, None)
                    or others.pop("s:" + shape.structure, None))
            if mine is not None:
                progress = _lesson_from(mine, nested=False)[0]
            else:
                kept_aside = True
            newest = sorted(others.items(), key=lambda item: item[1].get("updated", 0.0))
            progress.others = dict(newest[-MAX_VERSIONS:])
            self.lessons[lesson_id] = progress
        progress.fingerprint = shape.fingerprint
        progress.data = shape.data or progress.data
        progress.step_keys = shape.keys
        legacy = not progress.shape
        same = ((progress.shape == shape.structure or legacy and progress.total == total)
                and progress.step < total and progress.furthest < total)
        said: list[str] = []
        old_total = progress.total
        if not same:
            found = shape.find(progress.at) if progress.at else None
            old_place = progress.step
            if found is not None:
                step = found
            elif progress.step < total - 1:
                step = progress.step
            else:
                step = 0
            progress.step = step
            furthest = progress.furthest if progress.furthest < total - 1 else step
            progress.furthest = max(furthest, step)
            if progress.done:
                said.append("it is no longer marked done")
            progress.done = False
            if step != old_place:
                said.append(f"you continue at step {step + 1} of {total}"
                            if step else "it starts again at the first step")
        # Each question record follows its question.
        kept: dict[str, CheckRecord] = {}
        dropped: dict[str, CheckRecord] = {}
        for index_text, record in progress.checks.items():
            index = int(index_text)
            target: int | None
            here = index < total and shape.kinds[index] in QUESTION_KINDS
            if record.key:
                if here and shape.keys[index] == record.key:
                    target = index
                else:
                    # The key hashes the kind too, so it finds a step of the record's kind.
                    target = shape.find(record.key)
                    if target is not None and shape.kinds[target] not in QUESTION_KINDS:
                        target = None
            else:
                target = index if same and here else None
            if target is None or str(target) in kept:
                dropped[index_text] = record
            else:
                record.key = shape.keys[target]
                kept[str(target)] = record
        if dropped:
            self._archive(progress, dropped)
            count = len(dropped)
            said.append(f"{count} earlier answer{'s' if count != 1 else ''} no longer "
                        f"match{'es' if count == 1 else ''} a question and "
                        f"{'were' if count != 1 else 'was'} set aside")
        progress.checks = kept
        progress.shape = shape.structure
        progress.total = total
        if 0 <= progress.step < total:
            progress.at = shape.keys[progress.step]
        if not said:
            return None
        name = f"“{shorten(title)}”" if title else shorten(lesson_id)
        changed = (f"now has {total} steps (it had {old_total})"
                   if old_total and old_total != total else "has changed since your last visit")
        text = f"{name} {changed}: " + "; ".join(said) + "."
        if kept_aside:
            text += (" The record of the other version is kept and comes back when that "
                     "version is opened.")
        return text

    @staticmethod
    def _version_key(progress: LessonProgress) -> str | None:
        """The key a record is kept aside under (None: a record never matched to steps)."""
        if progress.fingerprint:
            return (f"{progress.fingerprint}@{progress.data}" if progress.data
                    else progress.fingerprint)
        return "s:" + progress.shape if progress.shape else None

    def record_for(self, lesson_id: str, shape: LessonShape) -> LessonProgress | None:
        """The progress of this version of the lesson (the one with these steps), without
        making it the active one: for listing several files that share a lesson id."""
        progress = self.peek(lesson_id)
        if progress is None:
            return None
        if shape.fits(progress) or (
                not progress.fingerprint and progress.shape in ("", shape.structure)):
            return progress
        data = (progress.others.get(shape.version) or progress.others.get(shape.fingerprint)
                or progress.others.get("s:" + shape.structure))
        return None if data is None else _lesson_from(data, nested=False)[0]

    @staticmethod
    def _archive(progress: LessonProgress, checks: dict[str, CheckRecord]) -> None:
        progress.history.append({"ended": progress.updated, "furthest": progress.furthest,
                                 "checks": {key: record.to_dict()
                                            for key, record in checks.items()}})
        del progress.history[:-MAX_HISTORY]

    def start_over(self, lesson_id: str) -> LessonProgress:
        """A fresh attempt: back to the first step, every question open again. The earlier
        answers are kept in ``history``; "done" stays (the lesson was finished once)."""
        progress = self.get(lesson_id)
        if progress.checks:
            self._archive(progress, progress.checks)
        progress.checks = {}
        progress.step = 0
        progress.at = progress.step_keys[0] if progress.step_keys else ""
        progress.updated = time.time()
        return progress

    def record_step(self, lesson_id: str, step: int, total: int) -> LessonProgress:
        """The learner is at ``step`` (0-based) of ``total``: reaching the last step marks the
        lesson done."""
        progress = self.get(lesson_id)
        step = max(0, min(int(step), max(total - 1, 0)))
        progress.step = step
        progress.total = total
        progress.furthest = max(progress.furthest if progress.furthest < total else 0, step)
        if len(progress.step_keys) == total:
            progress.at = progress.step_keys[step]
        if total and step >= total - 1:
            progress.done = True
        progress.updated = time.time()
        return progress

    # -- saving ----------------------------------------------------------------------------------

    def _snapshot(self) -> dict[str, dict[str, Any]]:
        """The JSON form of the lessons changed here since they were last loaded or saved."""
        changed = {}
        for lesson_id, progress in self.lessons.items():
            data = progress.to_dict()
            if self._baseline.get(lesson_id) != data:
                changed[lesson_id] = data
                self._baseline[lesson_id] = data
        return changed

    def save(self, wait: bool | None = None) -> None:
        """Save the lessons changed here. The snapshot is taken now; the writing is done by the
        writer thread when the store is ``background`` and ``wait`` is not True, else before
        returning. Never raises: a failure is reported once (``notices``, ``on_notice``) and
        retried with the next save."""
        if wait is None:
            wait = not self.background
        self._adopt()
        changed = self._snapshot()
        with self._state:
            self._pending = {**self._failed, **self._pending, **changed}
            self._failed = {}
            if not self._pending and not (wait and self._writing):
                return
            in_background = self.background and not wait and not self._closed
            self._state.notify_all()
        if in_background:
            self._ensure_writer()
        else:
            self.flush()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every save asked for so far is written (or failed). True when idle."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while self._pending or self._writing:
                if not self._writing and (self._writer is None or not self._writer.is_alive()):
                    # No writer thread (closed, or never started): write here.
                    pending, self._pending = self._pending, {}
                    self._inflight = set(pending)
                    self._state.release()
                    try:
                        self._write_and_report(pending)
                    finally:
                        self._state.acquire()
                        self._inflight = set()
                    continue
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._state.wait(remaining)
        return True

    def close(self, timeout: float | None = 10.0) -> None:
        """Save what is left and stop the writer thread (on quit)."""
        self.save()
        self.flush(timeout)
        with self._state:
            self._closed = True
            self._state.notify_all()
        if self._writer is not None:
            self._writer.join(timeout)

    def _ensure_writer(self) -> None:
        if self._writer is None or not self._writer.is_alive():
            self._writer = threading.Thread(target=self._write_loop, name="nn-tui progress",
                                            daemon=True)
            self._writer.start()

    def _write_loop(self) -> None:
        while True:
            with self._state:
                while not self._pending and not self._closed:
                    self._state.wait()
                if not self._pending:
                    return
                pending, self._pending = self._pending, {}
                self._writing = True
                self._inflight = set(pending)
            try:
                self._write_and_report(pending)
            finally:
                with self._state:
                    self._writing = False
                    self._inflight = set()
                    self._state.notify_all()

    def _write_and_report(self, pending: dict[str, dict[str, Any]]) -> None:
        try:
            self._write(pending)
        except Exception as error:  # noqa: BLE001 - any failure: keep the data, say so once
            with self._state:
                # Kept for the next save, except where a newer snapshot of the lesson is
                # already waiting: retrying the older one after it would undo it on disk.
                kept = {key: data for key, data in pending.items() if key not in self._pending}
                self._failed = {**self._failed, **kept}
            text = self._cannot_save_text(error)
            if self._failing is None:
                self._failing = text
                self._tell(text)
            return
        with self._state:
            # An older failed snapshot of a lesson just written is superseded, not retried.
            for key in pending:
                self._failed.pop(key, None)
        if self._failing is not None:
            self._failing = None
            self._tell("Progress is being saved again.")

    def _tell(self, text: str) -> None:
        self.notices.append(text)
        if self.on_notice is not None:
            try:
                self.on_notice(text)
            except Exception:  # noqa: BLE001 - the app may be closing
                pass

    @staticmethod
    def _reason(error: BaseException) -> str:
        if isinstance(error, OSError) and error.strerror:
            return error.strerror
        return str(error) or type(error).__name__

    def _not_a_folder(self) -> Path | None:
        """The first part of the home's path that exists but is not a folder, if any."""
        parts = [self.directory, *self.directory.parents]
        for part in reversed(parts):
            try:
                mode = os.stat(part).st_mode
            except (OSError, ValueError):
                return None
            if not stat.S_ISDIR(mode):
                return part
        return None

    def _cannot_save_text(self, error: BaseException, reading: bool = False) -> str:
        """The one notice for a progress home that cannot be read or written: what failed and
        the path that is at fault (the lock or file that is a folder, the part of the home that
        is a file), shortened. Never raises."""
        try:
            why = self._why(error)
        except Exception:  # noqa: BLE001 - probing the disk failed too: say what we know
            why = f"{shorten(self._reason(error), 200)}: {shorten(self.directory, 200)}"
        first = "could not be read" if reading else "cannot be saved"
        return f"Progress {first} ({why}); the lesson works, but progress will not be kept."

    def _why(self, error: BaseException) -> str:
        if isinstance(error, _Unusable):
            return str(error)
        named = getattr(error, "filename", None) if isinstance(error, OSError) else None
        path = Path(os.fsdecode(named)) if isinstance(named, (str, bytes)) else self.directory
        if isinstance(error, IsADirectoryError) or (
                isinstance(error, OSError) and error.errno == errno.EISDIR):
            return f"{shorten(path, 200)} is a folder, not a file; remove or rename it"
        if isinstance(error, (FileExistsError, NotADirectoryError)) or (
                isinstance(error, OSError) and error.errno in (errno.EEXIST, errno.ENOTDIR)):
            blocker = self._not_a_folder()
            if blocker is not None:
                return f"{shorten(blocker, 200)} is a file, not a folder (check {ENV_HOME})"
        return f"{shorten(self._reason(error), 200)}: {shorten(path, 200)}"

    def _write(self, changed: dict[str, dict[str, Any]], startup: bool = False) -> None:
        """Lock, re-read the file, set aside its damage, put ``changed`` over its lessons, write
        atomically. Runs on the writer thread (or on load); touches no lesson object here."""
        if self._unusable is not None:
            raise _Unusable(self._unusable)
        with self._io_lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            with _Lock(self.lock_path):
                self._clean_temps(locked=True)
                contents = _read(self.path)
                aside = None
                if contents.whole or contents.problems:
                    aside = self._set_aside(move=False)
                merged = {key: progress.to_dict() for key, progress in contents.lessons.items()}
                merged.update(changed)
                self._atomic_write({"version": FORMAT_VERSION, "lessons": merged})
        if aside is not None:
            summary = self._damage_summary(contents)
            if contents.whole:
                text = (f"Your progress file was damaged ({summary}); it was moved to {aside} "
                        "and a fresh one was started.")
            else:
                text = (f"Part of your progress file was damaged ({summary}); set aside: "
                        f"{_set_aside_text(contents)}; everything else was kept. The original "
                        f"file was kept as {aside}.")
            if startup:
                self.notice = text
            else:
                self._tell(text)
        # What the file holds now, for this process to adopt the other tutors' lessons.
        with self._state:
            self._from_disk = {key: value for key, value in contents.lessons.items()
                               if key not in changed}

    def _adopt(self) -> None:
        """Take the lessons another tutor saved, where this process has not changed them."""
        with self._state:
            from_disk, self._from_disk = self._from_disk, None
            busy = set(self._pending) | set(self._failed) | self._inflight
        if not from_disk:
            return
        for lesson_id, theirs in from_disk.items():
            if lesson_id in busy:
                continue
            ours = self.lessons.get(lesson_id)
            if ours is not None and ours.to_dict() != self._baseline.get(lesson_id):
                continue  # changed here since: ours is written next
            data = theirs.to_dict()
            if ours is not None and ours.to_dict() == data:
                continue
            shape = self._shapes.get(lesson_id)
            if shape is not None:
                theirs.step_keys = shape.keys
            self.lessons[lesson_id] = theirs
            self._baseline[lesson_id] = data

    def _set_aside(self, move: bool) -> Path | None:
        """Keep the current file under a name no other copy has (a hard link: a copy that
        shares the bytes, which the rename of the new file then leaves alone)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for _attempt in range(1000):
            self._aside_count += 1
            target = self.path.with_name(
                f"{FILE_NAME}.corrupt-{stamp}-{os.getpid()}-{self._aside_count}")
            try:
                os.link(self.path, target)
            except FileExistsError:
                continue
            except FileNotFoundError:
                return None
            except OSError:  # no hard links here: copy
                try:
                    with open(self.path, "rb") as source, \
                            open(target, "xb") as copy:
                        while chunk := source.read(1 << 20):
                            copy.write(chunk)
                        copy.flush()
                        os.fsync(copy.fileno())
                except FileExistsError:
                    continue
            if move:
                os.unlink(self.path)
            return target
        raise OSError("no free name to keep the damaged progress file")

    def _atomic_write(self, payload: dict[str, Any]) -> None:
        text = json.dumps(payload, indent=1, sort_keys=True, allow_nan=False)
        temp = self.directory / (f"{TEMP_PREFIX}{os.getpid()}-"
                                 f"{os.urandom(6).hex()}{TEMP_SUFFIX}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        write_then_move(fd, temp, text, lambda: os.replace(temp, self.path))
        try:
            directory_fd = os.open(self.directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(directory_fd)
        except OSError:
            pass
        finally:
            os.close(directory_fd)

    def _clean_temps(self, locked: bool = False, blocking: bool = True) -> int:
        """Remove temp files left by killed writers; returns how many.

        Only names of ours, and only while holding the lock (writers hold it while their temp
        file exists, so any temp file of the current form is abandoned); a temp file in an older
        form (no pid) only once it is STALE_TEMP_AGE old."""
        if not locked:
            try:
                with _Lock(self.lock_path, blocking=blocking) as lock:
                    if lock.acquired:
                        return self._clean_temps(locked=True)
            except OSError:
                pass
            return 0
        removed = 0
        try:
            names = os.listdir(self.directory)
        except OSError:
            return 0
        now = time.time()
        for name in names:
            if not (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX)):
                continue
            path = self.directory / name
            try:
                if not _TEMP_NAME.match(name) and now - path.stat().st_mtime < STALE_TEMP_AGE:
                    continue
                if not path.is_file():
                    continue
                path.unlink()
                removed += 1
            except OSError:
                continue
        return removed
