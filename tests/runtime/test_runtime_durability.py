"""The refined durability contract (journal.py): a replayable op's `done` record waits for
no fsync; an op with effects starts only once every record before it is fsync'd; a run
that crashed with replayable records lost resumes to the same outputs, every effect once.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import REPO, journal_records, module, run_module, wf
from test_runtime_inline import LOG, CountingEngine, dag_module, done_ends, now_target  # noqa: F401

from skc.ir import TEXT, InsertionPoint, Module, ctrl, workflow
from skc.ir.core import Op, UnregisteredOp, Value
from skc.runtime import journal as journal_module
from skc.runtime.journal import read_journal
from skc.runtime.targets.base import (
    ExecContext,
    OpResult,
    Target,
    register_target,
    unregister_target,
)

PURE = ["pure"]


class EffectTarget(Target):
    """Runs `test.effect` ops as tasks (never inline), logging when each starts."""

    name = "test_effect"
    ops = ("test.effect",)

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        LOG.append(("effect", ctx.op_id))
        return OpResult(["+".join([str(a) for a in args] + [ctx.op_id])])


def fsyncs() -> int:
    return sum(1 for kind, _ in LOG if kind == "fsync")


@pytest.mark.usefixtures("now_target")
def test_replayable_inline_ops_wait_for_no_fsync(tmp_path: Path) -> None:
    preds: list[list[int]] = [[] for _ in range(10)] + [list(range(10))] + [[10], [11], [12]]
    result = run_module(dag_module(preds, PURE), tmp_path)
    assert result.status == "ok", result.error
    assert fsyncs() == 2  # the header and the end record: none per wave
    done = [r["op"] for r in journal_records(result.run_dir) if r["type"] == "done"]  # type: ignore[arg-type]
    assert sorted(done, key=int) == [str(i) for i in range(14)]  # every record is written all the same


@pytest.mark.usefixtures("now_target")
def test_replayable_ops_run_as_tasks_wait_for_no_fsync_either(tmp_path: Path) -> None:
    CountingEngine.calls = 0
    result = run_module(dag_module([[], [0], [0, 1]], PURE), tmp_path, engine=CountingEngine())
    assert result.status == "ok", result.error
    assert CountingEngine.calls == 3
    assert fsyncs() == 2


def effect_module() -> Module:
    """pure 0, 1 -> pure 2 -> effect 3 (write) -> pure 4 -> effect 5 (read) -> return."""
    w = workflow("t")
    vals: list[Value] = []

    def add(name: str, preds: list[int], effects: list[str]) -> None:
        op = UnregisteredOp(name, [vals[p] for p in preds], [TEXT], {"effects": effects})
        w.body.append(op)
        vals.append(op.results[0])

    add("test.now", [], PURE)
    add("test.now", [], PURE)
    add("test.now", [0, 1], PURE)
    add("test.effect", [2], ["write:test"])
    add("test.now", [3], PURE)
    add("test.effect", [4], ["read:test"])
    with InsertionPoint(w.body):
        ctrl.return_(vals[-1])
    return Module([w])


@pytest.fixture
def effect_target() -> Any:
    register_target(EffectTarget)
    try:
        yield
    finally:
        unregister_target(EffectTarget)


@pytest.mark.usefixtures("now_target", "effect_target")
def test_an_effectful_op_starts_only_once_the_records_before_it_are_fsynced(
        tmp_path: Path) -> None:
    result = run_module(effect_module(), tmp_path, allow_writes=True)
    assert result.status == "ok", result.error
    ends = done_ends(result.run_dir)  # type: ignore[arg-type]
    synced, checked = 0, []
    for kind, what in LOG:
        if kind == "fsync":
            synced = max(synced, what)
        elif kind == "effect":
            inputs = {"3": ["0", "1", "2"], "5": ["0", "1", "2", "3", "4"]}[what]
            for p in inputs:
                assert ends[p] <= synced, f"effect {what} started before op {p}'s record was on disk"
            checked.append(what)
    assert checked == ["3", "5"]
    # header; before op 3; op 3's own record; before op 5; op 5's own record; the end record
    assert fsyncs() == 6


@pytest.mark.usefixtures("now_target", "effect_target")
def test_an_effectful_op_with_nothing_unsynced_before_it_costs_no_extra_fsync(
        tmp_path: Path) -> None:
    w = workflow("t")
    a = UnregisteredOp("test.effect", [], [TEXT], {"effects": ["read:test"]})
    w.body.append(a)
    b = UnregisteredOp("test.effect", [a.results[0]], [TEXT], {"effects": ["read:test"]})
    w.body.append(b)
    with InsertionPoint(w.body):
        ctrl.return_(b.results[0])
    result = run_module(Module([w]), tmp_path)
    assert result.status == "ok", result.error
    assert fsyncs() == 4  # header, op 0's record, op 1's record, end: no barrier fsync


# -- a crash: every prefix of the journal is a state a crash can leave (records land in order)

def chain_source(out: Path, hold: Path | None = None) -> str:
    """Pure data ops, a shell write fed by them, more pure ops after it; `hold` makes the write wait."""
    wait = f"while [ ! -f {hold} ]; do sleep 0.05; done; " if hold else ""
    lines = ['  %p0 = "data.const"() {value = "seed"} : () -> !skc.text']
    for i in range(1, 8):
        lines.append(f'  %p{i} = "data.template"(%p{i - 1}) {{template = "{{0}}.{i}"}} : (!skc.text) -> !skc.text')
    lines.append(f'  %w = "tool.shell"(%p7) {{cmd = "{wait}echo {{0}} >> {out}; echo wrote", '
                 f'effects = ["write:fs:{out}"], step = "Write"}} : (!skc.text) -> !skc.text')
    lines.append('  %q0 = "data.template"(%p7, %w) {template = "{0} {1}"} : (!skc.text, !skc.text) -> !skc.text')
    for i in range(1, 6):
        lines.append(f'  %q{i} = "data.template"(%q{i - 1}) {{template = "{{0}}/{i}"}} : (!skc.text) -> !skc.text')
    lines.append('  "ctrl.return"(%q5) : (!skc.text) -> ()')
    return str(wf("\n".join(lines)))


WRITTEN = "seed.1.2.3.4.5.6.7\n"
OUTPUT = "seed.1.2.3.4.5.6.7 wrote/1/2/3/4/5"


def test_a_pure_chain_resumed_from_any_crash_point_gives_the_same_outputs(tmp_path: Path) -> None:
    """Records land in order, so what a crash leaves is a prefix of the journal: every prefix
    (no end record) resumes to the outputs of the whole run, the write done exactly once."""
    out, runs = tmp_path / "out.txt", tmp_path / "runs"
    first = run_module(module(chain_source(out)), tmp_path, allow_writes=True, run_id="whole")
    assert first.status == "ok", first.error
    assert list(first.outputs.values()) == [OUTPUT]
    lines = (runs / "whole" / "journal.jsonl").read_bytes().splitlines(keepends=True)
    records = [json.loads(line) for line in lines]
    assert records[-1]["type"] == "end"
    wrote = next(i for i, r in enumerate(records) if r["type"] == "done" and r["name"] == "tool.shell")
    assert 5 < wrote < len(records) - 5  # pure records on both sides of the write
    for cut in range(1, len(records) - 1):  # a crash after `cut` records
        run_id = f"cut{cut}"
        shutil.copytree(runs / "whole", runs / run_id, ignore=shutil.ignore_patterns("*.lock", "lock"))
        (runs / run_id / "journal.jsonl").write_bytes(b"".join(lines[:cut]))
        out.write_text(WRITTEN if cut > wrote else "")  # the write happened iff its record is on disk
        again = run_module(None, tmp_path, allow_writes=True, resume=run_id)  # type: ignore[arg-type]
        assert again.status == "ok", (cut, again.error)
        assert again.outputs == first.outputs, cut
        assert out.read_text() == WRITTEN, cut  # written once, whatever was lost
        assert again.restored == sum(1 for r in records[:cut] if r["type"] == "done"), cut


def test_sigkill_while_an_effect_runs_then_resume_gives_the_same_outputs(tmp_path: Path) -> None:
    """A real crash: `skc run` killed -9 while the write waits; the pure records before it are on
    disk (the write's barrier), the resume restores them, does the write once, and ends as a
    whole run does."""
    out, hold, runs = tmp_path / "out.txt", tmp_path / "go", tmp_path / "runs"
    source = tmp_path / "chain.mlir"
    source.write_text(chain_source(out, hold))
    proc = subprocess.Popen([sys.executable, "-m", "skc", "run", str(source), "--runs-dir", str(runs),
                             "--run-id", "k", "--allow-writes", "--workdir", str(tmp_path)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    journal = runs / "k" / "journal.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "tool.shell" not in read_journal(journal).started.get("8", {}).get(
            "name", ""):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    state = read_journal(journal)
    assert state.started["8"]["name"] == "tool.shell"
    assert "8" not in state.done
    assert state.end is None
    assert sorted(state.done, key=int) == [str(i) for i in range(8)]  # the write's inputs, all durable
    assert not out.exists() or out.read_text() == ""
    hold.touch()
    resumed = subprocess.run([sys.executable, "-m", "skc", "run", "--resume", "k", "--runs-dir", str(runs),
                              "--json"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    result = json.loads(resumed.stdout)
    assert list(result["outputs"].values()) == [OUTPUT]
    assert result["restored"] == 8
    assert out.read_text() == WRITTEN


class FailingDisk(Target):
    """A replayable op that breaks the journal's disk: the next fsync fails (once)."""

    name = "test_break"
    ops = ("test.break",)

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        return self.execute_now(op, args, ctx)

    def runs_now(self, op: Op) -> bool:
        return True

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        working = journal_module.os.fsync

        def broken(fd: int) -> None:
            journal_module.os.fsync = working  # the fixture's monkeypatch puts the real one back at the end
            raise OSError(5, "Input/output error")
        journal_module.os.fsync = broken
        return OpResult(["x"])


@pytest.mark.usefixtures("now_target", "effect_target")
def test_a_failed_barrier_fsync_fails_the_run_before_the_effect_starts(tmp_path: Path) -> None:
    register_target(FailingDisk)
    try:
        w = workflow("t")
        a = UnregisteredOp("test.break", [], [TEXT], {"effects": PURE})
        w.body.append(a)
        b = UnregisteredOp("test.effect", [a.results[0]], [TEXT], {"effects": ["read:test"]})
        w.body.append(b)
        with InsertionPoint(w.body):
            ctrl.return_(b.results[0])
        result = run_module(Module([w]), tmp_path)
    finally:
        unregister_target(FailingDisk)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC311"
    assert "journal could not be written" in result.error.message
    assert not any(kind == "effect" for kind, _ in LOG)  # the effect never started


@pytest.mark.usefixtures("now_target", "effect_target")
def test_a_done_record_that_cannot_be_fsynced_fails_the_run_named(tmp_path: Path) -> None:
    """Before, the op's task died with the OSError unheard and the run waited for ever."""
    real = journal_module.os.fsync
    failed: list[int] = []

    def fsync(fd: int) -> None:
        if ("effect", "0") in LOG and not failed:  # the first fsync after the op ran: its done record's
            failed.append(fd)
            raise OSError(5, "Input/output error")
        real(fd)

    journal_module.os.fsync = fsync
    w = workflow("t")
    a = UnregisteredOp("test.effect", [], [TEXT], {"effects": ["read:test"]})
    w.body.append(a)
    with InsertionPoint(w.body):
        ctrl.return_(a.results[0])
    result = run_module(Module([w]), tmp_path)
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC311"
    assert "Input/output error" in result.error.message
