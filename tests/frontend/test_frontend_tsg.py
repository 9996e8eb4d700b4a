"""The runbook front end on small documents: steps, variables, conditions, jumps, hints, lints.

Each test states one rule of the front end (see compiler/frontend/runbook/tsg_md.py and
lower.py) and checks it on the IR or the located diagnostics it produces.
"""

from __future__ import annotations

from skc.compiler.frontend import FrontendResult
from skc.ir import Op, to_networkx, verify
from skc.ir.dialects.ctrl import IfOp


def ops(result: FrontendResult, name: str | None = None) -> list[Op]:
    assert result.module is not None
    found = [op for op in result.module.walk() if op.op_name != "skc.workflow"]
    return [op for op in found if name is None or op.op_name == name]


def codes(result: FrontendResult) -> list[tuple[str, int]]:
    return [(d.code, d.loc.line) for d in result.diagnostics]


def checked(result: FrontendResult) -> FrontendResult:
    assert result.module is not None
    assert verify(result.module) == []
    return result


CRASHLOOP = """\
# Pod crash looping

## Meaning

The pod restarts over and over.

## Diagnosis

- Check the pod via `kubectl -n $NAMESPACE get pod $POD`.
- Check its events via `kubectl -n $NAMESPACE describe pod $POD`.
- Check its logs via `kubectl -n $NAMESPACE logs $POD -c $CONTAINER`.

## Mitigation

Talk with the developers about sane defaults.
"""


def test_independent_diagnosis_steps_share_no_data_dependency(tsg) -> None:
    r = checked(tsg(CRASHLOOP))
    shells = ops(r, "tool.shell")
    assert [op.attributes["step"] for op in shells] == ["Diagnosis.1", "Diagnosis.2", "Diagnosis.3"]
    assert [op.attributes["effects"] for op in shells] == [["read:k8s"]] * 3
    assert r.module is not None
    wf = r.module.workflow()
    assert wf.attributes["arg_names"] == ["namespace", "pod", "container"]
    graph = to_networkx(wf)
    steps = [n for n, d in graph.nodes(data=True) if d["name"] != "ctrl.return"]
    assert graph.subgraph(steps).number_of_edges() == 0  # only inputs flow in: the three can run at once


def test_ops_carry_the_line_of_their_command_and_the_step_label(tsg) -> None:
    r = checked(tsg(CRASHLOOP, "crash.md"))
    first = ops(r, "tool.shell")[0]
    assert (first.loc.line, first.loc.col) == (9, 22)  # the command on line 9, not the heading
    assert first.loc.file.endswith("crash.md")
    llm_op = ops(r, "llm.generate")[0]
    assert (llm_op.loc.line, llm_op.attributes["step"]) == (15, "Mitigation.1")
    assert llm_op.attributes["prompt"] == "Talk with the developers about sane defaults."


def test_meaning_becomes_the_description_not_a_step(tsg) -> None:
    r = checked(tsg(CRASHLOOP))
    assert r.module is not None
    wf = r.module.workflow()
    assert wf.attributes["description"] == "The pod restarts over and over."
    assert wf.attributes["sym_name"] == "runbook"
    assert all("restarts" not in str(op.attributes.get("prompt", "")) for op in ops(r))


def test_a_code_decidable_condition_becomes_a_count_predicate_and_ctrl_if(tsg) -> None:
    r = checked(tsg("1. List pods: `kubectl get pods -n prod`\n2. If the output is empty, escalate to the on-call.\n"
                    "3. Describe them: `kubectl describe pods -n prod`\n"))
    names = [op.op_name for op in ops(r)]
    assert "llm.decide" not in names
    count, cmp = ops(r, "data.count")[0], ops(r, "calc.cmp")[0]
    assert count.operands[0] is ops(r, "tool.shell")[0].result
    assert cmp.attributes["pred"] == "eq"
    assert cmp.operands[0] is count.result
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    assert branch.operands[0] is cmp.result
    # escalation ends the run from inside the branch; step 3 follows the ctrl.if (see test_frontend_control)
    assert [op.op_name for op in branch.then_block.ops] == ["data.const", "ctrl.return"]
    assert branch.then_block.ops[-1].attributes["status"] == "escalate"


def test_a_condition_code_cannot_decide_is_an_llm_decide_with_closed_outcomes(tsg) -> None:
    r = checked(tsg("1. Run `kubectl get events -A`\n2. If the events look suspicious, page the network team.\n"))
    decide = ops(r, "llm.decide")[0]
    assert decide.attributes["outcomes"] == ["yes", "no"]
    assert decide.operands[0] is ops(r, "tool.shell")[0].result
    cmp = ops(r, "calc.cmp")[0]
    assert cmp.attributes["pred"] == "eq"
    assert cmp.operands[0] is decide.result
    const = cmp.operands[1].defining_op
    assert const is not None
    assert const.attributes["value"] == "yes"


def test_numeric_thresholds_and_any_not_running_are_code(tsg) -> None:
    r = checked(tsg("1. Run `kubectl top nodes`\n2. If CPU is above 90%, cordon it: `kubectl cordon node-1`\n"
                    "3. Run `kubectl get pods`\n4. If any pod is not Running, restart it: `kubectl delete pod x`\n"))
    preds = [op.attributes["pred"] for op in ops(r, "calc.cmp")]
    assert preds == ["gt", "gt"]
    assert ops(r, "data.regex_extract")[0].attributes["pattern"].startswith("(?i)\\bcpu\\b")
    assert ops(r, "data.json_get")[0].result.type.kind == "num"
    assert "Running" in ops(r, "data.regex_extract")[1].attributes["pattern"]
    assert "llm.decide" not in [op.op_name for op in ops(r)]


def test_go_to_step_puts_the_skipped_steps_in_the_else_branch(tsg) -> None:
    r = checked(tsg("1. Run `kubectl get pods`\n2. If any pod is not Running, go to step 4.\n"
                    "3. Run `kubectl get nodes`\n4. Run `kubectl get events`\n"))
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    assert [op.attributes.get("step") for op in branch.else_block.ops if op.op_name == "tool.shell"] == ["3"]
    assert [op.op_name for op in branch.then_block.ops] == ["data.const", "ctrl.yield"]
    assert r.module is not None
    top = [op.attributes.get("step") for op in r.module.workflow().body.ops if op.op_name == "tool.shell"]
    assert top == ["1", "4"]


def test_goto_to_a_missing_step_and_an_unconditional_stop_are_reported(tsg) -> None:
    r = checked(tsg("1. Run `uptime`\n2. If the output is empty, go to step 9.\n3. Stop here.\n4. Run `df -h`\n"))
    assert ("SKC126", 2) in codes(r)
    assert ("SKC120", 4) in codes(r)
    assert r.module is not None
    ret = r.module.workflow().body.ops[-1]
    assert ret.op_name == "ctrl.return"
    assert ret.attributes["status"] == "stop"


def test_a_backward_jump_is_an_ambiguous_order_warning(tsg) -> None:
    r = checked(tsg("1. Run `uptime`\n2. Run `df -h`\n3. If the output is empty, go to step 1.\n"))
    assert ("SKC124", 3) in codes(r)


def test_variables_become_inputs_or_values_of_earlier_steps(tsg) -> None:
    text = ("1. Set the namespace: `export NS=payments`\n2. Find the pod: `POD=$(kubectl get pod -n $NS -o name)`\n"
            "3. Read its logs: `kubectl logs $POD -n $NS --since={window}`\n")
    r = checked(tsg(text))
    assert r.module is not None
    wf = r.module.workflow()
    assert wf.attributes["arg_names"] == ["window"]
    const = ops(r, "data.const")[0]
    assert const.attributes["value"] == "payments"
    find, logs = ops(r, "tool.shell")
    assert find.operands == [const.result]
    assert logs.operands[0] is find.result
    assert logs.operands[1] is const.result
    assert logs.attributes["argv"] == ["kubectl", "logs", "{0}", "-n", "{1}", "--since={2}"]


def test_a_variable_used_before_the_step_that_sets_it_is_reported(tsg) -> None:
    r = checked(tsg("1. Check `kubectl get pods -n $NS`\n2. Set it: `export NS=prod`\n"))
    assert ("SKC121", 1) in codes(r)


def test_a_parallel_hint_is_honoured_and_checked_against_data_dependencies(tsg) -> None:
    text = ("Run steps 2 through 4 in parallel.\n\n1. Set the namespace: `export NS=prod`\n"
            "2. Check pods: `kubectl get pods -n $NS`\n3. Summarize the output of the previous step.\n"
            "4. Pick a pod: `POD=$(kubectl get pods -o name)` then `kubectl logs $POD`\n")
    r = checked(tsg(text))
    summary = ops(r, "llm.generate")[0]
    assert summary.operands == []  # the back-reference is not taken inside the parallel range
    assert [c for c, _ in codes(r)].count("SKC125") == 0
    clash = checked(tsg("Run steps 1 through 2 in parallel.\n\n1. Find it: `POD=$(kubectl get pods -o name)`\n"
                        "2. Read it: `kubectl logs $POD`\n"))
    assert ("SKC125", 4) in codes(clash)  # at step 2, the consumer


def test_writes_confirm_only_when_the_document_asks(tsg) -> None:
    r = checked(tsg("1. Delete the pod: `kubectl delete pod x`\n"
                    "2. After the owner confirms, drain the node: `kubectl drain node-1`\n3. Run `kubectl get pods`\n"))
    delete, drain, get = ops(r, "tool.shell")
    assert "confirm" not in delete.attributes
    assert drain.attributes["confirm"] is True
    assert "confirm" not in get.attributes
    assert ("SKC123", 1) in codes(r)
    assert ("SKC123", 2) not in codes(r)


def test_a_condition_that_only_concludes_has_no_path_for_the_other_outcome(tsg) -> None:
    r = checked(tsg("1. Check the record:\n\n   ```\n   dig @127.0.0.1 db.service.consul SRV\n   ```\n\n"
                    "   If the name is absent, then the reload worked.\n"))
    assert ("SKC122", 7) in codes(r)
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    assert branch.then_block.ops[0].attributes["value"] == "the reload worked."


def test_console_blocks_strip_prompts_and_drop_output(tsg) -> None:
    r = checked(tsg("Debug the node:\n\n```console\n$ kubectl get nodes\nNAME STATUS\nnode-1 Ready\n"
                    "$ journalctl -u kubelet \\\n    --since today\n```\n"))
    shells = ops(r, "tool.shell")
    assert [op.attributes["argv"] for op in shells] == [["kubectl", "get", "nodes"],
                                                       ["journalctl", "-u", "kubelet", "--since", "today"]]
    assert [(op.loc.line, op.loc.col) for op in shells] == [(4, 3), (7, 3)]


def test_query_blocks_become_tool_sql(tsg) -> None:
    r = checked(tsg("Query Prometheus:\n\n```promql\nrate(http_errors_total{job=\"api\"}[5m]) > 0.1\n```\n\n"
                    "Then the database:\n\n```sql\nSELECT count(*) FROM pg_stat_activity;\n```\n"))
    promql, sql = ops(r, "tool.sql")
    assert promql.attributes["lang"] == "promql"
    assert promql.attributes["effects"] == ["net:prometheus"]
    assert promql.attributes["query"].startswith("rate(http_errors_total{job=\"api\"}")
    assert sql.attributes["effects"] == ["read:db:default"]
    assert "lang" not in sql.attributes


def test_step_headings_number_the_steps(tsg) -> None:
    r = checked(tsg("# Scale down\n\n## Step 1 - Stop chef\n\n- Run `sudo chef-client-disable`\n\n"
                    "## Step 2 - Check\n\n- Run `gitlab-patronictl list`\n"))
    assert [op.attributes["step"] for op in ops(r, "tool.shell")] == ["1.1", "2.1"]
    assert ops(r, "tool.shell")[0].attributes["effects"] == ["write:*"]  # unknown program: conservative


def test_bad_inputs_become_diagnostics_not_exceptions(tsg, tmp_path) -> None:
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    binary = tmp_path / "junk.md"
    binary.write_bytes(b"\x00\x01\x02\xff" * 100)
    r = compile_tsg(binary)
    assert r.module is None
    assert [d.code for d in r.diagnostics] == ["SKC128"]
    empty = tsg("")
    assert empty.module is not None
    assert verify(empty.module) == []
    assert [d.code for d in empty.diagnostics] == ["SKC129"]
    html = checked(tsg("<html><body><table><tr><td>x</td></tr></table></body></html>\n"))
    assert html.module is not None
    missing = compile_tsg(tmp_path / "nope.md")
    assert missing.module is None
    assert missing.diagnostics[0].code == "SKC100"
    yaml_broken = checked(tsg("---\ntitle: [unclosed\n---\n\nRun `uptime`.\n"))
    assert ("SKC116", 2) in [(d.code, d.loc.line) for d in yaml_broken.diagnostics]
    big_table = "| a | b |\n|---|---|\n" + "| `kubectl get pods` | x |\n" * 400
    r = checked(tsg(big_table))
    assert ("SKC129", 1) in codes(r)
