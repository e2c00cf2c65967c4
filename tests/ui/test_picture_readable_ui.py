"""The output picture as drawn: the slopes lesson's one-row picture reads −3 … 5 on its input
axis at both terminal sizes, before and after the nudge its explore step asks for; the map's
key draws the traced row with the glyph the map uses for it."""

from __future__ import annotations

import re

import numpy as np
import pytest
from textual.app import App, ComposeResult

from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.panes.picture import TRACED, TRACED_LOW, OutputPicture, PictureInput
from tests.conftest import LESSONS


class PictureApp(App):
    def compose(self) -> ComposeResult:
        yield OutputPicture(id="picture")


def explore_picture(name: str, step: int, nudge: float = 0.0) -> PictureInput:
    """The picture explore mode draws at ``step`` (1-based) with the traced x nudged."""
    session = LessonSession(load_lesson(LESSONS / f"{name}.toml"))
    network, x, _y, rows = session.explore_data(step - 1)
    view = session.view(step - 1)
    X = np.array(session.X, dtype=float)
    x = x + nudge
    if rows:
        X[rows[0]] = x
    return PictureInput.of(network, X, session.Y, x, rows, view.input_names, view.output_names)


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
@pytest.mark.parametrize("nudge", [0.0, 0.1])
async def test_slopes_picture_axis_is_round_and_wide(size, nudge):
    app = PictureApp()
    async with app.run_test(size=size) as pilot:
        widget = app.query_one(OutputPicture)
        widget.show(explore_picture("slopes", 6, nudge))  # "Try it: nudge the sigmoid's input"
        await pilot.pause()
        await pilot.pause()
        text = widget.text
        assert re.search(r"^ +−3 +x +5$", text, re.M), text
        assert "0.99" not in text and "1.11" not in text


async def test_map_key_uses_the_traced_rows_glyph():
    app = PictureApp()
    async with app.run_test(size=(80, 24)) as pilot:
        widget = app.query_one(OutputPicture)
        widget.show(explore_picture("xor", 1))  # row 4: (1, 1), target 0
        await pilot.pause()
        await pilot.pause()
        traced = [point for point in widget.map.points if point.traced]
        assert [point.glyph for point in traced] == [TRACED_LOW]
        key = widget.text.splitlines()[-1]
        assert f"{TRACED_LOW} row 4" in key and f"{TRACED} row" not in key
