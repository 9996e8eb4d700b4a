"""Lowering of .skflow steps and expressions to IR ops: the shared plumbing (scopes,
locations, diagnostics, type and attribute checks, clauses, `needs`), expressions
(`calc.*`, `data.*`) and insertions in templated strings. The tool / model / generic steps
are `actions.ActionBuilder`'s. `lower.Lowerer` composes a `StepBuilder` and an
`ActionBuilder` and adds workflows, blocks and control flow.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from skc.compiler.frontend.skflow import nodes as A
from skc.compiler.frontend.skflow.ops import (
    BINARY_OPS,
    CALL_SIGNATURES,
    CALLS,
    FORM_OF_OP,
    PLACEHOLDER,
    RESERVED,
    TYPE_NAMES,
    expr_result,
)
from skc.compiler.frontend.skflow.strings import Text
from skc.ir.attrs import well_formed
from skc.ir.core import Block, Op, UnregisteredOp, Value, valid_name
from skc.ir.dialects import op_class
from skc.ir.location import Diagnostic, Location, Severity
from skc.ir.traits import RunsTool
from skc.ir.types import TEXT, TOKEN, Type, check_signature


class StepBuilder:
    """Turns one step or expression into ops, with the lowering's shared state (scopes,
    blocks being filled, diagnostics); `lower.Lowerer` composes one per file."""

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
                self.report("SKC138", t.line, t.col, f"only json takes a schema, not {t.kind}",
                            'write json<{type: "object"}>, or the type alone')
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
            self.report("SKC133", line, col, f"{op.op_name} results: {why}",
                        "declare types the step can produce, e.g. `-> json` or `-> (text, token)`")

    def check_attrs(self, op: Op, where: dict[str, tuple[int, int]], line: int, col: int) -> None:
        for key, value in op.attributes.items():
            spec = op.attrs.get(key)
            why = well_formed(value)
            if why is None and spec is not None:
                why = spec.check(value)
            if why is not None:
                at = where.get(key, (line, col))
                self.report("SKC134", *at, f"{_clause_name(op, key)}: {why}",
                            f"{key} is the {spec.doc}" if spec is not None and spec.doc else
                            "see docs/skflow.md for what each clause takes")

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
        op = cls(operands, [expr_result(name, attrs)], attrs, loc=loc)
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
                    self.report("SKC137", e.line, e.col, f"{e.func}() needs a value to work on",
                                f"write {CALL_SIGNATURES[e.func]}")
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
            self.report("SKC137", e.line, e.col, f"{e.func}() takes {len(e.args) - len(args)} argument(s)",
                        f"write {CALL_SIGNATURES[e.func]}")
        for k in kwargs.values():
            if k.name in attrs:
                self.report("SKC137", k.line, k.col, f"`{k.name}` is given twice", "give it once")
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
                self.report("SKC134", c.line, c.col, f"`{c.key}` is given twice", "give each clause once")
            else:
                out[c.key] = c
        return out

    def needs(self, c: A.Clause | None, operands: list[Value]) -> None:
        for var in c.value if c is not None else ():
            v = self.lookup(var)
            if id(v) in self.poison or v.type.kind == "token":
                operands.append(v)
                continue
            producer = v.defining_op
            if producer is None or not producer.has(RunsTool) or producer.results[0] is not v:
                what = producer.op_name if producer is not None else "an input"
                self.report("SKC136", var.line, var.col, f"`{var.name}` ({what}) gives no ordering token",
                            f"only tool steps and token values can be needed; pass data with `with {var.name}`")
                continue
            token = next((r for r in producer.results if r.type.kind == "token"), None)
            if token is None:
                token = Value(TOKEN, producer, len(producer.results))
                producer.results.append(token)
            operands.append(token)

def kind_name(t: Type) -> str:
    return t.kind


def _clause_name(op: Op, attr: str) -> str:
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
