"""Math names for trace fields: layer 0's z is z₁, the last layer's a is ŷ."""

from __future__ import annotations

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(number: int) -> str:
    return str(number).translate(_SUBSCRIPTS)


def layer_symbol(field: str, index: int, depth: int) -> str:
    """``z₁``, ``a₂``, ``W₁``, ``b₂`` ... (1-based); the output layer's activation is ``ŷ``."""
    if field == "a" and index == depth - 1:
        return "ŷ"
    return f"{field}{subscript(index + 1)}"


def output_symbol(units: int) -> str:
    return "ŷ"


def element(symbol: str, *indices: int, size: int = 2) -> str:
    """One entry of a vector or matrix, 1-based: ``z₁[2]``, ``W₂[1,2]``; scalars need none."""
    if size <= 1 or not indices:
        return symbol
    return f"{symbol}[{','.join(str(i + 1) for i in indices)}]"
