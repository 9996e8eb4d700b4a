"""What the scheduler knows about a leaf op and where it runs: the engine contract, the
plan worked out once per op run as a task (target, limit slots, attempts, timeout,
environment; an op run inline has its kind's instead: inline.py), the slots it holds while running, and how a run ended.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from skc.ir.core import Op
from skc.runtime.dataflow import RunFailed
from skc.runtime.targets.base import ExecContext, OpResult, Target

__all__ = ["Engine", "LeafPlan", "Outcome", "Slots", "op_end"]


class Engine(ABC):
    """Where leaf ops run. The scheduler calls `execute` once per attempt of an op whose
    target is not `in_process`, and cancels the awaiting coroutine on timeout; the engine
    must then stop the work. `start`/`stop` bracket a run."""

    name: ClassVar[str] = ""
    # Whether ops whose target `runs_now` them may run in the scheduler's own process,
    # inline (the local engine); else every op goes to `execute` (Ray: to a worker).
    inline: ClassVar[bool] = False

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Called once before the first op."""

    async def stop(self) -> None:  # noqa: B027 - optional hook
        """Called once after the run, also after a failure."""

    @abstractmethod
    async def execute(self, target: Target, op: Op, args: list[Any], ctx: ExecContext) -> OpResult:
        """Runs `op` on `target` with operand values `args`; raises OpFailed on failure."""


@dataclass
class Outcome:
    """How a workflow run ended."""

    status: str  # ok | failed | waiting (an approval is pending: approvals.py)
    outputs: list[Any] = field(default_factory=list)
    exit_status: str | None = None
    early_exit: bool = False  # ended by a ctrl.return inside a branch, not the final one
    error: RunFailed | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    executed: int = 0
    restored: int = 0
    cancelled: int = 0  # ops stopped (or never started) because the run failed or exited early


@dataclass(slots=True)
class LeafPlan:
    """What the scheduler needs to know about a leaf op before running it as a task, worked out once per op
    (read-only after; not frozen, whose per-field `object.__setattr__` costs a plan per op)."""

    target: Target
    slots: tuple[tuple[str, int | None], ...]  # limits and write locks, in their global order
    attempts: int
    timeout_s: float
    step: str
    env: dict[str, str]
    writes: bool
    replayable: bool  # no effects, no model call, no gate: its `done` record needs no fsync of its own


class Slots:
    """Holds an op's limit slots and write locks while it runs (acquired in one global order)."""

    __slots__ = ("held", "locks")

    def __init__(self, locks: list[asyncio.Semaphore | asyncio.Lock]) -> None:
        self.locks = locks
        self.held = 0

    async def __aenter__(self) -> None:
        for lock in self.locks:
            await lock.acquire()
            self.held += 1

    async def __aexit__(self, *exc: object) -> None:
        for lock in reversed(self.locks[:self.held]):
            lock.release()
        self.held = 0


def op_end(emit: Any, result: OpResult, duration: float, attempt: int, start: float | None = None) -> None:
    """Traces an op's successful end (its cost, and what the target's meta says of cache and JIT);
    `start`: when an op run inline began (it wrote no op_start, trace.py)."""
    meta = {k: v for k, v in result.meta.items() if k in ("model", "backend")} if result.meta else {}
    began = {"start": start} if start is not None else {}
    emit("op_end", **began, duration_s=round(duration, 6), tokens_in=result.tokens_in, tokens_out=result.tokens_out,
         retries=attempt - 1, cache_hit=bool(result.meta.get("cache_hit")),
         solidified=bool(result.meta.get("solidified")), **meta)
