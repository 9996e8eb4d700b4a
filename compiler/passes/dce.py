"""The `dce` pass: dead code elimination.

An op is removed when nobody uses any of its results and it has no effects:

- a pure op (`data.*`, `calc.*`, `llm.generate` / `decide` / `extract`) that
  declares no effects, or a tool op declaring exactly `effects = ["pure"]`;
- an op with regions (`ctrl.if`, `ctrl.map`, `ctrl.retry`) whose whole body is
  such ops (after the body itself was cleaned);
- anywhere: at top level or inside regions.

Effectful ops (every tool call that reads or writes, `llm.agent`), ops with no
results (their point is their effect), terminators, workflows, and ops holding
an early exit (a `ctrl.if` branch ending in `ctrl.return`) always stay:
reading `kubectl get pods` and dropping the output still talks to the cluster.
One backwards sweep reaches the fixed point: an op is visited after every op that
could use it, and removing an op releases its operands (including those used in
its regions). The count of removed ops per op name is in `ctx.reports["dce"]`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from skc.compiler.passes import Pass, PassContext
from skc.ir.core import Block, Op
from skc.ir.module import Module
from skc.ir.traits import ReturnLike, RunsTool


def effect_free(op: Op) -> bool:
    """No declared or implied effects for this op alone (regions are checked separately)."""
    declared = op.attributes.get("effects")
    if op.has(RunsTool):
        return declared == ["pure"]
    return op.pure and (declared is None or declared == ["pure"])


def removable(op: Op) -> bool:
    """Effect-free all the way down, has results, is not a terminator and cannot exit early."""
    if op.terminator or not op.results:
        return False
    if not op.regions:
        return effect_free(op)
    inner = [x for x in op.walk() if x is not op]
    if any(x.has(ReturnLike) for x in inner):
        return False  # a branch that ends the workflow early is control flow, not dead code
    return effect_free(op) and all(effect_free(x) for x in inner if not x.terminator)


class _Dce:
    def __init__(self, root: Op) -> None:
        self.uses: Counter[int] = Counter(id(v) for op in root.walk() for v in op.operands)
        self.removed: Counter[str] = Counter()

    def block(self, block: Block) -> None:
        for op in reversed(list(block.ops)):
            for region in reversed(op.regions):
                for inner in reversed(region.blocks):
                    self.block(inner)
            if not any(self.uses[id(r)] for r in op.results) and removable(op):
                block.remove(op)
                self.removed[op.op_name] += 1
                for nested in op.walk():
                    for v in nested.operands:
                        self.uses[id(v)] -= 1


@dataclass(frozen=True)
class DcePass(Pass):
    """Removes ops whose results nobody uses and that have no effects, at every depth."""

    name = "dce"

    def apply(self, ctx: PassContext, module: Module) -> None:
        removed: Counter[str] = Counter()
        for wf in module.workflows:
            dce = _Dce(wf)
            dce.block(wf.body)
            removed += dce.removed
        ctx.reports["dce"] = {"removed": dict(sorted(removed.items())), "total": sum(removed.values())}
