"""skc's benchmarks: one module per subject, each runnable as `python -m bench.<name>`.

Each benchmark warms up, takes the median of several repeats, prints a small
table and writes `bench/results/<name>.json`, the baseline the next run is read
against. Benchmarks are never timed assertions in the test suite.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def publish(result: dict[str, Any], table: str, out: Path) -> int:
    """Prints a benchmark's table and writes its JSON result to `out`; the exit status (0)."""
    print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


def median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    """Median wall time of `fn` over `repeats` runs, after one warm-up run."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
