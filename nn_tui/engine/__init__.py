"""The NumPy engine: activations, losses, the network, its traces and training. No UI here."""

from nn_tui.engine.activations import ACTIVATIONS, Activation, get_activation
from nn_tui.engine.losses import LOSSES, Loss, get_loss
from nn_tui.engine.network import DenseLayer, Network, init_weights
from nn_tui.engine.trace import AfterUpdate, GradTrace, LayerTrace, LayerUpdate, Trace
from nn_tui.engine.training import Trainer, TrainingCancelled

__all__ = [
    "ACTIVATIONS", "Activation", "get_activation", "LOSSES", "Loss", "get_loss", "DenseLayer",
    "Network", "init_weights", "AfterUpdate", "GradTrace", "LayerTrace", "LayerUpdate", "Trace",
    "Trainer", "TrainingCancelled",
]
