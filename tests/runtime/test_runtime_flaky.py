"""A tool that fails intermittently and hangs once: retries and timeouts finish the run, never hang it."""

from __future__ import annotations

import time
from pathlib import Path

from rt_helpers import run_module, trace_events, wf

FLAKY = """#!/bin/bash
# attempt 1 fails, attempt 2 hangs, attempt 3 fails, attempt 4 answers
n=$(( $(cat "$1" 2>/dev/null || echo 0) + 1 )); echo $n > "$1"
case $n in
  1) echo "connection reset" >&2; exit 1;;
  2) sleep 60;;
  3) echo "503 from upstream" >&2; exit 75;;
  *) echo "ok after $n attempts";;
esac
"""


def _script(tmp_path: Path) -> Path:
    path = tmp_path / "flaky.sh"
    path.write_text(FLAKY)
    path.chmod(0o755)
    return path


def test_retries_and_timeouts_bring_a_flaky_tool_to_completion(tmp_path: Path) -> None:
    script, counter = _script(tmp_path), tmp_path / "count"
    mod = wf(f'''  %a = "tool.shell"() {{argv = ["{script}", "{counter}"], effects = ["read:upstream"], retries = 4 : i64, step = "Step 1", timeout_s = 1.0 : f64}} : () -> !skc.text
  %b = "tool.shell"() {{argv = ["echo", "independent"], effects = ["read:other"]}} : () -> !skc.text
  "ctrl.return"(%a, %b) : (!skc.text, !skc.text) -> ()''')
    started = time.monotonic()
    result = run_module(mod, tmp_path, retry_backoff_s=0.05)
    assert time.monotonic() - started < 15
    assert result.status == "ok", result.error
    assert result.outputs == {"a": "ok after 4 attempts", "b": "independent"}
    retries = [e for e in trace_events(result.run_dir) if e["event"] == "retry"]  # type: ignore[arg-type]
    assert [r["attempt"] for r in retries] == [1, 2, 3]
    assert "connection reset" in retries[0]["error"]
    assert "timed out after 1s" in retries[1]["error"]
    assert "exit status 75" in retries[2]["error"]
    assert [r["delay_s"] for r in retries] == [0.05, 0.1, 0.2]  # exponential backoff
    end = next(e for e in trace_events(result.run_dir) if e["event"] == "op_end" and e["op"] == "0")  # type: ignore[arg-type]
    assert end["retries"] == 3


def test_a_tool_that_always_hangs_ends_as_a_reported_timeout(tmp_path: Path) -> None:
    mod = wf('''  %a = "tool.shell"() {argv = ["sleep", "60"], effects = ["read:upstream"], retries = 2 : i64, step = "Step 2", timeout_s = 0.5 : f64} : () -> !skc.text
  "ctrl.return"(%a) : (!skc.text) -> ()''')
    started = time.monotonic()
    result = run_module(mod, tmp_path)
    assert time.monotonic() - started < 8
    assert result.status == "failed"
    assert result.error is not None
    assert result.error.code == "SKC303"
    assert "step 'Step 2'" in result.error.message
    assert "timed out after 0.5s" in result.error.message
    assert sum(1 for e in trace_events(result.run_dir) if e["event"] == "op_start") == 3  # type: ignore[arg-type]


def test_without_retries_an_intermittent_failure_is_reported_not_skipped(tmp_path: Path) -> None:
    script, counter = _script(tmp_path), tmp_path / "count"
    mod = wf(f'''  %a = "tool.shell"() {{argv = ["{script}", "{counter}"], effects = ["read:upstream"], step = "Step 1"}} : () -> !skc.text
  "ctrl.return"(%a) : (!skc.text) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.status == "failed"
    assert "connection reset" in str(result.error)
    assert result.outputs == {}
