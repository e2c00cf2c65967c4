"""The bundled lessons an earlier tutor of this process read, kept by the files' content.

The picker reads every bundled lesson (parse and validate, no replay: see ``build_catalog``)
each time a tutor starts. A process that starts many tutors (the test suite opens hundreds;
a host serving several learners could too) read the same files each time: ~20 ms of CPU per
start for 11 lessons. Here each bundled file's catalogue entry and list line are kept with the
file's bytes; a file whose bytes are the same is not read again, an edited, added or removed
one is (its bytes differ, or it has none). A lesson that reads a data file (``data_file``) is
not kept: its content is more than its own file's bytes.

No Textual here: the picker's loading thread uses it (hence the lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from nn_tui.lessons.catalog import CatalogEntry

Info = TypeVar("Info")


class BundledCache(Generic[Info]):
    """Catalogue entries of bundled lesson files and what the picker made of them (``Info``),
    by path, valid while the file's bytes are those they were read from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # path -> (the file's bytes, its entry, its Info)
        self._held: dict[Path, tuple[bytes, CatalogEntry, Info]] = {}

    @staticmethod
    def read(folder: Path) -> dict[Path, bytes]:
        """The bytes of every lesson file of ``folder`` (the bundled lessons) by path, as
        ``build_catalog`` lists them; a file that cannot be read is left out (it is read, and
        reported, the usual way)."""
        from nn_tui.lessons.catalog import folder_listing

        files, _problems = folder_listing(folder)
        found = {}
        for file in files:
            try:
                found[file] = file.read_bytes()
            except OSError:
                continue
        return found

    def entries(self, now: dict[Path, bytes]) -> list[CatalogEntry]:
        """The kept entries whose files still hold the bytes in ``now`` (from :meth:`read`)."""
        with self._lock:
            return [held[1] for path, held in self._held.items()
                    if path in now and now[path] == held[0]]

    def describe(self, entries: Iterable[CatalogEntry], now: dict[Path, bytes],
                 describe: Callable[[list[CatalogEntry]], list[Info]]) -> list[Info]:
        """``describe(entries)``, the kept entries' Info reused; the bundled entries read now
        are kept when their files still hold the bytes in ``now`` (read before they were
        parsed: a file edited meanwhile is not kept with the other version's entry)."""
        entries = list(entries)
        with self._lock:
            held = {id(value[1]): value[2] for value in self._held.values()}
        new = [entry for entry in entries if id(entry) not in held]
        made = dict(zip(map(id, new), describe(new)))
        infos = [held[id(entry)] if id(entry) in held else made[id(entry)] for entry in entries]
        keep = {}
        for entry in new:
            path = entry.path
            if (entry.bundled and entry.lesson is not None and not entry.lesson.data_file
                    and path in now):
                try:
                    same = path.read_bytes() == now[path]
                except OSError:
                    same = False
                if same:
                    keep[path] = (now[path], entry, made[id(entry)])
        with self._lock:
            if now:  # (empty: a tutor without the bundled lessons read none of them)
                for path in [path for path in self._held if path not in now]:
                    del self._held[path]  # removed files
            self._held.update(keep)
        return infos

    def clear(self) -> None:
        """Forget every kept entry."""
        with self._lock:
            self._held.clear()
