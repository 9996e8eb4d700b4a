"""Runtime sides of the runbook front end: manual steps, unknown comparisons, failed runs keep results."""

from __future__ import annotations

import json
from pathlib import Path

from rt_helpers import run_module, wf


def _events(run_dir: Path) -> list[dict]:
    trace = run_dir / "trace.jsonl"
    return [json.loads(x) for x in trace.read_text().splitlines() if x.strip()] if trace.exists() else []


def test_a_manual_step_is_skipped_and_reported(tmp_path: Path) -> None:
    mod = wf('''  %0 = "ctrl.manual"() {command = "oc edit cm/config", effects = ["read:manual"], reason = "opens an editor", step = "2"} : () -> !skc.text
  "ctrl.return"(%0) : (!skc.text) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.status == "ok"
    assert list(result.outputs.values()) == ["manual step skipped (opens an editor): oc edit cm/config"]
    assert any(e.get("event") == "manual_step" or e.get("type") == "manual_step" for e in _events(result.run_dir))


def test_a_comparison_on_an_empty_value_takes_the_unknown_path(tmp_path: Path) -> None:
    mod = wf('''  %t = "data.const"() {value = "1000"} : () -> !skc.text
  %c = "calc.cmp"(%x, %t) {pred = "gt"} : (!skc.text, !skc.text) -> !skc.bool
  %r = "ctrl.if"(%c) ({
    %a = "data.const"() {value = "high"} : () -> !skc.text
    "ctrl.yield"(%a) : (!skc.text) -> ()
  }, {
    %b = "data.const"() {value = "not known to be high"} : () -> !skc.text
    "ctrl.yield"(%b) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  "ctrl.return"(%r) : (!skc.text) -> ()''', "%x: !skc.text", ["x"])
    empty = run_module(mod, tmp_path, {"x": ""})
    assert empty.status == "ok"
    assert list(empty.outputs.values()) == ["not known to be high"]
    assert any("unknown_comparison" in json.dumps(e) for e in _events(empty.run_dir))
    assert list(run_module(mod, tmp_path, {"x": "1500"}).outputs.values()) == ["high"]


def test_a_failed_run_keeps_every_value_that_finished(tmp_path: Path) -> None:
    mod = wf('''  %a = "tool.python"() {code = "result = {'rows': 9}", effects = ["pure"], step = "2"} : () -> !skc.json
  %b = "tool.python"(%a) {code = "raise RuntimeError('boom')", effects = ["pure"], step = "3"} : (!skc.json) -> !skc.json
  "ctrl.return"(%b) : (!skc.json) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.status == "failed"
    assert {"rows": 9} in result.outputs.values()
    assert any(k.startswith("2 ") for k in result.outputs)


def test_an_iso_timestamp_input_is_normalised_to_the_databases_form(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "inc.db"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE e (ts TEXT); INSERT INTO e VALUES ('2024-05-01 10:30:00');")
    conn.close()
    mod = wf('''  %a = "tool.sql"(%t) {db = "inc", effects = ["read:db:inc"], query = "SELECT ts FROM e WHERE ts >= {0}"} : (!skc.text) -> !skc.table
  "ctrl.return"(%a) : (!skc.table) -> ()''', "%t: !skc.text", ["t"])
    iso = run_module(mod, tmp_path, {"t": "2024-05-01T10:00:00Z"}, db={"inc": str(db)})
    assert list(iso.outputs.values()) == [[{"ts": "2024-05-01 10:30:00"}]]  # normalised to the db's form
    assert any("timestamp_normalised" in json.dumps(e) for e in _events(iso.run_dir))
    later = run_module(mod, tmp_path, {"t": "2024-05-01T12:00:00+01:00"}, db={"inc": str(db)})
    assert list(later.outputs.values()) == [[]]  # 12:00+01:00 is 11:00 UTC, after the only row

    plain = run_module(mod, tmp_path, {"t": "2024-05-01 10:00:00"}, db={"inc": str(db)})
    assert list(plain.outputs.values()) == [[{"ts": "2024-05-01 10:30:00"}]]
    assert not any("timestamp_format" in json.dumps(e) for e in _events(plain.run_dir))
