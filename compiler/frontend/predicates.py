"""Conditions to predicates: code when the condition is decidable by code, else llm.decide.

`predicate(cond, subject, ...)` builds, at the current insertion point, the ops
that compute a condition's truth over `subject` (the values the previous step
produced) and returns the `!skc.bool`:

    "the output is empty" / "no results"      data.count(subject) == 0
    "returns results" / "output is not empty"  data.count(subject) > 0
    "any pod is not Running"                   lines without Running (header skipped), count > 0
    "all pods are Running"                     the same count == 0
    "the output contains `X`"                  calc.cmp contains (subject as text, "X")
    "CPU is above 90%"                         the number after "CPU" in the output, calc.cmp gt 90
    anything else                              llm.decide(yes/no) -> calc.cmp eq "yes"

A number subject (`... | wc -l`) is compared directly. With no subject, only the
llm fallback applies (it still sees the condition's text).
"""

from __future__ import annotations

import re

from skc.ir import JSON, NUM, TEXT, Value, calc, data, llm
from skc.ir.location import Location

_EMPTY = re.compile(
    r"\b(?:output|result|results|it|this|that|command|query|response|list)\b[^.]*?\b(?:is|are|comes back|returns?|was)\s+"
    r"(?:empty|blank|nothing|no (?:output|results?|rows?|lines?|entries|items))"
    r"|\bno (?:output|results?|rows?|lines?|entries|items|data)\b(?! (?:is|are) (?:missing|lost))"
    r"|\bnothing (?:is |was )?(?:returned|printed|shown|listed)|\bdo(?:n't|es not| not)(?: \w+)? (?:get|see|return|show) "
    r"(?:any|anything)\b|\breturns? (?:nothing|no\b)|\bis empty\b", re.I)
_NONEMPTY = re.compile(
    r"\b(?:returns?|gets?|shows?|lists?|prints?)\s+(?:any\s+|some\s+)?(?:results?|rows?|output|lines?|entries|items)\b"
    r"|\b(?:output|result)s? (?:is|are) not empty\b|\bthere (?:are|is) (?:any |some )?(?:results?|rows?|output)\b"
    r"|\byou (?:get|see) (?:any |some )?results?\b", re.I)
_CONTAINS = re.compile(r"\b(?P<neg>(?:does not|doesn't|do not|don't|not)\s+)?(?:contains?|includes?|shows?|mentions?|says|"
                       r"reports?|see|lists?|displays?)\s+(?:the\s+)?(?:string\s+|text\s+|word\s+|message\s+|error\s+)?"
                       r"(?:`(?P<code>[^`]+)`|\"(?P<quoted>[^\"]+)\")", re.I)
_ANY_NOT = re.compile(r"\b(?P<q>any|some|one or more|at least one|all|every)\s+(?:of\s+the\s+)?(?P<noun>[\w-]+)s?\s+"
                      r"(?:is|are|isn't|aren't)\s+(?P<neg>not\s+)?(?:in\s+)?(?:the\s+)?`?(?P<state>[A-Z][A-Za-z]+)`?", re.I)
_NUMERIC = re.compile(
    r"(?P<what>[\w%./ `-]{1,60}?)\s+(?:is|are|was|goes|stays|remains|exceeds|reaches|gets)?\s*"
    r"(?P<op>above|over|greater than|more than|higher than|exceeds|larger than|bigger than|below|under|less than|"
    r"lower than|smaller than|at least|at most|equal to|equals|>=|<=|>|<|==|=)\s*(?:or equal to\s*)?"
    r"(?P<num>-?\d+(?:\.\d+)?)\s*(?P<unit>%|percent)?", re.I)
_OPS = {"above": "gt", "over": "gt", "greater than": "gt", "more than": "gt", "higher than": "gt", "exceeds": "gt",
        "larger than": "gt", "bigger than": "gt", "below": "lt", "under": "lt", "less than": "lt", "lower than": "lt",
        "smaller than": "lt", "at least": "ge", "at most": "le", "equal to": "eq", "equals": "eq", ">=": "ge",
        "<=": "le", ">": "gt", "<": "lt", "==": "eq", "=": "eq"}
_GENERIC = {"the output", "output", "it", "the result", "result", "the value", "value", "the count", "count",
            "the number", "number", "this", "that", "the total"}


class _Ops:
    """Builds predicate ops that all carry the condition's location and step label."""

    def __init__(self, loc: Location, step: str) -> None:
        self.loc, self.step = loc, step

    def tag(self, value: Value) -> Value:
        op = value.defining_op
        if op is not None:
            op.attributes["step"] = self.step
        return value

    def const(self, value: object, kind: str) -> Value:
        return self.tag(data.const(value, NUM if kind == "num" else TEXT, loc=self.loc))

    def cmp(self, pred: str, a: Value, b: Value) -> Value:
        return self.tag(calc.cmp(pred, a, b, loc=self.loc))

    def count(self, v: Value) -> Value:
        return self.tag(data.count(v, loc=self.loc))

    def text(self, v: Value) -> Value:
        return v if v.type == TEXT else self.tag(data.concat(v, loc=self.loc))


def predicate(cond: str, subject: list[Value], *, loc: Location, step: str, negated: bool = False) -> Value:
    """The bool value of `cond` over `subject` (see the module docstring)."""
    ops = _Ops(loc, step)
    value = _code(cond, subject[-1], ops) if subject and subject[-1].type.kind != "token" else None
    if value is None:
        question = cond.rstrip(" .:,") + "?"
        answer = ops.tag(llm.decide(question[0].upper() + question[1:], ["yes", "no"], *subject, loc=loc))
        value = ops.cmp("eq", answer, ops.const("yes", "text"))
    if negated:
        value = ops.tag(calc.not_(value, loc=loc))
    return value


def _code(cond: str, subject: Value, ops: _Ops) -> Value | None:
    kind = subject.type.kind
    if kind not in ("text", "json", "table", "num"):
        return None
    if _NONEMPTY.search(cond) and not re.search(r"\bno\b|\bnot\b|n't\b", cond):
        return _count_cmp(subject, "gt", ops)
    if _EMPTY.search(cond):
        return _count_cmp(subject, "eq", ops)
    m = _CONTAINS.search(cond)
    if m and kind != "num":
        needle = m.group("code") or m.group("quoted")
        value = ops.cmp("contains", ops.text(subject), ops.const(needle, "text"))
        return ops.tag(calc.not_(value, loc=ops.loc)) if m.group("neg") else value
    m = _ANY_NOT.search(cond)
    if m and kind != "num":
        state = re.escape(m.group("state"))
        every = m.group("q").lower() in ("all", "every")
        negative = bool(m.group("neg")) or every  # "all are Running" is "none is not Running"
        line = rf"(?m)^(?!NAME\s)(?!.*\b{state}\b).*\S.*$" if negative else rf"(?m)^(?!NAME\s).*\b{state}\b.*$"
        matches = ops.tag(data.regex_extract(subject, line, all=True, result=JSON, loc=ops.loc))
        return ops.cmp("eq" if every else "gt", ops.count(matches), ops.const(0, "num"))
    m = _NUMERIC.search(cond)
    if m:
        number = float(m.group("num")) if "." in m.group("num") else int(m.group("num"))
        measured = subject if kind == "num" else _number_in(subject, m.group("what"), ops)
        if measured is None:
            return None
        return ops.cmp(_OPS[m.group("op").lower()], measured, ops.const(number, "num"))
    return None


def _count_cmp(subject: Value, pred: str, ops: _Ops) -> Value:
    n = subject if subject.type == NUM else ops.count(subject)
    return ops.cmp(pred, n, ops.const(0, "num"))


def _number_in(subject: Value, what: str, ops: _Ops) -> Value | None:
    """The first number after `what` in the subject's text (the first number at all when generic)."""
    what = " ".join(what.replace("`", "").split()).strip().lower()
    words = re.findall(r"[a-z][a-z0-9_]+", what)
    if what in _GENERIC or not words:
        pattern = r"(-?\d+(?:\.\d+)?)"
    else:
        pattern = rf"(?i)\b{re.escape(words[-1])}\b\D{{0,40}}?(-?\d+(?:\.\d+)?)"
    text = ops.tag(data.regex_extract(ops.text(subject), pattern, group=1, loc=ops.loc))
    return ops.tag(data.json_get(text, "$", NUM, loc=ops.loc))
