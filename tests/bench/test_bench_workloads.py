"""The benchmark workloads: DAG shapes, their IR, and the benchmark-only sim target they run on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.workloads import (
    chain,
    diamonds,
    fanout,
    parallel_qa,
    random_dag,
    standard_workloads,
    to_module,
)
from bench.workloads.dags import Dag
from bench.workloads.run import asyncio_sequential, asyncio_waves, skc_scheduler
from skc.ir.verifier import verify
from skc.runtime.api import run


def test_shapes_have_the_stated_structure() -> None:
    f = fanout(9)
    assert f.n == 11
    assert f.waves() == [[0], list(range(1, 10)), [10]]
    assert f.critical_path_s == pytest.approx(f.latency_s[0] + max(f.latency_s[1:10]) + f.latency_s[10])
    c = chain(10)
    assert c.depth() == 10
    assert c.critical_path_s == pytest.approx(c.work_s)
    d = diamonds(4)
    assert d.n == 13
    assert d.depth() == 9
    q = parallel_qa(5)
    assert q.preds[-1] == (0, 1, 2, 3, 4)
    assert [w.name for w in standard_workloads((10,))][-1] == "random-10"


def test_random_dags_are_seeded_and_topological() -> None:
    a, b = random_dag(100), random_dag(100)
    assert a == b
    assert a != random_dag(100, seed=51)
    assert all(all(p < i for p in ps) for i, ps in enumerate(a.preds))
    assert all(0.001 <= x <= 0.1 for x in a.latency_s)
    assert a.critical_path_s < a.work_s


def test_a_dag_refuses_edges_that_point_forward() -> None:
    with pytest.raises(ValueError, match="before it"):
        Dag("bad", ((), (2,), ()), (0.0, 0.0, 0.0))


def test_the_ir_runs_on_skc_and_returns_the_sinks(tmp_path: Path) -> None:
    dag = diamonds(2).with_latency(0.0)
    result = run(to_module(dag), {}, runs_dir=tmp_path, workdir=tmp_path, options={"jit": False})
    assert result.status == "ok"
    assert list(result.outputs.values()) == [f"op{i}" for i in dag.sinks()]
    assert result.executed == dag.n


def test_sim_ops_never_come_from_a_source() -> None:
    codes = {d.code for d in verify(to_module(chain(2)))}
    assert "SKC209" in codes


def test_a_negative_latency_fails_the_op(tmp_path: Path) -> None:
    dag = Dag("neg", ((),), (-1.0,))
    result = run(to_module(dag), {}, runs_dir=tmp_path, workdir=tmp_path, options={"jit": False})
    assert result.status == "failed"
    assert result.error is not None
    assert "sim_latency_s" in result.error.message


def _sim_intervals(run_dir: Path) -> list[tuple[str, str]]:
    events = [json.loads(line) for line in (run_dir / "trace.jsonl").read_text().splitlines()]
    return [(e["event"], e["op"]) for e in events if e.get("name") == "sim.sleep" and e["event"] in ("op_start", "op_end")]


def test_the_sequential_baseline_runs_one_op_at_a_time(tmp_path: Path) -> None:
    dag = fanout(4).with_latency(0.002)
    seq = run(to_module(dag), {}, runs_dir=tmp_path, workdir=tmp_path, limits={"sim": 1}, options={"jit": False})
    events = _sim_intervals(seq.run_dir)  # type: ignore[arg-type]
    assert [e for e, _ in events] == ["op_start", "op_end"] * dag.n
    par = run(to_module(dag), {}, runs_dir=tmp_path, workdir=tmp_path, options={"jit": False})
    starts_before_first_middle_end = [e for e, _ in _sim_intervals(par.run_dir)[2:6]]  # type: ignore[arg-type]
    assert starts_before_first_middle_end == ["op_start"] * 4


def test_the_floors_and_the_scheduler_run_every_op() -> None:
    dag = random_dag(30).with_latency(0.0)
    for fn in (asyncio_waves, asyncio_sequential, skc_scheduler):
        assert fn(dag) >= 0.0
    with pytest.raises(RuntimeError, match="scheduler failed"):
        skc_scheduler(Dag("neg", ((),), (-1.0,)))
