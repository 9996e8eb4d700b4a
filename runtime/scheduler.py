"""The scheduler: runs one workflow as an event-driven dataflow program.

Blocks are graphs of data and effect dependencies, executed by `dataflow.BlockRun`:
there is no polling and there are no supersteps; an op starts the moment its
inputs and its effect-ordering predecessors are done. Reads may run ahead of an
op that can exit the workflow early; writes may not. Before a completion is
processed the op's result is durably journaled, so dependents never start before
it is on disk (ops completing together share one fsync: the journal's group
commit), except for a replayable op (no effects, no model call, no gate; see
journal.py): its record is queued, and what is queued is fsync'd before any op
that is not replayable starts (`JournalWriter.barrier`) and at the end. An op whose target can run it synchronously at once (`Target.runs_now`: calc,
data) runs inline, without a task: `run_now`, and `dataflow.BlockRun` makes each
ready wave of such ops share one fsync before their dependents start.

The scheduler is what each op runs through: its target (found by convention,
`targets.base.target_registry`), the engine, the permission check at the op,
limits, timeouts, retries, the JIT for llm ops, the journal and the trace.

Per op: concurrency limits (per target, per resource; acquired in one global
order so they cannot deadlock), a per-attempt timeout (`timeout_s`, else the
target's default), retries with exponential backoff (`retries`), and a `fallback`
(the step to run instead when the op fails for good; the alternative runs only
on demand and its result stands in for the failed op's). A failure with no
alternative ends the run as failed, naming the op, its step and the error.

On failure or early exit the run stops at once: ops that have not started never
start (also those queued for a limit slot or a write lock), running ops that
only read are cancelled (a process group is killed, a model call is stopped),
and only running ops that write are let finish (and are journaled), so no write
is left half-done. A cancelled op is journaled and traced as cancelled, never as
done; what finished stays in the journal and in the run's outputs. Ops completed in an earlier attempt of
the run (`--resume`) are not executed again: their values come from the journal.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from skc.ir.analysis import DepGraph, block_graph
from skc.ir.core import Block, Op
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.traits import CallsModel
from skc.runtime.dataflow import BlockRun, EarlyExit, RunFailed, Scope
from skc.runtime.inline import InlineRunner
from skc.runtime.journal import JournalWriter
from skc.runtime.leaf import Engine, LeafPlanner, Outcome, op_end
from skc.runtime.permission_requests import requests_for
from skc.runtime.permissions import Denial, Policy
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.trace import TraceWriter
from skc.runtime.values import shape_results

__all__ = ["EarlyExit", "Engine", "Outcome", "RunFailed", "Scheduler"]


class Scheduler:
    """Runs one workflow on an engine, journaling and tracing every op (see module docstring)."""

    def __init__(self, workflow: WorkflowOp, *, run_id: str, engine: Engine, trace: TraceWriter,
                 journal: JournalWriter | None, policy: Policy, workdir: Path,
                 restored: dict[str, dict[str, Any]] | None = None, bindings: dict[str, Any] | None = None,
                 options: dict[str, Any] | None = None, limits: dict[str, int] | None = None,
                 retry_backoff_s: float = 0.2, environ: dict[str, str] | None = None, jit: Any = None,
                 approvals: Any = None) -> None:
        self.workflow = workflow
        self.run_id = run_id
        self.engine = engine
        self.trace = trace
        self.journal = journal
        self.policy = policy
        self.workdir = workdir
        self.restored = restored or {}
        self.bindings = bindings or {}
        self.options = options or {}
        self.retry_backoff_s = retry_backoff_s
        self.jit = jit  # a skc.runtime.jit.JitManager: wraps every llm.* execution
        self.approvals = approvals  # a skc.runtime.approvals.ApprovalGate: `confirm` ops wait for a person
        # each op's target, slots, attempts, timeout and environment, worked out once (leaf.py)
        self.leaves = LeafPlanner(engine, self.options, dict(limits or {}),
                                  dict(os.environ if environ is None else environ))
        self._graphs: dict[int, DepGraph] = {}
        self._commit_due = False  # a `_commit` of inline ops' records is scheduled for this loop turn
        self.blocks = 0  # BlockRuns running (a parent waiting on its regions counts)
        self.outcome = Outcome("ok")
        self.running: set[str] = set()  # ids of leaf ops holding their slots (started, not finished)
        self._finished: set[str] = set()  # ids of leaf ops whose result is in (journaling it)
        # A leaf op its target runs at once, run inline: (values, the future of its record's fsync)
        # or None when it must run as a task (`run_leaf`); inline.py
        self.inline = InlineRunner(self)
        self.run_now = self.inline.run

    def graph(self, block: Block) -> DepGraph:
        key = id(block)
        if key not in self._graphs:
            self._graphs[key] = block_graph(block)
        return self._graphs[key]

    # -- running

    async def run(self, inputs: list[Any]) -> Outcome:
        scope = Scope()
        scope.bind(self.workflow.inputs, inputs)
        try:
            self.outcome.outputs = await BlockRun(self, self.workflow.body, scope, "").run()
        except EarlyExit as e:
            self.outcome.outputs, self.outcome.exit_status = e.values, e.status
            self.outcome.early_exit = True
        except RunFailed as e:
            self.outcome.status, self.outcome.error = "waiting" if e.code == "SKC312" else "failed", e
            if self.outcome.status == "failed":
                self.outcome.outputs = self._partial_outputs(scope)
        for target in self.leaves.targets.values():  # e.g. the run's python sessions
            await target.close()
        if self.journal is not None:
            await self.journal.drained()
        if self.outcome.status == "ok" and self.outcome.exit_status is None:
            term = self.workflow.body.terminator
            self.outcome.exit_status = term.attr_str("status") if term is not None else None
        return self.outcome

    def _partial_outputs(self, scope: Scope) -> list[Any]:
        """A failed run's outputs as far as they finished (None for those that did not)."""
        term = self.workflow.body.terminator
        out: list[Any] = []
        for v in term.operands if term is not None else []:
            try:
                out.append(scope[v])
            except KeyError:
                out.append(None)
        return out

    def emit_op(self, event: str, op: Op, op_id: str, **fields: Any) -> None:
        self.trace.emit(event, op=op_id, name=op.op_name, step=op.step, **fields)

    async def journal_done(self, op: Op, op_id: str, values: list[Any], *, replayable: bool = False,
                           **extra: Any) -> None:
        """Journals an op's result: durable before this returns, unless the op is `replayable`
        (then queued, written this loop turn, made durable by the next fsync: journal.py)."""
        if self.journal is not None:
            record = {"type": "done", "op": op_id, "name": op.op_name, "step": op.step, "values": values, **extra}
            if replayable:
                self.journal.note(record)
                self.commit_soon()
            else:
                await self.journal.append(record)

    def restore(self, op: Op, op_id: str) -> list[Any] | None:
        rec = self.restored.get(op_id)
        if rec is None or rec.get("name") != op.op_name:
            return None
        self.outcome.restored += 1
        self.emit_op("op_end", op, op_id, target="journal", from_journal=True, duration_s=0.0)
        values = list(rec.get("values") or [])
        return values + [None] * (len(op.results) - len(values))

    def check_permissions(self, op: Op, op_id: str, args: list[Any], approved: bool = False) -> None:
        for req in requests_for(op, args):
            req = replace(req, writes=False) if approved else req  # a person approved this write
            verdict = self.policy.check(req)
            if verdict is None:
                continue
            denial = verdict if isinstance(verdict, Denial) else Denial(
                "SKC301", f"{req} is not allowed by {self.policy.describe()}", "")
            message = f"permission denied: {denial.message}"
            self.emit_op("op_error", op, op_id, target="permissions", code=denial.code, error=message, retries=0)
            raise RunFailed(op, op_id, denial.code, message, denial.hint)

    async def _dispatch(self, op: Op, target: Target, args: list[Any], ctx: ExecContext) -> OpResult:
        """One attempt: in process, on the engine, or through the JIT for llm ops."""
        def call() -> Any:
            return target.execute(op, args, ctx) if target.in_process else self.engine.execute(target, op, args, ctx)

        if self.jit is None or not op.has(CallsModel):
            return await call()
        from skc.runtime.jit.store import op_key

        answered: list[OpResult] = []

        async def call_llm() -> OpResult:
            answered.append(await call())
            return answered[-1]

        try:
            output, events, solidified = await self.jit.execute_async(op, op_key(op), args, call_llm)
        except (OpFailed, asyncio.CancelledError):
            raise
        except Exception as e:  # the JIT must never cost a run: fall back to the model itself
            ctx.emit("jit_error", error=f"{type(e).__name__}: {e}")
            return answered[-1] if answered else await call()
        for event in events:
            ctx.emit(event.kind, **event.fields())
        model = answered[-1] if answered else None
        meta = dict(model.meta) if model is not None else {}
        meta["solidified"] = bool(solidified)
        return OpResult([output], model.tokens_in if model else 0, model.tokens_out if model else 0, meta)

    def commit_now(self) -> bool:
        """A wave's journal records written and fsync'd here and now, when nothing could share the
        fsync (one block runs, no leaf op runs: the loop has nothing to overlap with the disk,
        so no thread hand-off; the turn's trace lines with it). True when that was done."""
        if self.blocks != 1 or self.running or self.journal is None or not self.journal.flush():
            return False
        self.trace.flush()
        return True

    def commit_soon(self) -> None:
        """A wave of inline ops waits for its journal records' fsync: done once per loop turn, so
        that the waves of blocks running side by side (map items) share it (`_commit`)."""
        if not self._commit_due:
            self._commit_due = True
            asyncio.get_running_loop().call_soon(self._commit)

    def _commit(self) -> None:
        """When no leaf op runs, the loop has nothing to overlap with the disk: the journal's queue
        is written and fsync'd here, without a thread hand-off (the turn's trace lines with it);
        else the journal's thread writes it."""
        self._commit_due = False
        if self.journal is None:
            return
        if not self.running and self.journal.flush():
            self.trace.flush()
        else:
            self.journal.kick()

    async def run_leaf(self, op: Op, op_id: str, args: list[Any]) -> list[Any]:
        """One leaf op: permission check, attempts with timeout/backoff, journal, trace; a cancelled
        op (the run failed or ended early) is journaled and traced as cancelled."""
        try:
            return await self._run_leaf(op, op_id, args)
        except asyncio.CancelledError:
            if op_id not in self._finished:
                await self._cancelled(op, op_id)
            raise
        finally:
            self.running.discard(op_id)

    async def _cancelled(self, op: Op, op_id: str) -> None:
        started = op_id in self.running
        self.outcome.cancelled += 1
        self.emit_op("op_cancelled", op, op_id, started=started)
        if self.journal is not None:  # queued: `run` drains the journal before it returns
            await self.journal.append({"type": "cancelled", "op": op_id, "name": op.op_name, "step": op.step,
                                       "started": started}, sync=False, wait=False)

    async def _run_leaf(self, op: Op, op_id: str, args: list[Any]) -> list[Any]:
        target = self.leaves.target_for(op)
        if target is None:
            raise RunFailed(op, op_id, "SKC306", f"no target runs {op.op_name}",
                            "install the target's extra (e.g. skc[llm]) or register a Target for it")
        plan = self.leaves.plan(op, target)
        if self.journal is not None and not plan.replayable:
            synced = self.journal.barrier()  # the records of its inputs are durable before it starts
            if synced is not None:
                try:
                    await synced
                except OSError as e:
                    raise RunFailed(op, op_id, "SKC311", f"the journal could not be written: {e}") from None
        approved = self.approvals is not None and op.attributes.get("confirm") is True and \
            await self.approvals.gate(self, op, op_id, args)  # waits for a person (approvals.py)
        self.check_permissions(op, op_id, args, approved)
        attempts, timeout, step = plan.attempts, plan.timeout_s, plan.step

        def emit(event: str, **fields: Any) -> None:
            self.emit_op(event, op, op_id, target=target.name, **fields)

        for attempt in range(1, attempts + 1):
            ctx = ExecContext(self.run_id, self.workdir, dict(plan.env), self.bindings, self.options,
                              emit, step, op_id, attempt)
            started = time.perf_counter()
            code = "SKC310"
            try:
                async with self.leaves.limited(op, target, plan):  # the op starts once it holds its slots
                    self.running.add(op_id)
                    if self.journal is not None and not target.in_process:
                        # only a writer waits for its start record: a crash mid-write names it in flight
                        await self.journal.append({"type": "start", "op": op_id, "name": op.op_name,
                                                   "step": step, "attempt": attempt}, sync=False,
                                                  wait=plan.writes)
                    emit("op_start", attempt=attempt)
                    started = time.perf_counter()
                    async with asyncio.timeout(timeout):
                        result = await self._dispatch(op, target, args, ctx)
                    duration = time.perf_counter() - started  # the op's own time, without the journal's
                self.running.discard(op_id)
                try:
                    values = shape_results([r.type for r in op.results], result.values)
                except ValueError as e:
                    raise OpFailed(f"output does not fit {op.results[0].type}: {e}", retryable=False) from None
            except TimeoutError:
                failure, code = OpFailed(f"timed out after {timeout:g}s", retryable=True), "SKC303"
            except OpFailed as e:
                failure = e
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a bug in a target must still end as a reported failure
                failure, code = OpFailed(f"internal error in {target.name}: {type(e).__name__}: {e}",
                                         retryable=False), "SKC311"
            else:
                self._finished.add(op_id)
                self.outcome.executed += 1
                self.outcome.tokens_in += result.tokens_in
                self.outcome.tokens_out += result.tokens_out
                # op_end says the op finished (no await since it freed its slots, so the trace lists it
                # before the next holder's op_start); its journal record is durable before dependents start
                op_end(emit, result, duration, attempt)
                await self.journal_done(op, op_id, values, replayable=plan.replayable,
                                        tokens_in=result.tokens_in, tokens_out=result.tokens_out, attempt=attempt)
                return values
            self.running.discard(op_id)  # a writer waiting to retry has not started again
            if failure.retryable and attempt < attempts:
                delay = self.retry_backoff_s * 2 ** (attempt - 1)
                emit("retry", attempt=attempt, error=str(failure), delay_s=delay)
                await asyncio.sleep(delay)
                continue
            emit("op_error", code=code, error=str(failure), retries=attempt - 1,
                 duration_s=round(time.perf_counter() - started, 6))
            if self.journal is not None:
                await self.journal.append({"type": "failed", "op": op_id, "name": op.op_name, "step": step,
                                           "code": code, "error": str(failure)})
            raise RunFailed(op, op_id, code, str(failure),
                            f"the run's journal is kept: fix the cause and `skc run --resume {self.run_id}`")
        raise AssertionError("unreachable")

