"""Prose analysis: which sentences are instructions, conditions, constraints.

Deterministic and table-driven (no model): an instruction starts with an
imperative verb (`Check`, `Run`, `Verify`, `Make sure`, ...) or with "you should"
and the like; a condition is "If/When/In case X, Y" (or "X? If so, Y"); the action
of a condition can be a jump, an early exit, an instruction, or a conclusion ("then
the reload worked"). "For each X, Y" names a per-item step (`for_each`); "extract the
run id from ..." names a value a command may use (`defines`).

What an instruction asks of a model (the llm op, its outcomes) is in `llm_kinds.py`;
prose that moves the procedure (jumps, exits, waits, parallel hints, step references)
in `flow.py`; which section titles describe and which name a procedure in
`section_titles.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from skc.compiler.frontend.markdown.literals import Screened

_VERBS = set("""
accept access acknowledge activate add address adjust allow analyse analyze announce apply approve archive ask assess assign
attach audit avoid back backup build bump call cancel capture change check choose clean clear click close
collect commit compare compile configure confirm connect consider contact continue convert copy cordon correct create
debug decide decrease define delete deploy describe design determine diagnose disable discard dispatch document
double download drain draft drop edit enable ensure escalate establish evaluate examine execute exit expand
explain explore export extract fail failover fetch file fill filter find finish fix flush follow force forward
gather generate get go grab grant grep halt handle identify ignore implement import include increase inform
inspect install investigate invoke isolate keep kill label launch list load locate lock log login look make
mark measure merge migrate modify monitor mount move navigate note notify number observe obtain open organize
outline page parse patch
pause perform pick pin prefer ping place plan poll post prepare present preview proceed produce promote propose
provide pull purchase push put query raise read reboot rebuild recheck reconfigure record recover redeploy reduce 
refresh reindex reload remove rename renew repair repeat replace reply report request rerun reset resize resolve respond restart
restore resume retry return revert review revoke rollback roll rotate run save scale scan schedule search
select send set setup share shut silence skip sort specify ssh start stop study submit summarise summarize
suspend switch sync take tail talk tell terminate test trace track trigger troubleshoot try turn type uncordon
undo uninstall unlock unmount update upgrade upload use validate verify view visit wait watch write
""".split())
LEADS = re.compile(r"(?:(?:first|then|next|finally|now|also|afterwards|optionally|again|please)[,:]?\s+)+", re.I)
_LEADS = Screened(LEADS)
_MODAL = re.compile(r"(?:(?:you|we|the (?:user|operator|engineer|on-?call|eoc))\s+(?:should|must|need to|have to|"
                    r"can|may want to|will need to|will want to|may need to|might need to|might want to)"
                    r"|you\s+could(?:\s+also)?)\s+(\w+)", re.I)  # "you could also rollback X": an option to take
_COND = re.compile(r"(?P<kw>if|when|whenever|in case|in the case that|should|unless|"
                   r"once(?=\s+(?:the\s+)?(?:[\w`-]+\s+){0,3}?(?:status|output|result|logs?|response)\s+"
                   r"(?:says|shows|reports|returns|lists|reads|displays|contains)\b))"  # "Once the PVC status says X, Y"
                   r"\s+(?P<rest>.+)\Z", re.I | re.S)
_THEN_SPLIT = re.compile(r",\s*(?:then\s+)?|\s+then\s+|\s+-+\s+|:\s+|\s+(?=(?:you|we)\s+(?:can|should|must|need|may|will)\b)",
                         re.I)


@dataclass(frozen=True)
class Condition:
    """"If <cond>, <action>": the two parts as written, and how the action reads."""

    cond: str
    action: str
    negated: bool = False
    keyword: str = "if"
    header: bool = False  # "If X:" heads what follows rather than carrying its own action


_CODE_SPAN = re.compile(r"`[^`]*`")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z`\"'(\[*_])|\n(?=\s*[-*•]\s)")


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; code spans never split a sentence."""
    return list(_sentences(text))


@lru_cache(maxsize=2048)  # a paragraph is split by several recognisers
def _sentences(text: str) -> tuple[tuple[int, str], ...]:
    masked = _CODE_SPAN.sub(lambda m: "`" + "x" * (len(m.group(0)) - 2) + "`", text) if "`" in text else text
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(masked):
        if text[start:m.start()].strip():
            out.append((start, text[start:m.start()].strip()))
        start = m.end()
    if text[start:].strip():
        out.append((start, text[start:].strip()))
    return tuple(out)


@lru_cache(maxsize=4096)  # asked ~8 times per sentence by the recognisers (243k calls, 31k texts on the corpus)
def clean(text: str) -> str:
    """`text` on one line with markdown leftovers trimmed (for prompts and matching)."""
    return " ".join(text.replace("**", "").split()).strip(" -*•")


def drop_lead(text: str) -> str:
    """`text` without its first run of lead words ("first, then ..."; `LEADS`)."""
    return _LEADS.sub_first(text)


_WORD = re.compile(r"[A-Za-z]+")


def first_verb(text: str) -> str:
    body = drop_lead(clean(text).lstrip("([\"'`"))
    m = _MODAL.match(body)
    if m:
        return m.group(1).lower()
    word = _WORD.match(body)
    return word.group(0).lower() if word else ""


def modal(text: str) -> bool:
    """ "you can check ...", "we should restart ...": an instruction in the second person."""
    return _MODAL.match(drop_lead(clean(text))) is not None


_QUESTION_VERB = re.compile(r"(?:do|does|is|are|can|did)\b", re.I)
_OTHERWISE = re.compile(r"otherwise,\s+", re.I)
_LOWER_WORDS = re.compile(r"[a-z']+")


@lru_cache(maxsize=8192)
def is_instruction(text: str) -> bool:
    """Whether a sentence tells the reader to do something."""
    t = clean(text)
    if not t or (t.endswith("?") and not _QUESTION_VERB.match(t)):
        return False
    if _DIRECT.match(t) or _PASSIVE.match(t) or _GERUND.match(t):
        return True
    purpose = PURPOSE.match(t) or _OTHERWISE.match(t)  # "Otherwise, determine the app ..."
    if purpose and len(t) > purpose.end():
        return is_instruction(t[purpose.end():])  # "To check X, look at the /targets page."
    verb = first_verb(t)
    if verb not in _VERBS:
        return False
    words = _LOWER_WORDS.findall(drop_lead(t.lower()))[:4]
    following = words[words.index(verb) + 1] if verb in words[:-1] else ""
    return following not in ("of", "is", "are", "was", "were", "can", "will", "may")  # "Number of pods is high"


# A purpose clause that leads a sentence ("To check X, ...", "Based on the output, ..."): not its verb.
PURPOSE = re.compile(r"(?:(?:in order |for\s+(?:[\w-]+\s+){1,4}?)?to|based on|using|given|from|with|after reviewing|looking at|"
                      r"according to|depending on)\s+[^,]{3,160}?(?:,\s*\d+[^,]{0,20})*,\s*", re.I)
_ACTION_DONE = (r"(?:terminated|deleted|removed|restarted|rebooted|replaced|drained|cordoned|scaled|increased|decreased|"
                r"resized|upgraded|rolled\s+back|recreated|killed|stopped|reverted|evicted)")
_PASSIVE = re.compile(r"(?:(?:once|then|after\s+that)[,]?\s+(?:[^,]{3,80},\s*)?)?(?:the|this|that|these|those)\s+[\w`.-]+"
                      r"(?:\s+[\w`.-]+){0,4}?\s+(?:should|must|needs?\s+to)\s+be\s+" + _ACTION_DONE + r"\b"
                      r"(?!\s+automatically)", re.I)  # "Once ... was resolved, the instance should be terminated."
_GERUND = re.compile(r"(?:deleting|removing|restarting|rebooting|recreating|killing|scaling|draining|evicting|"
                     r"rolling\s+back)\s+[^.]{3,80}?\s+(?:should|will|would)\s+(?:trigger|fix|resolve|solve|"
                     r"force|restore|recreate)\b", re.I)  # "Deleting an incorrect Endpoint should trigger its recreation"
_DIRECT = re.compile(r"(?:make sure|be sure|ensure|don't|do not|never|always|log ?in|sign in|double-check|set up)\b",
                     re.I)


_CONSTRAINT = re.compile(r"\s*(?:\*\*)?(?:do not|don't|never|always|avoid|must not|no\b)", re.I)


def is_constraint(text: str) -> bool:
    """A rule rather than a step ("Do not ...", "Never ...", "Always ...")."""
    return _CONSTRAINT.match(text) is not None


_SHOULD_CLAUSE = re.compile(r"should\s+\w+\s+\w+.*,")
_GUIDANCE = re.compile(r"(?:to|not to|you should|necessary|needed|appropriate|in doubt)\b", re.I)


def parse_condition(text: str) -> Condition | None:
    """"If X, Y" / "When X then Y" / "If X: Y" -> Condition; None for other sentences."""
    t = clean(text)
    m = _COND.match(t)
    if m is None or (m.group("kw").lower() == "should" and not _SHOULD_CLAUSE.match(m.group("rest"))):
        return None
    if _GUIDANCE.match(m.group("rest")):
        return None  # "When to stop", "If in doubt, ...": guidance, not a branch
    rest, kw = m.group("rest"), m.group("kw").lower()
    split = None
    for s in _THEN_SPLIT.finditer(rest):
        if s.start() > 2 and _outside_code(rest, s.start()) and _splits_clause(rest, s):
            split = split or s
            if _acts(rest[s.end():]):  # "If X, but Y, you can Z": the comma before the instruction
                split = s
                break
    if split is None:
        at = _verb_split(rest) if not t.rstrip().endswith(":") else None
        if at is not None:  # "If issue persists look into the node logs."
            return Condition(rest[:at].strip(), rest[at:].strip(), kw == "unless", kw, header=False)
        return Condition(rest.rstrip(" :."), "", kw == "unless", kw, header=True)
    header = split.group(0).strip() == ":"
    return Condition(rest[:split.start()].strip(), rest[split.end():].strip(), kw == "unless", kw, header)


def _verb_split(rest: str) -> int | None:
    """Where the action of a condition written without a comma starts: right after a clause
    that ends in a verb which takes no object ("issue persists", "this happens", "no value
    change is detected"), at an instruction ("look into the node logs"). Other comma-less
    conditions stay whole (in the corpus, a split at any instruction verb also cut run-on
    sentences: "... you have come to the right | place")."""
    for m in _CLAUSE_END.finditer(rest):
        tail = rest[m.end():]
        if m.start() == 0 or not _outside_code(rest, m.end()) or rest[:m.end()].count("(") > rest[:m.end()].count(")"):
            continue
        verb = _LOWER_WORDS.match(tail.lower())
        if verb is not None and verb.group() in _VERBS and not _TO.match(tail, verb.end()) and is_instruction(tail):
            return m.end()
    return None


_CLAUSE_END = re.compile(r"\b(?:persists?|continues?|happens?|occurs?|recurs|fails?|succeeds|works?"
                         r"|(?:is|are|was|were|been|gets?)\s+[a-z]+ed)\s+(?=[A-Za-z])", re.I)
_TO = re.compile(r"\s+to\b")
_DIGIT_GROUP = re.compile(r",\d")


def _splits_clause(rest: str, s: re.Match[str]) -> bool:
    """Whether a split point of a condition is outside parentheses and not a digit group ("10,000")."""
    before = rest[:s.start()]
    return before.count("(") <= before.count(")") and not _DIGIT_GROUP.match(rest, s.start(), s.start() + 2)


def _acts(action: str) -> bool:
    return is_instruction(action) or modal(action)


_NEGATIONS = {"no", "not", "never"}
_NEGATED = {"isn't": "is", "aren't": "are", "wasn't": "was", "weren't": "were", "doesn't": "", "don't": "",
            "didn't": "", "can't": "can", "cannot": "can", "won't": "will", "hasn't": "has", "haven't": "have"}
_FILLER = {"do", "does", "did", "any", "some"}


def _polarity(cond: str) -> tuple[tuple[str, ...], int]:
    """The words of a condition without negations and fillers (crudely stemmed), and how many
    negations it has: "there are no concerns" -> (("there", "are", "concern"), 1)."""
    words: list[str] = []
    negations = 0
    for w in re.findall(r"[a-z0-9_%.']+", clean(cond).lower().replace("`", "")):
        w = w.strip(".'")
        if w in _NEGATIONS or w in _NEGATED:
            negations += 1
            w = _NEGATED.get(w, "")
        if w and w not in _FILLER:
            words.append(w[:-1] if len(w) > 3 and w.endswith("s") else w)
    return tuple(words), negations


def negates(a: str, b: str) -> bool:
    """Whether condition `b` is the negation of `a` ("concerns" / "no concerns", "the output is
    empty" / "the output is not empty", "the user agrees" / "the user doesn't agree")."""
    wa, na = _polarity(a)
    wb, nb = _polarity(b)
    return bool(wa) and wa == wb and na % 2 != nb % 2


def _outside_code(text: str, pos: int) -> bool:
    return text.count("`", 0, pos) % 2 == 0


_COLLECTS = re.compile(r"^\W*(?:first,?\s+)?(?:collect|gather|get|obtain|note|identify|determine|find)\s+(?:the\s+|these\s+|"
                       r"following\s+)*(?:\w+\s+)?(?:parameters|inputs|values|details|information)\b", re.I)


def collects_parameters(text: str) -> bool:
    """ "Collect these parameters from the incident: {region}, {start_time}": the step names the
    workflow's inputs (bound by `-i` or the incident), it is no work of its own."""
    return _COLLECTS.match(clean(text)) is not None and re.search(r"[{<$]\w", text) is not None


_ELISION = re.compile(r"(?:snip(?:ped)?|cut|truncated|omitted|output\s+omitted|redacted|elided|trimmed|"
                      r"more(?:\s+\w+)?|etc|\.\.\.|…)", re.I)


def elision(name: str) -> bool:
    """Whether `<name>` marks text left out of a sample (`<snip>`, `<truncated>`, `<more chars>`),
    not a value to fill in."""
    return _ELISION.fullmatch(name.strip("<> ")) is not None


_OBSERVES = re.compile(r"\b(?:output|outputs|result|results|returns?|returned|shows?|prints?|lists?|"
                       r"you (?:(?:do\s*n[o']t|do not|did\s*n[o']t|did not)\s+)?(?:see|get|find|notice)|"
                       r"is (?:absent|present|missing|empty|listed)|command|query|response|status|exit code|"
                       r"logs? (?:says?|shows?|contains?)|above|below|threshold|\d+\s*%)", re.I)


_OBSERVES_SCREENED = Screened(_OBSERVES)


def observes(cond: str) -> bool:
    """Whether a condition checks something a step observed (its output, a status, a number)."""
    return _OBSERVES_SCREENED.search(cond) is not None


_ACT_WORDS = re.compile(r"\b(?:check|verify|ensure|look|investigate|consider|try|review|inspect|run|confirm|"
                        r"make sure|follow|do|perform|fix)\b", re.I)


_FOR_EACH = re.compile(
    r"for\s+(?:each|every)(?:\s+(?:one\s+)?of)?(?:\s+the)?\s+(?P<noun>(?:[\w-]+\s+){0,3}?[\w-]+?)"
    r"(?:\s+(?:in|from|listed|returned|shown|found|of|that|which|you|we)\b[^,:]*)?\s*(?:[,:]\s*(?P<rest>.*))?\Z",
    re.I | re.S)
_DEFINES = re.compile(r"\b(?:extract|get|find|take|read|note|determine|look up|copy|grab|parse)\s+"
                      r"(?:the\s+|its\s+|their\s+)?(?P<what>[A-Za-z][\w -]{0,38}?)\s+(?:from|of|in|out of)\b", re.I)


def for_each(text: str) -> tuple[str, str] | None:
    """("failing check", "extract the run id ...") for "For each failing check, extract the run
    id ...": the noun of a per-item step and what to do with each (empty for "For each task:")."""
    m = _FOR_EACH.match(clean(text))
    if m is None:
        return None
    return m.group("noun").lower(), (m.group("rest") or "").strip()


def mentions(text: str, noun: str) -> bool:
    """Whether `text` names the head of `noun`, singular or plural ("check" in `gh pr checks`)."""
    head = noun.split()[-1].lower()
    if head.endswith("y"):
        forms = rf"{re.escape(head[:-1])}(?:y|ies)"
    else:
        stem = head[:-1] if head.endswith("s") and not head.endswith("ss") else head
        forms = rf"{re.escape(stem)}(?:s|es)?"
    return re.search(rf"(?<![\w-]){forms}(?![\w-])", text, re.I) is not None


def defines(text: str) -> list[tuple[str, str]]:
    """(name, clause) for each "extract the run id from ..." in `text`: the clause names a
    value ("run id") a later command may use as a variable (`<run_id>`)."""
    out = []
    for m in _DEFINES.finditer(text):
        clause = re.split(r"\s+(?:and|then)\s+|[,;:]\s", text[m.start():], maxsplit=1)[0].rstrip(" .:")
        out.append((m.group("what"), clause[:1].upper() + clause[1:]))
    return out


def asks_to_act(text: str) -> bool:
    """Whether a lead-in asks the reader to act on what follows ("Other things to check:")."""
    return _ACT_WORDS.search(text) is not None


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", clean(text).lower().replace("`", ""))
    return "_".join(words[:5])
