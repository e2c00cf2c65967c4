"""The output picture: what the network answers over the whole range of its inputs.

One input: a plot (textual-plotext) of each output against the input, the data rows as points
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
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from nn_tui.engine import Network
from nn_tui.engine import picture as engine

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
# Curve colours of the 1-D plot (plotext accepts RGB tuples), one per output.
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
        return (layers, id(self.X), self.X.shape, id(self.Y), traced, self.traced_row,
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


class PlaneMap(Widget):
    """The 2-D map with its axes and key, drawn line by line from strips made at each update."""

    DEFAULT_CSS = """
    PlaneMap { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Strip] = []
        self._styles = _Styles()
        self.picture: PictureInput | None = None
        self.plane: engine.Plane | None = None
        self.points: list[MapPoint] = []
        self.label_width = 0
        self._drawn_for: tuple | None = None

    @property
    def text(self) -> str:
        """The map as plain text lines (for tests and screen readers)."""
        return "\n".join(line.text.rstrip() for line in self._lines)

    def show(self, picture: PictureInput) -> None:
        self.picture = picture
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """Compute the grid for the current size and rebuild the lines (once per size and
        content)."""
        width, height = self.size.width, self.size.height
        if self.picture is None or width < 8 or height < 5:
            self._lines = []
            self.refresh()
            return
        key = (self.picture.key(), width, height)
        if key == self._drawn_for:
            return
        self._drawn_for = key
        self._lines = self.build(width, height)
        self.refresh()

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
        axis = Text(" " * label_width)
        left, right = _fmt(x_range[0]), _fmt(x_range[1])
        middle = f" {picture.input_names[0]} "
        gap = columns - len(left) - len(right)
        if gap >= len(middle):
            pad = gap - len(middle)
            axis.append(left + " " * (pad // 2) + middle + " " * (pad - pad // 2) + right,
                        style="dim")
        else:
            axis.append(left + " " * max(gap, 1) + right, style="dim")
        lines.append(_strip(axis, width))
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
            which = (f"row {picture.traced_row}" if picture.traced_row is not None
                     else "the traced example")
            key.append(f"{TRACED} {which}")
        return key

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height


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
    OutputPicture > #picture-key { height: auto; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.picture: PictureInput | None = None
        self.curve: engine.Curve | None = None
        self.redraws = 0
        self._plotted_for: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="picture-note")
        yield PlaneMap(id="picture-map")
        yield Static("", id="picture-key")

    @property
    def note(self) -> Static:
        return self.query_one("#picture-note", Static)

    @property
    def map(self) -> PlaneMap:
        return self.query_one(PlaneMap)

    @property
    def plot(self):
        """The 1-D plot widget, once mounted (a one-input network was shown)."""
        plots = self.query("#picture-plot")
        return plots.first() if plots else None

    @property
    def text(self) -> str:
        """What the picture says in words: its note, its map's text and its key."""
        parts = [str(self.note.render())]
        if self.map.display:
            parts.append(self.map.text)
        parts.append(str(self.query_one("#picture-key", Static).render()))
        return "\n".join(part for part in parts if part)

    def show_view(self, view: "StepView", X: np.ndarray, Y: np.ndarray) -> None:
        """Draw the picture of a lesson step's network and trace over the data ``X``, ``Y``."""
        self.show(PictureInput.of(view.network, X, Y, view.trace.x, view.trace.rows,
                                  view.input_names, view.output_names))

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

    def show(self, picture: PictureInput) -> None:
        """Draw ``picture`` (nothing is computed again if it and the size are unchanged); the
        widget's ``border_title`` becomes ``title_for(picture)`` (shown if a border is set)."""
        self.picture = picture
        self.border_title = self.title_for(picture)
        inputs = picture.network.layers[0].fan_in
        key_line = self.query_one("#picture-key", Static)
        self.note.display = inputs > 2
        key_line.display = inputs == 1
        if inputs > 2:
            self.map.display = False
            self._show_plot(False)
            self.note.update(Text(
                f"No picture: this network has {inputs} inputs. A picture can show one input "
                "(a curve) or two (a map over the plane); with more, each input would need an "
                "axis of its own. The Forward pass shows what the network does with the "
                "traced example."))
            key_line.update("")
            return
        if inputs == 2:
            self._show_plot(False)
            self.map.display = True
            self.note.update("")
            key_line.update("")
            before = self.map._drawn_for
            self.map.show(picture)
            if self.map._drawn_for != before:
                self.redraws += 1
            return
        self.map.display = False
        self._show_plot(True)
        self.note.update("")
        self.call_after_refresh(self._draw_curve)
        self._draw_curve()

    def on_resize(self) -> None:
        if self.picture is not None and self.picture.network.layers[0].fan_in == 1:
            self.call_after_refresh(self._draw_curve)

    def _show_plot(self, visible: bool) -> None:
        plot = self.plot
        if plot is None and visible:
            from textual_plotext import PlotextPlot

            plot = PlotextPlot(id="picture-plot")
            self.mount(plot, before=self.query_one("#picture-key"))
        if plot is not None:
            plot.display = visible

    def _draw_curve(self) -> None:
        picture, plot = self.picture, self.plot
        if picture is None or plot is None or picture.network.layers[0].fan_in != 1:
            return
        width, height = plot.size.width, plot.size.height
        key = (picture.key(), width, height)
        if key == self._plotted_for:
            return
        self._plotted_for = key
        # Braille markers: two points per character cell across.
        curve = engine.curve(picture.network, picture.X, picture.Y, max(2 * width, 40),
                             picture.traced_x)
        self.curve = curve
        self.redraws += 1
        outputs = curve.outputs.shape[1]
        shown = min(outputs, MAX_CURVES)
        plt = plot.plt
        plt.clear_data()
        scale = _plot_scale(curve)
        for k in range(shown):
            colour = CURVE_COLOURS[k]
            finite = np.isfinite(curve.outputs[:, k])
            if finite.any():
                plt.plot(curve.xs[finite].tolist(), (curve.outputs[finite, k] / scale).tolist(),
                         marker="braille", color=colour)
            rows = np.isfinite(curve.rows_y[:, k])
            if rows.any():
                plt.scatter(curve.rows_x[rows].tolist(), (curve.rows_y[rows, k] / scale).tolist(),
                            marker=ROW_HIGH, color=colour)
        if curve.traced_x is not None and curve.traced_output is not None:
            for k in range(shown):
                value = curve.traced_output[k]
                if np.isfinite(value):
                    plt.scatter([curve.traced_x], [value / scale], marker=TRACED,
                                color="white" if k == 0 else CURVE_COLOURS[k])
        plt.xlim(*curve.x_range)
        plt.ylim(curve.y_range[0] / scale, curve.y_range[1] / scale)
        ticks = [curve.y_range[0], sum(curve.y_range) / 2, curve.y_range[1]]
        plt.yticks([tick / scale for tick in ticks], [_fmt(tick) for tick in ticks])
        plt.xlabel(picture.input_names[0] if height >= 8 else "")
        plt.ylabel("")
        plot.refresh()
        self.query_one("#picture-key", Static).update(self.curve_key(picture, curve, shown))

    @staticmethod
    def curve_key(picture: PictureInput, curve: engine.Curve, shown: int) -> Text:
        """The plot's key: each output's colour and name, the rows' dots, the traced row."""
        key = Text()
        for k in range(shown):
            key.append("━━ ", style=Style.from_color(_rich_colour(CURVE_COLOURS[k])))
            key.append(f"{picture.output_names[k]}  ")
        if curve.outputs.shape[1] > shown:
            key.append(f"(first {shown} of {curve.outputs.shape[1]} outputs)  ")
        key.append(f"{ROW_HIGH} the rows' targets  ")
        if curve.traced_x is not None and curve.traced_output is not None:
            which = (f"row {picture.traced_row}" if picture.traced_row is not None
                     else "the traced example")
            outputs = ", ".join(_fmt(value) for value in curve.traced_output[:shown])
            key.append(f"{TRACED} {which}: {picture.input_names[0]} = "
                       f"{_fmt(curve.traced_x)}, ŷ = {outputs}")
        return key


def _plot_scale(curve: engine.Curve) -> float:
    """What to divide the values by before plotext sees them (it overflows past ~1e300 and
    loses tiny values; see LossPane's plot_scale): 1 for ordinary outputs."""
    from nn_tui.ui.panes.loss import plot_scale

    return plot_scale(*curve.y_range)
