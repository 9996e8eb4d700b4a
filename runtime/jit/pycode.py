"""Candidates as readable Python: the `code` of the `tool.python` op that replaces an LLM step.

The text follows `tool.python`'s contract (operands arrive as `args`, the value
of `result` is the output) and imports the few helpers whose semantics the
program language defines (`skc.runtime.jit.program`), so the code computes
exactly what `program.evaluate` computes:

    from skc.runtime.jit.program import agg
    result = ("down" if agg("max", args[0], "error_rate") > 0.5 else "degraded")
"""

from __future__ import annotations

import math
from typing import Any

from skc.runtime.jit.program import Candidate, Expr

_CMP = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}


def _literal(v: Any) -> str:
    if isinstance(v, float) and not math.isfinite(v):
        return f"float({str(v)!r})"
    if isinstance(v, list):
        return "[" + ", ".join(_literal(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(x)}" for k, x in v.items()) + "}"
    return repr(v)


class _Renderer:
    """Renders one expression, collecting the helper names it needs."""

    def __init__(self) -> None:
        self.helpers: set[str] = set()

    def use(self, name: str) -> str:
        self.helpers.add(name)
        return name

    def expr(self, e: Expr) -> str:
        op = e["op"]
        method = getattr(self, f"r_{op}", None)
        if method is None:
            raise ValueError(f"cannot render program op {op!r}")
        return method(e)

    def r_const(self, e: Expr) -> str:
        return _literal(e["value"])

    def r_ref(self, e: Expr) -> str:
        head, *rest = e["path"]
        return f"args[{head}]" + "".join(f"[{k!r}]" for k in rest)

    def r_regex(self, e: Expr) -> str:
        return f"{self.use('regex_group')}({e['pattern']!r}, {self.expr(e['src'])}, {e.get('group', 1)})"

    def r_table(self, e: Expr) -> str:
        return f"{self.use('parse_table')}({self.use('text_of')}({self.expr(e['src'])}))"

    def r_count(self, e: Expr) -> str:
        return f"{self.use('count')}({self.expr(e['src'])})"

    def r_num(self, e: Expr) -> str:
        return f"{self.use('as_number')}({self.expr(e['src'])})"

    def r_agg(self, e: Expr) -> str:
        return f"{self.use('agg')}({e['fn']!r}, {self.use('as_rows')}({self.expr(e['src'])}), {e['col']!r})"

    def r_pick(self, e: Expr) -> str:
        return (f"{self.use('pick')}({self.use('as_rows')}({self.expr(e['src'])}), {e['by']!r}, "
                f"{e.get('key')!r}, {e['take']!r})")

    def r_lookup(self, e: Expr) -> str:
        return (f"{self.use('lookup')}({self.use('as_rows')}({self.expr(e['src'])}), {e['col']!r}, "
                f"{self.expr(e['match'])}, {e['take']!r})")

    def r_count_where(self, e: Expr) -> str:
        return f"{self.use('count_where')}({_literal(e['pred'])}, {self.expr(e['src'])})"

    def r_empty(self, e: Expr) -> str:
        return f"({self.use('count')}({self.expr(e['src'])}) == 0)"

    def r_contains(self, e: Expr) -> str:
        return f"({e['literal']!r} in {self.use('text_of')}({self.expr(e['src'])}))"

    def r_cmp(self, e: Expr) -> str:
        pred, lhs, rhs = e["pred"], self.expr(e["lhs"]), e["rhs"]
        number = rhs["op"] == "const" and isinstance(rhs["value"], int | float) and not isinstance(rhs["value"], bool)
        if number and pred in _CMP:
            return f"({self.use('as_number')}({lhs}) {_CMP[pred]} {_literal(float(rhs['value']))})"
        return f"{self.use('compare')}({pred!r}, {lhs}, {self.expr(rhs)})"

    def r_if(self, e: Expr) -> str:
        return f"({self.expr(e['then'])} if {self.expr(e['cond'])} else {self.expr(e['else'])})"

    def r_template(self, e: Expr) -> str:
        parts = [_literal(p) if isinstance(p, str) else f"{self.use('fmt')}({self.expr(p)})" for p in e["parts"]]
        return " + ".join(parts) if parts else "''"

    def r_object(self, e: Expr) -> str:
        return "{" + ", ".join(f"{k!r}: {self.expr(v)}" for k, v in e["fields"].items()) + "}"


def expr_to_python(expr: Expr) -> str:
    """`expr` as a `tool.python` program: imports, then `result = ...`."""
    if expr["op"] == "python":
        return expr["code"].rstrip() + "\n\nresult = solve(args)\n"
    r = _Renderer()
    body = r.expr(expr)
    head = f"from skc.runtime.jit.program import {', '.join(sorted(r.helpers))}\n" if r.helpers else ""
    return f"{head}result = {body}\n"


def candidate_to_python(candidate: Candidate) -> str:
    """The candidate's program as `tool.python` code, with a comment saying what it replaced."""
    return f"# solidified by skc jit: {candidate.kind} {candidate.fingerprint}\n" + expr_to_python(candidate.expr)


def run_python(code: str, args: list[Any]) -> Any:
    """Runs `tool.python`-style code in this process (tests and the sandbox worker use it)."""
    scope: dict[str, Any] = {"args": args, "__name__": "__skc_candidate__"}
    exec(compile(code, "<candidate>", "exec"), scope)
    return scope.get("result")
