"""The example runbook: a seeded incident database, the runbook in markdown and in IR, and the run.

The markdown (what `make run` compiles) and the hand-written IR are the same runbook: the
same queries and code, step 7's code fed the same values, and both runs name the planted
root cause (deployment D-1042, db.pool.max_connections 50 -> 5).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import REPO, make_incident_db, run_module, scripted_llm, trace_events

from skc.compiler.frontend import load
from skc.ir import Op, Value
from skc.ir.module import Module
from skc.ir.parser import parse_module

__all__ = ["scripted_llm"]

EXAMPLE = REPO / "examples" / "runbooks"
INPUTS = {"service": "checkout", "since": "2024-05-14 14:00:00"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_incident_database_is_deterministic_and_holds_the_planted_cause(tmp_path: Path) -> None:
    a = make_incident_db(tmp_path / "a.db")
    b = make_incident_db(tmp_path / "b.db")
    c = make_incident_db(tmp_path / "c.db", seed=7)
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)
    conn = sqlite3.connect(a)
    assert {t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == \
        {"requests", "deployments", "config_changes", "dependency_health", "host_metrics", "alerts"}
    slow = conn.execute("SELECT version, region, AVG(latency_ms) FROM requests WHERE service = 'checkout' "
                        "AND ts >= '2024-05-14 14:05:00' GROUP BY version, region ORDER BY 3 DESC").fetchall()
    assert slow[0][:2] == ("2.14.0", "eu-west-1")
    assert slow[0][2] > 5 * slow[1][2]
    assert conn.execute("SELECT key, old_value, new_value FROM config_changes WHERE deployment_id = 'D-1042'"
                        ).fetchall() == [("db.pool.max_connections", "50", "5")]


def _normalise(sql: str) -> str:
    return " ".join(sql.split())


def test_markdown_and_ir_are_the_same_runbook() -> None:
    markdown = (EXAMPLE / "checkout-latency.md").read_text()
    blocks = re.findall(r"```(sql|python)\n(.*?)```", markdown, re.S)
    md_sql = [_normalise(body.replace("{service}", "SERVICE").replace("{since}", "SINCE"))
              for lang, body in blocks if lang == "sql"]
    md_python = [textwrap.dedent(body) for lang, body in blocks if lang == "python"]
    wf = parse_module((EXAMPLE / "checkout-latency.mlir").read_text()).workflow()
    names = wf.input_names
    ir_sql = []
    for op in wf.body.ops:
        if op.op_name == "tool.sql":
            query = str(op.attributes["query"])
            for i, v in enumerate(op.operands):
                query = query.replace(f"{{{i}}}", names[wf.inputs.index(v)].upper())
            ir_sql.append(_normalise(query))
    assert ir_sql == md_sql
    codes = [op.attributes["code"] for op in wf.body.ops if op.op_name == "tool.python"]
    assert md_python == codes  # step 7 (the evidence), step 8 (the mitigation), step 10 (the update)
    steps = [op.attributes.get("step") for op in wf.walk() if op.op_name.startswith(("tool.", "llm."))]
    assert {f"Step {i}" for i in range(1, 11)} - {"Step 1"} <= set(steps)


def _check_cause(cause: str, evidence: dict[str, Any]) -> None:
    for fact in ("checkout 2.14.0 in eu-west-1", "deployment D-1042", "db.pool.max_connections 50 -> 5",
                 "CHK-4821"):
        assert fact in cause
    assert evidence["category"] == "deployment"
    assert evidence["deployment"]["id"] == "D-1042"
    assert evidence["degraded_dependencies"] == []


def _check_root_cause(outputs: dict[str, Any]) -> None:
    _check_cause(outputs["root_cause"], outputs["evidence"])
    assert outputs["confirmation"].startswith("confirmed: eu-west-1 p95")


ROLL_BACK = {"mitigation": "roll back the deployment",
             "action": "roll back deployment D-1042 (checkout 2.14.0 in eu-west-1)"}


def _check_markdown_outputs(outputs: dict[str, Any]) -> None:
    """The compiled markdown's outputs: step 7's evidence (its summary is the root cause), the
    conclusions of steps 1 and 5, the mitigation code chose and the status update, which states
    the evidence and the action whatever the model's wording."""
    _check_cause(outputs["diagnosis_7"]["summary"], outputs["diagnosis_7"])
    assert outputs["diagnosis_1_1"] == ("the alert is confirmed (step 7 reports that region's p95, baseline and "
                                        "error rate).")
    assert outputs["diagnosis_5_1"] == "no dependency was degraded in the window."
    assert outputs["mitigation_8"] == ROLL_BACK
    update = outputs["mitigation_10"]["status_update"]
    assert f"Cause: {outputs['diagnosis_7']['summary']}. Next: {ROLL_BACK['action']}." in update


def _markdown_module() -> Module:
    result = load(EXAMPLE / "checkout-latency.md")
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.module is not None
    assert not [d for d in result.diagnostics if d.severity != "note"], [str(d) for d in result.diagnostics]
    return result.module


def _source(v: Value, wf: Any) -> str:
    """What a value is, the same way in both modules: an input's name or a query's text."""
    op = v.defining_op
    if op is None:
        return str(wf.input_names[wf.inputs.index(v)])
    if op.op_name == "tool.sql":
        query = str(op.attributes["query"])
        for i, w in enumerate(op.operands):
            query = query.replace(f"{{{i}}}", _source(w, wf).upper())
        return _normalise(query)
    return op.op_name


def _ops(module: Module, name: str) -> list[Op]:
    return [op for op in module.walk() if op.op_name == name]


def test_the_compiled_markdown_feeds_step_7_what_the_ir_does() -> None:
    md, ir = _markdown_module(), parse_module((EXAMPLE / "checkout-latency.mlir").read_text())
    md_py, ir_py = _ops(md, "tool.python"), _ops(ir, "tool.python")
    assert [str(op.attributes["code"]).rstrip() for op in md_py] == [str(op.attributes["code"]).rstrip()
                                                                      for op in ir_py]
    md_wf, ir_wf = md.workflow(), ir.workflow()
    evidence, mitigation, status = md_py
    assert [_source(v, md_wf) for v in evidence.operands] == [_source(v, ir_wf) for v in ir_py[0].operands]
    assert all(op.attributes["effects"] == ["pure"] for op in md_py + ir_py)
    assert mitigation.operands == evidence.results  # "from the diagnosis of step 7": code decides
    assert not _ops(md, "llm.decide")
    [impact] = _ops(md, "llm.generate")  # step 9 only words one sentence, from step 7's summary
    summary = impact.operands[0].defining_op
    assert summary is not None
    assert summary.attributes["path"] == "$.summary"
    assert summary.operands == evidence.results
    words, summary_10, action = status.operands  # step 10: the sentence, then the evidence and the action
    assert words is impact.results[0]
    assert summary_10.defining_op is not None
    assert summary_10.defining_op.attributes["path"] == "$.summary"
    assert action.defining_op is not None
    assert action.defining_op.attributes["path"] == "$.action"
    assert action.defining_op.operands == mitigation.results


def _run_variant(tmp_path: Path, module: Module, cause: str, since: str = INPUTS["since"]) -> Any:
    spec = importlib.util.spec_from_file_location("incident_variants", EXAMPLE / "incident_variants.py")
    assert spec is not None
    assert spec.loader is not None
    variants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(variants)
    db = variants.build_variant(tmp_path / f"{cause}.db", cause)
    result = run_module(module, tmp_path, {**INPUTS, "since": since}, db={"incidents": str(db)})
    assert result.status == "ok", result.error
    return result.outputs


MITIGATION = {"deployment": "roll back the deployment", "dependency": "fail over the dependency",
              "infrastructure": "drain the hot host", "unknown": "escalate to the service owner"}


@pytest.mark.parametrize("cause", list(MITIGATION))
def test_the_mitigation_is_right_in_every_incident_variant(tmp_path: Path, scripted_llm: Any, cause: str) -> None:
    outputs = _run_variant(tmp_path, _markdown_module(), cause)
    evidence, chosen = outputs["diagnosis_7"], outputs["mitigation_8"]
    assert evidence["category"] == cause
    assert chosen["mitigation"] == MITIGATION[cause]
    assert evidence["region"] in chosen["action"] or cause == "unknown"
    update = outputs["mitigation_10"]["status_update"]
    assert evidence["summary"] in update  # the update states the evidence ...
    assert chosen["action"] in update  # ... and the action code chose
    assert "p95 3318 ms vs 263 ms" in evidence["summary"]
    ir = _run_variant(tmp_path / "ir", parse_module((EXAMPLE / "checkout-latency.mlir").read_text()), cause)
    assert ir["action"] == chosen["action"]
    assert ir["evidence"] == evidence


def test_a_window_with_no_hour_before_it_is_diagnosed_not_a_crash(tmp_path: Path, scripted_llm: Any) -> None:
    """`since=2024-05-14 12:00:00`: the data start there, so no region has a baseline (step 7's
    `NoneType.__format__` crash); the slowest region is then the one with the highest p95."""
    outputs = _run_variant(tmp_path, _markdown_module(), "deployment", since="2024-05-14 12:00:00")
    evidence = outputs["diagnosis_7"]
    assert evidence["baseline_p95_ms"] is None
    assert evidence["category"] == "deployment"
    assert "vs n/a in the hour before" in evidence["summary"]
    assert outputs["mitigation_8"] == ROLL_BACK


def test_the_compiled_markdown_names_the_planted_root_cause(tmp_path: Path, scripted_llm: Any) -> None:
    db = make_incident_db(tmp_path / "incidents.db")
    result = run_module(_markdown_module(), tmp_path, INPUTS, db={"incidents": str(db)})
    assert result.status == "ok", result.error
    _check_markdown_outputs(result.outputs)
    assert scripted_llm.calls == ["llm.generate"]


def test_runbook_names_the_planted_root_cause(tmp_path: Path, scripted_llm: Any) -> None:
    db = make_incident_db(tmp_path / "incidents.db")
    module = parse_module((EXAMPLE / "checkout-latency.mlir").read_text())
    result = run_module(module, tmp_path, INPUTS, db={"incidents": str(db)})
    assert result.status == "ok", result.error
    _check_root_cause(result.outputs)
    assert result.outputs["action"] == ROLL_BACK["action"]  # code decides, not the model
    assert result.outputs["dependencies"] == "no dependency was degraded in the window"
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    sql = [e for e in events if e["event"] in ("op_start", "op_end") and e["name"] == "tool.sql"]
    first_end = min(e["ts"] for e in sql if e["event"] == "op_end")
    assert sum(1 for e in sql if e["event"] == "op_start" and e["ts"] < first_end) >= 2  # queries overlap
    assert scripted_llm.calls == ["llm.generate"]


def test_a_different_window_still_blames_the_deployment_not_the_old_brownout(tmp_path: Path,
                                                                           scripted_llm: Any) -> None:
    db = make_incident_db(tmp_path / "incidents.db")
    module = parse_module((EXAMPLE / "checkout-latency.mlir").read_text())
    result = run_module(module, tmp_path, {**INPUTS, "since": "2024-05-14 12:30:00"}, db={"incidents": str(db)})
    assert "deployment D-1042" in result.outputs["root_cause"]
    assert result.outputs["dependencies"].startswith("[In one sentence: which dependency was degraded")
    assert "payments-gateway" in result.outputs["dependencies"]  # the brown-out is seen, and set aside


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["local", "ray"])
def test_runbook_on_the_embedded_model(tmp_path: Path, engine: str) -> None:
    pytest.importorskip("llama_cpp")
    db = make_incident_db(tmp_path / "incidents.db")
    proc = subprocess.run([sys.executable, "-m", "skc", "run", str(EXAMPLE / "checkout-latency.mlir"),
                           "--db", f"incidents={db}", "--engine", engine, "--json",
                           "--runs-dir", str(tmp_path / "runs"),
                           *[f"--input={k}={v}" for k, v in INPUTS.items()]],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    _check_root_cause(result["outputs"])
    assert result["outputs"]["action"] == ROLL_BACK["action"]
    assert result["outputs"]["root_cause"] in result["outputs"]["update"]
    assert result["tokens_in"] > 0
    assert result["outputs"]["update"].strip()


@pytest.mark.slow
def test_the_markdown_runbook_on_the_embedded_model(tmp_path: Path) -> None:
    """What `make run` does: the markdown compiled and run on the embedded model."""
    pytest.importorskip("llama_cpp")
    db = make_incident_db(tmp_path / "incidents.db")
    proc = subprocess.run([sys.executable, "-m", "skc", "run", str(EXAMPLE / "checkout-latency.md"),
                           "--db", f"incidents={db}", "--json", "--runs-dir", str(tmp_path / "runs"),
                           *[f"--input={k}={v}" for k, v in INPUTS.items()]],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    _check_markdown_outputs(result["outputs"])
    assert result["tokens_in"] > 0
