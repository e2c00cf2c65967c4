"""Atomic file writes: the progress file, the settings file and new lesson files.

A reader (or a tutor killed mid-save) sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_then_move(descriptor: int, temp: str | Path, text: str,
                    move: Callable[[], None]) -> None:
    """Write ``text`` (UTF-8) into the temp file open as ``descriptor`` at ``temp``, fsync it,
    then call ``move`` to put it in place (``os.replace``: an atomic rename; or a link that
    refuses an existing name). On any failure, an interrupt included, the temp file is removed
    and the error raised (OSError from the disk, or whatever ``move`` raises)."""
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        move()
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
