"""Lowering a classified skill: the user's task goes in, a procedure runs as dataflow.

Every skill workflow has the same entry signature, the contract routers and
libraries rely on:

    skill_name(%task: !skc.text, %files: !skc.text) -> (%result: !skc.text)

(`files` is newline-separated paths, "" when none.) The body:

1. route: with several procedures, `llm.decide(%task)` over their titles (a closed
   set, grammar-constrained on local models, solidifiable by the JIT; its
   `route_words` let the runtime pick without a model when the task's words clearly
   fit one procedure), then a chain of `ctrl.if` on `calc.cmp eq`; with one procedure there is nothing to decide;
   with none, the task goes to one llm op (`llm.agent` when the skill has tools)
   that receives the skill's description and its most relevant rules/references;
2. parameters: the placeholders of the procedure's commands (`<pr>`, `{name}`) and
   the signature of each script they call (see `scripts`) make a JSON Schema, and
   one `llm.extract(%task, %files)` fills it; each parameter is a `data.json_get`;
3. steps: a command is `tool.shell`, a script call `tool.script`, a python block
   `tool.python`, a parsed SQL block `tool.sql`; they read only the parameters, so
   they run in parallel; a python block starts with the imports of the procedure's
   earlier python blocks, and they share one interpreter session (`session`); a
   block's `replay` holds the earlier blocks' imports and defs, run first when a
   resumed run starts the session at that block (`session.py`). A prose step is `llm.generate` (`llm.agent` for open-ended
   work: investigate, fix, implement ...) and reads the task, the parameters, the
   previous prose step and the tool results since it, in order; the procedure's
   result is every tool result, then the last prose step's text;
4. context: each llm op's `system` is the skill's description plus the rules and
   references that share the most words with that step (at most `CONTEXT_CHARS`),
   never the whole document.

The examples of the skill (sample requests) are the workflow's `test_tasks` and the
route's JIT `seeds` (`seeds.py`).

    SKC127  error    a script a command calls is not in the skill folder
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skc.compiler.frontend.common.commands import Command, classify_shell
from skc.compiler.frontend.markdown.confirm import confirmation
from skc.compiler.frontend.markdown.lower import unique_names
from skc.compiler.frontend.skill.classify import Piece, Procedure, SkillBody, StepSpec
from skc.compiler.frontend.skill.context import (
    procedure_text,
    reference_files,
    reference_note,
    task_context,
)
from skc.compiler.frontend.skill.scripts import ScriptSig, normalise_command
from skc.compiler.frontend.skill.seeds import seed_routes
from skc.compiler.frontend.skill.session import replayable
from skc.compiler.frontend.skill.spec import SkillMeta
from skc.ir import TEXT, InsertionPoint, Value, calc, ctrl, data, llm, tool, workflow
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.location import Diagnostic, Location

CONTEXT_CHARS = 1500
_IMPORT_LINE = re.compile(r"(?:import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*"
                          r"|from\s+[\w.]+\s+import\s+[\w*][\w\s,]*)\s*(?:#.*)?\Z")
ANSWER = "answer"  # the route of a question about the skill's knowledge
AGENT_BUDGET: dict[str, Any] = {"max_turns": 10, "max_tokens": 8192, "timeout_s": 600.0}
READ_TOOLS = {"Read", "Grep", "Glob", "LS", "NotebookRead", "TodoWrite", "Task", "WebFetch", "WebSearch"}
# Steps whose work is open-ended: the model needs tools and several turns.
AGENT_VERBS = re.compile(
    r"^\W*(investigate|debug|diagnose|fix|implement|refactor|apply|edit|modify|patch|explore|iterate|"
    r"reproduce|find and fix|write (?:the )?(?:code|tests?|a test|the implementation|a script)|update the code|"
    r"run (?:the |all )?tests? and fix)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z][a-z0-9_-]{2,}")
_STOP = frozenset("the and for with that this from into your you are use when what then them they have has "
                  "not but any all can will should must each its it's also only more than".split())


class SkillLowering:
    """Builds the entry workflow of one classified skill; diagnostics go to `diags`."""

    imports: list[str]
    defs: list[str]

    def __init__(self, path: str, folder: Path, meta: SkillMeta, body: SkillBody,
                 scripts: Mapping[str, ScriptSig], diags: list[Diagnostic]) -> None:
        self.path, self.folder, self.meta, self.body = path, folder, meta, body
        self.scripts, self.diags = scripts, diags
        self.commands: dict[int, Command] = {id(s): classify_shell(normalise_command(s.code, folder).strip())
                                             for p in body.procedures for s in p.steps if s.kind == "shell"}
        self.tools = meta.tools if meta.tools else self._derived_tools()
        self.pieces = [*body.rules, *body.references]
        self.title = body.title
        self.piece_words = [_words(p.title + " " + p.text) for p in self.pieces]
        self.references = reference_files(folder)

    def build(self, sym_name: str) -> WorkflowOp:
        loc = Location(self.path, 1, 1)
        routes = unique_names([_slug(p.title) for p in self.body.procedures])
        knowledge = bool(self.pieces) and bool(routes)
        if knowledge:  # a question about the skill's knowledge runs no procedure
            routes.append(unique_names([*routes, ANSWER])[-1])
        wf = workflow(sym_name, {"task": TEXT, "files": TEXT}, loc=loc, description=self.meta.description,
                      source=str(self.folder), permissions=self.meta.tools,
                      procedures=routes or None, test_tasks=[t for t, _ in self.body.examples] or None)
        task, files = wf.body.args
        with InsertionPoint(wf.body):
            procs: list[tuple[str, Procedure | None]] = list(zip(routes, [*self.body.procedures, None],
                                                                    strict=False))
            if not self.body.procedures:
                result = self.whole_task(task, files)
            elif len(procs) == 1:
                result = self.procedure(self.body.procedures[0], task, files)
            else:
                titles = [p.title if p else "answer a question from the skill's knowledge" for _, p in procs]
                prompt = ("Which procedure of the skill fits the user's task? "
                          + "; ".join(f"{r}: {t}" for r, t in zip(routes, titles, strict=True)))
                own = set(_WORD.findall(f"{self.meta.name} {self.title}".lower()))  # every route's words
                knows = " ".join(w for x in self.pieces for w in _WORD.findall(x.title.lower()) if w not in own)
                words = {r: self.words_of(p) if p else knows for r, p in procs}
                # the model picks among procedures; "answer" only when the task's words say so
                # (a small model calls every question a question)
                asked = routes[:-1] if knowledge else None
                seeds = seed_routes(self.body, routes, words)  # the examples, answered by the JIT
                extra: dict[str, Any] = {"seeds": seeds} if seeds else {}
                if knowledge:  # a question that names no file is answered from the skill's knowledge
                    extra["answer_route"] = routes[-1]
                route = llm.decide(prompt, routes, task, loc=self.body.procedures[0].loc, name="route",
                                   system=self.system("route " + " ".join(routes)), step="route",
                                   route_words=words, model_outcomes=asked, **extra)
                result = self.branches(procs, route, task, files)
            ctrl.return_(result, loc=loc)
        wf.attributes["output_names"] = ["result"]
        return wf

    # ------------------------------------------------------------------ routing

    def branches(self, procs: list[tuple[str, Procedure | None]], route: Value, task: Value,
                 files: Value) -> Value:
        """`ctrl.if route == first` then that procedure, else the rest (the last one is the else);
        the procedure None is the answer from the skill's knowledge."""
        (slug, proc), rest = procs[0], procs[1:]
        if not rest:
            return self.procedure(proc, task, files) if proc else self.whole_task(task, files, answer=True)
        assert proc is not None  # the answer branch is always the last
        cond = calc.cmp("eq", route, data.const(slug, loc=proc.loc), loc=proc.loc)
        branch = ctrl.if_(cond, [TEXT], loc=proc.loc, names=[f"{slug}_result"])
        with InsertionPoint(branch.then_block):
            ctrl.yield_(self.procedure(proc, task, files))
        with InsertionPoint(branch.else_block):
            ctrl.yield_(self.branches(rest, route, task, files))
        return branch.results[0]

    def whole_task(self, task: Value, files: Value, *, answer: bool = False) -> Value:
        """No procedure (or a question): the task goes to the model with the skill's description
        and its rules and references, first ones first."""
        prompt = ("Answer the user's question from the skill's knowledge." if answer
                  else "Do the user's task with the skill; finish with the answer.")
        loc = Location(self.path, 1, 1)
        if not answer and self.tools and any(not t.startswith(tuple(READ_TOOLS)) for t in self.tools):
            return llm.agent(prompt, self.tools, task, files, effects=_tool_effects(self.tools),
                             system=self.agent_system(prompt), name="result", step="task", loc=loc,
                             **self.on_demand(), **AGENT_BUDGET)
        # the task is operand 0: the runtime picks the pieces that fit it (`context`)
        headings = {line: title for title, _, line in self.body.sections}
        known = [(p.title, p.text) for p in self.pieces] + [(p.title, procedure_text(p, headings))
                                                           for p in self.body.procedures]
        extra: dict[str, Any] = {"context": task_context(self.head(), known, CONTEXT_CHARS, quote=True)} if known else {}
        return llm.generate(prompt, task, files, system=self.system(prompt, in_order=True), name="answer" if answer
                            else "result", step="answer" if answer else "task", loc=loc, **extra)

    # ------------------------------------------------------------------ procedures

    def procedure(self, proc: Procedure, task: Value, files: Value) -> Value:
        """The steps of `proc` as dataflow; returns its result text."""
        label = _slug(proc.title)
        params = self.parameters(proc, task, files, label)
        pending: list[Value] = []  # tool results not yet read by a prose step
        tools: list[Value] = []
        self.imports: list[str] = []  # import lines of the procedure's python blocks so far
        self.defs: list[str] = []  # their imports, defs and constants: replayed on resume
        last: Value | None = None
        for i, st in enumerate(proc.steps, 1):
            step = f"{label}.{i}"
            if st.kind == "prose":
                text = " ".join([st.text, *st.guidance]).strip()
                reads = [task, *params.values(), *([last] if last is not None else []), *pending]
                if AGENT_VERBS.match(st.text) and self.tools:
                    last = llm.agent(text[:2000], self.tools, *reads, effects=_tool_effects(self.tools),
                                     loc=st.loc, system=self.agent_system(text), step=step, **self.on_demand(),
                                     **AGENT_BUDGET)
                else:
                    last = llm.generate(text[:2000], *reads, loc=st.loc, system=self.system(text), step=step)
                pending = []
            else:
                pending.append(self.tool_step(st, params, step))
                tools.append(pending[-1])
        leaves = tools + ([last] if last is not None else [])  # what ran, then what the model made of it
        if len(leaves) == 1 and leaves[0].type == TEXT:
            return leaves[0]  # (a table or JSON result is made text by the concat below)
        return data.concat(*leaves, sep="\n\n", loc=proc.loc, name=f"{label}_result")

    def parameters(self, proc: Procedure, task: Value, files: Value, label: str) -> dict[str, Value]:
        """One `llm.extract` for the placeholders of the procedure's commands; a json_get each."""
        props: dict[str, dict[str, Any]] = {}
        for st in proc.steps:
            cmd = self.commands.get(id(st))
            if cmd is None:
                continue
            described = self._described(cmd)
            for v in cmd.vars:
                if v != "path_to_skill":
                    props.setdefault(v, described.get(v) or {"type": "string"})
        if not props:
            return {}
        schema = json.dumps({"type": "object", "properties": props, "required": list(props)},
                            separators=(",", ":"), sort_keys=True)
        prompt = f"Extract the parameters of '{proc.title}' from the user's task: " + ", ".join(props)
        extracted = llm.extract(prompt, schema, task, files, loc=proc.loc, name=f"{label}_params",
                                system=self.system(proc.title), step=f"{label}.params", ground=True)
        return {v: data.json_get(extracted, f"$.{v}", TEXT, loc=proc.loc, name=v) for v in props}

    def _described(self, cmd: Command) -> dict[str, dict[str, Any]]:
        """Schema of each placeholder of a script call, from the script's signature: `--pr <x>`
        takes the type and help of the script's `--pr`."""
        sig = self.scripts.get(cmd.script or "")
        if sig is None:
            return {}
        by_flag = {p.flag: p for p in sig.params if p.flag}
        out = dict(sig.schema())
        for flag, arg in zip(cmd.script_args, cmd.script_args[1:], strict=False):
            m = re.fullmatch(r"\{([a-z_][a-z0-9_]*)\}", arg)
            if m and flag in by_flag:
                p = by_flag[flag]
                out[m.group(1)] = {"type": p.type, **({"description": p.help} if p.help else {}), "x-flag": flag}
        return out

    def tool_step(self, st: StepSpec, params: dict[str, Value], step: str) -> Value:
        """A command, script call, python or query block as its tool op."""
        if st.kind == "python":
            replay: dict[str, Any] = {"replay": "\n".join(self.defs)} if self.defs else {}  # re-run on resume
            self.defs += replayable(st.code)
            return tool.python(self.with_imports(st.code), effects=["write:*"], loc=st.loc, step=step,
                               session=f"{self.meta.name or self.folder.name}/{step.rpartition('.')[0]}", **replay)
        if st.kind in ("sql", "promql"):
            extra: dict[str, Any] = {"lang": "promql"} if st.kind == "promql" else {}
            return tool.sql(st.code.strip(), loc=st.loc, step=step, **extra)
        cmd = self.commands[id(st)]
        operands = [params[v] for v in cmd.vars if v in params]
        index = {v: i for i, v in enumerate(v for v in cmd.vars if v in params)}
        if cmd.script and cmd.argv is not None:
            if not (self.folder / cmd.script).is_file():
                self.diags.append(Diagnostic("SKC127", st.loc, f"{cmd.script} is not in the skill folder",
                                             "add the script under scripts/ or fix the path"))
            args = [_named(a, index) for a in cmd.script_args]
            return tool.script(cmd.script, *operands, args=args, effects=["write:*"], loc=st.loc, step=step,
                               interpreter=cmd.interpreter, **self.confirm(st, ["write:*"], known=False))
        gate = self.confirm(st, cmd.effects, known=True)
        if cmd.argv is not None:
            return tool.shell([_pos(a, cmd.vars, index) for a in cmd.argv], *operands, effects=cmd.effects,
                              loc=st.loc, step=step, **gate)
        return tool.shell(None, *operands, cmd=_pos(cmd.cmd_line or cmd.template, cmd.vars, index),
                          effects=cmd.effects, loc=st.loc, step=step, **gate)

    def confirm(self, st: StepSpec, effects: list[str], *, known: bool) -> dict[str, Any]:
        """`confirm = true` for a write the skill asks the user to confirm ("ask the user before
        ..."), by the runbooks' phrase table (`markdown/confirm.py`)."""
        if not any(e.startswith("write:") for e in effects):
            return {}
        context = " ".join([st.text, *st.guidance])
        return {"confirm": True} if confirmation(st.loc.file, context, st.loc.line, st.code or st.text, known) else {}

    def with_imports(self, code: str) -> str:
        """The block with the imports of the procedure's earlier python blocks first: the blocks of a
        procedure read as one session (`import pdfplumber` in step 1, `pdfplumber.open` in step 3).
        They also run in one (`session` attribute, `runtime/targets/python_session.py`); the imports
        are carried as well so a block still works where the session is not shared (a resumed
        run whose earlier blocks came from the journal, a Ray worker)."""
        own = [ln for ln in code.split("\n") if _IMPORT_LINE.match(ln)]
        carried = [ln for ln in self.imports if ln not in own]
        self.imports += [ln for ln in own if ln not in self.imports]
        return "\n".join([*carried, code]) if carried else code

    # ------------------------------------------------------------------ context

    def system(self, step_text: str, *, in_order: bool = False) -> str:
        """The skill's description plus the rules/references most related to `step_text`
        (`in_order`: the task is not known yet, so the first pieces of the document that fit)."""
        head = self.head()
        want = _words(step_text)
        ranked = (sorted(range(len(self.pieces)), key=lambda i: self.pieces[i].loc.line) if in_order else
                  sorted(range(len(self.pieces)), key=lambda i: -len(want & self.piece_words[i])))
        chosen: list[Piece] = []
        budget = CONTEXT_CHARS
        for i in ranked:
            if not in_order and not want & self.piece_words[i] and chosen:
                break
            p = self.pieces[i]
            if len(p.text) <= budget:
                chosen.append(p)
                budget -= len(p.text)
        parts = [head, *(f"## {p.title}\n{p.text}" for p in chosen)]
        return "\n\n".join(parts)

    def head(self) -> str:
        """The first line of every llm op's system prompt: the skill and its description."""
        head = f"You are applying the skill '{self.meta.name or self.folder.name}'"
        return head + (f": {self.meta.description}" if self.meta.description else ".")

    def agent_system(self, step_text: str) -> str:
        """An agent's system prompt: `system`, then the names of the reference files it may read."""
        note = reference_note(self.references)
        return self.system(step_text) + (f"\n\n{note}" if note else "")

    def on_demand(self) -> dict[str, Any]:
        """The attributes that give an agent the `read_reference` tool over the skill's files."""
        if not self.references:
            return {}
        return {"references": list(self.references), "reference_root": str(self.folder)}

    def words_of(self, proc: Procedure) -> str:
        """The words that name a procedure: its title, its steps, the scripts it calls and their summaries."""
        parts = [proc.title, *(st.text for st in proc.steps)]
        for st in proc.steps:
            cmd = self.commands.get(id(st))
            sig = self.scripts.get(cmd.script or "") if cmd else None
            if sig is not None:
                parts.append(sig.summary)
        return " ".join(parts)[:2000]

    def _derived_tools(self) -> list[str]:
        programs = sorted({p.rsplit("/", 1)[-1] for c in self.commands.values() for p in c.programs
                           if re.match(r"[A-Za-z0-9_.-]+\Z", p.rsplit("/", 1)[-1])})
        return [f"Bash({p}:*)" for p in programs] + (["Read"] if programs else [])


def _tool_effects(tools: list[str]) -> list[str]:
    names = {re.sub(r"\(.*", "", t) for t in tools}
    return ["write:*"] if names - READ_TOOLS else ["read:*"]


def _pos(text: str, names: list[str], index: dict[str, int]) -> str:
    """`{k}` (k-th variable of the command) renumbered to the operand index of that parameter."""
    def sub(m: re.Match[str]) -> str:
        k = int(m.group(1))
        return f"{{{index[names[k]]}}}" if k < len(names) and names[k] in index else m.group(0)
    return re.sub(r"\{(\d+)\}", sub, text)


def _named(text: str, index: dict[str, int]) -> str:
    """`{name}` in a script argument to the operand index of that parameter."""
    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", lambda m: f"{{{index[m.group(1)]}}}" if m.group(1) in index
                  else m.group(0), text)


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def _slug(label: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40].strip("_") or "procedure"
    return s if not s[0].isdigit() else "p_" + s


