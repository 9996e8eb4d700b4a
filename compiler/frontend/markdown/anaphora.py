"""Conditions that point back: "Did AKS diagnostics uncover any SNAT issues? If so, ...",
"Check whether the CoreDNS pods are on a different node pool. If they are, check ...".

"If so", "if yes", "if they are", "if it does", "if this is the case", "in that case" test
the fact the sentence before states: a question, or a check ("check/verify/determine whether
X"). After a question ("Is the pod running? In this case, ...", "What if the pod isn't
running? In this case, ...") the answer can also be taken for granted: "Do you access the API
server through a proxy? Then ask your network administrator ..." ("Then" after a check or an
instruction only orders the steps: no condition).
`anaphoric_condition(sentence, previous)` reads such a sentence as the condition on that
fact, with the rest of the sentence as its action; None when the sentence is no such
condition or the previous sentence states no fact. The lowering then answers the check
and the condition with one decision (`predicates._decided`: a yes/no decision on the
same fact is reused), instead of asking the model twice.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.prose import Condition, clean

_BACK = re.compile(r"^(?P<kw>if|when)\s+(?P<neg>not\b|no\b|not so\b)?\s*(?:so|yes|(?:they|it|that|this|these|those)\s+"
                   r"(?:is|are|does|do|did|was|were|has|have|can)(?:\s+(?:not|n't))?|this\s+is\s+the\s+case|"
                   r"that\s+is\s+the\s+case|(?:it|they)\s+(?:isn't|aren't|doesn't|don't))\s*[,:]\s*(?P<action>.+)\Z",
                   re.I | re.S)
_CHECK = re.compile(r"^(?:first,?\s+|then,?\s+|also,?\s+)?(?:check|verify|determine|find out|confirm|see|evaluate|"
                    r"ask)\s+(?:whether|if)\s+(?P<fact>.+?)[.:]?\Z", re.I | re.S)
_QUESTION = re.compile(r"^(?:what\s+if\s+)?(?P<fact>(?:did|does|do|is|are|was|were|has|have|can|could|will)\s+.+?)\?\Z"
                       r"|^what\s+if\s+(?P<case>.+?)\?\Z", re.I | re.S)
_CASE = re.compile(r"^(?:in\s+(?:that|this|which)\s+case|if\s+(?:that|this)\s+is\s+(?:the\s+case|true))\s*[,:]\s*(?P<action>.+)\Z",
                   re.I | re.S)  # "In that case, you can check ...": the answer to the question before is yes
_THEN = re.compile(r"^then\s*,?\s+(?P<action>.+)\Z", re.I | re.S)


_LEAD = re.compile(r"^(?:in\s+(?:that|this)\s+case|if\s+so)\s*,\s*", re.I)


def case_lead(sentence: str) -> str:
    """ "we should adjust X" for "In that case, we should adjust X." (the action of the case the
    sentence before states, as the case's own action: see `trailing.supposed_condition`)."""
    return _LEAD.sub("", sentence.strip(), count=1)


def fact_of(sentence: str) -> str | None:
    """The fact a check or yes/no question states ("the CoreDNS pods are on ..."), or None."""
    t = clean(sentence).strip()
    m = _CHECK.match(t) or _QUESTION.match(t)
    return (m.group("fact") or m.group("case")).strip() if m else None


def anaphoric_condition(sentence: str, previous: str | None) -> Condition | None:
    """ "If so, X" after "Did Y?" as the condition "did Y" with action X (see the module docstring)."""
    if previous is None:
        return None
    t = clean(sentence).strip()
    m = _BACK.match(t)
    if m is None:
        q = _QUESTION.match(clean(previous).strip())
        c = _CASE.match(t) or (_THEN.match(t) if q else None)
        if c is None or (fact := fact_of(previous)) is None:
            return None
        return Condition(fact, c.group("action").strip(), False, "if")
    fact = fact_of(previous)
    if fact is None:
        return None
    negated = bool(m.group("neg")) or re.search(r"\bnot\b|n't\b", m.group(0)[:m.start("action")], re.I) is not None
    return Condition(fact, m.group("action").strip(), negated, m.group("kw").lower())
