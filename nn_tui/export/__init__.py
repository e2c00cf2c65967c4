"""Exports of a lesson: a Markdown document (``markdown``) and a NumPy script (``python``).

Each exporter takes a validated ``Lesson`` and returns text; ``nn-tui export`` prints it or
writes it with :func:`write_atomically`. No Textual here: an export runs without a terminal.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nn_tui.lessons.atomic import write_then_move


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temp file in the same folder, fsync'ed and
    renamed over ``path``: a reader sees the old file or the whole new one, never half of one.

    A symbolic link is followed: its target is replaced, the link stays.
    The new file gets the mode the old one had (or the usual one for a new file, from the
    umask), not the private mode of a temp file. Raises OSError (the temp file is removed)."""
    path = Path(path)
    if path.is_symlink():
        # Write through the link to its file, as an editor does, rather than replacing the link.
        path = Path(os.path.realpath(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o666 & ~mask
    descriptor, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")

    def move() -> None:
        os.chmod(temp, mode)
        os.replace(temp, path)

    write_then_move(descriptor, temp, text, move)
