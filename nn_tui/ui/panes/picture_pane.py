"""The output picture's pane in explore mode: the ``OutputPicture`` widget (``picture.py``) in a
titled box, redrawn from the edited network on every edit and live while it trains."""

from __future__ import annotations

import numpy as np
from textual.app import ComposeResult
from textual.containers import Vertical

from nn_tui.engine import Network
from nn_tui.ui.panes.picture import OutputPicture, PictureInput


class PicturePane(Vertical):
    """A bordered pane holding the output picture; its title says what is plotted against
    what ("Output against PSA")."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=f"pane {classes or ''}".strip())
        self.border_title = "Output picture"

    def compose(self) -> ComposeResult:
        yield OutputPicture(id="output-picture")

    @property
    def picture(self) -> OutputPicture:
        return self.query_one(OutputPicture)

    @property
    def text(self) -> str:
        return self.picture.text

    def show_network(self, network: Network, X: np.ndarray, Y: np.ndarray, x: np.ndarray,
                     rows: tuple, input_names=(), output_names=()) -> None:
        """Draw what ``network`` answers over the data ``X`` ``(rows, inputs)``, ``Y``, with the
        traced example ``x`` marked (``rows``: the data rows it is)."""
        picture = PictureInput.of(network, X, Y, x, rows, input_names, output_names)
        self.border_title = OutputPicture.title_for(picture)
        self.picture.show(picture)
