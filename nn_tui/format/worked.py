"""Worked arithmetic: each trace number written as symbol = formula = numbers plugged in = value.

Every line carries the trace path of its value (``layers[0].z[1]``), so a pane can show where a
number comes from and a lesson author can point a self-check at it. Lines only format numbers
that are already in the trace; nothing is recomputed here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nn_tui.engine.activations import Activation, get_activation
from nn_tui.engine.losses import LOSSES, Loss, symbolic
from nn_tui.engine.trace import LayerTrace, Trace
from nn_tui.format.names import element, layer_symbol, subscript
from nn_tui.format.numbers import num, parenthesised, short, signed_term, vector

# Beyond this many terms a weighted sum is shortened to its first and last terms.
MAX_TERMS = 4


@dataclass(frozen=True)
class WorkedLine:
    symbol: str  # "z₁[1]"
    formula: str  # "W₁[1,:]·x + b₁[1]"
    plugged: str  # "0.5000·1 + 0.2000·1 + 0.1000"
    value: str  # "0.8000"
    path: str  # "layers[0].z[0]"
    layer: int | None = None
    meaning: str = ""

    def text(self) -> str:
        return equation_text(self.symbol, self.formula, self.plugged, self.value)


def working(formula: str, plugged: str, value: str) -> str:
    """The working of a line of arithmetic, "formula = numbers" (a part that already is the
    value is left out: it would say the same number twice)."""
    return " = ".join(part for part in (formula, plugged) if part and part != value)


def equation_text(symbol: str, formula: str, plugged: str, value: str) -> str:
    """The whole line as plain text: "symbol = formula = numbers = value"."""
    return " = ".join(part for part in (symbol, working(formula, plugged, value), value) if part)


def _input_symbol(index: int, size: int) -> str:
    return "x" if size == 1 else f"x{subscript(index + 1)}"


def _value_symbol(trace: Trace, layer: int, unit: int) -> str:
    """The symbol of the value entering a layer: x₁ for the input, a₁[2] for hidden outputs."""
    if layer == 0:
        return _input_symbol(unit, trace.layers[0].W.shape[1])
    depth = len(trace.layers)
    # Sizes from the weights: in batch mode a and z hold one row per sample.
    return element(layer_symbol("a", layer - 1, depth), unit,
                   size=trace.layers[layer - 1].W.shape[0])


def _input_value(trace: Trace, layer: int, value: float) -> str:
    """A factor after "·": negatives in parentheses so "2.0000·(−2)" never reads as "2.0000·−2"."""
    return parenthesised(short(value) if layer == 0 else num(value))


def _terms(products: list[str]) -> str:
    if len(products) > MAX_TERMS:
        products = products[:2] + ["…"] + products[-1:]
    return " + ".join(products)


def weight_symbol(trace: Trace, layer: int, row: int, col: int) -> str:
    W = trace.layers[layer].W
    depth = len(trace.layers)
    if W.size == 1:
        return f"w{subscript(layer + 1)}"
    return element(layer_symbol("W", layer, depth), row, col)


def bias_symbol(trace: Trace, layer: int, row: int) -> str:
    """b₁[2]; a layer's one shared bias (or a one-unit layer's) is plain b₁."""
    depth = len(trace.layers)
    return element(layer_symbol("b", layer, depth), row, size=len(trace.layers[layer].b))


def bias_positions(trace: Trace, layer: int) -> range:
    """The indices of a layer's bias values: one per unit, one if shared, none without."""
    return range(len(trace.layers[layer].b))


NOT_APPLIED = "not applied: frozen"


def unit_bias(trace: Trace, layer: int, unit: int) -> tuple[str, float] | None:
    """(symbol, value) of the bias in unit ``unit``'s sum: its own b₁[2], the layer's shared
    b₁, or None for a layer without a bias."""
    record = trace.layers[layer]
    if not record.use_bias:
        return None
    position = 0 if record.shared_bias else unit
    return bias_symbol(trace, layer, position), float(record.b[position])


def z_symbol(trace: Trace, layer: int, unit: int) -> str:
    depth = len(trace.layers)
    return element(layer_symbol("z", layer, depth), unit, size=trace.layers[layer].W.shape[0])


def a_symbol(trace: Trace, layer: int, unit: int) -> str:
    depth = len(trace.layers)
    return element(layer_symbol("a", layer, depth), unit, size=trace.layers[layer].W.shape[0])


# -- forward -----------------------------------------------------------------------------------


def forward_lines(trace: Trace, layer: int) -> list[WorkedLine]:
    """z = W·a_prev + b, neuron by neuron, then the activation, element by element (sample mode)."""
    record = trace.layers[layer]
    lines: list[WorkedLine] = []
    for unit in range(len(record.z)):
        symbols = [
            f"{weight_symbol(trace, layer, unit, k)}·{_value_symbol(trace, layer, k)}"
            for k in range(record.W.shape[1])
        ]
        products = [
            f"{signed_term(record.W[unit, k])}·{_input_value(trace, layer, record.a_prev[k])}"
            for k in range(record.W.shape[1])
        ]
        formula, plugged = _terms(symbols), _terms(products)
        if record.use_bias:
            # A shared bias is the one b (b[0]) in every unit's sum.
            position = 0 if record.shared_bias else unit
            formula += f" + {bias_symbol(trace, layer, position)}"
            plugged += f" + {signed_term(record.b[position])}"
        lines.append(
            WorkedLine(
                symbol=z_symbol(trace, layer, unit),
                formula=formula,
                plugged=plugged,
                value=num(record.z[unit]),
                path=f"layers[{layer}].z[{unit}]",
                layer=layer,
            )
        )
    lines.extend(activation_lines(trace, layer))
    return lines


def layer_activation(record: LayerTrace) -> Activation:
    """The activation of a traced layer, with its text (leaky ReLU with the layer's slope)."""
    return get_activation(record.activation, record.negative_slope)


def _negative_slope(activation: Activation) -> str:
    return short(activation.negative_slope) if activation.negative_slope is not None else ""


def _symbols(activation: Activation, z_name: str, a_name: str) -> dict[str, str]:
    """The fields of an activation's templates (see :class:`Activation`) as one unit's symbols."""
    return {"z": z_name, "-z": f"−{z_name}", "(z)": z_name, "a": a_name, "(a)": a_name,
            "(1-a)": f"(1 − {a_name})", "slope": _negative_slope(activation)}


def _numbers(activation: Activation, z: float, a: float) -> dict[str, str]:
    """The same fields as one unit's numbers."""
    # Where a shows as 1.0000 (or 0.0000) but is not, 1 − a is written as its own number
    # ("1.0000·2.061e−09"): "1.0000·(1 − 1.0000)" would read as 0.
    rounded = num(a).lstrip("−") in (num(0.0), num(1.0))
    return {"z": num(z), "-z": num(-z), "(z)": signed_term(z), "a": num(a),
            "(a)": signed_term(a),
            "(1-a)": parenthesised(num(1.0 - a)) if rounded else f"(1 − {num(a)})",
            "slope": _negative_slope(activation)}


def _numbers_part(template: str) -> str:
    """The part of a worked formula that takes the numbers: "σ(z) = 1 / (1 + e^−z)" is worked
    as "1 / (1 + e^−1.0000)", its last part."""
    return template.rsplit(" = ", 1)[-1]


def _plugged(formula: str, numbers: str) -> str:
    """Numbers that say no more than the formula (a constant, a given) are not repeated."""
    return "" if numbers == formula else numbers


def activation_lines(trace: Trace, layer: int) -> list[WorkedLine]:
    record = trace.layers[layer]
    activation = layer_activation(record)
    lines = []
    for unit in range(len(record.a)):
        z_name = z_symbol(trace, layer, unit)
        z_value = record.z[unit]
        formula = activation.value_text.format_map(_symbols(activation, z_name, ""))
        numbers = _numbers(activation, z_value, record.a[unit])
        if not activation.elementwise:  # softmax: every unit's z enters each output
            exps = " + ".join(f"e^{num(v)}" for v in record.z) if len(record.z) <= MAX_TERMS \
                else "Σⱼ e^zⱼ"
            plugged = f"e^{num(z_value)} / ({exps})"
        elif activation.value_branches is not None:  # piecewise: the branch taken
            plugged = activation.value_branches[0 if z_value > 0 else 1].format_map(numbers)
        else:
            plugged = _numbers_part(activation.value_text).format_map(numbers)
        lines.append(
            WorkedLine(
                symbol=a_symbol(trace, layer, unit),
                formula=formula,
                plugged=plugged,
                value=num(record.a[unit]),
                path=f"layers[{layer}].a[{unit}]",
                layer=layer,
            )
        )
    return lines


def batch_forward_rows(trace: Trace, layer: int) -> list[tuple[int, str, str]]:
    """Batch mode: (data row, z values, a values) for every row of the batch."""
    record = trace.layers[layer]
    rows = trace.rows or tuple(range(len(record.z)))
    return [(row, _cell(record.z[i]), _cell(record.a[i])) for i, row in enumerate(rows)]


def _cell(values: np.ndarray) -> str:
    """Values of a layer: one unit's as a number, several as a vector."""
    return num(values[0]) if len(values) == 1 else vector(values)


# -- loss --------------------------------------------------------------------------------------


def _log_of_rounded(loss: Loss, y: np.ndarray, y_hat: np.ndarray) -> bool:
    """Whether a log-based loss would need ln 0 with the rounded outputs: ŷ has rounded to
    exactly 0 or 1 where its target needs ln ŷ or ln(1 − ŷ). The engine takes those logs from
    the logits, so the numbers "ln 0.0000" would contradict the value: leave them out."""
    return loss.log_of_rounded is not None and loss.log_of_rounded(y, y_hat)


def _output_numbers(target: float, output: float, outputs: int) -> dict[str, str]:
    """The fields of a loss template (see ``losses.SYMBOLS``) for one output's numbers."""
    return {"y": short(target), "(y)": parenthesised(short(target)), "ŷ": num(output),
            "(ŷ)": signed_term(output), "K": str(outputs), "(1-y)": short(1 - target),
            "(1-ŷ)": num(1 - output)}


NO_LOSS_TEXT = ('no loss value: loss = "none", backpropagation starts from the given '
                'gradient ∂L/∂ŷ = dL_dy')


def _sample_loss_plugged(loss: Loss, y: np.ndarray, y_hat: np.ndarray) -> tuple[str, str]:
    if _log_of_rounded(loss, y, y_hat):
        return loss.expression + ", from the logits z (ŷ has rounded to 0 or 1)", ""
    terms = " + ".join(loss.term_text.format_map(_output_numbers(t, p, len(y)))
                       for t, p in zip(y, y_hat))
    total = loss.sum_text_one if len(y) == 1 and loss.sum_text_one is not None else loss.sum_text
    return loss.expression, total.format(terms=terms, K=len(y))


def loss_lines(trace: Trace) -> list[WorkedLine]:
    """The loss, worked (sample mode), or as the mean/sum of the rows' losses (batch mode).
    With loss = "none" one line saying there is no loss value (its value "none", never 0)."""
    if not trace.has_loss:
        return [WorkedLine("L", "", "", "none", "loss", meaning=NO_LOSS_TEXT)]
    if trace.mode == "sample":
        formula, plugged = _sample_loss_plugged(LOSSES[trace.loss_name], trace.y, trace.output)
        return [WorkedLine("L", formula, plugged, num(trace.loss), "loss", meaning=trace.loss_name)]
    losses = trace.per_sample_loss
    shown = [num(v) for v in losses]
    if len(shown) > 6:
        shown = shown[:3] + ["…"] + shown[-2:]
    if trace.reduction == "sum":
        formula, plugged = "Σ over rows of Lᵢ", " + ".join(shown)
    else:
        formula, plugged = "(1/n)·Σ Lᵢ", f"(1/{len(losses)})·({' + '.join(shown)})"
    return [WorkedLine("L", formula, plugged, num(trace.loss), "loss", meaning=trace.loss_name)]


# -- backward ----------------------------------------------------------------------------------

def _slope_formula(record: LayerTrace, unit: int, a_name: str,
                   z_name: str) -> tuple[str, str]:
    """(formula, numbers) of the activation's slope at one unit."""
    activation = layer_activation(record)
    formula = activation.slope_text.format_map(_symbols(activation, z_name, a_name))
    numbers = _numbers_part(activation.slope_text).format_map(
        _numbers(activation, record.z[unit], record.a[unit]))
    return formula, _plugged(formula, numbers)


def _slope_value(activation: Activation, slope: float) -> str:
    """The slope as shown. Where every slope is exactly 0 or 1 (identity, ReLU) it is written
    "1" or "0", as ∂z/∂b is, not "1.0000"."""
    if activation.exact_slopes and slope in (0.0, 1.0):
        return "1" if slope == 1.0 else "0"
    return num(slope)


def _loss_numbers(template: str, target: float, output: float, outputs: int) -> str:
    """A loss template (∂L/∂ŷ, a fused delta) with one output's numbers."""
    numbers = template.format_map(_output_numbers(target, output, outputs))
    return _plugged(symbolic(template), numbers)


@dataclass(frozen=True)
class GradRow:
    """One row of the chain-rule table: a factor or a parameter gradient."""

    symbol: str  # "∂L/∂w₂"
    meaning: str  # "how the loss changes with w₂"
    formula: str  # "∂L/∂ŷ · ∂ŷ/∂z₂ · ∂z₂/∂w₂"
    plugged: str  # "0.3250 · 0.2194 · 0.7311"
    value: str  # "0.0521"
    path: str  # "grads[1].W[0][0]"
    layer: int
    is_parameter: bool = False
    # False for the gradient of a frozen parameter: computed and shown, not applied.
    applied: bool = True

    def text(self) -> str:
        line = equation_text(self.symbol, self.formula, self.plugged, self.value)
        return line if self.applied else f"{line}  ({NOT_APPLIED})"


def _d(top: str, bottom: str) -> str:
    return f"∂{top}/∂{bottom}"


def backward_rows(trace: Trace, layer: int) -> list[GradRow]:
    """Chain-rule factors and parameter gradients of one layer, sample mode."""
    if trace.mode != "sample":
        return batch_backward_rows(trace, layer)
    depth = len(trace.layers)
    record = trace.layers[layer]
    grad = trace.grads[layer]
    last = layer == depth - 1
    activation = layer_activation(record)
    loss = LOSSES[trace.loss_name]
    fused = loss.fused_delta(activation.name) if last else None
    rows: list[GradRow] = []
    units = len(record.z)
    for unit in range(units):
        a_name = a_symbol(trace, layer, unit)
        z_name = z_symbol(trace, layer, unit)
        if last:
            formula = symbolic(loss.derivative)
            target, output = trace.y[unit], trace.output[unit]
            plugged = ("" if _log_of_rounded(loss, np.array([target]), np.array([output]))
                       else _loss_numbers(loss.derivative, target, output, len(trace.y)))
            meaning = "how the loss changes with the output"
        else:
            following = trace.layers[layer + 1]
            next_grad = trace.grads[layer + 1]
            names = [
                f"{weight_symbol(trace, layer + 1, j, unit)}·{_d('L', z_symbol(trace, layer + 1, j))}"
                for j in range(len(following.z))
            ]
            plugs = [
                f"{signed_term(following.W[j, unit])}·{signed_term(next_grad.dL_dz[j])}"
                for j in range(len(following.z))
            ]
            formula, plugged = _terms(names), _terms(plugs)
            meaning = "blame passed back through the next layer's weights"
        rows.append(GradRow(_d("L", a_name), meaning, formula, plugged, num(grad.dL_da[unit]),
                            f"grads[{layer}].dL_da[{unit}]", layer))
        if not activation.elementwise:
            continue
        slope_formula, slope_plugged = _slope_formula(record, unit, a_name, z_name)
        a_value = record.a[unit]
        # Where σ or tanh has rounded to its limit, "1.0000·(1 − 1.0000)" would read as 0; the
        # engine takes the slope from z (e^−|z|/(1 + e^−|z|)²), so the value stands alone.
        pinned = activation.bounds is not None and not (
            activation.bounds[0] < a_value < activation.bounds[1])
        constant = "{" not in activation.slope_text
        rows.append(
            GradRow(
                _d(a_name, z_name),
                f"slope of {activation.name}: always {activation.slope_text}" if constant
                else f"slope of {activation.name} at {z_name}",
                slope_formula + (", from z" if pinned else ""),
                "" if pinned else slope_plugged,
                _slope_value(activation, grad.da_dz[unit]),
                f"grads[{layer}].da_dz[{unit}]",
                layer,
            )
        )
        if _factors_agree(grad, unit):
            formula, plugged = (f"{_d('L', a_name)} · {_d(a_name, z_name)}",
                                f"{num(grad.dL_da[unit])} · "
                                f"{_slope_value(activation, grad.da_dz[unit])}")
        elif fused is not None and fused.formula:
            # ŷ is so close to 0 or 1 that ∂L/∂ŷ overflows while ∂ŷ/∂z underflows; their
            # product is the fused delta (for σ + bce (1/K)·(ŷ − y)), which the engine
            # computes directly.
            formula = f"{symbolic(fused.formula)}, the two factors combined"
            plugged = _loss_numbers(fused.formula, trace.y[unit], trace.output[unit],
                                    len(trace.y))
        else:  # not met: only a fused delta can differ from its factors' product
            formula, plugged = "", ""
        rows.append(
            GradRow(
                _d("L", z_name),
                f"the error signal (delta) of {z_name}",
                formula,
                plugged,
                num(grad.dL_dz[unit]),
                f"grads[{layer}].dL_dz[{unit}]",
                layer,
            )
        )
    if not activation.elementwise:
        # The Jacobian's chain, or the fused delta where the loss has a closed form for it.
        closed = fused is not None and bool(fused.formula)
        for unit in range(units):
            z_name = z_symbol(trace, layer, unit)
            rows.append(
                GradRow(
                    _d("L", z_name),
                    f"{activation.name} + {loss.title}: {fused.words}" if closed and fused
                    else f"through the {activation.name} Jacobian",
                    symbolic(fused.formula) if closed and fused else "Σᵢ ∂L/∂ŷᵢ · ∂ŷᵢ/∂zⱼ",
                    _loss_numbers(fused.formula, trace.y[unit], trace.output[unit],
                                  len(trace.y)) if closed and fused else "",
                    num(grad.dL_dz[unit]),
                    f"grads[{layer}].dL_dz[{unit}]",
                    layer,
                )
            )
    rows.extend(parameter_rows(trace, layer))
    return rows


def _factors_agree(grad, unit: int) -> bool:
    """Whether ∂L/∂a · ∂a/∂z, as stored, gives the ∂L/∂z the engine used (sample mode).

    Not where an output has rounded to 0 or 1 under a loss computed from the logits: then
    ∂L/∂ŷ can overflow to ∞ while ∂ŷ/∂z underflows to 0, and "∞ · 0 = 1.0000" would contradict
    itself; the delta is then written as the one number it is."""
    product = float(grad.dL_da[unit]) * float(grad.da_dz[unit])
    delta = float(grad.dL_dz[unit])
    if not (math.isfinite(product) and math.isfinite(delta)):
        return not math.isfinite(delta)  # an overflowing delta: show how it came about
    return math.isclose(product, delta, rel_tol=1e-6, abs_tol=1e-300)


def parameter_rows(trace: Trace, layer: int) -> list[GradRow]:
    record = trace.layers[layer]
    grad = trace.grads[layer]
    activation = layer_activation(record)
    elementwise = activation.elementwise
    rows = []
    for unit in range(len(record.z)):
        z_name = z_symbol(trace, layer, unit)
        a_name = a_symbol(trace, layer, unit)
        if elementwise and _factors_agree(grad, unit):
            chain = f"{_d('L', a_name)} · {_d(a_name, z_name)}"
            chain_values = (f"{num(grad.dL_da[unit])} · "
                            f"{_slope_value(activation, grad.da_dz[unit])}")
        else:
            chain, chain_values = _d("L", z_name), num(grad.dL_dz[unit])
        for k in range(record.W.shape[1]):
            w_name = weight_symbol(trace, layer, unit, k)
            rows.append(
                GradRow(
                    _d("L", w_name),
                    f"how the loss changes with {w_name}",
                    f"{chain} · {_d(z_name, w_name)}",
                    f"{chain_values} · {_input_value(trace, layer, record.a_prev[k])}",
                    num(grad.W[unit, k]),
                    f"grads[{layer}].W[{unit}][{k}]",
                    layer,
                    True,
                    not record.frozen("weights"),
                )
            )
        if record.use_bias and not record.shared_bias:
            b_name = bias_symbol(trace, layer, unit)
            rows.append(
                GradRow(
                    _d("L", b_name),
                    f"how the loss changes with {b_name}",
                    f"{chain} · {_d(z_name, b_name)}",
                    f"{chain_values} · 1",
                    num(grad.b[unit]),
                    f"grads[{layer}].b[{unit}]",
                    layer,
                    True,
                    not record.frozen("bias"),
                )
            )
    if record.shared_bias:
        rows.append(_shared_bias_row(trace, layer, "Σⱼ ∂L/∂{z}[j]",
                                     " + ".join(signed_term(v) for v in grad.dL_dz)
                                     if len(grad.dL_dz) <= MAX_TERMS else ""))
    return rows


def _shared_bias_row(trace: Trace, layer: int, formula: str, plugged: str) -> GradRow:
    """∂L/∂b of a layer's one shared bias: it enters every unit's z, so its gradient is the
    sum of the units' ∂L/∂z (each ∂z[j]/∂b = 1)."""
    record = trace.layers[layer]
    b_name = bias_symbol(trace, layer, 0)
    z_name = layer_symbol("z", layer, len(trace.layers))
    return GradRow(
        _d("L", b_name),
        f"how the loss changes with the shared bias {b_name}: the sum over the units",
        formula.format(z=z_name),
        plugged,
        num(trace.grads[layer].b[0]),
        f"grads[{layer}].b[0]",
        layer,
        True,
        not record.frozen("bias"),
    )


def batch_backward_rows(trace: Trace, layer: int) -> list[GradRow]:
    """Batch mode: the parameter gradients, each the mean (or sum) over the rows."""
    record = trace.layers[layer]
    grad = trace.grads[layer]
    n = len(trace.rows) if trace.rows else len(trace.x)
    over = "Σ over rows" if trace.reduction == "sum" else f"(1/{n})·Σ over rows"
    rows = []
    for unit in range(record.W.shape[0]):  # record.z holds one row per sample here
        z_name = z_symbol(trace, layer, unit)
        for k in range(record.W.shape[1]):
            w_name = weight_symbol(trace, layer, unit, k)
            rows.append(
                GradRow(_d("L", w_name), f"how the loss changes with {w_name}",
                        f"{over} of {_d('Lᵢ', z_name)}·{_value_symbol(trace, layer, k)}", "",
                        num(grad.W[unit, k]), f"grads[{layer}].W[{unit}][{k}]", layer, True,
                        not record.frozen("weights"))
            )
        if record.use_bias and not record.shared_bias:
            b_name = bias_symbol(trace, layer, unit)
            rows.append(
                GradRow(_d("L", b_name), f"how the loss changes with {b_name}",
                        f"{over} of {_d('Lᵢ', z_name)}", "", num(grad.b[unit]),
                        f"grads[{layer}].b[{unit}]", layer, True, not record.frozen("bias"))
            )
    if record.shared_bias:
        rows.append(_shared_bias_row(trace, layer, f"{over} of Σⱼ ∂Lᵢ/∂{{z}}[j]", ""))
    return rows


# -- update ------------------------------------------------------------------------------------


def update_lines(trace: Trace, layer: int) -> list[WorkedLine]:
    """w ← w − η·∂L/∂w for every weight and bias of one layer."""
    record = trace.layers[layer]
    grad = trace.grads[layer]
    new = trace.after.layers[layer]
    eta = short(trace.learning_rate)
    lines = []

    def line(name: str, old: float, gradient: float, value: float, path: str,
             frozen: bool) -> WorkedLine:
        if frozen:
            # Frozen: the value stays; the gradient was computed (Gradients pane) but is not
            # applied.
            return WorkedLine(f"{name} new", f"{name} (frozen: ∂L/∂{name} = "
                                             f"{num(gradient)} not applied)",
                              "", num(value), path, layer, meaning=NOT_APPLIED)
        return WorkedLine(f"{name} new", f"{name} − η·∂L/∂{name}",
                          f"{num(old)} − {eta}·{signed_term(gradient)}", num(value), path, layer)

    for unit in range(record.W.shape[0]):
        for k in range(record.W.shape[1]):
            lines.append(line(weight_symbol(trace, layer, unit, k), record.W[unit, k],
                              grad.W[unit, k], new.W[unit, k],
                              f"after.layers[{layer}].W[{unit}][{k}]", record.frozen("weights")))
        if record.use_bias and not record.shared_bias:
            lines.append(line(bias_symbol(trace, layer, unit), record.b[unit], grad.b[unit],
                              new.b[unit], f"after.layers[{layer}].b[{unit}]",
                              record.frozen("bias")))
    if record.shared_bias:
        lines.append(line(bias_symbol(trace, layer, 0), record.b[0], grad.b[0], new.b[0],
                          f"after.layers[{layer}].b[0]", record.frozen("bias")))
    return lines


def after_lines(trace: Trace) -> list[WorkedLine]:
    """The output and loss through the updated weights, next to the old ones."""
    if trace.mode == "sample":
        output, before = _cell(trace.after.output), _cell(trace.output)
        first = WorkedLine("ŷ new", "", f"was {before}", output, "after.output")
    else:
        first = WorkedLine("ŷ new", "", "one per row", "see the rows", "after.output")
    if not trace.has_loss:
        return [first, WorkedLine("L new", "", "", "none", "after.loss", meaning=NO_LOSS_TEXT)]
    change = trace.after.loss - trace.loss
    if math.isfinite(change):
        direction = "lower" if change < 0 else "higher" if change > 0 else "unchanged"
        how = f", {direction} by {num(abs(change))}"
    else:
        # ∞ − 1e60 is no distance to report (and ∞ − ∞ is nan): say what happened instead.
        how = "" if not math.isfinite(trace.after.loss) else ", finite again"
    value = num(trace.after.loss)
    if not math.isfinite(trace.after.loss):
        value += " (overflow)"
    loss = WorkedLine("L new", "", f"was {num(trace.loss)}{how}", value, "after.loss")
    return [first, loss]
