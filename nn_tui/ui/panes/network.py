"""The Network pane: a text diagram of the network with its current values and weights.

Columns left to right: the inputs, each layer, then the loss once it is revealed. Every node shows
its value (a, and z when there is room) once the forward pass has reached it, so the diagram never
gives away a number a self-check is about to ask for. A single connection is labelled with its
weight on the arrow; a fully connected layer is drawn as a bus, with each neuron's incoming
weights written under it. The diagram tries less detailed variants until one fits the width it is
drawn at, and falls back to a per-layer listing when even the plainest does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rich.cells import cell_len
from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.cache import LRUCache

from nn_tui.format.names import layer_symbol, subscript
from nn_tui.format.numbers import current_decimals, num, short
from nn_tui.format.worked import a_symbol, row_symbol, unit_bias, weight_symbol, z_symbol
from nn_tui.lessons.session import Highlight, Reveal, StepView
from nn_tui.lessons.edits import EditTarget
from nn_tui.lessons.fingerprint import value_key
from nn_tui.ui.panes._common import (
    CHANGED, CURRENT, HEADING, HERE_MARKER, MUTED, VALUE, Pane, cursor_text, explore_marks,
    highlighted_layer, layer_name,
)

ACTIVATION_SHORT = {
    "sigmoid": "σ", "relu": "ReLU", "tanh": "tanh", "softmax": "softmax", "identity": "identity",
    "leaky_relu": "leaky", "softplus": "softplus",
}
HERE = "▲ you are here"
COMPACT_DECIMALS = 2  # weights of very wide layers; the Weights pane has them in full
BUS_LEFT, BUS_RIGHT = " ─", "─▶"


@dataclass
class _Column:
    header: tuple[str, str]  # the column's name and, under it, its activation
    nodes: list[list[Text]]  # each node: its lines, the first one is where connections attach
    current: bool = False

    @property
    def width(self) -> int:
        widths = [cell_len(line) for line in self.header]
        widths += [line.cell_len for node in self.nodes for line in node]
        return max(widths)


@dataclass
class _Link:
    header: str = ""  # "W₁" above a bus
    label: str = ""  # the weight on a single connection
    sources: int = 1
    targets: int = 1

    @property
    def single(self) -> bool:
        return self.sources == 1 and self.targets == 1

    @property
    def width(self) -> int:
        if self.single:
            return max(cell_len(f"─ {self.label} ─▶") if self.label else 2, cell_len(self.header))
        return max(len(BUS_LEFT) + 1 + len(BUS_RIGHT), cell_len(self.header) + 1)


@dataclass
class _Detail:
    z: bool  # show z under a
    weights: str  # "arrow": a single connection's weight on its arrow, the others under the
    #               neuron; "node": every weight under its neuron; "below": listed under the diagram
    bias: bool = True  # show b under the neuron (the Weights pane always has it)
    inline: bool = False  # the value on the node's name line, the activation in the header


# From the most detailed down: the first that fits the pane's width (and, if one does, its
# height) is drawn.
DETAILS = tuple(
    _Detail(z, weights) for weights in ("arrow", "node", "below") for z in (True, False)
)
SHORT_DETAILS = (_Detail(False, "arrow", bias=False), _Detail(False, "arrow", False, True),
                 _Detail(False, "below", False, True))


@dataclass
class _Diagram:
    columns: list[_Column]
    links: list[_Link]
    below: list[Text] = field(default_factory=list)  # weights listed under the diagram

    @property
    def width(self) -> int:
        return sum(c.width for c in self.columns) + sum(
            link.width + (2 if link.single else 1) for link in self.links
        )


# -- node contents -----------------------------------------------------------------------------


def _editable(view: StepView, target: EditTarget, text: str, changed: bool,
              style: str = "") -> Text:
    """An editable number in explore mode: the cursor's between ▸ ◂ and reversed, a changed one
    underlined; outside explore mode just the number."""
    if getattr(view, "selected", None) == target:
        return cursor_text(text)
    return Text(text, style=CHANGED if changed else style)


def _was(view: StepView):
    return explore_marks(view)


def _names(view: StepView) -> tuple[list[str], list[str]]:
    inputs = len(view.trace.layers[0].a_prev) if view.trace.mode == "sample" \
        else view.trace.layers[0].W.shape[1]
    outputs = view.trace.layers[-1].W.shape[0]
    input_names = list(view.input_names) if len(view.input_names) == inputs else \
        ["x" if inputs == 1 else f"x{subscript(i + 1)}" for i in range(inputs)]
    output_names = list(view.output_names) if len(view.output_names) == outputs else \
        [""] * outputs
    return input_names, output_names


def _input_column(view: StepView, names: list[str]) -> _Column:
    trace = view.trace
    nodes = []
    for i, name in enumerate(names):
        symbol = "x" if len(names) == 1 else f"x{subscript(i + 1)}"
        if name in (symbol, f"x{i + 1}"):
            name = ""  # "x₁ x₁ = 2" says it twice
        if trace.mode == "sample":
            base = _was(view)
            changed = base is not None and base.x[i] != trace.x[i]
            value = Text(f"{symbol} = ")
            value.append_text(_editable(view, EditTarget("x", None, (i,)), short(trace.x[i]),
                                        changed, VALUE))
        else:
            value = Text(f"{symbol} per row", style=MUTED)
        nodes.append([Text(name), value])
    return _Column(("inputs", ""), nodes)


def _inline_inputs(column: _Column) -> _Column:
    """Input nodes on one line each ("PSA x = 2"), for a short pane."""
    nodes = [[node[0] + Text(" ") + node[1]] if node[0].plain else [node[1]]
             for node in column.nodes]
    return _Column(column.header, nodes, column.current)


def _layer_column(view: StepView, layer: int, outputs: list[str], detail: _Detail) -> _Column:
    trace = view.trace
    record = trace.layers[layer]
    depth = len(trace.layers)
    last = layer == depth - 1
    revealed = layer < view.reveal.forward and trace.mode == "sample"
    current = highlighted_layer(view.highlight, layer)
    nodes = []
    units, fan_in = record.W.shape
    for unit in range(units):
        symbol = a_symbol(trace, layer, unit)
        name = Text(f"({symbol})", style=CURRENT if current else "bold")
        if last and outputs[unit]:
            name.append(f" {outputs[unit]}")
        # The panes' names (a₁, ŷ, z₁[2], b₁[2], W₁[2,:]): the Weights and Forward panes
        # write the same numbers under the same names.
        value_name = symbol
        if revealed:
            # A changed value is underlined (its "was" is in the Forward pass pane: the
            # diagram has no width to spare).
            shown = num(record.a[unit])
            base = _was(view)
            was = None if base is None else num(base.layers[layer].a[unit])
            value = Text.assemble(f"{value_name} ",
                                  (shown, CHANGED if was not in (None, shown) else VALUE))
        elif trace.mode == "batch":
            value = Text(f"{value_name} per row", style=MUTED)
        else:
            value = Text(f"{value_name} ?", style=MUTED)
        if detail.inline:
            lines = [name + Text(" ") + value]
        else:
            lines = [name, value]
        if revealed and detail.z:
            lines.append(Text(f"{z_symbol(trace, layer, unit)} {num(record.z[unit])}",
                              style=MUTED))
        single = fan_in == 1 and units == 1
        base = _was(view)
        old = None if base is None else base.layers[layer]
        if detail.weights == "node" and single:
            line = Text(f"{weight_symbol(trace, layer, 0, 0)} ")
            line.append_text(_weight(view, layer, 0, 0))
            lines.append(line)
        elif detail.weights != "below" and not single:
            line = Text(row_symbol(trace, layer, unit))
            for k in range(fan_in):
                line.append(" ")
                line.append_text(_weight(view, layer, unit, k))
            lines.append(line)
        if detail.bias:
            bias = _bias_text(view, layer, unit)
            if bias is not None:
                line = Text(f"{unit_bias(trace, layer, unit)[0]} ")
                line.append_text(bias)
                lines.append(line)
        nodes.append(lines)
    header = layer_name(layer, depth, short=True)
    activation = ACTIVATION_SHORT.get(record.activation, record.activation)
    if detail.inline:
        return _Column((f"{header} {activation}", ""), nodes, current)
    return _Column((header, activation), nodes, current)


def _loss_text(trace) -> str:
    """The loss as a number, or "none" (loss = "none" has no value; never shown as 0 or nan)."""
    return num(trace.loss) if trace.has_loss else "none"


def _weight(view: StepView, layer: int, unit: int, k: int) -> Text:
    """One weight, as an editable number (explore mode) or plain."""
    trace = view.trace
    base = _was(view)
    value = trace.layers[layer].W[unit, k]
    changed = base is not None and base.layers[layer].W[unit, k] != value
    return _editable(view, EditTarget("W", layer, (unit, k)), num(value), changed)


def _bias_text(view: StepView, layer: int, unit: int, decimals: int | None = None) -> Text | None:
    """The bias in unit ``unit``'s sum as an editable number (its own, or the layer's shared
    one, edited as ``b[0]``), or None for a layer without a bias."""
    trace = view.trace
    bias = unit_bias(trace, layer, unit)
    if bias is None:
        return None
    position = 0 if trace.layers[layer].shared_bias else unit
    base = _was(view)
    changed = base is not None and base.layers[layer].b[position] != bias[1]
    shown = num(bias[1]) if decimals is None else num(bias[1], decimals)
    return _editable(view, EditTarget("b", layer, (position,)), shown, changed)


def _loss_column(view: StepView) -> _Column:
    trace = view.trace
    base = _was(view)
    shown = _loss_text(trace)
    was = None if base is None else _loss_text(base)
    loss = Text.assemble("L ", (shown, CHANGED if was not in (None, shown) else VALUE))
    lines = [Text("(L)", style=CURRENT if view.highlight.part == "loss" else "bold"), loss]
    if trace.mode == "sample":
        # loss = "none": the data hold the given gradient, not a target.
        target = Text("target " if trace.has_loss else "dL_dy ", style=MUTED)
        if len(trace.y) > 1:
            target.append("[", style=MUTED)
        for k, value in enumerate(trace.y):
            if k:
                target.append(", ", style=MUTED)
            changed = base is not None and base.y[k] != value
            target.append_text(_editable(view, EditTarget("y", None, (k,)), short(value),
                                         changed, MUTED))
        if len(trace.y) > 1:
            target.append("]", style=MUTED)
        lines.append(target)
    return _Column(("loss", ""), [lines], view.highlight.part == "loss")


def _weights_below(view: StepView) -> list[Text]:
    """The weights of fully connected layers, one neuron per line, when they do not fit above."""
    trace = view.trace
    lines = []
    for layer, record in enumerate(trace.layers):
        units, fan_in = record.W.shape
        if units == 1 and fan_in == 1:
            lines.append(Text.assemble((f"{weight_symbol(trace, layer, 0, 0)} ", MUTED),
                                       _weight(view, layer, 0, 0)))
            continue
        for unit in range(units):
            owner = a_symbol(trace, layer, unit)
            line = Text(f"{row_symbol(trace, layer, unit)} into {owner}: [", style=MUTED)
            for k in range(fan_in):
                if k:
                    line.append(", ")
                line.append_text(_weight(view, layer, unit, k))
            line.append("]", style=MUTED)
            bias = unit_bias(trace, layer, unit)
            if bias is not None:
                line.append(f"  {bias[0]} ", style=MUTED)
                line.append_text(_bias_text(view, layer, unit))
            lines.append(line)
    return lines


def _diagram(view: StepView, detail: _Detail) -> _Diagram:
    trace = view.trace
    inputs, outputs = _names(view)
    columns = [_input_column(view, inputs)]
    if detail.inline:
        columns[0] = _inline_inputs(columns[0])
    links = []
    for layer, record in enumerate(trace.layers):
        units, fan_in = record.W.shape
        if units == 1 and fan_in == 1:
            label = f"{weight_symbol(trace, layer, 0, 0)} {_weight(view, layer, 0, 0).plain}"
            links.append(_Link(label=label if detail.weights == "arrow" else ""))
        else:
            links.append(_Link(header=layer_symbol("W", layer, len(trace.layers)),
                               sources=fan_in, targets=units))
        columns.append(_layer_column(view, layer, outputs, detail))
    if view.reveal.loss:
        links.append(_Link(sources=len(columns[-1].nodes), targets=1))
        columns.append(_loss_column(view))
    below = _weights_below(view) if detail.weights == "below" else []
    return _Diagram(columns, links, below)


# -- drawing -----------------------------------------------------------------------------------

_JUNCTIONS = {
    # (up, down, left, right) -> box-drawing character
    (True, True, True, True): "┼", (True, True, True, False): "┤",
    (True, True, False, True): "├", (True, True, False, False): "│",
    (False, True, True, True): "┬", (True, False, True, True): "┴",
    (False, True, True, False): "┐", (False, True, False, True): "┌",
    (True, False, True, False): "┘", (True, False, False, True): "└",
    (False, False, True, True): "─", (False, False, True, False): "─",
    (False, False, False, True): "─", (False, False, False, False): " ",
}


def _anchor_rows(count: int, slots: int, block: int) -> list[int]:
    """Rows where each node's first line sits: nodes of shorter columns are centred."""
    offset = (slots - count) * (block + 1) // 2
    return [offset + i * (block + 1) for i in range(count)]


def _link_cells(link: _Link, width: int, rows: int, sources: list[int],
                targets: list[int]) -> list[Text]:
    cells = [Text(" " * width) for _ in range(rows)]
    if link.single:
        label = f" {link.label} " if link.label else ""
        dashes = max(width - 3 - cell_len(label), 1)  # minus the margins and the arrow head
        cells[sources[0]] = Text(
            " " + "─" * (dashes // 2) + label + "─" * (dashes - dashes // 2) + "▶ "
        )
        return cells
    top, bottom = min(sources + targets), max(sources + targets)
    for row in range(top, bottom + 1):
        left, right = row in sources, row in targets
        char = _JUNCTIONS[(row > top, row < bottom, left, right)]
        text = (BUS_LEFT if left else " " * len(BUS_LEFT)) + char + (BUS_RIGHT if right else "")
        cells[row] = Text(text.ljust(width))
    return cells


def _draw(view: StepView, diagram: _Diagram, available: int) -> list[Text]:
    """The diagram's lines (each fits ``available`` columns)."""
    columns, links = diagram.columns, diagram.links
    slots = max(len(column.nodes) for column in columns)
    block = max(len(node) for column in columns for node in column.nodes)
    rows = slots * (block + 1) - 1
    anchors = [_anchor_rows(len(column.nodes), slots, block) for column in columns]
    header, subheader = Text(), Text()
    body = [Text() for _ in range(rows)]
    marker_at: tuple[int, str] | None = None
    for index, column in enumerate(columns):
        width = column.width
        header.append(column.header[0].ljust(width), style="bold")
        subheader.append(column.header[1].ljust(width), style=MUTED)
        cells = [Text(" " * width) for _ in range(rows)]
        for node, anchor in zip(column.nodes, anchors[index]):
            for offset, line in enumerate(node):
                cell = line.copy()
                cell.align("left", width)
                cells[anchor + offset] = cell
        for row in range(rows):
            body[row].append_text(cells[row])
        here = column.current and (view.highlight.part != "all" or index == 1)
        if here and marker_at is None:
            label = HERE if view.highlight.part != "all" else "▲ the whole network"
            marker_at = (header.cell_len - width, label)
        if index < len(links):
            link = links[index]
            link_width = link.width + (2 if link.single else 1)
            header.append(f" {link.header}".ljust(link_width), style=MUTED)
            subheader.append(" " * link_width)
            for row, cell in enumerate(
                _link_cells(link, link_width, rows, anchors[index], anchors[index + 1])
            ):
                body[row].append_text(cell)
    parts: list[Text] = []
    if view.highlight.direction == "backward" and view.highlight.part != "none":
        parts.append(Text("gradients flow backwards, from the loss to the inputs ◀", style=MUTED))
    parts.append(header)
    if subheader.plain.strip():
        parts.append(subheader)
    for line in body:
        line.rstrip()
    while body and not body[-1].plain:
        body.pop()
    parts.extend(body)
    if marker_at is not None:
        start, label = marker_at
        if start + cell_len(label) > available:
            label = "▲ here"
        parts.append(Text(" " * start + label, style=VALUE))
    parts.extend(diagram.below)
    if view.trace.mode == "batch":
        parts.append(Text("values per row are in the Forward pass pane", style=MUTED))
    return parts


# -- fallback listing --------------------------------------------------------------------------


def _listing(view: StepView) -> RenderableType:
    """One row per layer, nodes separated by gaps so they wrap: for very wide layers."""
    trace = view.trace
    inputs, outputs = _names(view)
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    base = _was(view)
    if trace.mode == "sample":
        values = Columns(
            [Text.assemble(f"{name} ", _editable(
                view, EditTarget("x", None, (k,)), short(value),
                base is not None and base.x[k] != value, VALUE))
             for k, (name, value) in enumerate(zip(inputs, trace.x))],
            padding=(0, 3),
        )
    else:
        values = Text(", ".join(inputs))
    table.add_row(Text("inputs", style=MUTED), values)
    depth = len(trace.layers)
    for layer, record in enumerate(trace.layers):
        current = highlighted_layer(view.highlight, layer)
        revealed = layer < view.reveal.forward and trace.mode == "sample"
        nodes = []
        for unit in range(record.W.shape[0]):
            node = Text(a_symbol(trace, layer, unit), style="bold")
            if layer == depth - 1 and outputs[unit]:
                node.append(f" {outputs[unit]}")
            if revealed:
                node.append(" ")
                node.append(num(record.a[unit]), style=VALUE)
                node.append(f" ({z_symbol(trace, layer, unit)} {num(record.z[unit])})",
                            style=MUTED)
            else:
                node.append(" ?", style=MUTED)
            nodes.append(node)
        name = layer_name(layer, depth, short=True)
        # The listing has a whole line per layer: the name the Weights and Forward headings
        # use ("sigmoid", not the diagram's narrow "σ").
        heading = Text(f"{name} · {record.activation}", style=CURRENT if current else HEADING)
        if current and view.highlight.part == "layer":
            heading.append(f" {HERE_MARKER}", style=VALUE)
        table.add_row(heading, Columns(nodes, padding=(0, 3)))
        base = _was(view)
        for unit, row in enumerate(record.W):
            weights = Text(f"{row_symbol(trace, layer, unit)} [", style=MUTED)
            for k, value in enumerate(row):
                if k:
                    weights.append(", ")
                weights.append_text(_editable(
                    view, EditTarget("W", layer, (unit, k)), num(value, COMPACT_DECIMALS),
                    base is not None and base.layers[layer].W[unit, k] != value))
            weights.append("]", style=MUTED)
            bias = unit_bias(trace, layer, unit)
            if bias is not None:
                weights.append(f"  {bias[0]} ", style=MUTED)
                weights.append_text(_bias_text(view, layer, unit, COMPACT_DECIMALS))
            table.add_row("", weights)
    if view.reveal.loss:
        heading = Text("loss", style=CURRENT if view.highlight.part == "loss" else HEADING)
        loss = Text.assemble("L ", (_loss_text(trace), VALUE))
        if trace.mode == "sample":
            loss.append("   target" if trace.has_loss else "   dL_dy", style=MUTED)
            for k, value in enumerate(trace.y):
                loss.append(" ")
                loss.append_text(_editable(view, EditTarget("y", None, (k,)), short(value),
                                           base is not None and base.y[k] != value, MUTED))
        table.add_row(heading, loss)
    return table


def _fullest(view: StepView) -> StepView:
    """``view`` with everything a step can add to the diagram: every value, the loss column, a
    highlighted layer (its label line) and the backward note."""
    depth = len(view.trace.layers)
    return replace(view, reveal=Reveal(depth, True, depth, True),
                   highlight=Highlight("layer", 0, "backward"))


def _details(height: int) -> tuple[_Detail, ...]:
    return DETAILS + (SHORT_DETAILS if height else ())


def _view_style(view: StepView, width: int, height: int) -> int:
    """The index in ``_details(height)`` of the most detailed style that fits ``width`` and,
    when some style can, ``height`` lines; -1 for the listing (no diagram fits the width)."""
    fitting = []
    for index, detail in enumerate(_details(height)):
        diagram = _diagram(view, detail)
        if diagram.width > width:
            continue
        lines = len(_draw(view, diagram, width))
        if not height or lines <= height:
            return index
        if detail.weights != "below":  # scrolled, weights listed below would be out of sight
            fitting.append((lines, index))
    return min(fitting)[1] if fitting else -1  # none fits the height: the shortest


def lesson_style(views: Iterable[StepView], width: int, height: int) -> int:
    """The style one lesson is drawn in at one pane size (see ``_view_style``): the least
    detailed of those its networks need at their fullest (``views``), so stepping does not
    switch styles as values, the loss column, a highlight's line or another network come and
    go. -1: the listing."""
    style = None
    for view in views:
        view = _fullest(view)
        if style is not None and _fits(view, _details(height)[style], width, height):
            continue  # (most views fit the style found so far: one drawing each)
        found = _view_style(view, width, height)
        if found == -1:
            return -1
        style = found if style is None else max(style, found)
    return -1 if style is None else style


def _fits(view: StepView, detail: _Detail, width: int, height: int) -> bool:
    diagram = _diagram(view, detail)
    return diagram.width <= width and (not height or len(_draw(view, diagram, width)) <= height)


def network_renderable(view: StepView, width: int, height: int = 0,
                       style: int | None = None) -> RenderableType:
    """The diagram in ``style`` (an index in the details for this height, -1 the listing; None:
    the most detailed that fits this view, see ``_view_style``); a step whose numbers came out wider than the style
    was chosen for falls to the next styles rather than overflow the pane."""
    if style is None:
        style = _view_style(view, width, height)
    if style >= 0:
        for detail in _details(height)[style:]:
            diagram = _diagram(view, detail)
            if diagram.width <= width:
                return Group(*_draw(view, diagram, width))
    return _listing(view)


# The lesson's style (``lesson_style``) by value: its networks' traces (``value_key``), the
# names the diagram gives the inputs and outputs, the pane's size and the decimals. Shared by
# every pane and app in the process, so a lesson opened again (the tutor's next lesson and back;
# the test suite's hundreds of apps) does not draw every network it shows again to choose it;
# an edited lesson has other traces or names, so another key. A few sizes of a few lessons.
_LESSON_STYLES: LRUCache[tuple, int] = LRUCache(64)


def lesson_style_key(view: StepView, traces: Iterable[tuple[object, object]], width: int,
                     height: int) -> tuple:
    """What ``lesson_style`` over ``traces`` (``LessonSession.network_traces``: (network,
    trace) pairs) in the fields of ``view`` depends on, by value (never ``id()``)."""
    marks = explore_marks(view)
    return (tuple(value_key(trace) for _network, trace in traces), view.input_names,
            view.output_names, None if marks is None else value_key(marks), width, height,
            current_decimals())


class NetworkPane(Pane):
    PANE_TITLE = "Network"
    SHOWS_CURSOR = True

    HEIGHT_AWARE = True

    def renderable(self, view: StepView, width: int, height: int) -> RenderableType:
        return network_renderable(view, width, height, self.style(view, width, height))

    def style(self, view: StepView, width: int, height: int) -> int | None:
        """The lesson's style at this size (``lesson_style`` over every network the lesson
        shows, from its session; worked out once per lesson and size, see ``_LESSON_STYLES``);
        None in explore mode, which draws its own edited network."""
        screen = self.screen if self.is_attached else None
        session = getattr(screen, "session", None)
        if session is None or getattr(view, "selected", None) is not None:
            return None
        if getattr(screen, "compact", False):
            # Below 120×36 the pane's height changes with the step (the rows follow what the
            # bottom row holds): the style fits the width, and the pane scrolls.
            height = 0
        traces = session.network_traces()
        key = lesson_style_key(view, traces, width, height)
        found = _LESSON_STYLES.get(key)
        if found is None:
            views = [replace(view, network=network, trace=trace) for network, trace in traces]
            found = lesson_style(views, width, height)
            _LESSON_STYLES.set(key, found)
        return found
