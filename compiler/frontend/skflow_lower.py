"""Lowering: the .skflow syntax tree (`skflow_ast`) to skc IR, with located diagnostics.

Every op gets the location of the statement it comes from (`file:line:col` of the
statement's first token), or the statement's `@` annotation. Problems are collected,
never raised:

    SKC131  a name that is not defined (or not visible here)
    SKC132  a name defined twice, or a reserved word used as a name
    SKC133  a type error: operand kinds, `-> type`, branch yields, return vs header
    SKC134  a clause problem: unknown for this step, repeated, ill-typed, or missing
    SKC135  a string problem: bad escape, `{N}` that would read as a placeholder,
            `{{name}}` in a prompt (not replaced: pass the value `with name`)
    SKC136  `needs` on something that gives no ordering token
    SKC137  an unknown function, or wrong arguments to one
    SKC138  an unknown type, or a bad `@` location annotation
    SKC139  structure: return/yield misplaced, outputs without return, duplicate workflow
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from skc.compiler.frontend import skflow_ast as A
from skc.compiler.frontend.skflow_ops import (
    BINARY_OPS,
    CALLS,
    FORMS,
    PLACEHOLDER,
    RESERVED,
    TYPE_NAMES,
    ClauseSpec,
    OpForm,
    call_default_result,
    const_type,
)
from skc.compiler.frontend.skflow_strings import Text
from skc.ir.attrs import AttrValue, well_formed
from skc.ir.core import Block, Op, Region, UnregisteredOp, Value, valid_name
from skc.ir.dialects import op_class
from skc.ir.dialects.ctrl import IfOp, MapOp, RetryOp, ReturnOp, YieldOp
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.effects import parse_effects
from skc.ir.location import Diagnostic, Location, Severity
from skc.ir.module import Module
from skc.ir.types import BOOL, JSON, NUM, TEXT, TOKEN, Type, check_signature

_COMMON_CLAUSES = {"with", "needs", "attrs"}
_BLOCK_CLAUSES = {"if": {"label", "attrs"}, "map": {"label", "parallel", "attrs"},
                  "retry": {"backoff", "with", "needs", "attrs"}}


class Lowerer:
    """Builds one Module from a Document; `diags` holds what went wrong."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.diags: list[Diagnostic] = []
        self.frames: list[dict[str, Value]] = []
        self.blocks: list[Block] = []
        self.poison: set[int] = set()
        self.ann_file: str | None = None
        self.kinds: list[str] = []  # kinds of the blocks being lowered: workflow, if, map, retry
        self.outputs: list[Type] | None = None

    # ---------------------------------------------------------------- plumbing

    def report(self, code: str, line: int, col: int, message: str, hint: str = "",
               severity: Severity = "error") -> None:
        self.diags.append(Diagnostic(code, Location(self.file, line, col), message, hint, severity))

    def loc(self, line: int, col: int, ann: A.LocAnn | None) -> Location:
        if ann is None:
            return Location(self.file, line, col)
        if ann.file == "" and ann.line == 0 and ann.col == 0:
            return Location()
        if ann.file is not None:
            self.ann_file = ann.file
        if self.ann_file is None:
            self.report("SKC138", ann.at_line, ann.at_col, "a short location @line:col needs an earlier "
                        '@"file":line:col in this workflow', 'write the file once: @"runbook.md":12:1')
            return Location(self.file, line, col)
        return Location(self.ann_file, ann.line, ann.col)

    def emit(self, op: Op) -> Op:
        self.blocks[-1].append(op)
        return op

    def poisoned(self, t: Type = TEXT) -> Value:
        v = Value(t)
        self.poison.add(id(v))
        return v

    def lookup(self, var: A.Var) -> Value:
        for frame in reversed(self.frames):
            if var.name in frame:
                return frame[var.name]
        visible = [n for f in self.frames for n in f]
        close = difflib.get_close_matches(var.name, visible, n=1)
        hint = f"did you mean `{close[0]}`?" if close else "define it with `step name = ...` before this line"
        self.report("SKC131", var.line, var.col, f"`{var.name}` is not defined here", hint)
        return self.poisoned()

    def define(self, var: A.Var, value: Value, rename: bool = True) -> None:
        if var.name == "_":
            return
        if var.name in RESERVED:
            self.report("SKC132", var.line, var.col, f"`{var.name}` is a reserved word", "choose another name")
        elif any(var.name in f for f in self.frames):
            self.report("SKC132", var.line, var.col, f"`{var.name}` is already defined",
                        "names are single assignment: choose a new name")
        self.frames[-1][var.name] = value
        if rename and value.name is None:
            value.name = valid_name(var.name)

    def type(self, t: A.TypeRef) -> Type:
        if t.kind not in TYPE_NAMES:
            close = difflib.get_close_matches(t.kind, TYPE_NAMES, n=1)
            self.report("SKC138", t.line, t.col, f"unknown type `{t.kind}`",
                        f"did you mean `{close[0]}`?" if close else f"types are {', '.join(TYPE_NAMES)}")
            return TEXT
        if t.schema is not None:
            if t.kind != "json":
                self.report("SKC138", t.line, t.col, f"only json takes a schema, not {t.kind}")
                return Type(t.kind)
            try:
                json.loads(t.schema)
            except ValueError as e:
                self.report("SKC138", t.line, t.col, f"the schema is not valid JSON: {e}",
                            'write a JSON Schema: json<{type: "array"}>', severity="warning")
        return Type(t.kind, t.schema)

    def check_operands(self, op: Op, line: int, col: int) -> None:
        if isinstance(op, UnregisteredOp) or any(id(v) in self.poison for v in op.operands):
            return
        why = check_signature(op.operands_sig, [v.type for v in op.operands])
        if why is not None:
            self.report("SKC133", line, col, f"{op.op_name} operands: {why}", _OPERAND_HINTS.get(op.op_name, ""))

    def check_results(self, op: Op, line: int, col: int) -> None:
        why = check_signature(op.results_sig, [v.type for v in op.results])
        if why is not None:
            self.report("SKC133", line, col, f"{op.op_name} results: {why}")

    def check_attrs(self, op: Op, where: dict[str, tuple[int, int]], line: int, col: int) -> None:
        for key, value in op.attributes.items():
            spec = op.attrs.get(key)
            why = well_formed(value)
            if why is None and spec is not None:
                why = spec.check(value)
            if why is not None:
                at = where.get(key, (line, col))
                self.report("SKC134", *at, f"{_clause_name(op, key)}: {why}")

    # ---------------------------------------------------------------- module and workflows

    def document(self, doc: A.Document) -> Module:
        module = Module(file=self.file)
        seen: set[str] = set()
        for wf in doc.workflows:
            if wf.name in seen:
                self.report("SKC139", wf.line, wf.col, f"workflow `{wf.name}` is defined twice")
            seen.add(wf.name)
            module.ops.append(self.workflow(wf))
        return module

    def workflow(self, wf: A.Workflow) -> WorkflowOp:
        self.ann_file = None
        loc = self.loc(wf.line, wf.col, wf.loc)
        block = Block([self.type(t) for _, t in wf.params], [v.name for v, _ in wf.params])
        attrs: dict[str, Any] = {"sym_name": wf.name}
        if wf.params:
            attrs["arg_names"] = [v.name for v, _ in wf.params]
        outputs = wf.outputs or ()
        named = [o.name is not None for o in outputs]
        if any(named) and not all(named):
            self.report("SKC139", wf.line, wf.col, "name every output or none",
                        "-> (severity: text, report: json)")
        elif outputs and all(named):
            attrs["output_names"] = [o.name for o in outputs]
        extra = self.header_clauses(wf.clauses, attrs)
        op = WorkflowOp(attributes=attrs, regions=[Region([block])], loc=loc)
        self.frames, self.blocks, self.kinds = [{}], [block], ["workflow"]
        self.outputs = [self.type(o.type) for o in wf.outputs] if wf.outputs is not None else None
        for (var, _), arg in zip(wf.params, block.args, strict=True):
            self.define(var, arg)
        _, stmt = self.body(wf.body, "workflow", loc)
        if self.outputs and stmt is None:
            self.report("SKC139", wf.end_line, max(wf.end_col - 1, 1),
                        f"workflow `{wf.name}` declares {len(self.outputs)} output(s) but has no return",
                        "end the workflow with `return a, b` matching `-> (...)`")
        for key, value in extra.items():
            op.attributes[key] = value
        return op

    def header_clauses(self, clauses: tuple[A.Clause, ...], attrs: dict[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        seen: set[str] = set()
        for c in clauses:
            if c.key in seen:
                self.report("SKC134", c.line, c.col, f"`{c.key}` is given twice")
            seen.add(c.key)
            if c.key == "permissions":
                if not all(isinstance(x, str) for x in c.value):
                    self.report("SKC134", c.line, c.col, "permissions are a list of tool names in strings")
                attrs["permissions"] = c.value
            elif c.key == "attrs":
                extra.update(c.value)
            else:
                attrs[c.key] = c.value
        return extra

    def check_outputs(self, values: list[Value], stmt: A.Return) -> None:
        want = self.outputs
        if want is None:
            return
        if len(values) != len(want):
            self.report("SKC133", stmt.line, stmt.col,
                        f"this returns {len(values)} value(s) but the workflow declares {len(want)} output(s)",
                        "return exactly the outputs written after `->` in the workflow header")
            return
        for i, (v, t) in enumerate(zip(values, want, strict=True)):
            if id(v) not in self.poison and not v.type.compatible(t):
                self.report("SKC133", stmt.line, stmt.col,
                            f"output #{i + 1} is {_kind(v.type)} but the header says {_kind(t)}")

    # ---------------------------------------------------------------- blocks and statements

    def body(self, stmts: tuple[A.Stmt, ...], kind: str, implicit: Location) -> tuple[Op, A.Return | A.Yield | None]:
        """Lowers a block's statements and its terminator (implicit when not written)."""
        term_stmt: A.Return | A.Yield | None = None
        for i, st in enumerate(stmts):
            if not isinstance(st, A.Return | A.Yield):
                self.stmt(st)
                continue
            early = kind == "if" and all(k in ("workflow", "if") for k in self.kinds)
            if (isinstance(st, A.Yield) and kind == "workflow") or \
                    (isinstance(st, A.Return) and kind != "workflow" and not early):
                word = "return" if isinstance(st, A.Return) else "yield"
                where = "the end of the workflow or of an if branch" if word == "return" else \
                    "the end of an if/map/retry block"
                self.report("SKC139", st.line, st.col, f"`{word}` belongs at {where}",
                            "blocks end with `yield values`; `return` ends the workflow (also early, "
                            "from an if branch outside map/retry)")
                continue
            if i != len(stmts) - 1:
                nxt = stmts[i + 1]
                self.report("SKC139", nxt.line, nxt.col, "nothing may follow `return`/`yield` in its block")
            loc = self.loc(st.line, st.col, st.loc)
            values = [self.expr(v, loc) for v in st.values]
            if isinstance(st, A.Return):
                status: dict[str, AttrValue] = {"status": st.status.plain()} if st.status is not None else {}
                term: Op = ReturnOp(values, [], status, loc=loc)
                self.check_outputs(values, st)
            else:
                term = YieldOp(values, [], {}, loc=loc)
            term_stmt = st
            self.emit(term)
            return term, term_stmt
        term = ReturnOp([], [], {}, loc=implicit) if kind == "workflow" else YieldOp([], [], {}, loc=implicit)
        self.emit(term)
        return term, None

    def stmt(self, st: A.Stmt) -> None:
        if isinstance(st, A.Bind):
            self.action(st.action, st.line, st.col, st.names)
        elif isinstance(st, A.Bare):
            self.action(st.action, st.line, st.col, ())

    def action(self, a: A.Action, line: int, col: int, names: tuple[A.Var, ...]) -> None:
        if isinstance(a, A.ExprAction):
            self.expr_action(a, line, col, names)
            return
        if isinstance(a, A.ToolAction):
            op = self.tool(a, self.loc(line, col, a.loc), line, col)
        elif isinstance(a, A.LlmAction):
            op = self.llm(a, self.loc(line, col, a.loc), line, col)
        elif isinstance(a, A.GenericAction):
            op = self.generic(a, self.loc(line, col, a.loc), line, col)
        elif isinstance(a, A.IfAction):
            op = self.if_(a, line, col)
        elif isinstance(a, A.MapAction):
            op = self.map_(a, line, col)
        else:
            op = self.retry(a, line, col)
        self.bind(names, op.results, line, col)

    def bind(self, names: tuple[A.Var, ...], values: list[Value], line: int, col: int) -> None:
        if len(names) > len(values):
            self.report("SKC133", line, col, f"{len(names)} names for {len(values)} result(s)",
                        "bind one name per result: step out, done = ... -> (text, token)")
        for var, value in zip(names, values, strict=False):
            self.define(var, value)
        for var in names[len(values):]:
            self.define(var, self.poisoned())

    def expr_action(self, a: A.ExprAction, line: int, col: int, names: tuple[A.Var, ...]) -> None:
        loc = self.loc(line, col, a.loc)
        block, before = self.blocks[-1], len(self.blocks[-1].ops)
        value = self.expr(a.expr, loc)
        made = value.defining_op is not None and value.defining_op in block.ops[before:]
        if a.attrs is not None:
            if not made or value.defining_op is None:
                self.report("SKC134", a.attrs.line, a.attrs.col, "`attrs` needs a step that computes a value")
            else:
                top = value.defining_op
                for key, v in a.attrs.value.items():
                    if key in top.attributes:
                        self.report("SKC134", a.attrs.line, a.attrs.col, f"`{key}` is set twice")
                    top.attributes[key] = v
                self.check_attrs(top, {}, a.attrs.line, a.attrs.col)
        if a.results is not None:
            if not made or value.defining_op is None:
                self.report("SKC133", a.results.line, a.results.col,
                            "`-> type` needs a step that computes a value, not a name")
            else:
                self.apply_results(value.defining_op, a.results)
        if len(names) != 1:
            self.report("SKC133", line, col, "an expression gives one value: bind one name")
        for var in names[:1]:
            self.define(var, value, rename=made)

    def apply_results(self, op: Op, results: A.Results) -> None:
        types = [self.type(t) for t in results.types]
        if len(types) != len(op.results):
            self.report("SKC133", results.line, results.col,
                        f"{op.op_name} gives {len(op.results)} result(s), not {len(types)}")
            return
        for v, t in zip(op.results, types, strict=True):
            v.type = t
        self.check_results(op, results.line, results.col)

    # ---------------------------------------------------------------- expressions

    def expr(self, e: A.Expr, loc: Location) -> Value:
        if isinstance(e, A.Var):
            return self.lookup(e)
        if isinstance(e, A.Lit):
            if e.text is not None and e.text.interps:
                return self.build("data.template", [], {}, loc, e.line, e.col, text=("template", e.text))
            return self.build("data.const", [], {"value": e.value}, loc, e.line, e.col)
        if isinstance(e, A.Call):
            return self.call(e, loc)
        if isinstance(e, A.Not):
            return self.build("calc.not", [self.expr(e.operand, loc)], {}, loc, e.line, e.col)
        lhs, rhs = self.expr(e.lhs, loc), self.expr(e.rhs, loc)
        if e.op in BINARY_OPS:
            return self.build(BINARY_OPS[e.op], [lhs, rhs], {}, loc, e.line, e.col)
        return self.build("calc.cmp", [lhs, rhs], {"pred": e.op}, loc, e.line, e.col)

    def build(self, name: str, operands: list[Value], attrs: dict[str, Any], loc: Location,
              line: int, col: int, text: tuple[str, Text] | None = None) -> Value:
        """One expression op (calc.*, data.*) at `loc`; type errors reported at `line:col`."""
        literals: list[tuple[str, Text]] = []
        if text is not None:
            attrs[text[0]] = self.fill(text[1], operands, literals)
        cls = op_class(name)
        assert cls is not None
        op = cls(operands, [_expr_result(name, attrs)], attrs, loc=loc)
        self.emit(op)
        self.check_operands(op, line, col)
        self.check_attrs(op, {}, line, col)
        self.check_literal_placeholders(literals, len(operands))
        return op.result

    def call(self, e: A.Call, loc: Location) -> Value:
        spec = CALLS.get(e.func)
        if spec is None:
            close = difflib.get_close_matches(e.func, list(CALLS), n=1)
            self.report("SKC137", e.line, e.col, f"unknown function `{e.func}`",
                        f"did you mean `{close[0]}`?" if close else f"functions are {', '.join(CALLS)}")
            return self.poisoned()
        name, params = spec
        args = list(e.args)
        operands: list[Value] = []
        attrs: dict[str, Any] = {}
        text: tuple[str, Text] | None = None
        kwargs = {k.name: k for k in e.kwargs}
        for p in params:
            if p == "*expr":
                operands += [self.expr(a, loc) for a in args]
                args = []
            elif p == "expr":
                if not args:
                    self.report("SKC137", e.line, e.col, f"{e.func}() needs a value to work on")
                    return self.poisoned()
                operands.append(self.expr(args.pop(0), loc))
            else:
                kind, attr = p.split(":")
                arg = args.pop(0) if args and attr not in kwargs else None
                if arg is None and attr in kwargs:
                    attrs[attr] = kwargs.pop(attr).value
                    continue
                if not isinstance(arg, A.Lit) or (kind == "tmpl" and arg.text is None):
                    what = "a string" if kind == "tmpl" else "a literal"
                    self.report("SKC137", e.line, e.col, f"{e.func}() needs `{attr}` as {what}",
                                f'e.g. {e.func}({"x, " if params[0] == "expr" else ""}"...")')
                    return self.poisoned()
                if kind == "tmpl":
                    assert arg.text is not None
                    text = (attr, arg.text)
                else:
                    attrs[attr] = arg.value
        if args:
            self.report("SKC137", e.line, e.col, f"{e.func}() takes {len(e.args) - len(args)} argument(s)")
        for k in kwargs.values():
            if k.name in attrs:
                self.report("SKC137", k.line, k.col, f"`{k.name}` is given twice")
            attrs[k.name] = k.value
        return self.build(name, operands, attrs, loc, e.line, e.col, text)

    # ---------------------------------------------------------------- templated strings

    def fill(self, text: Text, operands: list[Value], literals: list[tuple[str, Text]]) -> str:
        """`text` with each `{{name}}` replaced by `{N}`, N the value's operand position
        (appended to `operands` on first mention)."""
        out: list[str] = []
        for seg in text.segments:
            if isinstance(seg, str):
                out.append(seg)
                literals.append((seg, text))
                continue
            v = self.lookup(A.Var(seg.name, seg.line, seg.col))
            index = next((i for i, o in enumerate(operands) if o is v), None)
            if index is None:
                index = len(operands)
                operands.append(v)
            out.append("{" + str(index) + "}")
        return "".join(out)

    def check_literal_placeholders(self, literals: list[tuple[str, Text]], count: int) -> None:
        for piece, text in literals:
            for m in PLACEHOLDER.finditer(piece):
                if int(m.group(1)) < count:
                    self.report("SKC135", text.line, text.col,
                                f"`{m.group(0)}` in this string would be replaced by operand #{m.group(1)}",
                                "insert values with {{name}}; rewrite the literal braces (e.g. `{ 0}`)")

    # ---------------------------------------------------------------- op statements

    def clauses(self, clauses: tuple[A.Clause, ...], allowed: set[str], what: str) -> dict[str, A.Clause]:
        out: dict[str, A.Clause] = {}
        for c in clauses:
            if c.key not in allowed:
                self.report("SKC134", c.line, c.col, f"{what} takes no `{c.key}`",
                            f"{what} takes: {', '.join(sorted(allowed))}")
            elif c.key in out:
                self.report("SKC134", c.line, c.col, f"`{c.key}` is given twice")
            else:
                out[c.key] = c
        return out

    def clause_value(self, spec: ClauseSpec, c: A.Clause, operands: list[Value],
                     literals: list[tuple[str, Text]]) -> Any:
        v = c.value
        if spec.form == "templated":
            if not isinstance(v, Text):
                self.report("SKC134", c.line, c.col, f"`{c.key}` takes a string")
                return ""
            return self.fill(v, operands, literals)
        if spec.form == "argv":
            return [self.fill_item(x, operands, literals) for x in v]
        if spec.form == "text":
            if not isinstance(v, Text):
                self.report("SKC134", c.line, c.col, f"`{c.key}` takes a string")
                return str(v)
            return v.plain()
        if spec.form == "effects":
            _, bad = parse_effects(v)
            for text in bad:
                self.report("SKC134", c.line, c.col, f"malformed effect `{text}`",
                            "effects are pure, read:<resource>, write:<resource> or net:<resource>")
            return v
        if spec.form == "schema":
            if isinstance(v, dict):
                return json.dumps(v, separators=(",", ":"), ensure_ascii=False)
            if not isinstance(v, Text):
                self.report("SKC134", c.line, c.col, "`schema` takes a JSON object or a string")
                return "{}"
            return v.plain()
        return v.plain() if isinstance(v, Text) else v

    def fill_item(self, item: Text | A.Var, operands: list[Value], literals: list[tuple[str, Text]]) -> str:
        if isinstance(item, A.Var):
            v = self.lookup(item)
            index = next((i for i, o in enumerate(operands) if o is v), None)
            if index is None:
                index = len(operands)
                operands.append(v)
            return "{" + str(index) + "}"
        return self.fill(item, operands, literals)

    def needs(self, c: A.Clause | None, operands: list[Value]) -> None:
        for var in c.value if c is not None else ():
            v = self.lookup(var)
            if id(v) in self.poison or v.type.kind == "token":
                operands.append(v)
                continue
            producer = v.defining_op
            if producer is None or not producer.op_name.startswith("tool.") or producer.results[0] is not v:
                what = producer.op_name if producer is not None else "an input"
                self.report("SKC136", var.line, var.col, f"`{var.name}` ({what}) gives no ordering token",
                            f"only tool steps and token values can be needed; pass data with `with {var.name}`")
                continue
            token = next((r for r in producer.results if r.type.kind == "token"), None)
            if token is None:
                token = Value(TOKEN, producer, len(producer.results))
                producer.results.append(token)
            operands.append(token)

    def finish(self, form: OpForm | None, name: str, operands: list[Value], attrs: dict[str, Any],
               cs: dict[str, A.Clause], results: A.Results | None, loc: Location, line: int, col: int,
               literals: list[tuple[str, Text]]) -> Op:
        """Common tail of tool and llm steps: needs, attrs, defaults, results, checks."""
        self.needs(cs.get("needs"), operands)
        where = {spec.attr: (cs[spec.key].line, cs[spec.key].col)
                 for spec in (form.clauses if form else ()) if spec.key in cs}
        if "attrs" in cs:
            for key, value in cs["attrs"].value.items():
                if key in attrs:
                    self.report("SKC134", cs["attrs"].line, cs["attrs"].col, f"`{key}` is set twice")
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
                    self.report("SKC134", line, col, f"{form.keyword} needs `{key}`", _REQUIRED_HINTS.get(key, ""))
        types = [self.type(t) for t in results.types] if results is not None else \
            [form.default_result(attrs)] if form is not None else []
        cls = op_class(name)
        assert cls is not None
        op = self.emit(cls(operands, types, attrs, loc=loc))
        self.check_operands(op, line, col)
        self.check_results(op, *((results.line, results.col) if results else (line, col)))
        self.check_attrs(op, where, line, col)
        self.check_literal_placeholders(literals, len(operands))
        return op

    def tool(self, a: A.ToolAction, loc: Location, line: int, col: int) -> Op:
        form = FORMS["shell" if a.kind.startswith("shell") else a.kind]
        cs = self.clauses(a.clauses, {c.key for c in form.clauses} | _COMMON_CLAUSES, form.keyword)
        operands: list[Value] = []
        literals: list[tuple[str, Text]] = []
        if a.content is not None:
            operands.append(self.expr(a.content, loc))
        operands += [self.lookup(v) for v in cs["with"].value] if "with" in cs else []
        attrs: dict[str, Any] = {}
        if a.kind == "shell_argv":
            attrs["argv"] = [self.fill_item(x, operands, literals) for x in a.main]
        elif a.kind == "shell_cmd":
            attrs["cmd"] = self.fill(a.main, operands, literals)
        elif form.main_form == "text":
            attrs[str(form.main_attr)] = a.main.plain()
        else:
            attrs[str(form.main_attr)] = self.fill(a.main, operands, literals)
        if a.method is not None:
            attrs["method"] = a.method
        for spec in form.clauses:
            if spec.key in cs:
                attrs[spec.attr] = self.clause_value(spec, cs[spec.key], operands, literals)
        return self.finish(form, form.op_name, operands, attrs, cs, a.results, loc, line, col, literals)

    def llm(self, a: A.LlmAction, loc: Location, line: int, col: int) -> Op:
        form = FORMS[a.kind]
        cs = self.clauses(a.clauses, {c.key for c in form.clauses} | _COMMON_CLAUSES, form.keyword)
        operands = [self.lookup(v) for v in cs["with"].value] if "with" in cs else []
        attrs: dict[str, Any] = {"prompt": a.prompt.plain()}
        for interp in a.prompt.interps:
            if any(interp.name in f for f in self.frames):
                self.report("SKC135", interp.line, interp.col, f"{{{{{interp.name}}}}} is not replaced in a prompt",
                            f"the step's values are given to the model as context: add `with {interp.name}`",
                            severity="warning")
        for spec in form.clauses:
            if spec.key in cs:
                attrs[spec.attr] = self.clause_value(spec, cs[spec.key], operands, [])
        return self.finish(form, form.op_name, operands, attrs, cs, a.results, loc, line, col, [])

    def generic(self, a: A.GenericAction, loc: Location, line: int, col: int) -> Op:
        """`op "name"(values) {attrs} -> types`: any region-free op, checked later by the verifier."""
        cls = op_class(a.opname)
        if cls is not None and (cls.num_regions or cls.terminator or cls.name == "skc.workflow"):
            self.report("SKC139", line, col, f"{a.opname} cannot be written with `op`",
                        "write if/map/retry blocks, yield and return with their own syntax")
        operands = [self.lookup(v) for v in a.operands]
        types = [self.type(t) for t in a.results.types] if a.results else []
        attrs = dict(a.attrs)
        op = cls(operands, types, attrs, loc=loc) if cls is not None else \
            UnregisteredOp(a.opname, operands, types, attrs, loc=loc)
        return self.emit(op)

    # ---------------------------------------------------------------- control flow

    def block_attrs(self, kind: str, clauses: tuple[A.Clause, ...]) -> tuple[dict[str, Any], dict[str, A.Clause]]:
        cs = self.clauses(clauses, _BLOCK_CLAUSES[kind], kind)
        attrs: dict[str, Any] = {}
        if "label" in cs:
            attrs["step"] = cs["label"].value.plain()
        if "parallel" in cs:
            attrs["max_parallel"] = cs["parallel"].value
        if "backoff" in cs:
            attrs["backoff_s"] = cs["backoff"].value
        for key, value in (cs["attrs"].value.items() if "attrs" in cs else ()):
            if key in attrs:
                self.report("SKC134", cs["attrs"].line, cs["attrs"].col, f"`{key}` is set twice")
            attrs[key] = value
        return attrs, cs

    def region(self, block: Block, stmts: tuple[A.Stmt, ...], kind: str, implicit: Location,
               args: tuple[tuple[A.Var, Value], ...] = ()) -> tuple[Op, A.Return | A.Yield | None]:
        self.frames.append({})
        self.blocks.append(block)
        self.kinds.append(kind)
        for var, value in args:
            self.define(var, value)
        try:
            return self.body(stmts, kind, implicit)
        finally:
            self.frames.pop()
            self.blocks.pop()
            self.kinds.pop()

    def results_from(self, op: Op, yields: list[tuple[Op, A.Stmt | None, int, int]],
                     declared: A.Results | None) -> None:
        """Sets `op`'s results from its regions' yields (or the `-> types` written) and checks them.

        A branch that ends in `return` (an early exit) yields nothing and is not checked here.
        """
        yields = [y for y in yields if isinstance(y[0], YieldOp)]
        types = [self.type(t) for t in declared.types] if declared is not None else \
            [v.type for v in yields[0][0].operands] if yields else []
        for term, stmt, line, col in yields:
            got = term.operands
            at = (stmt.line, stmt.col) if stmt is not None else (line, col)
            if len(got) != len(types):
                self.report("SKC133", *at, f"this block yields {len(got)} value(s); {op.op_name} gives {len(types)}",
                            "every branch yields the same number of values, of the same types")
                continue
            for v, t in zip(got, types, strict=True):
                if id(v) not in self.poison and not v.type.compatible(t):
                    self.report("SKC133", *at, f"this block yields {_kind(v.type)} where {_kind(t)} is expected")
        op.results = [Value(t, op, i) for i, t in enumerate(types)]

    def if_(self, a: A.IfAction, line: int, col: int) -> Op:
        loc = self.loc(line, col, a.loc)
        cond = self.expr(a.cond, loc)
        attrs, _ = self.block_attrs("if", a.clauses)
        op = self.emit(IfOp([cond], [], attrs, [Region(), Region()], loc=loc))
        if id(cond) not in self.poison and cond.type.kind != "bool":
            self.report("SKC133", a.cond.line, a.cond.col, f"the condition is {_kind(cond.type)}, not bool",
                        'compare it: `if answer == "yes" { ... }`')
        then_term, then_stmt = self.region(op.regions[0].block, a.then.stmts, "if", loc)
        yields: list[tuple[Op, A.Stmt | None, int, int]] = [(then_term, then_stmt, a.then.line, a.then.col)]
        if isinstance(a.orelse, A.IfAction):
            self.frames.append({})
            self.blocks.append(op.regions[1].block)
            self.kinds.append("if")
            inner = self.if_(a.orelse, a.orelse.line, a.orelse.col)
            term = self.emit(YieldOp(list(inner.results), [], {}, loc=inner.loc))
            self.frames.pop()
            self.blocks.pop()
            self.kinds.pop()
            yields.append((term, None, a.orelse.line, a.orelse.col))
        else:
            stmts = a.orelse.stmts if a.orelse is not None else ()
            else_term, else_stmt = self.region(op.regions[1].block, stmts, "if", loc)
            at = (a.orelse.line, a.orelse.col) if a.orelse is not None else (line, col)
            yields.append((else_term, else_stmt, *at))
        self.results_from(op, yields, a.results)
        return op

    def map_(self, a: A.MapAction, line: int, col: int) -> Op:
        loc = self.loc(line, col, a.loc)
        items = self.expr(a.items, loc)
        attrs, _ = self.block_attrs("map", a.clauses)
        item_type = self.type(a.item_type) if a.item_type is not None else JSON
        body = Block([item_type], [a.item.name])
        op = self.emit(MapOp([items], [JSON], attrs, [Region([body])], loc=loc))
        self.check_operands(op, a.items.line, a.items.col)
        term, stmt = self.region(body, a.body.stmts, "map", loc, ((a.item, body.args[0]),))
        if len(term.operands) != 1:
            at = (stmt.line, stmt.col) if stmt is not None else (a.body.end_line, max(a.body.end_col - 1, 1))
            self.report("SKC133" if stmt else "SKC139", *at, "a map body ends with `yield value` (one value per item)")
        if a.results is not None:
            self.apply_results(op, a.results)
        return op

    def retry(self, a: A.RetryAction, line: int, col: int) -> Op:
        loc = self.loc(line, col, a.loc)
        attrs, cs = self.block_attrs("retry", a.clauses)
        attrs = {"max_attempts": a.attempts, **attrs}
        operands = [self.lookup(v) for v in cs["with"].value] if "with" in cs else []
        self.needs(cs.get("needs"), operands)
        op = self.emit(RetryOp(operands, [], attrs, [Region()], loc=loc))
        term, stmt = self.region(op.regions[0].block, a.body.stmts, "retry", loc)
        self.results_from(op, [(term, stmt, a.body.line, a.body.col)], a.results)
        self.check_attrs(op, {}, line, col)
        return op


def _expr_result(name: str, attrs: dict[str, Any]) -> Type:
    if name in ("calc.add", "calc.sub", "calc.mul", "calc.div"):
        return NUM
    if name.startswith("calc."):
        return BOOL
    if name == "data.const":
        return const_type(attrs.get("value"))
    return call_default_result(name, attrs)


def _kind(t: Type) -> str:
    return t.kind


def _clause_name(op: Op, attr: str) -> str:
    from skc.compiler.frontend.skflow_ops import FORM_OF_OP

    form = FORM_OF_OP.get(op.op_name)
    spec = form.clause_for_attr(attr) if form else None
    return f"`{spec.key}`" if spec else f"{op.op_name} attribute `{attr}`"


_OPERAND_HINTS = {
    "calc.and": "`and`/`or`/`not` combine bools: compare values first (`n > 3 and ok`)",
    "calc.or": "`and`/`or`/`not` combine bools: compare values first (`n > 3 or ok`)",
    "calc.not": "`not` takes a bool",
    "calc.add": "arithmetic takes numbers: declare the step `-> num`",
    "calc.sub": "arithmetic takes numbers: declare the step `-> num`",
    "calc.mul": "arithmetic takes numbers: declare the step `-> num`",
    "calc.div": "arithmetic takes numbers: declare the step `-> num`",
    "calc.cmp": "comparisons take text, numbers or bools",
    "data.count": "count() takes a JSON array, a table or text",
    "data.json_get": "json_get() takes JSON, a table or text",
    "ctrl.map": "map runs over a JSON array or a table",
}
_REQUIRED_HINTS = {
    "effects": "say what it touches: effects [read:k8s], or [write:*] when it may change anything",
    "outcomes": 'list the answers: outcomes ["yes", "no"]',
    "schema": 'give a JSON Schema: schema {"type": "object"}',
    "tools": 'list the tools it may call: tools ["Bash", "Read"]',
}
