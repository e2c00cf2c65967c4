"""Engine helpers for tests: a whole training run in one call (the tutor and the CLI drive
``Trainer`` themselves, chunk by chunk, so the engine has no such function), and the gradients
by central differences that the analytic ones are checked against."""

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


def numeric_gradients(network: Network, X: np.ndarray, Y: np.ndarray,
                      eps: float = 1e-6) -> list[tuple[np.ndarray, np.ndarray]]:
    """∂L/∂W and ∂L/∂b of ``network.total_loss(X, Y)`` for every layer, by central differences
    (L(θ + ε) − L(θ − ε)) / 2ε, entry by entry; each the shape of its parameter (W: (units,
    fan_in), b: (units,), (1,) for a shared bias, (0,) without one). The parameters are changed
    in place and put back."""
    grads = []
    for layer in network.layers:
        numeric = []
        for param in (layer.W, layer.b):
            g = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                saved = param[index]
                param[index] = saved + eps
                up = network.total_loss(X, Y)
                param[index] = saved - eps
                down = network.total_loss(X, Y)
                param[index] = saved
                g[index] = (up - down) / (2 * eps)
            numeric.append(g)
        grads.append((numeric[0], numeric[1]))
    return grads
