"""The example runbook: a seeded incident database, the runbook in markdown and in IR, and the run."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rt_helpers import REPO, make_incident_db, run_module, scripted_llm, trace_events

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
    md_python = [re.sub(r"(?m)^   ", "", body) for lang, body in blocks if lang == "python"]
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
    [code] = [op.attributes["code"] for op in wf.body.ops if op.op_name == "tool.python"]
    assert md_python == [code]
    steps = [op.attributes.get("step") for op in wf.walk() if op.op_name.startswith(("tool.", "llm."))]
    assert {f"Step {i}" for i in range(1, 10)} - {"Step 1"} <= set(steps)


def _check_root_cause(outputs: dict[str, Any]) -> None:
    cause = outputs["root_cause"]
    for fact in ("checkout 2.14.0 in eu-west-1", "deployment D-1042", "db.pool.max_connections 50 -> 5",
                 "CHK-4821"):
        assert fact in cause
    evidence = outputs["evidence"]
    assert evidence["category"] == "deployment"
    assert evidence["deployment"]["id"] == "D-1042"
    assert evidence["degraded_dependencies"] == []
    assert outputs["confirmation"].startswith("confirmed: eu-west-1 p95")


def test_runbook_names_the_planted_root_cause(tmp_path: Path, scripted_llm: Any) -> None:
    db = make_incident_db(tmp_path / "incidents.db")
    module = parse_module((EXAMPLE / "checkout-latency.mlir").read_text())
    result = run_module(module, tmp_path, INPUTS, db={"incidents": str(db)})
    assert result.status == "ok", result.error
    _check_root_cause(result.outputs)
    assert result.outputs["action"] == "roll back the deployment"  # the scripted model reads "deployment"
    assert result.outputs["dependencies"] == "no dependency was degraded in the window"
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    sql = [e for e in events if e["event"] in ("op_start", "op_end") and e["name"] == "tool.sql"]
    first_end = min(e["ts"] for e in sql if e["event"] == "op_end")
    assert sum(1 for e in sql if e["event"] == "op_start" and e["ts"] < first_end) >= 2  # queries overlap
    assert scripted_llm.calls == ["llm.decide", "llm.generate"]


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
    assert result["outputs"]["action"] in ("roll back the deployment", "fail over the dependency",
                                           "drain the hot host", "escalate to the service owner")
    assert result["tokens_in"] > 0
    assert result["outputs"]["update"].strip()
