"""The generated walk-through for a lesson file that has a network but no [[steps]].

Introduction, forward pass layer by layer (with one self-check before the output layer), the
loss, the backward pass from the output, the update, the new output and loss, then training.
"""

from __future__ import annotations

from nn_tui.engine.activations import get_activation
from nn_tui.engine.losses import get_loss
from nn_tui.format.names import layer_symbol, output_symbol
from nn_tui.format.numbers import short
from nn_tui.lessons.model import Lesson, Step, StepKind


def lesson_steps(lesson: Lesson) -> tuple[Step, ...]:
    """The steps the tutor plays: the file's [[steps]], else the generated walk-through. What
    progress is matched against (a lesson without steps has these steps, not none)."""
    return lesson.steps or generated_steps(lesson)


def generated_steps(lesson: Lesson) -> tuple[Step, ...]:
    spec = lesson.network
    depth = len(spec.layers)
    shape = " → ".join(str(size) for size in spec.sizes)
    focus = lesson.rows[lesson.focus]
    # short(): a real minus sign and no "-0", as every number on screen.
    x_text = ", ".join(f"{name} = {short(value)}" for name, value in zip(spec.inputs, focus))
    y_text = ", ".join(
        f"{name} = {short(value)}" for name, value in zip(spec.outputs, focus[len(spec.inputs):])
    )
    has_loss = get_loss(spec.loss).has_value
    steps: list[Step] = [
        Step(
            kind=StepKind.TEXT,
            title="Introduction",
            text=(
                f"This network has the shape **{shape}**: {len(spec.inputs)} input(s) "
                f"({', '.join(spec.inputs)}), then {depth} layer(s) of neurons.\n\n"
                + (f"We follow one example through it, the row with {x_text}, whose target is "
                   f"{y_text}. You will see every multiplication of the forward pass, the "
                   f"{spec.loss} loss, each gradient of the backward pass and one "
                   f"gradient-descent step with learning rate η = {spec.learning_rate:g}; then "
                   "the network trains.\n\n" if has_loss else
                   f"We follow one example through it, the row with {x_text}. There is no loss "
                   f"(loss = \"none\"): backpropagation starts from the given gradient "
                   f"∂L/∂ŷ: {y_text}. You will see every multiplication of the forward pass, "
                   "each gradient of the backward pass and one gradient-descent step with "
                   f"learning rate η = {spec.learning_rate:g}.\n\n")
                +
                "Press → (or n) to move on and ← (or p) to go back."
            ),
        )
    ]
    for index, layer in enumerate(spec.layers):
        name = layer_symbol("z", index, depth)
        activation = get_activation(layer.activation).words
        if index == depth - 1 and spec.layers[-1].units >= 1:
            previous = "x" if index == 0 else layer_symbol("a", index - 1, depth)
            steps.append(
                Step(
                    kind=StepKind.CHECK,
                    title="Your turn: the output layer's sum",
                    prompt=(
                        f"Before it is revealed: what is {name} for the first output neuron? "
                        f"Multiply each of its weights by {previous}, add them up"
                    + (", add its bias." if layer.use_bias else " (this layer has no bias).")
                    ),
                    answer=f"layers[{index}].z[0]",
                    hints=(
                        "The sum of a neuron is its weighted inputs plus its bias."
                        if layer.use_bias else "The sum of a neuron is its weighted inputs.",
                        f"{name} = W·{previous}{' + b' if layer.use_bias else ''}, using row 1 "
                        "of the weight matrix.",
                        "Take the weights and bias from the Weights pane and the inputs from the "
                        "last line of the Forward pass pane.",
                    ),
                    explanation=(
                        f"Each weight multiplies the matching value of {previous}; the products "
                        "are summed" + (" and the bias is added." if layer.use_bias else ".")
                    ),
                )
            )
        steps.append(
            Step(
                kind=StepKind.FORWARD,
                layer=index,
                title=f"Forward: layer {index + 1}",
                text=(
                    f"Layer {index + 1} has {layer.units} neuron(s). Each one takes the weighted "
                    f"sum of what arrives, "
                    + ("adds its bias" if layer.use_bias else "with no bias")
                    + f" to get {name}, then {activation}."
                ),
            )
        )
    if has_loss:
        steps.append(
            Step(
                kind=StepKind.LOSS,
                title="How wrong is it?",
                text=(
                    f"The loss compares the output {output_symbol(spec.layers[-1].units)} with "
                    f"the target. This lesson uses **{spec.loss}**; lower is better, 0 is "
                    "perfect."
                ),
            )
        )
    for index in range(depth - 1, -1, -1):
        steps.append(
            Step(
                kind=StepKind.BACKWARD,
                layer=index,
                title=f"Backward: layer {index + 1}",
                text=(
                    "The chain rule multiplies the slopes along the path from the loss back to "
                    f"each weight of layer {index + 1}. Each factor is listed in the Gradients "
                    "pane with its value."
                    + (
                        ""
                        if index == depth - 1
                        else " The blame arriving here is the next layer's error sent back "
                        "through its weights."
                    )
                ),
            )
        )
    steps.append(
        Step(
            kind=StepKind.UPDATE,
            title="One step downhill",
            text=(
                f"Every weight moves against its gradient: w ← w − η·∂L/∂w with η = "
                f"{spec.learning_rate:g}. The Weights pane shows old → new"
                + ("; frozen parameters keep their values (their gradients are shown, not "
                   "applied)." if any(layer.freeze for layer in spec.layers) else ".")
            ),
        )
    )
    steps.append(
        Step(
            kind=StepKind.TEXT,
            title="After the update",
            text=(
                "The forward pass now runs through the new weights. Compare the output and the "
                "loss with what they were before the step: one small step, one small improvement."
                if has_loss else
                "The forward pass now runs through the new weights. Compare the output with what "
                "it was before the step: each weight moved against its share of the given "
                "gradient ∂L/∂ŷ."
            ),
        )
    )
    if not has_loss:
        # loss = "none": nothing to minimise, so no training (the loader refuses train steps).
        return tuple(steps)
    steps.append(
        Step(
            kind=StepKind.TRAIN,
            title="Training",
            text=(
                f"Now the same step is repeated over all {len(lesson.rows)} rows, epoch after "
                f"epoch ({lesson.training.epochs} epochs). Press space to start or pause, `.` to "
                "run a single epoch, and watch the loss fall."
            ),
        )
    )
    return tuple(steps)
