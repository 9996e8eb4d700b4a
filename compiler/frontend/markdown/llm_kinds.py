"""What an instruction asks of a model: which llm op it needs and the answers it can give.

`llm_kind` picks the op for an instruction's main clause from the `LLM_KINDS` table: agent
(investigate/fix/implement/debug: open-ended work with tools), decide (choose/whether/which,
a yes/no question to the reader), extract (extract/collect/list/note), else generate.
`outcomes` is a decision's closed set of answers (the listed options, "whether X or Y", the
alternatives after a colon, else yes/no). `refers_back` and `interprets` say whether an
instruction needs what earlier steps produced; `asks_confirmation` whether it asks a person.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.choices import case_labels, cause_labels, picks_action
from skc.compiler.frontend.markdown.literals import Screened
from skc.compiler.frontend.markdown.prose import PURPOSE, clean, slug
from skc.compiler.frontend.markdown.rules import Rule, Rules

# The llm op an instruction needs: the first row that matches its main clause (else generate).
LLM_KINDS: Rules[str] = Rules(
    Rule(re.compile(r"(?:^|(?:\band|\bthen|\bor)\s+|[,;:]\s*)(?:investigate|fix|implement|debug|diagnose|troubleshoot|repair|refactor|resolve|dig deeper|"
                    r"root[- ]cause|apply (?:the |a |any )?(?:fix|fixes|changes?|plan|patch)|make (?:the )?changes?|"
                    r"write (?:the |a |new )?(?:tests?|code|fix|script)|modify (?:the )?code|edit (?:the )?(?:code|files?))\b",
                    re.I),
         lambda m: "agent"),  # "investigate why ...", "fix the test", "apply the plan"
    Rule(re.compile(r"\b(?:choose\s+(?:between|which|whether|one\b|from|among|the\s+(?:appropriate|right|best|one)\b|"
                     r"an?\s+(?:option|approach|recovery|strategy|path)\b)|decide|determine (?:whether|if|which)|select (?:one|between|which)|pick (?:one|which|"
                     r"between)|whether|which (?:one|option|approach)|is it|classify)\b", re.I),
         lambda m: "decide"),  # "decide whether ...", "which option ..."
    Rule(re.compile(r"(?:^|[.!?:]\s+|-\s+)(?:do|does|did|is|are|was|were|has|have)\s+(?:you|we|it|they|there|this|the)\b"
                    r"[^.?!\n]{3,160}\?", re.I),
         lambda m: "decide"),  # a yes/no question to the reader: "Do you see an elevated error rate in reads or writes?"
    Rule(re.compile(r"(?:^|[.!?]\s+)(?:(?:first|then|also|now|next)[,]?\s+)?(?:check|verify|confirm|find\s+out)\s+if\s+"
                    r"(?:there\s+(?:is|are)|any|the|it|they|this)\b", re.I),
         lambda m: "decide"),  # a sentence "Check if there are any configurations such as snapshotting, ..."
    Rule(re.compile(r"\b(?:ensure|make sure|verify|confirm|check)\s+that\s*:\s+-\s", re.I),
         lambda m: "decide"),  # "ensure that:" + the facts listed under it (its details): do they all hold?
    Rule(re.compile(r"\b(?:extract|collect|gather|list (?:all|every)|note (?:down )?the|record the|"
                      r"get the (?:id|name|url|number|list)|parse)\b", re.I),
         lambda m: "extract"),  # "extract the run id", "list all ..."
)


def llm_kind(text: str) -> str:
    """generate, decide, extract or agent for an instruction's text."""
    t = clean(text)
    if picks_action(t):
        return "decide"  # "Based on the results ..., take the following actions: **A**: ... **B**: ..."
    purpose = PURPOSE.match(t)
    t = t[purpose.end():] if purpose else t  # judge the main clause, not "To check whether X,"
    return LLM_KINDS.first(t) or "generate"


def outcomes(text: str, options: list[str]) -> list[str]:
    """A closed set of answers: the listed options, "X or Y" in the text ("whether X or Y",
    "between X and Y"), the alternatives listed after a colon ("which to apply first: A,
    B, or C"), else yes/no."""
    found = [slug(o) for o in (case_labels(options) or options) if 0 < len(o.split()) <= 8]
    if len(found) < 2 and picks_action(text):
        found = [slug(o) for o in cause_labels(options)]  # "this could be the result of: - Faulty config, ..."
    if len(found) < 2:
        m = re.search(r"\b(?:between|whether(?: to)?|either)\s+(.+?)(?:[.?;]|\Z)", clean(text), re.I)
        if m:
            parts = [p for p in re.split(r",\s*(?:or\s+)?|\s+or\s+|\s+and\s+", m.group(1)) if p.strip()]
            if len(parts) >= 2:  # "whether the cause is A, B or C": the subject is no outcome
                parts[0] = re.sub(r"^(?:the\s+)?[\w\s-]{0,40}?\b(?:is|are|was|were|(?:comes?|came|stems?)\s+from|"
                              r"(?:lies?|sits?)\s+(?:in|with)|(?:is\s+)?caused\s+by)\s+", "", parts[0], flags=re.I)
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


_BACKREF = re.compile(
    r"\b(?:the|this|that|these|those|its|their)\s+(?:\w+\s+)?(?:output|outputs|result|results|findings|response)\b"
    r"|\b(?:the|these|those)\s+(?:plan|list|comments?|changes|failures|errors|snippet|diff|summary|report)\b"
    r"|\b(?:above|previous|preceding|resulting|returned|selected|approved)\s+\w+"
    r"|\b(?:from|in|of)\s+(?:the\s+)?(?:step|above|previous)\b"
    r"|\b(?:summari[sz]e|analy[sz]e|interpret|compare|review)\b", re.I)
_BACKREF_SCREENED = Screened(_BACKREF)


def refers_back(text: str) -> bool:
    """Whether the text consumes what an earlier step produced ("the output", "summarize")."""
    return _BACKREF_SCREENED.search(text) is not None


_INTERPRETS = re.compile(r"\b(?:look\s+for|check\s+(?:whether|if|that|for)|verify\s+(?:that|whether|if)|"
                         r"if\s+the\s+(?:output|result)s?\s+(?:shows?|contains?|lists?)|based\s+on\s+the\s+(?:output|"
                         r"results?)|make\s+sure|confirm\s+(?:that|whether)|note\s+(?:the|any)|identify|find\s+(?:the|any)|"
                         r"in\s+the\s+output|examine\s+the\s+(?:output|result|events|logs))\b", re.I)
_INTERPRETS_SCREENED = Screened(_INTERPRETS)


def interprets(text: str) -> bool:
    """Whether a sentence interprets results ("look for ...", "check whether ...", "verify that
    ...", "if the output shows ...", "based on the results ..."): it needs the outputs to see."""
    return _INTERPRETS_SCREENED.search(clean(text)) is not None


_CONFIRM = re.compile(r"\bconfirm|\bapprov|\bask (?:the )?(?:user|operator|owner|team)\b|\bpermission\b|double[- ]check"
                      r"|\bare you sure\b|\bsign[- ]off\b|\bwith (?:great )?caution\b|\bchange request\b|\bCR\b", re.I)


def asks_confirmation(text: str) -> bool:
    return _CONFIRM.search(text) is not None
