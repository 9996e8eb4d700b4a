"""The scheduler wraps llm ops in the JIT: a step whose answers follow a template stops reaching the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rt_helpers import run_module, scripted_llm, trace_events, wf

__all__ = ["scripted_llm"]

BODY = '''  %s = "llm.generate"(%pod) {prompt = "Name the pod"} : (!skc.text) -> !skc.text
  "ctrl.return"(%s) : (!skc.text) -> ()'''


def test_repeated_template_answers_are_solidified_and_guarded(tmp_path: Path, scripted_llm: Any) -> None:
    mod = wf(BODY, "%pod: !skc.text", ["pod"])
    solidified = []
    for i in range(6):
        result = run_module(mod, tmp_path, {"pod": f"web-{i}"})
        assert result.outputs == {"s": f"[Name the pod] web-{i}"}
        end = next(e for e in trace_events(result.run_dir) if e["event"] == "op_end")  # type: ignore[arg-type]
        solidified.append(end["solidified"])
    assert solidified[:3] == [False, False, False]  # observed on the model first
    assert solidified[-1] is True  # then answered by code
    assert scripted_llm.calls.count("llm.generate") < 6
    events = [e["event"] for e in trace_events(result.run_dir)]  # type: ignore[arg-type]
    assert "jit_hit" in events
    (tmp_path / "runs2").mkdir()
    off = run_module(mod, tmp_path, {"pod": "web-9"}, options={"jit": False}, runs_dir=tmp_path / "runs2")
    assert off.outputs == {"s": "[Name the pod] web-9"}
    assert scripted_llm.calls.count("llm.generate") == 6 - solidified.count(True) + 1


def test_promotion_threshold_is_a_run_option(tmp_path: Path, scripted_llm: Any) -> None:
    """`skc run --jit-promote-after 1`: one matching execution promotes, so run 3 is code (run 1 records,
    run 2 confirms the candidate synthesized from run 1)."""
    mod = wf(BODY, "%pod: !skc.text", ["pod"])
    solidified = []
    for i in range(3):
        result = run_module(mod, tmp_path, {"pod": f"db-{i}"}, options={"jit_config": {"promote_after": 1}})
        assert result.outputs == {"s": f"[Name the pod] db-{i}"}
        end = next(e for e in trace_events(result.run_dir) if e["event"] == "op_end")  # type: ignore[arg-type]
        solidified.append(end["solidified"])
    assert solidified == [False, False, True]
