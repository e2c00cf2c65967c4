"""The learner's progress, stored as JSON and written atomically.

Location: ``$NN_TUI_HOME/progress.json`` when NN_TUI_HOME is set, else the platform's user-data
directory (``platformdirs``). A corrupt file is moved aside (``progress.json.corrupt-<time>``)
and a fresh one started; the move is reported through ``ProgressStore.notice`` so the app can
tell the learner. Writes go to a temp file in the same directory, are fsync'ed, then renamed
over the old file, so a crash never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
ENV_HOME = "NN_TUI_HOME"


def data_dir() -> Path:
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("nn-tui", appauthor=False))


@dataclass
class CheckRecord:
    attempts: int = 0
    correct: bool = False
    revealed: bool = False
    skipped: bool = False


@dataclass
class LessonProgress:
    step: int = 0  # where the learner was last
    furthest: int = 0  # the furthest step reached
    total: int = 0
    done: bool = False
    checks: dict[str, CheckRecord] = field(default_factory=dict)  # keyed by step index
    updated: float = 0.0

    @property
    def checks_right(self) -> int:
        return sum(1 for record in self.checks.values() if record.correct)

    def check(self, step: int) -> CheckRecord:
        return self.checks.setdefault(str(step), CheckRecord())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LessonProgress":
        checks = {
            str(key): CheckRecord(
                attempts=int(value.get("attempts", 0)),
                correct=bool(value.get("correct", False)),
                revealed=bool(value.get("revealed", False)),
                skipped=bool(value.get("skipped", False)),
            )
            for key, value in dict(data.get("checks", {})).items()
            if isinstance(value, dict)
        }
        return cls(
            step=max(0, int(data.get("step", 0))),
            furthest=max(0, int(data.get("furthest", 0))),
            total=max(0, int(data.get("total", 0))),
            done=bool(data.get("done", False)),
            checks=checks,
            updated=float(data.get("updated", 0.0)),
        )


class ProgressStore:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else data_dir()
        self.path = self.directory / "progress.json"
        self.notice: str | None = None
        self.lessons: dict[str, LessonProgress] = {}
        self._load()

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as error:
            self.notice = f"Could not read {self.path} ({error.strerror}); progress starts fresh."
            return
        try:
            # Bytes that are not UTF-8 raise UnicodeDecodeError, a ValueError: damaged, like bad JSON.
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("lessons", {}), dict):
                raise ValueError("not a progress file")
            self.lessons = {
                str(lesson_id): LessonProgress.from_dict(value)
                for lesson_id, value in data.get("lessons", {}).items()
                if isinstance(value, dict)
            }
        except (ValueError, TypeError, AttributeError):
            self.lessons = {}
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            try:
                os.replace(self.path, aside)
                self.notice = (
                    f"Your progress file was damaged; it was moved to {aside} and a fresh one "
                    "was started."
                )
            except OSError:
                self.notice = f"Your progress file {self.path} is damaged and could not be moved."

    def get(self, lesson_id: str) -> LessonProgress:
        return self.lessons.setdefault(lesson_id, LessonProgress())

    def peek(self, lesson_id: str) -> LessonProgress | None:
        return self.lessons.get(lesson_id)

    def save(self) -> None:
        """Write every lesson's progress atomically: temp file, fsync, rename."""
        payload = {
            "version": FORMAT_VERSION,
            "lessons": {lesson_id: asdict(progress) for lesson_id, progress in self.lessons.items()},
        }
        self.directory.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as temp:
                json.dump(payload, temp, indent=1, sort_keys=True)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            try:
                os.unlink(temp_name)
            except OSError:
                pass
            raise
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

    def record_step(self, lesson_id: str, step: int, total: int) -> LessonProgress:
        progress = self.get(lesson_id)
        progress.step = step
        progress.total = total
        progress.furthest = max(progress.furthest, step)
        if step >= total - 1:
            progress.done = True
        progress.updated = time.time()
        return progress
