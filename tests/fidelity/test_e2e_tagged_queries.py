"""End to end: the tagged-query TSG (`docs/api_errors_parallel.md`) over a generated SQLite incident
database with a planted cause. The queries run in parallel with the bound inputs (ISO timestamps
normalised to the database's form), the decision sees every query's result, and (slow, on the
embedded model) the run names the planted cause."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fidelity.incident_db import INPUTS, PLANTED, make_db
from skc.compiler.frontend.runbook.tsg_md import compile_tsg
from skc.ir.core import Op
from skc.runtime.api import run
from skc.runtime.targets.base import (
    ExecContext,
    OpResult,
    Target,
    register_target,
    unregister_target,
)
from skc.runtime.values import to_text

DOC = Path(__file__).resolve().parent / "docs" / "api_errors_parallel.md"


class RecordingLLM(Target):
    """Records what every llm op was given; decides the outcome the evidence names (deployments rows)."""

    name = "llm"
    ops = ("llm.generate", "llm.decide", "llm.extract", "llm.agent")
    seen: list[tuple[str, list[str]]] = []

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        RecordingLLM.seen.append((op.op_name, [to_text(a) for a in args]))
        if op.op_name == "llm.decide":
            outcomes = [str(o) for o in op.attributes["outcomes"]]  # type: ignore[union-attr]
            return OpResult([outcomes[0]])
        return OpResult(["ok"])


@pytest.fixture
def recording() -> Any:
    RecordingLLM.seen = []
    register_target(RecordingLLM)
    try:
        yield RecordingLLM
    finally:
        unregister_target(RecordingLLM)


def _trace(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (run_dir / "trace.jsonl").read_text().splitlines() if x.strip()]


def test_queries_run_with_bound_inputs_and_the_decision_sees_them(tmp_path: Path, recording: Any) -> None:
    db = make_db(tmp_path / "incident.db")
    module = compile_tsg(DOC).module
    assert module is not None
    result = run(module, INPUTS, db={"default": str(db)}, runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert result.ok, result.error
    queries = [e for e in _trace(result.run_dir) if e.get("op") == "tool.sql" or e.get("name") == "tool.sql"]
    assert queries, "the queries ran"
    [(_, evidence)] = [(n, a) for n, a in recording.seen if n == "llm.decide"][:1]
    assert len(evidence) == 5  # steps 2-6, one result each
    joined = " ".join(evidence)
    assert "2.3.1" in joined  # the planted deployment, found with ISO inputs against SQLite timestamps
    assert "/checkout" in joined
    assert result.exit_status == "resolved"  # "bad deployment" -> roll back: the definitive resolution


def test_the_queries_are_one_parallel_level() -> None:
    from skc.compiler.passes import PassContext, run_pipeline

    module = compile_tsg(DOC).module
    assert module is not None
    ctx = run_pipeline(module, "concurrency", PassContext())
    levels = next(iter(ctx.reports["schedule"]["workflows"].values()))["levels"]
    assert any(sum(1 for label in level if label.split(".")[0] in "23456") == 5 for level in levels)


@pytest.mark.slow
def test_the_embedded_model_names_the_planted_cause(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    db = make_db(tmp_path / "incident.db")
    module = compile_tsg(DOC).module
    assert module is not None
    result = run(module, INPUTS, db={"default": str(db)}, runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert result.ok, result.error
    assert PLANTED in [str(v) for v in result.outputs.values()], result.outputs  # step 7's decision
    assert result.exit_status == "resolved"  # and the definitive resolution it leads to
