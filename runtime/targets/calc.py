"""The `cpu.calc` target: comparisons, boolean logic and arithmetic, in process.

Comparisons are numeric when both sides read as numbers (`"12"` vs `3` compares
12 > 3), else textual; `contains` works on text and on lists; `matches` is a
regex search. A zero divisor is an error, not infinity. An ordering comparison
(`lt`, `le`, `gt`, `ge`) with a missing or empty side, or a number against text that
is no number, is *unknown*: it is false (the `ctrl.if` takes its else-branch) and
the trace gets an `unknown_comparison` event; it never fails the run.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from skc.ir.core import Op
from skc.ir.dialects.calc import CALC, AddOp, AndOp, CmpOp, DivOp, MulOp, NotOp, OrOp, SubOp
from skc.runtime.targets.base import ExecContext, OpFailed, OpResult, Target
from skc.runtime.values import NUMBER, parse_number, to_text


class CalcTarget(Target):
    """Predicates and arithmetic over scalar values (the code-decidable runbook conditions)."""

    name = "cpu.calc"
    ops = tuple(c.name for c in CALC.ops)  # each has its kernel in `_EVAL` below
    in_process = True

    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        return self.execute_now(op, args, ctx)

    def runs_now(self, op: Op) -> bool:
        return True

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        if isinstance(op, CmpOp) and unknown(str(op.attributes.get("pred")), args):
            ctx.emit("unknown_comparison", pred=op.attributes.get("pred"),
                     values=[to_text(a)[:80] for a in args])
            return OpResult([False], meta={"unknown": True})  # the condition is not known to hold: else-branch
        try:
            return OpResult([evaluate(op, args)])
        except (ValueError, TypeError, ZeroDivisionError, re.error) as e:
            raise OpFailed(f"{op.op_name}: {e}", retryable=False) from None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, NUMBER):
        return value
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError:
            return None
    return None


def _num(value: Any, what: str) -> int | float:
    n = _number(value)
    if n is None:
        raise ValueError(f"{what} {to_text(value)[:40]!r} is not a number")
    return n


def unknown(pred: str, args: list[Any]) -> bool:
    """An ordering comparison with a missing or empty side (a query that returned no rows, a
    field that is absent): nothing to compare, so its condition is unknown, never a crash."""
    if pred not in ("lt", "le", "gt", "ge") or len(args) < 2:
        return False
    return any(a is None or (isinstance(a, str | list | dict) and not a) or
               (isinstance(a, str) and _number(a) is None and _number(args[1 - i]) is not None)
               for i, a in enumerate(args[:2]))


def compare(pred: str, lhs: Any, rhs: Any) -> bool:
    if pred == "contains":
        if isinstance(lhs, list):
            return rhs in lhs or to_text(rhs) in (to_text(x) for x in lhs)
        return to_text(rhs) in to_text(lhs)
    if pred == "matches":
        return re.search(to_text(rhs), to_text(lhs)) is not None
    a, b = _number(lhs), _number(rhs)
    left: Any
    right: Any
    if a is not None and b is not None and not (isinstance(lhs, str) and isinstance(rhs, str)
                                                 and pred in ("eq", "ne")):
        left, right = a, b
    else:
        left, right = to_text(lhs), to_text(rhs)
    return bool({"eq": left == right, "ne": left != right, "lt": left < right, "le": left <= right,
                 "gt": left > right, "ge": left >= right}[pred])


def _arith(fn: Callable[[Any, Any], Any]) -> Callable[[Op, list[Any]], Any]:
    """A kernel applying `fn` to the two operands read as numbers."""
    return lambda op, args: fn(_num(args[0], "left operand"), _num(args[1], "right operand"))


def _divide(a: int | float, b: int | float) -> int | float:
    if b == 0:
        raise ZeroDivisionError("division by zero")
    q = a / b
    return int(q) if isinstance(a, int) and isinstance(b, int) and a % b == 0 else q


# One kernel per calc op class: (op, operand values) -> result value.
_EVAL: dict[type[Op], Callable[[Op, list[Any]], Any]] = {
    CmpOp: lambda op, args: compare(str(op.attributes["pred"]), args[0], args[1]),
    AndOp: lambda op, args: bool(args[0]) and bool(args[1]),
    OrOp: lambda op, args: bool(args[0]) or bool(args[1]),
    NotOp: lambda op, args: not bool(args[0]),
    AddOp: _arith(operator.add),
    SubOp: _arith(operator.sub),
    MulOp: _arith(operator.mul),
    DivOp: _arith(_divide),
}


def evaluate(op: Op, args: list[Any]) -> Any:
    """The value of calc op `op` over `args` (its kernel in `_EVAL`)."""
    kernel = _EVAL.get(type(op))
    if kernel is None:
        raise ValueError(f"no evaluator for {op.op_name}")
    return kernel(op, args)
