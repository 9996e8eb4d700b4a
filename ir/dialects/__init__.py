"""The skc dialects and the one registry that maps op names to op classes.

    llm   generate, decide, extract, agent
    tool  shell, python, sql, http, script, file_read, file_write
    data  const, template, json_get, regex_extract, concat, count
    ctrl  if, map, retry, yield, return, manual
    calc  cmp, and, or, not, add, sub, mul, div
    skc   workflow
"""

from __future__ import annotations

from skc.ir.core import Dialect, Op
from skc.ir.dialects import calc, ctrl, data, llm, skc, tool

DIALECTS: list[Dialect] = [skc.SKC, llm.LLM, tool.TOOL, data.DATA_DIALECT, ctrl.CTRL, calc.CALC]

OPS: dict[str, type[Op]] = {op.name: op for d in DIALECTS for op in d.ops}

# Upstream MLIR dialects that refuse unknown ops: no skc dialect may take these names.
RESERVED = frozenset({"arith", "func", "scf", "cf", "math", "llvm", "async", "builtin", "memref",
                      "tensor", "linalg", "affine", "vector", "index", "gpu", "omp", "ub"})
assert not RESERVED & {d.name for d in DIALECTS}


def op_class(name: str) -> type[Op] | None:
    """The registered class for `name`, or None."""
    return OPS.get(name)


__all__ = ["DIALECTS", "OPS", "RESERVED", "calc", "ctrl", "data", "llm", "op_class", "skc", "tool"]
