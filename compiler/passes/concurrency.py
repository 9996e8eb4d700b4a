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
levels (op labels, see `schedule.op_label`), width, depth, critical path and its estimated
seconds, estimated sequential seconds, per-op estimates, the pairs ordered only
by an effect conflict (`effect_orderings`), the `ctrl.map`s (`data_parallel`:
width known at run time), and `map_candidates`: three or more top-level ops
identical except for one constant (a list element such as one `argv` word, one
word of a text attribute such as a query, or a `data.const` operand), which a
front end could have written as one `ctrl.map`. Placement later refreshes
the estimates with the targets it chose. The schedule itself is `skc.compiler.schedule`'s.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from skc.compiler.cost import CostModel
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
from skc.ir.analysis import conflict, op_effects
from skc.ir.attrs import print_attr
from skc.ir.core import Block, Op
from skc.ir.dialects.data import ConstOp
from skc.ir.module import Module
from skc.ir.traits import Loop

# Attributes that annotate an op rather than say what it computes.
METADATA_ATTRS = frozenset({"step", "level", "target", "est_latency_s"})
MAP_CANDIDATE_MIN = 3
MAP_CANDIDATE_BUDGET = 5_000_000  # leaf comparisons per shape of op


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
