"""Small assertions shared by the front-end tests: a result that verifies, and its ops by name."""

from __future__ import annotations

from skc.compiler.frontend import FrontendResult
from skc.ir import Op, verify


def checked(result: FrontendResult) -> FrontendResult:
    """The result, after asserting it has a module with no verifier diagnostics."""
    assert result.module is not None
    assert verify(result.module) == []
    return result


def ops(result: FrontendResult, name: str) -> list[Op]:
    """Every op called `name` in the result's module, nested ones included."""
    assert result.module is not None
    return [op for op in result.module.walk() if op.op_name == name]
