"""Each benchmark at a tiny size: it runs, and its JSON and the report have the promised shape.

No timing is asserted: these runs are too small and the machine too noisy to mean anything.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from bench import ir_dump, memory, overhead, parallel, report, tokens
from bench.__main__ import main
from bench.workloads import parallel_qa


def test_parallel_row() -> None:
    row = parallel.measure(parallel_qa(2), repeats=1)
    assert set(row) >= {"workload", "ops", "bound_s", "makespan_s", "scheduler_s", "sequential_s",
                        "makespan_over_bound", "speedup", "ideal_speedup"}
    assert row["ops"] == 3
    assert row["makespan_over_bound"] > 0


def test_overhead_rows() -> None:
    res = overhead.run(n_ops=20, repeats=1, with_ray=False)
    rows = res["rows"]
    assert res["ops"] == 20
    for name in ("asyncio.gather waves", "skc scheduler", "skc run (local)"):
        assert rows[name]["us_per_op"] > 0
        assert rows[name]["x_floor"] > 0
    assert "us_per_op" in rows["LangGraph"] or "skipped" in rows["LangGraph"]
    assert "not requested" in rows["skc run (Ray)"]["skipped"]
    assert res["scheduler_profile"]
    assert all(0 < p["share"] <= 1 for p in res["scheduler_profile"])


def test_memory_rows() -> None:
    res = memory.run(50)
    assert set(res["rows"]) == set(memory.VARIANTS)
    for row in res["rows"].values():
        assert row["peak_rss_kib"] >= row["rss_before_kib"] > 0


def test_report_tables(tmp_path: Path) -> None:
    results = {"parallel": {"benchmark": "parallel", "latency": "x", "repeats": 1,
                            "rows": [parallel.measure(parallel_qa(3), repeats=1)]},
               "overhead": overhead.run(n_ops=10, repeats=1, with_ray=False, with_langgraph=False),
               "tokens": {"benchmark": "tokens", "error": "RuntimeError: no model"}}
    page = report.write(results, tmp_path).read_text()
    assert "| pqa-3 | 4 | 2 |" in page
    assert "| asyncio.gather waves |" in page
    assert "Not measured: RuntimeError: no model" in page
    assert "CPUs (nproc)" in page
    assert json.loads((tmp_path / "overhead.json").read_text())["ops"] == 10


def test_main_writes_results_and_the_page(tmp_path: Path) -> None:
    assert main(["--only", "parallel", "--quick", "--out", str(tmp_path)]) == 0
    assert json.loads((tmp_path / "parallel.json").read_text())["rows"]
    assert "## P1: parallel efficiency" in (tmp_path / "README.md").read_text()


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs the embedded model (skc[llm])")
@pytest.mark.skipif(not tokens.CORPUS.is_dir(), reason="needs the corpus")
def test_tokens_static_rows() -> None:
    res = tokens.run(docs=1, live=False)
    row = res["rows"][0]
    assert row["mode"].startswith("static")
    assert row["skc"]["tokens"] > 0
    assert row["baseline"]["tokens"] > 0
    assert row["ratio"] == row["baseline"]["tokens"] / row["skc"]["tokens"]


@pytest.mark.skipif(not ir_dump.CORPUS.is_dir(), reason="needs the corpus")
def test_ir_dump_records_what_was_compiled(tmp_path: Path) -> None:
    out = tmp_path / "dump.jsonl"
    assert ir_dump.main(["--out", str(out), "--only", "prometheus-operator/alertmanager/AlertmanagerFailedReload"]) == 0
    (rec,) = map(json.loads, out.read_text().splitlines())
    assert rec["kind"] == "tsg"
    assert "crash" not in rec
    assert '"skc.workflow"' in rec["ir"]
    assert '"llm.decide"' in rec["ir"]
    assert "ir.mlir" in rec["files"]
    assert "reports/schedule.json" in rec["files"]
    assert json.loads(rec["manifest"])["files"].keys() <= rec["files"].keys()
