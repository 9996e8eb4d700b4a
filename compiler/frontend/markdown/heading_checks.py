"""Headings that state a check: "Step 5: Verify DNS responses contain the expected IP addresses".

A step whose heading says what to verify ends with that judgement: after its commands
run, is the stated fact true? `heading_check(title, step)` appends to a heading step with
commands a last sub-step "Check whether <fact>." (the lowering makes it an `llm.decide`
over the outputs of the step's commands). Only a heading that states a fact counts: a
verb follows the check word's object ("Verify the blackbox exporter is working",
"Ensure `Initialized` is `true`"), not a noun phrase to look at ("Check CPU utilization",
"Verify the health of the upstream DNS servers").
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


def heading_check(title: str, step: Step) -> None:
    """Appends the check a heading states to `step` (see the module docstring)."""
    m = _CHECK.match(prose.clean(unnumbered(title)).replace("`", ""))
    if m is None or not _FACT_VERB.search(" " + m.group("fact")):
        return
    if not any(s.snippets for s in step.walk()):
        return  # nothing runs in the step: no output to judge
    fact = m.group("fact").strip()
    if any(s.condition is not None and remarks.same_fact(s.condition.cond, fact) for s in step.walk()):
        return  # the step already decides it: "If tcpdump isn't installed, ..."
    step.children.append(Step(f"{step.label}.check", f"Check whether {fact}.", step.loc))
