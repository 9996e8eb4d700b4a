"""The step graph in the IR: edges without data become operands, the graph an attribute.

`order_steps(wf, steps, every, data_edges)` builds the document's step graph (see
`step_graph`) once the ops exist, then makes the run follow the edges that carry no
data (a join "proceed to step 11", a serial range, "after step N"): every top-level
op of the later step that runs something (`llm.*`, `tool.*`, `ctrl.manual`) takes the
earlier step's results as operands. An llm op reads them as evidence; a tool op
waits on an ordering token of each earlier tool op (its `!skc.token` result, added
when it has none) and on the value of any other op. The workflow records the graph
as `steps` (labels of the top-level steps, in document order) and `step_edges`
(`"2 -> 11"`), which `skc ir explain` and `skc ir graph` show next to the op graph, and
gives a runbook's llm ops the evidence they can see (`evidence.attach_evidence`). The
inputs a runbook says come from the incident are recorded as `incident_inputs` (what
`skc run --incident FILE` extracts, see `skc.runtime.incident`).
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.alternatives import alternative_blocks
from skc.compiler.frontend.markdown.evidence import attach_evidence
from skc.compiler.frontend.markdown.lower_code import prose_vars
from skc.compiler.frontend.markdown.step_graph import StepGraph, build, units_of
from skc.compiler.frontend.markdown.step_model import Step
from skc.ir import Value
from skc.ir.core import Op
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic
from skc.ir.types import TOKEN

_RUNS = ("llm.", "tool.", "ctrl.manual")


def order_steps(wf: WorkflowOp, steps: list[Step], data_edges: set[tuple[str, str]], *, record: bool,
                diagnostics: list[Diagnostic] | None = None) -> StepGraph:
    """Builds the step graph of `steps`, enforces its data-less edges in `wf`, and records it
    as attributes when `record` (a runbook: its llm ops then get their evidence, see `evidence`)."""
    units = units_of(steps)
    unit_of: dict[str, str] = {}
    for u in units:
        for s in u.walk():
            unit_of.setdefault(s.label, u.label)
    graph = build(units, data_edges, unit_of, alternative_blocks(steps, units))
    body = wf.body.ops
    where = {id(op): i for i, op in enumerate(body)}
    by_unit: dict[str, list[Op]] = {}
    for op in body:
        label = op.attributes.get("step")
        if isinstance(label, str) and label in unit_of:
            by_unit.setdefault(unit_of[label], []).append(op)
    for a, b in sorted(graph.ordering):
        producers = [op for op in by_unit.get(a, []) if op.results and not op.terminator]
        for consumer in by_unit.get(b, []):
            if consumer.op_name.startswith(_RUNS):
                _wait(consumer, [p for p in producers if where[id(p)] < where[id(consumer)]])
    if record and graph.nodes:
        wf.attributes["steps"] = list(graph.nodes)
        wf.attributes["step_edges"] = graph.as_strings()
    if record:
        attach_evidence(wf, unit_of, graph, diagnostics)
        fields = incident_fields(steps)
        if fields:
            wf.attributes["incident_inputs"] = fields
    return graph


_SOURCE = re.compile(r"\b(?:incident|alert|alerts|ticket|page|notification|issue)\b", re.I)


def incident_fields(steps: list[Step]) -> list[str]:
    """The inputs a runbook says come from the incident ("Collect these parameters from the
    incident: {region}, {start_time}"): `skc run --incident FILE` extracts exactly these."""
    out: list[str] = []
    for top in steps:
        for s in top.walk():
            if prose.collects_parameters(s.text) and _SOURCE.search(s.text):
                out += [v.name for v in prose_vars(s.text) if v.name not in out]
    return out


def _wait(consumer: Op, producers: list[Op]) -> None:
    """`consumer` takes what it needs to run after `producers` (see the module docstring)."""
    have = {id(v) for v in consumer.operands}
    for p in producers:
        value: Value | None
        if consumer.op_name.startswith("llm.") or not p.op_name.startswith("tool."):
            value = next((r for r in p.results if r.type != TOKEN), None)
        else:
            value = next((r for r in p.results if r.type == TOKEN), None)
            if value is None:
                value = Value(TOKEN, p, len(p.results), None)
                p.results.append(value)
        if value is not None and id(value) not in have:
            consumer.operands.append(value)
            have.add(id(value))
