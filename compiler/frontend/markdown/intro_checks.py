"""Checks written as the lead-in of their own command: "Verify if there is an error in
`config-reloader` container logs." + ```kubectl logs sts/alertmanager-main -c config-reloader```.

The sentence that introduces a command often says what to judge in its output; as the
command's lead-in it is not compiled on its own, so the judgement would be lost.
`intro_checks(group)` appends to each step that runs code a sub-step "Check whether
<fact>." for each such sentence (the lowering makes it an `llm.decide` over the outputs
of the step's commands and queries).

"Check if / verify if / see if X" is a judgement only when X is about what the command
shows: the fact must name a word of the step's own commands ("config-reloader", "logs",
"etcdctl") or an observable ("output", "error", "status", "logs"). "Check if you have
access, then run ..." or "see if the docs mention it" name neither and stay lead-ins.
"Check whether X:" / "Verify that X:" as a lead-in is how a listed step names itself
(the hand-checked corpus counts no decision there); `heading_checks.item_checks` judges
it when the item holds nested steps.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown import prose, remarks
from skc.compiler.frontend.markdown.step_model import Step
from skc.compiler.frontend.markdown.thresholds import own_steps

_CHECK = re.compile(r"(?:^|[,;]\s*|\band\s+)(?:please\s+)?(?:check|verify|see|determine|find\s+out|confirm|validate)"
                    r"\s+if\s+(?P<fact>[^.;:!?]+)", re.I)
_CUE = re.compile(r"\bif\b", re.I)  # one search rejects most steps
_OBSERVABLE = re.compile(r"\b(?:output|outputs|errors?|status|logs?|exit\s+code|response|result|results|returns?|"
                         r"lists?|shows?|reports?|(?:exits?|exited|completes?|completed|finishe[sd]|runs?|ran)\s+"
                         r"(?:successfully|cleanly|without\s+errors?|with(?:out)?\s+(?:an?\s+)?errors?)|succeed(?:s|ed)?|"
                         r"fail(?:s|ed)?)\b", re.I)  # "see if it exits successfully": the run's own outcome
_STOP = {"the", "and", "for", "that", "this", "with", "there", "are", "any", "all", "from", "into", "have", "has",
         "not", "can", "will", "your", "you", "its", "their", "was", "were", "been", "being", "which", "what"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9_-]{2,}", text.lower()) if w not in _STOP}


def checked_facts(sentence: str, commands: list[str]) -> list[str]:
    """The facts "check if <fact>" asks of the output of `commands` (see the module docstring)."""
    words = _words(" ".join(commands))
    out = []
    for m in _CHECK.finditer(prose.clean(sentence)):
        fact = m.group("fact").strip().rstrip(",")
        fact = re.split(r",\s*(?:then|and then|and)\s+|\s+-\s+", fact, maxsplit=1)[0]  # "if X, then do Y": X only
        if _words(fact) & words or _OBSERVABLE.search(fact):
            out.append(fact)
    return out


def intro_checks(group: Step) -> None:
    """Appends "Check whether <fact>." to each step of `group` whose lead-in asks to check
    something its commands show (see the module docstring)."""
    for s in own_steps(group):
        if not s.snippets or s.condition is not None or _CUE.search(s.text) is None:
            continue
        commands = [sn.text for sn in s.snippets]
        for _, sentence in prose.sentences(s.text):
            for fact in checked_facts(sentence, commands):
                if any(d.condition is not None and remarks.same_fact(d.condition.cond, fact) for d in s.walk()):
                    continue  # "Check if X. If X, ...": the condition decides it
                if any(c.text == f"Check whether {fact}." for c in s.children):
                    continue
                s.children.append(Step(f"{s.label}.check{len(s.children) + 1}", f"Check whether {fact}.", s.loc))
