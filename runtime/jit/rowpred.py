"""Row predicates: numeric conditions applied to every row of a table.

A row predicate is JSON data, the part of a candidate program that native code
can run (see `native.py`):

    pred := {"op": "and" | "or", "args": [pred, ...]} | {"op": "not", "arg": pred}
          | {"op": "cmp", "pred": "gt" | "ge" | "lt" | "le" | "eq" | "ne", "lhs": val, "rhs": val}
    val  := {"op": "col", "name": "latency_ms"} | {"op": "const", "value": 500}
          | {"op": "add" | "sub" | "mul" | "div", "args": [val, val]}

Semantics (the same in Python and in native code, by construction): a cell is
read with `as_number` (numbers as float64; numeric text such as "512" or "5%"
parsed; anything else, missing cells included, is NaN); comparisons follow
IEEE 754 (every comparison with NaN is false except `ne`); division by zero
gives ±inf or NaN rather than an error. A string constant compared with `eq` or
`ne` compares the cell's text instead; such predicates run only in Python.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from skc.ir.core import Op, Value
from skc.ir.dialects.calc import AddOp, AndOp, CmpOp, DivOp, MulOp, NotOp, OrOp, SubOp
from skc.ir.dialects.data import ConstOp

CMP_PREDS = ("gt", "ge", "lt", "le", "eq", "ne")
ARITH = ("add", "sub", "mul", "div")
_PY_CMP = {"gt": ">", "ge": ">=", "lt": "<", "le": "<=", "eq": "==", "ne": "!="}
_PY_ARITH = {"add": "+", "sub": "-", "mul": "*"}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\Z")

Pred = dict[str, Any]


class NotLowerable(ValueError):
    """The IR or program fragment is not a row predicate (or not a numeric one)."""


def as_number(v: object) -> float:
    """A cell as float64: numbers as is, numeric text ("512", " 5% ") parsed, else NaN."""
    if isinstance(v, bool | int | float):
        try:
            return float(v)
        except OverflowError:
            return math.nan
    if isinstance(v, str):
        s = v.strip().removesuffix("%").rstrip()
        if _NUMBER.match(s):
            return float(s)
    return math.nan


def as_text(v: object) -> str:
    """A value as text, as `data.template` and commands show it: strings as is, integral
    floats without `.0`, booleans `true`/`false`, null empty, JSON compact with sorted keys."""
    if isinstance(v, str):
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and math.isfinite(v):
        return str(int(v))
    if isinstance(v, int | float):
        return str(v)
    return json.dumps(v, sort_keys=True, separators=(",", ":"), default=str)


def ieee_div(a: float, b: float) -> float:
    """`a / b` as IEEE 754 (and numpy, and LLVM's `fdiv`) define it: no exception on zero."""
    if b != 0 or math.isnan(b):
        return a / b if not (math.isnan(a) or math.isnan(b)) else math.nan
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def columns(pred: Pred) -> list[str]:
    """The column names `pred` reads, in first-use order (the native kernels' argument order)."""
    seen: dict[str, None] = {}

    def walk(node: Pred) -> None:
        if node["op"] == "col":
            seen.setdefault(node["name"], None)
        for child in node.get("args", ()):
            walk(child)
        for key in ("arg", "lhs", "rhs"):
            if key in node:
                walk(node[key])

    walk(pred)
    return list(seen)


def is_numeric(pred: Pred) -> bool:
    """True when every constant is a number (the predicate can run natively)."""
    if pred["op"] == "const":
        v = pred["value"]
        return isinstance(v, int | float) and not isinstance(v, bool)
    children = [*pred.get("args", ()), *(pred[k] for k in ("arg", "lhs", "rhs") if k in pred)]
    return all(is_numeric(c) for c in children)


def to_python(pred: Pred, row: str = "r", num: str = "_num", text: str = "_text",
              div: str = "_div") -> str:
    """`pred` as a Python expression over the row dict named `row`, using the helper names given."""

    def val(node: Pred) -> str:
        op = node["op"]
        if op == "col":
            return f"{num}({row}.get({node['name']!r}))"
        if op == "const":
            x = float(node["value"])
            return repr(x) if math.isfinite(x) else f"float({str(x)!r})"
        a, b = (val(x) for x in node["args"])
        return f"{div}({a}, {b})" if op == "div" else f"({a} {_PY_ARITH[op]} {b})"

    def cond(node: Pred) -> str:
        op = node["op"]
        if op in ("and", "or"):
            return "(" + f" {op} ".join(cond(x) for x in node["args"]) + ")"
        if op == "not":
            return f"(not {cond(node['arg'])})"
        if op != "cmp" or node["pred"] not in CMP_PREDS:
            raise NotLowerable(f"not a row predicate: {op}")
        lhs, rhs, p = node["lhs"], node["rhs"], node["pred"]
        if rhs["op"] == "const" and isinstance(rhs["value"], str):
            if p not in ("eq", "ne") or lhs["op"] != "col":
                raise NotLowerable("text constants compare with eq/ne against a column only")
            return f"({text}({row}.get({lhs['name']!r})) {_PY_CMP[p]} {rhs['value']!r})"
        return f"({val(lhs)} {_PY_CMP[p]} {val(rhs)})"

    return cond(pred)


_compiled: dict[str, Callable[[Mapping[str, Any]], bool]] = {}


def row_function(pred: Pred) -> Callable[[Mapping[str, Any]], bool]:
    """`pred` compiled to a Python function of one row (cached by the predicate's text)."""
    key = json.dumps(pred, sort_keys=True)
    fn = _compiled.get(key)
    if fn is None:
        scope = {"_num": as_number, "_text": as_text, "_div": ieee_div}
        fn = eval(f"lambda r: {to_python(pred)}", scope)  # the text is generated above, not user input
        _compiled[key] = fn
    return fn


def count_python(pred: Pred, rows: list[Any]) -> int:
    """Rows (dicts) satisfying `pred`, evaluated in Python; non-dict rows never match."""
    fn = row_function(pred)
    return sum(1 for r in rows if isinstance(r, dict) and fn(r))


def mask_python(pred: Pred, rows: list[Any]) -> list[bool]:
    fn = row_function(pred)
    return [isinstance(r, dict) and bool(fn(r)) for r in rows]


# ------------------------------------------------------------------ from calc IR

_CALC_ARITH: dict[type[Op], str] = {AddOp: "add", SubOp: "sub", MulOp: "mul", DivOp: "div"}
_CALC_LOGIC: dict[type[Op], str] = {AndOp: "and", OrOp: "or"}


def pred_from_calc(value: Value, columns_of: Mapping[Value, str]) -> Pred:
    """The row predicate computed by the pure `calc` subgraph that defines `value`.

    `columns_of` maps the subgraph's leaves (e.g. the results of `data.json_get`
    on a `ctrl.map` item) to column names. Raises NotLowerable for anything else
    (text predicates, non-calc ops, non-numeric constants).
    """

    def val(v: Value) -> Pred:
        if v in columns_of:
            return {"op": "col", "name": columns_of[v]}
        op = v.defining_op
        if op is None:
            raise NotLowerable(f"{v} is not bound to a column")
        if isinstance(op, ConstOp):
            c = op.attributes.get("value")
            if not isinstance(c, int | float) or isinstance(c, bool):
                raise NotLowerable(f"constant {c!r} is not a number")
            return {"op": "const", "value": c}
        if (arith := _CALC_ARITH.get(type(op))) is not None:
            return {"op": arith, "args": [val(x) for x in op.operands]}
        raise NotLowerable(f"{op.name} is not numeric calc")

    def cond(v: Value) -> Pred:
        op = v.defining_op
        if op is None:
            raise NotLowerable(f"{v} is not computed by calc")
        if (logic := _CALC_LOGIC.get(type(op))) is not None:
            return {"op": logic, "args": [cond(x) for x in op.operands]}
        if isinstance(op, NotOp):
            return {"op": "not", "arg": cond(op.operands[0])}
        if isinstance(op, CmpOp) and op.attributes.get("pred") in CMP_PREDS:
            return {"op": "cmp", "pred": op.attributes["pred"],
                    "lhs": val(op.operands[0]), "rhs": val(op.operands[1])}
        raise NotLowerable(f"{op.name} is not a numeric predicate")

    return cond(value)
