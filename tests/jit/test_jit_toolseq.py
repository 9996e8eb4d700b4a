"""Agent tool-call sequences solidified into parameterised shell templates."""

from __future__ import annotations

from typing import Any

import pytest

from skc.ir import TEXT, InsertionPoint, Module, ctrl, verify, workflow
from skc.runtime.jit import (
    JitConfig,
    JitManager,
    ProfileStore,
    synthesize_tool_sequence,
    tool_sequence_to_ir,
)
from skc.runtime.jit.program import ProgramError


def calls(ns: str, pod: str) -> list[dict[str, Any]]:
    return [{"tool": "Bash", "args": {"command": f"kubectl get pods -n {ns} -o wide"}},
            {"tool": "Bash", "args": {"command": f"kubectl logs {pod} -n {ns} --tail=50"}},
            {"tool": "Read", "args": {"path": "/etc/skc/escalation.md"}}]


def alert(ns: str, pod: str) -> str:
    return f"ALERT PodCrashLooping\nnamespace: {ns}\npod: {pod}\nseverity: page"


RUNS = [("prod", "api-7f9c"), ("staging", "web-1a2b"), ("payments", "ledger-0"), ("dev", "db-5")]


def test_recurring_commands_become_a_parameterised_template() -> None:
    seq = synthesize_tool_sequence([([alert(ns, pod)], calls(ns, pod)) for ns, pod in RUNS[:3]])
    assert seq is not None
    ns, pod = RUNS[3]
    assert seq.render([alert(ns, pod)]) == calls(ns, pod)  # a run it never saw
    templates = seq.shell_templates()
    assert [t for t, _ in templates] == ["kubectl get pods -n {0} -o wide", "kubectl logs {0} -n {1} --tail=50"]
    assert all(p["op"] == "regex" for _, params in templates for p in params)  # read from the alert text


def test_parameters_are_quoted_when_a_new_input_is_not_a_plain_token() -> None:
    runs = [([{"namespace": ns, "pod": pod}], calls(ns, pod)) for ns, pod in RUNS[:3]]
    seq = synthesize_tool_sequence(runs)
    assert seq is not None
    rendered = seq.render([{"namespace": "$(reboot)", "pod": "a b"}])
    assert rendered[0]["args"]["command"] == "kubectl get pods -n '$(reboot)' -o wide"
    assert rendered[1]["args"]["command"] == "kubectl logs 'a b' -n '$(reboot)' --tail=50"
    from_text = synthesize_tool_sequence([([alert(ns, pod)], calls(ns, pod)) for ns, pod in RUNS[:3]])
    assert from_text is not None
    with pytest.raises(ProgramError):  # the learned regex does not match shell syntax at all
        from_text.render([alert("$(reboot)", "a")])


def test_refuses_differing_sequences_and_unsafe_parameters() -> None:
    first = [([alert(ns, pod)], calls(ns, pod)) for ns, pod in RUNS[:2]]
    other = ([alert("dev", "db-5")], calls("dev", "db-5")[:2])
    assert synthesize_tool_sequence([*first, other]) is None  # one run made fewer calls
    free = [([f"look at {w}"], [{"tool": "Bash", "args": {"command": c}}])
            for w, c in [("a", "ls /tmp"), ("b", "df -h"), ("c", "uptime")]]
    assert synthesize_tool_sequence(free) is None  # commands not derived from the inputs
    spaced = [([f"dir: {d}"], [{"tool": "Bash", "args": {"command": f"ls '{d}'"}}]) for d in ("a b", "c d")]
    assert synthesize_tool_sequence(spaced) is None  # a parameter that needs quoting
    assert synthesize_tool_sequence([]) is None


def test_tool_sequence_lowers_to_tool_shell_ops() -> None:
    seq = synthesize_tool_sequence([([alert(ns, pod)], calls(ns, pod)) for ns, pod in RUNS[:3]])
    assert seq is not None
    wf = workflow("w", inputs={"alert": TEXT})
    ops = tool_sequence_to_ir(seq, wf.inputs, effects=["read:k8s"])
    for op in ops:
        wf.body.append(op)
    with InsertionPoint(wf.body):
        ctrl.return_(ops[-1].results[0])
    assert verify(Module([wf])) == []
    shells = [op for op in ops if op.op_name == "tool.shell"]
    assert [op.attributes["cmd"] for op in shells] == ["kubectl get pods -n {0} -o wide",
                                                       "kubectl logs {0} -n {1} --tail=50"]
    assert all(op.attributes["effects"] == ["read:k8s"] for op in shells)
    assert [o.op_name for o in ops].count("data.regex_extract") == 3


def test_manager_finds_the_sequence_in_recorded_agent_runs() -> None:
    from jit_cases import generate_op

    from skc.runtime.targets.base import OpResult

    store = ProfileStore(":memory:")
    jit = JitManager(store, JitConfig())
    op = generate_op("Investigate the crash loop.")
    for ns, pod in RUNS:
        args = [alert(ns, pod)]
        jit.execute(op, "agent-1", args, lambda a=(ns, pod): OpResult(["done"], meta={"tool_calls": calls(*a)}))
    seq = jit.tool_sequence("agent-1")
    assert seq is not None
    assert seq.render([alert("qa", "x-1")]) == calls("qa", "x-1")
    jit.close()
    store.close()
