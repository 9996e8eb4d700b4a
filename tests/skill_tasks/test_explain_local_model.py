"""`skc ir explain` models a local model's concurrency: one request at a time.

Two independent llm ops are parallel in the schedule (critical path = one op), but
the embedded model serves them one after the other, so the run takes their sum;
a backend that says it serves more (`targets: {llm.local: {slots: 2}}`) halves that.
"""

from __future__ import annotations

from skc.compiler.cost import CostModel
from skc.compiler.explain import bounded_load, explain_text, inspect_module
from skc.ir import TEXT, InsertionPoint, Module, ctrl, llm, workflow


def two_independent_llm_ops() -> Module:
    wf = workflow("w", {"task": TEXT})
    with InsertionPoint(wf.body):
        a = llm.generate("Summarise the task.", wf.arg("task"))
        b = llm.generate("List the risks of the task.", wf.arg("task"))
        ctrl.return_(a, b)
    return Module([wf])


def test_the_local_model_serialises_parallel_llm_ops() -> None:
    module = two_independent_llm_ops()
    ctx = inspect_module(module)
    schedule = ctx.reports["schedule"]["workflows"]["w"]
    one = max(o["est_s"] for o in schedule["ops"])
    assert schedule["critical_path_s"] < 1.5 * one  # the schedule alone says "parallel"
    load = bounded_load(module.workflow().body, CostModel.from_options(ctx.options))
    assert load["llm.local"] > 1.9 * one  # the model does both, one at a time
    text = explain_text(module, ctx)
    assert "llm.local serves 1 request at a time" in text


def test_a_backend_with_more_slots_says_so() -> None:
    module = two_independent_llm_ops()
    ctx = inspect_module(module, {"targets": {"llm.local": {"slots": 2}}})
    one = bounded_load(module.workflow().body, CostModel.from_options({}))["llm.local"]
    two = bounded_load(module.workflow().body, CostModel.from_options(ctx.options))["llm.local"]
    assert abs(two - one / 2) < 1e-9
    assert "serves 2 requests at a time" in explain_text(module, ctx)
