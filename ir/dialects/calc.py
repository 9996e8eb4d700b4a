"""The `calc` dialect: comparisons, boolean logic and arithmetic over values.

Named `calc`, not `arith`: upstream MLIR refuses unknown ops inside its own
registered dialects, so no skc dialect reuses an upstream name. These ops are
what code-decidable runbook conditions ("if CPU is above 90%") compile to, and
what the native path lowers to MLIR's real `arith`.
"""

from __future__ import annotations

from skc.ir.attrs import one_of, req
from skc.ir.core import Dialect, Op, Value
from skc.ir.dialects._build import build
from skc.ir.location import UNKNOWN, Location
from skc.ir.types import BOOL, NUM, kinds

PREDICATES = ("eq", "ne", "lt", "le", "gt", "ge", "contains", "matches")
_SCALAR = kinds("num", "text", "bool")
_BOOL = kinds("bool")
_NUM = kinds("num")


class CmpOp(Op):
    """Compares two values: eq, ne, lt, le, gt, ge (numbers or text), contains, matches (text).

        %2 = "calc.cmp"(%6, %thr) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool
    """

    name = "calc.cmp"
    operands_sig = (_SCALAR, _SCALAR)
    results_sig = (_BOOL,)
    attrs = {"pred": req(one_of(*PREDICATES), "the comparison")}


class AndOp(Op):
    """Logical and.

        %3 = "calc.and"(%1, %2) : (!skc.bool, !skc.bool) -> !skc.bool
    """

    name = "calc.and"
    operands_sig = (_BOOL, _BOOL)
    results_sig = (_BOOL,)


class OrOp(Op):
    """Logical or.

        %3 = "calc.or"(%1, %2) : (!skc.bool, !skc.bool) -> !skc.bool
    """

    name = "calc.or"
    operands_sig = (_BOOL, _BOOL)
    results_sig = (_BOOL,)


class NotOp(Op):
    """Logical not.

        %2 = "calc.not"(%1) : (!skc.bool) -> !skc.bool
    """

    name = "calc.not"
    operands_sig = (_BOOL,)
    results_sig = (_BOOL,)


class _Binary(Op):
    operands_sig = (_NUM, _NUM)
    results_sig = (_NUM,)


class AddOp(_Binary):
    """Addition.

        %2 = "calc.add"(%0, %1) : (!skc.num, !skc.num) -> !skc.num
    """

    name = "calc.add"


class SubOp(_Binary):
    """Subtraction.

        %2 = "calc.sub"(%0, %1) : (!skc.num, !skc.num) -> !skc.num
    """

    name = "calc.sub"


class MulOp(_Binary):
    """Multiplication.

        %2 = "calc.mul"(%0, %1) : (!skc.num, !skc.num) -> !skc.num
    """

    name = "calc.mul"


class DivOp(_Binary):
    """Division (a zero divisor is a runtime error, not infinity).

        %2 = "calc.div"(%0, %1) : (!skc.num, !skc.num) -> !skc.num
    """

    name = "calc.div"


CALC = Dialect("calc", [CmpOp, AndOp, OrOp, NotOp, AddOp, SubOp, MulOp, DivOp])


def cmp(pred: str, lhs: Value, rhs: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return build(CmpOp, (lhs, rhs), BOOL, {"pred": pred}, loc, name).result


def _build(cls: type[Op], operands: tuple[Value, ...], loc: Location, name: str | None) -> Value:
    result = NUM if cls.results_sig == (_NUM,) else BOOL
    return build(cls, operands, result, {}, loc, name).result


def and_(a: Value, b: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(AndOp, (a, b), loc, name)


def or_(a: Value, b: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(OrOp, (a, b), loc, name)


def not_(a: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(NotOp, (a,), loc, name)


def add(a: Value, b: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(AddOp, (a, b), loc, name)


def sub(a: Value, b: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(SubOp, (a, b), loc, name)


def mul(a: Value, b: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(MulOp, (a, b), loc, name)


def div(a: Value, b: Value, *, loc: Location = UNKNOWN, name: str | None = None) -> Value:
    return _build(DivOp, (a, b), loc, name)
