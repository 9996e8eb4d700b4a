"""Tables that say what an observed value means: match the output against them.

"The following HTTP status codes might indicate the listed issues." + `| HTTP status code |
Issue | Example |`, "Use the following table to match the diagnostic message in the error to
the likely cause" + `| Message pattern | Likely cause | Next step |`: a table whose first
column is something a command shows (a status or return code, an error, a message, a
pattern, an exit code) and another column what it means (issue, cause, meaning,
description) asks the reader to find the row the output matches. `meaning_checks(group,
blocks)` appends to a section step whose own steps run commands a last sub-step "Decide which
of these the output shows: A; B; ..." (the lowering makes it an `llm.decide` whose outcomes
are the rows' values, over the outputs of the section's commands).

A table of symptoms and descriptions in a section that runs nothing is background; a table
whose first column is not an observed value ("Option | kubectl command") is no lookup, and
neither is one whose rows hold commands (each row is a step: which row applies is not what
its commands would show).
"""

from __future__ import annotations

import re

from skc.compiler.frontend.common.commands import looks_like_command
from skc.compiler.frontend.markdown.document import Block
from skc.compiler.frontend.markdown.step_model import Step
from skc.compiler.frontend.markdown.thresholds import own_steps

_OBSERVED = re.compile(r"\b(?:status(?:\s+code)?|(?:return|exit|response|error|http)\s+codes?|code|errors?|"
                       r"messages?(?:\s+pattern)?|patterns?|output|signal|reason)\s*$", re.I)
_MEANING = re.compile(r"\b(?:issues?|(?:likely\s+|possible\s+|root\s+)?causes?|meaning|means|description|explanation|"
                      r"problem|diagnosis|interpretation)\b", re.I)
_MAX_ROWS = 30


def _keys(table: Block) -> list[str]:
    """The values of the first column of a lookup table ([] when `table` is no such table)."""
    if not table.rows or len(table.rows) < 3 or len(table.rows) > _MAX_ROWS + 1 or \
            any(looks_like_command(sp.text) for row in table.row_spans for sp in row):
        return []  # rows that run commands are steps of their own (`step_rules.table_steps`)
    head = table.rows[0]
    if len(head) < 2 or not _OBSERVED.search(head[0].replace("*", "")) or \
            not any(_MEANING.search(h) for h in head[1:]):
        return []
    keys = [re.sub(r"[`*]", "", r[0]).strip() for r in table.rows[1:] if r and r[0].strip()]
    return keys if len(keys) >= 2 and all(len(k.split()) <= 8 for k in keys) else []


def meaning_checks(group: Step, blocks: list[Block]) -> None:
    """Appends the lookup of each meaning table in `blocks` to `group` when its steps run
    commands (see the module docstring)."""
    if not any(s.snippets for s in own_steps(group)):
        return
    for n, table in enumerate((b for b in blocks if b.kind == "table"), 1):
        keys = _keys(table)
        if not keys or any(c.label == f"{group.label}.lookup{n}" for c in group.children):
            continue
        group.children.append(Step(f"{group.label}.lookup{n}", f"Decide which of these the output shows: "
                                   f"{'; '.join(keys)}.", group.loc, options=keys))
