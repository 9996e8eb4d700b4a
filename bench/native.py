"""Native vs Python evaluation of a solidified predicate over table rows.

    .venv/bin/python bench/native.py            # writes bench/results/native.json
    .venv/bin/python bench/native.py --quick    # fewer sizes and repeats

The predicate is what the JIT solidifies from a triage step ("slow and failing
requests"): `latency_ms > 500 and status >= 500`, counted over N rows. Timed in
one process, median of repeats, for each N:

    python_rows      the runtime's Python path: the predicate compiled to a Python
                     function, applied to each row dict (`rowpred.count_python`)
    native_rows      what `native.count_rows` does above the threshold: read the
                     columns into float64 buffers, then run the kernel
    native_columns   the kernel alone, on buffers already built (columnar data)
    numpy_columns    numpy on the same buffers, for reference

Compile time (MLIR parse + lowering + JIT, or llvmlite parse + O3 + MCJIT) is
measured separately on fresh predicates. The crossover is the smallest N from
which native_rows beats python_rows at every larger N measured: `steady` once
the kernel is compiled, `one_shot` when one evaluation also pays the compile.
The runtime's threshold (`native.native_threshold`) is the one-shot crossover
(interpolated between sizes from the compile time and the per-row saving),
because `skc run` compiles each kernel once per process.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench import median_seconds
from skc.runtime.jit import native
from skc.runtime.jit.rowpred import count_python

OUT = Path(__file__).resolve().parent / "results" / "native.json"


def predicate(threshold: float = 500) -> dict[str, Any]:
    return {"op": "and", "args": [
        {"op": "cmp", "pred": "gt", "lhs": {"op": "col", "name": "latency_ms"}, "rhs": {"op": "const", "value": threshold}},
        {"op": "cmp", "pred": "ge", "lhs": {"op": "col", "name": "status"}, "rhs": {"op": "const", "value": 500}}]}


def rows_of(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{"path": "/api", "latency_ms": round(rng.lognormvariate(5.5, 0.8), 1),
             "status": rng.choice((200, 200, 200, 201, 404, 500, 503))} for _ in range(n)]


def numpy_count(cols: list[np.ndarray]) -> int:
    return int(((cols[0] > 500) & (cols[1] >= 500)).sum())


def native_rows(kernel: native.Kernel, rows: list[dict[str, Any]]) -> int:
    return kernel.count(native.column_buffers(rows, kernel.columns))


def compile_times(backend: str, repeats: int) -> float:
    """Median compile time of fresh (uncached) kernels of the same shape."""
    times = []
    for i in range(repeats):
        pred = predicate(500 + 1e-3 * (i + 1) + random.random() * 1e-6)  # a new constant: no cache hit
        start = time.perf_counter()
        native.compile_kernel(pred, backend)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def crossover(sizes: list[int], faster: dict[int, bool]) -> int | None:
    """Smallest size from which `faster` holds at every larger size."""
    best = None
    for n in reversed(sizes):
        if not faster[n]:
            break
        best = n
    return best


def run(sizes: list[int], quick: bool) -> dict[str, Any]:
    backends = native.available_backends()
    pred = predicate()
    compile_s = {b: compile_times(b, 3 if quick else 7) for b in backends}
    kernels = {b: native.compile_kernel(pred, b) for b in backends}
    table: dict[str, dict[str, Any]] = {}
    for n in sizes:
        rows = rows_of(n)
        repeats = max(3, min(51, int(2e6 // max(n, 1)))) // (3 if quick else 1) or 3
        cols = native.column_buffers(rows, ["latency_ms", "status"])
        want = count_python(pred, rows)
        entry: dict[str, Any] = {"repeats": repeats, "matching_rows": want,
                                 "python_rows_s": median_seconds(partial(count_python, pred, rows), repeats),
                                 "numpy_columns_s": median_seconds(partial(numpy_count, cols), repeats)}
        for b, k in kernels.items():
            if k.count(cols) != want or native.count_rows(pred, rows, threshold=0, backend=b) != want:
                raise SystemExit(f"{b} kernel disagrees with Python at {n} rows")
            entry[f"native_rows_{b}_s"] = median_seconds(partial(native_rows, k, rows), repeats)
            entry[f"native_columns_{b}_s"] = median_seconds(partial(k.count, cols), repeats)
        table[str(n)] = entry
        print(f"{n:>9} rows  python {entry['python_rows_s'] * 1e3:9.3f} ms  " + "  ".join(
            f"{b}: rows {entry[f'native_rows_{b}_s'] * 1e3:8.3f} ms, columns {entry[f'native_columns_{b}_s'] * 1e3:8.4f} ms"
            for b in backends) + f"  numpy {entry['numpy_columns_s'] * 1e3:8.4f} ms", file=sys.stderr)
    result: dict[str, Any] = {
        "predicate": "latency_ms > 500 and status >= 500", "backends": backends, "compile_s": compile_s,
        "sizes": sizes, "timings": table,
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count(), "numpy": np.__version__}}
    if backends:
        best = min(backends, key=lambda b: compile_s[b])
        steady = {n: table[str(n)][f"native_rows_{best}_s"] < table[str(n)]["python_rows_s"] for n in sizes}
        one_shot = {n: table[str(n)][f"native_rows_{best}_s"] + compile_s[best] < table[str(n)]["python_rows_s"]
                    for n in sizes}
        cross: dict[str, Any] = {"backend": best, "steady": crossover(sizes, steady), "one_shot": crossover(sizes, one_shot)}
        # Between grid points: compile time over the per-row saving measured at >= 10k rows.
        savings = [(table[str(n)]["python_rows_s"] - table[str(n)][f"native_rows_{best}_s"]) / n
                   for n in sizes if n >= 10_000 and steady[n]]
        if savings and cross["one_shot"] is not None:
            estimate = compile_s[best] / statistics.median(savings)
            below = max([n for n in sizes if n < cross["one_shot"]], default=0)
            cross["one_shot_estimate"] = int(float(f"{min(max(estimate, below), cross['one_shot']):.2g}"))
        result["crossover_rows"] = cross
        result["threshold_rows"] = cross.get("one_shot_estimate", cross["one_shot"])
    else:
        result["threshold_rows"] = None
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    sizes = [1_000, 100_000, 1_000_000] if args.quick else \
        [100, 300, 1_000, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000]
    result = run(sizes, args.quick)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("compile_s", "crossover_rows", "threshold_rows") if k in result}))


if __name__ == "__main__":
    main()
