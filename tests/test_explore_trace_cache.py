"""Explore mode keeps the traces of the last ``TRACE_CACHE`` edited networks, so a nudge back
and forth reuses them; an older one is let go, and made again, equal, when the learner comes
back to its numbers. (The UI tests reached the letting-go only when enough nudges were
rendered ahead in time, as it happened; here it is asked for.)"""

from __future__ import annotations

from nn_tui.lessons.explore import TRACE_CACHE, ExploreSession
from nn_tui.lessons.session import LessonSession


def test_the_latest_traces_are_reused_and_the_oldest_made_again(psa_hidden):
    session = LessonSession(psa_hidden)
    forward = next(i for i, step in enumerate(session.steps) if step.kind == "forward")
    explore = ExploreSession(session.view(forward))
    base = explore.value()
    values = [base + k / 1000 for k in range(1, TRACE_CACHE + 6)]
    traces = []
    for value in values:
        explore.set_value(value)
        traces.append(explore.trace)
    assert len({id(trace) for trace in traces}) == len(values)  # one trace per network
    # The last TRACE_CACHE are kept: the same objects again.
    for value, trace in list(zip(values, traces, strict=True))[-TRACE_CACHE:]:
        explore.set_value(value)
        assert explore.trace is trace, value
    # The first ones were let go: made again, with the same numbers.
    explore.set_value(values[0])
    again = explore.trace
    assert again is not traces[0]
    assert again.to_dict() == traces[0].to_dict()
