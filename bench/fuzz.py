"""Fuzz benchmark: every parser against hostile shapes at growing sizes, with time and memory.

    python -m bench.fuzz [--examples N] [--seed S]

For each (parser, shape) the deterministic sizes 1k, 10k, 100k and 1M (and, with
`--examples`, random sizes and noise up to 1 MB) are fed in a forked child (so a
leak or a crash in one input cannot spoil the next): its wall time and its peak RSS
above that of a child that does nothing are measured (`os.wait4`). The targets of issue 12: no input
under 1 MB takes more than 2 s or 300 MB, and none ends in anything but a result
or a located diagnostic. Prints the inputs tried, the failures, the slowest and the
largest inputs, and writes `bench/results/fuzz.json`. Timings are of this machine,
in this run; they are a report, never an assertion.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

from bench import publish
from bench.hostile import PARSERS, SHAPES, attempt

TIME_LIMIT_S = 2.0
MEMORY_LIMIT_MB = 300.0
SIZES = (1_000, 10_000, 100_000, 1_000_000)
NOISE = "`$(){}[]<>|&;'\"\\\n#*:-!% \x00é"


@functools.cache
def _baseline_kb() -> int:
    """Peak RSS (KB) of a forked child that does nothing: what every child starts with."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    return os.wait4(pid, 0)[2].ru_maxrss


def measure(parser: str, text: str) -> tuple[float, float, str]:
    """(seconds, MB of peak RSS above the parent, bug or '') of one input, in a forked child."""
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            bug = attempt(parser, text)
        except BaseException as e:  # a crash of the input is what we measure
            bug = f"{type(e).__name__}: {e}"
        os.write(write, bug.encode("utf-8", errors="replace")[:500])
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 4096):
        chunks.append(chunk)
    os.close(read)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    extra_mb = max(0.0, (usage.ru_maxrss - _baseline_kb()) / 1024)
    bug = b"".join(chunks).decode()
    if status != 0 and not bug:
        bug = f"child exited with status {status}"
    return seconds, extra_mb, bug


def inputs(examples: int, seed: int) -> list[tuple[str, str, int, str]]:
    """(parser, shape, size, text) to try: every shape at SIZES, then random ones with noise."""
    rng = random.Random(seed)
    out = [(p, s, n, SHAPES[s](n)) for p in sorted(PARSERS) for s in sorted(SHAPES) for n in SIZES]
    for _ in range(examples):
        p, s = rng.choice(sorted(PARSERS)), rng.choice(sorted(SHAPES))
        n = rng.randint(1, 100_000)
        noise = "".join(rng.choice(NOISE) for _ in range(rng.randint(0, 300)))
        out.append((p, s, n, SHAPES[s](n) + noise))
    return [(p, s, n, t[:1_000_000]) for p, s, n, t in out]


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--examples", type=int, default=200, help="random inputs beyond the fixed grid")
    args.add_argument("--seed", type=int, default=12)
    opts = args.parse_args(argv)
    for parser in PARSERS:  # imports and caches warm in the parent, so children measure the input only
        attempt(parser, "x")
    rows: list[dict[str, Any]] = []
    for parser, shape, n, text in inputs(opts.examples, opts.seed):
        seconds, mb, bug = measure(parser, text)
        rows.append({"parser": parser, "shape": shape, "size": n, "bytes": len(text.encode("utf-8", "replace")),
                     "seconds": round(seconds, 4), "extra_mb": round(mb, 1), "bug": bug})
    slow = [r for r in rows if r["seconds"] > TIME_LIMIT_S]
    big = [r for r in rows if r["extra_mb"] > MEMORY_LIMIT_MB]
    bugs = [r for r in rows if r["bug"]]
    slowest = max(rows, key=lambda r: r["seconds"])
    largest = max(rows, key=lambda r: r["extra_mb"])
    lines = [f"inputs tried: {len(rows)} ({len(PARSERS)} parsers x {len(SHAPES)} shapes x sizes {SIZES}, "
             f"+{opts.examples} random)",
             f"uncaught exceptions: {len(bugs)}",
             f"over {TIME_LIMIT_S} s: {len(slow)}   over {MEMORY_LIMIT_MB} MB: {len(big)}",
             f"slowest: {slowest['parser']}/{slowest['shape']} size {slowest['size']} "
             f"({slowest['bytes']} bytes): {slowest['seconds']:.2f} s",
             f"largest: {largest['parser']}/{largest['shape']} size {largest['size']}: {largest['extra_mb']:.0f} MB"]
    lines += [f"  slow: {r['parser']}/{r['shape']} size {r['size']}: {r['seconds']:.2f} s" for r in slow[:20]]
    lines += [f"  bug: {r['parser']}/{r['shape']} size {r['size']}: {r['bug'][:120]}" for r in bugs[:20]]
    result = {"inputs": len(rows), "bugs": bugs, "over_time": slow, "over_memory": big, "slowest": slowest,
              "largest": largest, "limits": {"seconds": TIME_LIMIT_S, "mb": MEMORY_LIMIT_MB},
              "python": sys.version.split()[0]}
    return publish(result, "\n".join(lines), Path(__file__).parent / "results" / "fuzz.json")


if __name__ == "__main__":
    sys.exit(main())
