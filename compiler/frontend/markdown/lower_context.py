"""The state the markdown lowerers share while they build one workflow: the document's
steps and their indexes, the classified commands, where variables are assigned, which
values were used or kept, the step graph's edges, inputs, the exit status; and `Scope`,
the names and results visible in one region."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skc.compiler.frontend.common.commands import classify_shell
from skc.compiler.frontend.markdown.interactive import Session
from skc.compiler.frontend.markdown.parallel_hints import ParallelGroups
from skc.compiler.frontend.markdown.step_model import Step
from skc.ir import Value
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic

AGENT_BUDGET: dict[str, Any] = {"max_turns": 10, "max_tokens": 8192, "timeout_s": 600.0}
READ_TOOLS = {"Read", "Grep", "Glob", "LS", "NotebookRead", "TodoWrite", "Task"}
WEB_TOOLS = {"WebFetch", "WebSearch"}


@dataclass
class Scope:
    """Names visible in one region, what its steps produced, and the last step's results."""

    env: dict[str, Value] = field(default_factory=dict)
    produced: list[tuple[str, Value]] = field(default_factory=list)
    last: list[Value] = field(default_factory=list)
    last_label: str = ""
    top: bool = True
    parent: Scope | None = None
    item: Value | None = None  # inside a ctrl.map body: the item, context of every llm op

    def child(self) -> Scope:
        return Scope(dict(self.env), [], list(self.last), self.last_label, top=False, parent=self, item=self.item)

    def path(self) -> list[Value]:
        """Every step result produced on the way here: the enclosing regions' (outermost
        first, up to the op that holds this region), then this region's."""
        chain: list[Scope] = []
        scope: Scope | None = self
        while scope is not None:
            chain.append(scope)
            scope = scope.parent
        return list({id(v): v for s in reversed(chain) for _, v in s.produced}.values())


class LowerContext:
    """What the lowerers of one document share (built once from its steps)."""

    def __init__(self, path: str, steps: list[Step], diagnostics: list[Diagnostic], *,
                 permissions: list[str] | None = None, skill_dir: Path | None = None,
                 record_steps: bool = False) -> None:
        self.path, self.steps, self.diags = path, steps, diagnostics
        self.record_steps = record_steps  # the step graph as workflow attributes (runbooks)
        self.skill_dir = skill_dir
        self.all = [s for top in steps for s in top.walk()]
        self.order = {id(s): i for i, s in enumerate(self.all)}
        self.parent: dict[int, Step] = {id(c): s for s in self.all for c in [*s.children, *s.otherwise]}
        self.otherwise_ids = {id(o) for s in self.all for o in s.otherwise}
        self.by_label: dict[str, Step] = {}
        for s in self.all:
            self.by_label.setdefault(s.label, s)
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
        self.kept: set[int] = set()
        self.producer: dict[int, str] = {}
        self.edges: set[tuple[str, str]] = set()
        self.inputs: dict[str, Value] = {}
        self.groups = ParallelGroups(steps, self.all, self.parent)
        self.status: str | None = None
        self.status_step = ""  # the step whose unconditional exit ends the workflow
        self.session: Session | None = None  # a pod/node/host shell the document opened and is typing into
        self.wf: WorkflowOp | None = None

    def _derived_tools(self) -> list[str]:
        programs = sorted({p.rsplit("/", 1)[-1] for c in self.commands.values() for p in c.programs
                           if re.match(r"[A-Za-z0-9_.-]+\Z", p.rsplit("/", 1)[-1])})
        return [f"Bash({p}:*)" for p in programs] + ["Read"]


def _tool_effects(tools: list[str]) -> list[str]:
    names = {re.sub(r"\(.*", "", t) for t in tools}
    if names - READ_TOOLS - WEB_TOOLS:
        return ["write:*"]
    effects = (["read:*"] if names & READ_TOOLS else []) + (["net:http"] if names & WEB_TOOLS else [])
    return effects or ["pure"]
