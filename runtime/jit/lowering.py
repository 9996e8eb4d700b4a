"""Adaptive recompilation: a promoted candidate as IR ops that replace the LLM step.

`candidate_to_ir(candidate, operands, loc)` builds, with the skc.ir builders,
the ops that compute the candidate from the replaced op's operands; the first
result of the last op returned is the new value (replace the LLM op's result
with it, then erase the LLM op). What maps onto a dedicated op becomes that op:

    decision tree     nested ctrl.if on calc.cmp (thresholds as data.const), leaves data.const
    template          data.template ("{0}", "{1}" for the fields)
    field of operand  data.json_get (a JSONPath built from the path)
    regex             data.regex_extract
    count / contains  data.count / calc.cmp {pred = "contains"}

and every other piece (aggregates, table lookups, parsed numbers, objects,
LLM-written code) becomes a `tool.python` op whose code `pycode` renders.
`tool_sequence_to_ir` does the same for a solidified agent tool-call sequence.
"""

from __future__ import annotations

import re
from typing import Any

from skc.ir import (
    BOOL,
    JSON,
    NUM,
    TEXT,
    Block,
    InsertionPoint,
    Op,
    Type,
    Value,
    calc,
    ctrl,
    data,
    tool,
)
from skc.ir.location import UNKNOWN, Location
from skc.runtime.jit.program import Candidate, Expr
from skc.runtime.jit.pycode import candidate_to_python, expr_to_python

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
PLACEHOLDER = re.compile(r"\{\d+\}")  # what data.template / tool.shell substitute; other braces stay


def type_of(value: Any) -> Type:
    """The IR type of a runtime value (see `skc.runtime`)."""
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int | float):
        return NUM
    if isinstance(value, str):
        return TEXT
    return JSON


def jsonpath(path: list[Any]) -> str:
    """`["items", 0, "name"]` -> `$.items[0].name` (odd keys quoted: `$['a b']`)."""
    out = "$"
    for k in path:
        if isinstance(k, int):
            out += f"[{k}]"
        elif _IDENT.match(k):
            out += f".{k}"
        else:
            out += "['" + k.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return out


class ExprLowerer:
    """Builds ops for one candidate at the current insertion point."""

    def __init__(self, operands: list[Value], loc: Location) -> None:
        self.operands = operands
        self.loc = loc

    def python(self, expr: Expr, result: Type) -> Value:
        return tool.python(expr_to_python(expr), *self.operands, result=result, loc=self.loc)

    def value(self, e: Expr, want: Type | None = None) -> Value:
        """`e` as an SSA value; `want` is the type a consumer needs (None: any)."""
        op = e["op"]
        if op == "const" and _fits(want, type_of(e["value"]).kind):
            return data.const(e["value"], type_of(e["value"]), loc=self.loc)
        if op == "ref":
            src = self.operands[e["path"][0]]
            rest = e["path"][1:]
            if not rest and _fits(want, src.type.kind):
                return src
            if rest and src.type.kind in ("json", "table") and _fits(want, "json"):
                return data.json_get(src, jsonpath(rest), JSON, loc=self.loc)
        if op == "regex" and _fits(want, "text") and e["src"]["op"] == "ref" and len(e["src"]["path"]) == 1:
            src = self.value(e["src"])
            if src.type.kind == "text":
                return data.regex_extract(src, e["pattern"], group=e.get("group", 1), loc=self.loc)
        if op == "count" and _fits(want, "num") and self._collection(e["src"]):
            return data.count(self.value(e["src"]), loc=self.loc)
        if op == "contains" and _fits(want, "bool") and self._text_ref(e["src"]):
            lit = data.const(e["literal"], TEXT, loc=self.loc)
            return calc.cmp("contains", self.value(e["src"]), lit, loc=self.loc)
        if op == "cmp" and _fits(want, "bool"):
            return self.cmp(e)
        if op == "if":
            return self.branch(e, want)
        if op == "template" and _fits(want, "text") and not any(
                isinstance(p, str) and PLACEHOLDER.search(p) for p in e["parts"]):
            fields = [self.value(p) for p in e["parts"] if isinstance(p, dict)]
            text, k = "", 0
            for p in e["parts"]:
                if isinstance(p, str):
                    text += p
                else:
                    text, k = text + f"{{{k}}}", k + 1
            return data.template(text, *fields, loc=self.loc)
        return self.python(e, want or _result_type(e))

    def _collection(self, e: Expr) -> bool:
        return e["op"] == "ref" and len(e["path"]) == 1 and self.operands[e["path"][0]].type.kind in ("json", "table", "text")

    def _text_ref(self, e: Expr) -> bool:
        return e["op"] == "ref" and len(e["path"]) == 1 and self.operands[e["path"][0]].type.kind == "text"

    def cmp(self, e: Expr) -> Value:
        rhs = e["rhs"]
        numeric = rhs["op"] == "const" and type_of(rhs["value"]) == NUM
        text = rhs["op"] == "const" and isinstance(rhs["value"], str) and e["pred"] in ("eq", "ne", "contains")
        if numeric:
            return calc.cmp(e["pred"], self.value(e["lhs"], NUM), self.value(rhs, NUM), loc=self.loc)
        if text:
            return calc.cmp(e["pred"], self.value(e["lhs"], TEXT), self.value(rhs, TEXT), loc=self.loc)
        return self.python(e, BOOL)

    def branch(self, e: Expr, want: Type | None) -> Value:
        cond = self.value(e["cond"], BOOL)
        result = want or _result_type(e)
        op = ctrl.if_(cond, [result], loc=self.loc)
        for block, key in ((op.then_block, "then"), (op.else_block, "else")):
            with InsertionPoint(block):
                ctrl.yield_(self.value(e[key], result), loc=self.loc)
        return op.result


def _fits(want: Type | None, kind: str) -> bool:
    return want is None or want.kind == kind


def _result_type(e: Expr) -> Type:
    op = e["op"]
    if op == "const":
        return type_of(e["value"])
    if op in ("count", "num", "agg", "count_where"):
        return NUM
    if op in ("cmp", "empty", "contains"):
        return BOOL
    if op in ("template", "regex"):
        return TEXT
    if op == "if":
        return _result_type(e["then"])
    return JSON


def candidate_to_ir(candidate: Candidate, operands: list[Value], loc: Location = UNKNOWN,
                    result: Type | None = None) -> list[Op]:
    """Ops computing `candidate` from `operands` (the replaced op's), in order; nested ops live
    in the regions of the `ctrl.if`s. The last op's first result is the value. `result` is the
    replaced op's result type (default: inferred from the program)."""
    block = Block()
    with InsertionPoint(block):
        want = result or _result_type(candidate.expr)
        if candidate.kind == "python":
            tool.python(candidate_to_python(candidate), *operands, result=want, loc=loc)
        else:
            value = ExprLowerer(list(operands), loc).value(candidate.expr, want)
            if value.defining_op is None or value.defining_op.parent is not block:
                # The value is an operand itself: give it an op of its own.
                if want.kind == "text":
                    data.template("{0}", value, loc=loc)
                else:
                    tool.python(expr_to_python(candidate.expr), *operands, result=want, loc=loc)
    ops = list(block.ops)
    for op in ops:
        block.remove(op)
    return ops
