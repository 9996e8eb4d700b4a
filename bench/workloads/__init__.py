"""Benchmark workloads: DAG shapes with seeded op latencies, and their IR.

A `Dag` is a list of ops in topological order, each with its predecessors and a
latency. The shapes (`dags.py`):

    fanout-9      1 -> 9 -> 1 (fan-out / fan-in)
    pqa-K         ParallelQA-like: K independent lookups (K = 2..5), then a combine
    chain-10      10 ops one after another (nothing to parallelise: a control)
    diamonds-4    4 diamonds stacked (a -> b, c -> d, d is the next diamond's a)
    random-N      random DAGs of N = 10, 100, 1000 ops (`random_dag`)

Latencies come from one stated distribution, `LATENCY`: log-normal with a median of
10 ms and sigma 0.5, clipped to [1 ms, 100 ms], drawn from `random.Random(seed)` with a
fixed seed per workload. `to_module(dag)` turns a DAG into a one-workflow IR module of
`sim.sleep` ops (the benchmark-only target `skc.runtime.targets.sim` sleeps each op's
latency for real), each taking its predecessors' results as operands, so the
scheduler sees exactly the DAG's data edges; the workflow returns the sinks' results.
"""

from bench.workloads.dags import (
    LATENCY,
    Dag,
    chain,
    diamonds,
    fanout,
    parallel_qa,
    random_dag,
    standard_workloads,
)
from bench.workloads.ir import to_module

__all__ = ["LATENCY", "Dag", "chain", "diamonds", "fanout", "parallel_qa", "random_dag",
           "standard_workloads", "to_module"]
