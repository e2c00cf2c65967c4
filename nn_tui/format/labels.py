"""Short English labels of where a learner is in a lesson (the header, the CLI, the export)."""

from __future__ import annotations


def position_label(index: int, total: int) -> str:
    """Where step ``index`` (0-based) is in a lesson of ``total`` steps: "step 3 of 20"."""
    return f"step {index + 1} of {total}"


def state_label(variant_label: str | None, updates_applied: int, epochs_trained: int) -> str:
    """Which weights are in force, in words: "initial weights", "after 2 updates",
    "deeper net, trained 40 epochs". ``variant_label`` is None for the lesson's main network."""
    parts = []
    if variant_label is not None:
        parts.append(variant_label)
    plural = "s" if updates_applied > 1 else ""
    updates = f"{updates_applied} update{plural}"
    if epochs_trained and updates_applied:
        parts.append(f"after {updates} and {epochs_trained} training epochs")
    elif epochs_trained:
        parts.append(f"trained {epochs_trained} epochs")
    elif updates_applied:
        parts.append(f"after {updates}")
    return ", ".join(parts) if parts else "initial weights"
