"""A lesson as a Markdown document a teacher can print: ``nn-tui export LESSON --markdown``.

The document replays the lesson with the same ``LessonSession`` the tutor uses and writes, step
by step, the worked arithmetic the panes show at that step (``nn_tui.format.worked``, formatted
by ``nn_tui.format.numbers``): nothing is computed here, every number is the trace's or the
training run's. A step shows only what it reveals: a block of arithmetic (a layer's forward
pass, the loss, a layer's chain rule, the update) is written at the first step whose panes show
it, and again only when its numbers change (new weights, another data row).

Layout: title, summary, the network and its initial weights, the data; the steps (questions
with their choices, no answers); the solutions; the sources. Worked arithmetic goes in fenced
code blocks and lists of numbers in tables, so the file renders well on GitHub and reads well
printed as plain text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

from nn_tui import __version__
from nn_tui.engine.losses import LOSSES
from nn_tui.engine.trace import Trace
from nn_tui.format import trace_text, worked
from nn_tui.format.names import subscript
from nn_tui.format.numbers import num, short
from nn_tui.format.trace_text import width
from nn_tui.lessons.fingerprint import value_key
from nn_tui.lessons.model import Lesson, NetworkSpec, StepKind
from nn_tui.lessons.session import LessonSession, StepView, TrainingOutcome

# A printed page holds about this many characters of fixed-width text per line.
PLOT_WIDTH = 72
PLOT_HEIGHT = 16
# More data rows than this are cut from the document (the lesson file has them all).
MAX_DATA_ROWS = 60
# A batch's rows are listed up to this many (the pane scrolls through all of them; paper does
# not), then counted.
MAX_BATCH_LINES = 20
# Each run's curve gets its own marker, so the plot reads without colour.
PLOT_MARKERS = ("•", "x", "+", "o", "*", "#", "@", "%", "=")
MAX_PLOT_POINTS = 400

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
# "<" that could open an HTML tag or comment in a Markdown renderer ("<b>", "</", "<!--").
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")

# -- Markdown helpers ----------------------------------------------------------------------------


def plain(text: str) -> str:
    """Plain text (a title, a prompt, a choice: the tutor shows these literally) made safe to
    put in Markdown: the characters that would turn into emphasis, links, code or HTML are
    escaped, and each line break stays a line break. Only where they would act: "ŷ > 0.5",
    "0.3250" and "half_sse" stay as they are, so the file still reads as plain text."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*`])", r"\\\1", text)
    # Brackets make a link only as "[text](url)", "[text][ref]" or "[ref]: url".
    text = re.sub(r"\](?=[(\[])", r"\\]", text)
    text = _TAG_START.sub("\\\\<", text)
    # An underscore only emphasises at the edge of a word ("_x_"), not inside one (half_sse).
    text = re.sub(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])", r"\\_", text)
    lines = []
    for line in text.strip("\n").split("\n"):
        # What would start a heading, a list, a quote or a rule at the start of a line.
        line = re.sub(r"^(\s*)([#+\-=]+)(?=\s|$)", r"\1\\\2", line)
        line = re.sub(r"^(\s*)>", r"\1\\>", line)
        line = re.sub(r"^(\s*\[[^\]]*)\](?=:)", r"\1\\]", line)
        line = re.sub(r"^(\s*\d{1,9})([.)])(?=\s|$)", r"\1\\\2", line)
        lines.append(line)
    return "  \n".join(lines)  # two spaces: a hard line break


def authored_markdown(text: str) -> str:
    """A step's text, which the tutor renders as Markdown: kept as written, except that raw
    HTML is written out as text (the tutor never renders it either) and a code fence left
    open is closed, so it cannot swallow the rest of the document."""
    lines = []
    fence: str | None = None
    for line in text.strip("\n").split("\n"):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            lines.append(line)
            continue
        lines.append(line if fence else _TAG_START.sub("&lt;", line))
    if fence is not None:
        lines.append(fence)
    return "\n".join(lines)


def table(header: Sequence[str], rows: Iterable[Sequence[str]],
          right: Sequence[bool] | None = None) -> str:
    """A Markdown table with its columns padded to line up, so it also reads as plain text.
    Cells are plain text (escaped here)."""
    def cell(text: str) -> str:
        return plain(text).replace("  \n", " ").replace("|", "\\|")

    cells = [[cell(text) for text in header]]
    cells += [[cell(text) for text in row] for row in rows]
    columns = len(header)
    right = right or [False] * columns
    widths = [max(3, *(width(row[c]) for row in cells)) for c in range(columns)]

    def line(row: Sequence[str]) -> str:
        padded = []
        for c, cell in enumerate(row):
            gap = " " * (widths[c] - width(cell))
            padded.append(gap + cell if right[c] else cell + gap)
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(("-" * (widths[c] - 1) + ":") if right[c] else "-" * widths[c]
                             for c in range(columns)) + " |"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def code(lines: Iterable[str]) -> str:
    """Lines of worked arithmetic in a fenced code block (its fence longer than any run of
    backticks inside, so no text can close it early)."""
    body = "\n".join(lines)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


# -- the parts of the document -------------------------------------------------------------------


def _layer_name(layer: int, depth: int) -> str:
    return "output layer" if layer == depth - 1 else f"layer {layer + 1}"


def _initial_trace(lesson: Lesson, spec: NetworkSpec) -> Trace:
    """The trace of the focus row through a fresh network of ``spec`` (for its symbols and
    its weights, as the Weights pane shows them)."""
    row = lesson.focus
    with np.errstate(all="ignore"):
        return spec.build().trace(lesson.X[row], lesson.Y[row], rows=(row,))


def _weights_lines(trace: Trace) -> list[str]:
    """Every W and b of the trace's network, one line per neuron (as the Weights pane)."""
    lines = []
    depth = len(trace.layers)
    for layer, record in enumerate(trace.layers):
        units, fan_in = record.W.shape
        bias = ("no bias" if not record.use_bias else
                "b shared by all units" if record.shared_bias else f"b {units}")
        frozen = ""
        if record.freeze:
            frozen = " · " + " and ".join("W" if group == "weights" else "b"
                                          for group in record.freeze) + " frozen"
        lines.append(f"{_layer_name(layer, depth)} · {record.activation} · "
                     f"W {units}×{fan_in}, {bias}{frozen}")
        for unit in range(units):
            cells = [f"{worked.weight_symbol(trace, layer, unit, k)} = {num(record.W[unit, k])}"
                     for k in range(fan_in)]
            if record.use_bias and not record.shared_bias:
                cells.append(f"{worked.bias_symbol(trace, layer, unit)} = {num(record.b[unit])}")
            lines.append("  " + "   ".join(cells))
        if record.shared_bias:
            lines.append(f"  {worked.bias_symbol(trace, layer, 0)} = {num(record.b[0])} "
                         "(added to every unit)")
    return lines


def _layer_words(layer) -> str:
    """A layer's activation and conventions in words: "sigmoid, shared bias, bias frozen"."""
    words = [layer.activation]
    if layer.negative_slope is not None:
        words[0] += f" (negative_slope {short(layer.negative_slope)})"
    if not layer.use_bias:
        words.append("no bias")
    elif layer.shared_bias:
        words.append("one shared bias")
    if layer.freeze:
        words.append(" and ".join(layer.freeze) + " frozen")
    return ", ".join(words)


def _network_section(lesson: Lesson) -> list[str]:
    spec = lesson.network
    trace = _initial_trace(lesson, spec)
    inputs = ", ".join(f"{name} ({_input_symbol(k, len(spec.inputs))})"
                       for k, name in enumerate(spec.inputs))
    outputs = ", ".join(spec.outputs)
    shape = " → ".join(str(size) for size in spec.sizes)
    layers = "; ".join(f"{_layer_name(k, len(spec.layers))}: {layer.units} "
                       f"{'unit' if layer.units == 1 else 'units'}, {_layer_words(layer)}"
                       for k, layer in enumerate(spec.layers))
    loss_spec = LOSSES[spec.loss]
    loss = f"{loss_spec.title} ({spec.loss}), {loss_spec.formula}"
    if not loss_spec.has_value:
        loss = f"{loss_spec.expression} ({spec.loss})"
    elif spec.reduction == "sum":
        loss += "; over several rows, the sum of the rows' losses"
    elif len(lesson.rows) > 1:
        loss += "; over several rows, the mean of the rows' losses"
    items = [
        f"- **Inputs:** {plain(inputs)}",
        f"- **Outputs:** {plain(outputs)} (ŷ)",
        f"- **Layers:** {shape}; {plain(layers)}",
        f"- **Loss:** {plain(loss)}",
        f"- **Learning rate:** η = {short(spec.learning_rate)}",
    ]
    training = lesson.training
    batches = ("the whole data set at each step" if training.batch_size is None
               or training.batch_size >= len(lesson.rows)
               else f"mini-batches of {training.batch_size} rows, shuffled with seed "
                    f"{training.shuffle_seed}" if training.shuffle
               else f"mini-batches of {training.batch_size} rows, in file order every epoch "
                    "(shuffle = false)")
    if spec.loss == "none":
        items.append("- **Training:** none (with loss = \"none\" there is no loss to minimise)")
    else:
        items.append(f"- **Training:** {training.epochs} epochs unless a step says otherwise, "
                     f"{batches}")
    parts = ["## The network", "\n".join(items), "Initial weights:", code(_weights_lines(trace))]
    if lesson.variants:
        rows = []
        for variant in lesson.variants:
            other = variant.network
            rows.append((
                variant.label,
                " → ".join(str(size) for size in other.sizes) + " ("
                + ", ".join(layer.activation for layer in other.layers) + ")",
                other.loss,
                short(other.learning_rate),
                str(variant.epochs) if variant.epochs else "",
            ))
        header = ("network", "layers", "loss", "η", "epochs")
        right = (False, False, False, True, True)
        if not any(variant.epochs for variant in lesson.variants):
            header, right, rows = header[:-1], right[:-1], [row[:-1] for row in rows]
        parts += ["Other networks the lesson compares with it:", table(header, rows, right)]
    return parts


def _input_symbol(index: int, size: int) -> str:
    return "x" if size == 1 else f"x{subscript(index + 1)}"


def _data_section(lesson: Lesson) -> list[str]:
    spec = lesson.network
    header = ["row", *spec.inputs, *spec.outputs]
    rows = [[str(index + 1), *(short(value) for value in values)]
            for index, values in enumerate(lesson.rows[:MAX_DATA_ROWS])]
    parts = ["## The data",
             f"{len(lesson.rows)} {'row' if len(lesson.rows) == 1 else 'rows'}: "
             f"{plain(', '.join(spec.inputs))} in, {plain(', '.join(spec.outputs))} "
             f"{'the target' if spec.loss != 'none' else 'the given gradient ∂L/∂ŷ (dL_dy)'}. "
             + ("Rows are numbered from 0, as in the lesson file." if not lesson.data_file else
                f"They are read from {plain(lesson.data_file)}; row 0 is its first line under "
                "the header."),
             table(header, rows, [True] * len(header))]
    if len(lesson.rows) > MAX_DATA_ROWS:
        parts.append(f"… and {len(lesson.rows) - MAX_DATA_ROWS} more rows (all of them are in "
                     f"{plain(lesson.data_file) if lesson.data_file else 'the lesson file'}).")
    focus = lesson.focus
    values = ", ".join(f"{name} = {short(value)}" for name, value in
                       zip(spec.inputs + spec.outputs, lesson.rows[focus]))
    parts.append(f"The worked arithmetic follows row {focus + 1} ({plain(values)}) unless a step "
                 "says otherwise.")
    return parts


# -- the steps ------------------------------------------------------------------------------------


def _selection_line(view: StepView, lesson: Lesson) -> str:
    """Which data the arithmetic is about: "row 8: PSA = 2; target cancer = 0"."""
    trace = view.trace
    spec = lesson.network
    if trace.mode == "batch":
        rows = len(trace.rows) if trace.rows else len(trace.x)
        return f"all {rows} data rows at once"
    inputs = ", ".join(f"{name} = {short(v)}" for name, v in zip(spec.inputs, trace.x))
    targets = ", ".join(f"{name} = {short(v)}" for name, v in zip(spec.outputs, trace.y))
    where = f"row {trace.rows[0] + 1}" if trace.rows else "the step's own example"
    given = "target" if trace.has_loss else "given dL_dy"
    return f"{where}: {inputs}; {given} {targets}"


def _forward_block(view: StepView, layer: int) -> list[str]:
    return trace_text.forward_text(view.trace, layer, MAX_BATCH_LINES)


def _gradient_table(view: StepView, layer: int) -> str:
    rows = worked.backward_rows(view.trace, layer)
    return table(("factor", "meaning", "formula with numbers", "value"),
                 [(row.symbol, trace_text.gradient_meaning(row),
                   worked.working(row.formula, row.plugged, row.value),
                   row.value) for row in rows],
                 (False, False, False, True))


def _blocks(view: StepView) -> list[tuple[tuple, str]]:
    """(key, name) of every block of arithmetic the panes show at ``view``, in reading order;
    the key says what its numbers depend on (the trace's value key, ``fingerprint.value_key``)."""
    trace = view.trace
    key = value_key(trace)
    depth = len(trace.layers)
    reveal = view.reveal
    shown_forward = min(reveal.forward, depth)
    found = [((key, "forward", layer), "forward") for layer in range(shown_forward)]
    if reveal.loss and shown_forward == depth:
        found.append(((key, "loss"), "loss"))
    for layer in range(depth - 1, depth - 1 - min(reveal.backward, depth), -1):
        found.append(((key, "backward", layer), "backward"))
    if reveal.update:
        found.append(((key, "update"), "update"))
    return found


def _state_note(view: StepView) -> str:
    """Which weights the numbers are of, when not the initial ones: " (after 1 update)"."""
    label = view.state_label
    return "" if label == "initial weights" else f" ({plain(label)})"


def _state_words(view: StepView) -> str:
    label = view.state_label
    return "" if label == "initial weights" else f"; {plain(label)}"


def _arithmetic(view: StepView, lesson: Lesson, new: list[tuple],
                selection: list[str]) -> list[str]:
    """The parts of the worked arithmetic whose keys are in ``new``, as the panes write them.
    ``selection`` holds the data the last forward pass written was about: it is said again
    only when it changes."""
    trace = view.trace
    depth = len(trace.layers)
    parts: list[str] = []
    note = _state_note(view)
    forward = [key[2] for key in new if key[1] == "forward"]
    if forward:
        title = ("Forward pass" if len(forward) > 1
                 else f"Forward pass, {_layer_name(forward[0], depth)}")
        about = _selection_line(view, lesson)
        if selection and selection[0] == about:
            parts.append(f"**{title}**{note}:")
        else:
            parts.append(f"**{title}**{note}, {plain(about)}:")
            selection[:] = [about]
        lines: list[str] = []
        for layer in forward:
            if len(forward) > 1:
                lines.append(f"{_layer_name(layer, depth)} · {trace.layers[layer].activation}")
            lines += [("  " if len(forward) > 1 else "") + line
                      for line in _forward_block(view, layer)]
        parts.append(code(lines))
    if any(key[1] == "loss" for key in new):
        where = "this example" if trace.mode == "sample" else "this batch"
        state = _state_words(view) if not forward else ""
        parts.append(f"**Loss** on {where} ({plain(trace.loss_name)}{state}):")
        parts.append(code(trace_text.loss_text(trace)))
    for key in new:
        if key[1] == "backward":
            layer = key[2]
            heading = f"**Gradients, {_layer_name(layer, depth)}** (chain rule)"
            if trace.mode == "batch":
                heading += ", over the whole batch"
            parts += [heading + ":", _gradient_table(view, layer)]
    if any(key[1] == "update" for key in new):
        parts.append(f"**Update**: w ← w − η·∂L/∂w with η = {trace.learning_rate:g}, "
                     "old → new:")
        parts.append(code(trace_text.update_text(trace)))
        # "ŷ new = 0.3223 (was 0.3250)": the pane's two numbers, in the order a sentence reads.
        after = trace_text.after_text(trace, MAX_BATCH_LINES)
        parts.append("**After the update**, the same data through the new weights:")
        parts.append(code(after))
    return parts


def _run_state(outcome: TrainingOutcome) -> str:
    """The run's state in a word or two, for the table (why: in the notes under it)."""
    if outcome.diverged:
        return "diverged"
    if outcome.stalled:
        return "stalled"
    return "done" if outcome.epochs_run == outcome.epochs_planned else "stopped"


def _run_notes(outcome: TrainingOutcome) -> list[str]:
    """Why a run diverged or stalled, and which epoch its final loss belongs to."""
    notes = []
    if outcome.diverged:
        notes.append(f"diverged: {outcome.diverged}")
    elif outcome.stalled:
        notes.append(f"stalled, {outcome.stalled}")
    kept = outcome.kept_epoch
    if kept != outcome.epochs_run:
        notes.append("its final loss is the starting network's" if kept == 0
                     else f"its final loss is that of epoch {kept}, the last with a finite loss")
    return notes


def _loss_text(value: float) -> str:
    return num(value) + ("" if math.isfinite(value) else " (overflow)")


def training_table(outcomes: Sequence[TrainingOutcome]) -> str:
    """One row per run: epochs, loss before and after, and why it diverged or stalled."""
    rows = [(outcome.label, f"{outcome.epochs_run} / {outcome.epochs_planned}",
             _loss_text(outcome.history[0]), _loss_text(outcome.history[-1]), _run_state(outcome))
            for outcome in outcomes]
    text = table(("network", "epochs", "start loss", "final loss", "run"), rows,
                 (False, True, True, True, False))
    notes = [f"- {plain(outcome.label)}: {plain(note)}"
             for outcome in outcomes for note in _run_notes(outcome)]
    return text + ("\n\n" + "\n".join(notes) if notes else "")


def _downsample(values: list[float], limit: int = MAX_PLOT_POINTS) -> list[int]:
    """Positions of at most about ``limit`` points that keep the curve's shape (each bucket's
    lowest and highest, the first and the last)."""
    if len(values) <= limit:
        return list(range(len(values)))
    buckets = max((limit - 2) // 2, 1)
    size = -(-(len(values) - 2) // buckets)
    kept = {0, len(values) - 1}
    for start in range(1, len(values) - 1, size):
        chunk = values[start:min(start + size, len(values) - 1)]
        kept.add(start + chunk.index(min(chunk)))
        kept.add(start + chunk.index(max(chunk)))
    return sorted(kept)


def loss_plot(outcomes: Sequence[TrainingOutcome]) -> str | None:
    """The loss curves as a plotext text plot, without colour; None if there is nothing finite
    to plot. A diverging run is cut where it leaves 1.5 times the steady runs' highest loss, so
    the others keep a readable scale (as in the Loss pane)."""
    curves = []
    for number, outcome in enumerate(outcomes):
        points = [(epoch, float(loss)) for epoch, loss in enumerate(outcome.history)
                  if math.isfinite(loss)]
        if points:
            curves.append((number, points))
    if not curves:
        return None
    steady = [max(loss for _e, loss in points) for number, points in curves
              if not outcomes[number].diverged]
    ceiling = 1.5 * max(steady) if steady and len(steady) < len(curves) else None
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(PLOT_WIDTH, PLOT_HEIGHT)
    plt.theme("clear")
    drawn = []
    for number, points in curves:
        if ceiling is not None:
            for position, (_epoch, loss) in enumerate(points):
                if loss > ceiling:
                    points = points[:position] + [(points[position][0], ceiling)]
                    break
        kept = _downsample([loss for _e, loss in points])
        drawn.append((number, [points[k][0] for k in kept], [points[k][1] for k in kept]))
    lowest = min(min(losses) for _n, _e, losses in drawn)
    highest = max(max(losses) for _n, _e, losses in drawn)
    magnitude = max(abs(lowest), abs(highest))
    # plotext rounds coordinates via value·10⁸, which overflows near 1e300: plot huge (or tiny)
    # losses scaled, with tick labels written from the losses themselves.
    scale = 1.0 if magnitude == 0 or 1e-6 <= magnitude <= 1e6 else \
        10.0 ** math.floor(math.log10(magnitude))
    for number, epochs, losses in drawn:
        plt.plot(epochs, [loss / scale for loss in losses],
                 marker=PLOT_MARKERS[number % len(PLOT_MARKERS)])
    plt.xlim(0, max(max(outcome.epochs_planned for outcome in outcomes), 1))
    bottom = min(0.0, lowest) / scale
    top = highest / scale if highest / scale > bottom else bottom + 1.0
    plt.ylim(bottom, top)
    ticks = [bottom, (bottom + top) / 2, top]
    plt.yticks(ticks, [f"{tick * scale:.3g}" for tick in ticks])
    plt.xlabel("epoch")
    text = _ANSI.sub("", plt.build())
    plt.clear_figure()
    return "\n".join(line.rstrip() for line in text.splitlines())


def _training_parts(outcomes: Sequence[TrainingOutcome]) -> list[str]:
    parts = ["**Training**: the loss over all rows, before and after.", training_table(outcomes)]
    plot = loss_plot(outcomes)
    if plot is None:
        parts.append("No loss curve: no epoch has a finite loss to plot.")
        return parts
    lines = plot.splitlines()
    if len(outcomes) > 1:
        lines.append("")
        lines += [f"{PLOT_MARKERS[number % len(PLOT_MARKERS)]}  {outcome.label}"
                  for number, outcome in enumerate(outcomes)
                  if any(math.isfinite(loss) for loss in outcome.history)]
    parts += ["The loss curve (loss over all rows, by epoch):", code(lines)]
    return parts


def _question_parts(view: StepView, number: int) -> list[str]:
    step = view.step
    parts = [f"**Question {number}.** {plain(step.prompt or step.title or 'Your turn')}"]
    if step.choices:
        parts.append("\n".join(f"{k}. {plain(choice.text)}"
                               for k, choice in enumerate(step.choices, start=1)))
        parts.append("Your choice: ____")
    else:
        parts.append("Your answer: ______________")
    return parts


def _explore_parts(session: LessonSession, index: int, number: int) -> list[str]:
    """An explore step on paper: its task, the numbers one may change and the goal (written
    in the answer language: goals and edit paths hold no Markdown characters but ``*``)."""
    from nn_tui.lessons.explore_goal import step_targets

    step = session.steps[index]
    network, x, y, _rows = session.explore_data(index)
    targets = step_targets(step, network, x, y)
    parts = [f"**Try it {number}.** {plain(step.prompt or step.title)}"]
    if step.editable is None:
        parts.append("Change any weight, bias, input, target or η (in the tutor: press e at "
                     "this step) until this holds:")
    else:
        names = ", ".join(f"`{target.path}`" for target in targets)
        parts.append(f"Change only {names} (in the tutor: press e at this step) until this "
                     "holds:")
    parts.append(f"`{step.goal.strip()}`")
    return parts


def _solution_parts(session: LessonSession, index: int, number: int) -> list[str]:
    """A check's answer as the tutor reveals it (the session's value, in the panes' format),
    its explanation, then its hints; for an explore step, the goal then the same."""
    step = session.steps[index]
    title = step.title or step.prompt or "Your turn"
    label = "Try it" if step.kind == StepKind.EXPLORE else "Question"
    parts = [f"### {label} {number} · {plain(title)} (step {index + 1})"]
    if step.kind == StepKind.EXPLORE:
        # Many edits reach a goal: there is no one answer to give, only what counts as one.
        answer = f"Reached when `{step.goal.strip()}` holds for the edited network."
    elif step.choices:
        # A choice's value only encodes the answer (1 for up, −1 for down): the choice is the
        # answer, by its number and its text.
        correct = session.correct_choice(index)
        answer = f"The answer: choice {correct + 1}, **{plain(step.choices[correct].text)}**"
    else:
        answer = f"The answer: **{num(session.answer(index))}**"
    parts.append(answer)
    if step.explanation:
        parts.append(plain(step.explanation))
    if step.hints:
        parts.append("Hints for a learner who is stuck:")
        hints = [plain(hint).replace("  \n", " ") for hint in step.hints]
        parts.append("\n".join(f"{k}. {hint}" for k, hint in enumerate(hints, start=1)))
    return parts


def export_markdown(lesson: Lesson) -> str:
    """The whole lesson as a Markdown document (text ending in a newline).

    ``lesson`` must be one that ``nn-tui check`` accepts (``load_checked_lesson``): every step
    is replayed, every training run trained to its end, and every check's answer resolved.
    Numbers are written as the panes write them (``format.numbers``, with its current decimals).
    """
    session = LessonSession(lesson)
    parts: list[str] = [f"# {plain(lesson.title)}"]
    if lesson.summary:
        parts.append(plain(lesson.summary))
    kind = " (a generated walk-through)" if session.generated else ""
    parts.append(f"*Lesson `{lesson.id}`, {session.total} steps{kind}. Exported by nn-tui "
                 f"{__version__}: every number below is the tutor's own, from its NumPy "
                 f"network.*")
    parts += _network_section(lesson)
    parts += _data_section(lesson)
    parts.append("## Steps")

    shown: set[tuple] = set()  # the blocks the previous step showed
    shown_training: object = None
    questions: list[tuple[int, int]] = []
    tasks: list[tuple[int, int]] = []  # explore steps
    selection: list[str] = []
    for index in range(session.total):
        view = session.view(index)
        step = view.step
        title = step.title or step.kind.capitalize()
        parts.append(f"### Step {index + 1} · {plain(title)}")
        if step.text:
            parts.append(authored_markdown(step.text))
        blocks = _blocks(view)
        new = [key for key, _name in blocks if key not in shown]
        shown = {key for key, _name in blocks}
        if step.kind == StepKind.TRAIN:
            # The tutor runs the training at this step (the learner presses space): its results
            # belong here, not to the next step, whose panes show them.
            parts += _arithmetic(view, lesson, new, selection)
            outcomes = session.training_outcomes(index)
            parts += _training_parts(outcomes)
            shown_training = outcomes
            continue
        if view.trainings and view.trainings is not shown_training:
            parts += _training_parts(view.trainings)
            shown_training = view.trainings
        parts += _arithmetic(view, lesson, new, selection)
        if step.kind == StepKind.CHECK:
            questions.append((index, len(questions) + 1))
            parts += _question_parts(view, len(questions))
        if step.kind == StepKind.EXPLORE:
            # Numbered apart from the questions: on paper it is a task to try, not an answer.
            tasks.append((index, len(tasks) + 1))
            parts += _explore_parts(session, index, len(tasks))

    if questions or tasks:
        parts.append("## Solutions")
        for index, number in questions:
            parts += _solution_parts(session, index, number)
        for index, number in tasks:
            parts += _solution_parts(session, index, number)
    if lesson.sources:
        parts.append("## Sources")
        parts.append("This lesson follows:")
        parts.append("\n".join(f"- {plain(source)}" for source in lesson.sources))
    return "\n\n".join(parts) + "\n"


__all__ = ["export_markdown"]
