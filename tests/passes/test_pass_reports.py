"""What cse, dce, placement and solidify-static report, and the rules behind their choices."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skc.compiler.cost import CostModel
from skc.compiler.frontend.common.commands import classify_shell
from skc.compiler.passes import PassContext, run_pipeline
from skc.compiler.passes.solidify_static import prompt_command
from skc.ir import TEXT, InsertionPoint, Module, ctrl, llm, parse_module, tool, workflow

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "passes"


def golden_run(case: str, pipeline: str | None = None, options: dict | None = None) -> PassContext:
    path = GOLDEN / case
    text = path.read_text(encoding="utf-8")
    header = next((line for line in text.splitlines() if line.startswith("// OPTIONS:")), None)
    opts = json.loads(header.split(":", 1)[1]) if header else {}
    ctx = PassContext(options={**opts, **(options or {})})
    return run_pipeline(parse_module(text, case), pipeline or path.parent.name, ctx)


def test_cse_reports_each_merge_with_both_locations() -> None:
    merged = golden_run("cse/tool_reads.mlir").reports["cse"]["merged"]
    assert [(m["op"], m["kept"], m["removed"]) for m in merged][:2] == [
        ("tool.shell", "runbooks/Restart.md:3:1", "runbooks/Restart.md:6:1"),
        ("tool.http", "runbooks/Restart.md:4:1", "runbooks/Restart.md:7:1")]
    assert len(merged) == 3  # and the pure tool.python
    assert golden_run("cse/tools_off.mlir", "cse{tools=false}").reports["cse"]["merged"] == []


def test_dce_reports_counts_per_op_name() -> None:
    report = golden_run("dce/unused.mlir").reports["dce"]
    assert report == {"removed": {"calc.cmp": 1, "data.const": 1, "data.count": 1, "data.json_get": 1,
                                  "llm.generate": 1, "tool.python": 1}, "total": 6}


def test_placement_report_totals_and_targets() -> None:
    report = golden_run("placement/budget.mlir", "placement{budget_s=5.0}").reports["placement"]
    assert report["targets"] == ["cpu", "llm.local", "llm.openai:big", "llm.openai:fast"]
    wf = report["workflows"]["budget_placement"]
    assert [o["target"] for o in wf["ops"]] == ["llm.openai:fast", "llm.local", "llm.openai:big"]
    assert wf["budget_met"] is True
    assert wf["critical_path_s"] <= 5.0
    [move] = wf["moves"]
    assert (move["op"], move["from"], move["to"]) == ("llm.generate", "llm.local", "llm.openai:fast")
    assert move["est_s_before"] > 5.0 > move["est_s_after"]
    assert wf["usd"] == pytest.approx(sum(o["usd"] for o in wf["ops"]))
    assert wf["usd"] > 0
    assert wf["by_target"] == {"llm.local": 1, "llm.openai:big": 1, "llm.openai:fast": 1}


def test_placement_reports_a_budget_it_cannot_meet() -> None:
    ctx = golden_run("placement/gpu.mlir", "concurrency,placement{budget_s=0.1}")
    wf = ctx.reports["placement"]["workflows"]["gpu_placement"]
    assert wf["budget_met"] is False
    assert wf["moves"] == []  # already on the fastest target there is
    # the schedule's estimates now use the placed targets (the GPU build)
    assert ctx.reports["schedule"]["workflows"]["gpu_placement"]["estimated_with"] == "placement"
    assert ctx.reports["schedule"]["workflows"]["gpu_placement"]["critical_path_s"] == wf["critical_path_s"]


def test_placement_budget_moves_the_slowest_critical_op_first() -> None:
    wf = workflow("chain", inputs={"x": TEXT})
    with InsertionPoint(wf.body):
        a = llm.generate("Draft a long answer.", wf.arg("x"), max_tokens=400, name="long")
        b = llm.generate("Shorten it.", a, max_tokens=50, name="short")
        ctrl.return_(b)
    module = Module([wf])
    options = {"models": [{"name": "fast", "tokens_per_s": 300, "overhead_s": 0.1, "usd_per_mtok_out": 1.0}]}
    cost = CostModel.from_options(options)
    local = [cost.latency(op) for op in wf.body.ops[:2]]
    budget = sum(local) - local[0] + 2.0  # enough once the long step moves, not before
    ctx = run_pipeline(module, f"placement{{budget_s={budget}}}", PassContext(options=options))
    report = ctx.reports["placement"]["workflows"]["chain"]
    assert [m["loc"] for m in report["moves"]] == ["<unknown>"]
    assert [op.attributes["target"] for op in wf.body.ops[:2]] == ["llm.openai:fast", "llm.local"]
    assert report["budget_met"] is True


@pytest.mark.parametrize(("prompt", "command"), [
    ("`kubectl get pods`", "kubectl get pods"),
    ("Run `df -h`.", "df -h"),
    ("Run the following command:\n```bash\n$ journalctl -u kubelet\n```", "journalctl -u kubelet"),
    ("```\nls /tmp\nwc -l /etc/hosts\n```", "ls /tmp\nwc -l /etc/hosts"),
    ("Check whether `kubectl get pods` lists crashing pods.", None),
    ("```python\nprint(1)\n```", None),
    ("Summarise the logs.", None),
])
def test_prompt_command(prompt: str, command: str | None) -> None:
    assert prompt_command(prompt) == command


@pytest.mark.parametrize(("command", "effects"), [
    ("kubectl get pods -n $NAMESPACE", ["read:k8s"]),
    ("kubectl rollout restart deploy/web -n $NAMESPACE", ["write:k8s"]),
    ("kubectl get pods > /tmp/pods.txt", ["write:fs:/tmp/pods.txt", "read:k8s"]),
    ("frobnicate --all", ["write:*"]),
])
def test_solidified_commands_get_the_front_ends_effects(command: str, effects: list[str]) -> None:
    wf = workflow("c", inputs={"namespace": TEXT})
    with InsertionPoint(wf.body):
        ctrl.return_(llm.generate(f"Run `{command}`."))
    ctx = run_pipeline(Module([wf]), "solidify-static,verify")
    assert ctx.diagnostics == []
    shell = wf.body.ops[0]
    assert shell.op_name == "tool.shell"
    assert shell.attributes["effects"] == effects == classify_shell(command).effects


def test_solidify_report_lists_changes_and_skips() -> None:
    report = golden_run("solidify-static/commands.mlir").reports["solidify_static"]
    assert set(report["rules"]) == {"command-prompt", "decide-single-outcome", "decide-on-bool"}
    assert [(c["loc"], c["rule"]) for c in report["changes"]] == [
        ("runbooks/Web.md:5:1", "command-prompt"), ("runbooks/Web.md:9:1", "command-prompt"),
        ("runbooks/Web.md:13:1", "command-prompt"), ("runbooks/Web.md:15:1", "command-prompt")]
    assert report["changes"][1]["cmd"] == "kubectl logs {0} -n {1} | tail -n 50"
    assert report["changes"][2]["env"] == ["HOME"]
    assert [(s["loc"], s["reason"]) for s in report["skipped"]] == [
        ("runbooks/Web.md:19:1", "unresolved variable <NODE>")]


def test_solidify_skips_a_variable_inside_quotes_of_a_shell_command() -> None:
    wf = workflow("q", inputs={"app": TEXT})
    with InsertionPoint(wf.body):
        out = llm.generate("`kubectl get pods -l \"app=$APP\" | wc -l`", wf.arg("app"))
        same = llm.generate("`kubectl get pods -l \"app=$APP\"`", wf.arg("app"))
        ctrl.return_(out, same)
    ctx = run_pipeline(Module([wf]), "solidify-static,verify")
    report = ctx.reports["solidify_static"]
    assert [s["reason"] for s in report["skipped"]] == ["a variable inside a quoted string of a shell command"]
    [change] = report["changes"]  # without a shell, quotes are just argv syntax
    assert change["argv"] == ["kubectl", "get", "pods", "-l", "app={0}"]
    assert ctx.diagnostics == []


def test_solidified_ops_after_placement_run_on_the_cpu() -> None:
    wf = workflow("p")
    with InsertionPoint(wf.body):
        ctrl.return_(llm.generate("`uptime`"), tool.shell(["true"], effects=["read:host"]))
    module = Module([wf])
    run_pipeline(module, "concurrency,placement,solidify-static,verify")
    shell = wf.body.ops[0]
    assert shell.op_name == "tool.shell"
    assert shell.attributes["target"] == "cpu"
    assert shell.attributes["level"] == 0
    assert shell.attributes["effects"] == ["read:host"]
