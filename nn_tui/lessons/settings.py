"""The tutor's display settings, remembered across runs: ``$NN_TUI_HOME/settings.json``.

Beside the progress file (``progress.data_dir``). Today it holds one setting, ``decimals``: the
significant decimals the panes show (``format.numbers``; 4, 6 or 9, cycled by the ``d`` key).

A settings file is a convenience, never a reason not to start: a missing file gives the
defaults; one that cannot be read, is not JSON, or holds a value out of range gives the
defaults for what is wrong, with a one-line ``problem`` to show (the file is left alone until
the learner changes a setting, which replaces it). Writes are atomic (a temp file in the same
folder, fsync'ed, renamed over the old one), so a kill never leaves half a file; keys this
version does not know (written by a newer one) are kept.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nn_tui.format.numbers import DECIMAL_CHOICES, DECIMALS
from nn_tui.lessons.atomic import write_then_move
from nn_tui.lessons.progress import data_dir, shorten

FILE_NAME = "settings.json"
# A settings file is a few dozen bytes; anything much larger is not one.
MAX_FILE_BYTES = 64 * 1024


@dataclass
class Settings:
    """The display settings: ``decimals``, one of ``format.numbers.DECIMAL_CHOICES``."""

    decimals: int = DECIMALS


def settings_path(directory: Path | None = None) -> Path:
    """Where the settings live: ``directory`` (default: the progress home) / settings.json.
    Raises OSError when the home cannot be named (see ``progress.data_dir``)."""
    return (directory if directory is not None else data_dir()) / FILE_NAME


def load_settings(directory: Path | None = None) -> tuple[Settings, str | None]:
    """(the settings, a problem to tell the learner or None). Never raises: whatever is wrong
    with the file (unreadable, not JSON, a bad value) gives the defaults for it, and says so."""
    settings = Settings()
    try:
        path = settings_path(directory)
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return settings, None
    except (OSError, ValueError) as error:
        return settings, (f"The settings file could not be read ({_reason(error)}); "
                          "using the defaults.")
    where = shorten(str(path), 200)
    if len(raw) > MAX_FILE_BYTES:
        return settings, f"The settings file {where} is too large to be one; using the defaults."
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return settings, f"The settings file {where} is damaged (not JSON); using the defaults."
    if not isinstance(data, dict):
        return settings, (f"The settings file {where} is damaged (not a JSON object); "
                          "using the defaults.")
    if "decimals" in data:
        decimals = data["decimals"]
        if type(decimals) is int and decimals in DECIMAL_CHOICES:
            settings.decimals = decimals
        else:
            choices = ", ".join(str(choice) for choice in DECIMAL_CHOICES)
            return settings, (f"The settings file {where} has decimals = "
                              f"{shorten(json.dumps(decimals))}, not one of {choices}; showing "
                              f"{settings.decimals} digits.")
    return settings, None


def save_settings(settings: Settings, directory: Path | None = None) -> None:
    """Write ``settings`` atomically, keeping keys of the file this version does not know.
    Raises OSError (the folder cannot be made, the disk is full or read-only)."""
    path = settings_path(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    kept: dict[str, Any] = {}
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) <= MAX_FILE_BYTES:
            existing = json.loads(raw.decode("utf-8"))
            if isinstance(existing, dict):
                kept = existing
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        pass  # nothing worth keeping: it is replaced whole
    kept["decimals"] = settings.decimals
    text = json.dumps(kept, indent=1, sort_keys=True, allow_nan=False) + "\n"
    temp = path.parent / f".settings-{os.getpid()}-{os.urandom(6).hex()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    write_then_move(fd, temp, text, lambda: os.replace(temp, path))


class SettingsSaver:
    """The one writer of the settings file: whatever threads save and in whatever order they
    finish, the file ends at the settings last asked for.

    ``want`` (on the UI thread, at each change) records the latest settings; ``write_latest``
    (in a thread worker, and once more on quit) writes them. Writes hold one lock and each
    writes the latest wanted settings at the time it runs, never the value its caller was
    started with, so the last write to finish is always the latest value (a thread per change
    writing its own value let an older save finish last). Settings already on disk are not
    written again.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._write_lock = threading.Lock()  # one write at a time in this process
        self._state = threading.Lock()  # guards the two fields below
        self._wanted: Settings | None = None
        self._written: Settings | None = None  # what the last successful write put on disk

    @property
    def wanted(self) -> Settings | None:
        """The settings last asked for (None before the first ``want``)."""
        with self._state:
            return self._wanted

    def want(self, settings: Settings) -> None:
        """Ask for ``settings`` to be on disk (the next ``write_latest`` writes them)."""
        with self._state:
            self._wanted = replace(settings)

    def write_latest(self) -> bool:
        """Write the latest wanted settings unless they are already on disk; True if written.
        Blocks while another thread writes. Raises OSError (see ``save_settings``); the
        settings stay wanted, so the next call tries again."""
        with self._write_lock:
            with self._state:
                wanted = self._wanted
                if wanted is None or wanted == self._written:
                    return False
            save_settings(wanted, self.directory)
            with self._state:
                self._written = wanted
            return True


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        where = f"{shorten(error.filename)}: " if error.filename else ""
        return f"{where}{error.strerror}"
    return shorten(str(error))
