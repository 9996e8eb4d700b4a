"""Candidate programs: the small JSON language solidified LLM steps are written in.

A candidate maps an op's operand values (`args`, a list; runtime values as in
`skc.runtime`) to the value the LLM would have produced. Its program is one
expression, a JSON object with an `op` key:

    const     {"value": v}                               a fixed answer
    ref       {"path": [0, "items", 0, "name"]}          a field of an operand (operand index first)
    regex     {"src": e, "pattern": p, "group": 1}       first match in the text of e
    table     {"src": e}                                 rows parsed from a text table (kubectl, csv, |md|)
    count     {"src": e}                                 list/dict length, or non-empty lines of text
    num       {"src": e}                                 e as a number (`rowpred.as_number`)
    agg       {"src": rows, "fn": max|min|sum|mean, "col": c}
    pick      {"src": rows, "by": max|min|first|last, "key": c, "take": c2}
    lookup    {"src": rows, "col": c, "match": e, "take": c2}   first row whose c equals e
    count_where {"src": rows, "pred": row predicate}     native above the row threshold (native.py)
    empty     {"src": e}      contains {"src": e, "literal": s}
    cmp       {"pred": gt|ge|lt|le|eq|ne|contains, "lhs": e, "rhs": e}
    if        {"cond": e, "then": e, "else": e}          a decision tree is nested ifs
    template  {"parts": ["text", e, ...]}                concatenation; values rendered by `fmt`
    object    {"fields": {"k": e, ...}}                  a JSON object
    python    {"code": "def solve(args): ..."}           LLM-written code (runs in a subprocess)

A `Candidate` is `kind` (decision, template, extract, const, python) plus the
expression; its `fingerprint` identifies it in the profile store and traces.
`evaluate` raises ProgramError when the program has no answer for the inputs
(missing field, no regex match): the guard treats that as a miss.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from skc.runtime.jit import native
from skc.runtime.jit.rowpred import as_number, as_text

Expr = dict[str, Any]
KINDS = ("const", "decision", "template", "extract", "python")


class ProgramError(Exception):
    """The candidate has no answer for these inputs."""


class ProgramTimeout(ProgramError):
    """The candidate ran past its deadline."""


class Deadline:
    """A point in time after which `check` raises ProgramTimeout (None: no limit)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.at = None if seconds is None else time.monotonic() + seconds

    def check(self) -> None:
        if self.at is not None and time.monotonic() > self.at:
            raise ProgramTimeout("deadline passed")


@dataclass(frozen=True)
class Candidate:
    """A synthesised program for one op: what kind of rule it is, and the rule.

    `envelope` lists, for a decision, each thresholded feature with the range of
    values seen in the recorded pairs ({"expr", "min", "max"}); the guard asks the
    LLM about inputs outside it. It is not part of the `fingerprint`.
    """

    kind: str
    expr: Expr
    envelope: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "expr": self.expr}
        return {**data, "envelope": self.envelope} if self.envelope else data

    @staticmethod
    def from_json(data: dict[str, Any]) -> Candidate:
        return Candidate(str(data["kind"]), dict(data["expr"]), list(data.get("envelope", [])))

    @property
    def fingerprint(self) -> str:
        text = json.dumps({"kind": self.kind, "expr": self.expr}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def canonical(value: Any) -> str:
    """Equality key of runtime values: JSON with sorted keys (1 and 1.0 stay distinct)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def fmt(v: Any) -> str:
    """How a value appears inside text (`rowpred.as_text`, the same as `data.template`'s)."""
    return as_text(v)


def text_of(v: Any) -> str:
    """The text a regex or `contains` searches (as `data.regex_extract` reads non-text values)."""
    return as_text(v)


def count(v: Any) -> int:
    """`data.count` semantics: list/dict length, non-empty lines of text, 0 for null."""
    if isinstance(v, list | dict):
        return len(v)
    if isinstance(v, str):
        return sum(1 for line in v.splitlines() if line.strip())
    if v is None:
        return 0
    raise ProgramError(f"cannot count a {type(v).__name__}")


def get_path(args: list[Any], path: list[Any]) -> Any:
    cur: Any = args
    for key in path:
        try:
            if isinstance(cur, dict) and isinstance(key, str):
                cur = cur[key]
            elif isinstance(cur, list) and isinstance(key, int) and not isinstance(key, bool):
                cur = cur[key]
            else:
                raise ProgramError(f"no field {key!r}")
        except (KeyError, IndexError) as e:
            raise ProgramError(f"no field {key!r}") from e
    return cur


_SPLIT_MD = re.compile(r"\s*\|\s*")


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a text table (see `_parse_table`); parsed once per distinct text (cached)."""
    return _parse_table(text)


@functools.lru_cache(maxsize=512)
def _parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a text table: `| a | b |` markdown, tab or comma separated, or aligned columns
    (kubectl/ps style: cells are cut at the header's column starts when splitting on
    whitespace would not give one cell per header)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return []
    head = lines[0]
    if head.lstrip().startswith("|"):
        cells = [_SPLIT_MD.split(ln.strip().strip("|")) for ln in lines]
        body = [c for c in cells[1:] if not all(re.fullmatch(r":?-+:?", x) for x in c)]
        return [dict(zip(cells[0], row, strict=False)) for row in body]
    for sep in ("\t", ","):
        if sep in head and all(ln.count(sep) == head.count(sep) for ln in lines):
            names = [h.strip() for h in head.split(sep)]
            return [dict(zip(names, (c.strip() for c in ln.split(sep)), strict=False)) for ln in lines[1:]]
    names = head.split()
    if all(len(ln.split()) == len(names) for ln in lines[1:]):
        return [dict(zip(names, ln.split(), strict=True)) for ln in lines[1:]]
    starts = [m.start() for m in re.finditer(r"\S+", head)]
    bounds = list(zip(starts, [*starts[1:], None], strict=True))
    return [{n: ln[a:b].strip() for n, (a, b) in zip(names, bounds, strict=True)} for ln in lines[1:]]


def as_rows(v: Any) -> list[dict[str, Any]]:
    if isinstance(v, str):
        v = parse_table(v)
    if not isinstance(v, list) or not all(isinstance(r, dict) for r in v):
        raise ProgramError("not a table")
    return v


def compare(pred: str, a: Any, b: Any) -> bool:
    """`calc.cmp` over runtime values: numbers numerically (IEEE: NaN compares false except
    `ne`), other values as text for eq/ne; `contains` is substring of the text."""
    if pred == "contains":
        return fmt(b) in text_of(a)
    if isinstance(b, int | float) and not isinstance(b, bool):
        x, y = as_number(a), float(b)
        return {"gt": x > y, "ge": x >= y, "lt": x < y, "le": x <= y, "eq": x == y, "ne": x != y}[pred]
    if pred in ("eq", "ne"):
        return (fmt(a) == fmt(b)) == (pred == "eq")
    raise ProgramError(f"cannot compare {pred} on text")


def agg(fn: str, rows: list[dict[str, Any]], col: str) -> float:
    vals = [x for x in (as_number(r.get(col)) for r in rows) if not math.isnan(x)]
    if not vals:
        raise ProgramError(f"no numbers in column {col!r}")
    if fn == "sum":
        return math.fsum(vals)
    if fn == "mean":
        return math.fsum(vals) / len(vals)
    return max(vals) if fn == "max" else min(vals)


def pick(rows: list[dict[str, Any]], by: str, key: str | None, take: str) -> Any:
    if not rows:
        raise ProgramError("empty table")
    if by in ("first", "last"):
        row = rows[0] if by == "first" else rows[-1]
    else:
        scored = [(as_number(r.get(key or "")), i) for i, r in enumerate(rows)]
        scored = [s for s in scored if not math.isnan(s[0])]
        if not scored:
            raise ProgramError(f"no numbers in column {key!r}")
        best = max(s[0] for s in scored) if by == "max" else min(s[0] for s in scored)
        row = rows[next(i for v, i in scored if v == best)]
    if take not in row:
        raise ProgramError(f"no column {take!r}")
    return row[take]


def lookup(rows: list[dict[str, Any]], col: str, match: Any, take: str) -> Any:
    want = fmt(match)
    for r in rows:
        if col in r and fmt(r[col]) == want and take in r:
            return r[take]
    raise ProgramError(f"no row with {col} = {want!r}")


def evaluate(expr: Expr, args: list[Any], deadline: Deadline | None = None) -> Any:
    """The value of `expr` for operand values `args` (ProgramError when it has none)."""
    dl = deadline or Deadline()

    def ev(e: Expr) -> Any:
        dl.check()
        op = e["op"]
        if op == "ref":
            return get_path(args, e["path"])
        if op not in _EVAL:
            raise ProgramError(f"unknown program op {op!r}")
        return _EVAL[op](e, ev)

    return ev(expr)


Eval = Callable[[Expr], Any]


def regex_group(pattern: str, value: Any, group: int = 1) -> str:
    """The group of the first match (multi-line mode, as `data.regex_extract`); no match is an
    error here, where `data.regex_extract` would give "" (the guard turns it into a fallback)."""
    m = re.search(pattern, text_of(value), re.MULTILINE)
    if m is None:
        raise ProgramError(f"no match for {pattern!r}")
    return m.group(group)


def count_where(pred: dict[str, Any], value: Any) -> int:
    """Rows of a table (or text table) satisfying a row predicate; native on large tables."""
    return native.count_rows(pred, as_rows(value))


def _regex(e: Expr, ev: Eval) -> Any:
    return regex_group(e["pattern"], ev(e["src"]), e.get("group", 1))


def _python(e: Expr, ev: Eval) -> Any:
    raise ProgramError("python candidates run in the sandbox (sandbox.py), not in-process")


_EVAL: dict[str, Callable[[Expr, Eval], Any]] = {
    "const": lambda e, ev: e["value"],
    "regex": _regex,
    "table": lambda e, ev: parse_table(text_of(ev(e["src"]))),
    "count": lambda e, ev: count(ev(e["src"])),
    "num": lambda e, ev: as_number(ev(e["src"])),
    "agg": lambda e, ev: agg(e["fn"], as_rows(ev(e["src"])), e["col"]),
    "pick": lambda e, ev: pick(as_rows(ev(e["src"])), e["by"], e.get("key"), e["take"]),
    "lookup": lambda e, ev: lookup(as_rows(ev(e["src"])), e["col"], ev(e["match"]), e["take"]),
    "count_where": lambda e, ev: count_where(e["pred"], ev(e["src"])),
    "empty": lambda e, ev: count(ev(e["src"])) == 0,
    "contains": lambda e, ev: e["literal"] in text_of(ev(e["src"])),
    "cmp": lambda e, ev: compare(e["pred"], ev(e["lhs"]), ev(e["rhs"])),
    "if": lambda e, ev: ev(e["then"]) if ev(e["cond"]) else ev(e["else"]),
    "template": lambda e, ev: "".join(p if isinstance(p, str) else fmt(ev(p)) for p in e["parts"]),
    "object": lambda e, ev: {k: ev(v) for k, v in e["fields"].items()},
    "python": _python,
}
