"""Choices among listed actions: "Based on the results from these gadgets, you can take the
following actions:" followed by "- **High latency in X**: Investigate ...".

Such a lead-in asks the reader to judge the results and pick the action whose case holds:
a decision whose outcomes are the cases, not open-ended work (the listed actions start with
"Investigate", "Analyze" ..., which would otherwise make it an agent). `picks_action(text)`
says whether an instruction is such a choice; `case_labels(items)` gives the cases (the bold
or colon-ended lead of each item) when every item has one.

A lead-in that says the symptom just seen has one of several causes is the same kind of
choice: "Now there is a judgement call to make, this could be the result of:", "The spike
of X can be caused by one of the following 3 reasons:", "Can be caused by:" (under a heading
naming the failure), each followed by the causes; the reader judges which holds. A catalogue
("Here are the common causes of ...", "Common causes include:") is background, not a step.
`cause_labels(items)` names each cause by its first clause.
"""

from __future__ import annotations

import re

from skc.compiler.frontend.markdown.literals import Screened

_BASED = re.compile(
    r"^(?:based\s+on|depending\s+on|according\s+to|from)\s+(?:(?:the|these|those|your|its|their)\s+)?(?:\w+\s+){0,2}?"
    r"(?:results?|outputs?|findings|observations|data|values?|metrics|diagnos\w*|symptoms?)\b[^.:]*?,?\s*"
    r"(?:you\s+(?:can|could|may|might|should)\s+)?(?:decide\s+to\s+)?(?:then\s+)?"
    r"(?:take|choose|pick|apply|do|perform|follow|consider)(?:\s+(?:one\s+(?:or\s+more\s+)?of\s+)?(?:the\s+)?"
    r"(?:following|these|appropriate)\b|\s*:\s*\Z)", re.I)  # "Depending on symptoms you observe, you may decide to choose:"
_CAUSES = re.compile(
    r"(?:\bjudge?ment\s+call\b|\b(?:this|it|that)\s+(?:could|can|may|might)\s+be\s+(?:the\s+)?(?:result\s+of|caused\s+by|"
    r"due\s+to)|^(?:[\w`'-]+\s+){0,8}?(?:can|could|may|might)\s+be\s+caused\s+by)[^.:]*:(?:\s|\Z)", re.I)
_LEAD = re.compile(r"^\s*(?:\*\*|__)(?P<bold>.{2,80}?)(?:\*\*|__)\s*[:–—-]|^\s*(?P<plain>[^:.]{2,60}):\s")


_MARKUP = re.compile(r"[*_`]")
_BASED_SCREENED, _CAUSES_SCREENED = Screened(_BASED), Screened(_CAUSES)  # most text names none of their words


def picks_action(text: str) -> bool:
    """Whether `text` asks the reader to pick, from results, one of the actions that follow."""
    plain = _MARKUP.sub("", text).strip()
    return _BASED_SCREENED.search(plain) is not None or _CAUSES_SCREENED.search(plain) is not None


def case_labels(items: list[str]) -> list[str]:
    """The case each listed action is for ("**High latency in `profile_blockio`**: ..."), or []
    when some item names none."""
    out: list[str] = []
    for item in items:
        m = _LEAD.match(item)
        if m is None:
            return []
        out.append(re.sub(r"[*`]", "", m.group("bold") or m.group("plain")).strip())
    return out


def cause_labels(items: list[str]) -> list[str]:
    """Each listed cause by its first clause ("Faulty configuration, which could be resolved by
    ..." -> "Faulty configuration"), or [] when some clause is longer than a name."""
    out = [re.split(r",|\s+[-–—(]|:\s", re.sub(r"[*`]", "", item).strip(), maxsplit=1)[0].strip() for item in items]
    return out if all(0 < len(o.split()) <= 8 for o in out) else []
