"""Find the line a key was written on, so a problem can point at it.

tomllib reports lines only for syntax errors; for a value that parses but is wrong we scan the
text ourselves. This is a best-effort index of table headers and ``key =`` lines; it never
raises, and a key it cannot place simply gets no line.
"""

from __future__ import annotations

import re

# Both patterns are linear: no two adjacent repeats can match the same characters (the old
# header pattern, a lazy group of names and spaces followed by optional spaces, took minutes
# on one line of a few thousand spaces).
_HEADER = re.compile(r"\s*(\[\[?)([^\[\]#]*)\]\]?\s*(?:#.*)?")
_HEADER_NAME = re.compile(r"[A-Za-z0-9_.\-\s\"']+")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-\"'.]+)\s*=")


def _header(line: str) -> tuple[str, str] | None:
    """("[" or "[[", the dotted name) when ``line`` is a table header, else None."""
    match = _HEADER.fullmatch(line)
    if not match or not _HEADER_NAME.fullmatch(match.group(2).strip()):
        return None
    return match.group(1), match.group(2).strip()


def _clean(name: str) -> list[str]:
    return [part.strip().strip("\"'") for part in name.split(".")]


class KeyLocator:
    def __init__(self, text: str) -> None:
        self._lines: dict[str, int] = {}
        array_counts: dict[str, int] = {}
        current = ""
        in_multiline = False
        for number, line in enumerate(text.splitlines(), start=1):
            # Skip the insides of multi-line strings: a line of prose may look like "key = ...".
            quotes = line.count('"""') + line.count("'''")
            if in_multiline:
                if quotes % 2 == 1:
                    in_multiline = False
                continue
            header = _header(line)
            if header:
                parts = _clean(header[1])
                path = ""
                for depth, part in enumerate(parts):
                    path = f"{path}.{part}" if path else part
                    is_last = depth == len(parts) - 1
                    if is_last and header[0] == "[[":
                        array_counts[path] = array_counts.get(path, 0) + 1
                        path = f"{path}[{array_counts[path] - 1}]"
                    elif path in array_counts:
                        path = f"{path}[{array_counts[path] - 1}]"
                current = path
                self._lines.setdefault(current, number)
            else:
                key = _KEY.match(line)
                if key:
                    dotted = ".".join(_clean(key.group(1)))
                    self._lines.setdefault(f"{current}.{dotted}" if current else dotted, number)
            if quotes % 2 == 1:
                in_multiline = True

    @property
    def lines(self) -> dict[str, int]:
        """Every key and table found, with its line."""
        return dict(self._lines)

    def line_of(self, key: str) -> int | None:
        """The line of ``key``, else of the nearest enclosing key or table that was found."""
        candidate = key
        while candidate:
            if candidate in self._lines:
                return self._lines[candidate]
            cut = max(candidate.rfind("."), candidate.rfind("["))
            if cut <= 0:
                break
            candidate = candidate[:cut]
        return self._lines.get(candidate)
