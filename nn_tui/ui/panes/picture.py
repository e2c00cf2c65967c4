"""The output picture: what the network answers over the whole range of its inputs.

One input: a plot of each output against the input (braille curves), the data rows as points
at their targets and the traced row marked on the curve (PSA: the probability of cancer against
PSA). Two inputs: a map of the output over the plane in half-block cells (``▀`` with the upper
pixel's colour as foreground and the lower one's as background: two pixels per character
cell), the rows as points, the axes labelled with the lesson's input names and a colour key;
for a softmax output the map shows the predicted class, brighter where it is more probable.
More inputs: a line saying why there is no picture.

The numbers come from ``nn_tui.engine.picture`` (one batched forward pass per redraw, over a
grid sized to the widget); this module only draws. Lesson text (input and output names) is
drawn as plain Text, never parsed as markup.

Usage: ``picture.show(PictureInput.of(network, X, Y, trace_x, rows, input_names,
output_names))``, or ``picture.show_view(view, X, Y)`` with a lesson ``StepView``. Showing the
same numbers again costs nothing; a resize recomputes the grid for the new size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from nn_tui.engine import Network
from nn_tui.engine import picture as engine
from nn_tui.lessons.fingerprint import value_key

if TYPE_CHECKING:
    from nn_tui.lessons.session import StepView

# Continuous map colours, low → middle → high (a diverging scale: for a sigmoid output the
# pale middle is the decision boundary, 0.5).
LOW = (44, 123, 182)
MIDDLE = (255, 255, 191)
HIGH = (215, 25, 28)
OVERFLOW = (110, 110, 110)  # a cell whose output is not finite
LEVELS = 48  # colours a map uses (styles are cached per colour, so few is fast)
# One colour per class of a softmax map (cycled beyond eight).
CLASS_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40),
                 (148, 103, 189), (140, 86, 75), (227, 119, 194), (188, 189, 34))
DARK = (20, 20, 20)
# Curve colours of the 1-D plot, one per output (eight at most are drawn).
CURVE_COLOURS = ((31, 119, 180), (214, 39, 40), (44, 160, 44), (255, 127, 14),
                 (148, 103, 189), (140, 86, 75), (227, 119, 194), (188, 189, 34))
MAX_CURVES = len(CURVE_COLOURS)
HALF_BLOCK = "▀"
TRACED = "◆"
TRACED_LOW = "◇"
ROW_HIGH = "●"
ROW_LOW = "○"


@dataclass(frozen=True)
class PictureInput:
    """What the picture is drawn from: the ``network`` in force (or edited), the data rows
    ``X`` ``(rows, inputs)`` and ``Y`` ``(rows, outputs)``, the traced example's input
    ``traced_x`` ``(inputs,)`` (None in batch mode), the data row it is (None for an example of
    the step's own or an edited one) and the lesson's names for the inputs and outputs."""

    network: Network
    X: np.ndarray
    Y: np.ndarray
    traced_x: np.ndarray | None
    traced_row: int | None
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]

    @classmethod
    def of(cls, network: Network, X: np.ndarray, Y: np.ndarray, trace_x: np.ndarray,
           rows: tuple = (), input_names=(), output_names=()) -> "PictureInput":
        """From what a trace has: ``trace_x`` is one example ``(inputs,)`` or a batch
        ``(rows, inputs)`` (then no single example is marked); ``rows`` the data rows traced."""
        trace_x = np.asarray(trace_x, dtype=float)
        single = trace_x.ndim == 1
        row = rows[0] if single and len(rows) == 1 else None
        if row is not None and not np.array_equal(np.asarray(X)[row], trace_x):
            row = None  # an edited x is no longer that row
        inputs = network.layers[0].fan_in
        outputs = network.layers[-1].units
        return cls(network, np.asarray(X, dtype=float), np.asarray(Y, dtype=float),
                   trace_x.copy() if single else None, row,
                   tuple(input_names) or tuple(f"x{k + 1}" for k in range(inputs)),
                   tuple(output_names) or tuple(f"output {k + 1}" for k in range(outputs)))

    def key(self) -> tuple:
        """Everything the picture depends on, to skip redrawing identical content."""
        layers = tuple((layer.W.tobytes(), layer.b.tobytes(), layer.activation.name)
                       for layer in self.network.layers)
        traced = None if self.traced_x is None else self.traced_x.tobytes()
        return (layers, value_key(self.X), value_key(self.Y), traced, self.traced_row,
                self.input_names, self.output_names)


def _fmt(value: float) -> str:
    return f"{value:.3g}".replace("-", "−")


def _mix(a: tuple, b: tuple, t: float) -> tuple[int, int, int]:
    return tuple(int(round(a[k] + (b[k] - a[k]) * t)) for k in range(3))  # type: ignore


def _luminance(colour: tuple) -> float:
    return 0.2126 * colour[0] + 0.7152 * colour[1] + 0.0722 * colour[2]


def _scale_colour(level: int) -> tuple[int, int, int]:
    t = level / (LEVELS - 1)
    return _mix(LOW, MIDDLE, t * 2) if t <= 0.5 else _mix(MIDDLE, HIGH, t * 2 - 1)


def _class_colour(klass: int, strength: float) -> tuple[int, int, int]:
    return _mix(DARK, CLASS_COLOURS[klass % len(CLASS_COLOURS)], 0.3 + 0.7 * strength)


class _Styles:
    """Rich Styles by (foreground, background, bold), made once: a map has few colours."""

    def __init__(self) -> None:
        self._cache: dict[tuple, Style] = {}

    def __call__(self, fg: tuple, bg: tuple, bold: bool = False) -> Style:
        key = (fg, bg, bold)
        style = self._cache.get(key)
        if style is None:
            style = self._cache[key] = Style.from_color(
                _rich_colour(fg), _rich_colour(bg)) + (Style(bold=True) if bold else Style())
        return style


def _rich_colour(rgb: tuple):
    from rich.color import Color

    return Color.from_rgb(*rgb)


CLASS_STEPS = LEVELS // 3  # shades of a class colour, by probability


def _palette(outputs: int, classes: bool) -> list[tuple[int, int, int]]:
    """The colours a map can use: the scale's LEVELS, or CLASS_STEPS + 1 shades per class;
    the last entry is OVERFLOW."""
    key = (outputs if classes else 0, classes)
    palette = _PALETTES.get(key)
    if palette is None:
        if classes:
            palette = [_class_colour(klass, step / CLASS_STEPS) for klass in range(outputs)
                       for step in range(CLASS_STEPS + 1)]
        else:
            palette = [_scale_colour(level) for level in range(LEVELS)]
        palette = _PALETTES[key] = palette + [OVERFLOW]
    return palette


_PALETTES: dict[tuple, list] = {}


def pixel_indices(plane: engine.Plane, outputs: int = 1) -> tuple[np.ndarray, list[tuple]]:
    """(index ``(rows, cols)`` into the palette, the palette of RGB colours) of each grid point
    of ``plane``: a diverging scale over its value range for one output, the class colour
    shaded by probability for classes (``outputs`` classes), OVERFLOW where the output is not
    finite."""
    low, high = plane.value_range
    values = plane.values
    finite = np.isfinite(values)
    if plane.shown.kind == "class":
        outputs = max(outputs, int(plane.classes.max()) + 1, 2)
        palette = _palette(outputs, True)
        floor = 1.0 / outputs
        strength = np.clip((np.nan_to_num(values, nan=0.0) - floor) / (1 - floor), 0, 1)
        indices = plane.classes * (CLASS_STEPS + 1) + np.round(strength * CLASS_STEPS).astype(int)
    else:
        palette = _palette(1, False)
        with np.errstate(all="ignore"):
            # Halved first: the span of a range near ±1.8e308 would itself overflow.
            span = high / 2 - low / 2 if high > low else 1.0
            share = np.nan_to_num((values / 2 - low / 2) / span, nan=0.0, posinf=1.0,
                                  neginf=0.0)
        indices = np.round(np.clip(share, 0.0, 1.0) * (LEVELS - 1)).astype(int)
    indices[~finite] = len(palette) - 1
    return indices, palette


def pixel_colours(plane: engine.Plane, outputs: int = 1) -> np.ndarray:
    """The RGB colour ``(rows, cols, 3)`` of each grid point of ``plane`` (see
    ``pixel_indices``)."""
    indices, palette = pixel_indices(plane, outputs)
    return np.array(palette)[indices]


@dataclass(frozen=True)
class MapPoint:
    """A data row drawn on the map: its character cell, glyph and whether it is the traced
    example."""

    column: int
    line: int  # the character row of the map (two pixel rows each)
    pixel_row: int
    glyph: str
    traced: bool


def map_points(picture: PictureInput, plane: engine.Plane) -> list[MapPoint]:
    """Where the rows (and the traced example, last, so it is drawn on top) fall on the map:
    cells by ``engine.cell_of`` over the plane's ranges; rows outside the map are left out."""
    columns, pixel_rows = len(plane.xs), len(plane.ys)
    points = []
    entries = [(x, y, False) for x, y in zip(picture.X, picture.Y)]
    if picture.traced_x is not None:
        traced_y = picture.Y[picture.traced_row] if picture.traced_row is not None else None
        entries.append((picture.traced_x, traced_y, True))
    middle = (plane.value_range[0] + plane.value_range[1]) / 2
    for x, y, traced in entries:
        column = engine.cell_of(float(x[0]), *plane.x_range, columns)
        row = engine.cell_of(float(x[1]), *plane.y_range, pixel_rows, flip=True)
        if column is None or row is None:
            continue
        if plane.shown.kind == "class":
            klass = int(np.argmax(y)) if y is not None else None
            glyph = TRACED if traced else (str(klass + 1) if klass is not None and klass < 9
                                           else ROW_HIGH)
        else:
            high = y is None or float(y[plane.shown.index]) >= middle
            glyph = (TRACED if high else TRACED_LOW) if traced else (ROW_HIGH if high
                                                                     else ROW_LOW)
        points.append(MapPoint(column, row // 2, row, glyph, traced))
    return points


class _Canvas(Widget):
    """A picture drawn line by line from strips made once per content and size: ``build``
    makes them, ``render_line`` hands them to Textual."""

    DEFAULT_CSS = """
    _Canvas { width: 1fr; height: 1fr; }
    """
    MIN_SIZE = (8, 5)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Strip] = []
        self._styles = _Styles()
        self.picture: PictureInput | None = None
        self.label_width = 0
        self._drawn_for: tuple | None = None
        self.redraws = 0  # pictures computed (not counting repeats of the same one)

    @property
    def text(self) -> str:
        """The picture as plain text lines (for tests and screen readers)."""
        return "\n".join(line.text.rstrip() for line in self._lines)

    def show(self, picture: PictureInput) -> None:
        self.picture = picture
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Compute the picture for the current size and rebuild the lines (once per size and
        content)."""
        width, height = self.size.width, self.size.height
        if self.picture is None or width < self.MIN_SIZE[0] or height < self.MIN_SIZE[1]:
            self._lines = []
            self._drawn_for = None
            self.refresh()
            return
        key = (self.picture.key(), width, height)
        if key == self._drawn_for:
            return
        self._drawn_for = key
        self._lines = self.build(width, height)
        self.redraws += 1
        self.refresh()

    def build(self, width: int, height: int) -> list[Strip]:
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width)

    def axis_line(self, low: float, high: float, name: str, columns: int, width: int) -> Strip:
        """The horizontal axis under the picture: its range at the ends, its name between."""
        axis = Text(" " * self.label_width)
        left, right = _fmt(low), _fmt(high)
        middle = f" {name} "
        gap = columns - len(left) - len(right)
        if gap >= len(middle):
            pad = gap - len(middle)
            axis.append(left + " " * (pad // 2) + middle + " " * (pad - pad // 2) + right,
                        style="dim")
        else:
            axis.append(left + " " * max(gap, 1) + right, style="dim")
        return _strip(axis, width)


class PlaneMap(_Canvas):
    """The 2-D map with its axes and key."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plane: engine.Plane | None = None
        self.points: list[MapPoint] = []

    def build(self, width: int, height: int) -> list[Strip]:
        """The map's lines for a ``width`` × ``height`` area: a title line, the map with the
        second input's range on the left, the first input's axis below, and the key."""
        picture = self.picture
        assert picture is not None
        shown = engine.shown_output(picture.network, picture.output_names)
        map_lines = height - 3
        # Labels of the vertical axis: its range, its name's first letters between them.
        x_range = engine.input_range(self._xs(picture)[:, 0])
        y_range = engine.input_range(self._xs(picture)[:, 1])
        top, bottom = _fmt(y_range[1]), _fmt(y_range[0])
        self.label_width = label_width = max(len(top), len(bottom)) + 1
        columns = max(width - label_width, 1)
        plane = engine.plane(picture.network, picture.X, columns, map_lines * 2,
                             picture.traced_x, shown)
        self.plane = plane
        indices, palette = pixel_indices(plane, picture.network.layers[-1].units)
        self.points = points = map_points(picture, plane)
        by_cell = {(point.line, point.column): point for point in points}
        styles = self._styles
        pair_styles: dict[tuple[int, int], Style] = {}
        lines: list[Strip] = []
        title = Text(f"{shown.label}", style="bold")
        title.append(f" over {picture.input_names[0]} (→), {picture.input_names[1]} (↑)",
                     style="")
        lines.append(_strip(title, width))
        label_style = Style(dim=True)
        name = picture.input_names[1]
        rows = indices.tolist()
        for line in range(map_lines):
            if line == 0:
                label = top
            elif line == map_lines - 1:
                label = bottom
            elif line == map_lines // 2:
                label = name[: label_width - 1]
            else:
                label = ""
            segments = [Segment(label.rjust(label_width - 1) + " ", label_style)]
            upper, lower = rows[2 * line], rows[2 * line + 1]
            # Runs of one colour pair become one segment: a map has large even areas.
            run_style, run = None, 0
            for column in range(columns):
                point = by_cell.get((line, column))
                if point is None:
                    pair = (upper[column], lower[column])
                    style = pair_styles.get(pair)
                    if style is None:
                        style = pair_styles[pair] = styles(palette[pair[0]], palette[pair[1]])
                    if style is run_style:
                        run += 1
                        continue
                    if run:
                        segments.append(Segment(HALF_BLOCK * run, run_style))
                    run_style, run = style, 1
                    continue
                if run:
                    segments.append(Segment(HALF_BLOCK * run, run_style))
                    run_style, run = None, 0
                under = palette[rows[point.pixel_row][column]]
                ink = (0, 0, 0) if _luminance(under) > 140 else (255, 255, 255)
                segments.append(Segment(point.glyph, styles(ink, under, bold=True)))
            if run:
                segments.append(Segment(HALF_BLOCK * run, run_style))
            lines.append(Strip(segments, width))
        lines.append(self.axis_line(*x_range, picture.input_names[0], columns, width))
        lines.append(_strip(self.key_text(picture, plane), width))
        return lines

    @staticmethod
    def _xs(picture: PictureInput) -> np.ndarray:
        if picture.traced_x is None:
            return picture.X
        return np.vstack([picture.X, picture.traced_x.reshape(1, -1)])

    def key_text(self, picture: PictureInput, plane: engine.Plane) -> Text:
        """The colour key: the scale (or the classes), the row glyphs and the traced row."""
        key = Text()
        if not np.isfinite(plane.values).all():
            # First: it explains cells that no other part of the key does.
            key.append("█", style=Style.from_color(_rich_colour(OVERFLOW)))
            key.append(" overflow  ")
        if plane.shown.kind == "class":
            for klass, name in enumerate(picture.output_names):
                colour = _class_colour(klass, 1.0)
                key.append("█", style=Style.from_color(_rich_colour(colour)))
                digit = f"{klass + 1}=" if klass < 9 else ""
                key.append(f" {digit}{name}  ")
        else:
            low, high = plane.value_range
            key.append(f"{_fmt(low)} ")
            for level in range(0, LEVELS, max(LEVELS // 8, 1)):
                key.append("█", style=Style.from_color(_rich_colour(_scale_colour(level))))
            key.append(f" {_fmt(high)}  ")
            middle = _fmt((low + high) / 2)
            key.append(f"{ROW_HIGH} target ≥ {middle}  {ROW_LOW} below  ")
        if picture.traced_x is not None:
            which = (f"row {picture.traced_row + 1}" if picture.traced_row is not None
                     else "the traced example")
            # The glyph the map draws for it (map_points): hollow for a target below the middle.
            glyph = next((point.glyph for point in map_points(picture, plane) if point.traced),
                         TRACED)
            key.append(f"{glyph} {which}")
        return key



# Braille dots: the bit of dot (column, row) of a character cell, 2 columns × 4 rows (Unicode
# "Braille Patterns": dots 1-2-3-7 down the left, 4-5-6-8 down the right).
BRAILLE_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


class CurvePlot(_Canvas):
    """Each output against the one input, as braille curves (2 × 4 dots per character cell),
    the rows as dots at their targets, the traced example marked on its curve, with axes and a
    key. Drawn here rather than by plotext: a redraw costs about a millisecond, so it keeps up
    with every nudge and with live training."""

    MIN_SIZE = (12, 6)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.curve: engine.Curve | None = None
        self.points: list[tuple[int, int, str, int]] = []  # (line, column, glyph, output)

    def build(self, width: int, height: int) -> list[Strip]:
        """The plot's lines for a ``width`` × ``height`` area: a title, the curves with the
        outputs' range on the left, the input's axis below, and the key."""
        picture = self.picture
        assert picture is not None
        # One forward pass at two points per cell of the widest plot the labels could leave;
        # each sample is drawn in the dot column its input falls in.
        curve = engine.curve(picture.network, picture.X, picture.Y, 2 * (width - 2),
                             picture.traced_x)
        self.curve = curve
        y_low, y_high = curve.y_range
        labels = [_fmt(y_high), _fmt((y_low + y_high) / 2), _fmt(y_low)]
        self.label_width = label_width = max(len(label) for label in labels) + 1
        columns = max(width - label_width, 1)
        plot_lines = height - 3
        dot_rows = 4 * plot_lines
        x_low, x_high = curve.x_range
        dot_columns = np.minimum(
            np.floor((curve.xs - x_low) / (x_high - x_low) * 2 * columns), 2 * columns - 1
        ).astype(int).tolist()
        outputs = curve.outputs.shape[1]
        shown = min(outputs, MAX_CURVES)
        bits = np.zeros((plot_lines, columns), dtype=np.int64)
        owner = np.full((plot_lines, columns), -1, dtype=np.int64)
        span = y_high / 2 - y_low / 2  # halved: a range near ±1.8e308 would overflow

        def dot_row(values: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                share = (y_high / 2 - values / 2) / span
            return np.floor(np.clip(share, 0.0, 1.0) * (dot_rows - 1) + 0.5)

        for k in range(shown):
            values = curve.outputs[:, k]
            finite = np.isfinite(values)
            rows = dot_row(values)
            for i in range(len(values)):
                if not finite[i]:
                    continue
                top = bottom = int(rows[i])
                # Join to the next sample, so a steep curve stays one line.
                if i + 1 < len(values) and finite[i + 1]:
                    nxt = int(rows[i + 1])
                    top, bottom = min(top, (top + nxt) // 2), max(bottom, (bottom + nxt) // 2)
                column, dx = divmod(dot_columns[i], 2)
                for row in range(top, bottom + 1):
                    line, dy = divmod(row, 4)
                    bits[line, column] |= BRAILLE_BITS[dx][dy]
                    owner[line, column] = k
        # The rows at their targets, then the traced example on its curve (on top).
        marks: dict[tuple[int, int], tuple[str, int]] = {}
        for k in range(shown):
            for x, target in zip(curve.rows_x, curve.rows_y[:, k]):
                cell = self._cell(x, target, curve, columns, plot_lines)
                if cell is not None:
                    marks[cell] = (ROW_HIGH, k)
        if curve.traced_x is not None and curve.traced_output is not None:
            for k in range(shown):
                cell = self._cell(curve.traced_x, curve.traced_output[k], curve, columns,
                                  plot_lines)
                if cell is not None:
                    marks[cell] = (TRACED, k)
        self.points = [(line, column, glyph, k) for (line, column), (glyph, k) in marks.items()]
        styles = self._styles
        label_style = Style(dim=True)
        lines: list[Strip] = []
        names = ", ".join(picture.output_names[:shown])
        title = Text(names, style="bold")
        title.append(f" against {picture.input_names[0]}")
        lines.append(_strip(title, width))
        bits_rows, owner_rows = bits.tolist(), owner.tolist()
        blank = styles(DARK, DARK)
        curve_styles = [styles(colour, DARK) for colour in CURVE_COLOURS]
        middle_line = plot_lines // 2
        for line in range(plot_lines):
            label = (labels[0] if line == 0 else labels[2] if line == plot_lines - 1
                     else labels[1] if line == middle_line else "")
            segments = [Segment(label.rjust(label_width - 1) + ("┤" if label else "│"),
                                label_style)]
            # Cells of one style are joined into one segment (most of a plot is blank).
            run_style, run = blank, []
            line_bits, line_owner = bits_rows[line], owner_rows[line]
            for column in range(columns):
                mark = marks.get((line, column))
                if mark is not None:
                    glyph, k = mark
                    colour = (255, 255, 255) if glyph == TRACED else CURVE_COLOURS[k]
                    style, char = styles(colour, DARK, bold=True), glyph
                elif line_bits[column]:
                    style = curve_styles[line_owner[column]]
                    char = chr(0x2800 + line_bits[column])
                else:
                    style, char = blank, " "
                if style is not run_style:
                    if run:
                        segments.append(Segment("".join(run), run_style))
                    run_style, run = style, []
                run.append(char)
            if run:
                segments.append(Segment("".join(run), run_style))
            lines.append(Strip(segments, width))
        lines.append(self.axis_line(*curve.x_range, picture.input_names[0], columns, width))
        lines.append(_strip(self.key_text(picture, curve, shown), width))
        return lines

    @staticmethod
    def _cell(x: float, y: float, curve: engine.Curve, columns: int,
              lines: int) -> tuple[int, int] | None:
        column = engine.cell_of(float(x), *curve.x_range, columns)
        line = engine.cell_of(float(y), *curve.y_range, lines, flip=True)
        return None if column is None or line is None else (line, column)

    @staticmethod
    def key_text(picture: PictureInput, curve: engine.Curve, shown: int) -> Text:
        """The plot's key: each output's colour and name, the rows' dots, the traced row."""
        key = Text()
        for k in range(shown):
            key.append("━━ ", style=Style.from_color(_rich_colour(CURVE_COLOURS[k])))
            key.append(f"{picture.output_names[k]}  ")
        if curve.outputs.shape[1] > shown:
            key.append(f"(first {shown} of {curve.outputs.shape[1]} outputs)  ")
        if not np.isfinite(curve.outputs[:, :shown]).all():
            key.append("(gaps: overflow)  ")
        key.append(f"{ROW_HIGH} the rows' targets  ")
        if curve.traced_x is not None and curve.traced_output is not None:
            which = (f"row {picture.traced_row + 1}" if picture.traced_row is not None
                     else "the traced example")
            outputs = ", ".join(_fmt(value) for value in curve.traced_output[:shown])
            key.append(f"{TRACED} {which}: {picture.input_names[0]} = "
                       f"{_fmt(curve.traced_x)}, ŷ = {outputs}")
        return key


def _strip(text: Text, width: int) -> Strip:
    text = text.copy()
    text.truncate(width, overflow="ellipsis")
    segments = list(text.render(_CONSOLE))
    return Strip(segments, text.cell_len).adjust_cell_length(width)


# Text.render needs a console for its options only; the strips are drawn by Textual.
_CONSOLE = Console(width=10_000, color_system="truecolor", legacy_windows=False)


class OutputPicture(Vertical):
    """The output picture of a network (see the module docstring).

    ``show(picture)`` draws it; ``redraws`` counts the pictures computed (a repeated
    ``show`` of the same numbers at the same size computes none)."""

    DEFAULT_CSS = """
    OutputPicture { height: 1fr; }
    OutputPicture > #picture-note { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.picture: PictureInput | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="picture-note")
        yield PlaneMap(id="picture-map")
        yield CurvePlot(id="picture-plot")

    @property
    def note(self) -> Static:
        return self.query_one("#picture-note", Static)

    @property
    def map(self) -> PlaneMap:
        return self.query_one(PlaneMap)

    @property
    def plot(self) -> CurvePlot:
        return self.query_one(CurvePlot)

    @property
    def redraws(self) -> int:
        return self.map.redraws + self.plot.redraws

    @property
    def text(self) -> str:
        """What the picture shows, as plain text: its note, or the map's or the plot's lines."""
        if self.note.display:
            return str(self.note.render())
        return self.map.text if self.map.display else self.plot.text

    @staticmethod
    def title_for(picture: PictureInput) -> str:
        """A title for the pane holding the picture: "Output against PSA", "Output over colour
        and roundness", or "Output picture" when there is none."""
        inputs = picture.network.layers[0].fan_in
        if inputs == 1:
            return f"Output against {picture.input_names[0]}"
        if inputs == 2:
            return f"Output over {picture.input_names[0]} and {picture.input_names[1]}"
        return "Output picture"

    def show_view(self, view: "StepView", X: np.ndarray, Y: np.ndarray) -> None:
        """Draw the picture of a lesson step's network and trace over the data ``X``, ``Y``."""
        self.show(PictureInput.of(view.network, X, Y, view.trace.x, view.trace.rows,
                                  view.input_names, view.output_names))

    def show(self, picture: PictureInput) -> None:
        """Draw ``picture`` (nothing is computed again if it and the size are unchanged); the
        widget's ``border_title`` becomes ``title_for(picture)`` (shown if a border is set)."""
        self.picture = picture
        self.border_title = self.title_for(picture)
        inputs = picture.network.layers[0].fan_in
        self.note.display = inputs > 2
        self.map.display = inputs == 2
        self.plot.display = inputs == 1
        if inputs > 2:
            self.note.update(Text(
                f"No picture: this network has {inputs} inputs. A picture can show one input "
                "(a curve) or two (a map over the plane); with more, each input would need an "
                "axis of its own. The Forward pass shows what the network does with the "
                "traced example."))
        elif inputs == 2:
            self.map.show(picture)
        else:
            self.plot.show(picture)


