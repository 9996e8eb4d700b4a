"""The `concurrency` pass: the parallel schedule of each workflow.

Dependencies between a workflow's top-level ops are those of
`skc.ir.analysis.block_graph`, the graph the scheduler runs by:

- data: op `c` uses a value op `p` produces (uses inside `c`'s regions count
  for `c`, values defined inside `p`'s regions count for `p`);
- effects: `p` comes before `c` in program order and an effect of `p` (or of an
  op nested in it) conflicts with one of `c`'s: write/write or read/write on
  overlapping resources (`Effect.conflicts`). An impure op that declares no
  effects conflicts with everything (`write:*`);
- early exits: an op that may end the workflow (a `ctrl.if` with a branch ending
  in `ctrl.return`) comes before every later op that writes: nothing may be
  changed once the runbook said "stop here". Later reads may still start early;
- a step that only a `fallback` names is on standby (it runs when called): it
  orders no later op.

The report's `effect_orderings` lists the effect edges not already implied by
other dependencies (nearest first).

From those the pass computes each op's ASAP level (0 for ops that need nothing,
else one more than its deepest dependency), the antichains (the ops of each
level, which may run at the same time), the width (the largest antichain), and the
critical path weighted by the cost model (`skc.compiler.cost`). An op with
regions costs its worst region's own critical path: `ctrl.if` its slower branch,
`ctrl.map` one item (items run in parallel, so its width is the number of items at
run time), `ctrl.retry` one attempt.

It records `level = N : i64` on every top-level op except the terminator, and
`ctx.reports["schedule"] = {"workflows": {name: {...}}}` with, per workflow: the
levels (op labels, see `op_label`), width, depth, critical path and its estimated
seconds, estimated sequential seconds, per-op estimates, the pairs ordered only
by an effect conflict (`effect_orderings`), the `ctrl.map`s (`data_parallel`:
width known at run time), and `map_candidates`: three or more top-level ops
identical except for one constant (a list element such as one `argv` word, one
word of a text attribute such as a query, or a `data.const` operand), which a
front end could have written as one `ctrl.map`. Placement later refreshes
the estimates with the targets it chose.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from skc.compiler.cost import CostModel
from skc.compiler.passes import Pass, PassContext
from skc.ir.analysis import DepGraph, block_graph, conflict, op_effects
from skc.ir.attrs import print_attr
from skc.ir.core import Block, Op
from skc.ir.dialects.data import ConstOp
from skc.ir.module import Module
from skc.ir.traits import CallsModel, Loop

# Attributes that annotate an op rather than say what it computes.
METADATA_ATTRS = frozenset({"step", "level", "target", "est_latency_s"})
MAP_CANDIDATE_MIN = 3
MAP_CANDIDATE_BUDGET = 5_000_000  # leaf comparisons per shape of op


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


def data_parallel(block: Block) -> list[dict[str, Any]]:
    """Every `ctrl.map` in the workflow: its width is the number of items at run time.

    `items_conflict` names a write in the body that conflicts with the body itself
    (two items would touch the same resource): the items must then run one at a time.
    """
    out: list[dict[str, Any]] = []
    if not any(op.has(Loop) for top in block.ops for op in top.walk()):
        return out  # most workflows map nothing: no labels to make
    for label, op in walk_labelled(block):
        if op.has(Loop):
            bound = op.attr_int("max_parallel")
            effects = op_effects(op)
            out.append({"op": label, "width": "items at run time",
                        "max_parallel": bound,
                        "items_conflict": conflict(effects, effects)})
    return out


Leaf = tuple[str, str, str]  # (path, kind: lit | const | value, text)


def _text(value: object) -> str:
    return value if isinstance(value, str) else print_attr(value)  # type: ignore[arg-type]


def _leaves(op: Op) -> list[Leaf]:
    """Every attribute leaf (text attributes word by word) and operand (constants by value)."""
    out: list[Leaf] = []

    def flatten(path: str, value: object, top: bool) -> None:
        if isinstance(value, list):
            out.append((path + ".len", "lit", str(len(value))))
            for i, v in enumerate(value):
                flatten(f"{path}[{i}]", v, False)
        elif isinstance(value, dict):
            out.append((path + ".keys", "lit", ",".join(sorted(value))))
            for k in sorted(value):
                flatten(f"{path}.{k}", value[k], False)
        elif isinstance(value, str) and top:
            words = value.split()
            out.append((path + ".words", "lit", str(len(words))))
            out.extend((f"{path} word {k}", "lit", w) for k, w in enumerate(words))
        else:
            out.append((path, "lit", _text(value)))

    for key in sorted(op.attributes):
        if key not in METADATA_ATTRS:
            flatten(key, op.attributes[key], True)
    for i, v in enumerate(op.operands):
        d = v.defining_op
        if isinstance(d, ConstOp):
            out.append((f"operand {i}", "const", _text(d.attributes.get("value"))))
        else:
            out.append((f"operand {i}", "value", str(id(v))))
    return out


def _leaf_count(value: object, top: bool) -> int:
    """How many leaves `_leaves` makes of one attribute value (without making them)."""
    if isinstance(value, list):
        return 1 + sum(_leaf_count(v, False) for v in value)
    if isinstance(value, dict):
        return 1 + sum(_leaf_count(v, False) for v in value.values())
    if isinstance(value, str) and top:
        return 1 + len(value.split())
    return 1


def map_candidates(sched: Schedule) -> list[dict[str, Any]]:
    """Groups of top-level ops that are one step applied to several literal items.

    Ops of one name and shape whose leaves (`_leaves`) agree everywhere but in one
    literal position, three or more of them, are one candidate.
    """
    # Ops of one shape share their name, result types, attribute names and operand count:
    # only groups of three or more by those are flattened into leaves.
    names = Counter(op.op_name for op in sched.ops)  # a shape is one op name: fewer than three, no group
    rough: dict[tuple, list[int]] = defaultdict(list)
    for i, op in enumerate(sched.ops):
        if names[op.op_name] >= MAP_CANDIDATE_MIN and not op.regions and not isinstance(op, ConstOp):
            rough[(op.op_name, tuple(str(r.type) for r in op.results),
                   tuple(sorted(k for k in op.attributes if k not in METADATA_ATTRS)), len(op.operands))].append(i)
    # Ops of one shape also have as many leaves (`_leaf_count`, cheap): only groups of three or
    # more by that count are flattened (the shapes found, and their order, stay the same).
    alike: dict[tuple, list[int]] = defaultdict(list)
    for key, group in rough.items():
        if len(group) >= MAP_CANDIDATE_MIN:
            for i in group:
                attrs = sched.ops[i].attributes
                alike[(key, sum(_leaf_count(attrs[k], True) for k in key[2]))].append(i)
    shapes: dict[tuple, list[int]] = defaultdict(list)
    leaves: dict[int, tuple[Leaf, ...]] = {}
    for i in sorted(i for group in alike.values() if len(group) >= MAP_CANDIDATE_MIN for i in group):
        op = sched.ops[i]
        leaves[i] = tuple(_leaves(op))
        shapes[(op.op_name, tuple(str(r.type) for r in op.results), tuple(p for p, _, _ in leaves[i]))].append(i)
    out: list[dict[str, Any]] = []
    used: set[int] = set()
    for members in shapes.values():
        width = len(leaves[members[0]])
        if len(members) < MAP_CANDIDATE_MIN or len(members) * width * width > MAP_CANDIDATE_BUDGET:
            continue  # too few to matter, or too big to compare leaf by leaf (a report, not a must)
        for c in range(width):
            varying = [i for i in members if i not in used and leaves[i][c][1] != "value"]
            if len({leaves[i][c][2] for i in varying}) < MAP_CANDIDATE_MIN:
                continue  # a group needs as many different values here as it has ops
            buckets: dict[tuple, list[int]] = defaultdict(list)
            for i in varying:
                buckets[leaves[i][:c] + leaves[i][c + 1:]].append(i)
            for group in buckets.values():
                if len(group) >= MAP_CANDIDATE_MIN and len({leaves[i][c][2] for i in group}) == len(group):
                    used.update(group)
                    out.append({"ops": [sched.labels[i] for i in group], "varies": leaves[group[0]][c][0],
                                "values": [leaves[i][c][2] for i in group]})
    return out


def schedule_report(block: Block, cost: CostModel, graphs: Graphs | None = None,
                    shapes: Shapes | None = None) -> tuple[Schedule, dict[str, Any]]:
    """The schedule of a workflow body and its JSON report."""
    sched = analyse_block(block, cost, graphs, shapes)
    report = sched.to_json()
    report["data_parallel"] = data_parallel(block)
    report["map_candidates"] = map_candidates(sched)
    return sched, report


@dataclass(frozen=True)
class ConcurrencyPass(Pass):
    """Levels, antichains, width and critical path from data and effect dependencies.

    Records `level` on each top-level op and `ctx.reports["schedule"]`; see the module
    docstring for the rules. Never changes what the workflow computes.
    """

    name = "concurrency"
    preserves_analyses = True  # it only annotates ops with `level`

    def apply(self, ctx: PassContext, module: Module) -> None:
        cost = CostModel.from_options(ctx.options)
        report: dict[str, Any] = {"workflows": {}}
        for wf in module.workflows:
            sched, report["workflows"][wf.sym_name] = schedule_report(wf.body, cost, graphs_of(ctx), shapes_of(ctx))
            for op, lv in zip(sched.ops, sched.level, strict=True):
                op.attributes["level"] = lv
        ctx.reports["schedule"] = report
