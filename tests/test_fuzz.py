"""The fuzz harness (benchmarks/fuzz.py), bounded: mutated lessons never crash, hang or mislead.

``test_bounded_fuzz_finds_no_failure`` runs ``NN_TUI_FUZZ_CASES`` (default 50) mutated bundled
lessons through ``check``, ``trace --json`` and ``train --json`` in-process (in forked children,
as the full harness does) with a fixed seed, and asserts that no case falls in any failure class:
traceback, hang over 10 s, over 500 MB, a lesson ``check`` accepts that ``trace``/``train``
then fail on, non-strict JSON, or raw control bytes in the output. On failure the harness's
summary (class counts, signatures, reproducer paths, last traceback lines) is the assertion
message. The run is bounded by its case count, never by the clock, so it checks the same cases
on a loaded machine as on an idle one. A longer run through the same test:
``NN_TUI_FUZZ_CASES=2000 pytest tests/test_fuzz.py``; the long run is
``python benchmarks/fuzz.py --cases 100000``.

The other tests check the harness itself: that its detectors fire on what they must, and
that generation is deterministic for a seed.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "benchmarks" / "fuzz.py"
CASES = int(os.environ.get("NN_TUI_FUZZ_CASES", "50"))
SEED = 20260930

pytest.importorskip("tomli_w", reason="the fuzz harness writes TOML with tomli-w (test extra)")


@functools.cache
def _harness():
    """The harness as a module, loaded by the first test that needs it: not at collection,
    where every pytest-xdist worker would import it (and Hypothesis with it)."""
    spec = importlib.util.spec_from_file_location("nn_tui_fuzz_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def fuzz():
    return _harness()


def test_bounded_fuzz_finds_no_failure(tmp_path):
    # In a process of its own: the harness forks a child per case, which must not happen inside
    # pytest's own process (its threads, its captured file descriptors). Forked from the
    # interpreter of tests/script_runs.py, which has NumPy and the CLI imported already.
    from script_runs import run_scripts

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    [result] = run_scripts(
        [(HARNESS, "--cases", str(CASES), "--seed", str(SEED), "--workers", "2",
          "--out", tmp_path / "fuzz", "--shrink-seconds", "0", "--quiet")],
        env, preload=["nn_tui.cli"], cwd=ROOT, timeout=900)
    assert "cases in" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]


# -- the harness's own detectors ------------------------------------------------------------


def _result(argv, code=0, **extra):
    base = {"argv": argv, "code": code, "seconds": 0.01, "peak": 50 * 2**20,
            "stdout_head": "", "stderr_head": "", "printed": True}
    return {**base, **extra}


def _case():
    return _harness().Case(0, "single-neuron.toml", b"", [])


def _classify(results, hung=None, signal_death=None):
    return _harness().classify(_case(), dict(enumerate(results)), hung, signal_death, None,
                               timeout=10, memory_limit=500 * 2**20)


def test_strict_json_refuses_nan_and_infinity(fuzz):
    assert fuzz._strict_json('{"loss": 1.5, "x": [null]}') is None
    for text in ('{"loss": NaN}', '{"loss": Infinity}', '[-Infinity]', '{"a": 1'):
        assert fuzz._strict_json(text) is not None, text


def test_control_characters_are_found_except_newline_and_tab(fuzz):
    assert not fuzz.CONTROL.search("plain text\n\twith tabs, ünïcödé and → arrows")
    for bad in ("\x1b[2J", "\x00", "\r", "\x7f", "\x9b", "\x07", "\x0c"):
        assert fuzz.CONTROL.search(f"a{bad}b"), repr(bad)


def test_classes():
    check, trace, train = (["check", "f"], ["trace", "f", "--json"],
                           ["train", "f", "--json", "--epochs", "3"])
    assert _classify([_result(check), _result(trace), _result(train)]).classes == {}
    assert _classify([_result(check), _result(trace), _result(train)]).good == "ok"
    refused = _classify([_result(check, 2), _result(trace, 2), _result(train, 2)])
    assert refused.classes == {} and refused.good == "refused"

    crash = _result(trace, None, traceback="Traceback ...\nOverflowError: x",
                    signature="OverflowError at lessons/loader.py:1 f")
    classes = _classify([_result(check), crash, _result(train)]).classes
    assert set(classes) == {"TRACEBACK", "ACCEPT-THEN-CRASH"}

    assert set(_classify([_result(check, 1)]).classes) == {"TRACEBACK"}
    assert set(_classify([_result(check, 2), _result(trace, 2)]).classes) == set()
    assert set(_classify([_result(check, 2, printed=False)]).classes) == {"SILENT-REFUSAL"}
    assert set(_classify([_result(check)], hung=0).classes) == {"HANG"}
    assert set(_classify([_result(check), _result(trace)], hung=1).classes) == {
        "HANG", "ACCEPT-THEN-CRASH"}
    assert set(_classify([_result(check, peak=600 * 2**20)]).classes) == {"MEMORY"}
    memory = _result(check, None, traceback="MemoryError", memory_error=True, signature="x")
    assert set(_classify([memory]).classes) == {"MEMORY"}
    json_bad = _result(trace, json_problem="non-standard constant NaN")
    assert set(_classify([_result(check, 2), json_bad]).classes) == {"NON-STRICT-JSON"}
    noisy = _result(check, controls=["U+001B"], control_context="\x1b[2J")
    assert set(_classify([noisy]).classes) == {"CONTROL-BYTES"}
    assert set(_classify([_result(check)], signal_death=11).classes) == {"CRASH"}
    # check accepted, trace then refused: check's promise was wrong
    assert set(_classify([_result(check), _result(trace, 2)]).classes) == {"ACCEPT-THEN-CRASH"}


def test_run_command_catches_what_escapes_main(tmp_path, monkeypatch, fuzz):
    import nn_tui.cli

    def boom(argv):
        raise OverflowError("int too large to convert to float")

    monkeypatch.setattr(nn_tui.cli, "main", boom)
    result = fuzz._run_command(["check", "x"])
    assert result["code"] is None
    assert result["last_line"] == "OverflowError: int too large to convert to float"
    assert result["signature"].startswith("OverflowError")


def test_generation_is_deterministic_and_varied(fuzz):
    bases = fuzz.load_bases()

    def draw(seed_value):
        found = []
        fuzz.generate_cases(bases, seed_value, 40, math.inf, found.append)
        return found

    # Seed 2's 40 cases use 20 kinds of mutation (seed 7's, 17) in a third of the bytes to
    # write (0.4 MB, not 1.9): the same check of determinism, over more kinds, in less time.
    first, again, other = draw(2), draw(2), draw(8)
    assert len(first) == 40
    assert [c.content for c in first] == [c.content for c in again]
    assert [c.content for c in first] != [c.content for c in other]
    assert len({c.content for c in first}) > 30
    assert len({c.base for c in first}) > 3
