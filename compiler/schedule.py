"""The schedule of a block: its ops' dependencies, ASAP levels, estimated times and critical path.

`analyse_block(block, cost)` takes the dependencies from `skc.ir.analysis.block_graph` (the
graph the scheduler runs by) and the op times from the cost model (`skc.compiler.cost`): an
op with regions costs its worst region's own critical path (`op_time`). The parts that do
not depend on costs (ops, labels, dependencies, effect orderings, levels) are a block's
shape, cached in a pass context beside its graphs (`graphs_of`, `shapes_of`) while the IR
does not change. The `concurrency` pass reports the schedule, `placement` re-times it with
the targets it chose, and `graph_render` draws it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from skc.compiler.cost import CostModel
from skc.compiler.passes import PassContext
from skc.ir.analysis import DepGraph, block_graph, conflict
from skc.ir.core import Block, Op
from skc.ir.traits import CallsModel


def op_label(op: Op, index: int) -> str:
    """A human name for a top-level op: its step, its result's name, or its name and line."""
    step = op.attributes.get("step")
    if isinstance(step, str) and step:
        return step
    if op.results and op.results[0].name:
        return "%" + op.results[0].name
    if op.where.known:
        return f"{op.op_name}@{op.where.line}"
    return f"{op.op_name}#{index}"


def unique_labels(ops: list[Op]) -> list[str]:
    """`op_label` of each op, made unique with `#2`, `#3`, ... suffixes."""
    labels: list[str] = []
    seen: dict[str, int] = {}
    for i, op in enumerate(ops):
        base = op_label(op, i)
        seen[base] = seen.get(base, 0) + 1
        labels.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return labels


def walk_labelled(block: Block) -> Iterator[tuple[str, Op]]:
    """Every non-terminator op under `block`; nested ops labelled `outer / inner`."""
    ops = [op for op in block.ops if not op.terminator]
    for label, op in zip(unique_labels(ops), ops, strict=True):
        yield label, op
        for region in op.regions:
            for inner in region.blocks:
                for sub, nested in walk_labelled(inner):
                    yield f"{label} / {sub}", nested


@dataclass
class Schedule:
    """The schedule of one block: dependencies, levels, costs and the critical path."""

    ops: list[Op]
    labels: list[str]
    preds: list[set[int]]
    effect_edges: dict[tuple[int, int], list[str]]
    level: list[int]
    cost: list[float]
    sequential: list[float]
    finish: list[float] = field(default_factory=list)
    critical: list[int] = field(default_factory=list)
    locs: list[str] = field(default_factory=list)  # `str(op.where)` of each op, when known already

    @property
    def levels(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in range(max(self.level, default=-1) + 1)]
        for i, lv in enumerate(self.level):
            out[lv].append(i)
        return out

    @property
    def width(self) -> int:
        return max((len(lv) for lv in self.levels), default=0)

    @property
    def critical_path_s(self) -> float:
        return max(self.finish, default=0.0)

    @property
    def sequential_s(self) -> float:
        return sum(self.sequential)

    def to_json(self) -> dict[str, Any]:
        levels = self.levels
        timing = self.timing_json()
        return {
            "levels": [[self.labels[i] for i in lv] for lv in levels],
            "width": max((len(lv) for lv in levels), default=0),
            "depth": len(levels),
            "critical_path": timing["critical_path"],
            "critical_path_s": timing["critical_path_s"],
            "sequential_s": timing["sequential_s"],
            "speedup": timing["speedup"],
            "ops": timing["ops"],
            "effect_orderings": [{"before": self.labels[a], "after": self.labels[b], "conflict": why}
                                 for (a, b), why in sorted(self.effect_edges.items())],
        }

    def timing_json(self) -> dict[str, Any]:
        """The parts of `to_json` that depend on the costs (placement refreshes these)."""
        seq, par = self.sequential_s, self.critical_path_s
        locs = self.locs or [str(op.where) for op in self.ops]
        return {
            "critical_path": [self.labels[i] for i in self.critical],
            "critical_path_s": round(par, 4),
            "sequential_s": round(seq, 4),
            "speedup": round(seq / par, 2) if par > 0 else 1.0,
            "ops": [{"label": label, "op": op.op_name, "level": level, "est_s": round(cost, 4), "loc": loc}
                    for label, op, level, cost, loc in zip(self.labels, self.ops, self.level, self.cost, locs,
                                                           strict=True)],
        }


Graphs = dict[int, DepGraph]  # id of a block -> its graph, while the IR does not change


def graphs_of(ctx: PassContext) -> Graphs:
    """The block graphs cached in `ctx` (valid until a pass that changes the IR runs)."""
    return ctx.analyses.setdefault("block_graph", {})  # type: ignore[no-any-return]


def op_time(op: Op, cost: CostModel, graphs: Graphs | None = None) -> tuple[float, float]:
    """(parallel, sequential) estimated seconds of one op; ops with regions cost their bodies."""
    if not op.regions:
        t = cost.latency(op)
        return t, t
    bodies = [block_times(b, cost, graphs) for r in op.regions for b in r.blocks]
    own = cost.latency(op) if "est_latency_s" in op.attributes else 0.0
    return (own + max(par for par, _ in bodies),
            own + max(seq for _, seq in bodies))


def _graph(block: Block, graphs: Graphs | None) -> DepGraph:
    g = graphs.get(id(block)) if graphs is not None else None
    if g is None:
        g = block_graph(block)
        if graphs is not None:
            graphs[id(block)] = g
    return g


def block_times(block: Block, cost: CostModel, graphs: Graphs | None = None) -> tuple[float, float]:
    """(critical path, sequential) estimated seconds of a block: `analyse_block`'s
    `critical_path_s` and `sequential_s`, without its levels, labels and report."""
    preds = _graph(block, graphs).preds
    ops = block.ops
    finish: list[float] = []
    sequential: list[float] = []
    if all(not op.terminator for op in ops[:-1]):  # at most the last op ends the block (valid IR)
        for k, op in enumerate(ops):  # kept op k is op k: every pred of a kept op is kept
            if op.terminator:
                break
            par, seq = op_time(op, cost, graphs)
            finish.append(par + max((finish[p] for p in preds[k]), default=0.0))
            sequential.append(seq)
        return max(finish, default=0.0), sum(sequential)
    keep = [i for i, op in enumerate(ops) if not op.terminator]
    index = {k: i for i, k in enumerate(keep)}
    for k in keep:
        par, seq = op_time(ops[k], cost, graphs)
        finish.append(par + max((finish[index[p]] for p in preds[k] if p in index), default=0.0))
        sequential.append(seq)
    return max(finish, default=0.0), sum(sequential)


@dataclass
class _Shape:
    """What a block's schedule takes from its graph alone (not from costs): the ops, their
    labels and dependencies, the effect orderings and the levels; and the ops' last times.

    The times of the ops (`op_time`) depend on the IR, the cost model and the targets of the
    llm ops in the block (at any depth): `timed` keeps the last ones with the model and targets
    they were found with, reused while those are the same (placement re-times the schedule
    concurrency found; unless it moves an llm op, the times are those concurrency found)."""

    ops: list[Op]
    labels: list[str]
    preds: list[set[int]]
    effect_edges: dict[tuple[int, int], list[str]]
    level: list[int]
    locs: list[str]
    llm_ops: list[Op]
    timed: tuple[CostModel, list[str], list[float], list[float]] | None = None


Shapes = dict[int, _Shape]  # id of a block -> its shape, while the IR does not change (as `Graphs`)


def shapes_of(ctx: PassContext) -> Shapes:
    """The schedule shapes cached in `ctx`: placement re-times the shape concurrency found."""
    return ctx.analyses.setdefault("schedule_shape", {})  # type: ignore[no-any-return]


def analyse_block(block: Block, cost: CostModel, graphs: Graphs | None = None,
                  shapes: Shapes | None = None) -> Schedule:
    """Dependencies (`block_graph`, taken from `graphs` when there), ASAP levels and the weighted
    critical path; the parts that do not depend on costs are taken from `shapes` when there."""
    shape = shapes.get(id(block)) if shapes is not None else None
    if shape is None:
        shape = _shape(block, graphs)
        if shapes is not None:
            shapes[id(block)] = shape
    targets = [cost.target_of(op) for op in shape.llm_ops]
    if shape.timed is not None and shape.timed[1] == targets and shape.timed[0] == cost:
        parallel, sequential = shape.timed[2], shape.timed[3]
    else:
        parallel, sequential = [], []
        for op in shape.ops:
            if op.regions:
                par, seq = op_time(op, cost, graphs)
            else:
                par = seq = cost.latency(op)
            parallel.append(par)
            sequential.append(seq)
        shape.timed = (cost, targets, parallel, sequential)
    sched = Schedule(shape.ops, shape.labels, shape.preds, shape.effect_edges, shape.level,
                     parallel, sequential, locs=shape.locs)
    _critical_path(sched)
    return sched


def _shape(block: Block, graphs: Graphs | None) -> _Shape:
    g = _graph(block, graphs)
    keep = [i for i, op in enumerate(block.ops) if not op.terminator]
    ops = [block.ops[i] for i in keep]
    index = {k: i for i, k in enumerate(keep)}
    preds = [{index[p] for p in g.preds[k] if p in index} for k in keep]
    effect_edges: dict[tuple[int, int], list[str]] = {}
    ancestors: list[set[int]] = []
    for j, k in enumerate(keep):
        anc: set[int] = set()
        for p in g.data[k]:
            if p in index:
                x = index[p]
                anc |= ancestors[x]
                anc.add(x)
        ordered = g.effect[k]
        for p in sorted(ordered - g.data[k], reverse=True) if ordered else ():  # nearest first: it orders the earlier ones too
            i = index[p]
            if i in anc:
                continue
            effect_edges[(i, j)] = (conflict(g.effects[p], g.effects[k])
                                    or ["early exit", str(next(e for e in g.effects[k] if e.writes))])
            anc |= ancestors[i]
            anc.add(i)
        ancestors.append(anc)
    level = [0] * len(ops)
    for j in range(len(ops)):
        level[j] = max((level[p] + 1 for p in preds[j]), default=0)
    llm_ops = [inner for op in ops for inner in op.walk() if inner.has(CallsModel)]
    return _Shape(ops, unique_labels(ops), preds, effect_edges, level, [str(op.where) for op in ops], llm_ops)


def _critical_path(s: Schedule) -> None:
    best: list[int | None] = []
    for j in range(len(s.ops)):
        preds = s.preds[j]
        if len(preds) > 1:
            p: int | None = max(preds, key=lambda i: (s.finish[i], i))
        else:
            p = next(iter(preds), None)
        best.append(p)
        s.finish.append(s.cost[j] + (s.finish[p] if p is not None else 0.0))
    if not s.ops:
        return
    node: int | None = max(range(len(s.ops)), key=lambda i: (s.finish[i], i))
    path: list[int] = []
    while node is not None:
        path.append(node)
        node = best[node]
    s.critical = path[::-1]
