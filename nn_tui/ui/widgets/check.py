"""The self-check area: a question about a number on screen, answered by typing it or choosing.

It only displays: grading, diagnosis and the progress record (every attempt, correct answer,
hint, reveal and skip, saved at once) are ``nn_tui.lessons.checking.CheckAttempt``'s, whose
``Verdict`` this widget writes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static

from nn_tui.format.numbers import num
from nn_tui.lessons.checking import CheckAttempt, Outcome, Verdict
from nn_tui.lessons.expressions import ExpressionError
from nn_tui.ui.literal import clean
from nn_tui.ui.widgets.hanging import Hanging

if TYPE_CHECKING:
    from nn_tui.lessons.progress import ProgressStore
    from nn_tui.lessons.session import LessonSession


# The lesson screen's printable keys that reach it from an EMPTY answer box (no number starts
# with them). Once the box holds text every printable key types, so "1e-3", "nan" or a slip of
# the finger never quits, steps on or asks for a hint mid-answer.
LESSON_KEYS = frozenset({"n", "p", "h", "r", "t", "d", "q", "question_mark"})
# Longer answers are not numbers a learner types; the parser refuses them anyway.
MAX_ANSWER_LENGTH = 100


class AnswerInput(Input):
    """The answer box. While it is empty, the lesson's keys work from it (→/← and n/p step,
    h, r, t, d, q, ?); once it holds text, printable keys type and ←/→/Home/End edit the text.
    Escape (or Tab) leaves the box; Enter checks the answer."""

    BINDINGS = [Binding("escape", "leave", "Leave the answer box", show=False)]

    @dataclass
    class Navigate(Message):
        action: str  # "next" | "previous" | "first" | "last"

    @dataclass
    class Typing(Message):
        """The box went from empty to holding text, or back: the lesson's keys change."""

        typing: bool

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", MAX_ANSWER_LENGTH)
        # Coming back to the box keeps what was typed: selecting it all on focus would let the
        # next key replace it.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)
        # Printable keys forwarded to this box and not yet handled by it. Keys that arrive in
        # one burst (a fast typist, a paste without bracketing, a slow link) are all routed by
        # the app before this box has handled the first: "12h" would find the box still empty
        # at "h" and show a hint. Counting what is on its way makes "12h" type three characters.
        self._keys_on_the_way = 0

    @property
    def holds_text(self) -> bool:
        """Whether the box has text, or printable keys on their way into it."""
        return bool(self.value) or self._keys_on_the_way > 0

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.Key) and message.is_printable:
            self._keys_on_the_way += 1
        return super().post_message(message)

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and self._keys_on_the_way:
            self._keys_on_the_way -= 1
        await super()._on_key(event)

    def reset(self) -> None:
        """Empty the box for a new question (nothing typed or on its way is meant for it)."""
        self.value = ""
        self._keys_on_the_way = 0

    def _on_blur(self, event: events.Blur) -> None:
        # Keys go only to the focused widget: none is on its way once the box lost the focus
        # (a key dropped on the way, e.g. while the box was disabled, must not count for ever).
        self._keys_on_the_way = 0
        super()._on_blur(event)

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.cursor_blink = False  # deterministic screenshots

    def key_hints(self) -> list[tuple[str, str, str]]:
        """(key, action, description) the key bar adds while this box has the focus."""
        if not self.value:
            return []
        return [("enter", "submit", "Check answer"), ("escape", "leave", "Leave the box")]

    def watch_value(self, old: str, new: str) -> None:
        if bool(old) != bool(new):
            self.post_message(self.Typing(bool(new)))

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # Asked by Textual at every key press, before any binding (priority ones included).
        if key in LESSON_KEYS and not self.holds_text:
            return False
        return super().check_consume_key(key, character)

    def action_cursor_right(self, select: bool = False) -> None:
        if not self.value:
            self.post_message(self.Navigate("next"))
        else:
            super().action_cursor_right(select)

    def action_cursor_left(self, select: bool = False) -> None:
        if not self.value:
            self.post_message(self.Navigate("previous"))
        else:
            super().action_cursor_left(select)

    def action_home(self, select: bool = False) -> None:
        if not self.value:
            self.post_message(self.Navigate("first"))
        else:
            super().action_home(select)

    def action_end(self, select: bool = False) -> None:
        if not self.value:
            self.post_message(self.Navigate("last"))
        else:
            super().action_end(select)

    def action_leave(self) -> None:
        self.screen.set_focus(None)


class CheckArea(VerticalScroll, can_focus=False, inherit_bindings=False):
    """Shows the current check step's prompt, takes the answer and gives feedback.

    It has a fixed place on the lesson screen. The prompt and the answer box stay in view;
    hints and explanations go in the feedback area under them, which scrolls (↑/↓ while the
    answer box has the cursor) and follows new feedback (at 80×24 a whole box scrolling to its
    hints took the question out of view). Only a prompt taller than the box scrolls it all."""

    BORDER_TITLE = "Check"
    # Only ↑/↓ scroll it (they reach it from the answer box): ←/→/Home/End stay the lesson's.
    BINDINGS = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
    ]

    @dataclass
    class Changed(Message):
        """The check's record changed (an attempt, a reveal); the footer's keys may change."""

        index: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session: LessonSession | None = None
        self.store: ProgressStore | None = None
        self.lesson_id = ""
        self.index: int | None = None
        self.attempt: CheckAttempt | None = None
        # (typed text, its value) of the arithmetic answer being judged, shown above the
        # verdict ("0.325*(1-0.325) = 0.2194").
        self._working: tuple[str, float] | None = None
        # Feedback written so far, and (which one, how to write it again) for feedback with
        # numbers in it, so the d key can rewrite it at other decimals if it is still shown.
        self._feedback_count = 0
        self._rebuild: tuple[int, Callable[[], Text]] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="check-prompt")
        yield Static(id="check-choices")
        # One line tall (compact): the box keeps room for hints, and less to repaint per step.
        yield AnswerInput(placeholder="your answer, e.g. 0.325 or 0.325*(1-0.325) — Enter to check",
                          id="check-input", compact=True)
        with VerticalScroll(id="check-feedback-box", can_focus=False):
            yield Static(id="check-feedback")

    @property
    def feedback_box(self) -> VerticalScroll:
        """The scrolling area under the answer box: the hints, verdicts and explanations."""
        return self.query_one("#check-feedback-box", VerticalScroll)

    def _scroller(self):
        """What ↑/↓ scroll: the feedback area, or the whole box when the feedback fits and
        the box does not (a prompt taller than the box)."""
        box = self.feedback_box
        return box if box.max_scroll_y or not self.max_scroll_y else self

    def action_scroll_up(self) -> None:
        scroller = self._scroller()
        if scroller is self:
            super().action_scroll_up()
        else:
            scroller.scroll_up()

    def action_scroll_down(self) -> None:
        scroller = self._scroller()
        if scroller is self:
            super().action_scroll_down()
        else:
            scroller.scroll_down()

    # -- state -----------------------------------------------------------------------------------

    @property
    def step(self):
        return self.attempt.step

    @property
    def record(self):
        return self.attempt.record

    @property
    def hints_shown(self) -> int:
        return self.attempt.hints_shown if self.attempt is not None else 0

    @property
    def is_choice(self) -> bool:
        return self.attempt.is_choice

    @property
    def settled(self) -> bool:
        return self.attempt.settled

    @property
    def can_reveal(self) -> bool:
        return self.attempt is not None and self.attempt.can_reveal

    def show(self, session: "LessonSession", store: "ProgressStore", lesson_id: str,
             index: int) -> None:
        self.session, self.store, self.lesson_id, self.index = session, store, lesson_id, index
        self.attempt = CheckAttempt(session, store, lesson_id, index)
        self._working = None
        step = self.step
        prompt = step.prompt or step.title or "Your turn"
        self.query_one("#check-prompt", Static).update(Text(prompt, style="bold"))
        choices = self.query_one("#check-choices", Static)
        answer_box = self.query_one(AnswerInput)
        answer_box.reset()
        if step.choices:
            # A long choice wraps under its own text, not under its number.
            lines = Hanging()
            for number, choice in enumerate(step.choices, start=1):
                lines.add(Text.assemble((f" {number} ", "reverse"), "  "), choice.text)
            choices.update(lines)
            choices.display = True
            answer_box.display = False
        else:
            choices.display = False
            answer_box.display = True
        record = self.record
        if record.correct:
            self._feedback(self._correct_text("You answered this one correctly."), follow=False)
        elif record.revealed:
            self._feedback(self._worked_answer(), follow=False)
        elif record.attempts:
            tries = "try" if record.attempts == 1 else "tries"
            self._feedback(Text(f"{record.attempts} {tries} so far. " + self._keys_hint()),
                           follow=False)
        else:
            self._feedback(Text(self._keys_hint(), style="dim"), follow=False)
        self.scroll_home(animate=False)
        self.feedback_box.scroll_home(animate=False)

    def focus_answer(self) -> None:
        """Put the cursor in the answer box (number questions not yet settled).

        Textual moves the focus a turn of the event loop later (``Widget.focus``); keys typed
        faster than that (→ → past the question) may have left the question by then, and the
        focus then landed in the hidden box, where the letter keys went unseen. So whether the
        question is still shown is asked again when the focus moves."""
        if self._wants_answer():
            self.app.call_later(self._focus_answer_if_shown)

    def _wants_answer(self) -> bool:
        return self.index is not None and not self.is_choice and not self.settled

    def _focus_answer_if_shown(self) -> None:
        if self.is_attached and self.display and self._wants_answer():
            box = self.query_one(AnswerInput)
            box.refresh()
            self.screen.set_focus(box)

    def _keys_hint(self) -> str:
        parts = []
        if self.is_choice:
            parts.append(f"press 1–{len(self.step.choices)} to choose")
        else:
            parts.append("type a number or the arithmetic and press Enter")
        if self.step.hints:
            parts.append("h for a hint")
        parts.append("→ to skip")
        return ", ".join(parts) + "."

    def _feedback(self, text: Text, follow: bool = True, from_start: bool = False) -> None:
        self._feedback_count += 1
        self.query_one("#check-feedback", Static).update(text)
        if from_start:
            # A verdict: its ✓/✗ line first (the rest, an explanation, is scrolled to).
            self.call_after_refresh(self.feedback_box.scroll_home, animate=False)
        elif follow:
            # The feedback area follows (the newest hint); the box keeps the prompt at its top.
            self.call_after_refresh(self.feedback_box.scroll_end, animate=False)

    def _changed(self) -> None:
        """The record changed (and was saved): the footer's keys may change."""
        self.post_message(self.Changed(self.index))

    def _correct_text(self, opening: str) -> Text:
        text = Text()
        text.append("✓ Correct! ", style="bold green")
        text.append(opening)
        if self.step.explanation:
            text.append("\n" + self.step.explanation)
        return text

    def _ungradable(self, error: Exception | str) -> Text:
        return Text(f"This question cannot be graded: {error}. Please report it to the "
                    "lesson's author; → moves on.", style="yellow")

    def _worked_answer(self) -> Text:
        self._rebuilds_as(self._worked_answer)
        try:
            worked = self.attempt.worked_answer()
        except ExpressionError as error:
            return self._ungradable(error)
        text = Text()
        text.append("The answer: ", style="bold")
        if worked.choice is not None:
            choice = self.step.choices[worked.choice]
            text.append(choice.text, style="bold")
            text.append(f" ({num(worked.value)})")
        else:
            text.append(num(worked.value), style="bold")
        if self.step.explanation:
            text.append("\n" + self.step.explanation)
        return text

    # -- the learner's actions -------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def submit(self, typed: str) -> None:
        if self.index is None or self.is_choice:
            return
        self._show_verdict(self.attempt.submit(typed))

    def choose(self, number: int) -> None:
        """Choice ``number`` (1-based) of a multiple-choice check."""
        if self.index is None or not self.is_choice or not 1 <= number <= len(self.step.choices):
            return
        if self.settled:
            return
        self._show_verdict(self.attempt.choose(number))

    def _show_verdict(self, verdict: Verdict) -> None:
        """Write out what ``CheckAttempt`` decided about an answer."""
        answer_box = self.query_one(AnswerInput)
        if verdict.outcome is Outcome.SETTLED:
            self._feedback(self._correct_text("(already answered)") if self.record.correct
                           else self._worked_answer())
            return
        if verdict.outcome is Outcome.NOT_A_NUMBER:
            shown = clean(verdict.typed.strip()) or "an empty answer"
            if len(shown) > 40:
                shown = shown[:37] + "…"
            answer_box.value = ""
            self._feedback(Text(
                f"“{shown}” is not a number: type something like 0.325, -2.8e-2, 1/3, .5, "
                "0.325*(1-0.325) or e^-1 (no attempt counted).", style="yellow"))
            return
        if verdict.outcome is Outcome.UNGRADABLE:
            self._feedback(self._ungradable(verdict.error))
            return
        self._working = ((verdict.typed.strip(), verdict.value) if verdict.arithmetic
                         and verdict.value is not None else None)
        self._changed()
        if verdict.correct:
            self._feedback(self._with_working(self._correct_text("")), from_start=True)
            answer_box.value = verdict.typed.strip()
            self.screen.set_focus(None)
            return
        answer_box.value = ""
        text = Text()
        if verdict.mistake is not None:
            text.append("✗ ", style="bold red")
            text.append(verdict.mistake.feedback)
        else:
            text.append(f"✗ {verdict.closeness}.", style="bold red")
            if verdict.hint is not None:
                text.append(f"\nHint: {self.step.hints[verdict.hint]}")
        if self.can_reveal:
            text.append("\nPress r to reveal the worked answer, or try again.", style="italic")
        self._feedback(self._with_working(text), from_start=True)

    def _with_working(self, verdict: Text,
                      working: tuple[str, float] | None | bool = False) -> Text:
        """``verdict`` below what the typed arithmetic (``working``, default the answer being
        judged) evaluated to, so the learner sees the number that was checked
        ("0.325*(1-0.325) = 0.2194")."""
        if working is False:
            working = self._working
        if working is None:
            return verdict
        self._rebuilds_as(lambda: self._with_working(verdict, working))
        typed, value = working
        shown = clean(typed)
        if len(shown) > 60:
            shown = shown[:59] + "…"
        text = Text()
        text.append(f"{shown} = ", style="dim")
        text.append(num(value), style="bold")
        text.append("\n")
        text.append_text(verdict)
        return text

    def _rebuilds_as(self, build: Callable[[], Text]) -> None:
        """Called while building the next feedback: ``build`` writes it again."""
        self._rebuild = (self._feedback_count + 1, build)

    def refresh_numbers(self) -> None:
        """Write the feedback on screen again at the current decimals (the ``d`` key), if it
        has numbers: the value of typed arithmetic, the revealed answer."""
        if self._rebuild is not None and self._rebuild[0] == self._feedback_count:
            self._feedback(self._rebuild[1](), follow=False)

    def hint(self) -> None:
        hints = self.step.hints
        if not hints:
            self._feedback(Text("This question has no hints; the panes above hold every "
                                "number you need.", style="dim"))
            return
        settled = self.settled
        shown = self.attempt.next_hint()
        if not settled:
            self._changed()
        text = Text()
        for number, hint in enumerate(hints[:shown], start=1):
            if number > 1:
                text.append("\n")
            text.append(f"Hint {number}/{len(hints)}: ", style="bold")
            text.append(hint)
        self._feedback(text)

    def reveal(self) -> bool:
        if self.attempt is None or not self.attempt.reveal():
            return False
        self._changed()
        self.query_one(AnswerInput).value = ""
        self._feedback(self._worked_answer())
        self.screen.set_focus(None)
        return True

    def skip_if_unanswered(self) -> None:
        """Leaving a check that was never settled counts it as skipped (saved with the step
        reached, within a second, by the lesson screen)."""
        if self.index is None or self.attempt is None:
            return
        self.attempt.skip()
