"""The `placement` pass: a target for every op, from the cost model.

Targets (see `skc.compiler.cost`): `cpu` runs tool, data, calc and ctrl ops; llm
ops go to `llm.local` (the embedded model), `llm.local.gpu` when
`ctx.options["gpu"]` says a GPU is present, or `llm.openai:<name>` for a model
configured in `ctx.options["models"]`.

Choice for each llm op, in order:

1. an op whose `model` attribute names a configured remote model stays on it;
2. otherwise the target with the least `usd + seconds * usd_per_hour / 3600`
   (money plus the value of waiting; ties go to the faster, then the local target).
   With the default `usd_per_hour = 0` the free local model wins, so remote models
   are used only when waiting is priced or the budget needs them;
3. under a latency budget (`placement{budget_s=...}`, else
   `ctx.options["latency_budget_s"]`): while the estimated critical path is longer
   than the budget, the slowest llm op on the critical path (including ops nested
   in critical `ctrl.*` ops) that is not already on its fastest target moves there.
   If no move is left the budget is reported as missed.

Records `target = "..."` on every op except workflows and terminators (which run
nowhere), `model = "<name>"` on llm ops placed on a remote model, and
`ctx.reports["placement"]`: per workflow, every op's target, estimated seconds,
tokens and dollars, the totals, the critical path after placement, the budget and
the moves it caused. It also refreshes the times in `ctx.reports["schedule"]`
(levels do not change; estimates now use the chosen targets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skc.compiler.cost import CPU, REMOTE_PREFIX, CostModel, is_llm, remote_models
from skc.compiler.passes import Pass, PassContext
from skc.compiler.schedule import (
    Graphs,
    Schedule,
    Shapes,
    analyse_block,
    graphs_of,
    shapes_of,
    walk_labelled,
)
from skc.ir.core import Block, Op
from skc.ir.dialects.skc import WorkflowOp
from skc.ir.module import Module


def choose(op: Op, cost: CostModel, usd_per_hour: float, remote: set[str]) -> str:
    """The target of one op before any budget is considered."""
    if not is_llm(op):
        return CPU
    model = op.attributes.get("model")
    if isinstance(model, str) and model in remote:
        return REMOTE_PREFIX + model
    candidates = cost.llm_targets()
    if len(candidates) == 1:
        return candidates[0]

    def score(t: str) -> tuple[float, float, bool]:
        seconds = cost.latency(op, t)
        return cost.usd(op, t) + seconds * usd_per_hour / 3600, seconds, t.startswith(REMOTE_PREFIX)

    return min(candidates, key=score)


def fastest(op: Op, cost: CostModel) -> str:
    return min(cost.llm_targets(), key=lambda t: (cost.latency(op, t), cost.usd(op, t)))


def critical_llm_ops(sched: Schedule) -> list[Op]:
    """llm ops on the critical path, nested ones included (inside critical ctrl ops)."""
    return [inner for i in sched.critical for inner in sched.ops[i].walk() if is_llm(inner)]


def set_target(op: Op, target: str) -> None:
    op.attributes["target"] = target
    if target.startswith(REMOTE_PREFIX):
        op.attributes["model"] = target.removeprefix(REMOTE_PREFIX)


def meet_budget(block: Block, cost: CostModel, budget_s: float, graphs: Graphs | None = None,
                shapes: Shapes | None = None) -> tuple[Schedule, list[dict[str, Any]]]:
    """Moves the slowest critical llm ops to their fastest targets until the budget holds."""
    moves: list[dict[str, Any]] = []
    sched = analyse_block(block, cost, graphs, shapes)
    while sched.critical_path_s > budget_s:
        movable = [(cost.latency(op), op) for op in critical_llm_ops(sched)
                   if cost.target_of(op) != fastest(op, cost)]
        if not movable:
            break
        seconds, op = max(movable, key=lambda m: m[0])
        before, after = cost.target_of(op), fastest(op, cost)
        set_target(op, after)
        moves.append({"op": op.op_name, "loc": str(op.where), "from": before, "to": after,
                      "est_s_before": round(seconds, 4), "est_s_after": round(cost.latency(op), 4)})
        sched = analyse_block(block, cost, graphs, shapes)  # a target changes costs, not the graph
    return sched, moves


def workflow_report(wf: WorkflowOp, cost: CostModel, sched: Schedule, budget_s: float,
                    moves: list[dict[str, Any]]) -> dict[str, Any]:
    ops: list[dict[str, Any]] = []
    for label, op in walk_labelled(wf.body):
        target = cost.target_of(op)
        if is_llm(op):
            tokens = cost.tokens(op)
            usd = round(cost.usd(op, target, tokens), 6)
        else:  # what `tokens` and `usd` say of an op that calls no model
            tokens, usd = (0, 0), 0.0
        ops.append({"label": label, "op": op.op_name, "target": target,
                    "est_s": round(cost.latency(op, target), 4) if not op.regions else None,
                    "tokens_in": tokens[0], "tokens_out": tokens[1], "usd": usd})
    by_target: dict[str, int] = {}
    for o in ops:
        by_target[o["target"]] = by_target.get(o["target"], 0) + 1
    return {
        "ops": ops,
        "by_target": dict(sorted(by_target.items())),
        "tokens_in": sum(o["tokens_in"] for o in ops),
        "tokens_out": sum(o["tokens_out"] for o in ops),
        "usd": round(sum(o["usd"] for o in ops), 6),
        "critical_path_s": round(sched.critical_path_s, 4),
        "sequential_s": round(sched.sequential_s, 4),
        "budget_s": budget_s or None,
        "budget_met": None if not budget_s else sched.critical_path_s <= budget_s,
        "moves": moves,
    }


def _placed_ops(block: Block) -> list[Op]:
    """Every op under `block` that runs somewhere (`walk_labelled`'s ops, without their labels)."""
    out: list[Op] = []
    for op in block.ops:
        if not op.terminator:
            out.append(op)
            for region in op.regions:
                for inner in region.blocks:
                    out += _placed_ops(inner)
    return out


@dataclass(frozen=True)
class PlacementPass(Pass):
    """Chooses cpu / llm.local / llm.local.gpu / llm.openai:<model> per op under an optional budget."""

    name = "placement"
    preserves_analyses = True  # it only annotates ops with `target` (and a remote `model`)
    budget_s: float = 0.0
    usd_per_hour: float = 0.0

    def apply(self, ctx: PassContext, module: Module) -> None:
        cost = CostModel.from_options(ctx.options)
        budget = self.budget_s or float(ctx.options.get("latency_budget_s") or 0.0)
        per_hour = self.usd_per_hour or float(ctx.options.get("usd_per_hour") or 0.0)
        remote = set(remote_models(ctx.options))
        report: dict[str, Any] = {"targets": [CPU, *cost.llm_targets()], "workflows": {}}
        schedule = (ctx.reports.get("schedule") or {}).get("workflows")
        for wf in module.workflows:
            for op in _placed_ops(wf.body):
                set_target(op, choose(op, cost, per_hour, remote))
            if budget:
                sched, moves = meet_budget(wf.body, cost, budget, graphs_of(ctx), shapes_of(ctx))
            else:
                sched, moves = analyse_block(wf.body, cost, graphs_of(ctx), shapes_of(ctx)), []
            report["workflows"][wf.sym_name] = workflow_report(wf, cost, sched, budget, moves)
            if isinstance(schedule, dict) and isinstance(schedule.get(wf.sym_name), dict):
                schedule[wf.sym_name].update(sched.timing_json())
                schedule[wf.sym_name]["estimated_with"] = "placement"
        ctx.reports["placement"] = report
