"""A workload DAG as IR: one workflow of benchmark-only `sim.sleep` ops.

Op i takes the results of its predecessors as operands (the DAG's edges become
the scheduler's data edges), has `effects = ["pure"]` (so no effect ordering is
added), `sim_latency_s` (how long the `sim` target sleeps) and `sim_id`. The
workflow returns the results of the sinks. `sim.sleep` is in no dialect: these
modules are run as built, never through `skc compile`.
"""

from __future__ import annotations

from bench.workloads.dags import Dag
from skc.ir import TEXT, InsertionPoint, Module, ctrl, workflow
from skc.ir.core import UnregisteredOp, Value
from skc.ir.dialects.skc import WorkflowOp
from skc.runtime.targets.sim import SIM_OP


def to_workflow(dag: Dag) -> WorkflowOp:
    wf = workflow(dag.name.replace("-", "_"), description=f"benchmark workload {dag.name}")
    results: list[Value] = []
    for i, (ps, latency) in enumerate(zip(dag.preds, dag.latency_s, strict=True)):
        op = UnregisteredOp(SIM_OP, [results[p] for p in ps], [TEXT],
                            {"effects": ["pure"], "sim_latency_s": float(latency), "sim_id": i})
        wf.body.append(op)
        results.append(op.results[0])
    with InsertionPoint(wf.body):
        ctrl.return_(*[results[i] for i in dag.sinks()])
    return wf


def to_module(dag: Dag) -> Module:
    """A one-workflow module running `dag` (see the module docstring)."""
    return Module([to_workflow(dag)])
