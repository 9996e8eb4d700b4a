"""Headings that state a check: "Step 5: Verify DNS responses contain the expected IP addresses".

A step whose heading says what to verify ends with that judgement: after its commands
run, is the stated fact true? `heading_check(title, step)` appends to a heading step with
commands a last sub-step "Check whether <fact>." (the lowering makes it an `llm.decide`
over the outputs of the step's commands). Only a heading that states a fact counts: a
verb follows the check word's object ("Verify the blackbox exporter is working",
"Ensure `Initialized` is `true`"), not a noun phrase to look at ("Check CPU utilization",
"Verify the health of the upstream DNS servers"). A heading that asks a yes/no question over
the commands of its section ("Step 1: Is the pod or node exhausted on resources?" + `kubectl
top`) is the same judgement; a question that heads sub-sections ("Is the issue persistent?")
only sorts them.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose, remarks
from skc.compiler.frontend.markdown.step_model import Step, unnumbered

_CHECK = re.compile(r"^(?:verify|confirm|ensure|make sure|check)(?:\s+(?:that|whether|if))?\s+(?P<fact>.+?)[.:]?\Z",
                    re.I)
_FACT_VERB = re.compile(r"\s(?:is|are|was|were|contains?|gets?|has|have|returns?|works?|working|runs?|running|exists?|"
                        r"match(?:es)?|responds?|shows?|lists?|reports?|succeeds?|passes|resolves?|reaches|"
                        r"can|cannot|does|do)\b", re.I)


_QUESTION = re.compile(r"^(?:is|are|was|were|does|do|did|has|have|can)\s+[^?]{6,}\?\Z", re.I)


def heading_check(title: str, step: Step) -> None:
    """Appends the check a heading states to `step` (see the module docstring)."""
    question = prose.clean(unnumbered(title)).replace("`", "")
    if _QUESTION.match(question):
        if not any(c.section for c in step.children) and any(s.snippets for s in step.walk()) and \
                not any(s.condition is not None and remarks.same_fact(s.condition.cond, question) for s in step.walk()):
            step.children.append(Step(f"{step.label}.check", f"Check whether the answer is yes: {question}", step.loc))
        return
    m = _CHECK.match(prose.clean(unnumbered(title)).replace("`", ""))
    if m is None or not _FACT_VERB.search(" " + m.group("fact")):
        return
    if not any(s.snippets for s in step.walk()):
        return  # nothing runs in the step: no output to judge
    fact = m.group("fact").strip()
    if any(s.condition is not None and remarks.same_fact(s.condition.cond, fact) for s in step.walk()):
        return  # the step already decides it: "If tcpdump isn't installed, ..."
    step.children.append(Step(f"{step.label}.check", f"Check whether {fact}.", step.loc))


def item_checks(group: Step) -> None:
    """ "1. Check whether the virtual network was updated recently." with nested steps (what
    to do if so, with commands): the item's own judgement comes first, as a sub-step "Check
    whether <fact>." (an item over commands is a title the lowering does not judge, so the
    nested steps would otherwise be all that is compiled of it)."""
    for s in list(group.walk()):
        if s is group or not s.children or s.condition is not None or s.snippets or s.title:
            continue
        if not any(d.snippets for c in s.children for d in c.walk()):
            continue  # no commands under it: the lowering judges the item's own text already
        m = _CHECK.match(prose.clean(s.text).replace("`", ""))
        if m is None or not _FACT_VERB.search(" " + m.group("fact")) or len(prose.sentences(s.text)) > 1:
            continue
        if any(c.label == f"{s.label}.check" for c in s.children):
            continue
        s.children.insert(0, Step(f"{s.label}.check", f"Check whether {m.group('fact').strip()}.", s.loc))
