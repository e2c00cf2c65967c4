"""``nn-tui try`` and ``nn-tui progress``: what the tutor answers to a number, and what learners
got wrong.

Kept apart from ``nn_tui.cli`` (which only registers them) so the commands stay self-contained.
Neither imports Textual; NumPy and the lesson modules load only when a command runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

COMMANDS = ("try", "progress")

def add_commands(commands: Any) -> None:
    """Register ``try`` and ``progress`` on the ``nn-tui`` sub-command parsers."""
    attempt = commands.add_parser(
        "try", help="what the tutor answers to a number typed at a check step")
    attempt.add_argument("lesson", metavar="LESSON",
                         help="a lesson file, or the id of a bundled lesson")
    attempt.add_argument("--step", type=int, required=True, metavar="N",
                         help="the check step, 1-based as on screen")
    attempt.add_argument("value", metavar="VALUE",
                         help="the number typed (e.g. 0.325, -2.8e-2, 1/3)")
    attempt.add_argument("--json", action="store_true", help="print JSON")
    # A VALUE such as -2.8e-2 is a value, not an option: the sub-parsers are nn-tui's _Parser,
    # whose test for "a negative number" takes every argument starting with a minus and a digit.

    progress = commands.add_parser(
        "progress", help="the learner's progress per lesson, with the mistakes made")
    progress.add_argument("--json", action="store_true", help="print JSON")


def runners() -> dict[str, Any]:
    return {"try": run_try, "progress": run_progress}


# -- try -------------------------------------------------------------------------------------


def _lesson_path(name: str) -> Path:
    """``name`` as a file if it is one, else the bundled lesson with that id."""
    from nn_tui.cli import UsageError
    from nn_tui.lessons.catalog import bundled_lessons_dir

    path = Path(name)
    if path.exists() or "/" in name or name.endswith(".toml"):
        return path
    bundled = bundled_lessons_dir()
    candidate = bundled / f"{name}.toml"
    if candidate.is_file():
        return candidate
    ids = ", ".join(sorted(p.stem for p in bundled.glob("*.toml")))
    raise UsageError(f"nn-tui try: {name}: no such file, nor a bundled lesson (bundled: {ids})")


def run_try(args: argparse.Namespace) -> int:
    from nn_tui.cli import EXIT_OK, UsageError, _load, print, print_json
    from nn_tui.format.numbers import num
    from nn_tui.lessons.diagnosis import diagnose
    from nn_tui.lessons.expressions import ExpressionError, parse_learner_number
    from nn_tui.lessons.session import LessonSession

    value = parse_learner_number(args.value)
    if value is None:
        raise UsageError(f"nn-tui try: {args.value!r} is not a number (type it as the tutor "
                         "takes it: 0.325, -2.8e-2, 1/3 or .5)")
    lesson = _load(str(_lesson_path(args.lesson)))
    session = LessonSession(lesson)
    total = session.total
    if not 1 <= args.step <= total:
        raise UsageError(f"nn-tui try: --step {args.step}: {lesson.id} has steps 1 to {total}")
    index = args.step - 1
    step = session.steps[index]
    title = f" (“{step.title}”)" if step.title else ""
    if step.kind != "check":
        checks = [str(k + 1) for k, s in enumerate(session.steps)
                  if s.kind == "check" and not s.choices]
        raise UsageError(f"nn-tui try: step {args.step}{title} is a {step.kind} step, not a "
                         f"check; the checks that take a number are steps "
                         f"{', '.join(checks) or '(none)'}")
    if step.choices:
        raise UsageError(f"nn-tui try: step {args.step}{title} is a multiple-choice check "
                         f"(choices 1–{len(step.choices)}), not one that takes a number")
    try:
        result = diagnose(session, index, value)
    except ExpressionError as error:
        raise UsageError(f"nn-tui try: step {args.step}{title} cannot be graded: {error}") from None
    mistake = result.mistake
    if args.json:
        print_json({"step": args.step, "value": value, "verdict": result.verdict,
                    "mistake": mistake.to_dict() if mistake else None, "answer": result.answer})
        return EXIT_OK
    print(f"{lesson.id}, step {args.step} of {total}{title}: {step.prompt}")
    if result.verdict == "right":
        print(f"{num(value)}: right (the answer is {num(result.answer)}, "
              f"± {num(result.tolerance)}).")
    elif mistake is not None:
        source = "the teacher's" if mistake.teacher else "automatic"
        print(f"{num(value)}: a recognised mistake, {mistake.kind} ({source}):")
        print(f"  {mistake.feedback}")
        print(f"The answer is {num(result.answer)} (± {num(result.tolerance)}).")
    else:
        print(f"{num(value)}: a plain miss (no recognised mistake gives it); the answer is "
              f"{num(result.answer)} (± {num(result.tolerance)}).")
    return EXIT_OK


# -- progress --------------------------------------------------------------------------------


def _titles() -> dict[str, str]:
    """Bundled lessons' titles by id (validated only, not replayed: this is a listing)."""
    from nn_tui.lessons.catalog import bundled_lessons_dir
    from nn_tui.lessons.errors import LessonError
    from nn_tui.lessons.loader import load_lesson

    titles = {}
    for path in sorted(bundled_lessons_dir().glob("*.toml")):
        try:
            lesson = load_lesson(path)
        except LessonError:
            continue
        titles[lesson.id] = lesson.title
    return titles


def run_progress(args: argparse.Namespace) -> int:
    import sys

    from nn_tui.cli import EXIT_OK, print, print_json
    from nn_tui.lessons.progress import ProgressStore

    store = ProgressStore()
    if store.notice:
        print(store.notice, file=sys.stderr)
    titles = _titles()
    lessons = []
    for lesson_id in sorted(store.lessons):
        summary = store.lessons[lesson_id].summary()
        lessons.append({"id": lesson_id, "title": titles.get(lesson_id, ""), **summary})
    if args.json:
        print_json({"home": str(store.directory), "lessons": lessons})
        return EXIT_OK
    if not lessons:
        print(f"No progress recorded yet (in {store.directory}).")
        return EXIT_OK
    print(f"Progress in {store.directory}:")
    for record in lessons:
        place = "done" if record["done"] else f"at step {record['step']} of {record['total']}"
        title = f"  {record['title']}" if record["title"] else ""
        print(f"\n{record['id']}{title} ({place})")
        checks = record["checks"]
        print(f"  checks tried: {checks['answered']} ({checks['right_first_time']} right first "
              f"time, {checks['right_after_hints']} right after hints or tries, "
              f"{checks['revealed']} revealed, {checks['unsolved']} not solved); "
              f"{checks['skipped']} skipped without an answer")
        if not record["mistakes"]:
            print("  mistakes: none recognised")
            continue
        steps: dict[str, list[int]] = {}
        for entry in record["mistakes_by_step"]:
            for kind in entry["kinds"]:
                if entry["step"] not in steps.setdefault(kind, []):
                    steps[kind].append(entry["step"])
        print("  mistakes:")
        for kind, count in record["mistakes"].items():
            where = ", ".join(str(step) for step in steps.get(kind, []))
            label = "step" if len(steps.get(kind, [])) == 1 else "steps"
            print(f"    {kind} ×{count} ({label} {where})")
    return EXIT_OK
