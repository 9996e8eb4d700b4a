"""Lowering: a step tree (see `steps`) to one `skc.workflow` op.

Steps run in document order. Each step becomes the ops of its code (one tool op per
command, query or script) or, when it has no code, one llm op whose prompt is that
step's text (`llm.agent` with the document's tools and budgets for open-ended work).
Data flows only where the document says it does, so independent steps stay
independent for the concurrency pass:

- a variable (`$NS`, `<pod>`) is the value of the step that assigned it
  (`NS=...`, `NS=$(...)`), else a workflow input (SKC121 when a later step
  assigns it);
- an llm step takes the previous step's results only when its text refers back
  to them ("the output", "summarize", ...), never inside a parallel hint's range;
- a condition reads the previous step's results (see `predicates`), and becomes a
  `ctrl.if` whose then-region is its action and nested steps; "go to step N" puts
  the skipped steps in the else-region, an early exit puts the rest of the
  workflow there. Branches yield one text (their unused results joined).

Every op made from a step carries the step's source location and `step` label.
The workflow returns every result nobody consumed (`output_names` are the labels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from skc.compiler.frontend import prose
from skc.compiler.frontend.commands import (
    classify_shell,
    find_vars,
)
from skc.compiler.frontend.lower_code import CodeLowering
from skc.compiler.frontend.predicates import predicate
from skc.compiler.frontend.step_model import Step
from skc.ir import TEXT, InsertionPoint, Value, ctrl, data, llm, workflow
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic, Location

MAX_COPIES = 8  # continuations duplicated into branches that may exit
AGENT_BUDGET: dict[str, int | float] = {"max_turns": 10, "max_tokens": 8192, "timeout_s": 600.0}
READ_TOOLS = {"Read", "Grep", "Glob", "LS", "NotebookRead", "TodoWrite", "Task"}
WEB_TOOLS = {"WebFetch", "WebSearch"}


@dataclass
class _Scope:
    """Names visible in one region, what its steps produced, and the last step's results."""

    env: dict[str, Value] = field(default_factory=dict)
    produced: list[tuple[str, Value]] = field(default_factory=list)
    last: list[Value] = field(default_factory=list)
    last_label: str = ""
    top: bool = True

    def child(self) -> _Scope:
        return _Scope(dict(self.env), [], list(self.last), self.last_label, top=False)


class Lowering(CodeLowering):
    """Builds the workflow for one document's steps; diagnostics go to `diagnostics`."""

    def __init__(self, path: str, steps: list[Step], diagnostics: list[Diagnostic], *,
                 permissions: list[str] | None = None, skill_dir: Path | None = None) -> None:
        self.path, self.steps, self.diags = path, steps, diagnostics
        self.skill_dir = skill_dir
        self.all = [s for top in steps for s in top.walk()]
        self.order = {id(s): i for i, s in enumerate(self.all)}
        self.parent: dict[int, Step] = {id(c): s for s in self.all for c in [*s.children, *s.otherwise]}
        self.commands = {id(sn): classify_shell(sn.text) for s in self.all for sn in s.snippets if sn.kind == "shell"}
        self.defined_at: dict[str, int] = {}
        for s in self.all:
            for sn in s.snippets:
                cmd = self.commands.get(id(sn))
                if cmd is not None and cmd.assigns:
                    self.defined_at.setdefault(cmd.assigns, self.order[id(s)])
        self.tools = permissions if permissions else self._derived_tools()
        self.agent_effects = _tool_effects(self.tools)
        self.used: set[int] = set()
        self.producer: dict[int, str] = {}
        self.edges: set[tuple[str, str]] = set()
        self.inputs: dict[str, Value] = {}
        self.groups = self._parallel_groups()
        self.status: str | None = None
        self.copies = 0
        self.wf: WorkflowOp | None = None

    # ------------------------------------------------------------------ driver

    def build(self, sym_name: str, **attrs: object) -> WorkflowOp:
        wf = workflow(sym_name, loc=Location(self.path, 1, 1), **attrs)
        self.wf = wf
        scope = _Scope()
        with InsertionPoint(wf.body):
            self.seq(_flatten(self.steps), scope)
            leaves = self.leaves(scope)
            names = _unique([_slug(label) for label, _ in leaves])
            ctrl.return_(*(v for _, v in leaves), status=self.status)
        if self.inputs:
            wf.attributes["arg_names"] = list(self.inputs)
        if leaves:
            wf.attributes["output_names"] = names
        self.check_parallel()
        return wf

    def seq(self, units: list[Step], scope: _Scope) -> None:
        """Units in order, with jumps and early exits turned into structured control flow.

        An exit inside a branch must also stop what follows the branch, so when a
        branch may exit, the rest of the region is placed in both of its arms
        (bounded by MAX_COPIES; past it the rest follows the branch, approximately).
        """
        i = 0
        while i < len(units):
            u = units[i]
            rest = units[i + 1:]
            if u.condition is not None:
                target = self.target(u, units, i) if u.goto is not None else None
                if u.exit is not None:
                    self.condition(u, scope, then=[], otherwise=rest, exits=True)
                    return
                if target is not None:
                    if _may_exit(units[i + 1:target]) and self.copy():
                        self.condition(u, scope, then=units[target:], otherwise=rest, jumps=True)
                        return
                    self.condition(u, scope, then=[], otherwise=units[i + 1:target], jumps=True)
                    i = target
                    continue
                if _may_exit([*u.children, *u.otherwise]) and rest and self.copy():
                    self.condition(u, scope, then=rest, otherwise=rest)
                    return
                self.condition(u, scope, then=[], otherwise=[])
                i += 1
                continue
            self.emit(u, scope)
            if u.goto is not None:
                target = self.target(u, units, i)
                if target is not None:
                    self.unreachable(units[i + 1:target], u)
                    i = target
                    continue
            if u.exit is not None:
                if scope.top:
                    self.status = self.status or u.exit
                self.unreachable(rest, u)
                return
            i += 1

    def copy(self) -> bool:
        self.copies += 1
        return self.copies <= MAX_COPIES

    def target(self, u: Step, units: list[Step], i: int) -> int | None:
        """Index in `units` of the step `u` jumps to (SKC126 if missing, SKC124 if backwards)."""
        n = u.goto
        later = [j for j in range(i + 1, len(units)) if units[j].number == n]
        if later:
            return max(later, key=lambda j: (_common(units[j].label, u.label), -j))
        if any(s.number == n for s in self.all):
            self.diags.append(Diagnostic("SKC124", u.loc, f"'{prose.clean(u.text)[:60]}' goes back to step {n}: "
                                         "loops are not compiled, the steps run once",
                                         "rewrite the loop as a bounded retry or a separate runbook", "warning"))
            return None
        self.diags.append(Diagnostic("SKC126", u.loc, f"go to step {n}, but there is no step {n}",
                                     "number the target step or fix the reference", "warning"))
        return None

    def unreachable(self, skipped: list[Step], cause: Step) -> None:
        for s in skipped:
            if not s.title and (s.snippets or s.text.strip()):
                self.diags.append(Diagnostic("SKC120", s.loc, f"step {s.label} is unreachable: step {cause.label} "
                                             "never continues to it", "remove it or make the jump conditional",
                                             "warning"))

    # ------------------------------------------------------------------ steps

    def emit(self, st: Step, scope: _Scope) -> None:
        if st.section:
            scope.last, scope.last_label = [], st.label  # a new section starts from nothing
            return
        values: list[Value] = []
        if st.snippets:
            values = self.code(st, scope)
            if st.exit is not None:
                values.append(self.tag(data.const(f"{st.exit}: {prose.clean(st.text)}", loc=st.loc), st))
        elif st.exit is not None:
            values = [self.tag(data.const(f"{st.exit}: {prose.clean(st.text)}", loc=st.loc), st)]
        elif self.wants_llm(st):
            values = [self.llm_step(st, st.prompt, scope)]
        if values:
            scope.last, scope.last_label = values, st.label
            scope.produced.extend((st.label, v) for v in values)
            for v in values:
                self.producer[id(v)] = st.label

    def wants_llm(self, st: Step) -> bool:
        if st.title or not prose.clean(st.text) or st.goto is not None:
            return False
        if st.parallel is not None and len(prose.sentences(st.text)) <= 1:
            return False  # a hint, not work
        if st.children and prose.clean(st.text).endswith(":") and len(prose.sentences(st.text)) <= 1:
            return False  # "For each task:" heads its sub-steps
        return not any(d.snippets for c in st.children for d in c.walk())

    def llm_step(self, st: Step, prompt: str, scope: _Scope) -> Value:
        context = [self.var(v.name, st.loc, st, scope) for v in _prose_vars(prompt)]
        if prose.refers_back(prompt) and not self.same_group(st.label, scope.last_label):
            context += scope.last
        context = list({id(v): v for v in context}.values())
        self.use(context, st)
        kind = prose.llm_kind(prompt)
        common: dict = {"loc": st.loc, "step": st.label}
        if kind == "agent":
            return llm.agent(prompt, list(self.tools), *context, effects=list(self.agent_effects), **AGENT_BUDGET,
                             **common)
        if kind == "decide":
            return llm.decide(prompt, prose.outcomes(prompt, st.options), *context, **common)
        if kind == "extract":
            plural = re.search(r"\b(?:all|every|each|list|collect|gather)\b", prompt, re.I) is not None
            schema = '{"type":"array"}' if plural else '{"type":"object"}'
            return llm.extract(prompt, schema, *context, **common)
        return llm.generate(prompt, *context, **common)

    def condition(self, st: Step, scope: _Scope, *, then: list[Step], otherwise: list[Step],
                  exits: bool = False, jumps: bool = False) -> None:
        """`ctrl.if` over the condition's predicate: then = action, nested steps, `then`;
        else = the "Otherwise" steps, `otherwise`."""
        cond = st.condition
        assert cond is not None
        subject = [v for v in scope.last if v.type.kind != "token"]
        self.use(subject, st)
        pred = predicate(cond.cond, subject, loc=st.loc, step=st.label, negated=cond.negated)
        branch = ctrl.if_(pred, [TEXT], loc=st.loc)
        branch.attributes["step"] = st.label
        with InsertionPoint(branch.then_block):
            inner = scope.child()
            if exits:
                if st.snippets:
                    self.emit_code(st, inner)
                inner.produced.append((st.label, self.tag(data.const(
                    f"{st.exit}: {prose.clean(cond.action)}", loc=st.loc), st)))
            elif not jumps:
                self.action(st, inner)
            self.seq(_flatten(st.children) + then, inner)
            self.yield_(inner, st)
        with InsertionPoint(branch.else_block):
            other = scope.child()
            self.seq(_flatten(st.otherwise) + otherwise, other)
            self.yield_(other, st)
        scope.produced.append((st.label, branch.result))
        self.producer[id(branch.result)] = st.label

    def action(self, st: Step, scope: _Scope) -> None:
        cond = st.condition
        assert cond is not None
        action = prose.clean(cond.action)
        if st.snippets:
            self.emit_code(st, scope)
        elif action and not action.endswith(":") and (prose.is_instruction(action) or prose.modal(action)):
            value = self.llm_step(st, action, scope)
            scope.produced.append((st.label, value))
            scope.last, scope.last_label = [value], st.label
        elif action and not action.endswith(":"):
            scope.produced.append((st.label, self.tag(data.const(action, loc=st.loc), st)))
            if not st.otherwise and not st.children:
                self.diags.append(Diagnostic(
                    "SKC122", st.loc, f"'{prose.clean(st.text)[:80]}' says what it means but not what to do "
                    "otherwise", "add an 'Otherwise, ...' step for the other outcome", "warning"))

    def emit_code(self, st: Step, scope: _Scope) -> None:
        values = self.code(st, scope)
        if values:
            scope.produced.extend((st.label, v) for v in values)
            scope.last, scope.last_label = values, st.label

    def yield_(self, scope: _Scope, st: Step) -> None:
        leaves = [v for _, v in self.leaves(scope)]
        if not leaves:
            value = self.tag(data.const("", loc=st.loc), st)
        elif len(leaves) == 1 and leaves[0].type == TEXT:
            value = leaves[0]
        else:
            value = self.tag(data.concat(*leaves, sep="\n", loc=st.loc), st)
        self.use(leaves, st)
        ctrl.yield_(value)

    def leaves(self, scope: _Scope) -> list[tuple[str, Value]]:
        return [(label, v) for label, v in scope.produced if id(v) not in self.used]

    # ------------------------------------------------------------------ parallel hints

    def _parallel_groups(self) -> list[tuple[Step, set[str]]]:
        groups: list[tuple[Step, set[str]]] = []
        for s in self.all:
            hint = s.parallel
            if hint is None:
                continue
            parent = self.parent.get(id(s))
            siblings = parent.children if parent is not None else self.steps
            if hint.following:
                members = s.children or siblings[siblings.index(s) + 1:] if s in siblings else s.children
            else:
                pool = [c for c in siblings if c.number in hint.numbers] or \
                    [c for c in s.children if c.number in hint.numbers] or \
                    [c for c in self.all if c.number in hint.numbers]
                members = pool
            labels = {label for m in members for label in (d.label for d in m.walk())}
            if len(members) >= 2:
                groups.append((s, labels))
        return groups

    def same_group(self, a: str, b: str) -> bool:
        return any(a in g and b in g for _, g in self.groups)

    def check_parallel(self) -> None:
        """SKC125 when a step of a parallel range uses what another step of the range produced."""
        by_label = {s.label: s for s in self.all}
        for hint, group in self.groups:
            for consumer, producer in sorted(self.edges):
                if consumer in group and producer in group and not consumer.startswith(producer + "."):
                    self.diags.append(Diagnostic(
                        "SKC125", by_label[consumer].loc if consumer in by_label else hint.loc,
                        f"step {hint.label} says these steps run in parallel, but step {consumer} uses the result "
                        f"of step {producer}", "drop the hint or remove the dependency", "warning"))

    def _derived_tools(self) -> list[str]:
        programs = sorted({p.rsplit("/", 1)[-1] for c in self.commands.values() for p in c.programs
                           if re.match(r"[A-Za-z0-9_.-]+\Z", p.rsplit("/", 1)[-1])})
        return [f"Bash({p}:*)" for p in programs] + ["Read"]


def _flatten(steps: list[Step]) -> list[Step]:
    """Steps in order; a condition keeps its nested steps (they run in its then-region)."""
    out: list[Step] = []
    for s in steps:
        out.append(s)
        if s.condition is None:
            out.extend(_flatten(s.children))
    return out


def _may_exit(steps: list[Step]) -> bool:
    """Whether running `steps` may stop the procedure (an exit anywhere inside)."""
    return any(s.exit is not None for top in steps for s in top.walk())


def _prose_vars(text: str) -> list:
    return [v for v in find_vars(text, shell=False)
            if not v.raw.startswith("$") or v.raw.lstrip("${").split("}")[0].isupper()]


def _tool_effects(tools: list[str]) -> list[str]:
    names = {re.sub(r"\(.*", "", t) for t in tools}
    if names - READ_TOOLS - WEB_TOOLS:
        return ["write:*"]
    effects = (["read:*"] if names & READ_TOOLS else []) + (["net:http"] if names & WEB_TOOLS else [])
    return effects or ["pure"]


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        n += 1
    return n


def _slug(label: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_") or "result"
    return s if not s[0].isdigit() else "step_" + s


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out
