"""Insertion points for building IR from Python, in the style of MLIR's bindings.

    wf = workflow("triage", inputs={"ns": TEXT})
    with InsertionPoint(wf.body):
        pods = tool.shell(["kubectl", "get", "pods", "-n", "{0}"], wf.arg("ns"), effects=["read:k8s"])
        ctrl.return_(pods)

Every snake_case builder (`llm.generate`, `data.count`, ...) appends its op to the
innermost active insertion point and returns the op's result.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TypeVar

from skc.ir.core import Block, Op

_stack: ContextVar[tuple[Block, ...]] = ContextVar("skc_insertion_points", default=())

OpT = TypeVar("OpT", bound=Op)


class InsertionPoint:
    """Context manager: ops built inside the `with` are appended to `block`."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self._token = None

    def __enter__(self) -> InsertionPoint:
        self._token = _stack.set((*_stack.get(), self.block))  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        _stack.reset(self._token)  # type: ignore[arg-type]


def current_block() -> Block:
    stack = _stack.get()
    if not stack:
        raise RuntimeError("no insertion point: build ops inside `with InsertionPoint(block):`")
    return stack[-1]


def insert(op: OpT) -> OpT:
    """Appends `op` at the current insertion point and returns it."""
    current_block().append(op)
    return op
