"""Expressions for the .skflow printer: a unique name for every value, the expression of
a folded pure op (`calc.*` operators with precedence, calls like `json_get(x, "$.a")`),
and templated strings whose `{{name}}` interpolations name the op's operands.
`printer._WorkflowPrinter` composes one `ExprPrinter` per workflow."""

from __future__ import annotations

import re

from skc.compiler.frontend.skflow.ops import (
    CALL_OF_OP,
    CALLS,
    EXPR_WORDS,
    OP_OF_BINARY,
    PLACEHOLDER,
    RESERVED,
)
from skc.compiler.frontend.skflow.plan import CALC_BINARY, CALC_EXPR, NATURAL_KWARGS, Plan
from skc.compiler.frontend.skflow.strings import (
    IDENT,
    Inexpressible,
    Interp,
    render,
    render_literal,
)
from skc.ir.core import Op, Value
from skc.ir.dialects.calc import CmpOp, NotOp
from skc.ir.dialects.ctrl import ReturnOp
from skc.ir.dialects.skc import WorkflowOp

ATOM = 9
_SYMBOLS = {"or": ("or", 1), "and": ("and", 2), "add": ("+", 5), "sub": ("-", 5),
            "mul": ("*", 6), "div": ("/", 6)}
_CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
        "contains": "contains", "matches": "matches"}


def paren(text: str, yes: bool) -> str:
    return f"({text})" if yes else text


class ExprPrinter:
    """Names and expressions of one workflow's values (state: the names taken so far)."""

    def __init__(self, wf: WorkflowOp) -> None:
        self.plan = Plan(wf)
        self.names: dict[int, str] = {}
        self.taken: set[str] = set()
        self.indent = ""  # of the statement being written (long strings line up with it)
        self.prefer: dict[int, str] = {}
        term = wf.body.ops[-1] if wf.regions and wf.body.ops else None
        out_names = wf.attributes.get("output_names")
        if isinstance(term, ReturnOp) and isinstance(out_names, list):
            for v, n in zip(term.operands, out_names, strict=False):
                self.prefer.setdefault(id(v), str(n))

    def name(self, v: Value, prefer: str | None = None) -> str:
        """A unique name for `v`: its SSA name, else the output or step label it stands for."""
        if id(v) in self.names:
            return self.names[id(v)]
        prefer = prefer or v.name or self.prefer.get(id(v))
        if prefer is None and v.defining_op is not None and isinstance(v.defining_op.attributes.get("step"), str):
            prefer = str(v.defining_op.attributes["step"]).lower() if v is v.defining_op.results[0] else None
        base = re.sub(r"[^A-Za-z0-9_]+", "_", prefer or "").strip("_") or "v"
        if base[0].isdigit():
            base = "v" + base
        sep = "" if base == "v" else "_"
        name = base if base != "v" else "v1"
        n = 1
        while name in self.taken or name in RESERVED:
            n += 1
            name = f"{base}{sep}{n}"
        self.taken.add(name)
        self.names[id(v)] = name
        return name

    def templated(self, text: str, op: Op, indent: str | None = None) -> str:
        segments: list[str | Interp] = []
        pos = 0
        for m in PLACEHOLDER.finditer(text):
            n = int(m.group(1))
            if n < len(op.operands):
                name = self.name(op.operands[n])
                segments += [text[pos:m.start()], Interp(name, 0, 0, "{{" + name + "}}")]
                pos = m.end()
        segments.append(text[pos:])
        return render(tuple(segments), templated=True, indent=self.indent if indent is None else indent)

    def expr(self, v: Value) -> tuple[str, int]:
        op = v.defining_op
        if op is not None and id(op) in self.plan.folded:
            return self.expr_op(op)
        return self.name(v), ATOM

    def expr_op(self, op: Op, extra: dict | None = None) -> tuple[str, int]:
        """The expression of a folded op, or (with `extra`) of a statement's top op, whose
        attributes that expressions cannot carry go to `extra` (written `attrs {...}`)."""
        name = op.op_name
        if type(op) in CALC_EXPR:
            keep = {"pred"} if isinstance(op, CmpOp) else set()
            rest = {k: v for k, v in op.attributes.items() if k not in keep}
            if rest and extra is None:
                raise Inexpressible(f"{name} has attributes an expression cannot carry")
            if extra is not None:
                extra.update(rest)
        if isinstance(op, NotOp):
            text, prec = self.expr(op.operands[0])
            return "not " + paren(text, prec < 3), 3
        if type(op) in CALC_BINARY:
            if isinstance(op, CmpOp):
                symbol, prec = _CMP[str(op.attributes["pred"])], 4
            else:
                symbol, prec = _SYMBOLS[OP_OF_BINARY[name]]
            (lt, lp), (rt, rp) = self.expr(op.operands[0]), self.expr(op.operands[1])
            left = lp <= prec if prec == 4 else lp < prec
            return f"{paren(lt, left)} {symbol} {paren(rt, rp <= prec)}", prec
        return self.call_expr(op, extra), ATOM

    def call_expr(self, op: Op, extra: dict | None) -> str:
        func = CALL_OF_OP[op.op_name]
        params = CALLS[func][1]
        attrs = dict(op.attributes)
        if extra is not None:
            fixed = {p.split(":")[1] for p in params if ":" in p}
            for key in [k for k in attrs if k not in fixed and k not in NATURAL_KWARGS]:
                extra[key] = attrs.pop(key)
        if func == "const" and set(attrs) == {"value"}:
            value = attrs["value"]
            if isinstance(value, str):
                return render((value,) if value else (), templated=True, indent=self.indent)
            return render_literal(value)
        args: list[str] = []
        operands = list(op.operands)
        for p in params:
            if p == "*expr":
                args += [self.expr(v)[0] for v in operands]
                operands = []
            elif p == "expr":
                args.append(self.expr(operands.pop(0))[0])
            else:
                kind, attr = p.split(":")
                value = attrs.pop(attr)
                if kind == "tmpl":
                    mentions = [op.operands[int(m.group(1))] for m in PLACEHOLDER.finditer(str(value))
                                if int(m.group(1)) < len(op.operands)]
                    order: list[Value] = []
                    for v in mentions:
                        if not any(v is o for o in order):
                            order.append(v)
                    if len(order) != len(op.operands) or any(a is not b for a, b in zip(order, op.operands, strict=True)):
                        raise Inexpressible("template operands are not in mention order")
                    text = self.templated(str(value), op)
                    if mentions and not attrs:
                        return text
                    args.append(text)
                else:
                    args.append(render_literal(value))
        for key, value in attrs.items():
            if not IDENT.match(key) or key in EXPR_WORDS:
                raise Inexpressible(f"attribute {key!r} cannot be a keyword argument")
            args.append(f"{key}={render_literal(value)}")
        return f"{func}({', '.join(args)})"
