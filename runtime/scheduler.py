"""The scheduler: runs one workflow as an event-driven dataflow program.

Each block (the workflow body, a `ctrl.if` branch, one `ctrl.map` item, one
`ctrl.retry` attempt) is a small graph: an op depends on the ops that produce its
operands and on earlier ops whose effects conflict with its own (write/write or
read/write on overlapping resources, in program order, via `skc.ir.effects`). An
op that may end the workflow early (a region holding `ctrl.return`) also orders
every later op that writes: reads may run ahead speculatively, writes may not.

There is no polling and there are no supersteps: every op task reports its
completion on a queue, and the completion of op X decrements its successors'
counts and pushes the ones that reach zero onto a ready heap (program order
breaks ties), from which they start at once. Before a completion is processed the
op's result is durably journaled, so dependents never start before it is on disk.

Per op: concurrency limits (per target, per resource; acquired in one global
order so they cannot deadlock), a per-attempt timeout (`timeout_s`, else the
target's default), retries with exponential backoff (`retries`), and a `fallback`
(the step to run instead when the op fails for good; the alternative runs only
on demand and its result stands in for the failed op's). A failure with no
alternative ends the run as failed, naming the op, its step and the error.

On failure or early exit, ops that have not started never start, running ops
that only read are cancelled, and running ops that write are let finish (and are
journaled), so no write is left half-done. Ops completed in an earlier attempt of
the run (`--resume`) are not executed again: their values come from the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import os
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from skc.ir.core import Block, Op, Value
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.effects import Effect, parse_effects
from skc.ir.location import Diagnostic
from skc.runtime.journal import JournalWriter
from skc.runtime.permissions import Denial, Policy, requests_for
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target, target_registry
from skc.runtime.trace import TraceWriter
from skc.runtime.values import shape_results

REGION_OPS = ("ctrl.if", "ctrl.map", "ctrl.retry")
DEFAULT_TIMEOUT_S = 600.0
BASE_ENV = ("PATH", "HOME", "LANG")


class Engine(ABC):
    """Where leaf ops run. The scheduler calls `execute` once per attempt of an op whose
    target is not `in_process`, and cancels the awaiting coroutine on timeout; the engine
    must then stop the work. `start`/`stop` bracket a run."""

    name: ClassVar[str] = ""

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Called once before the first op."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Called once after the run, also after a failure."""

    @abstractmethod
    async def execute(self, target: Target, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        """Runs `op` on `target` with operand values `args`; raises OpFailed on failure."""


class RunFailed(Exception):
    """An op failed for good: the run ends with this error (op id, name, step, code)."""

    def __init__(self, op: Op, op_id: str, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.op, self.op_id, self.code, self.message, self.hint = op, op_id, code, message, hint
        self.step = str(op.attributes.get("step") or "")

    def diagnostic(self) -> Diagnostic:
        step = f"step {self.step!r}" if self.step else "op"
        return Diagnostic(self.code, self.op.where,
                          f"{step} ({self.op.op_name}, op {self.op_id}) failed: {self.message}", self.hint)


class EarlyExit(Exception):
    """A `ctrl.return` inside a branch ran: the workflow ends with its values and status."""

    def __init__(self, status: str, values: list[Any]) -> None:
        super().__init__(status)
        self.status, self.values = status, values


@dataclass
class Outcome:
    """How a workflow run ended."""

    status: str  # ok | failed
    outputs: list[Any] = field(default_factory=list)
    exit_status: str | None = None
    error: RunFailed | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    executed: int = 0
    restored: int = 0


class _Scope:
    """Runtime values of SSA values, chained to the enclosing region's scope."""

    def __init__(self, parent: _Scope | None = None) -> None:
        self.values: dict[int, Any] = {}
        self.parent = parent

    def __getitem__(self, value: Value) -> Any:
        scope: _Scope | None = self
        while scope is not None:
            if id(value) in scope.values:
                return scope.values[id(value)]
            scope = scope.parent
        raise KeyError(f"value {value!r} has no runtime value")

    def bind(self, values: list[Value], data: list[Any]) -> None:
        for v, d in zip(values, data, strict=False):
            self.values[id(v)] = d


def op_effects(op: Op) -> list[Effect]:
    """Effects of `op` and of every op nested in its regions."""
    return [e for inner in op.walk() for e in parse_effects(inner.effects)[0]]


def writes(op: Op) -> bool:
    return any(e.writes for e in op_effects(op))


def _may_exit(op: Op) -> bool:
    return bool(op.regions) and any(inner.op_name == "ctrl.return" for inner in op.walk())


@dataclass
class _Graph:
    """The dependency structure of one block, computed once per block object."""

    preds: list[set[int]]
    succs: list[set[int]]
    standby: set[int]
    by_step: dict[str, int]


def block_graph(block: Block) -> _Graph:
    ops = block.ops
    n = len(ops)
    producer: dict[int, int] = {}
    for i, op in enumerate(ops):
        for inner in op.walk():
            for r in inner.results:
                producer[id(r)] = i
    data: list[set[int]] = [set() for _ in ops]
    for i, op in enumerate(ops):
        for inner in op.walk():
            for v in inner.operands:
                p = producer.get(id(v))
                if p is not None and p != i:
                    data[i].add(p)
    by_step: dict[str, int] = {}
    for i, op in enumerate(ops):
        step = op.attributes.get("step")
        if isinstance(step, str):
            by_step.setdefault(step, i)
    named = {by_step[f] for op in ops if isinstance(f := op.attributes.get("fallback"), str) and f in by_step}
    consumers = {p for i in range(n) if not ops[i].terminator for p in data[i]}
    standby = {i for i in named if i not in consumers}
    effects = [op_effects(op) for op in ops]
    preds = [set(d) for d in data]
    for i in range(n):
        if ops[i].terminator:
            preds[i] -= standby
            continue
        for j in range(i):
            if j in standby:
                continue
            if any(a.conflicts(b) for a in effects[j] for b in effects[i]):
                preds[i].add(j)
            elif _may_exit(ops[j]) and any(e.writes for e in effects[i]):
                preds[i].add(j)
    succs: list[set[int]] = [set() for _ in ops]
    for i, ps in enumerate(preds):
        for p in ps:
            succs[p].add(i)
    return _Graph(preds, succs, standby, by_step)


class Scheduler:
    """Runs one workflow on an engine, journaling and tracing every op (see module docstring)."""

    def __init__(self, workflow: WorkflowOp, *, run_id: str, engine: Engine, trace: TraceWriter,
                 journal: JournalWriter | None, policy: Policy, workdir: Path,
                 restored: dict[str, dict[str, Any]] | None = None, bindings: dict[str, Any] | None = None,
                 options: dict[str, Any] | None = None, limits: dict[str, int] | None = None,
                 retry_backoff_s: float = 0.2, environ: dict[str, str] | None = None, jit: Any = None) -> None:
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
        self.limits = dict(limits or {})
        self.retry_backoff_s = retry_backoff_s
        self.environ = dict(os.environ if environ is None else environ)
        self.jit = jit  # a skc.runtime.jit.JitManager: wraps every llm.* execution
        self.registry = target_registry()
        self._targets: dict[type[Target], Target] = {}
        self._sems: dict[str, asyncio.Semaphore | asyncio.Lock] = {}
        self._graphs: dict[int, _Graph] = {}
        self.outcome = Outcome("ok")

    # -- targets, limits, environment

    def target_for(self, op: Op) -> Target | None:
        cls = self.registry.get(op.op_name)
        if cls is None:
            return None
        if cls not in self._targets:
            self._targets[cls] = cls()
        return self._targets[cls]

    def graph(self, block: Block) -> _Graph:
        key = id(block)
        if key not in self._graphs:
            self._graphs[key] = block_graph(block)
        return self._graphs[key]

    def env_for(self, op: Op) -> dict[str, str]:
        env = {k: self.environ[k] for k in BASE_ENV if k in self.environ}
        env.setdefault("PATH", os.defpath)
        env.setdefault("LANG", "C.UTF-8")
        declared = op.attributes.get("env")
        for name in declared if isinstance(declared, list) else []:
            if str(name) in self.environ:
                env[str(name)] = self.environ[str(name)]
        return env

    def _sem(self, key: str, size: int | None) -> asyncio.Semaphore | asyncio.Lock:
        if key not in self._sems:
            self._sems[key] = asyncio.Lock() if size is None else asyncio.Semaphore(max(1, size))
        return self._sems[key]

    @contextlib.asynccontextmanager
    async def limited(self, op: Op, target: Target) -> AsyncIterator[None]:
        """Holds the op's target and resource slots, and write locks on what it writes."""
        wanted: dict[str, int | None] = {}
        size = self.limits.get(target.name, target.max_concurrency)
        if size:
            wanted[f"target:{target.name}"] = size
        for e in parse_effects(op.effects)[0]:
            if e.resource in self.limits:
                wanted[f"resource:{e.resource}"] = self.limits[e.resource]
            if e.writes:
                wanted[f"write:{e.resource}"] = None
        async with contextlib.AsyncExitStack() as stack:
            for key in sorted(wanted):
                await stack.enter_async_context(self._sem(key, wanted[key]))
            yield

    # -- running

    async def run(self, inputs: list[Any]) -> Outcome:
        scope = _Scope()
        scope.bind(self.workflow.inputs, inputs)
        try:
            self.outcome.outputs = await _BlockRun(self, self.workflow.body, scope, "").run()
        except EarlyExit as e:
            self.outcome.outputs, self.outcome.exit_status = e.values, e.status
        except RunFailed as e:
            self.outcome.status, self.outcome.error = "failed", e
        if self.outcome.status == "ok" and self.outcome.exit_status is None:
            term = self.workflow.body.terminator
            status = term.attributes.get("status") if term is not None else None
            self.outcome.exit_status = str(status) if isinstance(status, str) else None
        return self.outcome

    def _emit(self, event: str, op: Op, op_id: str, **fields: Any) -> None:
        self.trace.emit(event, op=op_id, name=op.op_name, step=op.attributes.get("step") or "", **fields)

    async def journal_done(self, op: Op, op_id: str, values: list[Any], **extra: Any) -> None:
        if self.journal is not None:
            await self.journal.append({"type": "done", "op": op_id, "name": op.op_name,
                                       "step": op.attributes.get("step") or "", "values": values, **extra})

    def restore(self, op: Op, op_id: str) -> list[Any] | None:
        rec = self.restored.get(op_id)
        if rec is None or rec.get("name") != op.op_name:
            return None
        self.outcome.restored += 1
        self._emit("op_end", op, op_id, target="journal", from_journal=True, duration_s=0.0)
        values = list(rec.get("values") or [])
        return values + [None] * (len(op.results) - len(values))

    def _check_permissions(self, op: Op, op_id: str, args: list[Any]) -> None:
        for req in requests_for(op, args):
            verdict = self.policy.check(req)
            if verdict is None:
                continue
            denial = verdict if isinstance(verdict, Denial) else Denial(
                "SKC301", f"{req} is not allowed by {self.policy.describe()}", "")
            message = f"permission denied: {denial.message}"
            self._emit("op_error", op, op_id, target="permissions", code=denial.code, error=message, retries=0)
            raise RunFailed(op, op_id, denial.code, message, denial.hint)

    async def _dispatch(self, op: Op, target: Target, args: list[Any], ctx: ExecContext) -> OpResult:
        """One attempt: in process, on the engine, or through the JIT for llm ops."""
        def call() -> Any:
            return target.execute(op, args, ctx) if target.in_process else self.engine.execute(target, op, args, ctx)

        if self.jit is None or not op.op_name.startswith("llm."):
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

    async def run_leaf(self, op: Op, op_id: str, args: list[Any]) -> list[Any]:
        """One leaf op: permission check, attempts with timeout/backoff, journal, trace."""
        target = self.target_for(op)
        if target is None:
            raise RunFailed(op, op_id, "SKC306", f"no target runs {op.op_name}",
                            "install the target's extra (e.g. skc[llm]) or register a Target for it")
        self._check_permissions(op, op_id, args)
        retries = op.attributes.get("retries")
        attempts = 1 + (retries if isinstance(retries, int) and retries > 0 else 0)
        timeout_attr = op.attributes.get("timeout_s")
        timeout = float(timeout_attr) if isinstance(timeout_attr, int | float) and timeout_attr > 0 else \
            float(target.default_timeout_s or self.options.get("default_timeout_s") or DEFAULT_TIMEOUT_S)
        step = str(op.attributes.get("step") or "")

        def emit(event: str, **fields: Any) -> None:
            self._emit(event, op, op_id, target=target.name, **fields)

        for attempt in range(1, attempts + 1):
            ctx = ExecContext(self.run_id, self.workdir, self.env_for(op), self.bindings, self.options,
                              emit, step, op_id, attempt)
            started = time.perf_counter()
            code = "SKC310"
            try:
                async with self.limited(op, target):  # the op starts once it holds its slots
                    if self.journal is not None and not target.in_process:
                        await self.journal.append({"type": "start", "op": op_id, "name": op.op_name,
                                                   "step": step, "attempt": attempt}, sync=False)
                    emit("op_start", attempt=attempt)
                    started = time.perf_counter()
                    result = await asyncio.wait_for(self._dispatch(op, target, args, ctx), timeout)
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
                self.outcome.executed += 1
                self.outcome.tokens_in += result.tokens_in
                self.outcome.tokens_out += result.tokens_out
                meta = {k: v for k, v in result.meta.items() if k in ("cache_hit", "solidified", "model")}
                await self.journal_done(op, op_id, values, tokens_in=result.tokens_in,
                                        tokens_out=result.tokens_out, attempt=attempt)
                emit("op_end", duration_s=round(time.perf_counter() - started, 6), tokens_in=result.tokens_in,
                     tokens_out=result.tokens_out, retries=attempt - 1, cache_hit=bool(meta.get("cache_hit")),
                     solidified=bool(meta.get("solidified")), **{k: v for k, v in meta.items()
                                                                 if k not in ("cache_hit", "solidified")})
                return values
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
                            "the run's journal is kept: fix the cause and `skc run --resume RUN_ID`")
        raise AssertionError("unreachable")


class _BlockRun:
    """One execution of one block: the ready heap, the completion queue, the op tasks."""

    def __init__(self, sched: Scheduler, block: Block, scope: _Scope, prefix: str) -> None:
        self.s = sched
        self.block = block
        self.ops = block.ops
        self.scope = scope
        self.prefix = prefix
        self.g = sched.graph(block)
        self.remaining = [len(p) for p in self.g.preds]
        self.done: set[int] = set()
        self.triggered: set[int] = set()
        self.futures: dict[int, asyncio.Future[list[Any]]] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.events: asyncio.Queue[tuple[str, int, BaseException | None]] = asyncio.Queue()
        self.ready: list[int] = []
        self.result: list[Any] | None = None
        self.awaiting_fallback: set[int] = set()

    def nid(self, i: int) -> str:
        return f"{self.prefix}{i}"

    async def run(self) -> list[Any]:
        for i in range(len(self.ops)):
            if self.remaining[i] == 0 and i not in self.g.standby:
                heapq.heappush(self.ready, i)
        try:
            while not self._finished():
                while self.ready:
                    self._start(heapq.heappop(self.ready))
                if self._finished():
                    break
                if not self.tasks and self.events.empty():
                    stuck = [self.nid(i) for i in range(len(self.ops)) if i not in self.done]
                    raise RuntimeError(f"scheduler stalled with ops {stuck} never ready (a dependency cycle?)")
                kind, i, exc = await self.events.get()
                if kind == "trigger":
                    if i not in self.triggered:
                        self.triggered.add(i)
                        if self.remaining[i] == 0 and i not in self.done and i not in self.tasks:
                            heapq.heappush(self.ready, i)
                    continue
                self.tasks.pop(i, None)
                if exc is not None:
                    raise exc
                self._complete(i)
        except BaseException:
            await self._stop()
            raise
        return self.result if self.result is not None else []

    def _finished(self) -> bool:
        needed = all(i in self.done for i in range(len(self.ops)) if i not in self.g.standby)
        return needed and not self.tasks

    def _complete(self, i: int) -> None:
        self.done.add(i)
        for j in sorted(self.g.succs[i]):
            self.remaining[j] -= 1
            if self.remaining[j] == 0 and (j not in self.g.standby or j in self.triggered):
                heapq.heappush(self.ready, j)

    def _start(self, i: int) -> None:
        op = self.ops[i]
        if op.terminator:
            values = [self.scope[v] if not self._standby_value(v) else None for v in op.operands]
            if op.op_name == "ctrl.return" and self.prefix:
                status = op.attributes.get("status")
                raise EarlyExit(str(status) if isinstance(status, str) else "return", values)
            self.result = values
            self._complete(i)
            return
        future: asyncio.Future[list[Any]] = self.futures.setdefault(i, asyncio.get_running_loop().create_future())
        restored = self.s.restore(op, self.nid(i))
        if restored is not None:
            self.scope.bind(op.results, restored)
            future.set_result(restored)
            self._complete(i)
            return
        self.tasks[i] = asyncio.ensure_future(self._node(i, future))

    def _standby_value(self, v: Value) -> bool:
        owner = v.defining_op
        return owner is not None and owner in [self.ops[i] for i in self.g.standby if i not in self.done]

    async def _node(self, i: int, future: asyncio.Future[list[Any]]) -> None:
        exc: BaseException | None = None
        try:
            values = await self._execute(i)
            self.scope.bind(self.ops[i].results, values)
            future.set_result(values)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except (RunFailed, EarlyExit) as e:
            exc = e
            future.set_exception(e)
            future.exception()  # retrieved: awaited only by fallbacks
        self.events.put_nowait(("done", i, exc))

    async def _execute(self, i: int) -> list[Any]:
        op, op_id = self.ops[i], self.nid(i)
        try:
            if op.op_name in REGION_OPS:
                return await self._region(op, op_id)
            return await self.s.run_leaf(op, op_id, [self.scope[v] for v in op.operands])
        except RunFailed as failure:
            alt = op.attributes.get("fallback")
            if not isinstance(alt, str) or failure.code in ("SKC301", "SKC302"):
                raise
            return await self._fallback(i, alt, failure)

    async def _fallback(self, i: int, step: str, failure: RunFailed) -> list[Any]:
        op, op_id = self.ops[i], self.nid(i)
        j = self.g.by_step.get(step)
        if j is None or j == i or self._reaches(i, j):
            why = "no such step in this block" if j is None else "it depends on the failed step"
            raise RunFailed(op, op_id, failure.code, f"{failure.message} (fallback {step!r} unusable: {why})")
        self.s.trace.emit("fallback", op=op_id, name=op.op_name, step=op.attributes.get("step") or "",
                          to=step, error=failure.message)
        future = self.futures.setdefault(j, asyncio.get_running_loop().create_future())
        self.events.put_nowait(("trigger", j, None))
        self.awaiting_fallback.add(i)
        try:
            alt_values = await asyncio.shield(future)
        except RunFailed as e:
            raise RunFailed(op, op_id, failure.code,
                            f"{failure.message}; its fallback {step!r} failed too: {e.message}") from None
        finally:
            self.awaiting_fallback.discard(i)
        data = [v for v in alt_values if v is not None][:1]
        values = shape_results([r.type for r in op.results], data)
        await self.s.journal_done(op, op_id, values, fallback=step)
        self.s._emit("op_end", op, op_id, target="fallback", fallback_of=op_id, duration_s=0.0)
        return values

    def _reaches(self, src: int, dst: int) -> bool:
        seen, stack = set(), [src]
        while stack:
            k = stack.pop()
            if k == dst:
                return True
            if k not in seen:
                seen.add(k)
                stack.extend(self.g.succs[k])
        return False

    async def _region(self, op: Op, op_id: str) -> list[Any]:
        s = self.s
        s._emit("op_start", op, op_id, target="ctrl")
        started = time.perf_counter()
        meta: dict[str, Any] = {}
        if op.op_name == "ctrl.if":
            branch = 0 if bool(self.scope[op.operands[0]]) else 1
            meta["branch"] = "then" if branch == 0 else "else"
            values = await _BlockRun(s, op.regions[branch].block, _Scope(self.scope), f"{op_id}.{branch}.").run()
        elif op.op_name == "ctrl.map":
            values = [await self._map(op, op_id)]
        else:
            values = await self._retry(op, op_id)
        values = values + [None] * (len(op.results) - len(values))
        await s.journal_done(op, op_id, values[:len(op.results)])
        s._emit("op_end", op, op_id, target="ctrl", duration_s=round(time.perf_counter() - started, 6), **meta)
        return values[:len(op.results)]

    async def _map(self, op: Op, op_id: str) -> list[Any]:
        items = self.scope[op.operands[0]]
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise RunFailed(op, op_id, "SKC310", f"ctrl.map needs an array, got {type(items).__name__}")
        bound = op.attributes.get("max_parallel")
        gate = asyncio.Semaphore(bound if isinstance(bound, int) and bound > 0 else max(1, len(items)))
        body = op.regions[0].block

        async def one(k: int, item: Any) -> Any:
            async with gate:
                scope = _Scope(self.scope)
                scope.bind(body.args, [item])
                out = await _BlockRun(self.s, body, scope, f"{op_id}[{k}].").run()
                return out[0] if out else None

        tasks = [asyncio.ensure_future(one(k, item)) for k, item in enumerate(items)]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            await _settle(tasks, {t: writes(op) for t in tasks})
            raise

    async def _retry(self, op: Op, op_id: str) -> list[Any]:
        max_attempts = op.attributes.get("max_attempts")
        n = max_attempts if isinstance(max_attempts, int) and max_attempts > 0 else 1
        backoff = op.attributes.get("backoff_s")
        delay = float(backoff) if isinstance(backoff, int | float) else self.s.retry_backoff_s
        for attempt in range(1, n + 1):
            scope = _Scope(self.scope)
            scope.bind(op.regions[0].block.args, [self.scope[v] for v in op.operands])
            try:
                return await _BlockRun(self.s, op.regions[0].block, scope, f"{op_id}@{attempt}.").run()
            except RunFailed as e:
                if attempt == n or e.code in ("SKC301", "SKC302", "SKC306"):
                    raise
                self.s._emit("retry", op, op_id, target="ctrl", attempt=attempt, error=e.message, delay_s=delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def _stop(self) -> None:
        """Failure or early exit: cancel running readers, let running writers finish."""
        # A writer waiting on its fallback would wait forever now that nothing starts: cancel it.
        await _settle(list(self.tasks.values()),
                      {t: writes(self.ops[i]) and i not in self.awaiting_fallback for i, t in self.tasks.items()})
        self.tasks.clear()


async def _settle(tasks: list[asyncio.Task[Any]], writer: dict[asyncio.Task[Any], bool]) -> None:
    for t in tasks:
        if not t.done() and not writer.get(t, False):
            t.cancel()
    for t in tasks:
        with contextlib.suppress(BaseException):
            await t
