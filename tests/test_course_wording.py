"""Wording that must not mislead: references to lessons still to come, a wrong answer's distance
in words, and the source articles named as they name themselves (tests/test_course_v2_lessons.py
checks the PSA article's title; here the untitled fruit article and the missing authors)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from nn_tui.lessons.grading import closeness
from nn_tui.lessons.loader import load_lesson
from tests.conftest import LESSONS

SEEDS = Path("/work/shared/seeds")
LESSON_IDS = sorted(path.stem for path in LESSONS.glob("*.toml"))


@cache
def lessons_by_id() -> dict:
    """Every bundled lesson by id, loaded by the first test that reads one (not at collection,
    which every pytest-xdist worker does)."""
    return {lesson_id: load_lesson(LESSONS / f"{lesson_id}.toml") for lesson_id in LESSON_IDS}


# How a lesson's text names another lesson, besides its id ("the fruit lesson").
NAMES = {lesson_id: lesson_id for lesson_id in LESSON_IDS}
NAMES |= {"PSA hidden-layer": "psa-hidden-layer", "PSA softmax": "psa-softmax",
          "XOR": "xor", "learning rate": "learning-rate", "chain rule": "chain-rule"}
REFERENCE = re.compile(r"\b(?:the|as in|like in) (" + "|".join(map(re.escape, NAMES)) + r") lesson",
                       re.IGNORECASE)
FUTURE = re.compile(r"\b(will|next|later|comes|coming|ahead)\b", re.IGNORECASE)


def _prose(lesson) -> str:
    parts = []
    for step in lesson.steps:
        parts += [step.title, step.text, step.prompt, step.explanation, *step.hints]
        parts += [choice.text for choice in step.choices]
    return "\n".join(parts)


def _forward_references(lesson_id: str, text: str) -> list[str]:
    order = {key: lesson.order for key, lesson in lessons_by_id().items()}
    lowered = {name.lower(): target for name, target in NAMES.items()}
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for name in REFERENCE.findall(sentence):
            if order[lowered[name.lower()]] > order[lesson_id] and not FUTURE.search(sentence):
                found.append(sentence.strip())
    return found


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_a_later_lesson_is_never_referred_to_as_the_past(lesson_id):
    assert _forward_references(lesson_id, _prose(lessons_by_id()[lesson_id])) == []


def test_the_reference_rule_catches_a_sentence_that_starts_with_the_name():
    # The case that slipped past the earlier, case-sensitive rule.
    assert _forward_references("losses", "The PSA hidden-layer lesson uses this loss.")
    assert _forward_references("layers", "As in the fruit lesson, we add.")
    assert not _forward_references("losses", "The PSA hidden-layer lesson will use this loss.")
    assert not _forward_references("fruit", "You met it in the slopes lesson.")


@pytest.mark.parametrize("given, expected", [(1.1, 1.0), (0.9, 1.0), (12.0, 10.0), (0.12, 0.1)])
def test_a_close_miss_says_what_the_quarter_is_of(given, expected):
    words = closeness(given, expected)
    assert words.startswith("Close")
    assert "quarter of the answer" in words and "25%" in words
    assert not re.search(r"less than a quarter$", words)


def test_the_fruit_lesson_names_its_untitled_article_by_its_own_words():
    fruit = lessons_by_id()["fruit"]
    source = " ".join(fruit.sources)
    opening = "Neural networks are the engines powering the modern world"
    chapter = "Chapter 4: The Forward Pass – From Input to Prediction"
    assert opening in source and chapter in source
    assert "gives no title and names no author" in source
    intro = fruit.steps[0].text
    assert opening in intro and chapter in intro
    seed = next(SEEDS.glob("000_*.txt"), None)
    if seed is not None:  # the article as given: no title line, and these words are its own
        article = seed.read_text(encoding="utf-8")
        assert article.startswith(opening) and chapter in article


def test_the_psa_article_is_named_with_its_date_and_without_an_invented_author():
    for lesson_id in ("psa-softmax", "psa-hidden-layer"):
        source = " ".join(lessons_by_id()[lesson_id].sources)
        assert "“The Math Behind a Neural Network”" in source
        assert "June 06, 2025" in source and "names no author" in source
    seed = next(SEEDS.glob("004_*.txt"), None)
    if seed is not None:
        article = seed.read_text(encoding="utf-8")
        assert "Published on: June 06, 2025" in article
        assert "The Math Behind a Neural Network" in article


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_no_number_on_screen_is_waved_away(lesson_id):
    """Every number on screen is traced to something on screen or a sentence that says where it
    comes from: "ignore them" about the loss rows and the target did neither."""
    assert not re.search(r"\bignore (them|it|these|this)\b", _prose(lessons_by_id()[lesson_id]),
                         re.IGNORECASE)


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_a_lesson_that_trains_or_updates_says_its_learning_rate(lesson_id):
    """η is not only in a pane header: a lesson whose steps update or train names its value."""
    lesson = lessons_by_id()[lesson_id]
    if not any(step.kind in ("update", "train") for step in lesson.steps):
        return
    rates = {lesson.network.learning_rate}
    rates |= {variant.network.learning_rate for variant in lesson.variants}
    prose = _prose(lesson)
    for rate in rates:
        assert re.search(rf"η = {re.escape(f'{rate:g}')}(?![\d.])", prose), (
            f"{lesson_id} never says η = {rate:g}")
