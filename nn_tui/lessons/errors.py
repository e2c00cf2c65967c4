"""Problems found in a lesson file, each naming the file, the key, the line and what is wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The one definition of the characters never sent raw to the terminal, shared by the validator
# (which refuses them in lesson text), the CLI (escape_controls) and the UI (ui.literal.clean):
# C0 controls other than newline and tab, DEL and the C1 controls are terminal commands (retitle
# the window, clear the screen...); the bidirectional embeddings, overrides and isolates reorder
# how the terminal draws the text around them, so "0.5" could be drawn as "5.0" ("Trojan
# Source", CVE-2021-42574). File names and TOML keys can hold any of them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
TERMINAL_UNSAFE = frozenset(
    [chr(code) for code in range(0x20) if code not in (0x09, 0x0A)]
    + [chr(code) for code in range(0x7F, 0xA0)]
    + list(BIDI_CONTROLS)
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_code(char: str) -> str:
    """How an unsafe character is written out: ``\\x1b``, ``\\u202e``."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every character of TERMINAL_UNSAFE written as ``\\xNN`` or ``\\uNNNN``."""
    return _CONTROL.sub(lambda match: escape_code(match.group()), text)


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
