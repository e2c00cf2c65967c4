"""The distinct mistakes the tutor recognises at each check of the bundled lessons, as Markdown.

    python benchmarks/mistakes_table.py            # one table per lesson, then the totals
    python benchmarks/mistakes_table.py --values   # with each mistake's number

For every check that takes a typed number: its step (1-based, as on screen), its answer, the
right value, and the distinct mistakes (``nn_tui.lessons.diagnosis.candidates``) by kind.
"""

from __future__ import annotations

import argparse
from collections import Counter

from nn_tui.format.numbers import num
from nn_tui.lessons.catalog import bundled_lessons_dir
from nn_tui.lessons.diagnosis import candidates
from nn_tui.lessons.loader import load_lesson
from nn_tui.lessons.session import LessonSession


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", action="store_true", help="list each mistake's number")
    args = parser.parse_args()
    totals: Counter[str] = Counter()
    checks = with_some = 0
    for path in sorted(bundled_lessons_dir().glob("*.toml")):
        lesson = load_lesson(path)
        session = LessonSession(lesson)
        rows = []
        for index, step in enumerate(session.steps):
            if step.kind != "check" or step.choices:
                continue
            checks += 1
            found = candidates(session, index)
            with_some += bool(found)
            kinds = Counter(mistake.kind for mistake in found)
            totals.update(kinds)
            if args.values:
                listed = ", ".join(f"{m.kind} {num(m.value)}" for m in found) or "—"
            else:
                listed = ", ".join(f"{kind} ×{count}" if count > 1 else kind
                                   for kind, count in kinds.items()) or "—"
            rows.append(f"| {index + 1} | `{step.answer}` | {num(session.answer(index))} | "
                        f"{len(found)} | {listed} |")
        if not rows:
            continue
        print(f"### {lesson.id}\n")
        print("| step | answer | right | mistakes | kinds |")
        print("|---|---|---|---|---|")
        print("\n".join(rows))
        print()
    print(f"**{checks} checks that take a number; {with_some} with recognised mistakes; "
          f"{sum(totals.values())} distinct mistakes in all.**\n")
    print("| kind | count |")
    print("|---|---|")
    for kind, count in totals.most_common():
        print(f"| {kind} | {count} |")


if __name__ == "__main__":
    main()
