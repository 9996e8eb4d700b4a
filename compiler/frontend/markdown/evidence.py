"""Evidence for judgements: what a runbook's llm ops get to see, and a warning where nothing.

The lowering gives an llm op the values its text names ("step 3", `{region}`) and,
for a judgement, what its step ran so far. Once the whole workflow and its step
graph exist, `attach_evidence(wf, unit_of, graph, diagnostics)` goes over every llm
op of a runbook that still sees nothing and gives it, in this order:

An op "sees nothing" when its operands are tokens or the text of llm ops that see
nothing themselves (a model's wording of a sentence before anything ran is no evidence).

- a judgement (`llm.decide`, `llm.extract`, prose that interprets results: "look for",
  "check whether", "based on the results" ..., or that inspects: "Check pod template
  parameters such as:", "Review the events", "Other things to check:"): the outputs of the commands and
  queries of its own top-level step that it can see (defined before it, in its block or
  an enclosing one), even those written after the sentence that judges them;
- a decision or extraction still without: the outputs of the nearest steps before it in
  the step graph that ran something ("If the OS disk is used heavily ..." in a step of
  portal clicks judges what the steps before it found);
- prose "based on the results / output of these ..." still without: the outputs of every
  step before it (at most `MAX_EVIDENCE`).

An llm op left with nothing to see keeps its text alone and gets a located warning
saying so: SKC149, or SKC153 for a decision or extraction (which the lowering already
gives most of them; a judgement that gained evidence here loses it).
"""

from __future__ import annotations

import re

from skc.compiler.caseless import Lowered
from skc.compiler.frontend.markdown import llm_kinds, prose
from skc.compiler.frontend.markdown.step_graph import StepGraph
from skc.ir import Value
from skc.ir.core import Block, Op
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic

MAX_EVIDENCE = 8
_LLM = ("llm.decide", "llm.extract", "llm.generate", "llm.agent")
_JUDGES = ("llm.decide", "llm.extract")
_INSPECTS = Lowered(re.compile(r"^(?:\W*(?:also|then|next|now|first)[,]?\s+)?(?:check|inspect|examine|review|look\s+(?:at|into|for|over|inside|through)|"
                               r"investigate|analy[sz]e|verify|validate|confirm|compare|observe|read|scan|go\s+through)\b|"
                               r"\b(?:things|items|what)\s+to\s+(?:check|look\s+for|verify)\b", re.I))
_RESULTS = Lowered(re.compile(r"\b(?:based\s+on|from|according\s+to|using)\s+(?:the|these|those|this|its|their)\s+"
                              r"(?:\w+\s+){0,2}(?:results?|outputs?|findings|data|checks?|gadgets?|queries|commands?)\b", re.I))


def attach_evidence(wf: WorkflowOp, unit_of: dict[str, str], graph: StepGraph,
                    diagnostics: list[Diagnostic] | None) -> None:
    """Gives evidence-less llm ops of `wf` what they can see (see the module docstring)."""
    ops = list(wf.walk())
    position = {id(op): i for i, op in enumerate(ops)}
    outputs: dict[str, list[Value]] = {}
    for op in ops:
        if op.op_name.startswith("tool.") or op.op_name == "ctrl.manual":
            value = next((r for r in op.results if r.type.kind != "token"), None)
            unit = unit_of.get(str(op.attributes.get("step", "")))
            if value is not None and unit:
                outputs.setdefault(unit, []).append(value)
    preds: dict[str, list[str]] = {}
    for a, b in graph.edges:
        preds.setdefault(b, []).append(a)
    order = {n: i for i, n in enumerate(graph.nodes)}
    gained: set[tuple[int, int]] = set()
    for op in ops:
        if op.op_name not in _LLM or any(not _blind(v) for v in op.operands):
            continue
        unit = unit_of.get(str(op.attributes.get("step", "")), "")
        text = str(op.attributes.get("prompt") or op.attributes.get("question") or "")
        judges = op.op_name in _JUDGES or llm_kinds.interprets(text) \
            or _INSPECTS.search(prose.clean(text)) is not None
        results = _RESULTS.search(prose.clean(text)) is not None
        seen: list[Value] = []
        if judges or results:
            seen = _visible(op, outputs.get(unit, []), position)
        if not seen and (op.op_name in _JUDGES or results):
            for layer in _ancestors(unit, preds, order):
                seen += [v for u in layer for v in _visible(op, outputs.get(u, []), position)]
                if seen and not results:
                    break  # a decision judges what the nearest steps found
        seen = list({id(v): v for v in seen}.values())[-MAX_EVIDENCE:]
        if seen:
            op.operands.extend(seen)
            gained.add((op.loc.line, op.loc.col))
        elif diagnostics is not None and op.op_name not in _JUDGES:
            diagnostics.append(Diagnostic(
                "SKC149", op.loc, f"'{prose.clean(text)[:60]}' sees no command or query output: the model gets "
                "its text alone", "run the command whose output it needs, or name the step it reads", "warning"))
        elif diagnostics is not None and not any(d.code == "SKC153" and d.loc == op.loc for d in diagnostics):
            diagnostics.append(Diagnostic(  # a condition's decision (predicates.py) that nothing before it informs
                "SKC153", op.loc, f"'{prose.clean(text)[:60]}' judges without evidence: no command or query before "
                "it produces anything for it to see", "run the command that shows it, or name the step whose "
                "output it judges", "warning"))
    if diagnostics is not None and gained:
        diagnostics[:] = [d for d in diagnostics if not (d.code == "SKC153" and (d.loc.line, d.loc.col) in gained)]


def _blind(v: Value, depth: int = 0) -> bool:
    """Whether `v` carries nothing a command or query produced: a token, or the text of an
    llm op that itself sees nothing ("Run the following command in all etcd pods." worded
    by a model before anything ran is no evidence for the decision that reads it)."""
    if v.type.kind == "token":
        return True
    d = v.defining_op
    if d is None or d.op_name not in _LLM or depth > 8:
        return False
    return all(_blind(o, depth + 1) for o in d.operands)


def _ancestors(unit: str, preds: dict[str, list[str]], order: dict[str, int]) -> list[list[str]]:
    """The steps before `unit` in the step graph, nearest first, one layer per distance."""
    layers: list[list[str]] = []
    seen = {unit}
    frontier = [unit]
    while frontier:
        nxt = sorted({p for u in frontier for p in preds.get(u, []) if p not in seen}, key=lambda n: order.get(n, 0))
        seen.update(nxt)
        if nxt:
            layers.append(nxt)
        frontier = nxt
    return layers


def _visible(op: Op, values: list[Value], position: dict[int, int]) -> list[Value]:
    """The values of `values` that `op` may use: defined before it, in its block or an enclosing one."""
    chain: dict[int, int] = {}  # id(block) -> position of the op of that block that holds `op`
    node: Op | None = op
    while node is not None and node.parent is not None:
        chain[id(node.parent)] = position.get(id(node), 0)
        node = _parent_op(node.parent)
    out = []
    for v in values:
        d = v.defining_op
        if d is not None and d.parent is not None and id(d.parent) in chain and \
                position.get(id(d), 1 << 60) < chain[id(d.parent)]:
            out.append(v)
    return out


def _parent_op(block: Block) -> Op | None:
    return block.parent_op
