"""The step graph: which step of a document follows which, as its author wrote it.

Steps are the unit a reader thinks in. `build(units, every, data_edges)` makes a
DAG over the document's top-level steps (`units`: the top-level steps, or the
children of a single top-level step) from three sources, in this order:

- the document's words: a parallel hint ("start steps 2 through 10 in parallel")
  gives an edge from the hinting step to each step of the range and none between
  them; a serial hint ("run steps 2-5 in serial / one after another") chains the
  range; "after step N" / "once step N completes" waits for step N;
- control: "proceed to / continue with step N" at the end of a step is an edge to
  step N (a join when several steps say it) and replaces the edge to the next
  step; "if ..., go to step N" adds a branch edge next to the fall-through; an
  unconditional jump replaces it; an unconditional early exit ends the path;
  otherwise a step leads to the next one in document order (steps of a parallel
  range lead to the step after the range);
- data: a step that uses a value another step produced, where the edges above do
  not already order them.

`StepGraph.ordering` lists the edges that the IR must enforce because no data
flows along them (joins, serial chains, "after step N"): the lowering turns each
into operands (evidence for llm ops, ordering tokens for tools).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import pairwise

from skc.compiler.frontend.markdown.step_model import Step


@dataclass
class StepGraph:
    """Top-level steps (labels, in document order) and the edges between them."""

    nodes: list[str] = field(default_factory=list)
    edges: set[tuple[str, str]] = field(default_factory=set)
    ordering: set[tuple[str, str]] = field(default_factory=set)  # edges with no data along them to enforce

    def width(self) -> int:
        """The most steps that may run at once (the largest layer of a longest-path layering)."""
        depth: dict[str, int] = {}
        for n in self.nodes:
            preds = [a for a, b in self.edges if b == n and a in depth]
            depth[n] = 1 + max((depth[p] for p in preds), default=-1)
        layers: dict[int, int] = {}
        for d in depth.values():
            layers[d] = layers.get(d, 0) + 1
        return max(layers.values(), default=0)

    def as_strings(self) -> list[str]:
        index = {n: i for i, n in enumerate(self.nodes)}
        return [f"{a} -> {b}" for a, b in sorted(self.edges, key=lambda e: (index.get(e[0], 0), index.get(e[1], 0)))]


def units_of(steps: list[Step]) -> list[Step]:
    """The steps the graph is drawn over: the top level, or the children of a lone top step
    (unless all it holds is one plain step: "## Diagnosis" over one paragraph is the step);
    a top-level section that holds numbered step headings ("## Solution" over "### Step 1".."Step
    6") stands for those steps (see `_open`)."""
    units = steps
    while len(units) == 1 and units[0].children and units[0].condition is None and not _one_leaf(units[0]):
        units = _open(units[0]) or units[0].children
    out: list[Step] = []
    for u in units:
        out.extend(_open(u) or [u])
    return out


def _one_leaf(u: Step) -> bool:
    """Whether `u` holds one step, not a section, with no listed steps or sections under it
    (only what the front end derived from its sentences: checks, conditions)."""
    if len(u.children) != 1:
        return False
    only = u.children[0]
    return not only.section and not any(d.section or d.number is not None for d in only.walk() if d is not only)


def _open(u: Step) -> list[Step]:
    """The units a section of numbered step headings stands for: its children, where what comes
    before its first heading (the section's own introduction) belongs to that heading's step; []
    when `u` is not such a section."""
    if not u.section or u.condition is not None:
        return []
    numbered = [i for i, c in enumerate(u.children) if c.section and c.number is not None]
    if len(numbered) < 2:
        return []
    first = next(i for i, c in enumerate(u.children) if c.section)
    head, lead = u.children[first], u.children[:first]
    if lead:
        head = replace(head, children=[*lead, *head.children])  # a view for the graph; the tree is unchanged
    return [head, *u.children[first + 1:]]


def build(units: list[Step], data_edges: set[tuple[str, str]], unit_of: dict[str, str],
          alternatives: dict[str, tuple[int, int]] | None = None) -> StepGraph:
    """The step graph of `units` (see the module docstring); `data_edges` are (consumer, producer)
    step labels, `unit_of` maps any step label to its unit's label; `alternatives` maps the
    units of alternative sections to (group, block) (see `alternatives`): no fall-through
    edge from one block of a group to another, each leads past the group."""
    alternatives = alternatives or {}
    g = StepGraph([u.label for u in units])
    by_number: dict[int, Step] = {}
    for u in units:
        if u.number is not None:
            by_number.setdefault(u.number, u)
    index = {id(u): i for i, u in enumerate(units)}
    group_of: dict[int, tuple[Step, list[Step], bool]] = {}  # member -> (hinting unit, members, serial)
    explicit_out: set[int] = set()
    for u in units:
        for s in u.walk():
            hint = s.parallel
            if hint is not None and hint.numbers:
                members = [by_number[n] for n in hint.numbers if n in by_number and by_number[n] is not u]
                if len(members) >= 2:
                    for m in members:
                        group_of.setdefault(id(m), (u, members, hint.serial))
                    if hint.serial:
                        _add(g, u, members[0], ordering=False)
                        for a, b in pairwise(members):
                            _add(g, a, b, ordering=True)
                            explicit_out.add(id(a))
                    else:
                        for m in members:
                            _add(g, u, m, ordering=False)
                    explicit_out.add(id(u))
            target = by_number.get(s.next) if s.next is not None else None
            if target is not None and target is not u:
                _add(g, u, target, ordering=True)
                explicit_out.add(id(u))
            for n in s.after:
                if n in by_number and by_number[n] is not u:
                    _add(g, by_number[n], u, ordering=True)
            jump = by_number.get(s.goto) if s.goto is not None else None
            if jump is not None and jump is not u and index[id(jump)] > index[id(u)]:
                _add(g, u, jump, ordering=False)
                if s.condition is None and (s is u or s in u.children):
                    explicit_out.add(id(u))  # an unconditional jump replaces the way on
    for i, u in enumerate(units):
        if id(u) in explicit_out or _exits(u):
            continue
        nxt = _next_unit(units, i, group_of)
        here = alternatives.get(u.label)
        if here is not None and nxt is not None and alternatives.get(nxt.label, here)[1] != here[1]:
            j = i + 1  # the next alternative: go on after the whole group instead
            while j < len(units) and alternatives.get(units[j].label, (None,))[0] == here[0]:
                j += 1
            nxt = units[j] if j < len(units) else None
        if nxt is not None:
            _add(g, u, nxt, ordering=False)
    reach = _reachability(g)
    position = {n: i for i, n in enumerate(g.nodes)}
    for consumer, producer in sorted(data_edges):
        src, dst = unit_of.get(producer), unit_of.get(consumer)
        if src and dst and src != dst and src in reach and not reach[src] >> position[dst] & 1 and \
                position[src] < position[dst]:
            g.edges.add((src, dst))
            reach = _reachability(g)
    return g


def _add(g: StepGraph, a: Step, b: Step, *, ordering: bool) -> None:
    g.edges.add((a.label, b.label))
    if ordering:
        g.ordering.add((a.label, b.label))


def _exits(u: Step) -> bool:
    """An unconditional early exit at the unit's own level ends every path through it."""
    if u.exit is not None and u.condition is None:
        return True
    return any(c.exit is not None and c.condition is None and not c.children for c in u.children[-1:])


def _next_unit(units: list[Step], i: int, group_of: dict[int, tuple[Step, list[Step], bool]]) -> Step | None:
    """The unit after `units[i]`: past the whole parallel range when `units[i]` is in one."""
    here = group_of.get(id(units[i]))
    j = i + 1
    if here is not None and not here[2]:
        members = {id(m) for m in here[1]}
        while j < len(units) and id(units[j]) in members:
            j += 1
    return units[j] if j < len(units) else None


def _reachability(g: StepGraph) -> dict[str, int]:
    """The nodes reachable from each node as a bitmask (bit i is `g.nodes[i]`), so a long
    chain of steps costs a few big-integer ORs per edge rather than quadratic set unions."""
    bit = {n: 1 << i for i, n in enumerate(g.nodes)}
    out: dict[str, int] = dict.fromkeys(g.nodes, 0)
    succ: dict[str, list[str]] = {n: [] for n in g.nodes}
    for a, b in g.edges:
        succ.setdefault(a, []).append(b)
    for n in reversed(g.nodes):
        for m in succ.get(n, []):
            out[n] = out.get(n, 0) | bit.get(m, 0) | out.get(m, 0)
    return out
