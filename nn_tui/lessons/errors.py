"""Problems found in a lesson file, each naming the file, the key, the line and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str
    key: str  # dotted key path such as "network.layers[1].activation" ("" for the whole file)
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.key:
            return f"{where}: {self.key}: {self.message}"
        return f"{where}: {self.message}"


class LessonError(Exception):
    """A lesson file that cannot be used; carries every problem found in it."""

    def __init__(self, path: str | Path, problems: list[Problem]) -> None:
        self.path = str(path)
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def single(cls, path: str | Path, key: str, message: str, line: int | None = None):
        return cls(path, [Problem(str(path), key, message, line)])
