"""Trace formats: format 2 (an inline op writes one event, its end with `start`) and format 1
(every op writes op_start and its end) read alike by `spans`, the text timeline and the HTML
page, the progress display and the approval gate (runtime/trace.py)."""

from __future__ import annotations

from pathlib import Path

from rt_helpers import run_module, trace_events, wf

from skc.runtime.timeline_html import render_html
from skc.runtime.trace import render_text, spans

RUN = {"ts": 100.0, "event": "run_start", "run_id": "r1", "workflow": "w"}
END = {"ts": 103.0, "event": "run_end", "status": "ok"}
# op 0 ran as a task (op_start, op_end), op 1 inline; op 2 failed inline
FORMAT_1 = [RUN, {"ts": 100.5, "event": "op_start", "op": "0", "name": "tool.shell", "step": "S1", "target": "shell"},
            {"ts": 101.5, "event": "op_end", "op": "0", "name": "tool.shell", "step": "S1", "target": "shell",
             "duration_s": 1.0},
            {"ts": 102.0, "event": "op_start", "op": "1", "name": "calc.add", "step": "", "target": "calc"},
            {"ts": 102.25, "event": "op_end", "op": "1", "name": "calc.add", "step": "", "target": "calc"},
            {"ts": 102.5, "event": "op_start", "op": "2", "name": "calc.div", "step": "", "target": "calc"},
            {"ts": 102.75, "event": "op_error", "op": "2", "name": "calc.div", "step": "", "target": "calc",
             "error": "division by zero"}, END]
FORMAT_2 = [{**RUN, "format": 2}, FORMAT_1[1], FORMAT_1[2],
            {**FORMAT_1[4], "start": 102.0}, {**FORMAT_1[6], "start": 102.5}, END]


def test_both_formats_give_the_same_spans_and_timelines() -> None:
    old, new = spans(FORMAT_1), spans(FORMAT_2)
    assert old == new
    assert [(s.op, s.start, s.end, s.status) for s in new[0]] == [
        ("0", 100.5, 101.5, "ok"), ("1", 102.0, 102.25, "ok"), ("2", 102.5, 102.75, "failed")]
    assert render_text(FORMAT_1) == render_text(FORMAT_2)
    assert render_html(FORMAT_1) == render_html(FORMAT_2)


def test_an_end_without_start_or_op_start_is_a_span_of_no_length() -> None:
    events = [RUN, {"ts": 101.0, "event": "op_end", "op": "0", "name": "calc.add", "target": "calc"}, END]
    assert [(s.start, s.end) for s in spans(events)[0]] == [(101.0, 101.0)]


def test_the_progress_display_and_the_approval_gate_see_no_inline_op_running(tmp_path: Path) -> None:
    from skc.cli_run import Progress
    from skc.runtime.approvals import ApprovalGate

    p, gate = Progress(), ApprovalGate(tmp_path / "journal.jsonl")
    for e in FORMAT_2[:-1]:
        p(e)
        gate.listen(e)
    assert (p.done, p.failed, p.running) == (2, 1, {})
    assert gate._busy == set()


def test_a_run_writes_format_2_and_its_text_trace_reads_it(tmp_path: Path) -> None:
    body = '''  %a = "calc.add"(%x, %x) : (!skc.num, !skc.num) -> !skc.num
  %b = "tool.shell"(%a) {cmd = "echo {0}", effects = ["read:host"], step = "Step 1"} : (!skc.num) -> !skc.text
  "ctrl.return"(%b) : (!skc.text) -> ()'''
    result = run_module(wf(body, "%x: !skc.num", ["x"]), tmp_path, inputs={"x": 2})
    assert result.status == "ok", result.error
    events = trace_events(result.run_dir)  # type: ignore[arg-type]
    assert (events[0]["event"], events[0]["format"]) == ("run_start", 2)
    by_op = {(e["event"], e["op"]) for e in events if "op" in e}
    assert ("op_end", "0") in by_op  # calc.add ran inline: no op_start
    assert ("op_start", "0") not in by_op
    assert {("op_start", "1"), ("op_end", "1")} <= by_op  # the shell step ran as a task
    items, _ = spans(events)
    assert [s.op for s in items] == ["0", "1"]
    assert items[0].end <= items[1].start
