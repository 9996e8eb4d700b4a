"""BENCHMARK ONLY: the `sim` target, which runs `sim.sleep` ops by sleeping for real.

`bench/` measures the scheduler (parallel efficiency, per-op overhead, memory) on
synthetic DAGs whose ops take a known time. Each such op is

    %3 = "sim.sleep"(%1, %2) {effects = ["pure"], sim_latency_s = 0.012 : f64, sim_id = 3 : i64} : (!skc.text, !skc.text) -> !skc.text

and this target runs it with `await asyncio.sleep(sim_latency_s)` (a no-op op, latency
0, returns at once without yielding; the scheduler runs it inline, as it does calc and
data ops: `runs_now`), then returns a short text naming the op. No
dialect declares `sim.*`, so the verifier rejects it (SKC209) in anything `skc compile`
or `skc run` builds from a source: only IR built in Python by the benchmarks
(`bench/workloads`) reaches this target. It is found by the registry's convention like
any target (so Ray workers can instantiate it), is not `in_process` (the Ray engine
ships it to a worker, as it would a real tool), and is unbounded in concurrency unless
a run sets `limits={"sim": N}` (the benchmarks' sequential baseline uses 1).
"""

from __future__ import annotations

import asyncio
from typing import Any

from skc.ir.core import Op
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.values import NUMBER

SIM_OP = "sim.sleep"


class SimTarget(Target):
    """Benchmark-only: sleeps `sim_latency_s` seconds per op (see the module docstring)."""

    name = "sim"
    ops = (SIM_OP,)

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        latency = _latency(op)
        if latency > 0:
            await asyncio.sleep(latency)
        return self.execute_now(op, args, ctx)

    def runs_now(self, op: Op) -> bool:
        """A no-op op (latency 0) never waits: like a calc or data op, it runs inline."""
        latency = op.attributes.get("sim_latency_s", 0.0)
        return isinstance(latency, NUMBER) and latency == 0

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        _latency(op)
        return OpResult([f"op{op.attributes.get('sim_id', '?')}"])


def _latency(op: Op) -> float:
    latency = op.attributes.get("sim_latency_s", 0.0)
    if not isinstance(latency, NUMBER) or latency < 0:
        raise OpFailed(f"sim.sleep needs a non-negative sim_latency_s, got {latency!r}", retryable=False)
    return float(latency)
