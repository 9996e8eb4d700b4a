"""Lowering of a step's code: commands, queries, Python and scripts to `tool.*` ops.

`CodeLowering` is the half of `Lowering` that turns snippets into ops: a shell
command becomes `tool.shell` (`argv`, or `cmd` when it needs a shell) with the
effects and result type `commands` classified, its variables as operands; an
assignment (`NS=prod`, `POD=$(kubectl ...)`) defines a workflow value; a command
that opens an interactive session (`kubectl debug`, `psql`) absorbs the lines that
follow it in the same block; `scripts/...` in a skill becomes `tool.script`;
SQL/PromQL/LogQL/KQL become `tool.sql` (reads or writes by statement); Python
becomes `tool.python`. A write gets `confirm = true` when the document asks for
confirmation around the step, and SKC123 when it does not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skc.compiler.frontend import prose
from skc.compiler.frontend.commands import (
    Command,
    classify_shell,
    classify_sql,
    find_vars,
    python_effects,
    templated,
)
from skc.compiler.frontend.snippets import Snippet
from skc.compiler.frontend.step_model import Step
from skc.ir import TEXT, Block, Value, data, tool
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic, Location

if TYPE_CHECKING:
    from skc.compiler.frontend.lower import _Scope

_QUERY = {"sql": (None, "default"), "promql": ("promql", "prometheus"), "logql": ("logql", "loki"),
          "kql": ("kql", "kusto")}


class CodeLowering:
    """Values and code of steps; the base of `Lowering`, which sets the attributes below."""

    commands: dict[int, Command]
    diags: list[Diagnostic]
    skill_dir: Path | None
    wf: WorkflowOp | None
    inputs: dict[str, Value]
    defined_at: dict[str, int]
    order: dict[int, int]
    all: list[Step]
    parent: dict[int, Step]
    used: set[int]
    producer: dict[int, str]
    edges: set[tuple[str, str]]

    def operands(self, names: list[str], sn: Snippet, st: Step, scope: _Scope) -> list[Value]:
        values = [self.var(n, sn.loc, st, scope) for n in names]
        self.use(values, st)
        return values

    def var(self, name: str, loc: Location, st: Step, scope: _Scope) -> Value:
        if name in scope.env:
            return scope.env[name]
        at = self.defined_at.get(name)
        if at is not None and at > self.order.get(id(st), 0) and name not in self.inputs:
            self.diags.append(Diagnostic("SKC121", loc, f"${name} is used before step {self.all[at].label} sets it",
                                         "move the assignment earlier, or pass it as an input", "warning"))
        if name not in self.inputs:
            assert self.wf is not None
            block: Block = self.wf.body
            value = Value(TEXT, block, len(block.args), name)
            block.args.append(value)
            self.inputs[name] = value
        return self.inputs[name]

    def use(self, values: list[Value], st: Step) -> None:
        for v in values:
            self.used.add(id(v))
            producer = self.producer.get(id(v))
            if producer is not None and producer != st.label:
                self.edges.add((st.label, producer))

    def tag(self, value: Value, st: Step) -> Value:
        op = value.defining_op
        if op is not None:
            op.attributes["step"] = st.label
        return value

    def lineage(self, st: Step) -> list[Step]:
        out = [st]
        while id(out[-1]) in self.parent:
            out.append(self.parent[id(out[-1])])
        return out

    def code(self, st: Step, scope: _Scope) -> list[Value]:
        out: list[Value] = []
        snippets = st.snippets
        i = 0
        while i < len(snippets):
            sn = snippets[i]
            cmd = self.commands.get(id(sn))
            if cmd is not None and cmd.session and i + 1 < len(snippets) and snippets[i + 1].kind == "shell":
                j = i + 1
                while j < len(snippets) and snippets[j].kind == "shell" and snippets[j].loc.line > sn.loc.line:
                    j += 1
                value = self.shell(st, sn, classify_shell("\n".join(s.text for s in snippets[i:j])), scope,
                                   extra=[self.commands[id(s)] for s in snippets[i + 1:j]])
                i = j
            else:
                value = self.snippet(st, sn, cmd, scope)
                i += 1
            if value is not None:
                out.append(value)
        return out

    def snippet(self, st: Step, sn: Snippet, cmd: Command | None, scope: _Scope) -> Value | None:
        if cmd is not None:
            return self.shell(st, sn, cmd, scope)
        if sn.kind in _QUERY:
            return self.query(st, sn, scope)
        if sn.kind == "python":
            return self.tag(tool.python(sn.text, effects=python_effects(sn.text), loc=sn.loc), st)
        return self.script(st, sn.text, [], None, sn, scope)

    def shell(self, st: Step, sn: Snippet, cmd: Command, scope: _Scope, extra: list[Command] | None = None) -> Value | None:
        if cmd.assigns and cmd.assign_template is not None:
            operands = self.operands(cmd.vars, sn, st, scope)
            value = data.template(cmd.assign_template, *operands, loc=sn.loc, name=cmd.assigns) if operands \
                else data.const(cmd.assign_template, loc=sn.loc, name=cmd.assigns)
            scope.env[cmd.assigns] = self.tag(value, st)
            return None
        if cmd.assigns and cmd.assign_command is not None:
            name = cmd.assigns
            assigned = self.shell(st, sn, classify_shell(cmd.assign_command), scope)
            if assigned is not None:
                scope.env[name] = assigned
            return assigned
        if cmd.script and self.skill_dir is not None:
            return self.script(st, cmd.script, cmd.script_args, cmd.interpreter, sn, scope, cmd.vars)
        effects = cmd.effects
        for e in extra or []:
            effects = _merge(effects, e.effects)
        operands = self.operands(cmd.vars, sn, st, scope)
        attrs = self.confirm(st, sn, effects, cmd.writes or any(e.writes for e in extra or []))
        if cmd.argv is not None:
            value = tool.shell(cmd.argv, *operands, effects=effects, result=cmd.result, loc=sn.loc, **attrs)
        else:
            value = tool.shell(None, *operands, effects=effects, cmd=cmd.cmd_line, result=cmd.result, loc=sn.loc,
                               **attrs)
        return self.tag(value, st)

    def query(self, st: Step, sn: Snippet, scope: _Scope) -> Value:
        lang, db = _QUERY[sn.kind]
        found = [v for v in find_vars(sn.text, shell=False) if sn.kind != "sql" or not v.raw.startswith("$")]
        order = list(dict.fromkeys(v.name for v in found))
        query = templated(sn.text, found, order)
        operands = self.operands(order, sn, st, scope)
        if sn.kind == "sql":
            db = _db_name(st.text) or db
            effects, writes = classify_sql(sn.text, db)
        else:
            effects, writes = [f"net:{db}"], False
        attrs = self.confirm(st, sn, effects, writes)
        return self.tag(tool.sql(query, *operands, db=db, effects=effects, loc=sn.loc, lang=lang, **attrs), st)

    def script(self, st: Step, path: str, args: list[str], interpreter: str | None, sn: Snippet, scope: _Scope,
               names: list[str] | None = None) -> Value:
        path = path.removeprefix("./")
        if self.skill_dir is not None and not (self.skill_dir / path).is_file():
            self.diags.append(Diagnostic("SKC127", sn.loc, f"{path} is not in the skill folder",
                                         "ship the script under scripts/ or fix the path", "warning"))
        used = [n for n in (names or []) if any("{" + n + "}" in a for a in args)]
        argv = [re.sub(r"\{([a-z_][a-z0-9_]*)\}", lambda m: f"{{{used.index(m.group(1))}}}" if m.group(1) in used
                       else m.group(0), a) for a in args]
        operands = self.operands(used, sn, st, scope)
        interp = interpreter or {"py": "python3", "sh": "bash"}.get(path.rsplit(".", 1)[-1])
        attrs = self.confirm(st, sn, ["write:*"], False)
        return self.tag(tool.script(path, *operands, args=argv or None, loc=sn.loc, interpreter=interp, **attrs), st)

    def confirm(self, st: Step, sn: Snippet, effects: list[str], writes: bool) -> dict[str, Any]:
        """`confirm = true` for a write the document asks to confirm; SKC123 for one it does not."""
        if not any(e.startswith("write:") for e in effects):
            return {}
        context = " ".join(s.text + " " + " ".join(s.details) for s in self.lineage(st))
        if prose.asks_confirmation(context):
            return {"confirm": True}
        if writes:
            self.diags.append(Diagnostic("SKC123", sn.loc, f"'{sn.text[:60]}' changes {_written(effects)} "
                                         "without asking for confirmation",
                                         "say 'confirm before ...' or 'after approval' in the step", "warning"))
        return {}


def _merge(a: list[str], b: list[str]) -> list[str]:
    if "write:*" in a or "write:*" in b:
        return ["write:*"]
    merged = [e for e in dict.fromkeys([*a, *b]) if e != "pure"]
    return merged or ["pure"]


def _written(effects: list[str]) -> str:
    if "write:*" in effects:
        return "whatever it touches"
    return ", ".join(e.removeprefix("write:") for e in effects if e.startswith("write:"))


def _db_name(text: str) -> str | None:
    m = re.search(r"(?:database|db)\s+`?([A-Za-z_][\w-]*)`?|`([A-Za-z_][\w-]*)`\s+(?:database|db)\b", text, re.I)
    return (m.group(1) or m.group(2)) if m else None
