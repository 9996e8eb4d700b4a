"""The target contract: what runs one op, given its operand values.

A target class lives in `runtime/targets/<name>.py`, declares the op names it
runs, and implements `execute`. The scheduler resolves operands, checks
permissions, applies timeouts and retries, and journals the result; the target
only does the work. Targets must be safe to call concurrently.

Targets are found by convention: every module `skc.runtime.targets.<name>` is
imported by `target_registry()` and each `Target` subclass in it registers the
op names it runs; `register_target(cls)` adds one more (tests, plugins).
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from skc.ir.core import Op


@dataclass(slots=True)
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
    op_id: str = ""
    attempt: int = 1


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
    # Scheduling hints (the scheduler reads them; run options may override):
    # per-attempt timeout when the op has no `timeout_s`, how many ops of this target
    # may run at once (None: unbounded), and whether the op is cheap pure Python that
    # always runs in the scheduler's process (never shipped to a Ray worker).
    default_timeout_s: ClassVar[float | None] = None
    max_concurrency: ClassVar[int | None] = None
    in_process: ClassVar[bool] = False

    @abstractmethod
    async def execute(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        """Runs `op` on operand values `args`; raises OpFailed on failure."""

    def runs_now(self, op: Op) -> bool:
        """Whether `execute_now` runs `op`: cheap work that finishes at once and never waits
        (no I/O, no sleep). The scheduler then runs the op inline, without a task, a ready
        wave of such ops sharing one journal fsync (asked once per op, on the local engine
        or for `in_process` targets)."""
        return False

    def execute_now(self, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        """`execute`, synchronously, for the ops `runs_now` accepts; raises OpFailed on failure.
        `ctx` is lent for the call (the scheduler hands the same context, op id and step set
        anew, to the next op of the kind: runtime/inline.py): use it, do not keep or change it."""
        raise OpFailed(f"{self.name} cannot run {op.op_name} synchronously", retryable=False)

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Called once when the run ends (also after a failure): release what the run's ops share."""


_EXTRA: dict[str, type[Target]] = {}


def register_target(cls: type[Target]) -> type[Target]:
    """Registers `cls` for its ops (over the built-in ones); usable as a class decorator."""
    for name in cls.ops:
        _EXTRA[name] = cls
    return cls


def unregister_target(cls: type[Target]) -> None:
    for name in cls.ops:
        if _EXTRA.get(name) is cls:
            del _EXTRA[name]


def target_registry() -> dict[str, type[Target]]:
    """Op name -> Target class, from every `runtime/targets/<name>.py` plus registered ones.

    A module that fails to import (an optional dependency missing) contributes nothing.
    """
    import skc.runtime.targets as package

    found: dict[str, type[Target]] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "base":
            continue
        try:
            module = importlib.import_module(f"{package.__name__}.{info.name}")
        except ImportError:
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Target) and obj is not Target \
                    and obj.__module__ == module.__name__ and obj.ops:
                for name in obj.ops:
                    found.setdefault(name, obj)
    found.update(_EXTRA)
    return found
