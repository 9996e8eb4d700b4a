"""The dependency graph of one block: data, effect-ordering and early-exit edges.

A block (the workflow body, a `ctrl.if` branch, one `ctrl.map` item, one
`ctrl.retry` attempt) is a graph: an op depends on the ops that produce its
operands (uses inside its regions count: `defuse`) and on earlier ops whose
effects conflict with its own (write/write or read/write on overlapping
resources, in program order, via `Effect.conflicts`; effects lifted by
`effects.op_effects`). An op that may end the workflow early (a region holding
`ctrl.return`) also orders every later op that writes. A step named by another's
`fallback` (and used by nobody else) is on standby: it runs only when called, so
it orders nothing after it. Every conflicting earlier op is an edge, not only
the nearest (no transitive reduction: a standby op in between must not break an
order). Terminators wait for their operands (not for standby ops) and order
nothing.

The effect edges are found without comparing every pair of ops (`effect_preds`):
earlier ops are indexed by resource (exact names in buckets; `*` in a list that
conflicts with everything; fs paths under each of their `/`-ended prefixes, so
that the paths containing or contained in a path are looked up, not searched),
readers apart from writers. A block's graph costs its edges plus its ops'
resources. The concurrency pass builds its schedule from this graph and the
scheduler runs ops in its order: `skc ir explain` and `skc run` agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from skc.ir.analysis.effects import own_effects
from skc.ir.core import Block, Value
from skc.ir.effects import Effect
from skc.ir.traits import HasRegions, ReturnLike


def _fs_path(resource: str) -> str | None:
    """The normalised path of an `fs:` resource (`overlaps` compares these by prefix), else None."""
    return resource[3:].rstrip("/") + "/" if resource.startswith("fs:") else None


def _prefixes(path: str) -> list[str]:
    """Every prefix of a normalised fs path that ends in `/` (the path itself included)."""
    return [path[:k + 1] for k, c in enumerate(path) if c == "/"]


class _ResourceIndex:
    """Earlier ops by the resources they touch, for finding the ones an effect conflicts with.

    Readers (`read:`/`net:`) and writers are kept apart: a reader looks only at writers,
    a writer at both. Plain names are exact buckets; `*` is a list of its own (it conflicts
    with everything) plus lists of every op with an effect and every op that writes (what a
    `*` effect conflicts with). An fs path is filed under itself (`exact`) and under every
    `/`-ended prefix of itself (`under`): the paths overlapping `p` are those filed exactly
    under a prefix of `p` (its ancestors) and those filed under `p` (its descendants), which
    is `overlaps`' string test, answered without looking at unrelated paths.
    """

    def __init__(self) -> None:
        self.names: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        self.fs_exact: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        self.fs_under: tuple[dict[str, list[int]], dict[str, list[int]]] = ({}, {})
        self.star: tuple[list[int], list[int]] = ([], [])
        self.touching: tuple[list[int], list[int]] = ([], [])  # ops with any effect, ops that write

    def conflicting(self, effects: list[Effect], out: set[int]) -> None:
        """Adds to `out` every indexed op with an effect that conflicts with one of `effects`."""
        for e in effects:
            kinds = (0, 1) if e.writes else (1,)  # 0: readers, 1: writers
            for k in kinds:
                out.update(self.star[k])
            if e.resource == "*":
                out.update(self.touching[0] if e.writes else self.touching[1])
                continue
            path = _fs_path(e.resource)
            for k in kinds:
                if path is None:
                    out.update(self.names[k].get(e.resource, ()))
                    continue
                exact = self.fs_exact[k]
                for prefix in _prefixes(path):
                    out.update(exact.get(prefix, ()))
                out.update(self.fs_under[k].get(path, ()))

    def add(self, j: int, effects: list[Effect]) -> None:
        if not effects:
            return
        self.touching[0].append(j)
        if any(e.writes for e in effects):
            self.touching[1].append(j)
        for e in effects:
            k = 1 if e.writes else 0
            if e.resource == "*":
                self.star[k].append(j)
                continue
            path = _fs_path(e.resource)
            if path is None:
                self.names[k].setdefault(e.resource, []).append(j)
                continue
            self.fs_exact[k].setdefault(path, []).append(j)
            for prefix in _prefixes(path):
                self.fs_under[k].setdefault(prefix, []).append(j)


def effect_preds(effects: list[list[Effect]], may_exit: list[bool], skip: set[int],
                 terminator: list[bool]) -> list[set[int]]:
    """The effect-ordering predecessors of each op of a block, in program order.

    `preds[i]` holds every earlier op `j` (not in `skip`) with an effect that conflicts
    with one of op `i`'s (`Effect.conflicts`: write/write or read/write on overlapping
    resources), and, when op `i` writes, every earlier op that may exit early. Every
    conflicting earlier op is listed, not only the nearest (no transitive reduction).
    Terminators get none. Near-linear: earlier ops are looked up by resource
    (`_ResourceIndex`), so the work is the edges found plus the resources' path depth.
    """
    index = _ResourceIndex()
    exits: list[int] = []
    preds: list[set[int]] = []
    none: set[int] = set()  # one empty set for every op nothing orders (the sets are only read)
    for i, effs in enumerate(effects):
        found: set[int] = set()
        if effs and not terminator[i]:
            index.conflicting(effs, found)
            if exits and any(e.writes for e in effs):
                found.update(exits)
        preds.append(found or none)
        if i not in skip:
            index.add(i, effs)
            if may_exit[i]:
                exits.append(i)
    return preds


@dataclass
class DepGraph:
    """The dependency structure of one block: op `i` waits for every op in `preds[i]`.

    `data[i]` are the producers of its operands, `effect[i]` the earlier ops ordered
    before it by an effect conflict or an early exit (all of them, not only the
    nearest); `effects[i]` its lifted effects and `exits[i]` whether it may end the
    workflow. Ops in `standby` run only when a failing op's `fallback` calls them; `called`
    are the ops some `fallback` names (the standby ones, and those that also run anyway).
    The sets are read, never changed: `preds[i]` may be `data[i]` itself.
    """

    preds: list[set[int]]
    succs: list[set[int]]
    standby: set[int]
    by_step: dict[str, int]
    data: list[set[int]]
    effect: list[set[int]]
    effects: list[list[Effect]]
    exits: list[bool]
    called: set[int]


def block_graph(block: Block) -> DepGraph:
    """The dependency graph of `block`'s top-level ops (see the module docstring).

    One pass over the ops gathers what `defuse.data_preds`, `effects.op_effects` and
    `effects.may_exit` would each walk the ops for (an op with regions is walked once)."""
    ops = block.ops
    by_step: dict[str, int] = {}  # a fallback's target: the step's last op (its helpers come first)
    fallbacks: list[str] = []
    producer: dict[int, int] = {}  # id of a value -> the top-level op defining it (`defuse.producers`)
    uses: list[list[Value]] = []  # `defuse.nested_uses` of each op
    effects: list[list[Effect]] = []  # `op_effects` of each op
    exits: list[bool] = []  # `may_exit` of each op; a leaf op never exits early
    terminator: list[bool] = []
    for i, op in enumerate(ops):
        attrs = op.attributes
        fallback = attrs.get("fallback")
        if isinstance(fallback, str):  # one naming a fallback is a primary, never a fallback's target
            fallbacks.append(fallback)
        elif isinstance(step := attrs.get("step"), str):
            by_step[step] = i
        terminator.append(op.terminator)
        if op.regions:
            nested = list(op.walk())
            for inner in nested:
                for r in inner.results:
                    producer[id(r)] = i
            uses.append([v for inner in nested for v in inner.operands])
            effects.append([e for inner in nested for e in own_effects(inner)])
            exits.append(op.has(HasRegions) and any(inner.has(ReturnLike) for inner in nested))
        else:
            for r in op.results:
                producer[id(r)] = i
            uses.append(op.operands)
            effects.append(own_effects(op))
            exits.append(False)
    data: list[set[int]] = []  # `defuse.data_preds`
    for i, values in enumerate(uses):
        found: set[int] = set()
        for v in values:
            p = producer.get(id(v))
            if p is not None and p != i:
                found.add(p)
        data.append(found)
    named = {by_step[f] for f in fallbacks if f in by_step}
    if named:
        consumers = {p for ps, term in zip(data, terminator, strict=True) if not term for p in ps}
        standby = named - consumers
    else:
        standby = set()
    effect = effect_preds(effects, exits, standby, terminator)
    preds: list[set[int]] = []
    for e, d, term in zip(effect, data, terminator, strict=True):
        if term and standby:
            d = d - standby
        preds.append(e | d if e else d)  # the very set of `data` when no effect orders the op
    succs: list[set[int]] = [set() for _ in ops]
    for i, ps in enumerate(preds):
        for p in ps:
            succs[p].add(i)
    return DepGraph(preds, succs, standby, by_step, data, effect, effects, exits, named)
