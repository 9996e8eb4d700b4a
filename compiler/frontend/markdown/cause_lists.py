"""Lists of possible causes, each with the commands that tell it apart: one decision among them.

"The spike of `pg_txid_xmin_age` can be caused by one of the following 3 reasons:" followed
by a numbered list ("1. AutoANALYZE on one of large tables" + a query, "1. A long-running
transaction on the primary" + a query, ...) asks the reader to find which cause it is from
what the queries show. `cause_choices(group)` appends to each such list intro a last sub-step
"Decide which of these causes it is: A, B or C." (the lowering makes it an `llm.decide` whose
outcomes are the causes, over the outputs of the step's commands and queries).

Only an intro that names causes or reasons among several ("caused by one of the following",
"the following possible causes", "several possible reasons") and ends with ':' counts, and
only when the listed items run something: a list of reasons to read ("Here are several
possible reasons why your pod is stuck:" + explanations) is background, not a choice.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.step_model import Step
from skc.compiler.frontend.markdown.thresholds import own_steps

_CAUSES = re.compile(r"\b(?:(?:caused|explained)\s+by\s+(?:one\s+(?:or\s+more\s+)?of\s+)?(?:the\s+following|these)|"
                     r"(?:following|several|many|multiple|these|\d+)\s+(?:possible\s+|common\s+|likely\s+)?"
                     r"(?:causes|reasons|root\s+causes))\b[^.]*:\s*\Z", re.I)


def _label(item: Step) -> str:
    first = prose.sentences(prose.clean(item.text))
    text = re.sub(r"[`*]", "", first[0][1] if first else "").rstrip(" .:")
    return " ".join(text.split()[:6])


def _distinct(labels: list[str]) -> list[str]:
    """The labels as outcomes that differ: "A long-running transaction on the primary" and "...
    on a standby" become "the primary" and "a standby" (what sets each apart from the others)."""
    def shared(a: list[str], b: list[str]) -> int:
        n = 0
        while n < min(len(a), len(b)) and a[n].lower() == b[n].lower():
            n += 1
        return n
    words = [x.split() for x in labels]
    out = []
    for i, w in enumerate(words):
        cut = max((shared(w, v) for j, v in enumerate(words) if j != i), default=0)
        out.append(" ".join(w[cut:]) if 0 < cut < len(w) else " ".join(w))
    return out


def cause_choices(group: Step) -> None:
    """Appends the choice among listed causes to each intro of `group` that lists them (see the
    module docstring)."""
    for s in own_steps(group):
        if len(s.children) < 2 or s.condition is not None or not _CAUSES.search(prose.clean(s.text)):
            continue
        items = [c for c in s.children if c.condition is None]
        if len(items) < 2 or not any(d.snippets for c in items for d in c.walk()):
            continue
        labels = [x for x in (_label(c) for c in items) if x]
        if len(labels) < 2 or any(c.label == f"{s.label}.cause" for c in s.children):
            continue
        choice = Step(f"{s.label}.cause", f"Decide which of these causes it is: {'; '.join(labels[:-1])} or "
                      f"{labels[-1]}.", s.loc, options=_distinct(labels))
        s.children.append(choice)
