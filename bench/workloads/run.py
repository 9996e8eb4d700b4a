"""Ways to execute a workload DAG, and the timing helper every benchmark uses.

    skc_run(dag, ...)         `skc.runtime.api.run` on the DAG's module: preflight, journal
                              (fsync'd JSON lines), trace file, result files: what `skc run` does
    skc_scheduler(dag, ...)   the scheduler alone on the local engine: no journal, no trace file
    asyncio_waves(dag)        the floor: raw `asyncio.gather` over topological waves, the same
                              sleep per op, no bookkeeping (it even waits for a whole wave,
                              which a dataflow scheduler need not)

Each returns the seconds the execution took. `median_time(fn, repeats)` runs `fn`
once to warm up, then `repeats` times, and returns the median and every sample.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bench.workloads.dags import Dag
from bench.workloads.ir import to_module, to_workflow
from skc.runtime.api import run
from skc.runtime.engines.local import LocalEngine
from skc.runtime.permissions import policy_for
from skc.runtime.scheduler import Engine, Scheduler
from skc.runtime.trace import TraceWriter


def median_time(fn: Callable[[], float], repeats: int, warmup: int = 1) -> tuple[float, list[float]]:
    """(median, samples) of the seconds `fn` reports, after `warmup` unrecorded calls."""
    for _ in range(warmup):
        fn()
    samples = [fn() for _ in range(max(1, repeats))]
    return statistics.median(samples), samples


def skc_run(dag: Dag, *, engine: str | Engine = "local", limits: Mapping[str, int] | None = None,
            runs_dir: str | Path | None = None, wall: bool = False) -> float:
    """Seconds of one `run()` of the DAG: its execution (run_start..run_end), or with `wall`
    everything `run()` does (IR printing, preflight, run files) as well."""
    root = Path(runs_dir) if runs_dir is not None else Path(tempfile.mkdtemp(prefix="skc-bench-"))
    module = to_module(dag)
    started = time.perf_counter()
    result = run(module, {}, engine=engine, runs_dir=root, limits=limits, workdir=root,
                 options={"jit": False})
    elapsed = time.perf_counter() - started
    if result.status != "ok":
        raise RuntimeError(f"{dag.name}: skc run {result.status}: {result.error}")
    return elapsed if wall else result.duration_s


def skc_scheduler(dag: Dag, *, limits: Mapping[str, int] | None = None) -> float:
    """Seconds of the scheduler alone running the DAG on the local engine (no journal, no files)."""
    wf = to_workflow(dag)

    async def go() -> float:
        engine = LocalEngine()
        sched = Scheduler(wf, run_id="bench", engine=engine, trace=TraceWriter(None, "bench"),
                          journal=None, policy=policy_for(None), workdir=Path.cwd(), limits=dict(limits or {}))
        started = time.perf_counter()
        outcome = await sched.run([])
        if outcome.status != "ok":
            raise RuntimeError(f"{dag.name}: scheduler {outcome.status}: {outcome.error}")
        return time.perf_counter() - started

    return asyncio.run(go())


async def _sim_op(i: int, args: list[Any], latency: float) -> str:
    if latency > 0:
        await asyncio.sleep(latency)
    return f"op{i}"


def asyncio_waves(dag: Dag) -> float:
    """Seconds of the floor: `asyncio.gather` of each topological wave in turn."""
    waves = dag.waves()

    async def go() -> float:
        values: dict[int, str] = {}
        started = time.perf_counter()
        for wave in waves:
            outs = await asyncio.gather(*(_sim_op(i, [values[p] for p in dag.preds[i]], dag.latency_s[i])
                                          for i in wave))
            values.update(zip(wave, outs, strict=True))
        return time.perf_counter() - started

    return asyncio.run(go())


def asyncio_sequential(dag: Dag) -> float:
    """Seconds of running every op one after another in topological order (no scheduler)."""
    async def go() -> float:
        values: list[str] = []
        started = time.perf_counter()
        for i, ps in enumerate(dag.preds):
            values.append(await _sim_op(i, [values[p] for p in ps], dag.latency_s[i]))
        return time.perf_counter() - started

    return asyncio.run(go())
