"""The inline fast path: a leaf op that its target can run synchronously at once
(`Target.runs_now`: calc, data, a no-op sim op) runs in the scheduler's loop, without a
task, a future or an attempt loop (`InlineRunner.run`, which `dataflow.BlockRun` asks
first for every leaf op).

What such an op needs before it runs is the same for every op of one kind (op name and
class, lifted effects, and the environment names when it passes any): its target, the
limit slots it would hold, whether it asks for a permission, whether its journal record
needs an fsync of its own. That is worked out once per kind and run (`InlineKind`), not
once per op; what stays per op is the target's `runs_now(op)` and the op's step. An op
with retries, a `confirm` gate or a `fallback` never runs inline.

The `ExecContext` an inline op gets is its kind's, lent for the call: the op id and
step are set before each `execute_now` (which runs to its end before the next op
starts), so a target must not keep it past the call (`Target.execute_now`).

Per op, as `Scheduler.run_leaf` would: the permission check, one trace event (its
`op_end` or `op_error` with its `start`: trace format 2, trace.py) and a journal
`done` record, queued for the next fsync when the op is replayable (journal.py), else
submitted (the future says when it is on disk; `BlockRun` holds its dependents till then).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from time import perf_counter, time
from typing import TYPE_CHECKING, Any

from skc.ir.core import Op
from skc.ir.effects import Effect
from skc.ir.traits import CallsModel
from skc.runtime.dataflow import RunFailed
from skc.runtime.leaf import op_end
from skc.runtime.permission_requests import requests_for
from skc.runtime.targets.base import ExecContext, OpFailed, Target
from skc.runtime.values import shape_values

if TYPE_CHECKING:
    from skc.runtime.scheduler import Scheduler

__all__ = ["InlineKind", "InlineRunner"]

_OWN_KIND = frozenset({"retries", "timeout_s", "confirm", "fallback", "env"})  # what an op may have that others of its kind lack


@dataclass(slots=True)
class InlineKind:
    """What every op of one kind shares when it runs inline (module docstring); `target`
    None: no target runs it, or ops of this kind never run inline."""

    target: Target | None
    slots: tuple[tuple[str, int | None], ...]  # limits, in their global order (an inline op never writes)
    asks: bool  # asks for a permission (checked per op: its values fill the subjects in)
    replayable: bool  # no effects, no model call: its `done` record needs no fsync of its own
    effects: list[Effect]  # its lifted effects (held: the kind is found by this list's id, when not empty;
    # an op that declares none gets a list of its own, so "none" is one key, 0)
    ctx: ExecContext | None  # lent to each op of the kind for its `execute_now`


_NEVER = InlineKind(None, (), True, False, [], None)


class InlineRunner:
    """Runs the scheduler's inline ops (module docstring); one per `Scheduler`."""

    def __init__(self, sched: Scheduler) -> None:
        self.s = sched
        self.kinds: dict[tuple[Any, ...], InlineKind] = {}

    def kind(self, op: Op, effects: list[Effect]) -> InlineKind:
        """The kind of `op` (`effects`: its lifted effects, from its block's graph)."""
        attrs = op.attributes
        if attrs.keys().isdisjoint(_OWN_KIND):
            key: tuple[Any, ...] = (op.op_name, type(op), id(effects) if effects else 0)
        else:
            retries = op.attr_int("retries")
            if (retries is not None and retries > 0) or attrs.get("confirm") is True or op.fallback is not None:
                return _NEVER
            names = attrs.get("env")
            env = tuple(str(n) for n in names) if isinstance(names, list) else ()
            key = (op.op_name, type(op), id(effects) if effects else 0, env)
        kind = self.kinds.get(key)
        if kind is None:
            kind = self.kinds[key] = self._kind(op, effects)
        return kind

    def _kind(self, op: Op, effects: list[Effect]) -> InlineKind:
        s = self.s
        target = s.leaves.target_for(op)
        if target is None:
            return _NEVER
        slots, writes, inline = s.leaves.slots_of(target, effects)
        model = op.has(CallsModel)
        if writes or not inline or (model and s.jit is not None):
            return _NEVER
        name, tname, trace = op.op_name, target.name, s.trace

        def emit(event: str, **fields: Any) -> None:
            trace.emit(event, op=ctx.op_id, name=name, step=ctx.step, target=tname, **fields)

        env = dict(s.leaves.env_for(op))
        ctx = ExecContext(s.run_id, s.workdir, env, s.bindings, s.options, emit, "", "", 1)
        return InlineKind(target, slots, bool(requests_for(op, None)), not effects and not model, effects, ctx)

    def run(self, op: Op, op_id: str, args: list[Any],
            effects: list[Effect]) -> tuple[list[Any], asyncio.Future[None] | None] | None:
        """`op` run inline: (its values, the future of its journal record's fsync, None when
        nothing waits for it), or None when it must run as a task (`Scheduler.run_leaf`)."""
        attrs, name = op.attributes, op.op_name
        kind = self.kinds.get((name, type(op), id(effects) if effects else 0)) if attrs.keys().isdisjoint(_OWN_KIND) else None
        if kind is None:
            kind = self.kind(op, effects)
        target, ctx = kind.target, kind.ctx
        if target is None or ctx is None or not target.runs_now(op):
            return None
        s = self.s
        if kind.slots and any(s.leaves.sem(key, size).locked() for key, size in kind.slots):
            return None
        if kind.asks:
            s.check_permissions(op, op_id, args)
        step = attrs.get("step")
        ctx.step = step = step if isinstance(step, str) else ""
        ctx.op_id = op_id
        began = time()  # no op_start: the op's one event says when it began (trace format 2)
        started = perf_counter()
        code = "SKC310"
        try:
            result = target.execute_now(op, args, ctx)
            duration = perf_counter() - started
            try:
                values = shape_values(op.results, result.values)
            except ValueError as e:
                raise OpFailed(f"output does not fit {op.results[0].type}: {e}", retryable=False) from None
        except OpFailed as e:
            failure = e
        except Exception as e:  # a bug in a target must still end as a reported failure
            failure, code = OpFailed(f"internal error in {target.name}: {type(e).__name__}: {e}",
                                     retryable=False), "SKC311"
        else:
            outcome, ended = s.outcome, began + duration
            outcome.executed += 1
            if result.meta or result.tokens_in or result.tokens_out:
                outcome.tokens_in += result.tokens_in
                outcome.tokens_out += result.tokens_out
                op_end(ctx.emit, result, duration, 1, start=began)
            else:  # the usual case, spelled out: one dict, as `emit` would write it
                s.trace.record({"ts": ended, "event": "op_end", "op": op_id, "name": name, "step": step,
                                "target": target.name, "start": began,
                                "duration_s": int(duration * 1e6 + 0.5) / 1e6,  # round(duration, 6), cheaper
                                "tokens_in": 0, "tokens_out": 0, "retries": 0, "cache_hit": False,
                                "solidified": False}, finite=True)
            journal = s.journal
            if journal is None:
                return values, None
            record = {"type": "done", "op": op_id, "name": name, "step": step, "values": values,
                      "tokens_in": result.tokens_in, "tokens_out": result.tokens_out, "attempt": 1, "ts": ended}
            if kind.replayable:  # its dependents start at once: the next fsync makes it durable
                journal.note(record)
                s.commit_soon()
                return values, None
            return values, journal.submit(record)
        ctx.emit("op_error", code=code, error=str(failure), retries=0, start=began,
                 duration_s=round(perf_counter() - started, 6))
        if s.journal is not None:  # `run` drains the journal before it returns
            s.journal.submit({"type": "failed", "op": op_id, "name": name, "step": step,
                              "code": code, "error": str(failure)})
        raise RunFailed(op, op_id, code, str(failure),
                        f"the run's journal is kept: fix the cause and `skc run --resume {s.run_id}`")
