"""The data of a lesson read from a CSV file (``[data] csv = "psa.csv"``).

The file is read with the standard library's ``csv`` module: its first line names the columns,
each further line is one example. Only the columns the lesson names (``inputs`` then
``targets``) are read, as numbers; other columns (an id, a note) may hold anything. Every
fault is a Problem naming the CSV file and its line, so ``nn-tui check`` prints
``psa.csv:5: column "PSA": "abc" is not a number``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence

import numpy as np

from nn_tui.lessons.errors import Problem

# Excel and other spreadsheets write "CSV UTF-8" with a byte-order mark; it is not data.
UTF8_BOM = b"\xef\xbb\xbf"
# A spreadsheet row may be wide; the columns a lesson uses are bounded by the network's sizes.
MAX_COLUMNS = 1000
# One cell: far more characters than any number needs (a quoted essay in a notes column).
MAX_CELL = 10_000


def _shown(cell: str) -> str:
    text = cell if len(cell) <= 30 else cell[:27] + "..."
    return repr(text)


def decode_csv_bytes(raw: bytes, display: str) -> tuple[str | None, Problem | None]:
    """(the text of a CSV file, None), or (None, the problem): UTF-8, with or without a
    byte-order mark; UTF-16/32 and other encodings are refused with the line of the first
    byte that is not UTF-8."""
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        wide = "UTF-32" if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "UTF-16"
        return None, Problem(display, "", f"is {wide} text (it starts with a {wide} byte-order "
                                          "mark); save it as CSV in UTF-8", 1)
    elif raw[:4096].count(0) * 10 >= len(raw[:4096]) * 3 and len(raw) >= 8:
        return None, Problem(display, "", "looks like UTF-16 or UTF-32 text (every character "
                                          "carries zero bytes); save it as CSV in UTF-8", 1)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, Problem(
            display, "", f"is not UTF-8 text (byte 0x{raw[error.start]:02x} at byte "
                         f"{error.start} cannot be decoded; a spreadsheet's \"CSV UTF-8\" "
                         "format is UTF-8)", line)


def _number(cell: str) -> tuple[float | None, str | None]:
    """(the cell as a finite float, None) or (None, why not)."""
    text = cell.strip()
    if not text:
        return None, "is empty; every cell of a column the lesson uses must be a number"
    try:
        value = float(text.replace("\u2212", "-"))  # a typographic minus is a minus
    except ValueError:
        hint = ""
        if "," in text and text.replace(",", "", 1).replace("-", "", 1).isdigit():
            hint = " (a decimal comma? write 0.5, not 0,5)"
        return None, f"{_shown(cell)} is not a number{hint}"
    if not math.isfinite(value):
        return None, f"{_shown(cell)} is not a finite number (no nan or inf)"
    return value, None


def parse_csv_text(text: str, display: str, inputs: Sequence[str], targets: Sequence[str],
                   max_rows: int, max_magnitude: float,
                   ) -> tuple[np.ndarray | None, list[Problem], list[str]]:
    """Read the columns ``inputs`` then ``targets`` of CSV ``text``: (rows of shape
    ``(n, len(inputs) + len(targets))`` or None, the problems found, the header's column
    names). ``display`` names the file in problems; each problem carries its line.

    Refused: no header, a header only, a column named twice among those used, a column that is
    missing (reported by the caller, which knows the lesson's keys: the returned rows are None
    and the header is returned), a line whose number of cells differs from the header's, a
    cell that is empty, not a number, not finite or beyond ±max_magnitude, more than
    ``max_rows`` rows. At most one problem per line and ten in all are reported."""
    problems: list[Problem] = []
    if "\x00" in text:  # the csv module refuses NUL; say where it is
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [Problem(display, "", "holds a NUL character; it is not a text file",
                              line)], []
    # newline="": the csv module sees the line ends as written (a quoted cell may hold one).
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[float]] = []
    columns: list[int] = []
    line = 0  # the line the next record starts on, minus one
    try:
        for record in reader:
            start = line + 1
            line = reader.line_num
            if not record or all(not cell.strip() for cell in record):
                continue  # blank lines (the end of the file, a spacer) hold no example
            bad = next((cell for cell in record if len(cell) > MAX_CELL), None)
            if bad is not None:
                problems.append(Problem(display, "", f"has a cell of {len(bad):,} characters; "
                                                     f"the limit is {MAX_CELL:,}", start))
                break
            if header is None:
                header, header_line = [cell.strip() for cell in record], start
                if len(header) > MAX_COLUMNS:
                    problems.append(Problem(display, "", f"has {len(header):,} columns; the "
                                                         f"limit is {MAX_COLUMNS:,}", start))
                    return None, problems, []
                positions: dict[str, list[int]] = {}
                for index, name in enumerate(header):
                    positions.setdefault(name, []).append(index)
                for name in list(inputs) + list(targets):
                    found = positions.get(name, [])
                    if len(found) > 1:
                        where = ", ".join(str(index + 1) for index in found)
                        problems.append(Problem(
                            display, "", f"the header names the column {name!r} "
                                         f"{len(found)} times (columns {where}); column names "
                                         "must be different", start))
                    elif not found:
                        return None, problems, header
                if problems:
                    return None, problems, header
                columns = [positions[name][0] for name in list(inputs) + list(targets)]
                continue
            if len(rows) >= max_rows:
                problems.append(Problem(display, "", f"has more than {max_rows:,} rows of "
                                                     f"data; the limit is {max_rows:,}", start))
                break
            if len(record) != len(header):
                problems.append(Problem(
                    display, "", f"has {len(record)} cells, but the header (line "
                                 f"{header_line}) names {len(header)} columns; every line "
                                 "needs one cell per column", start))
            else:
                values = []
                for column in columns:
                    value, why = _number(record[column])
                    if value is not None and abs(value) > max_magnitude:
                        why = f"{_shown(record[column])} is too large; keep values within " \
                              f"±{max_magnitude:g}"
                    if why is not None or value is None:
                        problems.append(Problem(display, "", f"column {header[column]!r}: {why}",
                                                start))
                        break
                    values.append(value)
                else:
                    rows.append(values)
            if len(problems) >= 10:
                problems.append(Problem(display, "", "... (more problems not listed)"))
                break
    except csv.Error as error:
        return None, problems + [Problem(display, "", f"cannot be read as CSV: {error}",
                                         reader.line_num or 1)], header or []
    if problems:
        return None, problems, header or []
    if header is None:
        return None, [Problem(display, "", "is empty: it needs a header line naming the columns, "
                                           "then one line per example", 1)], []
    if not rows:
        return None, [Problem(display, "", "has a header but no rows of data: add one line per "
                                           "example under the header", header_line)], header
    return np.array(rows, dtype=float), [], header
