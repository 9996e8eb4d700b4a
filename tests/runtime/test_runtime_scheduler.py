"""Scheduling semantics: dataflow readiness, effect ordering, limits, regions, early exit, fallbacks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from rt_helpers import journal_records, run_module, scripted_llm, trace_events, wf

from skc.ir import BOOL, TEXT, InsertionPoint, Module, ctrl, data, tool, workflow

__all__ = ["scripted_llm"]


def spans(run_dir: Path) -> dict[str, tuple[float, float]]:
    """op id -> (start, end) of its last attempt."""
    start: dict[str, float] = {}
    out: dict[str, tuple[float, float]] = {}
    for e in trace_events(run_dir):
        if e["event"] == "op_start":
            start[e["op"]] = e["ts"]
        elif e["event"] in ("op_end", "op_error") and e["op"] in start:
            out[e["op"]] = (start[e["op"]], e["ts"])
    return out


def max_overlap(intervals: list[tuple[float, float]]) -> int:
    points = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    best = cur = 0
    for _, d in points:
        cur += d
        best = max(best, cur)
    return best


def sh(name: str, cmd: str, effect: str = "read:host", extra: str = "", operands: str = "",
       types: str = "") -> str:
    return (f'  %{name} = "tool.shell"({operands}) {{cmd = "{cmd}", effects = ["{effect}"]{extra}}} '
            f': ({types}) -> !skc.text')


def test_independent_ops_run_in_parallel(tmp_path: Path) -> None:
    body = "\n".join(sh(n, "sleep 0.6; echo " + n, f"read:r{n}") for n in ("a", "b", "c"))
    mod = wf(body + '\n  "ctrl.return"(%a, %b, %c) : (!skc.text, !skc.text, !skc.text) -> ()')
    result = run_module(mod, tmp_path)
    assert result.outputs == {"a": "a", "b": "b", "c": "c"}
    assert max_overlap(list(spans(result.run_dir).values())) == 3  # type: ignore[arg-type]


def test_an_op_starts_when_its_own_inputs_are_ready_not_after_a_superstep(tmp_path: Path) -> None:
    body = "\n".join([sh("slow", "sleep 1.2; echo slow"), sh("fast", "echo fast"),
                      sh("next", "echo got {0}", operands="%fast", types="!skc.text")])
    mod = wf(body + '\n  "ctrl.return"(%slow, %next) : (!skc.text, !skc.text) -> ()')
    result = run_module(mod, tmp_path)
    s = spans(result.run_dir)  # type: ignore[arg-type]
    assert result.outputs["next"] == "got fast"
    assert s["2"][1] < s["0"][1] - 0.5  # `next` finished long before `slow` did


def test_conflicting_effects_run_in_program_order_and_reads_share(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    body = "\n".join([
        sh("w1", f"sleep 0.4; echo first >> {log}; echo w1", f"write:fs:{log}"),
        sh("w2", f"echo second >> {log}; echo w2", f"write:fs:{log}"),
        sh("r1", f"sleep 0.5; cat {log}", f"read:fs:{log}"),
        sh("r2", f"sleep 0.5; cat {log}", f"read:fs:{log}"),
    ])
    mod = wf(body + '\n  "ctrl.return"(%r1, %r2) : (!skc.text, !skc.text) -> ()')
    result = run_module(mod, tmp_path, allow_writes=True)
    assert log.read_text() == "first\nsecond\n"
    assert result.outputs == {"r1": "first\nsecond", "r2": "first\nsecond"}
    s = spans(result.run_dir)  # type: ignore[arg-type]
    assert s["0"][1] <= s["1"][0]
    assert s["1"][1] <= s["2"][0]
    assert max_overlap([s["2"], s["3"]]) == 2


def test_per_target_limit(tmp_path: Path) -> None:
    body = "\n".join(sh(n, "sleep 0.2; echo " + n, f"read:r{n}") for n in ("a", "b", "c"))
    mod = wf(body + '\n  "ctrl.return"(%a, %b, %c) : (!skc.text, !skc.text, !skc.text) -> ()')
    result = run_module(mod, tmp_path, limits={"cpu.shell": 1})
    assert max_overlap(list(spans(result.run_dir).values())) == 1  # type: ignore[arg-type]
    limited = run_module(mod, tmp_path, limits={"rb": 1})
    assert max_overlap(list(spans(limited.run_dir).values())) == 3  # type: ignore[arg-type]


def test_map_runs_items_in_parallel_bounded_by_max_parallel(tmp_path: Path) -> None:
    mod = wf('''  %items = "data.const"() {value = [1, 2, 3, 4, 5]} : () -> !skc.json
  %out = "ctrl.map"(%items) ({
  ^bb0(%it: !skc.json):
    %x = "tool.shell"(%it) {cmd = "sleep 0.4; echo item-{0}", effects = ["read:host"]} : (!skc.json) -> !skc.text
    "ctrl.yield"(%x) : (!skc.text) -> ()
  }) {max_parallel = 2 : i64} : (!skc.json) -> !skc.json
  "ctrl.return"(%out) : (!skc.json) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.outputs == {"out": [f"item-{i}" for i in range(1, 6)]}
    items = [v for k, v in spans(result.run_dir).items() if "[" in k]  # type: ignore[arg-type]
    assert len(items) == 5
    assert max_overlap(items) == 2


def test_if_runs_only_the_chosen_branch(tmp_path: Path) -> None:
    marker = tmp_path / "else-ran"
    mod = wf(f'''  %r = "ctrl.if"(%c) ({{
    %a = "tool.shell"() {{argv = ["echo", "then"], effects = ["read:host"]}} : () -> !skc.text
    "ctrl.yield"(%a) : (!skc.text) -> ()
  }}, {{
    %b = "tool.shell"() {{argv = ["touch", "{marker}"], effects = ["read:host"]}} : () -> !skc.text
    "ctrl.yield"(%b) : (!skc.text) -> ()
  }}) : (!skc.bool) -> !skc.text
  "ctrl.return"(%r) : (!skc.text) -> ()''', "%c: !skc.bool", ["c"])
    assert run_module(mod, tmp_path, {"c": "true"}, allow_writes=True).outputs == {"r": "then"}
    assert not marker.exists()


def test_retry_region_reruns_its_body(tmp_path: Path) -> None:
    counter = tmp_path / "n"
    mod = wf(f'''  %r = "ctrl.retry"() ({{
    %a = "tool.shell"() {{cmd = "echo x >> {counter}; test $(wc -l < {counter}) -ge 3 && echo done", effects = ["read:host"]}} : () -> !skc.text
    "ctrl.yield"(%a) : (!skc.text) -> ()
  }}) {{backoff_s = 0.01 : f64, max_attempts = 4 : i64}} : () -> !skc.text
  "ctrl.return"(%r) : (!skc.text) -> ()''')
    result = run_module(mod, tmp_path, allow_writes=True)  # `>>` writes, whatever the effects say
    assert result.outputs == {"r": "done"}
    assert counter.read_text().count("x") == 3
    assert [e["attempt"] for e in trace_events(result.run_dir) if e["event"] == "retry"] == [1, 2]  # type: ignore[arg-type]


def _early_exit_module(tmp_path: Path) -> Module:
    """if (input) { return "escalate" } ; an independent slow read; a later write."""
    w = workflow("t", {"stop": TEXT})
    with InsertionPoint(w.body):
        flag = data.const(True, result=BOOL)
        slow = tool.shell(["sleep", "20"], effects=["read:host"], name="slow")
        branch = ctrl.if_(flag, [])
        with InsertionPoint(branch.then_block):
            why = data.template("stopping: {0}", w.arg("stop"))
            ctrl.return_(why, data.const("none"), status="escalate")
        with InsertionPoint(branch.else_block):
            ctrl.yield_()
        wrote = tool.file_write(str(tmp_path / "after.txt"), data.const("wrote\n"), append=True)
        ctrl.return_(slow, data.template("{0}", wrote))
    w.attributes["output_names"] = ["slow_output", "written"]
    return Module([w])


def test_early_exit_cancels_what_no_longer_matters(tmp_path: Path) -> None:
    started = time.monotonic()
    result = run_module(_early_exit_module(tmp_path), tmp_path, {"stop": "p1 page"}, allow_writes=True)
    assert time.monotonic() - started < 8  # the 20 s read was cancelled
    assert result.status == "ok"
    assert result.exit_status == "escalate"
    # output_names describe the final ctrl.return, not what an early exit returns
    assert result.outputs == {"exit0": "stopping: p1 page", "exit1": "none"}
    assert not (tmp_path / "after.txt").exists()  # the write after the exit point never ran


def _fallback_module(fail: bool) -> str:
    code = "exit 1" if fail else "echo primary"
    return f'''  %a = "tool.shell"() {{cmd = "{code}", effects = ["read:metrics"], fallback = "Step 4", step = "Step 3"}} : () -> !skc.text
  %b = "tool.shell"() {{argv = ["echo", "from logs"], effects = ["read:logs"], step = "Step 4"}} : () -> !skc.text
  %c = "data.template"(%a) {{template = "value: {{0}}"}} : (!skc.text) -> !skc.text
  "ctrl.return"(%c) : (!skc.text) -> ()'''


def test_fallback_reroutes_a_failed_tool_to_its_alternative(tmp_path: Path) -> None:
    result = run_module(wf(_fallback_module(fail=True)), tmp_path)
    assert result.status == "ok", result.error
    assert result.outputs == {"c": "value: from logs"}
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    assert [e["to"] for e in events if e["event"] == "fallback"] == ["Step 4"]
    assert sum(1 for e in events if e["event"] == "op_start" and e["op"] == "1") == 1
    calm = run_module(wf(_fallback_module(fail=False)), tmp_path)
    assert calm.outputs == {"c": "value: primary"}
    assert not any(e["op"] == "1" for e in trace_events(calm.run_dir) if e["event"] == "op_start")  # type: ignore[arg-type]


def test_failure_without_alternative_ends_the_run_and_names_the_op(tmp_path: Path) -> None:
    body = "\n".join([
        sh("bad", "echo nope >&2; exit 2", extra=', step = "Step 2"'),
        sh("slow", "sleep 20; echo late", "read:other"),
        sh("after", "echo never {0}", operands="%bad", types="!skc.text"),
    ])
    mod = wf(body + '\n  "ctrl.return"(%slow, %after) : (!skc.text, !skc.text) -> ()')
    started = time.monotonic()
    result = run_module(mod, tmp_path)
    assert time.monotonic() - started < 8
    assert result.status == "failed"
    assert result.error is not None
    assert "step 'Step 2' (tool.shell, op 0) failed" in result.error.message
    assert "nope" in result.error.message
    assert not any(e["event"] == "op_start" and e["op"] == "2" for e in trace_events(result.run_dir))  # type: ignore[arg-type]
    end = journal_records(result.run_dir)[-1]  # type: ignore[arg-type]
    assert end["type"] == "end"
    assert end["status"] == "failed"


def test_llm_ops_go_to_the_llm_target(tmp_path: Path, scripted_llm: Any) -> None:
    mod = wf('''  %a = "tool.shell"() {argv = ["echo", "disk full on node-3"], effects = ["read:host"]} : () -> !skc.text
  %d = "llm.decide"(%a) {outcomes = ["healthy", "disk full"], prompt = "What is wrong?"} : (!skc.text) -> !skc.text
  %s = "llm.generate"(%a, %d) {prompt = "Summarise"} : (!skc.text, !skc.text) -> !skc.text
  "ctrl.return"(%d, %s) : (!skc.text, !skc.text) -> ()''')
    result = run_module(mod, tmp_path)
    assert result.outputs["d"] == "disk full"
    assert result.outputs["s"].startswith("[Summarise] disk full on node-3")
    assert scripted_llm.calls == ["llm.decide", "llm.generate"]
    assert result.tokens_out == 8
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    assert sum(1 for e in events if e["event"] == "tool_call") == 2
    assert {e["target"] for e in events if e["event"] == "op_end" and e["name"].startswith("llm.")} == {"llm"}


def test_results_are_journaled_before_dependents_start(tmp_path: Path) -> None:
    body = "\n".join([sh("a", "echo a"), sh("b", "echo {0}-b", operands="%a", types="!skc.text"),
                      sh("c", "echo {0}-c", operands="%b", types="!skc.text")])
    result = run_module(wf(body + '\n  "ctrl.return"(%c) : (!skc.text) -> ()'), tmp_path)
    assert result.outputs == {"c": "a-b-c"}
    records = journal_records(result.run_dir)  # type: ignore[arg-type]
    position = {(r["type"], r.get("op")): i for i, r in enumerate(records)}
    assert position[("done", "0")] < position[("start", "1")]
    assert position[("done", "1")] < position[("start", "2")]
    assert records[0]["type"] == "run"
    assert records[-1]["type"] == "end"
