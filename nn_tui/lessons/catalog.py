"""Finding lesson files: the bundled ones and those of folders or files the user names.

A file that fails validation is kept in the catalogue as a broken entry carrying its error, so
one bad file never hides the others.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from nn_tui.lessons.errors import LessonError, Problem, escape_controls
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.model import Lesson

MAX_FILES_PER_FOLDER = 500


def bundled_lessons_dir() -> Path:
    """Installed wheels carry the lessons inside the package; a source checkout has lessons/."""
    packaged = Path(__file__).resolve().parent.parent / "bundled_lessons"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "lessons"


@dataclass(frozen=True)
class CatalogEntry:
    path: Path
    lesson: Lesson | None = None
    error: LessonError | None = None
    bundled: bool = False
    # What checking could not verify (answers over training runs it cut short): see lint_lesson.
    notes: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.lesson is not None

    @property
    def id(self) -> str:
        return self.lesson.id if self.lesson else self.path.stem

    @property
    def title(self) -> str:
        # A file name may hold control characters; lesson titles cannot (the loader refuses them).
        return self.lesson.title if self.lesson else f"{escape_controls(self.path.name)} (broken)"

    @property
    def summary(self) -> str:
        if self.lesson:
            return self.lesson.summary
        first = self.error.problems[0] if self.error and self.error.problems else None
        return str(first) if first else "this file could not be read"

    @property
    def sort_key(self) -> tuple:
        order = self.lesson.order if self.lesson and self.lesson.order is not None else 10_000
        return (not self.bundled, order, self.title.lower(), str(self.path))


def folder_listing(path: Path) -> tuple[list[Path], list[LessonError]]:
    """The ``*.toml`` entries of folder ``path`` (sorted, at most MAX_FILES_PER_FOLDER), and a
    LessonError for the cap when the folder holds more, or when it cannot be listed.

    Every entry whose name ends in .toml is returned, whatever it is (a folder, a pipe, a
    broken or looping link): reading it then reports what it is, so nothing is skipped silently.
    Listing never follows links or opens entries, so it cannot hang.
    """
    try:
        with os.scandir(path) as scan:
            names = sorted(entry.name for entry in scan if entry.name.endswith(".toml"))
    except OSError as error:
        return [], [LessonError.single(str(path), "", f"cannot list the folder: "
                                                      f"{error.strerror or error}")]
    problems = []
    if len(names) > MAX_FILES_PER_FOLDER:
        problems.append(LessonError.single(
            str(path), "",
            f"holds {len(names):,} lesson files; only the first {MAX_FILES_PER_FOLDER} "
            f"(by name) are read, the other {len(names) - MAX_FILES_PER_FOLDER:,} are left out"))
        names = names[:MAX_FILES_PER_FOLDER]
    return [path / name for name in names], problems


def lesson_files(path: Path) -> list[Path]:
    """The lesson files of ``path``: itself if it is not a folder, else ``folder_listing``'s."""
    if is_folder(path):
        return folder_listing(path)[0]
    return [path]


def is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def path_exists(path: Path) -> bool:
    try:
        os.lstat(path)  # a broken or looping link exists (and is reported when read)
        return True
    except (OSError, ValueError):
        return False


def identity(path: Path) -> Path:
    """``path`` resolved when it can be (a link loop cannot: then its absolute form)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def load_checked_lesson(path: Path, cancelled: Callable[[], bool] | None = None,
                        ) -> tuple[Lesson, list[Problem]]:
    """Read, validate and replay-check ``path``: (the lesson, notes of ``lint_lesson``).

    The one notion of a valid lesson, shared by ``check``, ``list``, ``trace``, ``train`` and
    the picker. Raises LessonError with every problem the loader or the replay finds.
    ``cancelled`` is asked while the replay trains and evaluates answers; when it returns
    True, raises ``Cancelled``.
    """
    from nn_tui.engine.training import TrainingCancelled
    from nn_tui.lessons.expressions import WorkMeter
    from nn_tui.lessons.lint import check_lesson

    lesson = load_lesson(path)
    try:
        return lesson, check_lesson(lesson, cancelled)
    except (TrainingCancelled, WorkMeter.Cancelled):
        raise Cancelled from None
    except LessonError as error:
        raise LessonError(error.path, _with_lines(path, error.problems)) from None


def _with_lines(path: Path, problems: list[Problem]) -> list[Problem]:
    """``problems`` with the line of each key, found in the file's text (read once more: the
    replay that found them works on the validated lesson, which has no lines)."""
    from nn_tui.lessons.loader import decode_lesson_bytes, read_lesson_bytes
    from nn_tui.lessons.locate import KeyLocator

    try:
        locator = KeyLocator(decode_lesson_bytes(read_lesson_bytes(path), str(path)))
    except LessonError:  # the file changed since: keep the problems without lines
        return problems
    return [Problem(p.path, p.key, p.message, p.line or locator.line_of(p.key)) for p in problems]


class Cancelled(Exception):
    """Loading lessons was abandoned (the ``cancelled`` callback said so)."""


def load_entry(path: Path, bundled: bool = False,
               cancelled: Callable[[], bool] | None = None, replay: bool = True) -> CatalogEntry:
    """``path`` as a catalogue entry (broken if it fails). Raises Cancelled (see
    ``load_checked_lesson``). ``replay=False`` validates the file without the replay check
    (for the bundled lessons, which the test suite replays: tests/test_curriculum.py)."""
    try:
        if not replay:
            return CatalogEntry(path, lesson=load_lesson(path), bundled=bundled)
        lesson, notes = load_checked_lesson(path, cancelled)
        return CatalogEntry(path, lesson=lesson, bundled=bundled, notes=tuple(notes))
    except LessonError as error:
        return CatalogEntry(path, error=error, bundled=bundled)


def build_catalog(extra: Iterable[Path] = (), include_bundled: bool = True,
                  cancelled: Callable[[], bool] | None = None,
                  loaded: Iterable[CatalogEntry] = (),
                  replay_bundled: bool = True) -> list[CatalogEntry]:
    """Bundled lessons (unless excluded) plus every lesson file in ``extra`` files and folders.

    Files that fail (and folder caps, and paths that do not exist) are broken entries.
    ``cancelled`` is asked between files and while each is checked: when it returns True,
    raises Cancelled (the picker's loading thread must stop at once when the tutor quits).
    ``loaded``: entries already loaded and checked (the file the tutor opened first), used
    as they are instead of checking their files again. ``replay_bundled=False`` skips the
    replay check of the bundled lessons (they are part of the program and the test suite
    replays every one of them; see ``load_entry``)."""
    known = {identity(entry.path): entry for entry in loaded}
    entries: list[CatalogEntry] = []
    seen: set[Path] = set()
    sources: list[tuple[Path, bool]] = []
    if include_bundled:
        sources.append((bundled_lessons_dir(), True))
    sources.extend((Path(item), False) for item in extra)
    for source, bundled in sources:
        if not path_exists(source):
            error = LessonError.single(str(source), "", "no such file or folder")
            entries.append(CatalogEntry(source, error=error, bundled=bundled))
            continue
        if is_folder(source):
            files, problems = folder_listing(source)
            entries.extend(CatalogEntry(source, error=error, bundled=bundled)
                           for error in problems)
        else:
            files = [source]
        for file in files:
            resolved = identity(file)
            if resolved in seen:
                continue
            seen.add(resolved)
            if cancelled is not None and cancelled():
                raise Cancelled
            if resolved in known:
                entries.append(known[resolved])
                continue
            entries.append(load_entry(file, bundled, cancelled,
                                      replay=replay_bundled or not bundled))
    return sorted(entries, key=lambda entry: entry.sort_key)
