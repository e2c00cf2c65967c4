"""A learner's attempts at a check (nn_tui.lessons.checking): the verdict the check widget
displays, and the progress record it writes (saved at once), without any UI."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nn_tui.lessons.checking import MISSES_BEFORE_REVEAL, CheckAttempt, Outcome
from nn_tui.lessons.model import Choice, Step
from nn_tui.lessons.progress import ProgressStore
from nn_tui.lessons.session import LessonSession


def attempt_at(lesson, tmp_path, **fields) -> tuple[CheckAttempt, ProgressStore]:
    step = Step(kind="check", prompt="?", **fields)
    session = LessonSession(replace(lesson, steps=(step,)))
    store = ProgressStore(tmp_path / "home")
    return CheckAttempt(session, store, lesson.id, 0), store


def saved_record(tmp_path, lesson_id: str):
    """The record as a fresh store reads it from disk: what was saved."""
    store = ProgressStore(tmp_path / "home")
    try:
        return store.get(lesson_id).check(0)
    finally:
        store.close()


def test_a_right_number_is_recorded_and_saved(psa_hidden, tmp_path):
    attempt, store = attempt_at(psa_hidden, tmp_path, answer="output[0]")
    answer = attempt.session.answer(0)
    verdict = attempt.submit(f"{answer:.6f}")
    store.close()
    assert verdict.outcome is Outcome.CORRECT and verdict.correct
    assert not verdict.arithmetic and verdict.value == pytest.approx(answer, abs=1e-6)
    record = saved_record(tmp_path, psa_hidden.id)
    assert (record.attempts, record.correct, record.skipped) == (1, True, False)
    # Settled: later answers are not counted.
    assert attempt.submit("0").outcome is Outcome.SETTLED


def test_a_wrong_number_says_how_far_shows_the_next_hint_and_allows_reveal(psa_hidden, tmp_path):
    attempt, store = attempt_at(psa_hidden, tmp_path, answer="output[0]", hints=("one", "two"))
    answer = attempt.session.answer(0)
    first = attempt.submit(repr(answer * 3 + 1))
    assert first.outcome is Outcome.WRONG and first.closeness.startswith("Far off")
    assert first.hint == 0 and first.mistake is None
    assert not attempt.can_reveal
    second = attempt.submit(f"{answer} * 3 + 1")
    assert second.hint == 1 and second.arithmetic
    third = attempt.submit(repr(-answer))
    assert third.hint is None and third.closeness == "The sign is wrong"
    assert MISSES_BEFORE_REVEAL <= 3 and attempt.can_reveal
    assert attempt.reveal()
    store.close()
    record = saved_record(tmp_path, psa_hidden.id)
    assert (record.attempts, record.hints, record.revealed) == (3, 2, True)


def test_text_that_is_not_a_number_counts_no_attempt(psa_hidden, tmp_path):
    attempt, store = attempt_at(psa_hidden, tmp_path, answer="output[0]")
    verdict = attempt.submit("output[0]")
    store.close()
    assert verdict.outcome is Outcome.NOT_A_NUMBER and verdict.typed == "output[0]"
    assert attempt.record.attempts == 0


def test_a_recognised_mistake_is_recorded_by_kind(psa_hidden, tmp_path):
    attempt, store = attempt_at(psa_hidden, tmp_path, answer="grads[1].W[0][0]",
                                hints=("a hint",))
    verdict = attempt.submit("0.2376")
    store.close()
    assert verdict.mistake is not None and verdict.mistake.kind == "missing_activation_slope"
    # The mistake's feedback is the help: no hint is used up, and it is not a plain miss.
    assert verdict.hint is None
    record = saved_record(tmp_path, psa_hidden.id)
    assert record.mistakes == ["missing_activation_slope"] and record.hints == 0


def test_choices_and_an_ungradable_choice(psa_hidden, tmp_path):
    attempt, store = attempt_at(psa_hidden, tmp_path, answer="1",
                                choices=(Choice("zero", 0.0), Choice("one", 1.0)))
    assert attempt.worked_answer().choice == 1
    wrong = attempt.choose(1)
    assert wrong.outcome is Outcome.WRONG and wrong.closeness == "Choice 1 is not it"
    assert attempt.choose(2).correct
    store.close()
    broken, store = attempt_at(psa_hidden, tmp_path / "other", answer="2",
                               choices=(Choice("zero", 0.0), Choice("one", 1.0)))
    verdict = broken.choose(1)
    store.close()
    assert verdict.outcome is Outcome.UNGRADABLE and "choices' values" in verdict.error
    assert broken.record.attempts == 0


def test_hints_and_skips_are_recorded(psa_hidden, tmp_path):
    attempt, store = attempt_at(psa_hidden, tmp_path, answer="output[0]", hints=("a", "b"))
    assert attempt.next_hint() == 1 and attempt.next_hint() == 2 and attempt.next_hint() == 2
    attempt.skip()
    store.save()
    store.close()
    record = saved_record(tmp_path, psa_hidden.id)
    assert record.hints == 2 and record.skipped and record.attempts == 0
