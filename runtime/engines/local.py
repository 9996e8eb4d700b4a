"""The local engine (the default): ops run as coroutines on the scheduler's asyncio loop.

Targets do their blocking work without blocking the loop (asyncio subprocesses,
`asyncio.to_thread` for sqlite, HTTP and the model), so independent ops overlap in
one process; concurrency is bounded by the scheduler's per-target and per-resource
limits.
"""

from __future__ import annotations

from typing import Any

from skc.ir.core import Op
from skc.runtime.scheduler import Engine
from skc.runtime.targets.base import ExecContext, OpResult, Target


class LocalEngine(Engine):
    """Runs each op in this process, on the running event loop."""

    name = "local"
    inline = True  # ops a target `runs_now` run in the scheduler's loop, without a task

    async def execute(self, target: Target, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        return await target.execute(op, args, ctx)
