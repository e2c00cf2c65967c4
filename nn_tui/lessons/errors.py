"""Problems found in a lesson file, each naming the file, the key, the line and what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# C0 controls other than newline and tab, DEL and the C1 controls: shown raw they are terminal
# commands (retitle the window, clear the screen...). File names and TOML keys can hold them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """``text`` with every control character except newline and tab written as ``\\xNN``."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


@dataclass(frozen=True)
class Problem:
    path: str
    key: str  # dotted key path such as "network.layers[1].activation" ("" for the whole file)
    message: str
    line: int | None = None

    def __post_init__(self) -> None:
        # The path and key come from the file system and the file (a TOML key may be any
        # string): escape control characters once, here, so no display of a problem (CLI, error
        # screen, picker) can send them to the terminal.
        for name in ("path", "key", "message"):
            object.__setattr__(self, name, escape_controls(str(getattr(self, name))))

    def __str__(self) -> str:
        """``path:line: key: message``, with control characters escaped (it may be printed)."""
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.key:
            return escape_controls(f"{where}: {self.key}: {self.message}")
        return escape_controls(f"{where}: {self.message}")


class LessonError(Exception):
    """A lesson file that cannot be used; carries every problem found in it."""

    def __init__(self, path: str | Path, problems: list[Problem]) -> None:
        self.path = escape_controls(str(path))
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

    @classmethod
    def single(cls, path: str | Path, key: str, message: str, line: int | None = None):
        return cls(path, [Problem(str(path), key, message, line)])
