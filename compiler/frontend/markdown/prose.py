"""Prose analysis: which sentences are instructions, conditions, jumps, exits or hints.

Deterministic and table-driven (no model): an instruction starts with an
imperative verb (`Check`, `Run`, `Verify`, `Make sure`, ...) or with "you should"
and the like; a condition is "If/When/In case X, Y" (or "X? If so, Y"); the action
of a condition can be a jump ("go to step 5", "skip to step 3"), an early exit
("stop here", "escalate to ...", "no further action is needed"), an instruction,
or a conclusion ("then the reload worked"). A parallel hint names a range or list
of steps ("run steps 2 through 10 in parallel"). "For each X, Y" names a per-item
step (`for_each`); "extract the run id from ..." names a value a command may use
(`defines`). `llm_kind` picks the llm op for
an instruction: decide (choose/whether/which), extract (extract/collect/list/note),
agent (investigate/fix/implement/debug: open-ended work with tools) or generate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_VERBS = set("""
accept access acknowledge activate add address adjust allow analyse analyze announce apply approve archive ask assess assign
attach audit avoid back backup build bump call cancel capture change check choose clean clear click close
collect commit compare compile configure confirm connect consider contact continue convert copy cordon create
debug decide decrease define delete deploy describe design determine diagnose disable discard dispatch document
double download drain draft drop edit enable ensure escalate establish evaluate examine execute exit expand
explain explore export extract fail failover fetch file fill filter find finish fix flush follow force forward
gather generate get go grab grant grep halt handle identify ignore implement import include increase inform
inspect install investigate invoke isolate keep kill label launch list load locate lock log login look make
mark measure merge migrate modify monitor mount move navigate note notify number observe obtain open organize
outline page parse patch
pause perform pick pin prefer ping place plan poll post prepare present preview proceed produce promote propose
provide pull push put query raise read reboot rebuild recheck reconfigure record recover redeploy reduce 
refresh reindex reload remove rename repair repeat replace reply report request rerun reset resize resolve respond restart
restore resume retry return revert review revoke rollback roll rotate run save scale scan schedule search
select send set setup share shut silence skip sort specify ssh start stop study submit summarise summarize
suspend switch sync take tail talk tell terminate test trace track trigger troubleshoot try turn type uncordon
undo uninstall unlock unmount update upgrade upload use validate verify view visit wait watch write
""".split())
_LEADS = re.compile(r"(?:(?:first|then|next|finally|now|also|afterwards|optionally|again|please)[,:]?\s+)+", re.I)
_MODAL = re.compile(r"(?:you|we|the (?:user|operator|engineer|on-?call|eoc))\s+(?:should|must|need to|have to|"
                    r"can|may want to|will need to|will want to|may need to|might need to|might want to)\s+(\w+)", re.I)
_COND = re.compile(r"(?P<kw>if|when|whenever|in case|in the case that|should|unless)\s+(?P<rest>.+)\Z", re.I | re.S)
_THEN_SPLIT = re.compile(r",\s*(?:then\s+)?|\s+then\s+|\s+-+\s+|:\s+|\s+(?=(?:you|we)\s+(?:can|should|must|need|may|will)\b)",
                         re.I)
_GOTO = re.compile(r"\b(?:go|skip|jump|proceed|continue|move|return|head|advance)(?:\s+\w+)?\s+(?:on\s+)?(?:to|with|at)\s+"
                   r"(?:the\s+)?step\s+#?(\d{1,3})\b", re.I)
_FORWARD = re.compile(r"\b(?:proceed|continue|move\s+on|carry\s+on|go\s+on)(?:\s+\w+)?\s+(?:on\s+)?(?:to|with|at)\s+"
                      r"(?:the\s+)?step\s+#?(\d{1,3})\b", re.I)
_AFTER = re.compile(r"\b(?:after|once|when)\s+step\s+#?(\d{1,3})\s+(?:completes|is\s+(?:done|complete|finished)|"
                    r"finishes|has\s+(?:finished|completed))|\b(?:after|following)\s+step\s+#?(\d{1,3})\b", re.I)
_SERIAL_WORDS = r"(?:in\s+serial|serially|sequentially|one\s+after\s+(?:the\s+)?(?:other|another)|one\s+at\s+a\s+time|in\s+sequence)"
_SERIAL_RANGE = re.compile(r"\bsteps?\s+#?(\d{1,3})\s*(?:-|–|—|to|through|thru|until)\s*#?(\d{1,3})\b[^.]*?" + _SERIAL_WORDS
                           + "|" + _SERIAL_WORDS + r"[^.]*?\bsteps?\s+#?(\d{1,3})\s*(?:-|–|—|to|through|thru)\s*#?(\d{1,3})\b",
                           re.I)
_SERIAL_ALL = re.compile(r"\b(?:run|execute|perform|do|follow)\s+(?:the\s+|these\s+|all\s+(?:the\s+)?)?(?:following\s+)?"
                         r"(?:steps|checks|queries)\b[^.]*?" + _SERIAL_WORDS, re.I)
_GOTO_BARE = re.compile(r"\bsee\s+step\s+#?(\d{1,3})\b|\bstep\s+#?(\d{1,3})\s+(?:instead|next)\b", re.I)
_EXIT = [
    (re.compile(r"\bescalat(?:e|ion)\b|\bpage\s+(?:the\s+)?(?:on-?call|eoc|sre|team|im|incident)", re.I), "escalate"),
    (re.compile(r"\bstop(?:\s+here|\s+now|\s+the\s+(?:runbook|procedure|process))\b|\bdo not (?:continue|proceed)\b|"
                r"\byou(?:'re| are) done\b|\bnothing (?:else |more )?to do\b|\bno (?:further |more )?action\b"
                r"|\bend of (?:the )?(?:runbook|procedure)\b|\babort\b", re.I), "stop"),
    (re.compile(r"\b(?:the )?(?:alert|incident|issue|problem) (?:is|has been) (?:resolved|fixed|mitigated)\b|"
                r"\b(?:definitive|potential|possible|final|confirmed)\s+(?:resolution|root\s+cause)(?:\s+path)?\b", re.I),
     "resolved"),
    (re.compile(r"\bskip\s+(?:all\s+)?(?:the\s+)?(?:remaining|rest\s+of\s+the|other)\s+steps\b", re.I), "stop"),
]
_PARALLEL_WORDS = r"(?:in\s+parallel|concurrently|simultaneously|at\s+the\s+same\s+time)"
_PAR_RANGE = re.compile(r"\bsteps?\s+#?(\d{1,3})\s*(?:-|–|—|to|through|thru|until)\s*#?(\d{1,3})\b[^.]*?" + _PARALLEL_WORDS
                        + "|" + _PARALLEL_WORDS + r"[^.]*?\bsteps?\s+#?(\d{1,3})\s*(?:-|–|—|to|through|thru)\s*#?(\d{1,3})\b",
                        re.I)
_PAR_LIST = re.compile(r"\bsteps?\s+((?:#?\d{1,3}\s*(?:,|and|&)\s*)+#?\d{1,3})\b[^.]*?" + _PARALLEL_WORDS, re.I)
_PAR_FOLLOWING = re.compile(r"\b(?:the\s+)?(?:following|these|next)\s+(?:\w+\s+)?(?:steps|checks|commands|queries)\b[^.]*?"
                            + _PARALLEL_WORDS + "|" + _PARALLEL_WORDS + r"[^.]*\b(?:the\s+)?following\b", re.I)
_CONFIRM = re.compile(r"\bconfirm|\bapprov|\bask (?:the )?(?:user|operator|owner|team)\b|\bpermission\b|double[- ]check"
                      r"|\bare you sure\b|\bsign[- ]off\b|\bwith (?:great )?caution\b|\bchange request\b|\bCR\b", re.I)
_BACKREF = re.compile(
    r"\b(?:the|this|that|these|those|its|their)\s+(?:\w+\s+)?(?:output|outputs|result|results|findings|response)\b"
    r"|\b(?:the|these|those)\s+(?:plan|list|comments?|changes|failures|errors|snippet|diff|summary|report)\b"
    r"|\b(?:above|previous|preceding|resulting|returned|selected|approved)\s+\w+"
    r"|\b(?:from|in|of)\s+(?:the\s+)?(?:step|above|previous)\b"
    r"|\b(?:summari[sz]e|analy[sz]e|interpret|compare|review)\b", re.I)
_AGENT = re.compile(r"(?:^|(?:\band|\bthen|\bor)\s+|[,;:]\s*)(?:investigate|fix|implement|debug|diagnose|troubleshoot|repair|refactor|resolve|dig deeper|"
                    r"root[- ]cause|apply (?:the |a |any )?(?:fix|fixes|changes?|plan|patch)|make (?:the )?changes?|"
                    r"write (?:the |a |new )?(?:tests?|code|fix|script)|modify (?:the )?code|edit (?:the )?(?:code|files?))\b",
                    re.I)
_DECIDE = re.compile(r"\b(?:choose|decide|determine (?:whether|if|which)|select (?:one|between|which)|pick (?:one|which|"
                     r"between)|whether|which (?:one|option|approach)|is it|classify)\b", re.I)
_EXTRACT = re.compile(r"\b(?:extract|collect|gather|list (?:all|every)|note (?:down )?the|record the|"
                      r"get the (?:id|name|url|number|list)|parse)\b", re.I)
_DESCRIPTIVE_EXACT = {
    "meaning", "impact", "symptoms", "symptom", "summary", "executive summary", "architecture", "logging",
    "monitoring", "alerting", "monitoring/alerting", "availability", "durability", "scalability", "performance",
    "dashboards", "security", "security/compliance", "resources", "quick reference", "purpose", "introduction",
    "intro", "key facts", "reference", "notes", "dependencies", "related", "contact", "contacts", "owner", "owners",
    "faq", "glossary", "scope", "contents", "history", "changelog", "license", "inputs", "outputs", "about",
    "description", "terminology", "metrics", "alerts", "definitions", "context", "full context", "best used for",
    "integration", "prerequisites", "requirements", "pre-requisite", "pre-requisites"}
_DESCRIPTIVE_PREFIX = (
    "when to use", "when not to use", "overview", "background", "red flags", "common mistakes",
    "common rationalizations", "rationalization", "links", "references", "see also", "further reading",
    "table of contents", "bundled resources", "related skills", "key principles", "core principle", "the iron law",
    "real-world impact", "example", "learning objectives", "mental model", "automation thoughts", "useful links",
    "anti-pattern", "quick start", "usage")
_PROCEDURAL = re.compile(r"\b(?:recover|recovery|restore|troubleshoot|fix|failover|fail over|mitigat|resolv|procedure|"
                         r"steps?|how to|runbook|diagnos|repair|rollback|roll back|remediat)", re.I)


@dataclass(frozen=True)
class Condition:
    """"If <cond>, <action>": the two parts as written, and how the action reads."""

    cond: str
    action: str
    negated: bool = False
    keyword: str = "if"
    header: bool = False  # "If X:" heads what follows rather than carrying its own action


@dataclass(frozen=True)
class ParallelHint:
    """Steps the document says may run at once: numbers, or "the following" block."""

    numbers: tuple[int, ...] = ()
    following: bool = False
    serial: bool = False  # the opposite hint: these steps run one after another


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; code spans never split a sentence."""
    masked = re.sub(r"`[^`]*`", lambda m: "`" + "x" * (len(m.group(0)) - 2) + "`", text)
    out: list[tuple[int, str]] = []
    start = 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=[A-Z`\"'(\[*_])|\n(?=\s*[-*•]\s)", masked):
        if text[start:m.start()].strip():
            out.append((start, text[start:m.start()].strip()))
        start = m.end()
    if text[start:].strip():
        out.append((start, text[start:].strip()))
    return out


def clean(text: str) -> str:
    """`text` on one line with markdown leftovers trimmed (for prompts and matching)."""
    return " ".join(text.replace("**", "").split()).strip(" -*•")


def first_verb(text: str) -> str:
    body = _LEADS.sub("", clean(text).lstrip("([\"'`"), count=1)
    m = _MODAL.match(body)
    if m:
        return m.group(1).lower()
    word = re.match(r"[A-Za-z]+", body)
    return word.group(0).lower() if word else ""


def modal(text: str) -> bool:
    """ "you can check ...", "we should restart ...": an instruction in the second person."""
    return _MODAL.match(_LEADS.sub("", clean(text), count=1)) is not None


@lru_cache(maxsize=8192)
def is_instruction(text: str) -> bool:
    """Whether a sentence tells the reader to do something."""
    t = clean(text)
    if not t or (t.endswith("?") and not re.match(r"(?:do|does|is|are|can|did)\b", t, re.I)):
        return False
    if _DIRECT.match(t):
        return True
    purpose = _PURPOSE.match(t)
    if purpose and len(t) > purpose.end():
        return is_instruction(t[purpose.end():])  # "To check X, look at the /targets page."
    verb = first_verb(t)
    if verb not in _VERBS:
        return False
    words = re.findall(r"[a-z']+", _LEADS.sub("", t.lower(), count=1))[:4]
    following = words[words.index(verb) + 1] if verb in words[:-1] else ""
    return following not in ("of", "is", "are", "was", "were", "can", "will", "may")  # "Number of pods is high"


_PURPOSE = re.compile(r"(?:(?:in order )?to|based on|using|given|from|with|after reviewing|looking at|"
                      r"according to|depending on)\s+[^,]{3,160}?(?:,\s*\d+[^,]{0,20})*,\s*", re.I)
_DIRECT = re.compile(r"(?:make sure|be sure|ensure|don't|do not|never|always|log ?in|sign in|double-check|set up)\b",
                     re.I)


def is_constraint(text: str) -> bool:
    """A rule rather than a step ("Do not ...", "Never ...", "Always ...")."""
    return re.match(r"\s*(?:\*\*)?(?:do not|don't|never|always|avoid|must not|no\b)", text, re.I) is not None


def parse_condition(text: str) -> Condition | None:
    """"If X, Y" / "When X then Y" / "If X: Y" -> Condition; None for other sentences."""
    t = clean(text)
    m = _COND.match(t)
    if m is None or (m.group("kw").lower() == "should" and not re.match(r"should\s+\w+\s+\w+.*,", m.group("rest"))):
        return None
    if re.match(r"(?:to|not to|you should|necessary|needed|appropriate|in doubt)\b", m.group("rest"), re.I):
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
        return Condition(rest.rstrip(" :."), "", kw == "unless", kw, header=True)
    header = split.group(0).strip() == ":"
    return Condition(rest[:split.start()].strip(), rest[split.end():].strip(), kw == "unless", kw, header)


def _splits_clause(rest: str, s: re.Match[str]) -> bool:
    """Whether a split point of a condition is outside parentheses and not a digit group ("10,000")."""
    before = rest[:s.start()]
    return before.count("(") <= before.count(")") and not re.match(r",\d", rest[s.start():s.start() + 2])


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


def goto_target(text: str, *, anchored: bool = False) -> int | None:
    """N for "go to step N" (at the start of `text` when anchored, anywhere otherwise)."""
    t = _LEADS.sub("", clean(text), count=1)
    m = _GOTO.search(t) or _GOTO_BARE.search(t)
    if m is None or (anchored and m.start() > 0):
        return None
    return int(next(g for g in m.groups() if g))


_COLLECTS = re.compile(r"^\W*(?:first,?\s+)?(?:collect|gather|get|obtain|note|identify|determine|find)\s+(?:the\s+|these\s+|"
                       r"following\s+)*(?:\w+\s+)?(?:parameters|inputs|values|details|information)\b", re.I)


def collects_parameters(text: str) -> bool:
    """ "Collect these parameters from the incident: {region}, {start_time}": the step names the
    workflow's inputs (bound by `-i` or the incident), it is no work of its own."""
    return _COLLECTS.match(clean(text)) is not None and re.search(r"[{<$]\w", text) is not None


def resolution_note(text: str) -> bool:
    """ "This is a definitive resolution (path)." after a branch: the branch ends the procedure."""
    return re.fullmatch(r"(?:this|that|it)\s+(?:is|was)\s+(?:a|the)\s+(?:definitive|potential|possible|final|confirmed)\s+"
                        r"(?:resolution|root\s+cause)(?:\s+path)?\.?", clean(text).strip(), re.I) is not None


_INTERPRETS = re.compile(r"\b(?:look\s+for|check\s+(?:whether|if|that|for)|verify\s+(?:that|whether|if)|"
                         r"if\s+the\s+(?:output|result)s?\s+(?:shows?|contains?|lists?)|based\s+on\s+the\s+(?:output|"
                         r"results?)|make\s+sure|confirm\s+(?:that|whether)|note\s+(?:the|any)|identify|find\s+(?:the|any)|"
                         r"in\s+the\s+output|examine\s+the\s+(?:output|result|events|logs))\b", re.I)


def interprets(text: str) -> bool:
    """Whether a sentence interprets results ("look for ...", "check whether ...", "verify that
    ...", "if the output shows ...", "based on the results ..."): it needs the outputs to see."""
    return _INTERPRETS.search(clean(text)) is not None


def forward_target(text: str) -> int | None:
    """N for "proceed to step N" / "continue with step N": where the procedure goes on
    after this step, a forward edge (a join when several steps say it), never a jump."""
    if "step" not in text.lower():
        return None
    m = _FORWARD.search(clean(text))
    return int(m.group(1)) if m else None


def after_steps(text: str) -> list[int]:
    """N for each "after step N" / "once step N completes": steps this one waits for."""
    if "step" not in text.lower():
        return []
    return [int(m.group(1) or m.group(2)) for m in _AFTER.finditer(clean(text))]


def serial_hint(text: str) -> ParallelHint | None:
    """Steps the document says run one after another ("run steps 2-5 in serial"); the
    `following`/all form when it names no numbers ("run the following steps one at a time")."""
    m = _SERIAL_RANGE.search(text)
    if m:
        a, b = (int(g) for g in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        return ParallelHint(tuple(range(min(a, b), max(a, b) + 1)), serial=True) if abs(a - b) < 200 else None
    if _SERIAL_ALL.search(text):
        return ParallelHint(following=True, serial=True)
    return None


_EXIT_WORDS = ("escalat", "page", "stop", "not continue", "not proceed", "done", "nothing", "action", "end of",
               "abort", "resolv", "fixed", "mitigat", "resolution", "root cause", "skip")


def exit_status(text: str, *, anchored: bool = False) -> str | None:
    """"escalate", "stop" or "resolved" when the text ends the procedure early.

    Anchored (a plain step, not a condition's action): the step must start with the
    exit and not carry its own condition ("Escalate to X if needed" does not stop).
    """
    low = text.lower()
    if not any(k in low for k in _EXIT_WORDS):
        return None
    t = _LEADS.sub("", clean(text), count=1)
    if anchored and (re.search(r"\b(?:if|when|unless|in case)\b", t, re.I) or len(t.split()) > 30):
        return None
    for pattern, status in _EXIT:
        m = pattern.search(t)
        if m and (not anchored or m.start() == 0 or re.match(r"(?:you should|please|immediately)\s", t, re.I)
                  or re.fullmatch(r"(?:this|that|it)\s+(?:is|was)\s+(?:a\s+|the\s+)?", t[:m.start()], re.I)):
            return status
    return None


_HINT_WORDS = re.compile(r"parallel|concurrent|simultaneous|same\s+time|serial|sequen|one\s+(?:after|at\s+a\s+time)",
                         re.I)


def parallel_hint(text: str) -> ParallelHint | None:
    """The steps a sentence says run at once (see `ParallelHint`), or its serial twin."""
    if _HINT_WORDS.search(text) is None:
        return None
    serial = serial_hint(text)
    if serial is not None:
        return serial
    m = _PAR_RANGE.search(text)
    if m:
        a, b = (int(g) for g in (m.group(1) or m.group(3), m.group(2) or m.group(4)))
        return ParallelHint(tuple(range(min(a, b), max(a, b) + 1))) if abs(a - b) < 200 else None
    m = _PAR_LIST.search(text)
    if m:
        return ParallelHint(tuple(int(n) for n in re.findall(r"\d+", m.group(1))))
    if _PAR_FOLLOWING.search(text):
        return ParallelHint(following=True)
    return None


_OBSERVES = re.compile(r"\b(?:output|outputs|result|results|returns?|returned|shows?|prints?|lists?|you (?:see|get)|"
                       r"is (?:absent|present|missing|empty|listed)|command|query|response|status|exit code|"
                       r"logs? (?:says?|shows?|contains?)|above|below|threshold|\d+\s*%)", re.I)


def observes(cond: str) -> bool:
    """Whether a condition checks something a step observed (its output, a status, a number)."""
    return _OBSERVES.search(cond) is not None


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


def asks_confirmation(text: str) -> bool:
    return _CONFIRM.search(text) is not None


def refers_back(text: str) -> bool:
    """Whether the text consumes what an earlier step produced ("the output", "summarize")."""
    return _BACKREF.search(text) is not None


_STEP_REF = re.compile(r"\bsteps?\s+#?(\d{1,3})((?:\s*(?:,\s*and|,|and|&|-|–|—|to|through|thru)\s*#?\d{1,3}\b)*)",
                       re.I)
_DESTINATION = re.compile(r"\b(?:go|goes|skip|jump|proceed|continue|move|return|head|advance|back|repeat|redo|restart|"
                          r"resume|loop)\b[^.,;:]*\Z", re.I)
_REF_PART = re.compile(r"\s*(,\s*and|,|and|&|-|–|—|to|through|thru)\s*#?(\d{1,3})", re.I)


def step_refs(text: str) -> list[tuple[int, int]]:
    """(offset, number) for each step `text` names, in order: "step 3", "steps 1-6",
    "steps 2 through 4" (also "to", "thru", dashes), "steps 1 and 3", "steps 1, 2 and 5".
    A range counts every number in it (at most 100). A step named as where to go
    ("go to step 3", "return to Review (Step 1)", "repeat steps 2-4") is not a reference."""
    out: list[tuple[int, int]] = []
    for m in _STEP_REF.finditer(text):
        if _DESTINATION.search(text[max(0, m.start() - 30):m.start()]):
            continue
        numbers = [int(m.group(1))]
        for part in _REF_PART.finditer(m.group(2)):
            n = int(part.group(2))
            if part.group(1).lower() in ("-", "–", "—", "to", "through", "thru") and 0 < n - numbers[-1] <= 100:
                numbers.extend(range(numbers[-1] + 1, n + 1))
            else:
                numbers.append(n)
        out.extend((m.start(), n) for n in numbers)
    return out


_FIELD = r"(`?)([A-Za-z_][A-Za-z0-9_]*)\{}"  # \{} is the backtick group's number
_NOT_A_RANGE = r"(?!\s*(?:,|and\b|&|-|–|—|to\b|through\b|thru\b)\s*#?\d)"
_FIELD_OF = re.compile(r"\bthe\s+" + _FIELD.format(1) + r"\s+(?:field\s+)?(?:of|from|in)\s+(step\s+#?(\d{1,3}))\b"
                       + _NOT_A_RANGE, re.I)
_STEPS_FIELD = re.compile(r"\b(step\s+#?(\d{1,3}))(?:'s|’s)\s+" + _FIELD.format(3) + r"(?![\w`])", re.I)


def field_refs(text: str) -> list[tuple[int, int, str, bool]]:
    """(offset, number, field, quoted) for each "the <field> of step N" ("from", "in" too)
    and "step N's <field>" in `text`: one step, one identifier-like word, in backticks
    (`quoted`) or not. The offset is that of the "step N" it names, as in `step_refs`;
    a range ("the `summary` of steps 1-3", "step 1 and 2") is not a field reference."""
    out = [(m.start(3), int(m.group(4)), m.group(2), bool(m.group(1))) for m in _FIELD_OF.finditer(text)]
    out += [(m.start(1), int(m.group(2)), m.group(4), bool(m.group(3))) for m in _STEPS_FIELD.finditer(text)]
    return sorted(out)


def llm_kind(text: str) -> str:
    """generate, decide, extract or agent for an instruction's text."""
    t = clean(text)
    purpose = _PURPOSE.match(t)
    t = t[purpose.end():] if purpose else t  # judge the main clause, not "To check whether X,"
    if _AGENT.search(t):
        return "agent"
    if _DECIDE.search(t):
        return "decide"
    if _EXTRACT.search(t):
        return "extract"
    return "generate"


def outcomes(text: str, options: list[str]) -> list[str]:
    """A closed set of answers: the listed options, "X or Y" in the text ("whether X or Y",
    "between X and Y"), the alternatives listed after a colon ("which to apply first: A,
    B, or C"), else yes/no."""
    found = [slug(o) for o in options if 0 < len(o.split()) <= 8]
    if len(found) < 2:
        m = re.search(r"\b(?:between|whether(?: to)?|either)\s+(.+?)(?:[.?;]|\Z)", clean(text), re.I)
        if m:
            parts = [p for p in re.split(r",\s*(?:or\s+)?|\s+or\s+|\s+and\s+", m.group(1)) if p.strip()]
            if len(parts) >= 2:  # "whether the cause is A, B or C": the subject is no outcome
                parts[0] = re.sub(r"^(?:the\s+)?[\w\s-]{0,40}?\b(?:is|are|was|were)\s+", "", parts[0], flags=re.I)
            parts = [re.sub(r"^(?:an?|the)\s+", "", p.strip(), flags=re.I) for p in parts]
            found = [slug(p) for p in parts] if all(len(p.split()) <= 4 for p in parts) else []
    if len(found) < 2:
        found = _listed_choices(text)
    unique = list(dict.fromkeys(f for f in found if f))
    return unique[:8] if len(unique) >= 2 and not ("yes" in unique and len(unique) == 1) else ["yes", "no"]


def _listed_choices(text: str) -> list[str]:
    """The choices of "Decide which X to apply: A, B, or C." (a colon, then two or more short
    alternatives, the last after "or"), as slugs; [] when the text lists none."""
    m = re.search(r":\s+([^:.?;]+?)(?:[.?;]|\Z)", clean(text))
    if m is None or not re.search(r"(?:,\s*|\s)or\s+\S", m.group(1)):
        return []
    parts = [p for p in re.split(r",\s*(?:or\s+)?|\s+or\s+", m.group(1)) if p.strip()]
    return [slug(p) for p in parts] if len(parts) >= 2 and all(len(p.split()) <= 6 for p in parts) else []


def slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", clean(text).lower().replace("`", ""))
    return "_".join(words[:5])


def procedural(title: str) -> bool:
    """Whether a heading names a procedure (recovery, troubleshooting, steps, how to ...)."""
    return _PROCEDURAL.search(title) is not None or is_instruction(title)


def descriptive(title: str) -> bool:
    """Whether a section only describes (Meaning, Impact, Overview, ...) and holds no steps."""
    t = re.sub(r"^[\d.)\s]+", "", clean(title).lower().replace("`", "")).strip(" :")
    return t in _DESCRIPTIVE_EXACT or any(t == d or t.startswith((d + " ", d + ":", d + "s")) for d in _DESCRIPTIVE_PREFIX)
