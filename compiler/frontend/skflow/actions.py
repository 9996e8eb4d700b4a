"""The tool, model and generic steps of .skflow lowered to ops: each clause checked and
filled into the op's attributes (templated strings and argv with their insertions, effects,
schemas), the form's defaults, declared results, and the common tail (`needs`, `attrs`, the
op's checks). `lower.Lowerer` composes one over its `steps.StepBuilder`.
"""

from __future__ import annotations

import json
from typing import Any

from skc.compiler.frontend.skflow import nodes as A
from skc.compiler.frontend.skflow.ops import FORMS, ClauseSpec, OpForm
from skc.compiler.frontend.skflow.steps import StepBuilder
from skc.compiler.frontend.skflow.strings import Text
from skc.ir.core import Op, UnregisteredOp, Value
from skc.ir.dialects import op_class
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.effects import parse_effects
from skc.ir.location import Location
from skc.ir.traits import HasRegions, Terminator

_COMMON_CLAUSES = {"with", "needs", "attrs"}




class ActionBuilder:
    """Builds the op of one tool, llm or generic step with the lowering's `StepBuilder`."""

    def __init__(self, steps: StepBuilder) -> None:
        self.steps = steps

    def clause_value(self, spec: ClauseSpec, c: A.Clause, operands: list[Value],
                     literals: list[tuple[str, Text]]) -> Any:
        v = c.value
        if spec.form == "templated":
            if not isinstance(v, Text):
                self.steps.report("SKC134", c.line, c.col, f"`{c.key}` takes a string", f'{c.key} "..."')
                return ""
            return self.steps.fill(v, operands, literals)
        if spec.form == "argv":
            return [self.fill_item(x, operands, literals) for x in v]
        if spec.form == "text":
            if not isinstance(v, Text):
                self.steps.report("SKC134", c.line, c.col, f"`{c.key}` takes a string", f'{c.key} "..."')
                return str(v)
            return v.plain()
        if spec.form == "effects":
            _, bad = parse_effects(v)
            for text in bad:
                self.steps.report("SKC134", c.line, c.col, f"malformed effect `{text}`",
                                  "effects are pure, read:<resource>, write:<resource> or net:<resource>")
            return v
        if spec.form == "schema":
            if isinstance(v, dict):
                return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
            if not isinstance(v, Text):
                self.steps.report("SKC134", c.line, c.col, "`schema` takes a JSON object or a string",
                                  'schema {type: "object", required: ["name"]}')
                return "{}"
            return v.plain()
        return v.plain() if isinstance(v, Text) else v

    def fill_item(self, item: Text | A.Var, operands: list[Value], literals: list[tuple[str, Text]]) -> str:
        if isinstance(item, A.Var):
            v = self.steps.lookup(item)
            index = next((i for i, o in enumerate(operands) if o is v), None)
            if index is None:
                index = len(operands)
                operands.append(v)
            return "{" + str(index) + "}"
        return self.steps.fill(item, operands, literals)

    def finish(self, form: OpForm | None, name: str, operands: list[Value], attrs: dict[str, Any],
               cs: dict[str, A.Clause], results: A.Results | None, loc: Location, line: int, col: int,
               literals: list[tuple[str, Text]]) -> Op:
        """Common tail of tool and llm steps: needs, attrs, defaults, results, checks."""
        self.steps.needs(cs.get("needs"), operands)
        where = {spec.attr: (cs[spec.key].line, cs[spec.key].col)
                 for spec in (form.clauses if form else ()) if spec.key in cs}
        if "attrs" in cs:
            for key, value in cs["attrs"].value.items():
                if key in attrs:
                    self.steps.report("SKC134", cs["attrs"].line, cs["attrs"].col, f"`{key}` is set twice",
                                      f"a clause already sets `{key}`: leave it out of attrs")
                attrs[key] = value
                where[key] = (cs["attrs"].line, cs["attrs"].col)
        if form is not None:
            for key, value in form.default_attrs:
                attrs.setdefault(key, value)
            if "effects" not in attrs and form.default_effects is not None:
                attrs["effects"] = form.default_effects(attrs)
            for key in form.required:
                spec = form.clause(key)
                if spec is not None and spec.attr not in attrs:
                    self.steps.report("SKC134", line, col, f"{form.keyword} needs `{key}`",
                                      _REQUIRED_HINTS.get(key, ""))
        types = [self.steps.type(t) for t in results.types] if results is not None else \
            [form.default_result(attrs)] if form is not None else []
        cls = op_class(name)
        assert cls is not None
        op = self.steps.emit(cls(operands, types, attrs, loc=loc))
        self.steps.check_operands(op, line, col)
        self.steps.check_results(op, *((results.line, results.col) if results else (line, col)))
        self.steps.check_attrs(op, where, line, col)
        self.steps.check_literal_placeholders(literals, len(operands))
        return op

    def tool(self, a: A.ToolAction, loc: Location, line: int, col: int) -> Op:
        form = FORMS["shell" if a.kind.startswith("shell") else a.kind]
        cs = self.steps.clauses(a.clauses, {c.key for c in form.clauses} | _COMMON_CLAUSES, form.keyword)
        operands: list[Value] = []
        literals: list[tuple[str, Text]] = []
        if a.content is not None:
            operands.append(self.steps.expr(a.content, loc))
        operands += [self.steps.lookup(v) for v in cs["with"].value] if "with" in cs else []
        attrs: dict[str, Any] = {}
        if a.kind == "shell_argv":
            attrs["argv"] = [self.fill_item(x, operands, literals) for x in a.main]
        elif a.kind == "shell_cmd":
            attrs["cmd"] = self.steps.fill(a.main, operands, literals)
        elif form.main_form == "text":
            attrs[str(form.main_attr)] = a.main.plain()
        else:
            attrs[str(form.main_attr)] = self.steps.fill(a.main, operands, literals)
        if a.method is not None:
            attrs["method"] = a.method
        for spec in form.clauses:
            if spec.key in cs:
                attrs[spec.attr] = self.clause_value(spec, cs[spec.key], operands, literals)
        return self.finish(form, form.op_name, operands, attrs, cs, a.results, loc, line, col, literals)

    def llm(self, a: A.LlmAction, loc: Location, line: int, col: int) -> Op:
        form = FORMS[a.kind]
        cs = self.steps.clauses(a.clauses, {c.key for c in form.clauses} | _COMMON_CLAUSES, form.keyword)
        operands = [self.steps.lookup(v) for v in cs["with"].value] if "with" in cs else []
        attrs: dict[str, Any] = {"prompt": a.prompt.plain()}
        for interp in a.prompt.interps:
            if any(interp.name in f for f in self.steps.frames):
                self.steps.report("SKC135", interp.line, interp.col,
                                  f"{{{{{interp.name}}}}} is not replaced in a prompt",
                                  f"the step's values are given to the model as context: add `with {interp.name}`",
                                  severity="warning")
        for spec in form.clauses:
            if spec.key in cs:
                attrs[spec.attr] = self.clause_value(spec, cs[spec.key], operands, [])
        return self.finish(form, form.op_name, operands, attrs, cs, a.results, loc, line, col, [])

    def generic(self, a: A.GenericAction, loc: Location, line: int, col: int) -> Op:
        """`op "name"(values) {attrs} -> types`: any region-free op, checked later by the verifier."""
        cls = op_class(a.opname)
        if cls is not None and (cls.has(HasRegions) or cls.has(Terminator) or issubclass(cls, WorkflowOp)):
            self.steps.report("SKC139", line, col, f"{a.opname} cannot be written with `op`",
                              "write if/map/retry blocks, yield and return with their own syntax")
        operands = [self.steps.lookup(v) for v in a.operands]
        types = [self.steps.type(t) for t in a.results.types] if a.results else []
        attrs = dict(a.attrs)
        op = cls(operands, types, attrs, loc=loc) if cls is not None else \
            UnregisteredOp(a.opname, operands, types, attrs, loc=loc)
        return self.steps.emit(op)


_REQUIRED_HINTS = {
    "effects": "say what it touches: effects [read:k8s], or [write:*] when it may change anything",
    "outcomes": 'list the answers: outcomes ["yes", "no"]',
    "schema": 'give a JSON Schema: schema {"type": "object"}',
    "tools": 'list the tools it may call: tools ["Bash", "Read"]',
}
