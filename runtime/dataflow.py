"""Dataflow blocks: one execution of one block, in the order of its dependency graph.

A block's graph (data, effect-ordering and early-exit edges; fallback steps on
standby) comes from `skc.ir.analysis.block_graph`, the function the concurrency
pass builds its schedule from; the scheduler computes it once per block object
(`Scheduler.graph`).

`BlockRun` executes a block for the scheduler: every op task reports its
completion on a queue; a completion decrements its successors' pending counts
and pushes the ones that reach zero onto a ready heap (program order breaks
ties), from which they start at once. The block is finished when a count of the
ops still needed reaches zero and no task runs: a completion costs its
dependents, never a scan of the block. A leaf op the scheduler can run inline
(`Scheduler.run_now`: pure, synchronous work) gets no task: it runs when popped;
a replayable one (no effects) completes at once (its journal record waits for no
fsync: journal.py), the others so run from one ready heap form a wave whose
journal records share one fsync; the wave's dependents become ready once it is done: at once when this is
the only block and no leaf op runs (the scheduler writes and fsyncs in the loop),
else on the `synced` event of the fsync shared by every block's waves of the
loop turn.
Regions recurse into new BlockRuns with
a child `Scope`. On failure or early exit, `settle` cancels queued ops and
running readers and lets running writers finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import time
from typing import TYPE_CHECKING, Any

from skc.ir.analysis import writes
from skc.ir.core import Block, Op, Value
from skc.ir.location import Diagnostic
from skc.ir.traits import Branch, HasRegions, Loop, ReturnLike, Terminator
from skc.runtime.values import shape_results

if TYPE_CHECKING:
    from skc.runtime.scheduler import Scheduler

class RunFailed(Exception):
    """An op failed for good: the run ends with this error (op id, name, step, code)."""

    def __init__(self, op: Op, op_id: str, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.op, self.op_id, self.code, self.message, self.hint = op, op_id, code, message, hint
        self.step = op.step

    def diagnostic(self) -> Diagnostic:
        step = f"step {self.step!r}" if self.step else "op"
        return Diagnostic(self.code, self.op.where,
                          f"{step} ({self.op.op_name}, op {self.op_id}) failed: {self.message}", self.hint)


class EarlyExit(Exception):
    """A `ctrl.return` inside a branch ran: the workflow ends with its values and status."""

    def __init__(self, status: str, values: list[Any]) -> None:
        super().__init__(status)
        self.status, self.values = status, values


class Scope:
    """Runtime values of SSA values, chained to the enclosing region's scope."""

    def __init__(self, parent: Scope | None = None) -> None:
        self.values: dict[int, Any] = {}
        self.parent = parent

    def __getitem__(self, value: Value) -> Any:
        scope: Scope | None = self
        while scope is not None:
            if id(value) in scope.values:
                return scope.values[id(value)]
            scope = scope.parent
        raise KeyError(f"value {value!r} has no runtime value")

    def lookup(self, values: list[Value]) -> list[Any]:
        """`[self[v] for v in values]`, the values of this scope's own block looked up directly."""
        own = self.values
        try:
            return [own[id(v)] for v in values]
        except KeyError:  # some come from an enclosing scope
            return [self[v] for v in values]

    def bind(self, values: list[Value], data: list[Any]) -> None:
        for v, d in zip(values, data, strict=False):
            self.values[id(v)] = d


class BlockRun:
    """One execution of one block: the ready heap, the completion queue, the op tasks."""

    def __init__(self, sched: Scheduler, block: Block, scope: Scope, prefix: str) -> None:
        self.s = sched
        self.block = block
        self.ops = block.ops
        self.scope = scope
        self.prefix = prefix
        self.g = sched.graph(block)
        self.remaining = [len(p) for p in self.g.preds]
        self.done: set[int] = set()
        self.needed = len(self.ops) - len(self.g.standby)  # ops not on standby and not done yet
        self.triggered: set[int] = set()
        self.futures: dict[int, asyncio.Future[list[Any]]] = {}  # only for steps a fallback may call
        self.callable = self.g.called
        self.succs, self.standby, self.effects = self.g.succs, self.g.standby, self.g.effects
        self.run_now = sched.run_now
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.events: asyncio.Queue[tuple[str, int, BaseException | None]] = asyncio.Queue()
        self.ready: list[int] = []
        self.result: list[Any] | None = None
        self.awaiting_fallback: set[int] = set()
        self.unsynced: list[int] = []  # inline ops run in this wave, their journal records not yet on disk
        self.wave: asyncio.Future[None] | None = None  # the fsync those records wait for
        self.syncing: dict[int, list[int]] = {}  # waves waiting for their fsync, by number

    def nid(self, i: int) -> str:
        return f"{self.prefix}{i}"

    async def run(self) -> list[Any]:
        for i in range(len(self.ops)):
            if self.remaining[i] == 0 and i not in self.g.standby:
                heapq.heappush(self.ready, i)
        self.s.blocks += 1
        try:
            while not self._finished():
                while self.ready:
                    while self.ready:
                        self._start(heapq.heappop(self.ready))
                    if self.unsynced:
                        self._end_wave()
                if self._finished():
                    break
                if not self.tasks and not self.syncing and self.events.empty():
                    stuck = [self.nid(i) for i in range(len(self.ops)) if i not in self.done]
                    raise RuntimeError(f"scheduler stalled with ops {stuck} never ready (a dependency cycle?)")
                kind, i, exc = await self.events.get()
                if kind == "synced":  # a wave of inline ops is on disk: their dependents may start
                    wave = self.syncing.pop(i)
                    if exc is not None:
                        j = wave[0]
                        raise RunFailed(self.ops[j], self.nid(j), "SKC311", f"the journal could not be written: {exc}")
                    for j in wave:
                        self._complete(j)
                    continue
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
        finally:
            self.s.blocks -= 1
        return self.result if self.result is not None else []

    def _end_wave(self) -> None:
        """The inline ops just run wait, as one wave, for the fsync of their journal records: done
        here and now when this block is the only one and no leaf op runs (`Scheduler.commit_now`),
        else once per loop turn for every block (`Scheduler.commit_soon`: map items share it),
        and a `synced` event releases them."""
        wave, fut = self.unsynced, self.wave
        self.unsynced, self.wave = [], None
        assert fut is not None
        if self.s.commit_now() and fut.done() and not fut.cancelled() and fut.exception() is None:
            for j in wave:  # written and fsync'd here and now: the dependents are ready
                self._complete(j)
            return
        key = id(wave)  # unique while the wave waits in `syncing`
        self.syncing[key] = wave

        def synced(f: asyncio.Future[None]) -> None:
            exc = f.exception() if not f.cancelled() else asyncio.CancelledError()
            self.events.put_nowait(("synced", key, exc))
        fut.add_done_callback(synced)
        self.s.commit_soon()

    def _finished(self) -> bool:
        return self.needed == 0 and not self.tasks

    def _complete(self, i: int) -> None:
        if i in self.done:
            return
        self.done.add(i)
        standby, remaining = self.standby, self.remaining
        if i not in standby:
            self.needed -= 1
        for j in self.succs[i]:  # the heap orders them: no need to sort
            remaining[j] -= 1
            if remaining[j] == 0 and (j not in standby or j in self.triggered):
                heapq.heappush(self.ready, j)

    def _start(self, i: int) -> None:
        op = self.ops[i]
        if op.has(Terminator):
            values = [self.scope[v] if not self._standby_value(v) else None for v in op.operands]
            if op.has(ReturnLike) and self.prefix:
                raise EarlyExit(op.attr_str("status") or "return", values)
            self.result = values
            self._complete(i)
            return
        future = self.futures.setdefault(i, asyncio.get_running_loop().create_future()) \
            if i in self.callable else None
        nid = f"{self.prefix}{i}"
        restored = self.s.restore(op, nid) if self.s.restored else None
        if restored is not None:
            self.scope.bind(op.results, restored)
            if future is not None:
                future.set_result(restored)
            self._complete(i)
            return
        if future is None and not op.regions:
            own = self.scope.values
            try:  # `Scope.lookup`, inline
                args = [own[id(v)] for v in op.operands]
            except KeyError:  # some come from an enclosing scope
                args = self.scope.lookup(op.operands)
            now = self.run_now(op, nid, args, self.effects[i])
            if now is not None:  # ran inline: its dependents start once its record is on disk
                values, synced = now
                for v, d in zip(op.results, values, strict=False):  # `Scope.bind`, inline
                    own[id(v)] = d
                if synced is None:
                    self._complete(i)
                    return
                if self.wave is not None and synced is not self.wave:
                    self._end_wave()  # the journal's writer took a batch meanwhile: a new wave
                self.unsynced.append(i)
                self.wave = synced
                return
        self.tasks[i] = asyncio.ensure_future(self._node(i, future))

    def _standby_value(self, v: Value) -> bool:
        owner = v.defining_op
        return owner is not None and any(self.ops[i] is owner for i in self.g.standby if i not in self.done)

    async def _node(self, i: int, future: asyncio.Future[list[Any]] | None) -> None:
        exc: BaseException | None = None
        try:
            values = await self._execute(i)
            self.scope.bind(self.ops[i].results, values)
            if future is not None:
                future.set_result(values)
        except asyncio.CancelledError:
            if future is not None:
                future.cancel()
            raise
        except (RunFailed, EarlyExit) as e:
            exc = e
        except Exception as e:  # e.g. the journal's disk failed: reported, never a task that dies unheard
            exc = RunFailed(self.ops[i], self.nid(i), "SKC311", f"{type(e).__name__}: {e}")
        if exc is not None and future is not None:
            future.set_exception(exc)
            future.exception()  # retrieved: awaited only by fallbacks
        self.events.put_nowait(("done", i, exc))

    async def _execute(self, i: int) -> list[Any]:
        op, op_id = self.ops[i], self.nid(i)
        try:
            if op.has(HasRegions):
                return await self._region(op, op_id)
            return await self.s.run_leaf(op, op_id, [self.scope[v] for v in op.operands])
        except RunFailed as failure:
            alt = op.fallback
            if alt is None or failure.code in ("SKC301", "SKC302", "SKC312"):  # SKC312: waits
                raise
            return await self._fallback(i, alt, failure)

    async def _fallback(self, i: int, step: str, failure: RunFailed) -> list[Any]:
        op, op_id = self.ops[i], self.nid(i)
        j = self.g.by_step.get(step)
        if j is None or j == i or self._reaches(i, j):
            why = "no such step in this block" if j is None else "it depends on the failed step"
            raise RunFailed(op, op_id, failure.code, f"{failure.message} (fallback {step!r} unusable: {why})")
        self.s.trace.emit("fallback", op=op_id, name=op.op_name, step=op.step,
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
        self.s.emit_op("op_end", op, op_id, target="fallback", fallback_of=op_id, duration_s=0.0)
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
        s.emit_op("op_start", op, op_id, target="ctrl")
        started = time.perf_counter()
        meta: dict[str, Any] = {"solidified": True} if "jit_source_op" in op.attributes else {}
        if op.has(Branch):
            branch = 0 if bool(self.scope[op.operands[0]]) else 1
            meta["branch"] = "then" if branch == 0 else "else"
            values = await BlockRun(s, op.regions[branch].block, Scope(self.scope), f"{op_id}.{branch}.").run()
        elif op.has(Loop):
            values = [await self._map(op, op_id)]
        else:
            values = await self._retry(op, op_id)
        values = values + [None] * (len(op.results) - len(values))
        await s.journal_done(op, op_id, values[:len(op.results)])
        s.emit_op("op_end", op, op_id, target="ctrl", duration_s=round(time.perf_counter() - started, 6), **meta)
        return values[:len(op.results)]

    async def _map(self, op: Op, op_id: str) -> list[Any]:
        items = self.scope[op.operands[0]]
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise RunFailed(op, op_id, "SKC310", f"ctrl.map needs an array, got {type(items).__name__}")
        bound = op.attr_int("max_parallel")
        gate = asyncio.Semaphore(bound if bound is not None and bound > 0 else max(1, len(items)))
        body = op.regions[0].block

        async def one(k: int, item: Any) -> Any:
            async with gate:
                scope = Scope(self.scope)
                scope.bind(body.args, [item])
                out = await BlockRun(self.s, body, scope, f"{op_id}[{k}].").run()
                return out[0] if out else None

        tasks = [asyncio.ensure_future(one(k, item)) for k, item in enumerate(items)]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            await settle(tasks, {t: writes(op) for t in tasks})
            raise

    async def _retry(self, op: Op, op_id: str) -> list[Any]:
        max_attempts = op.attr_int("max_attempts")
        n = max_attempts if max_attempts is not None and max_attempts > 0 else 1
        backoff = op.attr_num("backoff_s")
        delay = backoff if backoff is not None else self.s.retry_backoff_s
        for attempt in range(1, n + 1):
            scope = Scope(self.scope)
            scope.bind(op.regions[0].block.args, [self.scope[v] for v in op.operands])
            try:
                return await BlockRun(self.s, op.regions[0].block, scope, f"{op_id}@{attempt}.").run()
            except RunFailed as e:
                if attempt == n or e.code in ("SKC301", "SKC302", "SKC306", "SKC312", "SKC313"):
                    raise
                self.s.emit_op("retry", op, op_id, target="ctrl", attempt=attempt, error=e.message, delay_s=delay)
                await asyncio.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    async def _stop(self) -> None:
        """Failure or early exit: cancel queued ops and running readers, let running writers finish."""
        # Only a leaf writer that holds its slots is let finish: one queued for a slot or a lock, or
        # waiting on its fallback (nothing starts now), is cancelled; a region is cancelled and its
        # own BlockRun lets the writers running inside it finish.
        await settle(list(self.tasks.values()),
                      {t: not self.ops[i].regions and writes(self.ops[i]) and self.nid(i) in self.s.running
                       and i not in self.awaiting_fallback for i, t in self.tasks.items()})
        self.tasks.clear()


async def settle(tasks: list[asyncio.Task[Any]], writer: dict[asyncio.Task[Any], bool]) -> None:
    for t in tasks:
        if not t.done() and not writer.get(t, False):
            t.cancel()
    for t in tasks:
        with contextlib.suppress(BaseException):
            await t
