"""Bare upper-case names the prose says to replace: "replace LATEST with version, say,
`4.4.0-89`", "replace `XXX` in the filename with issue number like `production-1234`".

A command written with a literal upper-case word (`grep -v 'LATEST'`,
`tee -a issue_XXX_sampling.csv`) runs that word as written unless the document says it
stands for a value. Where the prose says "replace X (in ...) with ...", `X` is a
placeholder: `mark_replaced(doc, steps)` rewrites it in the steps' shell commands as `<x>`
(`${X}` where it is glued to a word: `issue_${XXX}_sampling.csv`), so
it becomes a workflow input like any other spelling (bound by `-i x=...`). An upper-case
word no sentence asks to replace (`SIGKILL`, `ERROR`) stays literal, unless it is written as a
placeholder (`find FS_PATH -xdev`: see `bare_placeholders`).
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.bare_placeholders import bare_names
from skc.compiler.frontend.markdown.document import Document
from skc.compiler.frontend.markdown.step_model import Step

_REPLACE = re.compile(r"\b[Rr]eplac(?:e|ing)\s+`?(?P<name>[A-Z][A-Z0-9_]{1,30})`?(?:\s+in\s+(?:the\s+)?[\w-]+(?:\s+name)?)?"
                      r"\s+(?:with|by)\b")


def replaced_names(doc: Document) -> set[str]:
    """The upper-case names the document's prose asks to replace (outside code blocks)."""
    out: set[str] = set()
    if not any("eplac" in line for line in doc.lines):
        return out  # most documents: one substring scan
    fenced = False
    for line in doc.lines:
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if not fenced:
            out.update(m.group("name") for m in _REPLACE.finditer(line))
    return out


def mark_replaced(doc: Document, steps: list[Step]) -> None:
    """Rewrites each name of `replaced_names` in the steps' commands as a `<name>` placeholder."""
    names = replaced_names(doc)
    word = re.compile(r"(?<![A-Za-z0-9$<{])(" + "|".join(re.escape(n) for n in sorted(names)) + r")(?![A-Za-z0-9>}])") \
        if names else None
    for top in steps:
        for s in top.walk():
            for sn in s.snippets:
                if sn.kind != "shell":
                    continue
                if word is not None:
                    sn.text = word.sub(_spelled, sn.text)
                for name in sorted(bare_names(sn.text)):  # `find FS_PATH -xdev`: see `bare_placeholders`
                    sn.text = re.sub(rf"(?<![\w$<{{]){name}(?![\w>}}])", f"<{name.lower()}>", sn.text)


def _spelled(m: re.Match[str]) -> str:
    """`<latest>`; `${XXX}` inside a word (`issue_XXX_x.csv`), where `<x>` would not read as one."""
    glued = m.start() > 0 and (m.string[m.start() - 1].isalnum() or m.string[m.start() - 1] == "_")
    return f"${{{m.group(1)}}}" if glued else f"<{m.group(1).lower()}>"
