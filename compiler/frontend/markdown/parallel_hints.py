"""Parallel hints: which steps a hint covers, and where the document contradicts it.

A hint ("run steps 2 through 10 in parallel", "the following checks can run
concurrently") is parsed by `flow.parallel_hint` onto the step that states it.
`ParallelGroups` resolves each hint to the labels of the steps it covers (the
numbered siblings, else numbered sub-steps, else any step with that number; for
"the following", the hinting step's sub-steps or the siblings after it). The
lowering asks `same_group` before it lets an llm step take its predecessor's result
("summarize the output" inside a parallel range does not wait for the step before),
and `check` reports SKC125 where a step of a range uses another's result anyway (a
step using its own sub-steps' results, or its parent's, is not a contradiction).
"""

from __future__ import annotations

from skc.compiler.frontend.markdown.step_model import Step
from skc.ir.location import Diagnostic


class ParallelGroups:
    """The parallel ranges of one document's step tree."""

    def __init__(self, top: list[Step], every: list[Step], parent: dict[int, Step]) -> None:
        self.every = every
        self.groups: list[tuple[Step, set[str]]] = []
        for s in every:
            hint = s.parallel
            if hint is None:
                continue
            up = parent.get(id(s))
            siblings = up.children if up is not None else top
            if hint.following:
                members = s.children or siblings[siblings.index(s) + 1:] if s in siblings else s.children
            else:
                members = [c for c in siblings if c.number in hint.numbers] or \
                    [c for c in s.children if c.number in hint.numbers] or \
                    [c for c in every if c.number in hint.numbers]
            labels = {d.label for m in members for d in m.walk()}
            if len(members) >= 2:
                self.groups.append((s, labels))

    def same_group(self, a: str, b: str) -> bool:
        """Whether steps `a` and `b` lie in one parallel range."""
        return any(a in g and b in g for _, g in self.groups)

    def check(self, edges: set[tuple[str, str]]) -> list[Diagnostic]:
        """SKC125 for each (consumer, producer) edge inside one range."""
        by_label = {s.label: s for s in self.every}
        out: list[Diagnostic] = []
        for hint, group in self.groups:
            for consumer, producer in sorted(edges):
                if consumer in group and producer in group and not consumer.startswith(producer + ".") \
                        and not producer.startswith(consumer + "."):  # a branch yielding its own sub-step
                    out.append(Diagnostic(
                        "SKC125", by_label[consumer].loc if consumer in by_label else hint.loc,
                        f"step {hint.label} says these steps run in parallel, but step {consumer} uses the result "
                        f"of step {producer}", "drop the hint or remove the dependency", "warning"))
        return out
