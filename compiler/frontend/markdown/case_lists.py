"""Steps listed per case: "- for autoANALYZE, it won't cause issue (but run a manual `analyze`
...); - for a regular long-running transaction – it is a business decision.".

A list whose every item opens with "for <case>," says what to do in each case; the reader
first judges which case they are in (from what the steps before found: the cause the
diagnosis identified, the kind of process, the platform). `case_choice(items, prefix)`
returns the step that makes that judgement, "Decide which case applies: A; B.", with the
cases as its outcomes, to run before the listed steps; None when the items are no such list.

Only items that open with "for" and a short case followed by a comma, colon or dash count
("For Go processes, you can profile via pprof"); "For more information, see ..." and "For
example, ..." name no case, and a list where some item names none is no choice.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.step_model import Step

_CASE = re.compile(r"^for\s+(?P<case>(?:an?\s+|the\s+)?[\w`'./-]+(?:\s+[\w`'./-]+){0,5}?)\s*(?:,|:|\s[–—-]\s)", re.I)
_NOT_A_CASE = re.compile(r"^(?:example|instance|more|details|further|reference|now|now on|each|every|all|this|that|"
                         r"these|those|both|some|most|any|a\s+while|the\s+(?:most\s+part|record|time\s+being))\b", re.I)


def _case(text: str) -> str | None:
    m = _CASE.match(prose.clean(text).replace("`", ""))
    if m is None or _NOT_A_CASE.match(m.group("case")):
        return None
    return m.group("case").strip()


def case_choice(items: list[Step], prefix: str) -> Step | None:
    """The judgement "which case applies" over listed per-case steps (see the module docstring)."""
    if len(items) < 2:
        return None
    cases = [_case(s.text) for s in items]
    if any(c is None for c in cases):
        return None
    names = [c for c in cases if c is not None]
    label = f"{prefix}.case" if prefix else "case"
    return Step(label, f"Decide which case applies: {'; '.join(names)}.", items[0].loc, options=names)
