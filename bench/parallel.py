"""P1, parallel efficiency: makespan against the critical-path bound, and speedup over sequential.

    python -m bench.parallel [--repeats 3] [--sizes 10,100,1000] [--out bench/results/parallel.json]

Every workload of `bench.workloads.standard_workloads` runs through `skc.runtime.api.run`
on the local engine (journal and trace included), its ops being `sim.sleep` ops that
sleep their seeded latency for real. Per workload, back to back in this process,
median of `--repeats` after a warm-up:

    makespan     the run's execution time (run_start..run_end), journal in a temp dir on disk
    scheduler    the scheduler alone (no journal, no trace file): what the schedule costs
                 without durability (`skc run` fsyncs each completed op's journal record
                 before its dependents start; ops completing together share one fsync)
    sequential   the same run with `limits={"sim": 1}`: the same ops, one at a time
    bound        the critical path: the longest latency-weighted path (no schedule is faster)
    work         the sum of all latencies (what one-at-a-time execution costs at least)

    makespan / bound       >= 1; 1.00 is a perfect schedule
    speedup                sequential / makespan (ideal: work / bound)

The sequential run of `random-1000` takes about 12 s, so it is measured once
(its spread is small: it is a sum of a thousand sleeps).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import publish
from bench.workloads import LATENCY, Dag, standard_workloads
from bench.workloads.run import median_time, skc_run, skc_scheduler

RESULTS = Path(__file__).resolve().parent / "results" / "parallel.json"
SEQUENTIAL_ONCE_ABOVE_S = 5.0  # a sequential run longer than this is measured once


def fsync_ms(samples: int = 50) -> float:
    """Median milliseconds of appending one line and fsync'ing it, in a temp dir like the runs' (the
    journal does this once per completed op; the figure varies with the disk's other load)."""
    times = []
    with tempfile.NamedTemporaryFile("w", prefix="skc-bench-fsync-") as f:
        for i in range(samples):
            started = time.perf_counter()
            f.write(f"{{\"op\": {i}}}\n")
            f.flush()
            os.fsync(f.fileno())
            times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(dag: Dag, repeats: int) -> dict[str, Any]:
    makespan, samples = median_time(lambda: skc_run(dag), repeats)
    sched, sched_samples = median_time(lambda: skc_scheduler(dag), repeats)
    seq_repeats = 1 if dag.work_s > SEQUENTIAL_ONCE_ABOVE_S else repeats
    seq_warmup = 0 if dag.work_s > SEQUENTIAL_ONCE_ABOVE_S else 1
    sequential, seq_samples = median_time(lambda: skc_run(dag, limits={"sim": 1}), seq_repeats, seq_warmup)
    bound, work = dag.critical_path_s, dag.work_s
    return {"workload": dag.name, "ops": dag.n, "edges": dag.edges, "depth": dag.depth(),
            "bound_s": bound, "work_s": work, "makespan_s": makespan, "makespan_samples_s": samples,
            "scheduler_s": sched, "scheduler_samples_s": sched_samples,
            "scheduler_over_bound": sched / bound if bound else None,
            "sequential_s": sequential, "sequential_samples_s": seq_samples,
            "makespan_over_bound": makespan / bound if bound else None,
            "speedup": sequential / makespan if makespan else None,
            "ideal_speedup": work / bound if bound else None}


def run(repeats: int = 3, sizes: tuple[int, ...] = (10, 100, 1000)) -> dict[str, Any]:
    rows = []
    fsync_before = fsync_ms()
    for dag in standard_workloads(sizes):
        rows.append(measure(dag, repeats))
        r = rows[-1]
        print(f"  {dag.name:12} makespan/bound {r['makespan_over_bound']:.2f}  speedup {r['speedup']:.1f}",
              file=sys.stderr, flush=True)
    return {"benchmark": "parallel", "engine": "local", "latency": LATENCY.describe(), "repeats": repeats,
            "fsync_ms": [round(fsync_before, 3), round(fsync_ms(), 3)], "rows": rows}


def table(res: dict[str, Any]) -> str:
    lines = [f"parallel: skc run, local engine; latencies {res['latency']}; median of {res['repeats']}",
             f"  {'workload':12} {'ops':>5} {'depth':>5} {'bound s':>8} {'makespan s':>10} {'/bound':>7} "
             f"{'sched s':>8} {'/bound':>7} {'seq s':>8} {'speedup':>8} {'ideal':>7}"]
    for r in res["rows"]:
        lines.append(f"  {r['workload']:12} {r['ops']:5d} {r['depth']:5d} {r['bound_s']:8.3f} {r['makespan_s']:10.3f} "
                     f"{r['makespan_over_bound']:7.2f} {r['scheduler_s']:8.3f} {r['scheduler_over_bound']:7.2f} "
                     f"{r['sequential_s']:8.3f} {r['speedup']:8.1f} "
                     f"{r['ideal_speedup']:7.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.parallel", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", default="10,100,1000", help="random DAG sizes")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    res = run(args.repeats, tuple(int(s) for s in args.sizes.split(",") if s))
    return publish(res, table(res), args.out)


if __name__ == "__main__":
    sys.exit(main())
