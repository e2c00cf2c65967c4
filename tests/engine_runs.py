"""A whole training run in one call, for tests (the tutor and the CLI drive ``Trainer``
themselves, chunk by chunk, so the engine has no such function)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nn_tui.engine import Network, Trainer


@dataclass
class Run:
    network: Network
    history: list[float]
    epochs_run: int
    diverged: str | None
    stalled: str | None


def train(network: Network, X: np.ndarray, Y: np.ndarray, epochs: int,
          batch_size: int | None = None, seed: int = 0, learning_rate: float | None = None,
          shuffle: bool = True) -> Run:
    """Train a copy of ``network`` for ``epochs`` epochs (or until it diverges)."""
    trainer = Trainer(network.copy(), X, Y, batch_size, seed, learning_rate, shuffle=shuffle)
    trainer.run(epochs)
    return Run(trainer.network, trainer.history, trainer.epoch, trainer.diverged,
               trainer.stalled())
