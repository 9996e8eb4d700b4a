"""Data flow the prose states: "step N" references, Python blocks' `args` and effects,
listed decision outcomes, row conditions and "Otherwise, <conclusion>".

Each test states one rule of the lowering (compiler/frontend/markdown/lower_code.py, lower.py,
prose.py, predicates.py) on a small runbook and checks the IR.
"""

from __future__ import annotations

import pytest
from fe_helpers import checked, ops

from skc.compiler.frontend import FrontendResult
from skc.compiler.frontend.markdown import flow, llm_kinds
from skc.ir import Op


def producers(op: Op) -> list[object]:
    """What each operand is: the input's name, or the step label of the op that made it."""
    out: list[object] = []
    for v in op.operands:
        made = v.defining_op
        out.append(v.name if made is None else made.attributes.get("step"))
    return out


@pytest.mark.parametrize(("text", "numbers"), [
    ("Combine the evidence of steps 1-6.", [1, 2, 3, 4, 5, 6]),
    ("Use steps 2 through 4 and step 9.", [2, 3, 4, 9]),
    ("Compare steps 1, 2 and 5.", [1, 2, 5]),
    ("Compare steps 1 and 3 with step 2.", [1, 3, 2]),
    ("the output of Step 7", [7]),
    ("Go to step 3.", []),
    ("Return to Review (Step 1) when:", []),
    ("Repeat steps 2-4, then summarize step 5.", [5]),
    ("No reference here, 3 steps.", []),
])
def test_step_references(text: str, numbers: list[int]) -> None:
    assert [n for _, n in flow.step_refs(text)] == numbers


PYTHON = """\
## Diagnosis

1. Count the pods: `kubectl get pods -n {namespace} -o json`
2. Read the events: `kubectl get events -n {namespace} -o json`
3. Check the nodes: `kubectl get nodes -o json`
4. For `{namespace}`, combine steps 1 and 3 with the `{cluster}` name.

   ```python
   namespace, pods, nodes, cluster = args
   result = {"pods": len(pods["items"]), "nodes": len(nodes["items"]), "where": f"{cluster}/{namespace}"}
   ```

5. Summarize the diagnosis of step 4 for the channel.
"""


def test_a_python_block_receives_what_its_step_mentions_in_order(tsg) -> None:
    r = checked(tsg(PYTHON))
    [py] = ops(r, "tool.python")
    assert producers(py) == ["namespace", "Diagnosis.1", "Diagnosis.3", "cluster"]
    assert py.attributes["effects"] == ["pure"]
    assert py.results[0].type.kind == "json"
    [summary] = ops(r, "llm.generate")
    assert producers(summary) == ["Diagnosis.4"]  # "the diagnosis of step 4"
    wf = r.module.workflow() if r.module else None
    assert wf is not None
    returned = wf.body.ops[-1]
    assert py.results[0] in returned.operands  # read by step 5, and still an output


def test_python_that_touches_the_system_stays_write_star(tsg) -> None:
    r = checked(tsg("1. Clean up the files of step 1.\n\n   ```python\n   import os\n   os.remove('x')\n   ```\n"))
    [py] = ops(r, "tool.python")
    assert py.attributes["effects"] == ["write:*"]
    assert py.operands == []  # a step cannot name itself


def test_a_reference_to_a_later_or_missing_step_gives_nothing(tsg) -> None:
    r = checked(tsg("1. Use the result of step 2.\n\n   ```python\n   result = args\n   ```\n\n"
                    "2. List pods: `kubectl get pods`\n"))
    [py] = ops(r, "tool.python")
    assert py.operands == []


DECIDE = """\
## Diagnosis

1. Find the cause: `kubectl get events -o json`

## Mitigation

2. Given the diagnosis of step 1, decide which mitigation to apply first: roll back the deployment,
   fail over the dependency, drain the hot host, or escalate to the service owner.
3. Post an update that names the cause found in step 1 and the action chosen in step 2.
"""


def test_a_decision_lists_the_outcomes_after_its_colon_and_reads_the_step_it_names(tsg) -> None:
    r = checked(tsg(DECIDE))
    [decide] = ops(r, "llm.decide")
    assert decide.attributes["outcomes"] == ["roll_back_the_deployment", "fail_over_the_dependency",
                                             "drain_the_hot_host", "escalate_to_the_service_owner"]
    assert producers(decide) == ["Diagnosis.1"]  # a new section starts from nothing, but step 1 is named
    [update] = ops(r, "llm.generate")
    assert producers(update) == ["Diagnosis.1", "Mitigation.2"]
    assert r.module is not None
    assert decide.results[0] in r.module.workflow().body.ops[-1].operands  # the choice stays an output


def test_outcomes_without_a_list_stay_yes_no() -> None:
    assert llm_kinds.outcomes("Decide if the pod is healthy: look at its events.", []) == ["yes", "no"]
    assert llm_kinds.outcomes("Decide whether to restart or wait.", []) == ["restart", "wait"]


ROWS = """\
Run steps 1-2 in parallel.

1. Compare the regions (`incidents` database).

   ```sql
   SELECT region, p95_ms FROM latency ORDER BY p95_ms DESC
   ```

   If the p95_ms of the first row is above 1000, the alert is confirmed.
   Otherwise the alert is a false positive.

2. Check the dependencies (`incidents` database).

   ```sql
   SELECT dependency, degraded_minutes FROM deps
   ```

   If any row has degraded_minutes above 0, report the degraded dependency.
   Otherwise no dependency was degraded.
"""


def test_row_conditions_read_columns_and_conclusions_are_text(tsg) -> None:
    r = checked(tsg(ROWS))
    paths = [op.attributes["path"] for op in ops(r, "data.json_get")]
    assert paths == ["$[0].p95_ms", "$[?(@.degraded_minutes > 0)]"]
    assert ops(r, "llm.decide") == []
    consts = [op.attributes["value"] for op in ops(r, "data.const") if isinstance(op.attributes["value"], str)]
    assert "the alert is a false positive." in consts
    assert "no dependency was degraded." in consts
    assert [op.attributes["prompt"] for op in ops(r, "llm.generate")] == ["report the degraded dependency."]
    assert not [d for d in r.diagnostics if d.code == "SKC125"]  # a branch yielding its own part is no contradiction


@pytest.mark.parametrize(("text", "refs"), [
    ("Given the `summary` of step 7, decide.", [(7, "summary", True)]),
    ("Name the cause in the summary of step 2 and the action chosen in step 3.", [(2, "summary", False)]),
    ("Read step 4's `region`.", [(4, "region", True)]),
    ("Combine the `summary` of steps 1-3.", []),
    ("Compare the summary of step 1 and 2.", []),
    ("Use the output of step 7", [(7, "output", False)]),  # a field only if step 7's result has one
])
def test_field_references(text: str, refs: list[tuple[int, str, bool]]) -> None:
    found = flow.field_refs(text)
    assert [(n, f, q) for _, n, f, q in found] == refs
    steps = dict(flow.step_refs(text))
    assert all(steps.get(at) == n for at, n, _, _ in found)  # the same "step N" step_refs names


FIELDS = """\
## Diagnosis

1. Read the events: `kubectl get events -o json`
2. Combine step 1.

   ```python
   [events] = args
   result = {"summary": f"{len(events['items'])} events", "count": len(events["items"])}
   ```

## Mitigation

3. Given the `summary` of step 2, decide whether to restart or wait.
4. Post an update that names the cause in the summary of step 2 and the action chosen in step 3.
5. Archive the diagnosis of step 2.
6. Attach step 2 to the ticket.
"""


def _by_step(r: FrontendResult, label: str) -> Op:
    [op] = [op for op in r.module.walk() if op.op_name.startswith("llm.") and op.attributes.get("step") == label] \
        if r.module else []
    return op


def test_the_field_of_a_step_is_a_json_get_of_its_result(tsg) -> None:
    r = checked(tsg(FIELDS))
    [py] = ops(r, "tool.python")
    gets = [op for op in ops(r, "data.json_get") if op.attributes["path"] == "$.summary"]
    assert gets
    assert all(g.operands == py.results and g.results[0].type.kind == "text" for g in gets)
    decide = _by_step(r, "Mitigation.3")
    [summary] = decide.operands
    assert summary.defining_op in gets  # "the `summary` of step 2", not the whole object
    update = _by_step(r, "Mitigation.4")  # a bare word that the step's code writes as a key
    assert [v.defining_op.op_name if v.defining_op else None for v in update.operands] == \
        ["data.json_get", "llm.decide"]
    assert update.operands[0].defining_op in gets


def test_a_plain_step_reference_still_passes_the_whole_value(tsg) -> None:
    r = checked(tsg(FIELDS))
    [py] = ops(r, "tool.python")
    assert _by_step(r, "Mitigation.6").operands == py.results  # "step 2"
    archive = _by_step(r, "Mitigation.5")  # "diagnosis" is no key step 2's code writes
    assert py.results[0] in archive.operands  # (with step 4's update: "of step" refers back)
    assert not [v for v in archive.operands if v.defining_op and v.defining_op.op_name == "data.json_get"]
    assert py.results[0] in r.module.workflow().body.ops[-1].operands if r.module else False
