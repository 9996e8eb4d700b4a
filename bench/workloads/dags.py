"""DAG shapes and the seeded latency distribution of the benchmark workloads.

Ops are numbered in topological order (every predecessor has a smaller index).
`critical_path_s` is the longest path weighted by latency: no schedule can finish
faster, so `makespan / critical_path_s` (>= 1) is how far a run is from ideal.
`work_s` is the sum of all latencies: what one-at-a-time execution costs at least.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class LatencyModel:
    """Log-normal latencies with a median and sigma, clipped to [low, high] seconds."""

    median_s: float = 0.010
    sigma: float = 0.5
    low_s: float = 0.001
    high_s: float = 0.100

    def draw(self, n: int, seed: int) -> tuple[float, ...]:
        rng = random.Random(seed)
        mu = math.log(self.median_s)
        return tuple(round(min(self.high_s, max(self.low_s, rng.lognormvariate(mu, self.sigma))), 6)
                     for _ in range(n))

    def describe(self) -> str:
        return (f"log-normal, median {self.median_s * 1000:g} ms, sigma {self.sigma:g}, "
                f"clipped to [{self.low_s * 1000:g}, {self.high_s * 1000:g}] ms, seeded per workload")


LATENCY = LatencyModel()


@dataclass(frozen=True)
class Dag:
    """Ops 0..n-1 in topological order: predecessors and latency (seconds) of each."""

    name: str
    preds: tuple[tuple[int, ...], ...]
    latency_s: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.preds) != len(self.latency_s):
            raise ValueError("one latency per op")
        for i, ps in enumerate(self.preds):
            if any(not 0 <= p < i for p in ps):
                raise ValueError(f"op {i}: predecessors must come before it, got {ps}")

    @property
    def n(self) -> int:
        return len(self.preds)

    @property
    def edges(self) -> int:
        return sum(len(p) for p in self.preds)

    def finish_times(self, latency: tuple[float, ...] | None = None) -> list[float]:
        lat = latency if latency is not None else self.latency_s
        done: list[float] = []
        for i, ps in enumerate(self.preds):
            done.append(max((done[p] for p in ps), default=0.0) + lat[i])
        return done

    @property
    def critical_path_s(self) -> float:
        return max(self.finish_times(), default=0.0)

    @property
    def work_s(self) -> float:
        return sum(self.latency_s)

    def depth(self) -> int:
        """Ops on the longest path (unweighted)."""
        return int(max(self.finish_times(tuple(1.0 for _ in self.preds)), default=0))

    def waves(self) -> list[list[int]]:
        """Topological levels: wave k holds the ops whose longest chain of predecessors has k ops."""
        level: list[int] = []
        for ps in self.preds:
            level.append(1 + max((level[p] for p in ps), default=-1))
        out: list[list[int]] = [[] for _ in range(max(level, default=-1) + 1)]
        for i, k in enumerate(level):
            out[k].append(i)
        return out

    def sinks(self) -> list[int]:
        used = {p for ps in self.preds for p in ps}
        return [i for i in range(self.n) if i not in used]

    def with_latency(self, latency_s: float, name: str | None = None) -> Dag:
        """The same shape with every op taking `latency_s` (0: no-op ops)."""
        return Dag(name or self.name, self.preds, tuple(latency_s for _ in self.preds))


def _dag(name: str, preds: list[tuple[int, ...]], seed: int) -> Dag:
    return Dag(name, tuple(preds), LATENCY.draw(len(preds), seed))


def fanout(width: int = 9, seed: int = 11) -> Dag:
    """1 -> width -> 1."""
    preds: list[tuple[int, ...]] = [(), *[(0,) for _ in range(width)], tuple(range(1, width + 1))]
    return _dag(f"fanout-{width}", preds, seed)


def parallel_qa(k: int, seed: int = 20) -> Dag:
    """ParallelQA-like: k independent lookups, then one op that combines them."""
    preds: list[tuple[int, ...]] = [*[() for _ in range(k)], tuple(range(k))]
    return _dag(f"pqa-{k}", preds, seed + k)


def chain(n: int = 10, seed: int = 30) -> Dag:
    preds: list[tuple[int, ...]] = [()] + [(i - 1,) for i in range(1, n)]
    return _dag(f"chain-{n}", preds, seed)


def diamonds(count: int = 4, seed: int = 40) -> Dag:
    """`count` stacked diamonds: top -> (left, right) -> bottom, the bottom being the next top."""
    preds: list[tuple[int, ...]] = [()]
    top = 0
    for _ in range(count):
        left, right, bottom = len(preds), len(preds) + 1, len(preds) + 2
        preds += [(top,), (top,), (left, right)]
        top = bottom
    return _dag(f"diamonds-{count}", preds, seed)


def random_dag(n: int, seed: int = 50, max_preds: int = 3) -> Dag:
    """A random DAG: the first ~n/10 ops are roots; every later op has 1..max_preds
    predecessors drawn from the `max(8, n // 8)` ops before it (so the DAG has both
    width and depth)."""
    rng = random.Random(seed * 1000 + n)
    roots = max(1, n // 10)
    window = max(8, n // 8)
    preds: list[tuple[int, ...]] = []
    for i in range(n):
        if i < roots:
            preds.append(())
            continue
        lo = max(0, i - window)
        k = min(i - lo, rng.randint(1, max_preds))
        preds.append(tuple(sorted(rng.sample(range(lo, i), k))))
    return _dag(f"random-{n}", preds, seed + n)


def standard_workloads(sizes: tuple[int, ...] = (10, 100, 1000)) -> list[Dag]:
    """The workload set of P1, smallest first."""
    return [fanout(9), *[parallel_qa(k) for k in range(2, 6)], chain(10), diamonds(4),
            *[random_dag(n) for n in sizes]]
