"""The Ray engine (`skc run --engine ray`): each op runs as a Ray task.

The scheduler, journal, trace and permission checks stay in the driver; only the
op's work moves: a detached description of the op (name, attributes, operand and
result types, location), the operand values and the context go to a task that
instantiates the op's target in the worker (one instance per worker process) and
runs it there. Results, failures (as data: `OpFailed` keeps `retryable`) and the
trace events a target emits come back with the task's result. Ray's own retries
are off: retries are the scheduler's. A timeout cancels the task with
`ray.cancel(force=True)`, which kills the worker and, through the shell target's
parent-death signal, any command it was running.

Without an address, `ray.init(num_cpus=2, include_dashboard=False)` starts a local
cluster for the run and shuts it down afterwards; with one (`address="auto"`,
`ray://...`) the run joins an existing cluster. Results equal the local engine's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skc.ir.core import Op, UnregisteredOp, Value
from skc.ir.dialects import op_class
from skc.ir.location import Location
from skc.ir.types import Type
from skc.runtime.scheduler import Engine
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target


@dataclass(frozen=True)
class OpSpec:
    """What a worker needs to rebuild an op: no parents, no regions, no SSA graph."""

    name: str
    attributes: dict[str, Any]
    operand_types: tuple[Type, ...]
    result_types: tuple[Type, ...]
    loc: Location

    @classmethod
    def of(cls, op: Op) -> OpSpec:
        return cls(op.op_name, dict(op.attributes), tuple(v.type for v in op.operands),
                   tuple(r.type for r in op.results), op.loc)

    def build(self) -> Op:
        operands = [Value(t) for t in self.operand_types]
        klass = op_class(self.name)
        if klass is None:
            return UnregisteredOp(self.name, operands, list(self.result_types), dict(self.attributes),
                                  loc=self.loc)
        return klass(operands, list(self.result_types), dict(self.attributes), loc=self.loc)


_WORKER_TARGETS: dict[type[Target], Target] = {}


def run_in_worker(cls: type[Target], spec: OpSpec, args: list[Any], ctx_fields: dict[str, Any]
                  ) -> tuple[str, Any, list[tuple[str, dict[str, Any]]]]:
    """The body of a Ray task: ("ok", OpResult, events) or ("failed", (message, retryable, detail), events)."""
    target = _WORKER_TARGETS.get(cls)
    if target is None:
        target = _WORKER_TARGETS[cls] = cls()
    events: list[tuple[str, dict[str, Any]]] = []
    ctx = ExecContext(**ctx_fields, emit=lambda event, **fields: events.append((event, fields)))
    try:
        result = asyncio.run(target.execute(spec.build(), args, ctx))
    except OpFailed as e:
        return "failed", (str(e), e.retryable, e.detail), events
    return "ok", result, events


class RayEngine(Engine):
    """Dispatches ops as Ray tasks on a local (or given) Ray cluster."""

    name = "ray"

    def __init__(self, *, num_cpus: int = 2, address: str | None = None) -> None:
        self.num_cpus = num_cpus
        self.address = address
        self._owns_cluster = False
        self._remote: Any = None

    async def start(self) -> None:
        import ray

        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, logging_level=logging.ERROR, log_to_driver=False)
            else:
                ray.init(num_cpus=self.num_cpus, include_dashboard=False, logging_level=logging.ERROR,
                         log_to_driver=False)
                self._owns_cluster = True
        self._remote = ray.remote(max_retries=0)(run_in_worker)

    async def stop(self) -> None:
        import ray

        if self._owns_cluster and ray.is_initialized():
            ray.shutdown()
        self._owns_cluster = False

    async def execute(self, target: Target, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        import ray

        if self._remote is None:
            await self.start()
        fields = {"run_id": ctx.run_id, "workdir": Path(ctx.workdir), "env": dict(ctx.env),
                  "bindings": dict(ctx.bindings), "step": ctx.step,
                  # each Ray task runs on a loop of its own: no python session outlives a task
                  "options": {**dict(ctx.options), "python_sessions": False},
                  "op_id": ctx.op_id, "attempt": ctx.attempt}
        ref = self._remote.remote(type(target), OpSpec.of(op), list(args), fields)
        try:
            status, payload, events = await ref
        except asyncio.CancelledError:
            ray.cancel(ref, force=True)
            raise
        except ray.exceptions.RayError as e:
            raise OpFailed(f"ray task failed: {e}".splitlines()[0][:500], retryable=True) from None
        for event, data in events:
            ctx.emit(event, **data)
        if status == "failed":
            message, retryable, detail = payload
            raise OpFailed(message, retryable=retryable, detail=detail)
        return payload  # type: ignore[no-any-return]
