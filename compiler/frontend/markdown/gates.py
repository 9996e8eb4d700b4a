"""Sections gated by the verdict they open with.

"## Accept Data Loss / If the nodes that contain the latest changes are gone for good,
recovering the data is not possible. In order to return the repository in to writable
state, data loss can be manually accepted. To do so: 1. ... 2. ...": the opening "if"
states no action of its own; its verdict (the data cannot be recovered) is why the
section's steps exist, so they run only when the condition holds. `gate_section(group)`
moves such an opening condition onto the section's step (as a heading condition "If X"
would be), so the lowering makes one decision that guards the whole section.

Only a verdict counts: something is not possible, cannot be recovered or restored, is
lost or gone, there is no way to ...; a condition whose action tells the reader what to
do is an ordinary condition step, and a remark (`remarks.py`) gates nothing.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.step_model import Step

_VERDICT = re.compile(r"\b(?:(?:is|are|becomes?)\s+(?:not\s+possible|impossible|(?:permanently\s+)?lost|gone|"
                      r"unrecoverable)|can(?:not|'t|\s+not)\s+be\s+(?:recovered|restored|repaired|saved|retrieved)|"
                      r"there\s+is\s+no\s+way\s+to|no\s+longer\s+possible)\b", re.I)


def gate_section(group: Step) -> None:
    """Gives `group` (a section's step) the condition its first paragraph opens with, when
    that condition only states a verdict (see the module docstring)."""
    if group.condition is not None or not group.children:
        return
    first = group.children[0]
    if first.condition is not None or first.snippets:
        return
    parts = prose.sentences(first.text)
    if len(parts) < 2:
        return  # the verdict alone: nothing in the section to gate but itself
    offset, sentence = parts[0]
    cond = prose.parse_condition(sentence)
    if cond is None or cond.keyword != "if" or cond.header or not _VERDICT.search(cond.action) \
            or prose.is_instruction(cond.action):
        return
    group.condition = prose.Condition(cond.cond, "", cond.negated, "if", header=True)
    first.text = first.text[offset + len(sentence):].strip()
