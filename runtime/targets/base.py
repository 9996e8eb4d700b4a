"""The target contract: what runs one op, given its operand values.

A target class lives in `runtime/targets/<name>.py`, declares the op names it
runs, and implements `execute`. The scheduler resolves operands, checks
permissions, applies timeouts and retries, and journals the result; the target
only does the work. Targets must be safe to call concurrently.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from skc.ir.core import Op


@dataclass
class ExecContext:
    """What a target may use while running one op.

    `emit(event, **fields)` writes a trace event (e.g. one per agent tool call);
    `env` is the sanitized process environment for subprocesses; `bindings` the
    bundle's environment binding (data sources, binaries); `workdir` the run's
    working directory; `options` run-wide settings (model paths, endpoints).
    """

    run_id: str
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    bindings: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    emit: Callable[..., None] = lambda event, **fields: None
    step: str = ""


@dataclass
class OpResult:
    """The values an op produced (one per result) and what it cost."""

    values: list[Any]
    tokens_in: int = 0
    tokens_out: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


class OpFailed(Exception):
    """A target's report that the op failed (non-zero exit, SQL error, HTTP 5xx, ...)."""

    def __init__(self, message: str, *, retryable: bool = True, detail: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.detail = detail


class Target(ABC):
    """Runs ops whose names are in `ops`. Called by the scheduler once per op execution."""

    name: ClassVar[str] = ""
    ops: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        """Runs `op` on operand values `args`; raises OpFailed on failure."""
