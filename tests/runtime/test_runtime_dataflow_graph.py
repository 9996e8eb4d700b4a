"""The block graph's effect edges: the indexed construction against the pairwise definition."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skc.ir.analysis import block_graph, deps, effect_preds, op_effects
from skc.ir.analysis import may_exit as _may_exit
from skc.ir.core import Block
from skc.ir.effects import Effect
from skc.ir.parser import parse_module

REPO = Path(__file__).resolve().parents[2]

# Names chosen to collide: equal names, `*`, fs paths that contain each other or only look alike.
RESOURCES = ["k8s", "db:a", "db:b", "*", "http", "fs:", "fs:/", "fs:/tmp", "fs:/tmp/", "fs:/tmp/a",
             "fs:/tmp/ab", "fs:/tmp/a/b", "fs:/tmp/a/b/c.txt", "fs:tmp/a", "fs://tmp", "fs:/tmp//a",
             "fs:*", "fs:/var/log/**", "fs:/var/log", "fs:/var"]

effects_st = st.lists(st.builds(Effect, st.sampled_from(["read", "write", "net"]), st.sampled_from(RESOURCES)),
                      max_size=3)


def pairwise_preds(effects: list[list[Effect]], may_exit: list[bool], skip: set[int],
                   terminator: list[bool]) -> list[set[int]]:
    """The definition (the scheduler's former construction): every earlier pair compared."""
    preds: list[set[int]] = [set() for _ in effects]
    for i in range(len(effects)):
        if terminator[i]:
            continue
        for j in range(i):
            if j in skip:
                continue
            if any(a.conflicts(b) for a in effects[j] for b in effects[i]):
                preds[i].add(j)
            elif may_exit[j] and any(e.writes for e in effects[i]):
                preds[i].add(j)
    return preds


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(effects_st, st.booleans(), st.booleans(), st.booleans()), max_size=25),
       st.booleans())
def test_indexed_effect_edges_equal_the_pairwise_ones(ops: list[tuple[list[Effect], bool, bool, bool]],
                                                      last_terminates: bool) -> None:
    effects = [e for e, _, _, _ in ops]
    may_exit = [x for _, x, _, _ in ops]
    skip = {i for i, (_, _, s, _) in enumerate(ops) if s}
    terminator = [False] * len(ops)
    if ops and last_terminates:
        terminator[-1] = True
    assert effect_preds(effects, may_exit, skip, terminator) == pairwise_preds(effects, may_exit, skip, terminator)


def _blocks(block: Block) -> list[Block]:
    out = [block]
    for op in block.ops:
        for inner in op.walk():
            for region in inner.regions:
                out.extend(_blocks(region.block))
    return out


def test_block_graph_of_the_examples_matches_the_pairwise_definition() -> None:
    files = sorted((REPO / "examples").rglob("*.mlir"))
    assert files
    for path in files:
        mod = parse_module(path.read_text(encoding="utf-8"), str(path))
        for top in mod.ops:
            for region in top.regions:
                for block in _blocks(region.block):
                    g = block_graph(block)
                    ops = block.ops
                    ref = pairwise_preds([op_effects(op) for op in ops], [_may_exit(op) for op in ops],
                                         g.standby, [op.terminator for op in ops])
                    for i, op in enumerate(ops):
                        data = g.preds[i] - ref[i]
                        # what is left beyond the effect edges are data edges: producers of operands
                        assert ref[i] <= g.preds[i], (path.name, i)
                        producers = {j for j in data if any(r in {id(v) for inner in op.walk() for v in inner.operands}
                                                            for inner in ops[j].walk() for r in map(id, inner.results))}
                        assert data == producers, (path.name, i)
                        assert all(i in g.succs[p] for p in g.preds[i])


def test_effect_edges_of_ten_thousand_ops_are_near_linear(monkeypatch: pytest.MonkeyPatch) -> None:
    """Work is counted, not timed: no pairwise `conflicts` test, and index lookups linear in the ops."""
    n = 10_000
    effects = [[Effect("write" if i % 7 == 0 else "read", f"fs:/data/{i % 100}/f{i}")] for i in range(n)]
    counts = {"conflicts": 0, "prefixes": 0}
    real_prefixes, real_conflicts = deps._prefixes, Effect.conflicts

    def prefixes(path: str) -> list[str]:
        out = real_prefixes(path)
        counts["prefixes"] += len(out)
        return out

    def conflicts(self: Effect, other: Effect) -> bool:
        counts["conflicts"] += 1
        return real_conflicts(self, other)

    monkeypatch.setattr(deps, "_prefixes", prefixes)
    monkeypatch.setattr(Effect, "conflicts", conflicts)
    preds = effect_preds(effects, [False] * n, set(), [False] * n)
    assert sum(map(len, preds)) == 0  # distinct files: nothing overlaps
    assert counts["conflicts"] == 0  # the pairwise construction makes ~n^2/2 = 5e7 of these
    assert counts["prefixes"] <= 3 * 4 * n  # a path has 4 prefixes: filed once, looked up once or twice
