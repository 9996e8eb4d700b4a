"""The sandbox: candidates run with a deadline; Python ones in a killable worker process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from skc.runtime.jit import Candidate, Sandbox
from skc.runtime.jit.program import Deadline, ProgramTimeout, evaluate


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    sb = Sandbox(timeout_s=2.0)
    yield sb
    sb.close()


def python(code: str) -> Candidate:
    return Candidate("python", {"op": "python", "code": code})


def test_printing_candidates_do_not_corrupt_the_protocol(sandbox: Sandbox) -> None:
    noisy = python('import os\ndef solve(args):\n    print("noise")\n    os.write(1, b"raw\\n")\n'
                   "    return args[0] * 2\n")
    assert sandbox.run(noisy, [21]).value == 42
    assert sandbox.run(noisy, [4]).value == 8  # the same worker, still in step


def test_failures_are_outcomes(sandbox: Sandbox) -> None:
    boom = sandbox.run(python("def solve(args):\n    return 1 / 0\n"), [])
    assert not boom.ok
    assert "ZeroDivisionError" in boom.error
    odd = sandbox.run(python("def solve(args):\n    return object()\n"), [])
    assert not odd.ok  # not JSON: no answer the guard could check
    assert not sandbox.run(Candidate("extract", {"op": "ref", "path": [3]}), [1]).ok


def test_an_infinite_loop_is_killed_and_the_pool_recovers(sandbox: Sandbox) -> None:
    out = sandbox.run(python("def solve(args):\n    while True:\n        pass\n"), [], timeout_s=0.3)
    assert out.timed_out
    assert out.error == "timed out after 0.3s (worker killed)"  # the call's limit, not the sandbox's 2 s
    assert sandbox.killed == 1
    assert sandbox.run(python("def solve(args):\n    return 'ok'\n"), []).value == "ok"


def test_a_slow_builtin_program_times_out_on_its_thread(sandbox: Sandbox) -> None:
    rows = [{"x": i} for i in range(600_000)]
    pred = {"op": "cmp", "pred": "gt", "lhs": {"op": "col", "name": "x"}, "rhs": {"op": "const", "value": 5}}
    slow = Candidate("extract", {"op": "count_where", "src": {"op": "ref", "path": [0]}, "pred": pred})
    out = sandbox.run(slow, [rows], timeout_s=0.01)
    assert out.timed_out
    assert out.error == "timed out after 0.01s"
    with pytest.raises(ProgramTimeout):  # the program itself stops at its deadline (one already passed)
        evaluate(slow.expr, [rows], Deadline(-1.0))
