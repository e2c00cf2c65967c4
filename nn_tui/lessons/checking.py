"""A learner's attempts at one check step: grading, diagnosis and the progress record.

``CheckAttempt`` is what the check widget asks: it grades a typed number or a chosen option
(``grading.grade``, ``diagnosis.diagnose``), records the attempt, hint, reveal or skip in the
learner's progress (saved at once, atomically, by ``ProgressStore.save``) and returns a
``Verdict`` the widget only displays. No UI here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from nn_tui.lessons.diagnosis import Mistake, diagnose
from nn_tui.lessons.expressions import ExpressionError, parse_learner_answer
from nn_tui.lessons.grading import grade

if TYPE_CHECKING:
    from nn_tui.lessons.model import Step
    from nn_tui.lessons.progress import CheckRecord, ProgressStore
    from nn_tui.lessons.session import LessonSession

# After this many wrong answers (not counting recognised mistakes) the learner may reveal the
# worked answer.
MISSES_BEFORE_REVEAL = 2


class Outcome(Enum):
    """What became of an answer."""

    NOT_A_NUMBER = "not a number"  # not counted as an attempt
    UNGRADABLE = "ungradable"  # the lesson's answer cannot be computed: not counted
    SETTLED = "settled"  # already answered or revealed: not counted
    CORRECT = "correct"
    WRONG = "wrong"


@dataclass(frozen=True)
class Verdict:
    """The result of one answer, for display.

    ``value``: the typed number (None for a choice, or text that is not a number);
    ``arithmetic``: whether it was typed as arithmetic (``0.325*(1-0.325)``), so the widget
    shows what it evaluated to; ``closeness``: how far off a wrong answer is, in words;
    ``mistake``: the recognised mistake a wrong number matches (its feedback replaces the
    closeness and the hint); ``hint``: the index of the step's hint to show with a plain miss
    (None when all were shown); ``error``: why an UNGRADABLE check cannot be graded."""

    outcome: Outcome
    typed: str = ""
    value: float | None = None
    arithmetic: bool = False
    closeness: str = ""
    mistake: Mistake | None = None
    hint: int | None = None
    error: str = ""

    @property
    def correct(self) -> bool:
        return self.outcome is Outcome.CORRECT


@dataclass(frozen=True)
class WorkedAnswer:
    """The answer of a check: its value, and for a multiple-choice check the right choice's
    index (0-based)."""

    value: float
    choice: int | None = None


class CheckAttempt:
    """The learner's attempts at check step ``index`` of ``session`` during one visit.

    ``hints_shown`` counts the hints on screen in this visit (the record keeps the most ever
    seen). Every method that changes the record saves the progress file at once."""

    def __init__(self, session: LessonSession, store: ProgressStore, lesson_id: str,
                 index: int) -> None:
        self.session = session
        self.store = store
        self.lesson_id = lesson_id
        self.index = index
        self.hints_shown = 0

    @property
    def step(self) -> Step:
        return self.session.steps[self.index]

    @property
    def record(self) -> CheckRecord:
        """The progress record of this check (attempts, hints, mistakes, correct, revealed)."""
        return self.store.get(self.lesson_id).check(self.index)

    @property
    def is_choice(self) -> bool:
        return bool(self.step.choices)

    @property
    def settled(self) -> bool:
        """Answered correctly or revealed: no more attempts count."""
        record = self.record
        return record.correct or record.revealed

    @property
    def can_reveal(self) -> bool:
        """Whether the worked answer may be revealed: MISSES_BEFORE_REVEAL plain misses."""
        # A recognised mistake is an attempt but not a plain miss: its feedback is the help.
        record = self.record
        misses = record.attempts - len(record.mistakes)
        return not self.settled and misses >= MISSES_BEFORE_REVEAL

    def worked_answer(self) -> WorkedAnswer:
        """The check's answer (and right choice). Raises ExpressionError if it cannot be
        computed or no choice matches it."""
        expected = self.session.answer(self.index)
        choice = self.session.correct_choice(self.index) if self.is_choice else None
        return WorkedAnswer(expected, choice)

    def submit(self, typed: str) -> Verdict:
        """Grade the number (or arithmetic) ``typed`` and record the attempt."""
        if self.settled:
            return Verdict(Outcome.SETTLED, typed)
        parsed = parse_learner_answer(typed)
        if parsed is None:
            return Verdict(Outcome.NOT_A_NUMBER, typed)
        try:
            expected = self.session.answer(self.index)
            tolerance = self.session.tolerance(self.index)
        except ExpressionError as error:
            return Verdict(Outcome.UNGRADABLE, typed, error=str(error))
        result = grade(parsed.value, expected, tolerance)
        mistake = None if result.correct else self._diagnosis(parsed.value)
        return self._record(result.correct, typed, parsed.value, parsed.arithmetic,
                            result.closeness, mistake)

    def choose(self, number: int) -> Verdict:
        """Choose option ``number`` (1-based) and record the attempt."""
        if self.settled:
            return Verdict(Outcome.SETTLED, str(number))
        try:
            right = number - 1 == self.session.correct_choice(self.index)
        except ExpressionError as error:  # no choice matches: the nearest is not right
            return Verdict(Outcome.UNGRADABLE, str(number), error=str(error))
        return self._record(right, str(number), None, False, f"Choice {number} is not it", None)

    def _diagnosis(self, value: float) -> Mistake | None:
        """The recognised mistake that gives ``value``, if any (nn_tui.lessons.diagnosis)."""
        try:
            return diagnose(self.session, self.index, value).mistake
        except (ExpressionError, ArithmeticError, ValueError):
            return None  # no diagnosis: the plain feedback stands

    def _record(self, right: bool, typed: str, value: float | None, arithmetic: bool,
                closeness: str, mistake: Mistake | None) -> Verdict:
        record = self.record
        record.attempts += 1
        if mistake is not None:
            record.add_mistake(mistake.kind)
        hint = None
        if right:
            record.correct = True
            record.skipped = False
        elif mistake is None and self.hints_shown < len(self.step.hints):
            hint = self.hints_shown
            self.hints_seen(self.hints_shown + 1)
        self.store.save()
        return Verdict(Outcome.CORRECT if right else Outcome.WRONG, typed, value, arithmetic,
                       "" if right else closeness, mistake, hint)

    def hints_seen(self, shown: int) -> None:
        """``shown`` hints are on screen: the record keeps the most ever seen (``progress``
        tells "right first time" from "right after hints"). Not saved here."""
        self.hints_shown = shown
        if not self.settled:
            self.record.hints = max(self.record.hints, shown)

    def next_hint(self) -> int:
        """Show one more hint (up to all of them): the number of hints now on screen, recorded
        and saved."""
        shown = min(self.hints_shown + 1, len(self.step.hints))
        self.hints_seen(shown)
        if not self.settled:
            self.store.save()
        return shown

    def reveal(self) -> bool:
        """Reveal the worked answer if allowed (``can_reveal``), recorded and saved."""
        if not self.can_reveal:
            return False
        self.record.revealed = True
        self.store.save()
        return True

    def skip(self) -> None:
        """Leaving a check that was never settled counts it as skipped (saved with the step
        reached, by the lesson screen)."""
        if not self.settled:
            self.record.skipped = True
