"""The output picture widget on its own, in a tiny app: what it draws, where, and when."""

from __future__ import annotations

import re

import numpy as np
import pytest
from textual.app import App, ComposeResult

from nn_tui.engine import Network
from nn_tui.engine import picture as engine
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.panes.picture import (HALF_BLOCK, LEVELS, OVERFLOW, ROW_HIGH, ROW_LOW, TRACED,
                                     OutputPicture, PictureInput, _palette)
from tests.conftest import LESSONS
from ui_helpers import wait_until


class PictureApp(App):
    def compose(self) -> ComposeResult:
        yield OutputPicture(id="picture")


def session_of(name: str) -> LessonSession:
    return LessonSession(load_lesson(LESSONS / f"{name}.toml"))


def picture_of(session: LessonSession, index: int = 0, network: Network | None = None,
               x: np.ndarray | None = None) -> PictureInput:
    view = session.view(index)
    return PictureInput.of(network or view.network, session.X, session.Y,
                           view.trace.x if x is None else x, view.trace.rows,
                           view.input_names, view.output_names)


async def shown(app, pilot, picture: PictureInput) -> OutputPicture:
    widget = app.query_one(OutputPicture)
    widget.show(picture)
    await pilot.pause()
    await pilot.pause()
    return widget


def cell_text(widget: OutputPicture, line: int, column: int) -> str:
    """The character at map line ``line``, map column ``column`` (after the axis labels)."""
    lines = widget.map.text.splitlines()
    return lines[1 + line][widget.map.label_width + column]


def drawing(widget: OutputPicture) -> list:
    """The map as (text, style) segments: its characters and colours."""
    text = widget.map.text
    lines = len(text.split("\n")) if text else 0
    return [[(segment.text, segment.style) for segment in widget.map.render_line(y)]
            for y in range(lines)]


def cell_style(widget: OutputPicture, line: int, column: int):
    strip = widget.map.render_line(1 + line)
    position = widget.map.label_width + column
    for segment in strip:
        if position < len(segment.text):
            return segment.style
        position -= len(segment.text)
    raise AssertionError("cell outside the line")


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (50, 16)])
async def test_two_inputs_map_places_every_row_in_its_cell(size):
    session = session_of("xor")
    picture = picture_of(session)
    app = PictureApp()
    async with app.run_test(size=size) as pilot:
        widget = await shown(app, pilot, picture)
        plane = widget.map.plane
        columns, pixel_rows = len(plane.xs), len(plane.ys)
        assert columns == size[0] - widget.map.label_width
        assert pixel_rows == 2 * (size[1] - 3)
        x_low, x_high = plane.x_range
        y_low, y_high = plane.y_range
        traced = session.view(0).trace.rows[0]
        for row, (x, y) in enumerate(zip(session.X, session.Y)):
            column = int((x[0] - x_low) / (x_high - x_low) * columns)
            pixel = pixel_rows - 1 - int((x[1] - y_low) / (y_high - y_low) * pixel_rows)
            glyph = cell_text(widget, pixel // 2, column)
            if row == traced:
                assert glyph in (TRACED, "◇")
            else:
                assert glyph == (ROW_HIGH if y[0] >= 0.5 else ROW_LOW)
        text = widget.text
        assert "XOR over input 1 (→), input 2 (↑)" in text
        assert widget.border_title == "Output over input 1 and input 2"
        # The key draws the traced row as the map does: row 4's target 0 is below 0.5.
        assert f"◇ row {traced + 1}" in text
        assert "target ≥ 0.5" in text


async def test_map_colours_are_the_engine_values_at_the_cells():
    session = session_of("fruit")
    picture = picture_of(session)
    app = PictureApp()
    async with app.run_test(size=(70, 20)) as pilot:
        widget = await shown(app, pilot, picture)
        plane = widget.map.plane
        palette = _palette(1, False)
        network = session.view(0).network
        points = {(point.line, point.column) for point in widget.map.points}
        checked = 0
        for line in range(0, len(plane.ys) // 2, 3):
            for column in range(0, len(plane.xs), 7):
                if (line, column) in points:
                    continue
                assert cell_text(widget, line, column) == HALF_BLOCK
                style = cell_style(widget, line, column)
                for pixel, colour in ((2 * line, style.color), (2 * line + 1, style.bgcolor)):
                    value = network.predict(np.array([plane.xs[column], plane.ys[pixel]]))[0]
                    level = int(round(value * (LEVELS - 1)))  # sigmoid: the range is 0..1
                    assert colour.triplet == palette[level]
                    checked += 1
        assert checked > 20


async def test_a_nudge_redraws_and_the_same_numbers_do_not():
    session = session_of("fruit")
    app = PictureApp()
    async with app.run_test(size=(60, 18)) as pilot:
        widget = await shown(app, pilot, picture_of(session))
        before, drawn = widget.redraws, drawing(widget)
        await shown(app, pilot, picture_of(session))  # same numbers: nothing to compute
        assert widget.redraws == before
        network = session.view(0).network.copy()
        network.layers[0].W[0, 0] += 5.0
        await shown(app, pilot, picture_of(session, network=network))
        assert widget.redraws == before + 1
        assert widget.map.plane.values == pytest.approx(
            engine.plane(network, session.X, len(widget.map.plane.xs),
                         len(widget.map.plane.ys), session.view(0).trace.x).values)
        assert drawing(widget) != drawn  # the colours moved
        # An edited input is no longer "row n": the key names the traced example instead.
        await shown(app, pilot, picture_of(session, network=network, x=np.array([0.2, 0.9])))
        assert f"{TRACED} the traced example" in widget.text


async def test_a_resize_recomputes_the_grid_for_the_new_size():
    session = session_of("xor")
    app = PictureApp()
    async with app.run_test(size=(60, 18)) as pilot:
        widget = await shown(app, pilot, picture_of(session))
        assert len(widget.map.plane.xs) == 60 - widget.map.label_width
        await pilot.resize_terminal(90, 30)
        # The resize reaches the widget through a few messages: wait for it, not for a time.
        await wait_until(pilot, lambda: len(widget.map.plane.xs) == 90 - widget.map.label_width,
                         "the grid follows the new width")
        assert len(widget.map.plane.ys) == 2 * (30 - 3)


async def test_softmax_map_shows_classes_with_a_key():
    rng = np.random.default_rng(0)
    network = Network.build([2, 4, 3], ["tanh", "softmax"], "cross_entropy", 0.1,
                            params=[(rng.normal(size=(4, 2)) * 3, rng.normal(size=4)),
                                    (rng.normal(size=(3, 4)) * 3, rng.normal(size=3))])
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    Y = np.eye(3)
    picture = PictureInput.of(network, X, Y, X, (0, 1, 2), ("length", "width"),
                              ("[red]apple", "pear", "plum"))
    app = PictureApp()
    async with app.run_test(size=(60, 18)) as pilot:
        widget = await shown(app, pilot, picture)
        text = widget.text
        assert "predicted class (brighter: surer) over length (→), width (↑)" in text
        # Lesson names are drawn as they are written, never read as markup.
        assert "1=[red]apple" in text and "2=pear" in text and "3=plum" in text
        assert TRACED not in text  # a batch marks no single example
        for point in widget.map.points:
            row = int(point.glyph) - 1
            assert np.argmax(Y[row]) == row


async def test_one_input_plots_each_output_against_it():
    session = session_of("psa-hidden-layer")
    view = session.view(0)
    app = PictureApp()
    async with app.run_test(size=(80, 24)) as pilot:
        widget = await shown(app, pilot, picture_of(session))
        assert widget.plot.display and not widget.map.display
        curve = widget.plot.curve
        assert len(curve.xs) >= 2 * (80 - widget.plot.label_width)  # two per cell at least
        np.testing.assert_allclose(curve.outputs[:, 0],
                                   [view.network.predict(np.array([x]))[0] for x in curve.xs])
        row = view.trace.rows[0]
        key = widget.text
        expected = f"{TRACED} row {row + 1}: PSA = {session.X[row][0]:.3g}, ŷ = {view.trace.output[0]:.3g}"
        assert expected in key
        assert "━━ cancer" in key
        assert widget.border_title == "Output against PSA"
        assert "cancer against PSA" in key  # the title, with the lesson's names
        assert re.search(r"^ +0\.5 +PSA +4\.1$", key, re.M)  # the input's axis and range


async def test_more_than_two_inputs_say_why_there_is_no_picture():
    session = session_of("single-neuron")
    app = PictureApp()
    async with app.run_test(size=(80, 24)) as pilot:
        widget = await shown(app, pilot, picture_of(session))
        assert "No picture: this network has 3 inputs" in widget.text
        assert widget.border_title == "Output picture"
        assert not widget.map.display
        assert not widget.plot.display


async def test_overflowing_cells_are_grey_and_the_key_says_so():
    network = Network.build([2, 1], ["identity"], "mse", 0.1,
                            params=[([[1e308, 1e308]], [0.0])])
    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    picture = PictureInput.of(network, X, np.array([[0.0], [1.0]]), X[0], (0,), ("a", "b"),
                              ("c",))
    app = PictureApp()
    async with app.run_test(size=(40, 12)) as pilot:
        widget = await shown(app, pilot, picture)
        assert "█ overflow" in widget.text
        colours = {cell_style(widget, line, column).color.triplet
                   for line in range(9) for column in range(0, 30, 5)
                   if cell_text(widget, line, column) == HALF_BLOCK}
        assert OVERFLOW in colours


async def test_a_curve_that_overflows_is_drawn_where_it_is_finite():
    network = Network.build([1, 1], ["identity"], "mse", 0.1, params=[([[1e306]], [0.0])])
    X = np.array([[-1000.0], [1000.0]])
    picture = PictureInput.of(network, X, np.array([[0.0], [1.0]]), X[1], (1,), ("dose",),
                              ("effect",))
    app = PictureApp()
    async with app.run_test(size=(100, 16)) as pilot:
        widget = await shown(app, pilot, picture)
        await pilot.pause()
        curve = widget.plot.curve
        assert not np.isfinite(curve.outputs).all() and np.isfinite(curve.outputs).any()
        assert "gaps: overflow" in widget.text
        assert "row 2: dose = 1e+03" in widget.text


async def test_a_batch_trace_marks_no_single_example():
    session = session_of("psa-hidden-layer")
    view = session.view(0)
    picture = PictureInput.of(view.network, session.X, session.Y, session.X,
                              tuple(range(len(session.X))), view.input_names, view.output_names)
    assert picture.traced_x is None and picture.traced_row is None
    app = PictureApp()
    async with app.run_test(size=(60, 16)) as pilot:
        widget = await shown(app, pilot, picture)
        await pilot.pause()
        assert TRACED not in widget.text
        assert "● the rows' targets" in widget.text


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (40, 12)])
async def test_the_curve_passes_through_the_network_outputs_and_marks_the_rows(size):
    session = session_of("psa-hidden-layer")
    view = session.view(0)
    app = PictureApp()
    async with app.run_test(size=size) as pilot:
        widget = await shown(app, pilot, picture_of(session))
        plot = widget.plot
        curve = plot.curve
        lines = plot.text.splitlines()[1:-2]  # between the title and the axis, key
        columns = size[0] - plot.label_width
        y_low, y_high = curve.y_range
        x_low, x_high = curve.x_range

        def cell(x, y):
            column = min(int((x - x_low) / (x_high - x_low) * columns), columns - 1)
            line = len(lines) - 1 - min(int((y - y_low) / (y_high - y_low) * len(lines)),
                                        len(lines) - 1)
            return lines[line][plot.label_width + column]

        row = view.trace.rows[0]
        traced = (session.X[row][0], view.network.predict(session.X[row])[0])
        assert cell(*traced) == TRACED
        for x, y in zip(session.X[:, 0], session.Y[:, 0]):
            assert cell(x, y) in (ROW_HIGH, TRACED)
        # Every sample's dot is set: in the dot column of its input, the dot row of its value.
        dots = 4 * len(lines)
        bits = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))
        checked = 0
        for x in curve.xs:
            value = view.network.predict(np.array([x]))[0]
            row_of_dot = int(np.floor((y_high - value) / (y_high - y_low) * (dots - 1) + 0.5))
            column_of_dot = min(int((x - x_low) / (x_high - x_low) * 2 * columns),
                                2 * columns - 1)
            glyph = lines[row_of_dot // 4][plot.label_width + column_of_dot // 2]
            if glyph in (TRACED, ROW_HIGH):
                continue
            assert 0x2800 <= ord(glyph) <= 0x28FF
            assert (ord(glyph) - 0x2800) & bits[column_of_dot % 2][row_of_dot % 4]
            checked += 1
        assert checked > len(curve.xs) // 2


@pytest.mark.parametrize("lesson", ["psa-hidden-layer", "fruit"])
async def test_one_forward_pass_per_redraw(lesson, monkeypatch):
    session = session_of(lesson)
    app = PictureApp()
    async with app.run_test(size=(80, 24)) as pilot:
        widget = await shown(app, pilot, picture_of(session))
        calls = []
        original = Network.forward
        monkeypatch.setattr(Network, "forward",
                            lambda self, x: calls.append(1) or original(self, x))
        network = session.view(0).network.copy()
        network.layers[0].b = network.layers[0].b + 0.5
        before = widget.redraws
        await shown(app, pilot, picture_of(session, network=network))
        assert widget.redraws == before + 1
        assert len(calls) == 1
