"""Table-driven checks: one test runs a check over many cases and fails naming every case that
failed, with what it raised.

A parametrised test costs pytest about a millisecond per case in every run (setting up,
reporting, and with pytest-xdist sending the report to the controller) and its collection in
every worker, often more than the check itself. Where a family of cases is many such micro-checks
of one function, one test per table (or per row of a table) runs them all for a fraction of that,
and checks each case as before: a failure does not stop the others, and the message lists every
failing case by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest


def failures(check: Callable[..., Any], cases: Iterable[tuple[str, tuple]]) -> list[str]:
    """``check(*args)`` for each ``(name, args)`` of ``cases``; "name: what it raised" for each
    that raised (an assertion, ``pytest.raises`` or ``pytest.fail`` failing, or any other
    exception)."""
    found = []
    for name, args in cases:
        try:
            check(*args)
        except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001 - reported by case
            found.append(f"{name}: {type(error).__name__}: {error}")
    return found


def check_each(check: Callable[..., Any], cases: Iterable[tuple[str, tuple]]) -> None:
    """Assert that ``check(*args)`` passes for every ``(name, args)`` of ``cases``; the
    AssertionError lists every failing case by name and what it raised."""
    found = failures(check, cases)
    assert not found, f"{len(found)} case(s) failed:\n" + "\n".join(found)
