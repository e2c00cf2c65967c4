"""A value key for traces: two traces with the same numbers get the same key.

Caches of rendered panes are keyed by it, so they do not depend on whether equal traces are
one object (``id()`` would miss a recomputed trace with the same numbers, such as a live
training's redraw of a paused run, and is only unique while the object lives).
"""

from __future__ import annotations

import dataclasses
import hashlib
import weakref
from typing import Any

import numpy as np

# id(trace) → (weak reference, digest): each digest is computed once per trace object, and
# dropped with it (the weak reference's callback), so an id reused later cannot hit.
_DIGESTS: dict[int, tuple[weakref.ref, bytes]] = {}


def _feed(digest: Any, value: Any) -> None:
    """Add ``value`` (dataclasses, tuples, lists, dicts, arrays, numbers, strings) to
    ``digest``, with its type and shape, so different structures cannot collide."""
    if isinstance(value, np.ndarray):
        digest.update(b"a" + str((value.dtype.str, value.shape)).encode())
        digest.update(np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        digest.update(b"d" + type(value).__qualname__.encode())
        for item in dataclasses.fields(value):
            digest.update(item.name.encode())
            _feed(digest, getattr(value, item.name))
    elif isinstance(value, (tuple, list)):
        digest.update(b"t%d" % len(value))
        for item in value:
            _feed(digest, item)
    elif isinstance(value, dict):
        digest.update(b"m%d" % len(value))
        for key in sorted(value, key=repr):
            _feed(digest, key)
            _feed(digest, value[key])
    else:
        digest.update(b"v" + repr(value).encode())


def content_digest(*values: Any) -> bytes:
    """A digest (BLAKE2b, 16 bytes) of every number, name and structure in ``values`` (as
    ``value_key`` reads them), computed afresh each call (for values that may change, such as
    a network before training)."""
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, values)
    return digest.digest()


def value_key(trace: Any) -> bytes:
    """A digest (BLAKE2b, 16 bytes) of every number and name in ``trace`` (a dataclass of
    arrays such as ``nn_tui.engine.Trace``): equal for traces with equal content. Computed once
    per trace object (traces are immutable)."""
    entry = _DIGESTS.get(id(trace))
    if entry is not None and entry[0]() is trace:
        return entry[1]
    digest = hashlib.blake2b(digest_size=16)
    _feed(digest, trace)
    key = id(trace)
    result = digest.digest()

    def forget(_reference: weakref.ref) -> None:
        _DIGESTS.pop(key, None)

    try:
        reference = weakref.ref(trace, forget)
    except TypeError:  # not weakly referable: not memoised
        return result
    _DIGESTS[key] = (reference, result)
    return result
