"""How numbers are written on screen: fixed decimals, a real minus sign, no "-0.0000"."""

from __future__ import annotations

import math
from typing import Iterable

DECIMALS = 4
_settings = {"decimals": DECIMALS}


def use_decimals(decimals: int) -> None:
    """How many decimals ``num`` writes from now on (``nn-tui trace --decimals``)."""
    _settings["decimals"] = max(1, min(int(decimals), 15))


def num(value: float, decimals: int | None = None) -> str:
    """``0.3250``, ``−0.7311``, ``1.2e+08`` for very large or very small non-zero values."""
    if decimals is None:
        decimals = _settings["decimals"]
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if magnitude != 0 and (magnitude >= 10**6 or magnitude < 0.5 * 10**-decimals):
        text = f"{value:.{max(decimals - 1, 1)}e}"
    else:
        text = f"{value:.{decimals}f}"
        if float(text) == 0:
            text = text.lstrip("-")
    return text.replace("-", "−")


def short(value: float) -> str:
    """A compact form for inputs and literals from the lesson file: ``2.0`` stays ``2``."""
    value = float(value)
    if not math.isfinite(value):
        return num(value)  # int(∞) would raise: ∞ and nan are written as num writes them
    if value == int(value) and abs(value) < 10**6:
        return str(int(value)).replace("-", "−")
    return f"{value:g}".replace("-", "−")


def vector(values: Iterable[float], decimals: int | None = None) -> str:
    return "[" + ", ".join(num(v, decimals) for v in values) + "]"


def parenthesised(text: str) -> str:
    """A number written after an operator: a negative one in parentheses, ``(−1.0000)``."""
    return f"({text})" if text.startswith("−") else text


def signed_term(value: float, decimals: int | None = None) -> str:
    return parenthesised(num(value, decimals))
