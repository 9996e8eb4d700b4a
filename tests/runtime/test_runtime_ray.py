"""The Ray engine: the same bundle gives the same results as the local engine, with ops in Ray workers."""

from __future__ import annotations

from pathlib import Path

import pytest
from rt_helpers import make_incident_db, trace_events, wf

from skc.runtime.api import run

pytest.importorskip("ray")

BODY = '''  %deploys = "tool.sql"(%svc) {db = "incidents", effects = ["read:db:incidents"], query = "SELECT id, version, region FROM deployments WHERE service = {0} ORDER BY id"} : (!skc.text) -> !skc.table
  %slow = "tool.sql"(%svc) {db = "incidents", effects = ["read:db:incidents"], query = "SELECT region, COUNT(*) AS n FROM requests WHERE service = {0} AND latency_ms > 1000 GROUP BY region ORDER BY n DESC"} : (!skc.text) -> !skc.table
  %parent = "tool.shell"() {cmd = "tr '\\\\0' ' ' < /proc/$PPID/cmdline | cut -c1-30", effects = ["read:host"]} : () -> !skc.text
  %regions = "data.json_get"(%slow) {path = "$[*].region"} : (!skc.table) -> !skc.json
  %per = "ctrl.map"(%regions) ({
  ^bb0(%r: !skc.json):
    %v = "tool.python"(%r, %deploys) {code = "result = sorted(d['version'] for d in args[1] if d['region'] == args[0])", effects = ["pure"]} : (!skc.json, !skc.table) -> !skc.json
    "ctrl.yield"(%v) : (!skc.json) -> ()
  }) {max_parallel = 2 : i64} : (!skc.json) -> !skc.json
  %worst = "data.json_get"(%slow) {path = "$[0].region"} : (!skc.table) -> !skc.text
  %line = "tool.shell"(%worst) {argv = ["echo", "worst region: {0}"], effects = ["read:host"]} : (!skc.text) -> !skc.text
  "ctrl.return"(%deploys, %slow, %per, %line, %parent) : (!skc.table, !skc.table, !skc.json, !skc.text, !skc.text) -> ()'''


@pytest.mark.slow
def test_same_bundle_same_results_on_local_and_ray(tmp_path: Path) -> None:
    from skc.compiler.driver import compile_path

    db = make_incident_db(tmp_path / "incidents.db")
    source = tmp_path / "check.mlir"
    source.write_text(str(wf(BODY, "%svc: !skc.text", ["svc"])))
    compiled = compile_path(source, output=tmp_path / "check.skb")
    assert compiled.ok, compiled.diagnostics
    results = {}
    for engine in ("local", "ray"):
        results[engine] = run(tmp_path / "check.skb", {"svc": "checkout"}, engine=engine, db={"incidents": str(db)},
                              runs_dir=tmp_path / "runs", workdir=tmp_path)
        assert results[engine].status == "ok", results[engine].error
    local, remote = results["local"].outputs, results["ray"].outputs
    assert remote["line"] == local["line"] == "worst region: eu-west-1"
    assert {k: v for k, v in remote.items() if k != "parent"} == {k: v for k, v in local.items() if k != "parent"}
    assert local["per"][0] == ["2.13.2", "2.14.0"]
    assert remote["parent"].startswith("ray::")  # the command's parent was a Ray worker
    assert not local["parent"].startswith("ray::")
    start = next(e for e in trace_events(results["ray"].run_dir) if e["event"] == "run_start")  # type: ignore[arg-type]
    assert start["engine"] == "ray"
