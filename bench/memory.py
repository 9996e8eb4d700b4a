"""P6, memory: peak RSS of a 10,000-op run, each measurement in a fresh subprocess.

    python -m bench.memory [--ops 10000] [--out bench/results/memory.json]

The workload is `random-N` (bench/workloads) with no-op ops. Each variant runs in
its own `python` process, which reports its peak resident set after the run and
its RSS before the run (interpreter, imports and the workload built). The peak is
`VmHWM` from /proc/self/status, with `resource.getrusage(RUSAGE_SELF).ru_maxrss`
beside it: on Linux a child inherits its parent's `ru_maxrss` at fork and keeps it
across exec, so when `python -m bench` runs this after loading the model,
`ru_maxrss` reports the parent's size; `VmHWM` belongs to the new address space.

    python + imports       the child imports skc and builds the DAG and its IR, runs nothing
    asyncio.gather waves   the floor: raw coroutines, wave by wave
    skc run (local)        `skc.runtime.api.run` (journal, trace and result files in a temp dir)

`per_op_bytes` is (peak - peak of "python + imports") / ops.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import publish

RESULTS = Path(__file__).resolve().parent / "results" / "memory.json"
ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, resource, sys, tempfile
from bench.workloads import random_dag, to_module
from bench.workloads.run import asyncio_waves, skc_run
variant, n = sys.argv[1], int(sys.argv[2])
dag = random_dag(n).with_latency(0.0)
module = to_module(dag)
before = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
seconds = 0.0
if variant == "skc":
    seconds = skc_run(dag, runs_dir=tempfile.mkdtemp(prefix="skc-bench-mem-"))
elif variant == "asyncio":
    seconds = asyncio_waves(dag)
maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rss_before_kib": before, "peak_rss_kib": hwm, "ru_maxrss_kib": maxrss, "seconds": seconds}))
"""

VARIANTS = {"python + imports": "none", "asyncio.gather waves": "asyncio", "skc run (local)": "skc"}


def child(variant: str, n_ops: int) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", CHILD, variant, str(n_ops)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"memory child {variant} failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(n_ops: int = 10_000) -> dict[str, Any]:
    rows = {name: child(v, n_ops) for name, v in VARIANTS.items()}
    base = rows["python + imports"]["peak_rss_kib"]
    for row in rows.values():
        row["peak_rss_mib"] = row["peak_rss_kib"] / 1024
        row["per_op_bytes"] = (row["peak_rss_kib"] - base) * 1024 / n_ops
    return {"benchmark": "memory", "workload": f"random-{n_ops}, no-op ops", "ops": n_ops, "rows": rows}


def table(res: dict[str, Any]) -> str:
    lines = [f"memory: peak RSS, {res['workload']}, one subprocess each"]
    for name, r in res["rows"].items():
        lines.append(f"  {name:22} peak {r['peak_rss_mib']:8.1f} MiB  before run {r['rss_before_kib'] / 1024:8.1f} MiB  "
                     f"{r['per_op_bytes']:8.0f} B/op  {r['seconds']:.2f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    res = run(args.ops)
    return publish(res, table(res), args.out)


if __name__ == "__main__":
    sys.exit(main())
