"""One source for the plain-text trace (nn_tui.format.trace_text): ``nn-tui trace`` and the
Markdown export write the same lines for the same sections."""

from __future__ import annotations

import pytest

from nn_tui.cli import main
from nn_tui.export.markdown import export_markdown
from nn_tui.format import trace_text
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson

BUNDLED = bundled_lessons_dir()


def _trace(lesson, batch: bool):
    network = lesson.network.build()
    if batch:
        return network.trace(lesson.X, lesson.Y, rows=tuple(range(len(lesson.X))))
    return network.trace(lesson.X[lesson.focus], lesson.Y[lesson.focus], rows=(lesson.focus,))


@pytest.mark.parametrize("name", ["psa-hidden-layer", "fruit", "psa-softmax"])
@pytest.mark.parametrize("batch", [False, True])
def test_the_cli_prints_every_line_of_every_section(capsys, name, batch):
    path = BUNDLED / f"{name}.toml"
    lesson = load_lesson(path)
    trace = _trace(lesson, batch)
    assert main(["trace", str(path)] + (["--batch"] if batch else [])) == 0
    out = capsys.readouterr().out
    sections = [trace_text.loss_text(trace), trace_text.update_text(trace),
                trace_text.after_text(trace)]
    for layer in range(len(trace.layers)):
        sections += [trace_text.forward_text(trace, layer), trace_text.backward_text(trace, layer)]
    for lines in sections:
        assert lines
        for line in lines:
            assert line in out, line


def test_the_export_writes_the_same_update_and_after_lines(capsys):
    lesson = load_lesson(BUNDLED / "psa-hidden-layer.toml")
    document = export_markdown(lesson)
    trace = _trace(lesson, batch=False)
    for line in trace_text.update_text(trace) + trace_text.after_text(trace):
        assert line in document, line
    assert main(["trace", str(BUNDLED / "psa-hidden-layer.toml")]) == 0
    out = capsys.readouterr().out
    # The CLI's "after" section is the export's: ŷ new and L new, with the old values.
    assert "ŷ new = " in out and "L new = " in out


def test_a_long_batch_is_capped_only_where_asked():
    lines = [f"row {k}" for k in range(30)]
    assert trace_text.capped(lines, None) == lines
    assert trace_text.capped(lines, 20)[-1] == "… and 10 more rows"
    assert len(trace_text.capped(lines, 20)) == 21
