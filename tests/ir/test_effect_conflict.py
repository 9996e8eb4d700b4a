"""`conflict` (the first conflicting pair of two effect lists) equals the pair-by-pair definition,
with the repeats lifted effect lists hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from skc.ir.analysis import conflict
from skc.ir.effects import Effect

effects = st.builds(Effect, st.sampled_from(["read", "write", "net"]),
                    st.sampled_from(["*", "k8s", "db:a", "db:b", "fs:/tmp", "fs:/tmp/x", "fs:/tmp/x/", "fs:/var"]))


def reference(a: list[Effect], b: list[Effect]) -> list[str]:
    for x in a:
        for y in b:
            if x.conflicts(y):
                return [str(x), str(y)]
    return []


@settings(max_examples=500, deadline=None)
@given(st.lists(effects, max_size=8), st.lists(effects, max_size=8))
def test_conflict_is_the_first_conflicting_pair(a: list[Effect], b: list[Effect]) -> None:
    assert conflict(a, b) == reference(a, b)
    assert conflict(a, a) == reference(a, a)
