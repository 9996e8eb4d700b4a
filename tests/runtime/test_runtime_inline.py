"""Inline ops: what a target `runs_now` runs in the scheduler's loop, a ready wave at a time.

For an inline op that is not replayable (here: one that reads, `read:test`) the
durability contract still holds (its `done` record is fsync'd before any dependent
starts), a wave shares one fsync; replayable ops (no effects) wait for no fsync
(tests/runtime/test_runtime_durability.py); the trace and journal say what they say
for a task-run op, a failure is reported the same way, and an engine that is not
`inline` (Ray) still gets every op.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import journal_records, run_module, trace_events, wf

from skc.ir import TEXT, InsertionPoint, Module, ctrl, workflow
from skc.ir.core import Op, UnregisteredOp, Value
from skc.runtime import journal as journal_module
from skc.runtime.engines.local import LocalEngine
from skc.runtime.targets.base import (
    ExecContext,
    OpFailed,
    OpResult,
    Target,
    register_target,
    unregister_target,
)

LOG: list[tuple[str, Any]] = []


class NowTarget(Target):
    """Runs `test.now` ops inline (`runs_now`), logging each execution; the ops in `failing` fail."""

    name = "test_now"
    ops = ("test.now",)
    failing: set[str] = set()

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        LOG.append(("task", ctx.op_id))
        return self.execute_now(op, args, ctx)

    def runs_now(self, op: Op) -> bool:
        return True

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        LOG.append(("exec", ctx.op_id))
        if ctx.op_id in NowTarget.failing:
            raise OpFailed("asked to fail", retryable=False)
        return OpResult(["+".join([str(a) for a in args] + [ctx.op_id])])


@pytest.fixture
def now_target(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Registers NowTarget and logs every journal fsync with the file's size at that moment."""
    real = os.fsync

    def fsync(fd: int) -> None:
        real(fd)
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode):  # the journal file, not its folder
            LOG.append(("fsync", st.st_size))

    LOG.clear()
    NowTarget.failing = set()
    monkeypatch.setattr(journal_module.os, "fsync", fsync)
    register_target(NowTarget)
    try:
        yield
    finally:
        unregister_target(NowTarget)


READS = ["read:test"]  # not replayable: its records are fsync'd before its dependents start


def dag_module(preds: list[list[int]], effects: list[str] = READS) -> Module:
    """A workflow of `test.now` ops with `effects`, op i taking the results of `preds[i]`; returns
    the last op's."""
    wf = workflow("t")
    results: list[Value] = []
    for ps in preds:
        op = UnregisteredOp("test.now", [results[p] for p in ps], [TEXT], {"effects": list(effects)})
        wf.body.append(op)
        results.append(op.results[0])
    with InsertionPoint(wf.body):
        ctrl.return_(results[-1])
    return Module([wf])


def done_ends(run_dir: Path) -> dict[str, int]:
    """op id -> the byte offset where its `done` record ends in the journal."""
    ends, offset = {}, 0
    for line in (run_dir / "journal.jsonl").read_bytes().splitlines(keepends=True):
        offset += len(line)
        if b'"type":"done"' in line:
            ends[journal_module.json.loads(line)["op"]] = offset
    return ends


def test_a_dependent_starts_only_once_its_inputs_done_records_are_fsynced(tmp_path: Path, now_target: None) -> None:
    preds = [[], [], [0, 1], [2], [2, 3]]  # four waves
    result = run_module(dag_module(preds), tmp_path)
    assert result.status == "ok", result.error
    assert result.outputs == {"out0": "0+1+2+0+1+2+3+4"}
    ends = done_ends(result.run_dir)  # type: ignore[arg-type]
    assert set(ends) == {"0", "1", "2", "3", "4"}
    synced = 0
    for kind, what in LOG:
        if kind == "fsync":
            synced = max(synced, what)
        elif kind == "exec":
            for p in preds[int(what)]:
                assert ends[str(p)] <= synced, f"op {what} ran before op {p}'s record was on disk"
    assert not any(kind == "task" for kind, _ in LOG)  # every op ran inline, no task


def test_a_wave_of_inline_ops_shares_one_fsync(tmp_path: Path, now_target: None) -> None:
    preds: list[list[int]] = [[] for _ in range(20)] + [list(range(20))]  # 20 independent ops, then one join
    result = run_module(dag_module(preds), tmp_path)
    assert result.status == "ok", result.error
    fsyncs = sum(1 for kind, _ in LOG if kind == "fsync")
    assert fsyncs == 4  # the header, the wave of 20, the join, the end record


def test_inline_ops_are_traced_and_journaled_like_any_op(tmp_path: Path, now_target: None) -> None:
    result = run_module(dag_module([[], [0]]), tmp_path)
    events = [e for e in trace_events(result.run_dir) if e.get("op") in ("0", "1")]  # type: ignore[arg-type]
    # trace format 2: an inline op writes one event, its end, saying when it began
    assert [(e["event"], e["op"]) for e in events] == [("op_end", "0"), ("op_end", "1")]
    assert all(e["target"] == "test_now" and e["name"] == "test.now" for e in events)
    assert events[0]["start"] <= events[0]["ts"] <= events[1]["start"] <= events[1]["ts"]
    assert next(e for e in trace_events(result.run_dir) if e["event"] == "run_start")["format"] == 2  # type: ignore[arg-type]
    done = [r for r in journal_records(result.run_dir) if r["type"] == "done"]  # type: ignore[arg-type]
    assert [(r["op"], r["values"], r["attempt"]) for r in done] == [("0", ["0"], 1), ("1", ["0+1"], 1)]
    assert result.executed == 2


def test_an_inline_op_that_fails_ends_the_run_named_and_journaled(tmp_path: Path, now_target: None) -> None:
    NowTarget.failing = {"1"}
    result = run_module(dag_module([[], [0], [1]]), tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert "op 1" in result.error.message
    assert "asked to fail" in result.error.message
    records = journal_records(result.run_dir)  # type: ignore[arg-type]
    assert [(r["type"], r.get("op")) for r in records if r["type"] in ("done", "failed")] == [("done", "0"),
                                                                                            ("failed", "1")]
    assert ("exec", "2") not in LOG
    assert any(e["event"] == "op_error" and e["op"] == "1" for e in trace_events(result.run_dir))  # type: ignore[arg-type]


def test_resume_restores_inline_ops_and_runs_the_rest(tmp_path: Path, now_target: None) -> None:
    NowTarget.failing = {"2"}
    first = run_module(dag_module([[], [0], [1]]), tmp_path)
    assert first.status == "failed"
    LOG.clear()
    NowTarget.failing = set()
    again = run_module(dag_module([[], [0], [1]]), tmp_path, resume=first.run_id)
    assert again.status == "ok", again.error
    assert [what for kind, what in LOG if kind == "exec"] == ["2"]
    assert again.restored == 2


class CountingEngine(LocalEngine):
    """The local engine without the inline fast path: every op goes through `execute`."""

    inline = False
    calls = 0

    async def execute(self, target: Target, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        CountingEngine.calls += 1
        return await super().execute(target, op, args, ctx)


def test_an_engine_that_is_not_inline_gets_every_op(tmp_path: Path, now_target: None) -> None:
    CountingEngine.calls = 0
    result = run_module(dag_module([[], [0], [0, 1]]), tmp_path, engine=CountingEngine())
    assert result.status == "ok", result.error
    assert CountingEngine.calls == 3
    assert [kind for kind, _ in LOG if kind in ("task", "exec")] == ["task", "exec"] * 3


def test_map_items_running_side_by_side_share_their_waves_fsyncs(tmp_path: Path, now_target: None) -> None:
    mod = wf('''  %items = "data.const"() {value = [1, 2, 3, 4, 5, 6, 7, 8]} : () -> !skc.json
  %out = "ctrl.map"(%items) ({
  ^bb0(%it: !skc.json):
    %a = "test.now"(%it) {effects = ["read:test"]} : (!skc.json) -> !skc.text
    %b = "test.now"(%a) {effects = ["read:test"]} : (!skc.text) -> !skc.text
    "ctrl.yield"(%b) : (!skc.text) -> ()
  }) : (!skc.json) -> !skc.json
  "ctrl.return"(%out) : (!skc.json) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.status == "ok", result.error
    assert len(result.outputs["out"]) == 8
    assert sum(1 for kind, _ in LOG if kind == "exec") == 16
    fsyncs = sum(1 for kind, _ in LOG if kind == "fsync")
    # header, const, the 8 items' first ops, their second ops, the map's own record, end:
    # per wave, not per item (8 items x 2 waves alone would be 16)
    assert fsyncs <= 8, fsyncs


def test_inline_ops_records_pass_the_redactor_when_there_are_secrets(tmp_path: Path, now_target: None) -> None:
    # the op's id is part of its value: "0" is the secret, so op 0's value and op 1's ("0+1") hold it
    result = run_module(dag_module([[], [0]], effects=[]), tmp_path, secrets=["0+1"])
    assert result.status == "ok", result.error
    journal = (result.run_dir / "journal.jsonl").read_text()  # type: ignore[operator]
    trace = (result.run_dir / "trace.jsonl").read_text()  # type: ignore[operator]
    assert "0+1" not in journal
    assert "0+1" not in trace
    done = [r for r in journal_records(result.run_dir) if r["type"] == "done"]  # type: ignore[arg-type]
    assert [r["values"] for r in done] == [["0"], ["***"]]


def test_inline_ops_events_and_records_have_the_keys_of_task_run_ops(tmp_path: Path, now_target: None) -> None:
    result = run_module(dag_module([[]], effects=[]), tmp_path)
    events = {e["event"]: e for e in trace_events(result.run_dir) if e.get("op") == "0"}  # type: ignore[arg-type]
    assert "op_start" not in events  # trace format 2: its one event is its end, with its start
    assert list(events["op_end"]) == ["ts", "event", "op", "name", "step", "target", "start", "duration_s",
                                      "tokens_in", "tokens_out", "retries", "cache_hit", "solidified"]
    done = next(r for r in journal_records(result.run_dir) if r["type"] == "done")  # type: ignore[arg-type]
    assert list(done) == ["type", "op", "name", "step", "values", "tokens_in", "tokens_out", "attempt", "ts"]
