"""A compiled skill's entry, in words: its signature and how a task is routed.

`entry_signature(wf)` is the line `skc compile` prints
(`pdf_tools(task: text, files: text) -> (result: text)`); `routing(wf)` the lines
`skc ir explain` adds for a skill: which op picks the procedure, the procedures,
which parameters are extracted from the task, and the test tasks the bundle carries.
"""

from __future__ import annotations

import json

from skc.ir.dialects.skc import WorkflowOp


def entry_signature(wf: WorkflowOp) -> str:
    """`name(input: type, ...) -> (output: type, ...)` of a workflow."""
    ins = ", ".join(f"{n}: {_t(v.type)}" for n, v in zip(wf.input_names, wf.inputs, strict=True))
    names = wf.attr_strs("output_names") or [f"out{i}" for i in range(len(wf.outputs))]
    outs = ", ".join(f"{n}: {_t(v.type)}" for n, v in zip(names, wf.outputs, strict=False))
    return f"{wf.sym_name}({ins}) -> ({outs})"


def skill_entry(wf: WorkflowOp) -> str:
    """`, entry: <signature>` for a skill (a workflow taking `task`), else ""."""
    return f", entry: {entry_signature(wf)}" if "task" in wf.input_names else ""


def routing(wf: WorkflowOp) -> list[str]:
    """How a task reaches a procedure (empty for a workflow that is not a skill)."""
    if "task" not in wf.input_names:
        return []
    procs = wf.attr_strs("procedures") or []
    ops = [op for op in wf.walk() if op is not wf]
    route = next((op for op in ops if op.op_name == "llm.decide" and op.attributes.get("step") == "route"), None)
    lines = [f"entry: {entry_signature(wf)}"]
    if route is not None:
        lines.append(f"route: llm.decide over {len(procs)} procedures: {', '.join(procs)}")
    elif procs:
        lines.append(f"route: one procedure ({procs[0]}), nothing to decide")
    else:
        lines.append("route: no procedure; the task goes to one llm op with the skill's context")
    for op in ops:
        if op.op_name == "llm.extract" and str(op.attributes.get("step", "")).endswith(".params"):
            props = json.loads(str(op.attributes["schema"])).get("properties", {})
            lines.append(f"params of {str(op.attributes['step'])[:-7]}: {', '.join(props)}")
    tests = wf.attr_strs("test_tasks") or []
    if tests:
        lines.append(f"test tasks: {len(tests)} (skc test)")
    return lines


def _t(t: object) -> str:
    return str(t).removeprefix("!skc.")
