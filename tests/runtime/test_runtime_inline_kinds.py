"""Inline ops of one kind share what is worked out before they run (runtime/inline.py): the
target, slots, permission ask and a context lent to each op in turn. Each op still runs as
itself (its own op id, step and environment in the context, in what it emits, in its trace
event and journal record), and an op whose own attributes change how it runs is its own
kind (`env`) or runs as a task (retries, a fallback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import journal_records, run_module, trace_events, wf

from skc.ir import TEXT, InsertionPoint, Module, ctrl, workflow
from skc.ir.core import AttrValue, Op, UnregisteredOp, Value
from skc.runtime.engines.local import LocalEngine
from skc.runtime.permissions import policy_for
from skc.runtime.scheduler import Scheduler
from skc.runtime.targets.base import (
    ExecContext,
    OpResult,
    Target,
    register_target,
    unregister_target,
)
from skc.runtime.trace import TraceWriter

LOG: list[tuple[Any, ...]] = []
VAR = "SKC_INLINE_KIND_TEST"


class KindTarget(Target):
    """Runs `test.kind` ops inline, logging the context each execution sees and emitting a probe."""

    name = "test_kind"
    ops = ("test.kind",)

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        LOG.append(("task", ctx.op_id))
        return self.execute_now(op, args, ctx)

    def runs_now(self, op: Op) -> bool:
        return True

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        LOG.append(("exec", ctx.op_id, ctx.step, ctx.env.get(VAR)))
        ctx.emit("probe", seen=ctx.op_id)
        return OpResult([f"value of {ctx.op_id}"])


@pytest.fixture
def kind_target(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    LOG.clear()
    monkeypatch.setenv(VAR, "passed")
    register_target(KindTarget)
    try:
        yield
    finally:
        unregister_target(KindTarget)


def chain(*attributes: dict[str, AttrValue]) -> Module:
    """A workflow of `test.kind` ops, each taking the previous one's result, with these
    attributes (no effects unless given); returns the last op's result."""
    flow = workflow("t")
    results: list[Value] = []
    for attrs in attributes:
        op = UnregisteredOp("test.kind", results[-1:], [TEXT], {"effects": [], **attrs})
        flow.body.append(op)
        results.append(op.results[0])
    with InsertionPoint(flow.body):
        ctrl.return_(results[-1])
    return Module([flow])


def test_ops_of_one_kind_each_run_as_themselves(tmp_path: Path, kind_target: None) -> None:
    result = run_module(chain({"step": "A"}, {"step": "B"}, {}, {"effects": ["read:x"], "step": "D"}), tmp_path)
    assert result.status == "ok", result.error
    assert [e for e in LOG if e[0] == "exec"] == [("exec", "0", "A", None), ("exec", "1", "B", None),
                                                  ("exec", "2", "", None), ("exec", "3", "D", None)]
    assert not any(e[0] == "task" for e in LOG)  # all inline
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    probes = [e for e in events if e["event"] == "probe"]
    assert [(e["op"], e["seen"], e["step"]) for e in probes] == [("0", "0", "A"), ("1", "1", "B"), ("2", "2", ""),
                                                                  ("3", "3", "D")]
    ends = [e for e in events if e["event"] == "op_end"]
    assert [(e["op"], e["step"]) for e in ends] == [("0", "A"), ("1", "B"), ("2", ""), ("3", "D")]
    done = [r for r in journal_records(result.run_dir) if r["type"] == "done"]  # type: ignore[arg-type]
    assert [(r["op"], r["step"], r["values"]) for r in done] == [
        ("0", "A", ["value of 0"]), ("1", "B", ["value of 1"]), ("2", "", ["value of 2"]), ("3", "D", ["value of 3"])]
    assert result.outputs == {"out0": "value of 3"}


def test_an_op_that_passes_an_environment_variable_is_a_kind_of_its_own(tmp_path: Path, kind_target: None) -> None:
    result = run_module(chain({}, {"env": [VAR]}, {}, {"env": [VAR]}), tmp_path)
    assert result.status == "ok", result.error
    assert [e[3] for e in LOG if e[0] == "exec"] == [None, "passed", None, "passed"]
    assert not any(e[0] == "task" for e in LOG)


def test_an_op_with_retries_or_a_fallback_runs_as_a_task(tmp_path: Path, kind_target: None) -> None:
    result = run_module(chain({"retries": 2}, {"retries": 0}, {"step": "C", "fallback": "D"}, {"step": "D"}),
                        tmp_path)
    assert result.status == "ok", result.error
    # op 3 (step D) is op 2's fallback, on standby: op 2 did not fail, so it never runs
    assert [e[:2] for e in LOG] == [("task", "0"), ("exec", "0"), ("exec", "1"), ("task", "2"), ("exec", "2")]
    starts = [e["op"] for e in trace_events(result.run_dir) if e["event"] == "op_start"]  # type: ignore[arg-type]
    assert starts == ["0", "2"]  # a task writes op_start; an inline op only its end (trace format 2)


def test_ops_that_declare_no_effects_share_their_kind(tmp_path: Path) -> None:
    # calc and data ops carry no `effects` attribute: each gets an empty effects list of its own
    # from the block graph, and they must still be one kind per op name, not one per op
    body = "\n".join(f'  %c{i} = "data.const"() {{value = {i}}} : () -> !skc.num\n'
                     f'  %s{i} = "calc.add"(%c{i}, %c{i}) : (!skc.num, !skc.num) -> !skc.num' for i in range(6))
    module = wf(body + '\n  "ctrl.return"(%s5) : (!skc.num) -> ()')
    sched = Scheduler(module.workflow(None), run_id="kinds", engine=LocalEngine(), trace=TraceWriter(None, "kinds"),
                      journal=None, policy=policy_for(None), workdir=tmp_path)
    outcome = asyncio.run(sched.run([]))
    assert outcome.status == "ok"
    assert outcome.outputs == [10]
    assert outcome.executed == 12
    assert sorted(key[0] for key in sched.inline.kinds) == ["calc.add", "data.const"]
