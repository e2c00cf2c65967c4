"""Issue 14, layout: every bundled step at 120×40 and 80×24 shows what its text is about; and
what else a walk through every step can see.

One test per bundled lesson walks it: one app, every step in turn at 80×24, then, resized to
120×40 (and laid out again at that size), every step again (no fixed sleeps). At each step it
records what each visible pane shows and checks what can only be seen live; then every check
below is applied to every step it concerns, and every failure is collected into one message
that names the size, the check, the lesson and the step. The checks, each over every step of
every lesson where its kind of fault can occur:

- the ◀-marked lines the lesson text refers to are in the pane's view;
- a pane with more than it shows says so ("↓ more") and has a scrollbar;
- at 120×40, the Gradients pane holds the ◀-marked gradients of a backward step at once;
- the Weights pane keeps each neuron's numbers together;
- list items (the lesson text's lists, a check's choices, the picker's entries) wrap under
  their own text;
- a question after a training run keeps the Loss plot in view (120×40; 80×24: one t away);
- the Network pane keeps one drawing style through a lesson;
- at 120×40, no numeric check's answer is on screen before it is answered (the rule and the
  known coincidences: tests/ui/test_answers_hidden_ui.py);
- once a step is on screen and painted, the panes stop working: no callback asks for itself
  again after every paint (PSA and fruit). (A pane hidden at a step — the Gradients pane at a
  question after a run — kept re-asking to mark "↓ more" after each refresh, which kept the
  tutor busy for seconds per step and would have burnt a core while the learner read.)

Two more walks through the same steps at the same sizes are this one (each step at each size
is gone to once; their checks and docs stay in their own modules):

- at every check with hints and a prompt, once its layout is recorded, every hint is opened
  and the prompt stays in view (tests/ui/test_check_prompt_in_view_ui.py);
- at every explore step, explore mode as opened shows the step and a readable goal (recorded
  before explore mode is left), and at 120×40 e at a lesson's first text step and its update
  step reveals the update only once the lesson has (gone back to after the walk at that size)
  (tests/ui/test_explore_screen_agrees_ui.py). The app opens each lesson as the lesson list
  does (a bundled catalogue entry, ``NnTuiApp.open_lesson``).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pytest
from rich.console import Console
from rich.text import Text
from test_answers_hidden_ui import COINCIDENCES, find_answer
from test_check_prompt_in_view_ui import hints_leave_the_prompt_in_view, walks_hints
from test_explore_screen_agrees_ui import explore_problems, seen_in_explore, visits
from ui_helpers import (
    PaneApp,
    goto_step,
    make_app,
    redraw_loss,
    resize_to,
    screen_text,
    settle,
    wait_for_screen,
    wait_for_step_saved,
    wait_until,
)

from nn_tui.format.numbers import current_decimals
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession
from nn_tui.ui.panes import ForwardPane
from nn_tui.ui.panes._common import HERE_MARKER, MORE, Pane, PaneBody, quoted_numbers, quotes_number
from nn_tui.ui.panes.loss import LossPane
from nn_tui.ui.panes.network import NetworkPane
from nn_tui.ui.screens import explore_mode
from nn_tui.ui.widgets.check import CheckArea
from nn_tui.ui.widgets.hanging import Hanging

LESSONS = sorted(path.stem for path in bundled_lessons_dir().glob("*.toml"))
WIDE, SMALL = (120, 40), (80, 24)
# Walked in this order, in one app: first the small terminal the tutor starts on (the panes'
# scroll positions as a fresh start leaves them; the app opens at that size), then resized to
# the wide one.
SIZES = {"80x24": SMALL, "120x40": WIDE}
# The lessons whose panes are watched for going quiet once a step is painted, and how many
# idle cycles they are watched for: a callback that re-schedules itself after every paint runs
# once in each.
QUIET_LESSONS = ("psa-hidden-layer", "fruit")
IDLE_CYCLES = 5


@dataclass
class Shown:
    """One visible pane at one step: its lines, the first in view, how many it shows, its
    bottom border's note and whether its scrollbar shows."""

    lines: list[str]
    top: int
    height: int
    more: str
    scrollbar: bool

    def in_view(self, index: int) -> bool:
        return self.top <= index < self.top + self.height

    @property
    def marked(self) -> list[int]:
        return [index for index, line in enumerate(self.lines) if HERE_MARKER in line]


@dataclass
class Record:
    """What one step showed."""

    lesson: str
    index: int
    kind: str
    quoted: tuple[str, ...]  # the decimal numbers the step's text quotes
    trainings: int
    panes: dict[str, Shown] = field(default_factory=dict)
    network_style: int | None = None  # the Network pane's style index (-1: the listing)
    plot_rows: int = 0  # rows of the Loss pane's plot on screen (0: none)
    choices: list[str] = field(default_factory=list)  # a check's choices as drawn
    choice_starts: list[str] = field(default_factory=list)  # each choice's first words

    @property
    def name(self) -> str:
        return f"{self.lesson} step {self.index + 1} ({self.kind})"


@dataclass
class Walk:
    """One lesson walked at one size: what each step showed, and what the checks made live
    (an answer on screen, panes still busy, the plot one t away) found wrong."""

    lesson: str
    size: tuple[int, int]
    records: list[Record]
    live: list[str] = field(default_factory=list)
    # tests/ui/test_check_prompt_in_view_ui.py's check at each check with hints, and
    # tests/ui/test_explore_screen_agrees_ui.py's at each step seen in explore mode (how many).
    hints: list[str] = field(default_factory=list)
    explore: list[str] = field(default_factory=list)
    explored: int = 0


def render_lines(console: Console, renderable) -> list[str]:
    """``renderable`` drawn at the console's width, as plain lines (without trailing spaces)."""
    return ["".join(segment.text for segment in line).rstrip()
            for line in console.render_lines(renderable, pad=False)]


def _plot_rows(screen) -> int:
    loss = screen.query_one(LossPane)
    plot = loss.plot
    if not loss.display or plot is None or not plot.display:
        return 0
    return plot.region.height


def _choices(screen, view) -> tuple[list[str], list[str]]:
    """The check's choices as the box draws them (at its width), and each choice's start."""
    if view.step.kind != "check" or not view.step.choices:
        return [], []
    static = screen.query_one(CheckArea).query_one("#check-choices")
    width = static.content_region.width
    console = Console(width=width, color_system=None, file=io.StringIO())
    lines = [line.rstrip() for line in render_lines(console, static.content)]
    return lines, [" ".join(choice.text.split()[:2]) for choice in view.step.choices]


def _unsettled(screen) -> list[str]:
    """The visible panes whose lines are not yet where they go (see ``PaneBody.settled``)."""
    found = []
    for pane in screen.query(Pane):
        body = pane.body
        if pane.display and not body.settled:
            found.append(f"{pane.id}: more {pane.more!r}, size {tuple(body.size)}, "
                         f"top {round(body.scroll_y)} of {len(body._lines)} lines, "
                         f"following {body._follow}, decimals {current_decimals()}")
    return found


async def _ready(pilot, screen, index: int) -> None:
    """Wait until step ``index``, just gone to, is on screen (trained in a worker first)."""
    if screen.steps.busy:
        await wait_until(pilot, lambda: screen.view.index == index
                         and not screen.steps.busy, f"step {index + 1} ready", timeout=60)


def _record(screen, lesson: str) -> Record:
    view = screen.view
    record = Record(lesson, view.index, view.step.kind, quoted_numbers(view.step.text),
                    len(view.trainings))
    for pane in screen.query(Pane):
        if not pane.display or not pane.region.height or pane.id is None:
            continue
        body = pane.body
        record.panes[pane.id] = Shown(
            [line.text.rstrip() for line in body._lines], round(body.scroll_y),
            body.size.height, str(pane.border_subtitle or ""), body.show_vertical_scrollbar)
        if isinstance(pane, NetworkPane):
            record.network_style = pane.style(view, body.scrollable_content_region.width,
                                              body.size.height)
    record.plot_rows = _plot_rows(screen)
    record.choices, record.choice_starts = _choices(screen, view)
    return record


def _answer_shown(app, screen, lesson: str, index: int) -> str | None:
    """At a numeric check not yet answered: the screen line that shows its answer, unless that
    is a known coincidence (None then)."""
    step = screen.view.step
    check = screen.query_one(CheckArea)
    if check.index != index or check.settled:  # a fresh home: unanswered
        return f"the Check box shows step {check.index + 1} (settled {check.settled})"
    line = find_answer(screen_text(app), float(screen.session.answer(index)))
    if line is None or (lesson, step.title) in COINCIDENCES:
        return None
    return f"({step.title}) answer on screen before its check: {line}"


async def _still_busy(app, pilot, calls: list[str]) -> list[str] | None:
    """The panes that kept marking "↓ more" after every paint once the step settled (None:
    quiet). (The walk has waited for the step's own follow-up scroll and mark.)"""
    before = len(calls)
    for _ in range(IDLE_CYCLES):
        await pilot.pause()
    return sorted(set(calls[before:])) if len(calls) - before >= IDLE_CYCLES else None


async def _walk_size(app, pilot, lesson: str, size: tuple[int, int],
                     calls: list[str]) -> Walk:
    """Every step of the lesson on screen, in turn, at ``size``; then e at the ordinary steps
    ``visits`` names."""
    screen = app.screen
    walk = Walk(lesson, size, [])
    explored = visits(screen.lesson)[size]
    for index in range(screen.session.total):
        screen.go(index)
        await _ready(pilot, screen, index)
        step = screen.view.step
        where = f"{lesson} step {index + 1} ({step.kind})"
        if step.kind == "explore":
            # An explore step opens explore mode, which draws elsewhere: what it shows there
            # is recorded, then the step as stepped to.
            await _explore_agrees(app, pilot, screen, walk, index, where, explore=True)
        # The layout, then the resized panes' lines and the scroll to the step's lines (each
        # pause(0) handles what is queued and paints, without waiting for the app to idle).
        await pilot.pause(0)
        await pilot.pause(0)
        try:
            await wait_until(pilot, lambda: not _unsettled(screen), "the panes settle")
        except AssertionError:
            raise AssertionError(f"{lesson} at {size} step {index + 1}: "
                                 f"{_unsettled(screen)}") from None
        view = screen.view
        if view.trainings and view.step.kind == "check":
            await redraw_loss(app, pilot)  # (the plot follows at the Loss pane's tick)
        record = _record(screen, lesson)
        walk.records.append(record)
        if size == WIDE and view.step.kind == "check" and not view.step.choices:
            found = _answer_shown(app, screen, lesson, index)
            if found:
                walk.live.append(f"{record.name} {found}")
        if lesson in QUIET_LESSONS:
            busy = await _still_busy(app, pilot, calls)
            if busy:
                walk.live.append(f"{record.name}: panes still marking after every paint: "
                                 f"{busy}")
        # After the step's layout is recorded (hints change the Check box; e the panes).
        if walks_hints(view.step):
            found = await hints_leave_the_prompt_in_view(app, pilot, screen, view.step)
            walk.hints.extend(f"{record.name}: {line}" for line in found)
    # e at the ordinary steps (120×40), gone back to once the walk is done: a visit to explore
    # mode on the way would leave the steps after it reached from it (their panes scrolled from
    # where leaving left them), not from the step before, as the walk means to see them.
    for index in explored:
        kind = screen.session.steps[index].kind
        if kind == "explore":
            continue
        where = f"{lesson} step {index + 1} ({kind})"
        try:
            await goto_step(app, pilot, index)
            # e once the step is shown as the walk saw it (its panes scrolled to its lines).
            await wait_until(pilot, lambda: not _unsettled(screen), "the panes settle")
        except AssertionError:
            walk.explore.append(f"{where}: not gone back to (on step {screen.view.index + 1}; "
                                f"unsettled: {_unsettled(screen)})")
            continue
        await _explore_agrees(app, pilot, screen, walk, index, where, explore=False)
    if walk.explored != len(explored):
        walk.explore.append(f"{lesson}: {walk.explored} steps seen in explore mode of "
                            f"{len(explored)} ({explored})")
    return walk


async def _explore_agrees(app, pilot, screen, walk: Walk, index: int, where: str,
                          explore: bool) -> None:
    """The step on screen seen in explore mode (an explore step as opened; an ordinary one
    after e), checked (tests/ui/test_explore_screen_agrees_ui.py's ``explore_problems``), and
    left: explore mode is off again."""
    try:
        seen = await seen_in_explore(app, pilot, screen, explore)
    except AssertionError as error:
        walk.explore.append(f"{where}: {error}")
        if screen.explore is not None:
            screen.leave_explore()
        return
    walk.explored += 1
    walk.explore.extend(f"{where}: {problem}"
                        for problem in explore_problems(screen.lesson, index, seen))


async def _plot_one_t_away(app, pilot, lesson: str) -> list[str]:
    """80×24: at every question after a run, t reaches the Loss pane, which shows the plot.
    (After the walks: t changes which pane the following steps show.)"""
    screen = app.screen
    steps = screen.session.steps
    wrong = []
    for index in range(1, screen.session.total):
        if steps[index].kind != "check" or steps[index - 1].kind != "train":
            continue
        screen.go(index)
        await _ready(pilot, screen, index)
        await wait_until(pilot, lambda at=index: screen.view.index == at, f"step {index + 1}")
        loss = screen.query_one(LossPane)
        for _ in range(6):
            if loss.display:
                break
            await pilot.press("t")
        await redraw_loss(app, pilot)
        if not (loss.display and _plot_rows(screen) >= 4):
            wrong.append(f"{lesson} step {index + 1} (check after a run): t shows "
                         f"the Loss pane {loss.display}, its plot {_plot_rows(screen)} rows")
    return wrong


async def walk_lesson(lesson: str) -> list[Walk]:
    """The lesson walked at each size in turn, in one app (watching ``PaneBody.mark_more``)."""
    calls: list[str] = []
    original = PaneBody.mark_more

    def counted(self):
        calls.append(self.id)
        return original(self)

    app = make_app(bundled_lessons_dir() / f"{lesson}.toml")
    walks = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PaneBody, "mark_more", counted)
        # The walk nudges nothing in explore mode: the nudges it renders ahead are left out.
        patch.setattr(explore_mode, "EXPLORE_PRERENDER_DELAY", 3600.0)
        async with app.run_test(size=SMALL) as pilot:
            await wait_for_screen(app, pilot, "LessonScreen")
            for size in SIZES.values():
                if tuple(app.size) != size:
                    await resize_to(app, pilot, size)
                walks.append(await _walk_size(app, pilot, lesson, size, calls))
            steps = app.screen.session.steps
            if any(step.kind == "check" and before.kind == "train"
                   for before, step in zip(steps, steps[1:])):
                await resize_to(app, pilot, SMALL)
                small = next(walk for walk in walks if walk.size == SMALL)
                small.live.extend(await _plot_one_t_away(app, pilot, lesson))
            app.screen.stop_work()
    return walks


# -- the checks: each returns what it finds wrong in one walk ---------------------------------


def check_the_marked_lines_a_step_is_about_are_in_view(walk: Walk) -> list[str]:
    """Text that refers to a number in another pane ("ends in 0.9000, as you computed"): the
    lines ◀ marks are scrolled into view; all of them when they fit, else the one with a
    number the text quotes, else the first."""
    hidden = []
    for record in walk.records:
        for pane_id, shown in record.panes.items():
            marked = shown.marked
            if not marked:
                continue
            if marked[-1] - marked[0] < shown.height:
                wanted = [marked[0], marked[-1]]
            else:
                quoted = [i for i in marked if quotes_number(shown.lines[i], record.quoted)]
                wanted = [(quoted or marked)[0]]
            for line in wanted:
                if not shown.in_view(line):
                    hidden.append(f"{record.name}: {pane_id} line {line + 1} "
                                  f"(view {shown.top + 1}–{shown.top + shown.height})")
    return hidden


def check_the_layers_line_the_text_quotes_is_in_view(walk: Walk) -> list[str]:
    """The instance the issue names: layers' "the line for z₁[3] ends in 0.9000"."""
    if walk.lesson != "layers":
        return []
    record = next((r for r in walk.records if "0.9000" in r.quoted and r.kind == "forward"),
                  None)
    if record is None:
        return ["layers: no forward step quotes 0.9000"]
    shown = record.panes["pane-forward"]
    rows = [i for i, line in enumerate(shown.lines) if "0.9000 ◀" in line]
    if rows and all(shown.in_view(row) for row in rows):
        return []
    return [f"{record.name}: the lines ending in 0.9000 ◀ {rows}, "
            f"view {shown.top}+{shown.height}"]


async def test_quoted_lines_once_in_view_stay_where_they_are():
    """When not all ◀ lines fit, the pane scrolls to the one the text quotes (layers' 0.9000
    line, in a Forward pane as short as at 80×24); asked again where to scroll (after a
    relayout, another paint), it keeps that view rather than jump back to the first ◀ line.
    (The walk reaches this case only as timing allows.)"""
    session = LessonSession(load_lesson(bundled_lessons_dir() / "layers.toml"))
    index = next(i for i, step in enumerate(session.lesson.steps) if step.kind == "forward"
                 and "0.9000" in quoted_numbers(step.text))
    pane = ForwardPane()
    app = PaneApp(pane)
    async with app.run_test(size=(80, 9)) as pilot:
        pane.show(session.view(index))
        await wait_until(pilot, lambda: pane.body.settled, "the pane settles")
        body = pane.body
        marked, top, height = body.marked_lines(), round(body.scroll_y), body.size.height
        quoted = [i for i in marked if quotes_number(body._lines[i].text, body.quoted)]
        # The case: the ◀ lines do not fit, the first is scrolled out, the quoted ones show.
        assert marked[-1] - marked[0] + 1 > height and marked[0] < top, (marked, top, height)
        assert quoted and top <= quoted[0] and quoted[-1] < top + height, (quoted, top, height)
        assert body._marked_target() is None


def check_a_pane_with_more_than_it_shows_says_so(walk: Walk) -> list[str]:
    """Every visible pane whose lines go on below (or above) its view says "↓ more" ("↑ more",
    "↑↓ more") in its bottom border and shows its scrollbar; no pane says it when all of its
    lines are in view."""
    wrong = []
    for record in walk.records:
        for pane_id, shown in record.panes.items():
            below = shown.top + shown.height < len(shown.lines)
            above = shown.top > 0
            if shown.more != MORE.get((above, below), ""):
                wrong.append(f"{record.name}: {pane_id} says {shown.more!r} "
                             f"(view {shown.top}+{shown.height} of {len(shown.lines)})")
            if (above or below) and not shown.scrollbar:
                wrong.append(f"{record.name}: {pane_id} overflows without a scrollbar")
    return wrong


def check_the_gradients_pane_holds_a_layers_gradients_at_backward_steps(walk: Walk) -> list[str]:
    """At 120×40 every ◀-marked gradient row (∂L/∂W and ∂L/∂b of the layer the step is about)
    is in view at once at every backward step: fruit's hidden layer needs more than the usual
    rows, which the Gradients row then gets. (Small terminals show one pane at a time, which
    scrolls.)"""
    if walk.size != WIDE:
        return []
    cut = []
    for record in walk.records:
        if record.kind != "backward" or "pane-gradients" not in record.panes:
            continue
        shown = record.panes["pane-gradients"]
        marked = shown.marked
        if marked and not (shown.in_view(marked[0]) and shown.in_view(marked[-1])):
            cut.append(f"{record.name}: rows {marked[0] + 1}–{marked[-1] + 1}, "
                       f"view {shown.top + 1}–{shown.top + shown.height}")
    return cut


WEIGHT = re.compile(r"W(\S*?)\[(\d+),\d+\]")
BIAS = re.compile(r"\bb(\S*?)\[(\d+)\]")


def check_the_weights_pane_keeps_each_neurons_numbers_together(walk: Walk) -> list[str]:
    """One neuron's weights and bias on its own line(s), in order: a line never holds two
    neurons' numbers, and a neuron's numbers are never split by another's."""
    wrong = []
    for record in walk.records:
        if "pane-weights" not in record.panes:
            continue
        seen: list[tuple[str, str]] = []
        for line in record.panes["pane-weights"].lines:
            if "→" in line:
                continue  # an update's old → new table: a row per parameter
            owners = {(layer, unit) for layer, unit in WEIGHT.findall(line)}
            owners |= {(layer, unit) for layer, unit in BIAS.findall(line)}
            if not owners:
                continue
            if len(owners) > 1:
                wrong.append(f"{record.name}: {line.strip()!r} mixes neurons")
            owner = min(owners)
            if owner in seen and seen[-1] != owner:
                wrong.append(f"{record.name}: neuron {owner} split by another")
            seen.append(owner)
    return wrong


# How Rich draws a Markdown list item's first line: " • text", " 1 text".
BULLET = re.compile(r"^( +)(•|\d+) (?=\S)")


def check_list_items_in_the_lesson_text_wrap_under_their_text(walk: Walk) -> list[str]:
    """A list item of the lesson text that wraps goes on under its own first letter."""
    wrong = []
    for record in walk.records:
        shown = record.panes.get("pane-lesson")
        if shown is None:
            continue
        indent = None
        for line in shown.lines:
            match = BULLET.match(line)
            if match:
                indent = len(match.group(0))
            elif not line.strip():
                indent = None
            elif indent is not None and len(line) - len(line.lstrip()) != indent:
                wrong.append(f"{record.name}: {line!r}")
    return wrong


def check_a_checks_choices_wrap_under_their_text(walk: Walk) -> list[str]:
    """A choice that wraps goes on under its own text, not under its number; every choice is
    drawn, each starting with its own words."""
    wrong = []
    for record in walk.records:
        if not record.choices:
            continue
        number = 0
        for line in record.choices:
            if re.match(r" \d+  ", line):
                number += 1
                if number > len(record.choice_starts) or not line[5:].startswith(
                        record.choice_starts[number - 1]):
                    wrong.append(f"{record.name}: choice {number} drawn as {line!r}")
            elif not line.startswith("     ") or line[5] == " ":
                wrong.append(f"{record.name}: {line!r}")
        if number != len(record.choice_starts):
            wrong.append(f"{record.name}: {number} choices drawn of "
                         f"{len(record.choice_starts)}: {record.choices}")
    return wrong


def check_a_question_after_a_run_keeps_the_plot_in_view(walk: Walk) -> list[str]:
    """At 120×40 a question opened after a training run leaves the run's plot on screen.
    (80×24: the plot is one t away, which the walk checks live.)"""
    if walk.size != WIDE:
        return []
    return [f"{r.name}: the plot has {r.plot_rows} rows on screen" for r in walk.records
            if r.kind == "check" and r.trainings and r.plot_rows < 4]


def _category(shown: Shown) -> str:
    text = "\n".join(shown.lines)
    if "▶" not in text:
        return "listing"
    return "below" if re.search(r"^\s*W\S* into ", text, re.M) else "diagram"


def check_the_network_diagram_keeps_one_style_through_a_lesson(walk: Walk) -> list[str]:
    """The Network pane draws a lesson in one style at one terminal size (a diagram, a diagram
    with its weights listed below, or a listing; the same level of detail) at every step it
    is shown."""
    shown = [r for r in walk.records if "pane-network" in r.panes]
    styles: dict[tuple, list[int]] = {}
    for record in shown:
        style = (record.network_style, _category(record.panes["pane-network"]))
        styles.setdefault(style, []).append(record.index + 1)
    if len(styles) <= 1:
        return []
    return [f"{walk.lesson}: the Network pane's styles (style, kind): steps {styles}"]


CHECKS = [check for name, check in sorted(globals().items()) if name.startswith("check_")]
SHOWN_AT_MOST = 20  # failures listed per check and size


@pytest.mark.parametrize("lesson", LESSONS)
async def test_every_step_at_both_sizes(lesson, isolated_home):
    """Every check above, at every step of the lesson, at 120×40 and 80×24."""
    isolated_home.mkdir(parents=True)  # a home that exists, with no progress saved yet
    failures = []
    for walk in await walk_lesson(lesson):
        size = "×".join(map(str, walk.size))
        found = ([("live", walk.live),
                  ("hints_leave_the_prompt_in_view", walk.hints),
                  ("explore_mode_agrees_with_the_lesson", walk.explore)]
                 + [(check.__name__, check(walk)) for check in CHECKS])
        for name, wrong in found:
            failures.extend(f"{size} {name}: {line}" for line in wrong[:SHOWN_AT_MOST])
            if len(wrong) > SHOWN_AT_MOST:
                failures.append(f"{size} {name}: … and {len(wrong) - SHOWN_AT_MOST} more")
    assert not failures, "\n".join(failures)


def test_every_check_has_steps_to_check():
    """The checks that concern only some kinds of step find them in the bundled lessons (a
    check with nothing to look at would pass whatever the layout)."""
    steps = [step for lesson in LESSONS
             for step in load_lesson(bundled_lessons_dir() / f"{lesson}.toml").steps]
    kinds = {step.kind for step in steps}
    assert {"backward", "check", "train", "explore", "forward"} <= kinds
    assert any(step.kind == "check" and step.choices for step in steps)
    assert any(step.kind == "check" and not step.choices for step in steps)
    assert "layers" in LESSONS and set(QUIET_LESSONS) <= set(LESSONS)


# -- list items outside a step -----------------------------------------------------------------


async def test_picker_entries_wrap_under_their_own_text(quick_saves):
    """A lesson's summary and progress that wrap go on under their own first letter: the
    bundled lessons' folder opened (each of its lessons checked as a folder's are), and
    again after each of two lessons is opened from the list, stepped in and left: its entry
    then shows the steps reached (the list is drawn anew, the progress saved and read back)."""
    from textual.widgets import OptionList

    app = make_app(bundled_lessons_dir())
    async with app.run_test(size=SMALL) as pilot:
        await wait_for_screen(app, pilot, "PickerScreen")
        await settle(app, pilot)
        _picker_entries_wrap(app.screen.query_one(OptionList))
        for lesson in LESSONS[:2]:
            entry = next(info.entry for info in app.catalog if info.entry.path.stem == lesson)
            app.open_lesson(entry, 0)
            await wait_for_screen(app, pilot, "LessonScreen")
            screen = app.screen
            screen.go(2)
            await wait_until(pilot, lambda at=screen: at.view.index == 2 and not at.steps.busy,
                             f"{lesson} step 3")
            await wait_for_step_saved(app, pilot)
            app.pop_screen()
            await wait_for_screen(app, pilot, "PickerScreen")
            await settle(app, pilot)
            options = app.screen.query_one(OptionList)
            _picker_entries_wrap(options)
            shown = [str(options.get_option_at_index(number).prompt)
                     for number in range(options.option_count)]
            entry_text = next(text for text in shown if entry.lesson.title in text)
            assert f"steps 3/{len(entry.lesson.steps)}" in entry_text, entry_text


def _picker_entries_wrap(options) -> None:
    assert options.option_count == len(LESSONS)
    wrapped = 0
    for number in range(options.option_count):
        prompt = options.get_option_at_index(number).prompt
        console = Console(width=40, color_system=None, file=io.StringIO())
        lines = render_lines(console, prompt)
        assert str(prompt).startswith(lines[0].rstrip())
        below_title = False  # the title wraps 2 columns in, what follows 3 in
        for line in lines[1:]:
            below_title = below_title or line.startswith("   ")
            assert line.startswith("   " if below_title else "  ") and line.strip(), line
        wrapped += len(lines) > len(str(prompt).split("\n"))
    assert wrapped  # some entries do wrap at this width


def test_hanging_lines_wrap_under_their_text_and_read_as_text():
    choices = Hanging()
    choices.add(Text.assemble((" 1 ", "reverse"), "  "), "a choice long enough to wrap " * 3)
    choices.add(Text.assemble((" 2 ", "reverse"), "  "), "short")
    lines = render_lines(Console(width=30, color_system=None, file=io.StringIO()), choices)
    assert lines[0].startswith(" 1   a choice")
    assert all(line.startswith("     ") and line[5] != " " for line in lines[1:-1])
    assert lines[-1].startswith(" 2   short")
    assert str(choices).split("\n")[1] == " 2   short"
