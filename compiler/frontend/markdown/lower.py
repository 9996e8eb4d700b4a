"""Lowering: a step tree (see `steps`) to one `skc.workflow` op.

Steps run in document order. Each step becomes the ops of its code (one tool op per
command, query or script) or, when it has no code, one llm op whose prompt is that
step's text (`llm.agent` with the document's tools and budgets for open-ended work).
Data flows only where the document says it does, so independent steps stay
independent for the concurrency pass:

- a variable (`$NS`, `<pod>`) is the value of the step that assigned it
  (`NS=...`, `NS=$(...)`), else a workflow input (SKC121 when a later step
  assigns it);
- an llm step takes the values its text mentions, in order (variables and "step N"
  references, the rule of `lower_code`'s Python blocks: "Given the diagnosis of step
  7, decide ..." reads step 7's result, "Given the `summary` of step 7, ..." only its
  `summary` field through `data.json_get`), and the previous step's results when its
  text refers back to them ("the output", "summarize", ...), never inside a parallel
  hint's range; a decision lists its outcomes ("whether X or Y", "which to apply
  first: A, B, or C", else yes/no, see `llm_kinds.outcomes`);
- a condition reads the previous step's results (see `predicates`), and becomes a
  `ctrl.if` whose then-region is its action and nested steps; "go to step N" puts
  the skipped steps in the else-region. An action or "Otherwise, ..." part that
  only states a conclusion ("the alert is a false positive") is that text, not an
  llm step. Branches yield one text (their unused results joined);
- "For each X ..." over a list an earlier step produced is a `ctrl.map` whose body
  is the per-item work (see `lower_map`).

Early exits ("stop here", "escalate to the on-call", "no further action"): an
unconditional exit at the top level ends the procedure there (the steps after it
are unreachable, SKC120) and becomes the `status` of the workflow's final
`ctrl.return`. An exit inside a branch ends that branch with its own
`"ctrl.return"(...) {status = "escalate"}` instead of a `ctrl.yield`; the other
branch yields as usual, and the rest of the workflow follows the `ctrl.if` once,
in the region that holds it (it is not copied into the branches). Run-time meaning
(the contract with the scheduler): when a `ctrl.return` inside a branch runs, the
whole run ends at once with that `status`, and its operands are the run's outputs.
Those operands are every step result produced on the path to the exit (in the
enclosing regions, outermost first, then in the branch), whether or not a later
step would have consumed it, with the exit's message (`"escalate: <action>"`) last:
what the run had found when it stopped. They also make the exit wait for the steps
before it, as the document orders. Nothing after the `ctrl.if` that writes may
start before it is decided (the scheduler's rule for ops that may exit).

Every op made from a step carries the step's source location and `step` label.
The workflow returns every result nobody consumed, and also, when later steps read
them, every Python block's result and every decision step's choice: what the run
computed and chose, not only the prose made of it (`output_names` are the labels).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from skc.compiler.frontend.markdown import llm_kinds, prose
from skc.compiler.frontend.markdown.case_maps import case_map
from skc.compiler.frontend.markdown.lower_code import CodeLowerer, common_prefix, prose_vars
from skc.compiler.frontend.markdown.lower_context import AGENT_BUDGET, LowerContext, Scope
from skc.compiler.frontend.markdown.lower_map import MapLowerer
from skc.compiler.frontend.markdown.lower_steps import order_steps
from skc.compiler.frontend.markdown.predicates import decision_for, predicate
from skc.compiler.frontend.markdown.step_model import Step, flatten
from skc.compiler.frontend.markdown.value_cases import tests_a_value
from skc.ir import TEXT, InsertionPoint, Value, ctrl, data, llm, workflow
from skc.ir.core import Block
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic, Location


class Lowering:
    """Builds the workflow for one document's steps; diagnostics go to `diagnostics`.

    Composed of the lowerers of code (`coder`: commands, queries, scripts and the values
    they read) and of for-each steps (`mapper`), over one shared `LowerContext`; this
    class lowers the sequence of steps, conditions, exits and llm steps."""

    def __init__(self, path: str, steps: list[Step], diagnostics: list[Diagnostic], *,
                 permissions: list[str] | None = None, skill_dir: Path | None = None,
                 record_steps: bool = False) -> None:
        self.ctx = LowerContext(path, steps, diagnostics, permissions=permissions, skill_dir=skill_dir,
                                record_steps=record_steps)
        self.coder = CodeLowerer(self.ctx)
        self.mapper = MapLowerer(self.ctx, self.coder, self)

    # ------------------------------------------------------------------ driver

    def build(self, sym_name: str, **attrs: Any) -> WorkflowOp:
        wf = workflow(sym_name, loc=Location(self.ctx.path, 1, 1), **attrs)
        self.ctx.wf = wf
        scope = Scope()
        with InsertionPoint(wf.body):
            self.seq(flatten(self.ctx.steps), scope)
            leaves = self.leaves(scope)
            names = unique_names([_slug(label) for label, _ in leaves])
            final = ctrl.return_(*(v for _, v in leaves), status=self.ctx.status)
            if self.ctx.status_step:
                final.attributes["step"] = self.ctx.status_step
        order_steps(wf, self.ctx.steps, self.ctx.edges, record=self.ctx.record_steps, diagnostics=self.ctx.diags)
        if self.ctx.inputs:
            wf.attributes["arg_names"] = list(self.ctx.inputs)
        if leaves:
            wf.attributes["output_names"] = names
        self.ctx.diags.extend(self.ctx.groups.check(self.ctx.edges))
        return wf

    def seq(self, units: list[Step], scope: Scope) -> bool:
        """Units in order, with jumps and early exits turned into structured control flow.

        Returns True when every path through the units ends the workflow (what would
        follow them never runs). A conditional jump puts the skipped steps in the
        else-region of its `ctrl.if`; an exit ends the region (see the module docstring).
        """
        i = 0
        while i < len(units):
            u = units[i]
            if u.condition is not None:
                target = self.target(u, units, i) if u.goto is not None else None
                if target is not None:
                    self.condition(u, scope, otherwise=units[i + 1:target], jumps=True)
                    i = target
                    continue
                if self.condition(u, scope):
                    self.unreachable(units[i + 1:], u)  # sliced only here: linear
                    return True
                i += 1
                continue
            if self.mapper.for_each(u, scope):
                i += 1 + len(flatten(u.children))  # its sub-steps are the map's body
                continue
            self.emit(u, scope)
            if u.goto is not None:
                target = self.target(u, units, i)
                if target is not None:
                    self.unreachable(units[i + 1:target], u)
                    i = target
                    continue
            if u.exit is not None:
                self.unreachable(units[i + 1:], u)  # sliced only here: linear
                if scope.top:
                    self.ctx.status_step = self.ctx.status_step or (u.label if not self.ctx.status else "")
                    self.ctx.status = self.ctx.status or u.exit
                else:
                    self.exit_(u.exit, scope, u)
                return True
            i += 1
        return False

    def target(self, u: Step, units: list[Step], i: int) -> int | None:
        """Index in `units` of the step `u` jumps to (SKC126 if missing, SKC124 if backwards)."""
        n = u.goto
        later = [j for j in range(i + 1, len(units)) if units[j].number == n]
        if later:
            return max(later, key=lambda j: (common_prefix(units[j].label, u.label), -j))
        if any(s.number == n for s in self.ctx.all):
            self.ctx.diags.append(Diagnostic("SKC124", u.loc, f"'{prose.clean(u.text)[:60]}' goes back to step {n}: "
                                         "loops are not compiled, the steps run once",
                                         "rewrite the loop as a bounded retry or a separate runbook", "warning"))
            return None
        self.ctx.diags.append(Diagnostic("SKC126", u.loc, f"go to step {n}, but there is no step {n}",
                                     "number the target step or fix the reference", "warning"))
        return None

    def unreachable(self, skipped: list[Step], cause: Step) -> None:
        for s in skipped:
            if not s.title and (s.snippets or s.text.strip()):
                self.ctx.diags.append(Diagnostic("SKC120", s.loc, f"step {s.label} is unreachable: step {cause.label} "
                                             "never continues to it", "remove it or make the jump conditional",
                                             "warning"))

    # ------------------------------------------------------------------ steps

    def emit(self, st: Step, scope: Scope) -> None:
        if st.section:
            scope.last, scope.last_label = [], st.label  # a new section starts from nothing
            return
        values: list[Value] = []
        if st.snippets:
            values = self.coder.code(st, scope)
            if st.exit is not None:
                values.append(self.coder.tag(data.const(f"{st.exit}: {prose.clean(st.text)}", loc=st.loc), st))
        elif st.exit is not None:
            values = [self.coder.tag(data.const(f"{st.exit}: {prose.clean(st.text)}", loc=st.loc), st)]
        elif self.concludes(st, text := prose.clean(st.text)):
            values = [self.coder.tag(data.const(text, loc=st.loc), st)]
        elif self.wants_llm(st, text):
            values = [self.llm_step(st, st.prompt, scope)]
        if values:
            scope.last, scope.last_label = values, st.label
            scope.produced.extend((st.label, v) for v in values)
            for v in values:
                self.ctx.producer[id(v)] = st.label

    def concludes(self, st: Step, text: str) -> bool:
        """Whether `st` (its text cleaned: `text`) is an "Otherwise, <conclusion>" part ("Otherwise
        the alert is a false positive."): a statement, not an instruction, so its branch yields
        the text itself, as a conclusion in the then-part does."""
        return id(st) in self.ctx.otherwise_ids and not (st.children or st.condition or st.goto is not None) \
            and bool(text) and not text.endswith(":") and not prose.is_instruction(text) and not prose.modal(text)

    def wants_llm(self, st: Step, text: str) -> bool:
        """Whether `st` (its text cleaned: `text`) is work for a model."""
        if st.title or not text or st.goto is not None:
            return False
        if (st.parallel is not None or st.next is not None or st.after) and len(prose.sentences(st.text)) <= 1:
            return False  # a hint or "proceed to step N", not work
        if prose.collects_parameters(st.text) and not st.children:
            for v in prose_vars(st.text):
                self.coder.var(v.name, st.loc, st, Scope())  # "Collect these parameters: {region}, ...": the inputs
            return False
        if st.children and text.endswith(":") and len(prose.sentences(st.text)) <= 1:
            return False  # "For each task:" heads its sub-steps
        return not any(d.snippets for c in st.children for d in c.walk())

    def llm_step(self, st: Step, prompt: str, scope: Scope) -> Value:
        context = self.coder.mentioned(prompt, st, scope)
        if llm_kinds.refers_back(prompt) and not self.ctx.groups.same_group(st.label, scope.last_label):
            context += scope.last
        kind = llm_kinds.llm_kind(prompt)
        cases = case_map(st.text, st.options) if kind == "generate" else []
        kind = "decide" if cases else kind  # "First check the labels." + "- `long: 1h`: ... -- fix it now"
        if not context and (kind in ("decide", "extract") or llm_kinds.interprets(prompt)):
            context = self.step_evidence(st, scope)  # "look for X", "check whether ...": what its step ran
        if scope.item is not None:
            context.append(scope.item)
        context = list({id(v): v for v in context}.values())
        self.coder.use(context, st)
        if not context and kind in ("decide", "extract"):
            self.ctx.diags.append(Diagnostic(
                "SKC153", st.loc, f"'{prose.clean(prompt)[:60]}' judges without evidence: no command or query of "
                "its step produces anything for it to see", "run the command that shows it, or name the step whose "
                "output it judges", "warning"))
        common: dict = {"loc": st.loc, "step": st.label}
        if kind == "agent":
            return llm.agent(prompt, list(self.ctx.tools), *context, effects=list(self.ctx.agent_effects), **AGENT_BUDGET,
                             **common)
        if kind == "decide":
            outcomes = list(dict.fromkeys(prose.slug(c) for c in cases)) if cases \
                else llm_kinds.outcomes(prompt, st.options)
            choice = llm.decide(prompt, outcomes, *context, **common)
            self.ctx.kept.add(id(choice))
            return choice
        if kind == "extract":
            plural = re.search(r"\b(?:all|every|each|list|collect|gather)\b", prompt, re.I) is not None
            schema = '{"type":"array"}' if plural else '{"type":"object"}'
            return llm.extract(prompt, schema, *context, **common)
        return llm.generate(prompt, *context, **common)

    def step_evidence(self, st: Step, scope: Scope) -> list[Value]:
        """The values the commands and queries of `st`'s top-level step produced so far (the
        outputs a judgement in that step is about)."""
        unit = self.coder.unit_of(st)
        values: list[Value] = []
        chain: Scope | None = scope
        while chain is not None:
            values += [v for label, v in chain.produced if self._unit_label(label) == unit
                       and (op := v.defining_op) is not None and op.op_name.startswith(("tool.", "ctrl.manual"))]
            chain = chain.parent
        return list({id(v): v for v in values}.values())

    def _unit_label(self, label: str) -> str:
        s = self.ctx.by_label.get(label)
        return self.coder.unit_of(s) if s is not None else ""

    def condition(self, st: Step, scope: Scope, *, otherwise: list[Step] | None = None,
                  jumps: bool = False) -> bool:
        """`ctrl.if` over the condition's predicate: then = the action (none for a jump), the
        nested steps and, for an exit, the exit itself; else = the "Otherwise" steps, then
        `otherwise` (the steps a jump skips). True when both branches end the workflow."""
        cond = st.condition
        assert cond is not None
        subject = [v for v in scope.last if v.type.kind != "token"]
        if tests_a_value(st):  # "If the outbound type is `X`": the choice of its value made before
            subject = decision_for(cond.cond, scope.path()) or subject
        if not subject:  # a condition that opens a section judges what the steps before it found
            path = scope.path()
            subject = decision_for(cond.cond, path) or [v for v in path[-1:] if v.type.kind != "token"]
        self.coder.use(subject, st)
        pred = predicate(cond.cond, subject, loc=st.loc, step=st.label, negated=cond.negated)
        branch = ctrl.if_(pred, [TEXT], loc=st.loc)
        branch.attributes["step"] = st.label
        with InsertionPoint(branch.then_block):
            inner = scope.child()
            if st.exit is not None or jumps:
                if st.snippets:
                    self.emit_code(st, inner)
            else:
                self.action(st, inner)
            ends = self.seq(flatten(st.children), inner)
            if st.exit is not None and not ends:
                inner.produced.append((st.label, self.coder.tag(data.const(
                    f"{st.exit}: {prose.clean(cond.action)}", loc=st.loc), st)))
                self.exit_(st.exit, inner, st)
                ends = True
            if not _terminated(branch.then_block):
                self.yield_(inner, st)
        with InsertionPoint(branch.else_block):
            other = scope.child()
            other_ends = self.seq(flatten(st.otherwise) + list(otherwise or []), other)
            if not _terminated(branch.else_block):
                self.yield_(other, st)
        if not (ends and other_ends):
            scope.produced.append((st.label, branch.result))
            self.ctx.producer[id(branch.result)] = st.label
        return ends and other_ends

    def exit_(self, status: str, scope: Scope, st: Step) -> None:
        """Ends the current branch with an early exit of the whole workflow:
        `ctrl.return` with `status`, returning every step result on the path (`Scope.path`)."""
        ret = ctrl.return_(*scope.path(), status=status, loc=st.loc)
        ret.attributes["step"] = st.label

    def action(self, st: Step, scope: Scope) -> None:
        cond = st.condition
        assert cond is not None
        action = prose.clean(cond.action)
        listed = action.endswith(":") and bool(st.options) and not st.children  # "..., check whether one of these occurred:"
        if st.snippets:
            self.emit_code(st, scope)
        elif action and (listed or not action.endswith(":")) and (prose.is_instruction(action) or prose.modal(action)):
            value = self.llm_step(st, st.prompt if listed else action, scope)
            scope.produced.append((st.label, value))
            scope.last, scope.last_label = [value], st.label
        elif action and not action.endswith(":"):
            scope.produced.append((st.label, self.coder.tag(data.const(action, loc=st.loc), st)))
            if not st.otherwise and not st.children:
                self.ctx.diags.append(Diagnostic(
                    "SKC122", st.loc, f"'{prose.clean(st.text)[:80]}' says what it means but not what to do "
                    "otherwise", "add an 'Otherwise, ...' step for the other outcome", "warning"))

    def emit_code(self, st: Step, scope: Scope) -> None:
        values = self.coder.code(st, scope)
        if values:
            scope.produced.extend((st.label, v) for v in values)
            scope.last, scope.last_label = values, st.label

    def yield_(self, scope: Scope, st: Step) -> None:
        leaves = [v for _, v in self.leaves(scope)]
        if not leaves:
            value = self.coder.tag(data.const("", loc=st.loc), st)
        elif len(leaves) == 1 and leaves[0].type == TEXT:
            value = leaves[0]
        else:
            value = self.coder.tag(data.concat(*leaves, sep="\n", loc=st.loc), st)
        self.coder.use(leaves, st)
        ctrl.yield_(value)

    def leaves(self, scope: Scope) -> list[tuple[str, Value]]:
        return [(label, v) for label, v in scope.produced if id(v) not in self.ctx.used or id(v) in self.ctx.kept]

def _terminated(block: Block) -> bool:
    """Whether a region's block already ends (an early exit closed it)."""
    return bool(block.ops) and block.ops[-1].terminator


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(label: str) -> str:
    s = _NOT_SLUG.sub("_", label.lower()).strip("_") or "result"
    return s if not s[0].isdigit() else "step_" + s


def unique_names(names: list[str]) -> list[str]:
    """`names` with repeats numbered (`a, a` -> `a, a_2`)."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out
