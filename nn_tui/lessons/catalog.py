"""Finding lesson files: the bundled ones and those of folders or files the user names.

A file that fails validation is kept in the catalogue as a broken entry carrying its error, so
one bad file never hides the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from nn_tui.lessons.errors import LessonError
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

    @property
    def ok(self) -> bool:
        return self.lesson is not None

    @property
    def id(self) -> str:
        return self.lesson.id if self.lesson else self.path.stem

    @property
    def title(self) -> str:
        return self.lesson.title if self.lesson else f"{self.path.name} (broken)"

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


def lesson_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(path.glob("*.toml"))[:MAX_FILES_PER_FOLDER]
    return [path]


def load_entry(path: Path, bundled: bool = False) -> CatalogEntry:
    try:
        return CatalogEntry(path, lesson=load_lesson(path), bundled=bundled)
    except LessonError as error:
        return CatalogEntry(path, error=error, bundled=bundled)


def build_catalog(extra: Iterable[Path] = (), include_bundled: bool = True) -> list[CatalogEntry]:
    """Bundled lessons (unless excluded) plus every lesson file in ``extra`` files and folders."""
    entries: list[CatalogEntry] = []
    seen: set[Path] = set()
    sources: list[tuple[Path, bool]] = []
    if include_bundled:
        sources.append((bundled_lessons_dir(), True))
    sources.extend((Path(item), False) for item in extra)
    for source, bundled in sources:
        if not source.exists():
            error = LessonError.single(str(source), "", "no such file or folder")
            entries.append(CatalogEntry(source, error=error, bundled=bundled))
            continue
        for file in lesson_files(source):
            resolved = file.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            entries.append(load_entry(file, bundled))
    return sorted(entries, key=lambda entry: entry.sort_key)
