"""Control flow from markdown: early exits, for-each steps, paired conditions.

Each test states one rule of the lowering (compiler/frontend/markdown/lower.py, lower_map.py,
step_model.py) on a small document and checks the IR; the early-exit tests also run
the compiled workflow through the runtime to check the contract the IR promises.
"""

from __future__ import annotations

from pathlib import Path

from fe_helpers import checked, ops

from skc.compiler.frontend import FrontendResult
from skc.ir import Op
from skc.ir.dialects.ctrl import IfOp
from skc.runtime.api import run


def top(result: FrontendResult) -> list[Op]:
    assert result.module is not None
    return result.module.workflow().body.ops


def steps_of(block_ops: list[Op], name: str = "tool.shell") -> list[object]:
    return [op.attributes.get("step") for op in block_ops if op.op_name == name]


def codes(result: FrontendResult) -> list[tuple[str, int]]:
    return [(d.code, d.loc.line) for d in result.diagnostics]


# ---------------------------------------------------------------------- early exits

ESCALATE = """\
1. List pods: `kubectl get pods -n prod`
2. If the output is empty, escalate to the on-call.
3. Describe them: `kubectl describe pods -n prod`
"""


def test_an_exiting_branch_ends_with_ctrl_return_and_the_rest_follows_the_if(tsg) -> None:
    r = checked(tsg(ESCALATE))
    listing, describe = ops(r, "tool.shell")
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    ret = branch.then_block.ops[-1]
    assert (ret.op_name, ret.attributes["status"], ret.attributes["step"]) == ("ctrl.return", "escalate", "2")
    message = ret.operands[-1].defining_op
    assert message is not None
    assert message.attributes["value"] == "escalate: escalate to the on-call."
    assert ret.operands[0] is listing.result  # what the run had found when it stopped
    assert [op.op_name for op in branch.else_block.ops] == ["data.const", "ctrl.yield"]
    body = top(r)
    assert body.index(describe) > body.index(branch)  # step 3 once, after the ctrl.if, not in a branch
    assert body[-1].op_name == "ctrl.return"
    assert "status" not in body[-1].attributes


def test_exits_are_never_copied_into_branches(tsg) -> None:
    lines = [f"{2 * i + 1}. Check `kubectl get pods -n ns{i}`\n{2 * i + 2}. If the output is empty, escalate to "
             f"team {i}.\n" for i in range(12)]
    r = checked(tsg("".join(lines) + "25. Finally run `kubectl get nodes`\n"))
    assert len(ops(r, "tool.shell")) == 13  # one op per command: no continuation is duplicated
    assert len(ops(r, "ctrl.return")) == 13  # twelve early exits and the end
    assert all(isinstance(op, IfOp) for op in top(r) if op.op_name == "ctrl.if")
    assert steps_of(top(r)) == [str(2 * i + 1) for i in range(12)] + ["25"]


def test_an_otherwise_exit_and_a_nested_exit_end_their_own_branches(tsg) -> None:
    r = checked(tsg("1. Run `uptime`\n2. If the output contains `load`, run `df -h`. Otherwise, stop here.\n"
                    "3. Run `free -m`\n"))
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    assert branch.then_block.ops[-1].op_name == "ctrl.yield"
    assert branch.else_block.ops[-1].op_name == "ctrl.return"
    assert branch.else_block.ops[-1].attributes["status"] == "stop"
    assert steps_of(top(r)) == ["1", "3"]
    nested = checked(tsg("1. Run `uptime`\n2. If the output contains `load`:\n"
                         "   - Run `df -h`\n   - If the output is empty, escalate to storage.\n"
                         "3. Run `free -m`\n"))
    outer = ops(nested, "ctrl.if")[0]
    assert isinstance(outer, IfOp)
    inner = next(op for op in outer.then_block.ops if op.op_name == "ctrl.if")
    assert isinstance(inner, IfOp)
    assert inner.then_block.ops[-1].attributes["status"] == "escalate"
    assert outer.then_block.ops[-1].op_name == "ctrl.yield"  # only the inner branch exits
    assert steps_of(top(nested)) == ["1", "3"]


def test_when_both_branches_exit_what_follows_is_unreachable(tsg) -> None:
    r = checked(tsg("1. Run `uptime`\n2. If the output is empty, escalate to the on-call. Otherwise, stop here.\n"
                    "3. Run `free -m`\n"))
    assert ("SKC120", 3) in codes(r)
    branch = ops(r, "ctrl.if")[0]
    assert branch.results[0] not in top(r)[-1].operands  # never produced, so never returned


def test_an_exit_among_the_steps_a_jump_skips_exits_from_the_else_branch(tsg) -> None:
    r = checked(tsg("1. Run `uptime`\n2. If the output is empty, go to step 5.\n3. Run `df -h`\n"
                    "4. Stop here.\n5. Run `free -m`\n"))
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    assert steps_of(branch.else_block.ops) == ["3"]
    assert branch.else_block.ops[-1].attributes["status"] == "stop"
    assert steps_of(top(r)) == ["1", "5"]


def _runbook(tmp_path: Path) -> Path:
    path = tmp_path / "check.md"
    path.write_text("1. List the incidents: `cat $DIR/incidents.txt`\n"
                    "2. If the output is empty, escalate to the on-call.\n"
                    "3. Note the check: `touch $DIR/checked`\n", encoding="utf-8")
    return path


def test_the_runtime_ends_the_run_at_an_early_exit_with_its_status(tmp_path: Path) -> None:
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    result = checked(compile_tsg(_runbook(tmp_path)))
    assert result.module is not None
    (tmp_path / "incidents.txt").write_text("", encoding="utf-8")
    stopped = run(result.module, {"dir": str(tmp_path)}, runs_dir=tmp_path / "runs", workdir=tmp_path,
                  allow_writes=True)
    assert (stopped.status, stopped.exit_status) == ("ok", "escalate")
    assert list(stopped.outputs.values()) == ["", "escalate: escalate to the on-call."]
    assert not (tmp_path / "checked").exists()  # the write after the exit never ran
    (tmp_path / "incidents.txt").write_text("INC-1 disk full\n", encoding="utf-8")
    went_on = run(result.module, {"dir": str(tmp_path)}, runs_dir=tmp_path / "runs", workdir=tmp_path,
                  allow_writes=True)
    assert (went_on.status, went_on.exit_status) == ("ok", None)
    assert (tmp_path / "checked").exists()


# ---------------------------------------------------------------------- paired conditions

def test_if_x_and_if_no_x_are_one_decision_with_both_branches(tsg) -> None:
    r = checked(tsg("---\nname: demo-skill\ndescription: x\n---\n\n1. Review the plan and list concerns\n"
                      "2. If concerns: Raise them with your partner\n3. If no concerns: Create todos and proceed\n"))
    decide = ops(r, "llm.decide")
    assert [d.attributes["prompt"] for d in decide] == ["Concerns?"]
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    then = [op.attributes["prompt"] for op in branch.then_block.ops if op.op_name == "llm.generate"]
    other = [op for op in branch.else_block.ops if op.op_name == "llm.generate"]
    assert then == ["Raise them with your partner"]
    assert [(op.attributes["prompt"], op.attributes["step"], op.loc.line) for op in other] == [
        ("Create todos and proceed", "3", 8)]  # the else step keeps its own label and line


def test_a_code_predicate_and_its_negation_share_one_predicate(tsg) -> None:
    r = checked(tsg("1. Run `kubectl get pods -n prod`\n2. If the output is empty, run `kubectl get events`\n"
                    "3. If the output is not empty, run `kubectl describe pods -n prod`\n"))
    assert len(ops(r, "data.count")) == 1
    branch = ops(r, "ctrl.if")[0]
    assert isinstance(branch, IfOp)
    assert steps_of(branch.then_block.ops) == ["2"]
    assert steps_of(branch.else_block.ops) == ["3"]


def test_only_adjacent_opposite_conditions_pair(tsg) -> None:
    apart = checked(tsg("1. Run `uptime`\n2. If the output is empty, run `df -h`\n3. Run `free -m`\n"
                        "4. If the output is not empty, run `ps aux`\n"))
    assert len(ops(apart, "ctrl.if")) == 2
    different = checked(tsg("1. Run `uptime`\n2. If the output is empty, run `df -h`\n"
                            "3. If the output contains `load`, run `ps aux`\n"))
    assert len(ops(different, "ctrl.if")) == 2
    with_else = checked(tsg("1. Run `uptime`\n2. If the output is empty, run `df -h`. Otherwise, run `free -m`.\n"
                            "3. If the output is not empty, run `ps aux`\n"))
    assert len(ops(with_else, "ctrl.if")) == 2  # the first already has its else


# ---------------------------------------------------------------------- for-each steps

def test_for_every_pod_maps_the_command_over_the_rows_of_the_earlier_listing(tsg) -> None:
    r = checked(tsg("1. List the pods: `kubectl get pods -n prod`\n"
                    "2. For every pod in the output, restart it: `kubectl delete pod <pod> -n prod`\n"))
    listing, delete = ops(r, "tool.shell")
    mapped = ops(r, "ctrl.map")[0]
    assert mapped.operands == [listing.result]
    item = mapped.regions[0].block.args[0]
    name = delete.operands[0].defining_op
    assert name is not None
    assert (name.op_name, name.attributes["path"], name.operands) == ("data.json_get", "$.NAME", [item])
    assert delete.parent_op is mapped
    assert mapped.attributes["step"] == "2"
    assert r.module is not None
    assert "arg_names" not in r.module.workflow().attributes  # <pod> is the item, not an input


def test_for_each_over_an_llm_list_gives_every_llm_op_the_item(tsg) -> None:
    r = checked(tsg("---\nname: demo-skill\ndescription: x\n---\n\n1. List all failing services.\n"
                      "2. For each service, write a one-line status note.\n"))
    extract = ops(r, "llm.extract")[0]
    assert extract.attributes["schema"] == '{"type":"array"}'
    mapped = ops(r, "ctrl.map")[0]
    assert mapped.operands == [extract.result]
    note = ops(r, "llm.generate")[0]
    assert note.parent_op is mapped
    assert note.attributes["prompt"] == "Write a one-line status note."
    assert note.operands == [mapped.regions[0].block.args[0]]


def test_for_each_runs_through_the_runtime_once_per_line(tmp_path: Path) -> None:
    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    doc = tmp_path / "files.md"
    doc.write_text("1. List the files: `ls $DIR`\n2. For each file, print it: `cat $DIR/<file>`\n", encoding="utf-8")
    result = checked(compile_tsg(doc))
    assert result.module is not None
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "a.txt").write_text("alpha\n", encoding="utf-8")
    (data_dir / "b.txt").write_text("beta\n", encoding="utf-8")
    done = run(result.module, {"dir": str(data_dir)}, runs_dir=tmp_path / "runs", workdir=tmp_path)
    assert done.status == "ok", done.error
    assert list(done.outputs.values()) == [["alpha", "beta"]]


def test_for_each_stays_as_is_when_the_list_or_the_work_is_unclear(tsg) -> None:
    no_list = checked(tsg("1. Read the plan file.\n2. For each task:\n   1. Mark it in progress\n   2. Do it\n"))
    assert ops(no_list, "ctrl.map") == []  # no earlier step names the tasks
    assert len(ops(no_list, "llm.generate")) == 3
    exits = checked(tsg("1. List the pods: `kubectl get pods`\n2. For every pod, escalate to the on-call.\n"))
    assert ops(exits, "ctrl.map") == []  # an exit cannot leave a ctrl.map body
    nameless = checked(tsg("1. List the checks: `gh pr checks 7 --json state,link`\n"
                           "2. For each check, run `gh run view <check>`\n"))
    assert ops(nameless, "ctrl.map") == []  # no name field in the JSON: which value is <check>?
    prose_list = checked(tsg("1. Summarize the incidents.\n2. For each incident, notify its owner.\n"))
    assert ops(prose_list, "ctrl.map") == []  # free text is not a list
