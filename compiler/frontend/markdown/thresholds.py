"""Thresholds stated in prose: "99th percentile of `X` should be less than 10ms. Query in metrics UI:".

A runbook often says what a healthy value is next to the command or query that shows
it, instead of writing "if X is over 10ms, ...". That sentence is a judgement over the
command's output: is the stated bound met? `threshold_checks(group)` appends to each
step that runs code and states such a bound (in its own text) a sub-step
"Check whether <subject> is <bound>." (the lowering makes it an `llm.decide` over the
outputs of the step's commands and queries, as for `heading_checks`).

Only a bound with a number counts ("should be less than 10ms", "should not exceed 80%",
"must stay below 1000 connections"); "should be available", "should be reasonably
fast" state no bound to check. A step that already decides the same fact is left alone.
"""

from __future__ import annotations

import re

from skc.compiler.caseless import Lowered
from skc.compiler.frontend.markdown import prose, remarks
from skc.compiler.frontend.markdown.step_model import Step

_BOUND = Lowered(re.compile(
    r"(?P<subject>[^.;:!?]*?)\s+(?:should|must|needs?\s+to|ought\s+to)\s+(?P<neg>not\s+)?"
    r"(?:(?:be|stay|remain)\s+(?P<cmp>(?:less|lower|greater|more|higher|smaller|bigger|larger)\s+than|below|above|"
    r"under|over|at\s+(?:least|most)|within)|(?P<verb>exceed|reach|surpass))"
    r"\s+(?P<value>[^.;,!?]*?\d[^.;,!?]*?)\s*(?=[.;,!?]|\Z)", re.I))
_CUE = Lowered(re.compile(r"\b(?:should|must|needs?\s+to|ought)\b", re.I))  # one search rejects most steps
_PURPOSE = re.compile(r"^(?:to|in\s+order\s+to)\s+[^,]+,\s*", re.I)
_LEAD = re.compile(r"^(?:also|then|normally|typically|usually|ideally|here|now|and)\b[,\s]*", re.I)


def bound(sentence: str) -> str | None:
    """"<subject> is less than 10ms" for a sentence that states a numeric bound, else None."""
    m = _BOUND.search(prose.clean(sentence))
    if m is None:
        return None
    subject = _LEAD.sub("", _PURPOSE.sub("", m.group("subject").strip()))
    if not subject or len(subject.split()) > 20:
        return None
    if subject[1:2].islower():
        subject = subject[0].lower() + subject[1:]  # "Check whether the error rate ...", not "The"
    neg = m.group("neg") is not None
    if m.group("verb"):
        verb = m.group("verb").lower()  # "should not exceed 80%" -> "does not exceed 80%"
        rel = f"does not {verb}" if neg else verb + ("es" if verb.endswith(("ss", "ch")) else "s")
        return f"{subject} {rel} {m.group('value').strip()}"
    cmp = re.sub(r"\s+", " ", m.group("cmp").lower())
    return f"{subject} is {'not ' if neg else ''}{cmp} {m.group('value').strip()}"


def own_steps(group: Step) -> list[Step]:
    """`group` and its steps, not those of the sections under it (each was read as its own
    group when the section was built): a section's checks run once, not once per level."""
    out = [group]
    for c in [*group.children, *group.otherwise]:
        if not c.section:
            out.extend(own_steps(c))
    return out


def threshold_checks(group: Step) -> None:
    """Appends a "Check whether <bound>." sub-step to each step of `group` that runs code
    and states a numeric bound in its text (see the module docstring)."""
    for s in own_steps(group):
        if not s.snippets or s.condition is not None or _CUE.search(s.text) is None:
            continue
        for _, sentence in prose.sentences(s.text):
            fact = bound(sentence)
            if fact is None:
                continue
            if any(d.condition is not None and remarks.same_fact(d.condition.cond, fact) for d in s.walk()):
                continue  # "If the p99 is over 10ms, ...": already decided
            label = f"{s.label}.bound"
            if any(c.label == label for c in s.children):
                continue
            s.children.append(Step(label, f"Check whether {fact}.", s.loc))
