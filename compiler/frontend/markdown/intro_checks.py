"""Checks written as the lead-in of their own command: "Verify if there is an error in
`config-reloader` container logs." + ```kubectl logs sts/alertmanager-main -c config-reloader```.

The sentence that introduces a command often says what to judge in its output; as the
command's lead-in it is not compiled on its own, so the judgement would be lost.
`intro_checks(group)` appends to each step that runs code a sub-step "Check whether
<fact>." for each such sentence (the lowering makes it an `llm.decide` over the outputs
of the step's commands and queries).

"Check if / verify if / see if X" (also with what to check in between: "Check health of
master nodes if any of them is in `NotReady` state or not.") is a judgement only when X is
about what the command shows: the fact (or what to check) must name a word of the step's
own commands ("config-reloader", "logs", "etcdctl") or an observable ("output", "error",
"status", "logs"), unless a purpose clause says the command is run to find it out ("To
check if volume expansion is available, run this ...", "To confirm this is the cause of the
slow requests either:" + the ways to see it); a purpose with no "if/whether/that" must state
a fact ("To check network policy, run ..." names none). "Check if you have access, then
run ..." or "see if the docs mention it" name neither and stay lead-ins.
"Check whether X:" / "Verify that X:" as a lead-in is how a listed step names itself
(the hand-checked corpus counts no decision there); `heading_checks.item_checks` judges
it when the item holds nested steps.
"""

from __future__ import annotations

import re

from skc.compiler.caseless import Lowered
from skc.compiler.frontend.markdown import prose, remarks
from skc.compiler.frontend.markdown.step_model import Step
from skc.compiler.frontend.markdown.thresholds import own_steps

_CHECK = re.compile(r"(?:^|[,;]\s*|\band\s+)(?:please\s+)?(?:(?:check|verify|see|determine|find\s+out|confirm|validate)\s+"
                    r"|(?:check|verify|validate|inspect)\s+(?P<object>(?:(?:the\s+)?[\w`'\"/-]+\s+){1,4}?))"  # "Check health of X if ..."
                    r"if\s+(?P<fact>[^.;:!?]+)", re.I)
_PURPOSE = re.compile(r"^(?:in\s+order\s+)?to\s+(?:check|verify|see|determine|find\s+out|confirm|validate|make\s+sure|"
                      r"ensure|rule\s+out)\s+(?P<that>(?:if|whether|that)\s+)?(?P<fact>[^,.;:!?]+)", re.I)
_CLAUSE = re.compile(r"\b(?:is|are|was|were|has|have|had|exists?|works?|holds?|runs?|returns?)\b", re.I)
_TAIL = re.compile(r"\s+(?:either|by\s+(?:using|running|checking)\b.*|(?:run|use|execute|try)\s+(?:this|the|these|one)\b.*)\Z",
                   re.I)  # "... either:", "... by using the following search", "... run this command"
_CUE = Lowered(re.compile(r"\b(?:if|whether)\b|^\s*(?:in\s+order\s+)?to\s+(?:confirm|verify|validate|check|make\s+sure|ensure|"
                          r"rule\s+out|determine)\b", re.I))  # one search rejects most steps
_OBSERVABLE = re.compile(r"\b(?:output|outputs|errors?|status|logs?|exit\s+code|response|result|results|returns?|"
                         r"lists?|shows?|reports?|(?:exits?|exited|completes?|completed|finishe[sd]|runs?|ran)\s+"
                         r"(?:successfully|cleanly|without\s+errors?|with(?:out)?\s+(?:an?\s+)?errors?)|succeed(?:s|ed)?|"
                         r"fail(?:s|ed)?)\b", re.I)  # "see if it exits successfully": the run's own outcome
_STOP = {"the", "and", "for", "that", "this", "with", "there", "are", "any", "all", "from", "into", "have", "has",
         "not", "can", "will", "your", "you", "its", "their", "was", "were", "been", "being", "which", "what"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z0-9_-]{2,}", text.lower()) if w not in _STOP}


def _parts(command: str) -> set[str]:
    """The parts of a command's hyphenated names ("alertmanager-main" -> alertmanager, main);
    not of its options (`--access-token`), whose parts name no object the output shows."""
    names = re.findall(r"(?<![\w-])[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+", command.lower())
    return {p for n in names for p in re.split(r"[-_]", n) if len(p) >= 3 and p not in _STOP}


def checked_facts(sentence: str, commands: list[str]) -> list[str]:
    """The facts "check if <fact>" asks of the output of `commands` (see the module docstring)."""
    words = _words(" ".join(commands)) | _parts(" ".join(commands))
    purpose = _PURPOSE.match(prose.clean(sentence))
    if purpose is not None:  # the sentence says what the command is run for: no need to name it
        fact = _TAIL.sub("", re.sub(r"\s+or\s+not\Z", "", purpose.group("fact").strip()))
        if re.match(r"(?:which|what|how|where|who|when)\b", fact, re.I):
            return []  # "To check which node the pod is hosted in": a value to read, no yes/no
        return [fact] if purpose.group("that") or _CLAUSE.search(fact) else []  # "To check network policy": none
    out = []
    for m in _CHECK.finditer(prose.clean(sentence)):
        fact = m.group("fact").strip().rstrip(",")
        fact = re.split(r",\s*(?:then|and then|and)\s+|\s+-\s+", fact, maxsplit=1)[0]  # "if X, then do Y": X only
        fact = re.sub(r"\s+or\s+not\Z", "", fact)  # "if any of them is NotReady or not"
        if _words(f"{m.group('object') or ''} {fact}") & words or _OBSERVABLE.search(fact):
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
