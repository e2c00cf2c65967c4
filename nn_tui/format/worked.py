"""Worked arithmetic: each trace number written as symbol = formula = numbers plugged in = value.

Every line carries the trace path of its value (``layers[0].z[1]``), so a pane can show where a
number comes from and a lesson author can point a self-check at it. Lines only format numbers
that are already in the trace; nothing of the network is recomputed here.

Every line recomputes: its numbers, as shown, give its value, as shown. A line keeps its numbers
as an expression (``numbers``, ``nn_tui.format.arithmetic``) and writes them with the display's
digits, or with one more at a time where those would not give the value shown. After the update
the forward pass through the new weights is worked the same way (``after_forward_lines``,
``after_loss_lines``), and a value before and after is a ``Change``: ``ŷ 0.7958 → 0.8710
(+0.0752)``, its two values written so that they differ by the change shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from nn_tui.engine.activations import Activation, get_activation
from nn_tui.engine.losses import LOSSES, symbolic
from nn_tui.engine.trace import LayerTrace, Trace
from nn_tui.format.arithmetic import (
    MAX_TERMS,
    Call,
    Div,
    Exp,
    Expr,
    Given,
    Group,
    IfPositive,
    Mul,
    Neg,
    Num,
    Square,
    Sub,
    Sum,
    fit,
    terms,
)
from nn_tui.format.names import element, layer_symbol, subscript
from nn_tui.format.numbers import current_decimals, num, short, vector


@dataclass(frozen=True)
class WorkedLine:
    """One line of worked arithmetic. ``plugged`` is ``numbers`` written out, with as many
    digits (``digits``) as make it recompute to ``value`` (``nn_tui.format.arithmetic``)."""

    symbol: str  # "z₁[1]"
    formula: str  # "W₁[1,:]·x + b₁[1]"
    plugged: str  # "0.5000·1 + 0.2000·1 + 0.1000"
    value: str  # "0.8000"
    path: str  # "layers[0].z[0]"
    layer: int | None = None
    meaning: str = ""
    numbers: Expr | None = None  # the tree ``plugged`` is written from (None: no numbers)
    digits: int = 0  # the significant digits of the trace numbers in ``plugged``

    def text(self) -> str:
        return equation_text(self.symbol, self.formula, self.plugged, self.value)


def worked_line(symbol: str, formula: str, numbers: Expr | None, value: float, path: str,
                layer: int | None = None, meaning: str = "", shown: str | None = None
                ) -> WorkedLine:
    """A WorkedLine whose numbers recompute to ``value`` as shown (``shown``: a fixed spelling
    of the value, such as the slope "1"; default ``num(value)``)."""
    decimals = current_decimals()
    text = num(value, decimals) if shown is None else shown
    show = None if shown is None else _exact_or_num(decimals)
    fitted = fit(numbers, text, show, decimals)
    return WorkedLine(symbol, formula, fitted.text, text, path, layer, meaning, numbers,
                      fitted.digits)


def _exact_or_num(decimals: int):
    """How a whole-number slope is shown ("1", "0"), others as ``num``."""
    def show(value: float) -> str:
        if value in (0.0, 1.0):
            return "1" if value == 1.0 else "0"
        return num(value, decimals)
    return show


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


def _input_value(layer: int, value: float) -> Expr:
    """A layer's input as a factor: the lesson's x as given, a hidden a as a trace number."""
    return Given(value) if layer == 0 else Num(value)


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
        formula = _terms(symbols)
        bias = unit_bias(trace, layer, unit)
        if bias is not None:
            formula += f" + {bias[0]}"
        lines.append(worked_line(z_symbol(trace, layer, unit), formula,
                                 _weighted_sum(record, layer, unit), record.z[unit],
                                 f"layers[{layer}].z[{unit}]", layer))
    lines.extend(activation_lines(trace, layer))
    return lines


def _weighted_sum(record, layer: int, unit: int) -> Expr:
    """The numbers of z[unit] = W[unit,:]·a_prev + b: the products, then the bias."""
    products: list[Expr] = [Mul((Num(record.W[unit, k]), _input_value(layer, record.a_prev[k])))
                            for k in range(record.W.shape[1])]
    if record.use_bias:
        # A shared bias is the one b (b[0]) in every unit's sum.
        products.append(Num(record.b[0 if record.shared_bias else unit]))
    return terms(products)


def layer_activation(record: LayerTrace) -> Activation:
    """The activation of a traced layer, with its text (leaky ReLU with the layer's slope)."""
    return get_activation(record.activation, record.negative_slope)


def _symbols(activation: Activation, z_name: str, a_name: str) -> dict[str, str]:
    """The fields of an activation's text templates (``Activation.value_text``/``slope_text``)
    written as one unit's symbols."""
    slope = short(activation.negative_slope) if activation.negative_slope is not None else ""
    return {"z": z_name, "-z": f"−{z_name}", "(z)": z_name, "a": a_name, "(a)": a_name,
            "(1-a)": f"(1 − {a_name})", "slope": slope}


def _activation_numbers(record, unit: int) -> Expr | None:
    """The numbers of the activation of one unit: the worked form of ``value_text``."""
    name = record.activation
    z_value = float(record.z[unit])
    if name == "relu":
        return Call("max", (Given(0), Num(z_value)))
    if name == "sigmoid":
        return Div(Given(1), Group(Sum((Given(1), Exp(Num(-z_value))))))
    if name == "tanh":
        return Call("tanh", (Num(z_value),))
    if name == "softplus":
        return Call("ln", (Sum((Given(1), Exp(Num(z_value)))),))
    if name == "leaky_relu":
        slope = layer_activation(record).negative_slope
        assert slope is not None  # a leaky ReLU always has its slope below 0
        return Num(z_value) if z_value > 0 else Mul((Given(slope), Num(z_value)))
    if name == "identity":
        return Num(z_value)
    # softmax
    exps = Sum(tuple(Exp(Num(v)) for v in record.z))
    return Div(Exp(Num(z_value)), Group(exps))


def activation_lines(trace: Trace, layer: int) -> list[WorkedLine]:
    """a = f(z), element by element (sample mode)."""
    return _activation_lines(trace, layer, trace.layers[layer], new=False)


def _activation_lines(trace: Trace, layer: int, record, new: bool) -> list[WorkedLine]:
    mark, where = (" new", "after.") if new else ("", "")
    lines = []
    activation = layer_activation(record)
    for unit in range(len(record.a)):
        symbols = _symbols(activation, z_symbol(trace, layer, unit) + mark, "")
        lines.append(worked_line(
            a_symbol(trace, layer, unit) + mark,
            activation.value_text.format_map(symbols),
            _activation_numbers(record, unit),
            record.a[unit],
            f"{where}layers[{layer}].a[{unit}]",
            layer,
        ))
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


def _log_of_rounded(name: str, y: np.ndarray, y_hat: np.ndarray) -> bool:
    """Whether a log-based loss would need ln 0 with the rounded outputs: ŷ has rounded to
    exactly 0 or 1 where its target needs ln ŷ or ln(1 − ŷ). The engine takes those logs from
    the logits, so the numbers "ln 0.0000" would contradict the value: leave them out."""
    rounded = LOSSES[name].log_of_rounded
    return rounded is not None and rounded(y, y_hat)


NO_LOSS_TEXT = ('no loss value: loss = "none", backpropagation starts from the given '
                'gradient ∂L/∂ŷ = dL_dy')


def _squared_errors(y: np.ndarray, y_hat: np.ndarray) -> Expr:
    return terms([Square(Group(Sub(Given(t), Num(p)))) for t, p in zip(y, y_hat)])


def _sample_loss_numbers(name: str, y: np.ndarray, y_hat: np.ndarray) -> tuple[str, Expr | None]:
    """(formula, numbers) of one sample's loss."""
    formula = LOSSES[name].expression
    if _log_of_rounded(name, y, y_hat):
        return formula + ", from the logits z (ŷ has rounded to 0 or 1)", None
    count = len(y)
    per_output = Group(Div(Given(1), Given(count), tight=True))
    if name == "half_sse":
        errors = _squared_errors(y, y_hat)
        return formula, Mul((Given(0.5, "½"), errors if count == 1 else Group(errors)))
    if name == "mse":
        return formula, Mul((per_output, Group(_squared_errors(y, y_hat))))
    if name == "sse":
        return formula, _squared_errors(y, y_hat)
    if name == "bce":
        logs: list[Expr] = []
        for t, p in zip(y, y_hat):
            logs += [Mul((Given(t), Call("ln", (Num(p),), bare=True))),
                     Mul((Given(1 - t), Call("ln", (Num(1 - p),), bare=True)))]
        bracket = Group(Sum(tuple(logs)), square=True)
        return formula, Neg(bracket if count == 1 else Mul((per_output, bracket)))
    logs = [Mul((Given(t), Call("ln", (Num(p),), bare=True))) for t, p in zip(y, y_hat)]
    return formula, Neg(Group(terms(logs)))


def _batch_loss_numbers(trace: Trace, losses: np.ndarray) -> tuple[str, Expr]:
    rows = Sum(tuple(Num(v) for v in losses), shorten=6) if len(losses) > 1 else Num(losses[0])
    if trace.reduction == "sum":
        return "Σ over rows of Lᵢ", rows
    return "(1/n)·Σ Lᵢ", Mul((Group(Div(Given(1), Given(len(losses)), tight=True)), Group(rows)))


def loss_lines(trace: Trace) -> list[WorkedLine]:
    """The loss, worked (sample mode), or as the mean/sum of the rows' losses (batch mode).
    With loss = "none" one line saying there is no loss value (its value "none", never 0)."""
    if not trace.has_loss:
        return [WorkedLine("L", "", "", "none", "loss", meaning=NO_LOSS_TEXT)]
    if trace.mode == "sample":
        formula, numbers = _sample_loss_numbers(trace.loss_name, trace.y, trace.output)
    else:
        formula, numbers = _batch_loss_numbers(trace, trace.per_sample_loss)
    return [worked_line("L", formula, numbers, trace.loss, "loss", meaning=trace.loss_name)]


# -- backward ----------------------------------------------------------------------------------

def _sigmoid_slope_numbers(a: float) -> Expr:
    """"0.8808·(1 − 0.8808)"; where a shows as 1.0000 (or 0.0000) but is not, 1 − a is written
    as its own number ("1.0000·2.061e−09"): "1.0000·(1 − 1.0000)" would read as 0."""
    if num(a).lstrip("−") in (num(0.0), num(1.0)):
        return Mul((Num(a), Num(1.0 - a)))
    return Mul((Num(a), Group(Sub(Given(1), Num(a)))))


# The numbers of each activation's slope (the worked form of its ``slope_text``), from a and z.
_SLOPE_NUMBERS = {
    "sigmoid": lambda a, z, s: _sigmoid_slope_numbers(a),
    "tanh": lambda a, z, s: Sub(Given(1), Square(Num(a))),
    # The numbers plugged into the same words as the formula: "1 if −1.5000 > 0 else 0".
    "relu": lambda a, z, s: IfPositive(Num(z), Given(0)),
    "leaky_relu": lambda a, z, s: IfPositive(Num(z), Given(s)),
    # Exactly 1, whatever z: written once ("∂ŷ/∂z₂ = 1"), not "1 = 1 = 1.0000".
    "identity": lambda a, z, s: None,
    "softplus": lambda a, z, s: Div(Given(1), Group(Sum((Given(1), Exp(Num(-z)))))),
}


def _slope_formula(record, unit: int, a_name: str, z_name: str) -> tuple[str, Expr | None]:
    """(formula, numbers) of the activation's slope at one unit."""
    activation = layer_activation(record)
    numbers = _SLOPE_NUMBERS[activation.name](float(record.a[unit]), float(record.z[unit]),
                                              activation.negative_slope)
    return activation.slope_text.format_map(_symbols(activation, z_name, a_name)), numbers


def _whole_slope(activation: str, slope: float) -> str | None:
    """Where every slope is exactly 0 or 1 (identity, ReLU: ``Activation.exact_slopes``), it
    is written "1" or "0", as ∂z/∂b is, not "1.0000"; None for the others (written by ``num``)."""
    if get_activation(activation).exact_slopes and slope in (0.0, 1.0):
        return "1" if slope == 1.0 else "0"
    return None


def _slope_value(activation: str, slope: float) -> Expr:
    """The slope as a factor of a product: "1" and "0" exact, others a trace number."""
    return Given(slope) if _whole_slope(activation, slope) else Num(slope)


def _per_output(count: int) -> Expr:
    return Group(Div(Given(1), Given(count), tight=True))


# The numbers of each loss's ∂L/∂ŷ (the worked form of ``Loss.derivative``), from one output's
# target t, output p and the number of outputs k.
_DERIVATIVE_NUMBERS = {
    "half_sse": lambda t, p, k: Sub(Num(p), Given(t)),
    "mse": lambda t, p, k: Mul((Group(Div(Given(2), Given(k), tight=True)),
                                Group(Sub(Num(p), Given(t))))),
    "bce": lambda t, p, k: Mul((_per_output(k), Group(Sum((
        Neg(Div(Given(t), Num(p), tight=True)),
        Div(Given(1 - t), Num(1 - p), tight=True)))))),
    "cross_entropy": lambda t, p, k: Neg(Div(Given(t), Num(p), tight=True)),
    "sse": lambda t, p, k: Mul((Given(2), Group(Sub(Num(p), Given(t))))),
    "none": lambda t, p, k: None,
}
# The numbers of a fused output delta (the worked form of ``FusedDelta.formula``), by loss and
# output activation.
_FUSED_NUMBERS = {
    ("bce", "sigmoid"): lambda t, p, k: Mul((_per_output(k), Group(Sub(Num(p), Given(t))))),
    ("cross_entropy", "softmax"): lambda t, p, k: Sub(Num(p), Given(t)),
}


@dataclass(frozen=True)
class GradRow:
    """One row of the chain-rule table: a factor or a parameter gradient. ``plugged`` is
    ``numbers`` written with ``digits`` significant digits, so that it recomputes to ``value``."""

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
    numbers: Expr | None = None
    digits: int = 0

    def text(self) -> str:
        line = equation_text(self.symbol, self.formula, self.plugged, self.value)
        return line if self.applied else f"{line}  ({NOT_APPLIED})"


def grad_row(symbol: str, meaning: str, formula: str, numbers: Expr | None, value: float,
             path: str, layer: int, is_parameter: bool = False, applied: bool = True,
             shown: str | None = None) -> GradRow:
    """A GradRow whose numbers recompute to ``value`` as shown (see ``worked_line``)."""
    line = worked_line(symbol, formula, numbers, value, path, layer, shown=shown)
    return GradRow(symbol, meaning, formula, line.plugged, line.value, path, layer,
                   is_parameter, applied, numbers, line.digits)


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
        numbers: Expr | None
        if last:
            formula = symbolic(loss.derivative)
            target, output = float(trace.y[unit]), float(trace.output[unit])
            numbers = (None if _log_of_rounded(trace.loss_name, np.array([target]),
                                               np.array([output]))
                       else _DERIVATIVE_NUMBERS[loss.name](target, output, len(trace.y)))
            meaning = "how the loss changes with the output"
        else:
            following = trace.layers[layer + 1]
            next_grad = trace.grads[layer + 1]
            names = [
                weight_symbol(trace, layer + 1, j, unit)
                + f"·{_d('L', z_symbol(trace, layer + 1, j))}"
                for j in range(len(following.z))
            ]
            formula = _terms(names)
            numbers = terms([Mul((Num(following.W[j, unit]), Num(next_grad.dL_dz[j])))
                             for j in range(len(following.z))])
            meaning = "blame passed back through the next layer's weights"
        rows.append(grad_row(_d("L", a_name), meaning, formula, numbers, grad.dL_da[unit],
                             f"grads[{layer}].dL_da[{unit}]", layer))
        if not activation.elementwise:
            continue
        slope_formula, slope_numbers = _slope_formula(record, unit, a_name, z_name)
        a_value = record.a[unit]
        # Where σ or tanh has rounded to its limit, "1.0000·(1 − 1.0000)" would read as 0; the
        # engine takes the slope from z (e^−|z|/(1 + e^−|z|)²), so the value stands alone.
        pinned = activation.bounds is not None and not (
            activation.bounds[0] < a_value < activation.bounds[1])
        slope = float(grad.da_dz[unit])
        constant = "{" not in activation.slope_text
        rows.append(
            grad_row(
                _d(a_name, z_name),
                f"slope of {activation.name}: always {activation.slope_text}" if constant
                else f"slope of {activation.name} at {z_name}",
                slope_formula + (", from z" if pinned else ""),
                None if pinned else slope_numbers,
                slope,
                f"grads[{layer}].da_dz[{unit}]",
                layer,
                shown=_whole_slope(record.activation, slope),
            )
        )
        if _factors_agree(grad, unit):
            formula = f"{_d('L', a_name)} · {_d(a_name, z_name)}"
            numbers = Mul((Num(grad.dL_da[unit]), _slope_value(record.activation, slope)),
                          spaced=True)
        elif fused is not None and fused.formula:
            # ŷ is so close to 0 or 1 that ∂L/∂ŷ overflows while ∂ŷ/∂z underflows; their
            # product is the fused delta (for σ + bce (1/K)·(ŷ − y)), which the engine
            # computes directly.
            formula = f"{symbolic(fused.formula)}, the two factors combined"
            numbers = _FUSED_NUMBERS[loss.name, activation.name](
                float(trace.y[unit]), float(trace.output[unit]), len(trace.y))
        else:  # not met: only a fused delta can differ from its factors' product
            formula, numbers = "", None
        rows.append(
            grad_row(
                _d("L", z_name),
                f"the error signal (delta) of {z_name}",
                formula,
                numbers,
                grad.dL_dz[unit],
                f"grads[{layer}].dL_dz[{unit}]",
                layer,
            )
        )
    if not activation.elementwise:
        # The Jacobian's chain, or the fused delta where the loss has a closed form for it.
        closed = fused if fused is not None and fused.formula else None
        for unit in range(units):
            z_name = z_symbol(trace, layer, unit)
            rows.append(
                grad_row(
                    _d("L", z_name),
                    f"{activation.name} + {loss.title}: {closed.words}" if closed
                    else f"through the {activation.name} Jacobian",
                    symbolic(closed.formula) if closed else "Σᵢ ∂L/∂ŷᵢ · ∂ŷᵢ/∂zⱼ",
                    _FUSED_NUMBERS[loss.name, activation.name](
                        float(trace.y[unit]), float(trace.output[unit]), len(trace.y))
                    if closed else None,
                    grad.dL_dz[unit],
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
    elementwise = layer_activation(record).elementwise
    rows = []
    for unit in range(len(record.z)):
        z_name = z_symbol(trace, layer, unit)
        a_name = a_symbol(trace, layer, unit)
        chain_values: tuple[Expr, ...]
        if elementwise and _factors_agree(grad, unit):
            chain = f"{_d('L', a_name)} · {_d(a_name, z_name)}"
            chain_values = (Num(grad.dL_da[unit]),
                            _slope_value(record.activation, float(grad.da_dz[unit])))
        else:
            chain, chain_values = _d("L", z_name), (Num(grad.dL_dz[unit]),)
        for k in range(record.W.shape[1]):
            w_name = weight_symbol(trace, layer, unit, k)
            rows.append(
                grad_row(
                    _d("L", w_name),
                    f"how the loss changes with {w_name}",
                    f"{chain} · {_d(z_name, w_name)}",
                    Mul(chain_values + (_input_value(layer, record.a_prev[k]),), spaced=True),
                    grad.dL_dW[unit, k],
                    f"grads[{layer}].W[{unit}][{k}]",
                    layer,
                    True,
                    not record.frozen("weights"),
                )
            )
        if record.use_bias and not record.shared_bias:
            b_name = bias_symbol(trace, layer, unit)
            rows.append(
                grad_row(
                    _d("L", b_name),
                    f"how the loss changes with {b_name}",
                    f"{chain} · {_d(z_name, b_name)}",
                    Mul(chain_values + (Given(1),), spaced=True),
                    grad.dL_db[unit],
                    f"grads[{layer}].b[{unit}]",
                    layer,
                    True,
                    not record.frozen("bias"),
                )
            )
    if record.shared_bias:
        rows.append(_shared_bias_row(trace, layer, "Σⱼ ∂L/∂{z}[j]",
                                     terms([Num(v) for v in grad.dL_dz])))
    return rows


def _shared_bias_row(trace: Trace, layer: int, formula: str, numbers: Expr | None) -> GradRow:
    """∂L/∂b of a layer's one shared bias: it enters every unit's z, so its gradient is the
    sum of the units' ∂L/∂z (each ∂z[j]/∂b = 1)."""
    record = trace.layers[layer]
    b_name = bias_symbol(trace, layer, 0)
    z_name = layer_symbol("z", layer, len(trace.layers))
    return grad_row(
        _d("L", b_name),
        f"how the loss changes with the shared bias {b_name}: the sum over the units",
        formula.format(z=z_name),
        numbers,
        trace.grads[layer].dL_db[0],
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
                        num(grad.dL_dW[unit, k]), f"grads[{layer}].W[{unit}][{k}]", layer, True,
                        not record.frozen("weights"))
            )
        if record.use_bias and not record.shared_bias:
            b_name = bias_symbol(trace, layer, unit)
            rows.append(
                GradRow(_d("L", b_name), f"how the loss changes with {b_name}",
                        f"{over} of {_d('Lᵢ', z_name)}", "", num(grad.dL_db[unit]),
                        f"grads[{layer}].b[{unit}]", layer, True, not record.frozen("bias"))
            )
    if record.shared_bias:
        rows.append(_shared_bias_row(trace, layer, f"{over} of Σⱼ ∂Lᵢ/∂{{z}}[j]", None))
    return rows


# -- update ------------------------------------------------------------------------------------


def update_lines(trace: Trace, layer: int) -> list[WorkedLine]:
    """w ← w − η·∂L/∂w for every weight and bias of one layer."""
    record = trace.layers[layer]
    grad = trace.grads[layer]
    new = trace.after.layers[layer]
    eta = Given(trace.learning_rate)
    lines = []

    def line(name: str, old: float, gradient: float, value: float, path: str,
             frozen: bool) -> WorkedLine:
        if frozen:
            # Frozen: the value stays; the gradient was computed (Gradients pane) but is not
            # applied.
            return WorkedLine(f"{name} new", f"{name} (frozen: ∂L/∂{name} = "
                                             f"{num(gradient)} not applied)",
                              "", num(value), path, layer, meaning=NOT_APPLIED)
        return worked_line(f"{name} new", f"{name} − η·∂L/∂{name}",
                           Sub(Num(old), Mul((eta, Num(gradient)))), value, path, layer)

    for unit in range(record.W.shape[0]):
        for k in range(record.W.shape[1]):
            lines.append(line(weight_symbol(trace, layer, unit, k), record.W[unit, k],
                              grad.dL_dW[unit, k], new.W[unit, k],
                              f"after.layers[{layer}].W[{unit}][{k}]", record.frozen("weights")))
        if record.use_bias and not record.shared_bias:
            lines.append(line(bias_symbol(trace, layer, unit), record.b[unit], grad.dL_db[unit],
                              new.b[unit], f"after.layers[{layer}].b[{unit}]",
                              record.frozen("bias")))
    if record.shared_bias:
        lines.append(line(bias_symbol(trace, layer, 0), record.b[0], grad.dL_db[0], new.b[0],
                          f"after.layers[{layer}].b[0]", record.frozen("bias")))
    return lines


# -- after the update --------------------------------------------------------------------------


def after_record(trace: Trace, layer: int) -> LayerTrace:
    """Layer ``layer`` of the forward pass through the updated weights, as a LayerTrace (its
    input: x for the first layer, the previous layer's new a after)."""
    new = trace.after.layers[layer]
    a_prev = trace.layers[0].a_prev if layer == 0 else trace.after.layers[layer - 1].a
    return replace(trace.layers[layer], W=new.W, b=new.b, a_prev=a_prev, z=new.z, a=new.a)


def row_symbol(trace: Trace, layer: int, unit: int) -> str:
    """The weights of one unit as one symbol: w₁ (one weight), W₂ (one unit), W₁[2,:] (the
    Forward pass's after-update lines and the Network pane write a unit's weights so)."""
    W = trace.layers[layer].W
    if W.size == 1:
        return f"w{subscript(layer + 1)}"
    symbol = layer_symbol("W", layer, len(trace.layers))
    return symbol if W.shape[0] == 1 else f"{symbol}[{unit + 1},:]"


def after_forward_lines(trace: Trace, layer: int) -> list[WorkedLine]:
    """Sample mode: the forward pass of one layer through the updated weights, worked as the
    forward pass is: "z₂ new = W₂ new·a₁ new + b₂ new = 0.4908·0.7311 + 0.1200 = 0.4788",
    then "ŷ new = σ(z₂ new) = …"."""
    record = after_record(trace, layer)
    depth = len(trace.layers)
    if layer == 0:
        entering = "x"
    else:
        entering = layer_symbol("a", layer - 1, depth) + " new"
    lines = []
    for unit in range(len(record.z)):
        formula = f"{row_symbol(trace, layer, unit)} new·{entering}"
        bias = unit_bias(trace, layer, unit)
        if bias is not None:
            formula += f" + {bias[0]} new"
        lines.append(worked_line(f"{z_symbol(trace, layer, unit)} new", formula,
                                 _weighted_sum(record, layer, unit), record.z[unit],
                                 f"after.layers[{layer}].z[{unit}]", layer))
    lines.extend(_activation_lines(trace, layer, record, new=True))
    return lines


def after_loss_lines(trace: Trace) -> list[WorkedLine]:
    """The loss through the updated weights, worked as ``loss_lines`` works the old one
    ("L new = ½·(1 − 0.8710)² = 0.008321"); none with loss = "none"."""
    if not trace.has_loss:
        return []
    after = trace.after
    if trace.mode == "sample":
        formula, numbers = _sample_loss_numbers(trace.loss_name, trace.y, after.output)
    else:
        formula, numbers = _batch_loss_numbers(trace, after.per_sample_loss)
    line = worked_line("L new", formula, numbers, after.loss, "after.loss",
                       meaning=trace.loss_name)
    if not math.isfinite(after.loss):
        line = replace(line, value=f"{line.value} (overflow)")
    return [line]


@dataclass(frozen=True)
class Change:
    """A value before and after the update: ``ŷ 0.7958 → 0.8710 (+0.0752)``. ``old`` and
    ``new`` are written with ``digits`` significant digits, enough that new − old, as shown,
    gives ``change`` as shown (a nan or infinite value: the change is "")."""

    symbol: str  # "ŷ", "L", "W₁[1,2]"
    old: str
    new: str
    change: str  # signed: "+0.0752", "−20.4650", "0"; "" where there is none to tell
    path: str  # of the new value: "after.output[0]"
    row: int | None = None  # the data row, in batch mode
    numbers: Expr | None = None  # new − old
    digits: int = 0

    def text(self) -> str:
        where = f"row {self.row + 1}: " if self.row is not None else ""  # counted from 1
        change = f" ({self.change})" if self.change else ""
        return f"{where}{self.symbol} {self.old} → {self.new}{change}"


def signed(text: str) -> str:
    """A change as shown: "+0.0752", "−0.0752"; no change is "0"."""
    if text.lstrip("−") == num(0.0):
        return "0"
    return text if text.startswith("−") else f"+{text}"


def change(symbol: str, old: float, new: float, path: str, row: int | None = None,
           applied: float | None = None) -> Change:
    """``old → new (change)``, the change ``applied`` (default: new − old) written so that the
    two values shown give it. A value that is not finite has no change to tell."""
    old, new = float(old), float(new)
    decimals = current_decimals()
    delta = new - old if applied is None else float(applied)
    if not (math.isfinite(old) and math.isfinite(new) and math.isfinite(delta)):
        return Change(symbol, num(old, decimals), num(new, decimals), "", path, row,
                      None, decimals)
    numbers = Sub(Num(new), Num(old))
    fitted = fit(numbers, num(delta, decimals), None, decimals)
    return Change(symbol, num(old, fitted.digits), num(new, fitted.digits),
                  signed(num(delta, decimals)), path, row, numbers, fitted.digits)


def parameter_changes(trace: Trace, layer: int) -> list[Change]:
    """Every weight then bias of one layer's neurons before → after the update, the change the
    engine applied (−η·gradient; 0 for a frozen group); a shared bias once, after the last
    neuron's weights."""
    record = trace.layers[layer]
    after = trace.after.layers[layer]
    changes = []

    def bias(position: int) -> Change:
        return change(bias_symbol(trace, layer, position), record.b[position], after.b[position],
                      f"after.layers[{layer}].b[{position}]", applied=after.step_b[position])

    for unit in range(record.W.shape[0]):
        for k in range(record.W.shape[1]):
            changes.append(change(weight_symbol(trace, layer, unit, k), record.W[unit, k],
                                  after.W[unit, k], f"after.layers[{layer}].W[{unit}][{k}]",
                                  applied=after.step_W[unit, k]))
        if record.use_bias and not record.shared_bias:
            changes.append(bias(unit))
    if record.shared_bias:
        changes.append(bias(0))
    return changes


def output_changes(trace: Trace) -> list[Change]:
    """Every output before → after the update: one per output (sample mode), one per output
    of every row (batch mode, each with its data row)."""
    units = trace.layers[-1].W.shape[0]
    symbols = [element("ŷ", unit, size=units) for unit in range(units)]
    if trace.mode == "sample":
        return [change(symbols[unit], trace.output[unit], trace.after.output[unit],
                       f"after.output[{unit}]") for unit in range(units)]
    rows = trace.rows or tuple(range(len(trace.output)))
    return [change(symbols[unit], trace.output[i][unit], trace.after.output[i][unit],
                   f"after.output[{i}][{unit}]", row=row)
            for i, row in enumerate(rows) for unit in range(units)]


def loss_change(trace: Trace) -> Change | None:
    """L before → after the update (None with loss = "none")."""
    if not trace.has_loss:
        return None
    return change("L", trace.loss, trace.after.loss, "after.loss")


def after_lines(trace: Trace) -> list[WorkedLine]:
    """The worked forward pass through the updated weights (sample mode: every layer; batch
    mode: the rows' outputs are ``output_changes``), then the new loss, worked."""
    lines: list[WorkedLine] = []
    if trace.mode == "sample":
        for layer in range(len(trace.layers)):
            lines += after_forward_lines(trace, layer)
    return lines + after_loss_lines(trace)
