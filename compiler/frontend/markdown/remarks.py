"""Conditional sentences that are remarks, not decisions.

Runbooks use "If X, ..." for two things: a choice the reader makes from what they see
("If the pod is not running, restart it") and a remark that only tells what happens or
what they will see ("If tcpdump is installed, you see output similar to the following
text:", "If the query times out, it tries the next name server"). Only the first is a
decision. `remark(action)` says whether a condition's action is one of the second kind:

- *what you will see*: "you see / you'll see / you get / you might receive ... output,
  an error, a message, the following ..." (the sample text that follows is an example,
  not something to judge);
- *what the system does*: "it tries ...", "one of the following sequences occurs",
  "the resolver queries them in order": a third-person subject in the present tense,
  with no instruction, modal or step reference anywhere in the action;
- *what else shows it*: "this alert can be triggered as well" (another cause, no action).

`wants_to_see(cond)` says whether a condition is only the reader's wish to see something ("If
you are only interested in the expiration date, you can use: ..."): which command to run, not
a judgement. `same_fact(a, b)` says whether two statements check the same fact (their content words,
negation aside), so that a heading's "Make sure tcpdump is installed" check is not
compiled a second time next to the step's own "If tcpdump isn't installed ...".
"""

from __future__ import annotations

import re

_YOU_SEE = re.compile(
    r"^(?:then\s+|and\s+)?you(?:'ll|\s+will|\s+should|\s+may|\s+might|\s+can|\s+would)?\s+(?:also\s+)?"
    r"(?:see|get|receive|notice|observe|find)\s+(?:(?:an?|the|some|this|these|output|text|messages?|errors?)\b"
    r"|similar|something|output|results?|following)", re.I)
_SUBJECT = (r"(?:it|they|this\s+(?:plug-?in|setting|option|library|feature|service)|one\s+of\s+the\s+following\s+"
            r"(?:\w+\s+)?(?:sequences|things|behaviou?rs|cases)|the\s+(?:resolver|request|node|kernel|system|"
            r"library|plug-?in|client|server|service|controller|scheduler|operator|kubelet|query|cluster)s?)")
_DOES = re.compile(r"^" + _SUBJECT + r"\s+(?:also\s+|then\s+|usually\s+|automatically\s+)?"
                   r"(?!is\b|are\b|has\b|was\b)(?:[a-z]+(?<!ss)s|occurs?|happens?)\b", re.I)
_HAPPENS = re.compile(r"^(?:this|that|the|an?)\s+(?:\w+\s+){0,2}?(?:alert|error|warning|message|issue|problem|"
                      r"symptom|condition|situation|failure)s?\s+(?:can|may|might|could|will|would)\s+(?:also\s+)?"
                      r"(?:be\s+(?:triggered|fired|raised|seen|shown|reported|caused)|fire|trigger|happen|occur|appear)\b",
                      re.I)
_ACTS = re.compile(r"\b(?:you\s+(?:must|should|need|have\s+to|can|may|might)|please|step\s+\d|run|check|verify|"
                   r"restart|delete|contact|escalate|stop|skip|go\s+to|proceed|make\s+sure|ensure)\b", re.I)
_WISH = re.compile(r"^(?:you|we)(?:'re|\s+are)?\s+(?:only\s+|just\s+)?(?:interested\s+in|"
                   r"(?:want|wish|need|would\s+like)\s+to\s+(?:see|know|view|find\s+out|look\s+at|check\s+(?:which|what)|"
                   r"get\s+(?:more\s+)?(?:info|information|details)))\b", re.I)
_WORD = re.compile(r"[a-z][a-z0-9_-]{2,}")
_NOISE = frozenset("the and that this these those with from into for are was were isn't aren't not does doesn't "
                   "don't has have had can cannot any all whether check verify ensure make sure confirm".split())


_MARKUP = re.compile(r"[*_`]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CONJUNCTION = re.compile(r"(?:but|and|or)\s", re.I)


def remark(action: str) -> bool:
    """Whether a condition's action only tells what is seen or what happens (see the module docstring)."""
    text = _MARKUP.sub("", action).strip()
    if not text:
        return False
    first = _SENTENCE_END.split(text, maxsplit=1)
    if len(first) > 1 and first[1].strip():
        return False  # more sentences follow in the action: they may say what to do
    if _CONJUNCTION.match(text) and "," in text:
        text = text.rsplit(",", 1)[1].strip()  # "If X, but Y, this alert can be triggered": the main clause
    return bool(_YOU_SEE.match(text) or _DOES.match(text) or _HAPPENS.match(text)) and not _ACTS.search(text)


_SUFFIX = re.compile(r"(?<=[a-z]{3})(?:ing|ed|es|e|s)\Z")


def wants_to_see(cond: str) -> bool:
    """Whether a condition is the reader's wish to see something ("If you are only interested in
    the expiration date, you can use: ...", "If you need to know what those settings are, ..."):
    a choice of which command shows it, not a judgement of what a step found."""
    return _WISH.match(_MARKUP.sub("", cond).strip()) is not None


def content_words(text: str) -> frozenset[str]:
    """The stems of the words of `text` that carry its meaning (no articles, negations or check
    verbs): "a virtual network update occurred" and "the virtual network was updated" share "updat"."""
    return frozenset(_SUFFIX.sub("", w) for w in _WORD.findall(text.lower().replace("n't", " not")) if w not in _NOISE)


def same_fact(a: str, b: str) -> bool:
    """Whether `a` and `b` state the same fact (most content words shared, negation aside)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.75
