"""Lowering of a step's code: commands, queries, Python and scripts to `tool.*` ops.

`CodeLowerer` is the part of `Lowering` (composed into it, sharing its `LowerContext`)
that turns snippets into ops: a shell
command becomes `tool.shell` (`argv`, or `cmd` when it needs a shell) with the
effects and result type `commands` classified, its variables as operands; an
assignment (`NS=prod`, `POD=$(kubectl ...)`) defines a workflow value; a command
that opens an interactive session (`kubectl debug`, `psql`) absorbs the lines that
follow it in the same block; `scripts/...` in a skill becomes `tool.script`;
SQL/PromQL/LogQL/KQL become `tool.sql` (reads or writes by statement); interactive
and streaming commands are first made bounded or run inside their pod/node, else
become `ctrl.manual` (see `interactive`); Python
becomes `tool.python`. A write gets `confirm = true` when the document asks for
confirmation around the step, and SKC123 when it does not.

A Python block receives, as `args`, the values its step's prose mentions, in the
order it mentions them, each once (`mentioned`):

- a variable: `{name}`, `<name>` or `$NAME` (capitals) is the value an earlier step
  assigned to it, else a workflow input;
- a step reference: "step 3", "steps 1-6" (also "1 to 6", "1 through 6", "1 thru 6"),
  "steps 1 and 3", "steps 1, 2 and 5" is the results of each step named, in number
  order within the reference: the values that step produced itself (its commands,
  queries, code), else those of its sub-steps (see `step_results`). Only earlier
  steps whose results are in scope count; a step named as a destination ("go to
  step 3", "repeat step 2") is not a reference;
- a field of a step: "the <field> of step N" (also "from", "in") or "step N's <field>",
  one step and one identifier-like word, in backticks or not (`flow.field_refs`), is
  `data.json_get(<result>, "$.<field>")` typed `!skc.text` for each `!skc.json` result
  of step N, in place of the whole value (`field_of`): "Given the `summary` of step 7,
  decide ..." gives the model the summary, not every key step 7's code computed. A
  bare word counts only when a Python block of step N writes it as a key (`"summary"`
  in its code), so "the diagnosis of step 7" or "the output of step 3" stays the whole
  result, as does a step with no JSON result and a range ("the `summary` of steps
  1-3"). Multi-word fields ("the root cause of step 7") are not fields.

So "For `{service}`, combine the evidence of steps 1-6." gives `args = [service,
<step 1>, ..., <step 6>]`. The code is never scanned for names (its braces are
Python's). The block's effects come from `code_effects.python_effects` (a conservative
scan of its syntax tree: `pure` only for computation), its result (whatever the code
leaves in `result`) is `!skc.json`, and the workflow returns it even when later
steps read it: it is the answer the document wrote code to compute. llm steps take
the values their prose mentions by the same rule (see `lower`).
"""

from __future__ import annotations

import re
from typing import Any

from skc.compiler.frontend.common.code_effects import classify_sql, python_effects
from skc.compiler.frontend.common.commands import Command, classify_shell
from skc.compiler.frontend.common.variables import Var, find_vars, templated
from skc.compiler.frontend.markdown import flow, prose
from skc.compiler.frontend.markdown.confirm import confirmation, otherwise
from skc.compiler.frontend.markdown.interactive import plan
from skc.compiler.frontend.markdown.lower_context import LowerContext, Scope
from skc.compiler.frontend.markdown.snippets import Snippet
from skc.compiler.frontend.markdown.sql_dialects import sqlite_form
from skc.compiler.frontend.markdown.step_model import Step
from skc.ir import JSON, TEXT, Block, Value, ctrl, data, tool
from skc.ir.location import Diagnostic, Location

_QUERY = {"sql": (None, "default"), "promql": ("promql", "prometheus"), "logql": ("logql", "loki"),
          "kql": ("kql", "kusto")}


class CodeLowerer:
    """Lowers the code of steps (commands, queries, scripts, Python) and the values they read:
    variables, "step N" references, the results of earlier steps. State shared with the
    other lowerers is in `ctx`."""

    def __init__(self, ctx: LowerContext) -> None:
        self.ctx = ctx

    def operands(self, names: list[str], sn: Snippet, st: Step, scope: Scope) -> list[Value]:
        values = [self.var(n, sn.loc, st, scope) for n in names]
        self.use(values, st)
        return values

    def var(self, name: str, loc: Location, st: Step, scope: Scope) -> Value:
        if name in scope.env:
            return scope.env[name]
        at = self.ctx.defined_at.get(name)
        if at is not None and at > self.ctx.order.get(id(st), 0) and name not in self.ctx.inputs:
            self.ctx.diags.append(Diagnostic("SKC121", loc, f"${name} is used before step {self.ctx.all[at].label} sets it",
                                         "move the assignment earlier, or pass it as an input", "warning"))
        if name not in self.ctx.inputs:
            assert self.ctx.wf is not None
            block: Block = self.ctx.wf.body
            value = Value(TEXT, block, len(block.args), name)
            block.args.append(value)
            self.ctx.inputs[name] = value
        return self.ctx.inputs[name]

    def mentioned(self, text: str, st: Step, scope: Scope) -> list[Value]:
        """The values `text` names, in the order it names them (each once): a variable
        (`{name}`, `$NAME`, `<name>`) is its value (see `var`), "step N" the results of
        step N (see `step_results`)."""
        found: list[tuple[int, str | int]] = [(v.start, v.name) for v in prose_vars(text)]
        refs = flow.step_refs(text)
        found += refs
        fields = {(at, n): (name, quoted) for at, n, name, quoted in flow.field_refs(text)} if refs else {}
        values: list[Value] = []
        for at, ref in sorted(found, key=lambda f: f[0]):
            if isinstance(ref, str):
                values.append(self.var(ref, st.loc, st, scope))
            elif (at, ref) in fields:
                values += self.field_of(self.step_results(ref, st, scope), *fields[at, ref], st)
            else:
                values += self.step_results(ref, st, scope)
        return list({id(v): v for v in values}.values())

    def field_of(self, results: list[Value], name: str, quoted: bool, st: Step) -> list[Value]:
        """"the `summary` of step N": `data.json_get(<result>, "$.summary")` as text for each
        JSON result of step N, in place of the whole value. A bare word ("the summary of
        step 7") counts only when a Python block of step N writes that key (`"summary"`
        in its code), so "the diagnosis of step 7" stays the whole result. `results` as
        they are when none is JSON or the word is not a field."""
        picked = [v for v in results if v.type == JSON and (quoted or _writes_key(v, name))]
        if not picked:
            return results
        self.use(picked, st)  # step N's result is read (and ordered before `st`) through the json_get
        out = []
        for v in picked:
            got = self.tag(data.json_get(v, f"$.{name}", TEXT, loc=st.loc), st)
            producer = self.ctx.producer.get(id(v))
            if producer is not None:
                self.ctx.producer[id(got)] = producer
            out.append(got)
        return out

    def step_results(self, number: int, st: Step, scope: Scope) -> list[Value]:
        """The results of the step numbered `number` that `st` can see: the values that step
        produced itself, else those of its sub-steps. Of several steps with that number, the
        one nearest `st` in the step tree (the longest common label prefix, then the latest)
        whose results are in scope; none when no earlier step has that number."""
        visible: dict[str, list[Value]] = {}
        chain: Scope | None = scope
        while chain is not None:
            for label, v in chain.produced:
                visible.setdefault(label, []).append(v)
            chain = chain.parent
        here = self.ctx.order.get(id(st), len(self.ctx.all))
        best: tuple[tuple[int, int], list[Value]] | None = None
        for s in self.ctx.all:
            if s.number != number or self.ctx.order[id(s)] >= here:
                continue
            values = visible.get(s.label) or [v for label, vs in visible.items() if label.startswith(s.label + ".")
                                              for v in vs]
            rank = (common_prefix(s.label, st.label), self.ctx.order[id(s)])
            if values and (best is None or rank > best[0]):
                best = (rank, list({id(v): v for v in values}.values()))
        return best[1] if best else []

    def use(self, values: list[Value], st: Step) -> None:
        for v in values:
            self.ctx.used.add(id(v))
            producer = self.ctx.producer.get(id(v))
            if producer is not None and producer != st.label:
                self.ctx.edges.add((st.label, producer))

    def tag(self, value: Value, st: Step) -> Value:
        op = value.defining_op
        if op is not None:
            op.attributes["step"] = st.label
        return value

    def lineage(self, st: Step) -> list[Step]:
        out = [st]
        while id(out[-1]) in self.ctx.parent:
            out.append(self.ctx.parent[id(out[-1])])
        return out

    def code(self, st: Step, scope: Scope) -> list[Value]:
        out: list[Value] = []
        unit = self.unit_of(st)
        planned, self.ctx.session = plan(st.snippets, self.ctx.session, unit)  # interactive: bounded, in-pod, or manual
        snippets = [p.snippet for p in planned]
        manual = {id(p.snippet): p.manual for p in planned if p.manual}
        originals = {id(sn) for sn in st.snippets}
        i = 0
        while i < len(snippets):
            sn = snippets[i]
            if id(sn) in manual:
                out.append(self.manual_step(st, sn, manual[id(sn)]))
                i += 1
                continue
            cmd = self.ctx.commands.get(id(sn)) if id(sn) in originals else None
            if cmd is None and sn.kind == "shell":
                cmd = classify_shell(sn.text)  # a rewritten command (never cached by id: the object is temporary)
            if cmd is not None and cmd.session and i + 1 < len(snippets) and snippets[i + 1].kind == "shell":
                j = i + 1
                while j < len(snippets) and snippets[j].kind == "shell" and snippets[j].loc.line > sn.loc.line:
                    j += 1
                value = self.shell(st, sn, classify_shell("\n".join(s.text for s in snippets[i:j])), scope,
                                   extra=[self.ctx.commands[id(s)] if id(s) in originals else classify_shell(s.text)
                                          for s in snippets[i + 1:j]])
                i = j
            else:
                value = self.snippet(st, sn, cmd, scope)
                i += 1
            if value is not None:
                out.append(value)
        return out

    def unit_of(self, st: Step) -> str:
        """The label of the top-level step `st` lies in (where a session stays open); in a document
        of one top-level step, that of its child `st` lies in."""
        chain = self.lineage(st)
        top = chain[-1]
        if len(self.ctx.steps) > 1 or len(chain) < 2 or not any(c is chain[-2] for c in top.children):
            return top.label
        return chain[-2].label  # the only top-level step's child that `st` lies in

    def manual_step(self, st: Step, sn: Snippet, reason: str) -> Value:
        """`ctrl.manual` for a command no unattended run may start (SKC152, a warning)."""
        self.ctx.diags.append(Diagnostic("SKC152", sn.loc, f"'{sn.text[:60]}' {reason}: it becomes a manual step",
                                     "give a non-interactive form (`oc exec POD -- cmd`, `--tail`) to run it",
                                     "warning"))
        return self.tag(ctrl.manual(sn.text, reason, loc=sn.loc, step=st.label), st)

    def snippet(self, st: Step, sn: Snippet, cmd: Command | None, scope: Scope) -> Value | None:
        if cmd is not None:
            return self.shell(st, sn, cmd, scope)
        if sn.kind in _QUERY:
            return self.query(st, sn, scope)
        if sn.kind == "python":
            operands = self.mentioned(st.text, st, scope)
            self.use(operands, st)
            value = self.tag(tool.python(sn.text, *operands, effects=python_effects(sn.text), result=JSON,
                                         loc=sn.loc), st)
            self.ctx.kept.add(id(value))
            return value
        return self.script(st, sn.text, [], None, sn, scope)

    def shell(self, st: Step, sn: Snippet, cmd: Command, scope: Scope, extra: list[Command] | None = None) -> Value | None:
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
        if cmd.script and self.ctx.skill_dir is not None:
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

    def query(self, st: Step, sn: Snippet, scope: Scope) -> Value:
        lang, db = _QUERY[sn.kind]
        found = [v for v in find_vars(sn.text, shell=False) if sn.kind != "sql" or not v.raw.startswith("$")]
        order = list(dict.fromkeys(v.name for v in found))
        query = re.sub(r"'(\{\d+\})'", r"\1", templated(sn.text, found, order))  # '{0}' binds as a parameter
        operands = self.operands(order, sn, st, scope)
        if sn.kind == "sql":
            db = _db_name(st.text) or db
            effects, writes = classify_sql(sn.text, db)
            query, dialect = sqlite_form(query, sn, self.ctx.diags)  # PostgreSQL/MySQL/T-SQL as SQLite runs it
        else:
            effects, writes, dialect = [f"net:{db}"], False, {}
        attrs = {**self.confirm(st, sn, effects, writes), **dialect}
        return self.tag(tool.sql(query, *operands, db=db, effects=effects, loc=sn.loc, lang=lang, **attrs), st)

    def script(self, st: Step, path: str, args: list[str], interpreter: str | None, sn: Snippet, scope: Scope,
               names: list[str] | None = None) -> Value:
        path = path.removeprefix("./")
        if self.ctx.skill_dir is not None and not (self.ctx.skill_dir / path).is_file():
            self.ctx.diags.append(Diagnostic("SKC127", sn.loc, f"{path} is not in the skill folder",
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
        asked = confirmation(sn.loc.file, context, sn.loc.line, sn.text, writes)  # the phrase table: confirm.py
        if asked:
            return {"confirm": True, **otherwise(context, st, self.ctx.all, self.ctx.parent)}
        if writes and asked is None:
            self.ctx.diags.append(Diagnostic("SKC123", sn.loc, f"'{sn.text[:60]}' changes {_written(effects)} "
                                         "without asking for confirmation",
                                         "say 'confirm before ...' or 'after approval' in the step", "warning"))
        return {}


_FORMAT = re.compile(r"\b(?:in\s+the\s+(?:format|form)(?:\s+of)?|formatted\s+as|of\s+the\s+form|(?:follows|has)\s+the\s+"
                     r"format)\s*:?\s*`[^`]+`", re.I)


def prose_vars(text: str) -> list[Var]:
    """The variables prose names: `{name}`, `<name>`, and `$NAME` in capitals only; not the
    parts of a format it describes ("the `scrape_pool` label ..., which is in the format of
    `<namespace>/<service-monitor-name>/<endpoint-id>`")."""
    shapes = [m.span() for m in _FORMAT.finditer(text)] if "form" in text else []
    return [v for v in find_vars(text, shell=False)
            if (not v.raw.startswith("$") or v.raw.lstrip("${").split("}")[0].isupper())
            and not prose.elision(v.raw)  # `<snip>` in a sample shown to the model: no input
            and not any(a <= v.start < b for a, b in shapes)]


def _writes_key(value: Value, name: str) -> bool:
    """Whether `value` is a Python block's result whose code names the key `name` as a string."""
    op = value.defining_op
    return op is not None and op.op_name == "tool.python" and \
        re.search(rf"""(["']){re.escape(name)}\1""", str(op.attributes.get("code", ""))) is not None


def common_prefix(a: str, b: str) -> int:
    """How many leading label parts `a` and `b` share ("3.1.2", "3.1.5" -> 2)."""
    n = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        n += 1
    return n


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
