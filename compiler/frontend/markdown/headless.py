"""The top-level steps of a document without headings: its premise and its notes are no steps.

A troubleshooting article without headings is read paragraph by paragraph, so each
paragraph that acts becomes a top-level step. Two kinds of paragraph are not steps of
the procedure there:

- the *premise*: "If a pod has a `CrashLoopBackOff` status, then the pod probably failed
  or exited unexpectedly, and the log contains an exit code that isn't zero." restates the
  situation the reader is in and what it means. Nothing has run yet, so there is nothing to
  judge, and it says nothing to do: it is the introduction, which a document with headings
  keeps out of its steps as well (`steps._Extractor.run`: a preamble without commands is no
  step). Leading conditions whose action only states a meaning (no instruction, code, jump,
  exit or nested step) are dropped;
- a *note* (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]` ...) annotates the step before it ("A pod
  can also have this status if ... For example:" + a console session): it becomes a nested
  step of that step (its commands are kept), not a step of its own.

`headless_steps(steps)` applies both and numbers the top-level steps from 1 again (their
labels are the extractor's own count when no step comes from a numbered list: then they
are renumbered, otherwise left as written).
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.step_model import Step, rename_prefix

_NOTE = re.compile(r"^\s*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.I)


def _premise(step: Step) -> bool:
    c = step.condition
    if c is None or not c.action or step.snippets or step.children or step.otherwise or step.goto is not None \
            or step.exit:
        return False
    action = prose.clean(c.action)
    return not (prose.is_instruction(action) or prose.modal(action) or action.endswith(":"))


def headless_steps(steps: list[Step]) -> list[Step]:
    """`steps` without their premise, with notes nested (see the module docstring)."""
    if any(s.ordered or not s.label.isdigit() for s in steps):
        return steps
    k = 0
    while k < len(steps) and _premise(steps[k]):
        k += 1
    out: list[Step] = []
    for s in steps[k:]:
        if out and _NOTE.match(s.text) and s.condition is None:
            out[-1].children.append(s)
        else:
            out.append(s)
    if len(out) == len(steps):
        return steps
    for n, s in enumerate(out, 1):
        rename_prefix([s], s.label, str(n))
    for s in out:
        for i, c in enumerate(c for c in s.children if not c.label.startswith(s.label + ".")):
            rename_prefix([c], c.label, f"{s.label}.note{i + 1}")
    return out
