"""The lesson screen's panes, each mounted alone in a tiny app and fed real StepViews.

Views come from ``LessonSession`` and are picked by what they reveal, not by step index, so the
tests keep working as the bundled lessons' steps are rewritten.
"""

from __future__ import annotations

import dataclasses

import pytest
from lesson_files import dense_lesson
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import ProgressBar

from nn_tui.lessons.loader import parse_lesson_text
from nn_tui.lessons.session import LessonSession, StepView, TrainingOutcome
from nn_tui.ui.panes import (
    ForwardPane, GradientsPane, LessonPane, LossPane, NetworkPane, WeightsPane,
)
from nn_tui.ui.panes.loss import MAX_POINTS, REDRAW_HZ, downsample
from ui_helpers import EveryPaneApp, PaneApp, redraw_loss, rendered, screen_text, wait_until

SIZE = (120, 40)


async def show_in_app(pane: Widget, view: StepView, size=SIZE) -> str:
    app = PaneApp(pane)
    async with app.run_test(size=size) as pilot:
        pane.show(view)
        await pilot.pause()
        await pilot.pause()
        return rendered(pane)


# One session per lesson file for the whole module: views are a pure function of the step, and
# replaying a train step trains for real (seconds for the PSA lesson's 2,000 epochs).
_SESSIONS: dict[object, LessonSession] = {}


def session_of(lesson) -> LessonSession:
    # Bundled files by path; lessons parsed inline all share "<lesson>", so by identity.
    key = lesson.path if not lesson.path.startswith("<") else id(lesson)
    if key not in _SESSIONS:
        _SESSIONS[key] = LessonSession(lesson)
    return _SESSIONS[key]


def views(lesson) -> list[StepView]:
    session = session_of(lesson)
    return [session.view(k) for k in range(session.total)]


def first(lesson, condition) -> StepView:
    """The first view that matches, replaying only as far as needed."""
    session = session_of(lesson)
    return next(view for view in map(session.view, range(session.total)) if condition(view))


def inline_lesson(sizes, activations, loss="half_sse", weights=None, names=None) -> str:
    """A one-row lesson built inline: inputs in0.., outputs out0.., explicit weights (and biases
    of 0.1) if given."""
    inputs, outputs = names or ([f"in{i}" for i in range(sizes[0])],
                                [f"out{i}" for i in range(sizes[-1])])
    layers = []
    for index, (units, activation) in enumerate(zip(sizes[1:], activations)):
        layers.append({"units": units, "activation": activation})
        if weights is not None:
            layers[-1].update(weights=weights[index], bias=[0.1] * units)
    row = [0.5] * sizes[0] + [1] + [0] * (sizes[-1] - 1)
    return dense_lesson(inputs, outputs, layers, [row], loss=loss, learning_rate=0.1)


# -- Lesson ------------------------------------------------------------------------------------


async def test_lesson_pane_title_position_and_markdown(psa_hidden):
    view = first(psa_hidden, lambda v: v.step.kind == "backward" and v.step.text)
    pane = LessonPane()
    text = await show_in_app(pane, view)
    assert pane.border_title == "Lesson"
    # The title's line ends with the position.
    title_line = text.splitlines()[0]
    assert title_line.startswith(view.step.title)
    assert title_line.rstrip().endswith(f"step {view.index + 1} of {session_of(psa_hidden).total}")
    first_words = " ".join(view.step.text.split()[:3]).strip("*_`")
    assert first_words.split()[0] in text


async def test_lesson_pane_points_a_question_to_the_check_box(psa_hidden):
    view = first(psa_hidden, lambda v: v.step.kind == "check")
    text = await show_in_app(LessonPane(), view)
    assert "answer it in the Check box" in text


# -- Forward pass ------------------------------------------------------------------------------


async def test_forward_pane_reveals_layer_by_layer(psa_hidden):
    depth = 2
    one_layer = first(psa_hidden, lambda v: v.reveal.forward == 1)
    text = await show_in_app(ForwardPane(), one_layer)
    assert "z₁ = w₁·x + b₁ = 0.5000·2 + 0.0000 = 1.0000" in text
    assert "0.7311" in text
    assert "0.3250" not in text and "−0.7311" not in text
    assert "the next layer comes at a later step" in text

    with_loss = first(psa_hidden, lambda v: v.reveal.forward == depth and v.reveal.loss
                      and not v.reveal.update and v.updates_applied == 0)
    text = await show_in_app(ForwardPane(), with_loss)
    for number in ("1.0000", "0.7311", "−0.7311", "0.3250", "0.0528"):
        assert number in text
    assert "L = ½·Σ(y − ŷ)²" in text


async def test_forward_pane_before_anything_is_computed(psa_hidden):
    view = first(psa_hidden, lambda v: v.reveal.forward == 0)
    text = await show_in_app(ForwardPane(), view)
    assert "0.7311" not in text and "1.0000" not in text
    assert "Nothing computed yet" in text


async def test_forward_pane_fruit_numbers(fruit):
    view = first(fruit, lambda v: v.reveal.loss and v.updates_applied == 0)
    text = await show_in_app(ForwardPane(), view)
    for number in ("0.8000", "1.2000", "1.3600", "0.7958"):
        assert number in text
    assert "0.4000·0.8000 + 0.7000·1.2000 + 0.2000 = 1.3600" in text


async def test_forward_pane_marks_the_highlighted_layer(psa_hidden):
    view = first(psa_hidden, lambda v: v.highlight.part == "layer" and v.highlight.layer == 1
                 and v.highlight.direction == "forward")
    text = await show_in_app(ForwardPane(), view)
    marked = [line for line in text.splitlines() if "◀" in line]
    assert marked and all(line.lstrip().startswith(("z₂ =", "ŷ =")) for line in marked)
    assert any("0.3250 ◀" in line for line in marked)


async def test_forward_pane_batch_mode_lists_every_row(psa_softmax):
    view = first(psa_softmax, lambda v: v.trace.mode == "batch" and v.reveal.forward == 1)
    text = await show_in_app(ForwardPane(), view)
    assert "14 data rows" in text
    rows = [line for line in text.splitlines() if "[0.5000, 0.5000]" in line]
    assert len(rows) == 14


async def test_forward_pane_batch_rows_write_a_single_unit_as_a_number():
    from nn_tui.lessons.catalog import bundled_lessons_dir
    from nn_tui.lessons.loader import load_lesson

    one_unit = load_lesson(bundled_lessons_dir() / "learning-rate.toml")  # y = w·x + b, 4 rows
    view = first(one_unit, lambda v: v.trace.mode == "batch" and v.reveal.forward >= 1)
    text = await show_in_app(ForwardPane(), view)
    from nn_tui.format.numbers import num

    first_z = num(view.trace.layers[0].z[0][0])
    row = next(line for line in text.splitlines() if line.lstrip().startswith("1 "))
    assert first_z in row and "[" not in row  # one hidden unit: no one-element vectors


# -- Gradients ---------------------------------------------------------------------------------


async def test_gradients_pane_reveals_from_the_output_back(psa_hidden):
    output_only = first(psa_hidden, lambda v: v.reveal.backward == 1)
    text = await show_in_app(GradientsPane(), output_only)
    for number in ("0.3250", "0.2194", "0.07128", "0.05211"):
        assert number in text
    assert "∂L/∂w₂" in text
    assert "−0.02803" not in text and "∂L/∂w₁" not in text

    both = first(psa_hidden, lambda v: v.reveal.backward == 2 and not v.reveal.update)
    text = await show_in_app(GradientsPane(), both)
    for number in ("0.05211", "−0.07128", "0.1966", "−0.01402", "−0.02803"):
        assert number in text
    assert "factor" in text and "meaning" in text  # the wide table at 120 columns
    marked = [line for line in text.splitlines() if "◀" in line]
    assert any("−0.02803" in line for line in marked)
    assert not any("0.05211" in line for line in marked)


async def test_gradients_pane_narrow_layout_keeps_the_numbers(psa_hidden):
    both = first(psa_hidden, lambda v: v.reveal.backward == 2 and not v.reveal.update)
    text = await show_in_app(GradientsPane(), both, size=(50, 60))
    assert "factor" not in text
    for number in ("0.05211", "−0.02803", "0.07128"):
        assert number in text


async def test_gradients_pane_shows_the_update_lines(psa_hidden):
    view = first(psa_hidden, lambda v: v.reveal.update)
    text = await show_in_app(GradientsPane(), view, size=(120, 60))
    assert "w₁ new = w₁ − η·∂L/∂w₁ = 0.5000 − 0.1·(−0.02803) = 0.5028" in text
    assert "−1.0052" in text


async def test_gradients_pane_before_the_backward_pass(psa_hidden):
    view = first(psa_hidden, lambda v: v.reveal.backward == 0)
    text = await show_in_app(GradientsPane(), view)
    assert "∂L" not in text and "backward steps" in text


# -- Weights -----------------------------------------------------------------------------------


async def test_weights_pane_lists_every_parameter(fruit):
    view = first(fruit, lambda v: not v.reveal.update)
    text = await show_in_app(WeightsPane(), view)
    for symbol, value in (("W₁[1,1]", "0.5000"), ("W₁[2,2]", "0.8000"), ("b₁[1]", "0.1000"),
                          ("W₂[1,2]", "0.7000"), ("b₂", "0.2000")):
        assert f"{symbol} {value}" in text
    assert "→" not in text
    # One line per neuron: its weights, then its bias.
    lines = [line.strip() for line in text.splitlines()]
    for neuron in ("1", "2"):
        line = next(line for line in lines if line.startswith(f"W₁[{neuron},1]"))
        assert f"W₁[{neuron},2]" in line and line.endswith(f"b₁[{neuron}] 0.1000")


async def test_weights_pane_shows_old_new_and_change_after_an_update(psa_hidden):
    view = first(psa_hidden, lambda v: v.reveal.update)
    text = await show_in_app(WeightsPane(), view)
    w1 = next(line for line in text.splitlines() if line.lstrip().startswith("w₁ "))
    assert "0.5000" in w1 and "→" in w1 and "0.5028" in w1 and "▲ +0.0028" in w1
    w2 = next(line for line in text.splitlines() if line.lstrip().startswith("w₂ "))
    assert "−1.0000" in w2 and "−1.0052" in w2 and "▼ −0.0052" in w2


# -- Network -----------------------------------------------------------------------------------


async def test_network_pane_psa_hides_values_until_computed(psa_hidden):
    before = first(psa_hidden, lambda v: v.reveal.forward == 0)
    text = await show_in_app(NetworkPane(), before)
    assert "PSA" in text and "cancer" in text and "x = 2" in text
    assert "0.7311" not in text and "?" in text
    assert "w₁ 0.5000" in text and "w₂ −1.0000" in text

    at_loss = first(psa_hidden, lambda v: v.highlight.part == "loss")
    text = await show_in_app(NetworkPane(), at_loss)
    for number in ("0.7311", "0.3250", "0.0528"):
        assert number in text
    assert "you are here" in text


async def test_network_pane_marks_the_highlighted_layer(psa_hidden):
    view = first(psa_hidden, lambda v: v.highlight.part == "layer" and v.highlight.layer == 0)
    pane = NetworkPane()
    text = await show_in_app(pane, view)
    lines = text.splitlines()
    marker = next(i for i, line in enumerate(lines) if "▲ you are here" in line)
    column = lines[marker].index("▲")
    node_line = next(line for line in lines if "(a₁)" in line)
    assert node_line.index("(a₁)") == column  # the marker sits under the hidden neuron


async def test_network_pane_2_3_1(tmp_path):
    weights = [[[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]], [[0.7, -0.8, 0.9]]]
    lesson = parse_lesson_text(inline_lesson([2, 3, 1], ["tanh", "sigmoid"], weights=weights,
                                             names=(["colour", "size"], ["ripe"])))
    view = first(lesson, lambda v: v.reveal.loss)
    trace = view.trace
    text = await show_in_app(NetworkPane(), view)
    for name in ("colour", "size", "ripe", "(a₁[1])", "(a₁[2])", "(a₁[3])", "(ŷ)"):
        assert name in text
    from nn_tui.format.numbers import num

    for value in list(trace.layers[0].a) + list(trace.output) + [trace.loss]:
        assert num(value) in text
    assert "W₂ 0.7000 −0.8000 0.9000" in text  # the output neuron's incoming weights (issue 14: the panes' names)
    assert "┤" in text and "▶" in text  # connections drawn as a bus


async def test_network_pane_1_2_softmax():
    lesson = parse_lesson_text(inline_lesson([1, 2], ["softmax"], loss="cross_entropy",
                                             weights=[[[0.5], [-0.5]]],
                                             names=(["PSA"], ["healthy", "cancer"])))
    view = first(lesson, lambda v: v.reveal.loss)
    text = await show_in_app(NetworkPane(), view)
    from nn_tui.format.numbers import num

    assert "(ŷ[1]) healthy" in text and "(ŷ[2]) cancer" in text
    for value in view.trace.output:
        assert num(value) in text
    assert "target [1, 0]" in text


async def test_network_pane_falls_back_to_a_listing_when_too_wide():
    lesson = parse_lesson_text(inline_lesson([8, 8, 8], ["relu", "softmax"], loss="cross_entropy"))
    view = first(lesson, lambda v: v.reveal.loss)
    text = await show_in_app(NetworkPane(), view, size=(60, 80))
    from nn_tui.format.numbers import num

    assert "┤" not in text  # no diagram squeezed into 60 columns
    for unit in range(8):
        assert f"a₁[{unit + 1}] {num(view.trace.layers[0].a[unit])}" in text
        assert f"ŷ[{unit + 1}] out{unit} {num(view.trace.output[unit])}" in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 60


# -- Loss --------------------------------------------------------------------------------------


def test_downsample_keeps_ends_and_extremes():
    history = [1.0 / (k + 1) for k in range(5000)]
    history[1234] = 7.5  # a spike must survive
    epochs, losses = downsample(history)
    assert len(epochs) <= MAX_POINTS
    assert epochs[0] == 0 and epochs[-1] == 4999
    assert losses[0] == 1.0 and losses[-1] == history[-1]
    assert 7.5 in losses and epochs == sorted(epochs)
    assert downsample([3.0, 2.0]) == ([0, 1], [3.0, 2.0])


def outcome(label, history, planned, diverged=None, network=None) -> TrainingOutcome:
    return TrainingOutcome(label.lower(), label, tuple(history), planned, len(history) - 1,
                           diverged, network)


async def test_loss_pane_before_training(psa_hidden):
    hidden = first(psa_hidden, lambda v: not v.reveal.loss)
    pane = LossPane()
    app = PaneApp(pane)
    async with app.run_test(size=SIZE) as pilot:
        pane.show(hidden)
        await pilot.pause()
        text = rendered(pane)
        assert "L = ?" in text and "0.0528" not in text
        assert "A training run draws its loss curve here" in text
        assert not pane.query_one(ProgressBar).display
        shown = first(psa_hidden, lambda v: v.reveal.update)
        pane.show(shown)
        await pilot.pause()
        text = rendered(pane)
        # The values written so that the two shown give the change shown (as in the Forward pane).
        assert "0.052800304 before the update → 0.051927552 after (lower by 0.0008728)" in text


async def test_loss_pane_redraws_live_training_from_a_timer(psa_hidden):
    # No fixed pauses: what is pending from mounting is applied at once (redraw_if_stale is
    # what the timer calls), then the test waits for the timer's own next tick (at most
    # 1 / REDRAW_HZ) to draw the burst; nothing else here calls redraw_if_stale.
    base = first(psa_hidden, lambda v: v.step.kind == "train")
    pane = LossPane()
    app = PaneApp(pane)
    async with app.run_test(size=SIZE) as pilot:
        pane.show(base)
        await pilot.pause()
        pane.redraw_if_stale()  # (the first paint and the resize's redraw, now)
        redraws_before = pane.redraws
        planned = 5000
        history = [0.25]
        for _ in range(100):  # a burst of worker messages, far faster than the redraw rate
            history.extend(0.25 / (1 + len(history) / 50) for _ in range(50))
            pane.show(dataclasses.replace(base, trainings=(outcome("Main", history, planned),)))
        assert pane.redraws == redraws_before  # nothing drawn synchronously
        await wait_until(pilot, lambda: pane.redraws > redraws_before,
                         "the redraw timer draws the burst", timeout=10)
        await pilot.pause()
        # (A plot mounted on the timer's pass is drawn again once laid out: the next tick's
        # work, applied now.)
        pane.redraw_if_stale()
        await pilot.pause()
        assert 1 <= pane.redraws - redraws_before <= 2  # the whole burst, not a redraw each
        drawn = pane.redraws
        [(label, epochs, losses)] = pane.plotted
        assert len(history) == 5001 and len(epochs) <= MAX_POINTS
        assert epochs[0] == 0 and epochs[-1] == 5000 and losses[-1] == history[-1]
        plotted_x = pane.query_one("#loss-plot").plt.monitor.x
        assert len(plotted_x) == 1 and len(plotted_x[0]) == len(epochs)
        text = rendered(pane)
        assert f"epoch 5000 / {planned}" in text and "✓ done" in text
        progress = pane.query_one(ProgressBar)
        assert progress.display and progress.progress == 5000 and progress.total == planned
        pane.redraw_if_stale()  # a tick with no new data since
        assert pane.redraws == drawn  # idle: no redraw without new data


async def test_loss_pane_single_diverged_curve_ends_where_it_diverged(psa_hidden):
    base = first(psa_hidden, lambda v: v.step.kind == "train")
    reason = "the loss became inf at epoch 12: the learning rate η = 80 makes each step overshoot"
    wild = outcome("Main", [0.25 * 3.0**k for k in range(12)], 200, diverged=reason)
    pane = LossPane()
    app = PaneApp(pane)
    async with app.run_test(size=SIZE) as pilot:
        pane.show(dataclasses.replace(base, trainings=(wild,)))
        await redraw_loss(app, pilot)
        [(_, epochs, losses)] = pane.plotted
        assert epochs[-1] == 11 and losses == list(wild.history)
        text = rendered(pane)
        assert "epoch 11 / 200" in text and "✗ diverged" in text and "η = 80" in text


async def test_loss_pane_diverged_curve_and_its_key(psa_hidden):
    base = first(psa_hidden, lambda v: v.step.kind == "train")
    reason = "loss 0.25 → 3e+05 by epoch 40: the learning rate η = 50 is too large"
    steady = outcome("η = 0.1", [0.25 - k * 0.0001 for k in range(101)], 200)
    wild = outcome("η = 50", [0.25 * 1.4**k for k in range(40)], 200, diverged=reason)
    pane = LossPane()
    app = PaneApp(pane)
    async with app.run_test(size=SIZE) as pilot:
        pane.show(dataclasses.replace(base, trainings=(steady, wild)))
        await redraw_loss(app, pilot)
        text = rendered(pane)
        # Each run's line starts with its curve's key: the dots it is drawn with.
        assert "•• η = 50: ✗ diverged" in text
        assert "▞▞ η = 0.1: L 0.2400 (epoch 100, from 0.2500)" in text  # still running
        # Why it diverged, under the key lines, keyed by its curve (the reason wraps).
        assert "•• diverged: loss 0.25 → 3e+05" in text
        assert "η = 50 is too large" in " ".join(text.split())
        labels = [label for label, _, _ in pane.plotted]
        assert labels == ["η = 0.1", "η = 50"]
        # The diverging curve is cut where it leaves the converging runs' scale, on the edge.
        wild_epochs, wild_losses = pane.plotted[1][1], pane.plotted[1][2]
        assert wild_epochs[-1] < 39 and wild_losses[-1] == pytest.approx(1.5 * 0.25)
        assert wild_losses[:-1] == list(wild.history[: len(wild_losses) - 1])
        plot = pane.query_one("#loss-plot")
        plot_text = "\n".join(
            strip.text for strip in plot.render_lines(Region(0, 0, *plot.size))
        )
        # The key is beside the plot, not over its top rows.
        assert "•" in plot_text and "η =" not in plot_text


# -- every pane, every step, both sizes --------------------------------------------------------


@pytest.mark.parametrize("size, lessons", [
    ((80, 24), ("psa_hidden", "psa_softmax")),  # the smallest supported terminal; batch mode
    ((120, 40), ("fruit",)),
])
async def test_every_step_renders_in_every_pane(size, lessons, request):
    # Each view is rendered by every pane at its laid-out size (``show`` draws the pane's
    # lines at once, ``rendered`` its other text); the screen is painted after each lesson.
    app = EveryPaneApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        panes = list(app.query(".pane"))
        titles = [pane.border_title for pane in panes]
        assert titles == ["Lesson", "Network", "Weights", "Forward pass", "Gradients", "Loss"]
        for lesson in map(request.getfixturevalue, lessons):
            for view in views(lesson):
                for pane in panes:
                    pane.show(view)
                for pane in panes:
                    assert pane.view is view and pane.size.width > 0
                    assert rendered(pane).strip(), f"{view.step.title}: {pane.border_title}"
            await pilot.pause()
        screen = screen_text(app)
        for title in titles:
            assert title in screen


# -- scrolling to what changed ------------------------------------------------------------------


async def test_a_new_step_scrolls_its_first_new_line_into_view(fruit):
    """Each step brings the first line that changed into view; a position kept from a longer
    earlier content must not leave the pane blank."""
    session = session_of(fruit)
    one_layer = first(fruit, lambda v: v.reveal.forward == 1 and not v.reveal.loss)
    both_layers = first(fruit, lambda v: v.reveal.forward == 2 and v.index > one_layer.index)
    pane = ForwardPane()
    app = PaneApp(pane)
    async with app.run_test(size=(80, 10)) as pilot:  # a short pane: the content scrolls
        pane.show(one_layer)
        await pilot.pause()
        await pilot.pause()
        body = pane.body
        assert body.scroll_y == 0
        pane.show(both_layers)
        await pilot.pause()
        await pilot.pause()
        # The output layer's lines are new: they are in view now.
        top = round(body.scroll_y)
        shown = body.text.splitlines()[top: top + body.size.height]
        assert any("ŷ" in line for line in shown)
        # Back to a step with less content: the pane is not left scrolled past its end.
        pane.show(session.view(0))
        await pilot.pause()
        await pilot.pause()
        top = round(body.scroll_y)
        assert "".join(body.text.splitlines()[top: top + body.size.height]).strip()


def test_every_run_a_race_can_have_gets_its_own_curve_key():
    from nn_tui.lessons.loader import MAX_VARIANTS
    from nn_tui.ui.panes.loss import CURVE_STYLES

    assert len(CURVE_STYLES) >= MAX_VARIANTS + 1  # the variants and the main network
    for column in range(3):  # plotext marker, key glyph, colour
        assert len({style[column] for style in CURVE_STYLES}) == len(CURVE_STYLES)


async def test_a_tall_loss_plot_titles_its_axes(psa_hidden):
    # The plot is first drawn as it is mounted (no height yet); once laid out tall, it must
    # get its axis titles without waiting for a new curve.
    base = first(psa_hidden, lambda v: v.step.kind == "train")
    run = outcome("main", [0.25 - k * 0.001 for k in range(101)], 100)
    pane = LossPane()
    app = PaneApp(pane)
    async with app.run_test(size=SIZE) as pilot:
        pane.show(dataclasses.replace(base, trainings=(run,), training_planned=()))
        await redraw_loss(app, pilot)
        plot = pane.query_one("#loss-plot")
        drawn = "\n".join(strip.text for strip in plot.render_lines(Region(0, 0, *plot.size)))
        assert plot.size.height >= 12 and "epoch" in drawn and "loss" in drawn
