"""Sections that are alternatives, not a sequence: the reader follows the one that applies.

Runbooks often lay out cases side by side as sibling headings, and a reader takes one:

- cases listed under a heading that names them: "## Common symptoms" over "### Out of
  memory", "### Persistent disk full", "### Remove corrupted WAL files" (also "causes",
  "scenarios", "cases", "known/common issues", "problems", "failure modes");
- alert severities: "## Critical", "## Warning" (then "## Runbook", which both lead to);
- yes/no questions that differ only in their last words: "### Is the issue persistent?",
  "### Is the issue intermittent?" (each over its own numbered steps).

`alternative_blocks(steps, units)` maps each graph unit (see `step_graph.units_of`) in
such a group to (group, block): the units of one alternative form a block and keep
their order; the step graph draws no fall-through edge from one block to the next of
the same group: every block leads to what follows the whole group.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.step_model import Step, unnumbered

_CASES = re.compile(r"^(?:(?:common|possible|typical|known|frequent|other)\s+)?(?:symptoms|causes|scenarios|cases|"
                    r"issues|problems|failure\s+modes|root\s+causes)$", re.I)
_SEVERITY = {"critical", "warning", "info", "high", "medium", "low", "major", "minor", "page", "ticket"}
_QUESTION = re.compile(r"^(?P<stem>(?:is|are|does|do|did|was|were|has|have)\s+(?:\w+\s+){1,4}?)(?P<tail>[\w-]+)\s*\?$",
                       re.I)


def _title(s: Step) -> str:
    return prose.clean(unnumbered(s.text)).strip().rstrip(":").strip()


def _groups(siblings: list[Step]) -> list[list[Step]]:
    """Runs of sibling sections that are alternatives (severities, "Is the X Y?" twins)."""
    out: list[list[Step]] = []
    run: list[Step] = []
    key: str | None = None
    for s in siblings:
        title = _title(s).lower() if s.section else ""
        q = _QUESTION.match(title)
        k = "severity" if title in _SEVERITY else f"q:{q.group('stem')}" if q else None
        if k is not None and k == key:
            run.append(s)
            continue
        if len(run) >= 2:
            out.append(run)
        run, key = ([s], k) if k is not None else ([], None)
    if len(run) >= 2:
        out.append(run)
    return out


def _walk_siblings(steps: list[Step]) -> list[list[Step]]:
    """Every list of sibling steps under (and including) the top level."""
    out = [steps]
    for s in steps:
        if s.children:
            out.extend(_walk_siblings(s.children))
    return out


def alternative_blocks(steps: list[Step], units: list[Step]) -> dict[str, tuple[int, int]]:
    """unit label -> (group, block) for the units that sit in alternative sections."""
    groups: list[list[Step]] = []
    for siblings in _walk_siblings(steps):
        groups += _groups(siblings)
        for s in siblings:
            cases = [c for c in s.children if c.section]
            if s.section and _CASES.match(_title(s)) and len(cases) >= 2 and len(cases) == len(s.children):
                groups.append(cases)  # "Common symptoms" over one heading per case
    out: dict[str, tuple[int, int]] = {}
    for g, group in enumerate(groups):
        for b, member in enumerate(group):
            labels = {d.label for d in member.walk()}
            for u in units:
                if u.label in labels:
                    out.setdefault(u.label, (g, b))
    return out
