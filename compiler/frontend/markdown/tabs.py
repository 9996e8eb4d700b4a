"""Tabbed alternatives: a heading that is a tab link belongs to the step above it.

Microsoft's troubleshooting guides write one step two ways as tabs, with headings at
the level of the step itself:

    ### Step 1: Identify nodes that have memory saturation
    ### [Browser](#tab/browser)
    ...
    ### [Command Line](#tab/command-line)
    ...
    ---

A reader sees one step with two tabs, not three steps. `fold_tabs(steps, lines)` moves
each heading step whose source line is a tab link (`[Title](#tab/name)`) into the
children of the nearest earlier sibling heading that is not a tab; a tab with no such
sibling stays where it is. A moved tab's labels go under its step's (`1.Browser.2`).
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.step_model import Step, rename_prefix

_TAB = re.compile(r"^\s{0,3}#{1,6}\s+\[[^\]]+\]\(#tab/[^)]*\)\s*$")


def is_tab_heading(line: str) -> bool:
    """Whether a markdown source line is a tab heading (`### [Azure CLI](#tab/azure-cli)`)."""
    return _TAB.match(line) is not None


def fold_tabs(steps: list[Step], lines: list[str]) -> list[Step]:
    """`steps` with every tab heading step moved under the step it is a tab of (see above)."""
    out: list[Step] = []
    owner: Step | None = None
    for s in steps:
        line = lines[s.loc.line - 1] if s.section and 0 < s.loc.line <= len(lines) else ""
        if line and is_tab_heading(line):
            if owner is not None:
                rename_prefix([s], s.label, f"{owner.label}.{s.label}")
                owner.children.append(s)
                continue
        elif s.section:
            owner = s
        out.append(s)
    return out
