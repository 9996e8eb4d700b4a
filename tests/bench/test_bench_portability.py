"""The portability tasks: each database plants its ground truth, each runbook compiles and finds it."""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import portability
from bench.portability_tasks import TASKS, Task
from bench.portability_tasks.gen import KINDS
from skc.compiler.driver import compile_path
from skc.ir.core import Op
from skc.runtime.api import run
from skc.runtime.targets.base import (
    ExecContext,
    OpResult,
    Target,
    register_target,
    unregister_target,
)


class EchoSummary(Target):
    """Stands in for the model in the summary step: echoes its input, so the test checks the runbook's code."""

    name = "llm"
    ops = ("llm.generate",)

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        return OpResult([f"summary: {args[0]}"])


@pytest.fixture
def echo_llm() -> Iterator[None]:
    register_target(EchoSummary)
    try:
        yield
    finally:
        unregister_target(EchoSummary)


def test_there_is_one_task_per_incident_kind() -> None:
    assert len(TASKS) >= 8
    assert sorted(t.name for t in TASKS) == sorted(KINDS)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_the_database_holds_the_truth(task: Task, tmp_path: Path) -> None:
    db = sqlite3.connect(task.make_db(tmp_path / "incidents.db"))
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    text = " ".join(str(row) for t in tables for row in db.execute(f"SELECT * FROM {t}"))
    assert task.truth in text


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_skc_names_the_truth(task: Task, tmp_path: Path, echo_llm: None) -> None:
    assert compile_path(task.runbook).ok
    db = task.make_db(tmp_path / "incidents.db")
    result = run(task.runbook, task.inputs, db={"incidents": str(db)}, runs_dir=tmp_path / "runs",
                 workdir=tmp_path, options={"jit": False})
    assert result.status == "ok", result.error
    assert portability.names(result.outputs["root_cause"], task.truth)


@pytest.mark.parametrize("task", TASKS, ids=lambda t: t.name)
def test_another_incident_is_not_blamed_on_this_cause(task: Task, tmp_path: Path, echo_llm: None) -> None:
    other = TASKS[(TASKS.index(task) + 1) % len(TASKS)]
    db = other.make_db(tmp_path / "incidents.db")  # a different incident: this runbook must not name its truth
    result = run(task.runbook, task.inputs, db={"incidents": str(db)}, runs_dir=tmp_path / "runs",
                 workdir=tmp_path, options={"jit": False})
    assert result.status == "ok"
    assert not portability.names(result.outputs["root_cause"], task.truth)


def test_the_agent_tool_reads_only(tmp_path: Path) -> None:
    db = TASKS[0].make_db(tmp_path / "incidents.db")
    assert portability.query_rows(db, "SELECT id FROM deployments WHERE id = 'D-3107'") == [{"id": "D-3107"}]
    with pytest.raises(sqlite3.OperationalError):
        portability.query_rows(db, "DELETE FROM deployments")


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="needs the embedded model (skc[llm])")
def test_one_task_on_the_embedded_model() -> None:
    res = portability.run(["rate_limit"])
    row = res["rows"][0]
    assert res["tasks"] == 1
    assert row["skc"]["success"] is True
    assert set(row) >= {"agent", "given_results"}
    assert "rate_limit" in portability.table(res)
