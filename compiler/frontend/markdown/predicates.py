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
    "the p95_ms of the first row is above 1000" (a table or JSON list) json_get $[0].p95_ms, calc.cmp gt
    "any row has degraded_minutes above 0"     count of json_get $[?(@.degraded_minutes > 0)] > 0
    anything else                              llm.decide(yes/no) -> calc.cmp eq "yes"

A number subject (`... | wc -l`) is compared directly. Code tests only what code
produced (`computed`): a condition over prose a model wrote, or with no subject, is
the llm fallback (it still sees the condition's text).
"""

from __future__ import annotations

import re

from skc.compiler.caseless import Lowered
from skc.compiler.compare import COMPARISONS as _OPS
from skc.compiler.frontend.markdown.remarks import same_fact
from skc.ir import JSON, NUM, TEXT, Value, calc, data, llm
from skc.ir.location import Location

_EMPTY = Lowered(re.compile(
    r"\b(?:output|result|results|it|this|that|command|query|response|list)\b[^.]*?\b(?:is|are|comes back|returns?|was)\s+"
    r"(?:empty|blank|nothing|no (?:output|results?|rows?|lines?|entries|items))"
    r"|\bno (?:output|results?|rows?|lines?|entries|items|data)\b(?! (?:is|are) (?:missing|lost))"
    r"|\bnothing (?:is |was )?(?:returned|printed|shown|listed)|\bdo(?:n't|es not| not)(?: \w+)? (?:get|see|return|show) "
    r"(?:any|anything)\b|\breturns? (?:nothing|no\b)|\bis empty\b", re.I))
_NONEMPTY = Lowered(re.compile(
    r"\b(?:returns?|gets?|shows?|lists?|prints?)\s+(?:any\s+|some\s+)?(?:results?|rows?|output|lines?|entries|items)\b"
    r"|\b(?:output|result)s? (?:is|are) not empty\b|\bthere (?:are|is) (?:any |some )?(?:results?|rows?|output)\b"
    r"|\byou (?:get|see) (?:any |some )?results?\b", re.I))
_CONTAINS = Lowered(re.compile(r"\b(?P<neg>(?:does not|doesn't|do not|don't|not)\s+)?(?:contains?|includes?|shows?|mentions?|says|"
                               r"reports?|see|lists?|displays?)\s+(?:the\s+)?(?:string\s+|text\s+|word\s+|message\s+|error\s+)?"
                               r"(?:`(?P<code>[^`]+)`|\"(?P<quoted>[^\"]+)\")", re.I))
_ANY_NOT = re.compile(r"\b(?P<q>any|some|one or more|at least one|all|every)\s+(?:of\s+the\s+)?(?P<noun>[\w-]+)s?\s+"
                      r"(?:is|are|isn't|aren't)\s+(?P<neg>not\s+)?(?:in\s+)?(?:the\s+)?`?(?P<state>[A-Z][A-Za-z]+)`?", re.I)
_NUMERIC = re.compile(
    r"(?P<what>[\w%./ `-]{1,60}?)\s+(?:is|are|was|goes|stays|remains|exceeds|reaches|gets)?\s*"
    r"(?P<op>above|over|greater than|more than|higher than|exceeds|larger than|bigger than|below|under|less than|"
    r"lower than|smaller than|at least|at most|equal to|equals|>=|<=|>|<|==|=)\s*(?:or equal to\s*)?"
    r"(?P<num>-?\d{1,3}(?:,\d{3})+(?![\d.])|-?\d+(?:\.\d+)?)\s*(?P<unit>%|percent)?", re.I)
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
    value = _decided(cond, subject, ops)
    if value is None and subject and subject[-1].type.kind != "token" and computed(subject[-1]):
        value = _code(cond, subject[-1], ops)
    if value is None:
        question = cond.rstrip(" .:,") + "?"
        answer = ops.tag(llm.decide(question[0].upper() + question[1:], ["yes", "no"], *subject, loc=loc))
        value = ops.cmp("eq", answer, ops.const("yes", "text"))
    if negated:
        value = ops.tag(calc.not_(value, loc=loc))
    return value


_DERIVED = ("data.", "calc.")


def computed(v: Value) -> bool:
    """Whether code produced `v` (a command's or query's output, an input, a constant, or what data
    and calc ops make of them), so that code may test it; prose a model wrote is not: a number
    in it is whatever the model said, so a condition over it is an `llm.decide`."""
    op = v.defining_op
    for _ in range(16):
        if op is None or op.op_name.startswith(("tool.", "ctrl.manual", "llm.extract", "llm.decide")) or \
                op.op_name == "data.const":
            return True
        if not op.op_name.startswith(_DERIVED) or not op.operands:
            return not op.op_name.startswith("llm.")
        op = op.operands[0].defining_op
    return False


def _decided(cond: str, subject: list[Value], ops: _Ops) -> Value | None:
    """ "If the cause is a bad deployment" right after a decision among named outcomes: the
    decision's own value compared with that outcome (no second model call)."""
    words = " " + re.sub(r"[^a-z0-9]+", " ", cond.lower()) + " "
    for v in reversed(subject):
        op = v.defining_op
        if op is None or op.op_name != "llm.decide":
            continue
        outcomes = [o for o in op.attr_strs("outcomes") or [] if o not in ("yes", "no")]
        if not outcomes and same_fact(str(op.attributes.get("prompt", "")), cond):
            return ops.cmp("eq", v, ops.const("yes", "text"))  # "Check whether X. If they are, ...": its answer
        hits = [o for o in outcomes if f" {o.replace('_', ' ')} " in words]
        if len(hits) == 1:
            return ops.cmp("eq", v, ops.const(hits[0], "text"))
        return None
    return None


def decision_for(cond: str, values: list[Value]) -> list[Value]:
    """The latest `llm.decide` among `values` one of whose outcomes `cond` names, as a subject."""
    words = " " + re.sub(r"[^a-z0-9]+", " ", cond.lower()) + " "
    for v in reversed(values):
        op = v.defining_op
        if op is not None and op.op_name == "llm.decide" and any(
                o not in ("yes", "no") and f" {o.replace('_', ' ')} " in words
                for o in op.attr_strs("outcomes") or []):
            return [v]
    return []


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
        digits = m.group("num").replace(",", "")  # "over 10,000"
        number = float(digits) if "." in digits else int(digits)
        rows = _row_test(subject, m.group("what"), _OPS[m.group("op").lower()], number, ops) \
            if kind in ("table", "json") else None
        if rows is not None:
            return rows
        measured = subject if kind == "num" else _number_in(subject, m.group("what"), ops)
        if measured is None:
            return None
        return ops.cmp(_OPS[m.group("op").lower()], measured, ops.const(number, "num"))
    return None


_ROW_AT = re.compile(r"(?:the\s+)?(?P<col>[A-Za-z_]\w*)\s+(?:of|in)\s+the\s+(?P<which>first|top|last|bottom)\s+row\Z"
                     r"|(?:the\s+)?(?P<which2>first|top|last|bottom)\s+row'?s\s+(?P<col2>[A-Za-z_]\w*)\Z", re.I)
_ROW_ANY = re.compile(r"(?P<q>any|some|at least one|one or more|no|none of the|every|all|each)\s+(?:of\s+the\s+)?rows?\s+"
                      r"(?:has|have|with|where|whose)\s+(?:an?\s+|the\s+)?(?P<col>[A-Za-z_]\w*)\Z", re.I)
_PATH_OP = {"gt": ">", "lt": "<", "ge": ">=", "le": "<=", "eq": "=="}
_INVERSE = {"gt": "<=", "lt": ">=", "ge": "<", "le": ">", "eq": "!="}


def _row_test(subject: Value, what: str, pred: str, number: int | float, ops: _Ops) -> Value | None:
    """Conditions on the rows of a table or JSON list, by column name:

        "the p95_ms of the first row is above 1000"   json_get $[0].p95_ms > 1000 (last row: $[-1])
        "any row has degraded_minutes above 0"        count of $[?(@.degraded_minutes > 0)] > 0
        "no row has ..." / "every row has ..."        that count == 0 / the count of the other rows == 0
    """
    what = " ".join(what.replace("`", "").split()).strip()
    m = _ROW_AT.search(what)
    if m:
        col = m.group("col") or m.group("col2")
        index = 0 if (m.group("which") or m.group("which2")).lower() in ("first", "top") else -1
        cell = ops.tag(data.json_get(subject, f"$[{index}].{col}", NUM, loc=ops.loc))
        return ops.cmp(pred, cell, ops.const(number, "num"))
    m = _ROW_ANY.search(what)
    if m:
        q = m.group("q").lower()
        every = q in ("every", "all", "each")
        op = _INVERSE[pred] if every else _PATH_OP[pred]
        matches = ops.tag(data.json_get(subject, f"$[?(@.{m.group('col')} {op} {number})]", JSON, loc=ops.loc))
        return ops.cmp("eq" if every or q.startswith("no") else "gt", ops.count(matches), ops.const(0, "num"))
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
