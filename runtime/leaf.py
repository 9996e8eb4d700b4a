"""What the scheduler knows about a leaf op and where it runs: the engine contract, the
plan worked out once per op run as a task (target, limit slots, attempts, timeout,
environment: `LeafPlanner` makes each op's `LeafPlan`; an op run inline has its kind's
instead: inline.py), the slots it holds while running, and how a run ended.
"""

from __future__ import annotations

import asyncio
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from skc.ir.analysis import op_effects
from skc.ir.core import Op
from skc.ir.effects import Effect
from skc.ir.traits import CallsModel
from skc.runtime.dataflow import RunFailed
from skc.runtime.targets.base import ExecContext, OpResult, Target, target_registry

__all__ = ["BASE_ENV", "DEFAULT_TIMEOUT_S", "Engine", "LeafPlan", "LeafPlanner", "Outcome", "Slots", "op_end"]

DEFAULT_TIMEOUT_S = 600.0
BASE_ENV = ("PATH", "HOME", "LANG")
_TUNING = frozenset({"retries", "timeout_s", "confirm", "fallback"})  # the attributes a leaf plan reads


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


class LeafPlanner:
    """What each leaf op of a run runs with, worked out once: its target (found by convention,
    `targets.base.target_registry`), the limit slots and write locks it holds (in one global
    order), its attempts, timeout and environment (`LeafPlan`). One per `Scheduler`."""

    def __init__(self, engine: Engine, options: dict[str, Any], limits: dict[str, int],
                 environ: dict[str, str]) -> None:
        self.engine = engine
        self.options = options
        self.limits = limits
        self.environ = environ
        self.registry = target_registry()
        self.targets: dict[type[Target], Target] = {}  # the run's target instances
        self._by_name: dict[str, Target] = {}  # op name -> its target (`target_for`)
        self._sems: dict[str, asyncio.Semaphore | asyncio.Lock] = {}
        self._plans: dict[int, LeafPlan] = {}
        self._per_target: dict[Target, tuple[dict[str, int | None], float, bool]] = {}  # `_shared`
        self._envs: dict[tuple[str, ...], dict[str, str]] = {}  # the environment by the names an op passes

    def target_for(self, op: Op) -> Target | None:
        name = op.op_name
        target = self._by_name.get(name)
        if target is None:
            cls = self.registry.get(name)
            if cls is None:
                return None
            if cls not in self.targets:
                self.targets[cls] = cls()
            target = self._by_name[name] = self.targets[cls]
        return target

    def env_for(self, op: Op) -> dict[str, str]:
        names = op.attributes.get("env")
        key = tuple(str(n) for n in names) if isinstance(names, list) else ()
        env = self._envs.get(key)
        if env is None:
            env = self._envs[key] = self._env_for(op)
        return env

    def _env_for(self, op: Op) -> dict[str, str]:
        env = {k: self.environ[k] for k in BASE_ENV if k in self.environ}
        env.setdefault("PATH", os.defpath)
        env.setdefault("LANG", "C.UTF-8")
        for name in op.attr_strs("env") or []:
            if str(name) in self.environ:
                env[str(name)] = self.environ[str(name)]
        return env

    def sem(self, key: str, size: int | None) -> asyncio.Semaphore | asyncio.Lock:
        if key not in self._sems:
            self._sems[key] = asyncio.Lock() if size is None else asyncio.Semaphore(max(1, size))
        return self._sems[key]

    def limited(self, op: Op, target: Target, plan: LeafPlan | None = None) -> Slots:
        """Holds the op's target and resource slots, and write locks on what it writes."""
        slots = (plan or self.plan(op, target)).slots
        return Slots([self.sem(key, size) for key, size in slots])

    def _shared(self, target: Target) -> tuple[dict[str, int | None], float, bool]:
        """What every op of `target` starts its plan from: its target slot (when limited), its
        default timeout, and whether its ops may run inline at all (once per target)."""
        shared = self._per_target.get(target)
        if shared is None:
            size = self.limits.get(target.name, target.max_concurrency)
            shared = self._per_target[target] = (
                {f"target:{target.name}": size} if size else {},
                float(target.default_timeout_s or self.options.get("default_timeout_s") or DEFAULT_TIMEOUT_S),
                target.in_process or self.engine.inline)
        return shared

    def plan(self, op: Op, target: Target, effects: list[Effect] | None = None) -> LeafPlan:
        """The op's target slots, attempts, timeout, step and environment (once per op); `effects`:
        its lifted effects when the caller has them (its block's graph), else they are looked up."""
        plan = self._plans.get(id(op))
        if plan is not None and plan.target is target:
            return plan
        return self._plan(op, target, op_effects(op) if effects is None else effects)

    def slots_of(self, target: Target, effects: list[Effect]) -> tuple[tuple[tuple[str, int | None], ...], bool, bool]:
        """(the limit slots and write locks an op of `target` with `effects` holds, in their global
        order; whether it writes; whether its target may run it inline at all)."""
        slot, _, inline = self._shared(target)
        wanted, writes, limits = slot, False, self.limits
        for e in effects:
            if wanted is slot:
                wanted = dict(slot)
            if e.resource in limits:
                wanted[f"resource:{e.resource}"] = limits[e.resource]
            if e.writes:
                wanted[f"write:{e.resource}"] = None
                writes = True
        return (tuple(sorted(wanted.items())) if wanted else ()), writes, inline

    def _plan(self, op: Op, target: Target, effects: list[Effect]) -> LeafPlan:
        slots, writes, _ = self.slots_of(target, effects)
        plain = op.attributes.keys().isdisjoint(_TUNING)  # the usual op: none of these to look up
        retries = None if plain else op.attr_int("retries")
        attempts = 1 + retries if retries is not None and retries > 0 else 1
        timeout = None if plain else op.attr_num("timeout_s")
        if timeout is None or timeout <= 0:
            timeout = self._shared(target)[1]
        gated = not plain and op.attributes.get("confirm") is True
        # replayable: a resume may compute its value again, so its record is not waited for (journal.py)
        replayable = not effects and not op.has(CallsModel) and not gated
        plan = LeafPlan(target, slots, attempts, timeout, op.step, self.env_for(op), writes, replayable)
        self._plans[id(op)] = plan
        return plan
