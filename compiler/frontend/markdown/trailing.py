"""Conditions written after their action: "Proceed with the recovery steps if it is not decreasing".

`prose.parse_condition` reads a condition that opens its sentence ("If X, Y").
Runbooks as often put it last: "Restart the pod if it is stuck in Pending", "proceed with
the following manual recovery steps if it is not decreasing after some time has passed".
`trailing_condition(sentence)` reads that form as the same `prose.Condition` (action
first, condition after `if`/`when`/`unless`/`in case`), so the action runs only when the
condition holds, instead of always. Only an instruction counts (the sentence tells the
reader to act); a vague condition ("if needed", "if necessary", "if you want") is no branch,
and neither is an "if" inside parentheses or code, or one that opens a clause of several
("if and only if", "if any"), nor a concession ("You can still use X when Y"). `concluded_then_acts` carries "If X, this is Y. You need
to Z." into one condition whose action is Z, and `then_continues` "If X, do Y. Then, do Z."
into one whose action is Y then Z; `supposed_condition` reads "Suppose X." as a condition
heading the sentences after it; `case_condition` reads "In case of maintenance ensure to
cordon and drain node" (a noun phrase, no comma); `option_condition` reads an option offered
in the second person and then "Otherwise, <instruction>" ("You may be able to solve the
problem by increasing size of the storage volume. Otherwise, determine the application ...")
as whether the option does it, its otherwise-step the instruction.
"""

from __future__ import annotations

import re

from skc.compiler.caseless import Lowered
from skc.compiler.frontend.markdown import prose
from skc.compiler.frontend.markdown.step_model import Step

_TRAILING = Lowered(re.compile(r"(?P<kw>\bif\b|\bwhen\b|\bunless\b|\bin case\b)\s+(?P<cond>[^,;:]{6,}?)[.!]?\s*\Z", re.I))
_VAGUE = re.compile(r"(?:needed|necessary|required|possible|applicable|any\b|appropriate|desired|so\b|in doubt|unsure|"
                    r"available|and only if|you (?:want|like|wish|need|prefer|have to|can)|we (?:want|need)|"
                    r"it is (?:safe|possible|needed|necessary)|there is (?:a|an) need|not sure|in use|useful)", re.I)
_STILL = re.compile(r"\b(?:can|could|may|might)\s+still\b|\bstill\s+(?:can|works?|applies)\b", re.I)  # a concession
_LEAD = re.compile(r"^(?:even so|if not|otherwise|also|then|and|finally|next)[,]?\s+", re.I)


def trailing_condition(sentence: str) -> prose.Condition | None:
    """The condition an instruction ends with, or None (see the module docstring)."""
    t = prose.clean(sentence)
    m = _TRAILING.search(t)
    if m is None or m.start() < 12:
        return None
    action, cond = t[:m.start()].rstrip(" ,"), m.group("cond").strip()
    before = t[:m.start()]
    if before.count("(") > before.count(")") or before.count("`") % 2 or _VAGUE.match(cond):
        return None
    main = _LEAD.sub("", action)
    if _STILL.search(main) or not (prose.is_instruction(main) or prose.modal(main)):
        return None
    kw = m.group("kw").lower()
    return prose.Condition(cond.rstrip(" .:"), main + ".", kw == "unless", "if" if kw == "in case" else kw)


_OPTION = re.compile(r"^(?:you|we)\s+(?:may|might|can|could)\s+(?:also\s+)?(?:be\s+able\s+to\s+)?(?P<what>.+)\Z", re.I)
_OTHERWISE = re.compile(r"^(?:otherwise|else)[,:]?\s+", re.I)


def option_condition(option: str, otherwise: str) -> prose.Condition | None:
    """ "You may be able to X by Y." followed by "Otherwise, Z.": the option's sentence as a
    condition (whether it does it) whose action is itself; None unless the option is offered
    to the reader and the otherwise-sentence tells them what to do ("Otherwise, the capture
    might miss traffic" is a consequence)."""
    m = _OPTION.match(prose.clean(option))
    rest = _OTHERWISE.sub("", prose.clean(otherwise), count=1)
    if m is None or rest == prose.clean(otherwise) or not prose.is_instruction(rest):
        return None
    what = m.group("what").rstrip(" .")
    return prose.Condition(f"you can {what}", prose.clean(option), keyword="if")


def concluded_then_acts(cond_step: Step, sentence: str) -> bool:
    """ "If some workers can reach postgres but others cannot, this is likely a Microsoft issue.
    You will need to contact Microsoft support.": a condition whose own action only concludes
    goes on with the next sentence when that one tells the reader what to do (in the second
    person), so the instruction is taken only when the condition holds."""
    c = cond_step.condition
    if c is None or not c.action or cond_step.snippets or " " not in c.action.strip():
        return False
    own = prose.clean(c.action)
    return not (prose.is_instruction(own) or prose.modal(own)) and len(prose.sentences(own)) == 1 and \
        prose.modal(sentence)


_THEN = re.compile(r"^(?:then|after\s+that|afterwards|next)\b[,]?\s+\S", re.I)


def then_continues(cond_step: Step, sentence: str) -> bool:
    """ "If these remedies don't resolve the issue, analyze the process that does heavy I/O. Then,
    check whether you can move it to a data disk.": a sentence that goes on with "Then" after a
    condition whose action is an instruction is the next part of that action (done only when the
    condition holds), not a step of its own."""
    c = cond_step.condition
    if c is None or not c.action or cond_step.goto is not None or cond_step.exit or not _THEN.match(prose.clean(sentence)):
        return False
    own = prose.clean(c.action)
    return prose.is_instruction(own) or prose.modal(own)


_SUPPOSE = re.compile(r"^(?:for\s+example,?\s+)?(?:let'?s\s+)?suppos(?:e|ing)\s+(?:that\s+)?(?P<cond>[^.;:]{6,}?)[.:]?\Z",
                      re.I | re.S)


def supposed_condition(sentence: str) -> prose.Condition | None:
    """ "For example, suppose project ID 1000 appears to have many jobs, and you want to remove
    them.", "Suppose there are no signs of errors, and all metrics point to X.": the case the
    sentences after it handle ("In that case, we should ...", "In the console, you can run:"),
    as a condition that heads them (see `prose.Condition.header`); None for other sentences."""
    m = _SUPPOSE.match(prose.clean(sentence))
    if m is None:
        return None
    return prose.Condition(m.group("cond").strip().rstrip(","), "", False, "if", header=True)


_CASE_OF = re.compile(r"^(?:in\s+(?:the\s+)?case\s+of|in\s+the\s+event\s+of|on|during|for)\s+(?P<what>(?:an?\s+|the\s+)?"
                      r"[\w-]+(?:\s+[\w-]+){0,3}?),?\s+(?P<action>\w.*)\Z", re.I | re.S)


_IN_CASE_OF = re.compile(r"(?:in\s+(?:the\s+)?case\s+of|in\s+the\s+event\s+of)\b", re.I)


def case_condition(sentence: str) -> prose.Condition | None:
    """ "In case of maintenance ensure to cordon and drain node.": a condition named by a noun
    phrase, with or without a comma before the instruction (the shortest phrase after which the
    rest is an instruction); None for other sentences."""
    t = prose.clean(sentence)
    if not _IN_CASE_OF.match(t):
        return None
    words = t.split()
    lead = 3 if words[1].lower() == "case" else 4  # "in case of" / "in the case of", "in the event of"
    for k in range(lead + 1, min(len(words), lead + 13)):
        action = " ".join(words[k:])
        comma = words[k - 1].endswith(",")
        if (comma or words[k].lower() in _CASE_VERBS) and (prose.is_instruction(action) or prose.modal(action)):
            return prose.Condition(" ".join(words[lead:k]).rstrip(","), action, False, "if")
        if comma:
            return None
    return None


_CASE_VERBS = {"ensure", "make", "check", "run", "restart", "cordon", "drain", "contact", "page", "escalate", "open",
               "use", "verify", "follow", "stop", "start", "delete", "remove", "consider", "notify", "reboot", "call"}
