"""The concurrency pass as a specification: levels, width, effect ordering, critical path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skc.compiler.passes import PassContext, run_pipeline
from skc.ir import (
    BOOL,
    JSON,
    NUM,
    TABLE,
    TEXT,
    InsertionPoint,
    Module,
    ctrl,
    data,
    llm,
    parse_module,
    tool,
    verify,
    workflow,
)

STEPS = [  # steps 2..10 of the runbook: each reads something about the pods step 1 listed
    ("kubectl", "describe", "pods"), ("kubectl", "get", "events"), ("kubectl", "top", "pods"),
    ("kubectl", "get", "deploy"), ("kubectl", "get", "svc"), ("kubectl", "get", "endpoints"),
    ("kubectl", "get", "pvc"), ("kubectl", "get", "nodes"), ("kubectl", "get", "ingress"),
]


def runbook(chained: bool) -> Module:
    """Step 1 lists pods; steps 2..10 each use step 1's output (or, chained, the previous step's)."""
    wf = workflow("runbook", inputs={"ns": TEXT})
    with InsertionPoint(wf.body):
        pods = tool.shell(["kubectl", "get", "pods", "-n", "{0}"], wf.arg("ns"), effects=["read:k8s"],
                          result=TABLE, step="Step 1")
        prev, outs = pods, []
        for i, argv in enumerate(STEPS, start=2):
            out = tool.shell([*argv, "-n", "{0}"], wf.arg("ns"), prev if chained else pods,
                             effects=["read:k8s"], step=f"Step {i}")
            outs.append(out)
            prev = out if chained else pods
        ctrl.return_(*outs)
    return Module([wf])


def schedule(module: Module, options: dict | None = None) -> dict:
    ctx = run_pipeline(module, "verify,concurrency,verify", PassContext(options=options or {}))
    assert ctx.diagnostics == []
    json.dumps(ctx.reports["schedule"])  # the report is JSON-serialisable
    return ctx.reports["schedule"]["workflows"]["runbook"]


def test_independent_steps_share_one_level_of_width_nine() -> None:
    module = runbook(chained=False)
    s = schedule(module)
    assert s["width"] == 9
    assert s["levels"] == [["Step 1"], [f"Step {i}" for i in range(2, 11)]]
    levels = {op.attributes.get("step"): op.attributes["level"] for op in module.workflow().body.ops[:-1]}
    assert levels == {"Step 1": 0, **{f"Step {i}": 1 for i in range(2, 11)}}
    assert s["critical_path_s"] == pytest.approx(1.0)  # two shell calls of 0.5 s
    assert s["sequential_s"] == pytest.approx(5.0)
    assert s["effect_orderings"] == []  # readers never order each other


def test_the_same_steps_as_a_chain_have_width_one() -> None:
    s = schedule(runbook(chained=True))
    assert s["width"] == 1
    assert s["depth"] == 10
    assert s["critical_path"] == [f"Step {i}" for i in range(1, 11)]
    assert s["critical_path_s"] == pytest.approx(s["sequential_s"]) == pytest.approx(5.0)


def effects_module(effects: list[list[str]]) -> Module:
    """One shell op per entry, no data flow between them."""
    wf = workflow("runbook")
    with InsertionPoint(wf.body):
        outs = [tool.shell(["true"], effects=e, step=f"op{i}") for i, e in enumerate(effects)]
        ctrl.return_(*outs)
    return Module([wf])


def levels_of(module: Module) -> list[int]:
    schedule(module)
    return [op.attributes["level"] for op in module.workflow().body.ops[:-1]]


def test_writers_of_one_resource_never_share_a_level() -> None:
    assert levels_of(effects_module([["write:db:orders"], ["write:db:orders"], ["write:db:orders"]])) == [0, 1, 2]


def test_readers_share_a_level_and_writers_wait_for_them() -> None:
    module = effects_module([["read:k8s"], ["read:k8s"], ["write:k8s"], ["read:k8s"], ["net:k8s"]])
    assert levels_of(module) == [0, 0, 1, 2, 2]
    s = schedule(module)
    assert {(o["before"], o["after"]) for o in s["effect_orderings"]} == {
        ("op0", "op2"), ("op1", "op2"), ("op2", "op3"), ("op2", "op4")}
    assert {tuple(o["conflict"]) for o in s["effect_orderings"]} == {
        ("read:k8s", "write:k8s"), ("write:k8s", "read:k8s"), ("write:k8s", "net:k8s")}


@pytest.mark.parametrize(("a", "b", "together"), [
    (["write:fs:/tmp/a"], ["write:fs:/tmp/b"], True),
    (["write:fs:/tmp"], ["read:fs:/tmp/a/b.txt"], False),
    (["write:*"], ["read:db:x"], False),
    (["read:*"], ["read:db:x"], True),
    (["write:db:a"], ["write:db:b"], True),
])
def test_overlapping_resources(a: list[str], b: list[str], together: bool) -> None:
    levels = levels_of(effects_module([a, b]))
    assert (levels[0] == levels[1]) is together


def test_the_effects_of_nested_ops_belong_to_the_op_that_holds_them() -> None:
    wf = workflow("runbook", inputs={"go": TEXT})
    with InsertionPoint(wf.body):
        yes = data.const(True, result=BOOL)
        branch = ctrl.if_(yes, [TEXT])
        with InsertionPoint(branch.then_block):
            ctrl.yield_(tool.shell(["kubectl", "delete", "pod", "x"], effects=["write:k8s"]))
        with InsertionPoint(branch.else_block):
            ctrl.yield_(data.const("no"))
        after = tool.shell(["kubectl", "get", "pods"], effects=["read:k8s"], step="after")
        ctrl.return_(branch.results[0], after)
    module = Module([wf])
    assert levels_of(module) == [0, 1, 2]


def test_critical_path_is_weighted_by_the_cost_model_and_its_overrides() -> None:
    wf = workflow("runbook", inputs={"logs": TEXT})
    with InsertionPoint(wf.body):
        quick = tool.sql("SELECT 1", db="x", step="quick")
        slow = llm.generate("Summarise.", wf.arg("logs"), step="slow", max_tokens=100)
        fixed = tool.shell(["sleep", "3"], effects=["read:host"], step="fixed", est_latency_s=3.0)
        ctrl.return_(data.concat(quick, slow, name="join"), fixed)
    s = schedule(Module([wf]))
    assert s["width"] == 3
    # local model: 0.05 s + 202 prompt tokens / 250 tok/s + 100 tokens / 25 tok/s
    assert s["critical_path"] == ["slow", "%join"]
    assert s["critical_path_s"] == pytest.approx(0.05 + 202 / 250 + 100 / 25)
    s = schedule(Module([wf]), {"latency_overrides": {"llm.generate": 1.0, "tool.*": 0.25}})
    assert s["critical_path"] == ["fixed"]  # the op's own est_latency_s beats the overrides
    assert s["critical_path_s"] == pytest.approx(3.0)
    assert s["sequential_s"] == pytest.approx(1.0 + 3.0 + 0.25)


def test_ctrl_map_is_data_parallel_and_literal_fan_outs_are_map_candidates() -> None:
    wf = workflow("runbook", inputs={"items": JSON})
    with InsertionPoint(wf.body):
        each = ctrl.map_(wf.arg("items"), max_parallel=8)
        with InsertionPoint(each.body):
            ctrl.yield_(llm.generate("Summarise this item.", each.body.args[0]))
        nodes = [tool.shell(["ssh", node, "uptime"], effects=["net:ssh"]) for node in ("n1", "n2", "n3")]
        ctrl.return_(each.results[0], *nodes)
    s = schedule(Module([wf]))
    assert s["data_parallel"] == [{"op": "ctrl.map#0", "width": "items at run time", "max_parallel": 8,
                                   "items_conflict": []}]
    assert s["map_candidates"] == [{"ops": ["tool.shell#1", "tool.shell#2", "tool.shell#3"],
                                    "varies": "argv[1]", "values": ["n1", "n2", "n3"]}]
    assert verify(Module([wf])) == []


def test_a_map_whose_items_write_one_resource_is_reported() -> None:
    wf = workflow("runbook", inputs={"pods": JSON})
    with InsertionPoint(wf.body):
        each = ctrl.map_(wf.arg("pods"))
        with InsertionPoint(each.body):
            name = data.json_get(each.body.args[0], "$.name", TEXT)
            ctrl.yield_(tool.shell(["kubectl", "delete", "pod", "{0}"], name, effects=["write:k8s"]))
        ctrl.return_(each.results[0])
    [entry] = schedule(Module([wf]))["data_parallel"]
    assert entry["items_conflict"] == ["write:k8s", "write:k8s"]


def test_writes_wait_for_an_early_exit_and_reads_do_not() -> None:
    path = Path(__file__).resolve().parents[1] / "golden" / "passes" / "concurrency" / "early_exit.mlir"
    module = parse_module(path.read_text(encoding="utf-8"), str(path))
    ctx = run_pipeline(module, "concurrency")
    s = ctx.reports["schedule"]["workflows"]["early_exit"]
    assert s["levels"][0] == ["ctrl.if@5", "%logs"]
    assert s["effect_orderings"] == [{"before": "ctrl.if@5", "after": "%restart",
                                      "conflict": ["early exit", "write:k8s"]}]


RUNBOOKS = Path(__file__).resolve().parent / "runbooks"


def markdown_schedule(name: str) -> dict:
    from skc.compiler.frontend import load

    result = load(RUNBOOKS / name)
    assert result.ok, [str(d) for d in result.diagnostics]
    assert result.module is not None
    ctx = run_pipeline(result.module, "verify,cse,dce,concurrency,verify")
    assert [str(d) for d in ctx.diagnostics] == []
    [s] = ctx.reports["schedule"]["workflows"].values()
    return s


def test_markdown_runbook_steps_2_to_10_share_a_level() -> None:
    s = markdown_schedule("web_pods.md")  # step 1 sets $POD, steps 2..10 each use it
    assert s["width"] == 9
    assert s["levels"] == [["Diagnosis.1"], [f"Diagnosis.{i}" for i in range(2, 11)]]


def test_markdown_runbook_as_a_chain_of_variables_has_width_one() -> None:
    s = markdown_schedule("web_pod_chain.md")  # each step sets the variable the next one uses
    assert s["width"] == 1
    assert s["critical_path"] == [f"Diagnosis.{i}" for i in range(1, 11)]


def test_map_candidates_need_one_step_over_several_items_not_different_steps() -> None:
    wf = workflow("runbook")
    with InsertionPoint(wf.body):
        regions = [tool.sql(f"SELECT * FROM deploys WHERE region = '{r}'", db="d", step=f"r{i}")
                   for i, r in enumerate(("us", "eu", "ap"))]
        queries = [tool.sql(q, db="d", step=f"q{i}")
                   for i, q in enumerate(("SELECT 1", "SELECT * FROM deploys", "SELECT count(*) FROM hosts"))]
        zero = data.const(0, result=NUM)
        pages = [tool.http(f"http://127.0.0.1/{p}", zero, step=p) for p in ("a", "b", "c")]
        ctrl.return_(*regions, *queries, *pages)
    s = schedule(Module([wf]))
    assert s["map_candidates"] == [
        {"ops": ["r0", "r1", "r2"], "varies": "query word 7", "values": ["'us'", "'eu'", "'ap'"]},
        {"ops": ["a", "b", "c"], "varies": "url word 0",
         "values": ["http://127.0.0.1/a", "http://127.0.0.1/b", "http://127.0.0.1/c"]},
    ]
