"""Conditions that test one value against the values it may have: one decision among them.

"If the outbound type is `loadBalancer`, ...", "If the outbound type is `userDefinedRouting`,
...", "If the outbound type is `managedNATGateway`, ..." (one paragraph each, after the
command that shows the outbound type) ask one question with three answers, not three
yes/no questions. `value_cases(steps)` finds such runs of sibling conditions (two or more
conditions "<subject> is <value>" on the same subject with different written values: `code`,
**bold** or "quoted") and puts before the first a step "Decide which value <subject> has:
A, B or C." whose outcomes are the values and "other" (a value the document treats in prose
only, or not at all); the lowering then answers each condition with that decision's outcome
(`predicates.decision_for`, see `tests_a_value`: no second model call).

A subject tested against one value only, or values not written as literals ("if the pod is
running", "if the node is ready"), is an ordinary yes/no condition.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.step_model import Step

_IS = re.compile(r"^(?:the\s+)?(?P<subject>[\w` .-]{3,40}?)\s+(?:is|equals|shows|returns|was)\s+"
                 r"(?P<value>`[^`]+`|\*\*[^*]+\*\*|\"[^\"]+\")[\s.,]*\Z", re.I)


def tests_a_value(step: Step) -> bool:
    """Whether `step` is a condition "<subject> is <literal value>" (answered by the choice of value)."""
    return _tested(step) is not None


def _tested(step: Step) -> tuple[str, str] | None:
    c = step.condition
    if c is None or c.negated:
        return None
    m = _IS.match(c.cond.strip())
    if m is None:
        return None
    return m.group("subject").lower().strip("` "), m.group("value").strip("`*\" ,")


def value_cases(steps: list[Step]) -> list[Step]:
    """`steps` (and their nested steps) with the choice of value before each run of conditions
    on the values of one subject (see the module docstring)."""
    for s in steps:
        s.children = value_cases(s.children)
        s.otherwise = value_cases(s.otherwise)
    subjects = [(t[0] if (t := _tested(s)) is not None else None) for s in steps]
    values_of = [(t[1] if (t := _tested(s)) is not None else "") for s in steps]
    out: list[Step] = []
    for i, s in enumerate(steps):
        subject = subjects[i]
        if subject is not None and (i == 0 or subjects[i - 1] != subject):
            j = i
            while j < len(steps) and subjects[j] == subject:
                j += 1
            values = list(dict.fromkeys(values_of[i:j]))
            if len(values) >= 2:
                label = f"{s.label}.value"
                out.append(Step(label, f"Decide which value {subject} has: {', '.join(values)} or another.",
                                s.loc, options=[*values, "other"]))
        out.append(s)
    return out
