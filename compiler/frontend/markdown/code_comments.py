"""Judgements written as comments inside a code block: `# if down:` above `gitlab-runner start`.

Runbooks often put the condition for a command in the comment right above it, in the block:

    gitlab-runner.exe status
    # if down:
    gitlab-runner.exe start

    # Clean out temporary dirs, **only if the prometheus container is indeed not running**
    rm -rf /prometheus/*.tmp

    # As a last resort, delete some WAL. This will cause data loss ...
    rm -rf /prometheus/wal/*

Such a command runs only when the condition holds, judged on what the commands before it
showed. `comment_gates(group, lines)` splits each step of `group` whose block has such a
comment: the commands before the first gated one stay in the step; each gated command (with
the commands under the same comment) becomes a condition sub-step, and the commands after it
a plain sub-step, in block order (the lowering makes each condition an `llm.decide` over the
outputs of the commands before it).

A comment gates when its first sentence opens with a condition ("if down:", "If the package
already exists in the repo, find the name ...", "Alternatively, if you only have the IDs"),
restricts its action ("Clean out temporary dirs, only if X", "... unless X"), or calls the
command a last resort. A comment that only describes ("Profile PID 1234 when it is on-CPU",
"this may fail if shards are not placed ...") or a condition later in the comment ("Get a
shell ... If prometheus is down, you can use thanos-sidecar:") gates nothing.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.rules import Rule, Rules
from skc.compiler.frontend.markdown.snippets import Snippet
from skc.compiler.frontend.markdown.step_model import Step
from skc.compiler.frontend.markdown.thresholds import own_steps

_LAST_RESORT = "the steps before did not resolve the problem"


def _leading(m: re.Match[str]) -> prose.Condition | None:
    cond = prose.parse_condition(m.group("text"))
    return cond if cond is not None and cond.keyword in ("if", "when", "unless") else None


def _restricted(m: re.Match[str]) -> prose.Condition | None:
    action = m.group("action").rstrip(" ,;-–")
    if not (prose.is_instruction(action) or prose.modal(action)):
        return None
    return prose.Condition(m.group("cond").rstrip(" .:"), action + ".", m.group("kw").lower() == "unless",
                           "if")


# How a comment gates the command under it: the first row that builds a condition wins.
GATES: Rules[prose.Condition] = Rules(
    Rule(re.compile(r"^(?:alternatively,?\s+)?(?P<text>(?:if|when|unless|in\s+case)\s.+)\Z", re.I | re.S),
         _leading),  # "if down:", "If the package already exists, remove it"
    Rule(re.compile(r"^(?P<action>.+?),?\s+(?:but\s+)?only\s+(?P<kw>if|when)\s+(?P<cond>[^,;]{4,})\Z", re.I | re.S),
         _restricted),  # "Clean out temporary dirs, only if X"
    Rule(re.compile(r"^(?P<action>.+?),?\s+(?P<kw>unless)\s+(?P<cond>[^,;]{4,})\Z", re.I | re.S),
         _restricted),  # "Restart it, unless X"
    Rule(re.compile(r"^as\s+an?\s+(?:last|final)\s+resort\b[,:]?\s*(?P<action>.*)\Z", re.I | re.S),
         lambda m: prose.Condition(_LAST_RESORT, m.group("action").strip(), False, "if")),  # "As a last resort, delete"
)


def gate(comment: str) -> prose.Condition | None:
    """The condition a comment puts on the command under it, or None (see the module docstring)."""
    text = prose.clean(re.sub(r"[*_`]", "", comment))
    parts = prose.sentences(text)
    return GATES.first(parts[0][1]) if parts else None


def comment_above(lines: list[str], sn: Snippet) -> str:
    """The comment lines right above a command of a code block, joined ("" if none)."""
    if not sn.block:
        return ""
    out: list[str] = []
    k = sn.loc.line - 1  # 1-based line of the command -> index of the line above it
    while k >= sn.block:
        line = lines[k - 1].strip().lstrip(">").strip()
        if not line.startswith("#") or line.startswith("#!"):
            break
        out.insert(0, line.lstrip("#").strip())
        k -= 1
    return " ".join(w for w in out if w)


def comment_gates(group: Step, lines: list[str]) -> None:
    """Splits the steps of `group` at the commands a comment gates (see the module docstring)."""
    for s in own_steps(group):
        if len(s.snippets) < 2 or s.condition is not None or not any(sn.block for sn in s.snippets):
            continue
        marks = [(i, comment_above(lines, sn)) for i, sn in enumerate(s.snippets)]
        gates = [(i, c, g) for i, c in marks if i > 0 and c and (g := gate(c)) is not None]
        if not gates:
            continue
        commented = {i for i, c in marks if c} | {i for i, sn in enumerate(s.snippets) if _blank_above(lines, sn)}
        snippets, parts = s.snippets, []
        s.snippets = snippets[:gates[0][0]]
        for n, (i, comment, cond) in enumerate(gates):
            end = next((j for j in range(i + 1, len(snippets)) if j in commented), len(snippets))
            stop = gates[n + 1][0] if n + 1 < len(gates) else len(snippets)
            parts.append(Step("", comment, snippets[i].loc, snippets=snippets[i:end], condition=cond))
            if end < stop:
                parts.append(Step("", marks[end][1], snippets[end].loc, snippets=snippets[end:stop]))
        for k, p in enumerate(parts, 1):
            p.label = f"{s.label}.c{k}"
        s.children[:0] = parts


def _blank_above(lines: list[str], sn: Snippet) -> bool:
    return bool(sn.block) and sn.loc.line - 1 >= sn.block and not lines[sn.loc.line - 2].strip().lstrip(">").strip()
