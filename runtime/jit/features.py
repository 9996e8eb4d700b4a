"""The search space of synthesis: features of the inputs, and where an output value came from.

`decision_features` lists the numbers, booleans and categories a predicate can
test: numeric fields, numbers parsed from text (`error rate: 7.5%`), counts of
items/rows/lines, emptiness, whether a literal occurs, aggregates of table
columns, and counts of rows satisfying a threshold (`count_where`, the part that
runs natively on large tables). Text that looks like a table (kubectl output,
csv, markdown) is parsed into rows first.

`discover` lists the program expressions that produce one given value from one
pair's inputs: the field itself (`ref`), a regex that extracts it from text, a
table lookup (`pick` by max/min/first/last, `lookup` by another input), a count
or an aggregate. Expressions carry a cost; cheaper ones are preferred.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from skc.runtime.jit.program import Expr, ProgramError, evaluate, fmt, parse_table
from skc.runtime.jit.rowpred import as_number

MAX_NODES = 2000
_NUM_IN_TEXT = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?![\w.])")
_TOKEN = re.compile(r"[A-Za-z][\w\-.]{2,}")
_WORD_BOUNDARY = re.compile(r"\w")


@dataclass(frozen=True)
class Feature:
    """A value computed from the inputs that a decision can test.

    `kind` is `num` (thresholds), `bool` (the test itself) or `cat` (equality with a value).
    """

    expr: Expr
    kind: str
    cost: int


def ref(path: list[Any]) -> Expr:
    return {"op": "ref", "path": list(path)}


def walk(args: list[Any]) -> Iterator[tuple[list[Any], Any]]:
    """(path, value) of every operand and nested field; lists by their first three and last item."""
    budget = [MAX_NODES]

    def go(path: list[Any], v: Any, depth: int) -> Iterator[tuple[list[Any], Any]]:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        yield path, v
        if depth >= 5:
            return
        if isinstance(v, dict):
            for k, x in v.items():
                yield from go([*path, k], x, depth + 1)
        elif isinstance(v, list) and v:
            idx = [i for i in (0, 1, 2) if i < len(v)] + ([-1] if len(v) > 3 else [])
            for i in idx:
                yield from go([*path, i], v[i], depth + 1)

    for i, a in enumerate(args):
        yield from go([i], a, 0)


def is_table(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(r, dict) for r in v[:50])


def text_table(v: Any) -> list[dict[str, str]] | None:
    """Rows when `v` is text shaped like a table with a header and at least one row."""
    if not isinstance(v, str) or v.count("\n") < 1:
        return None
    try:
        rows = parse_table(v)
    except ValueError:
        return None
    ok = rows and len(rows[0]) >= 2 and all(len(r) == len(rows[0]) for r in rows)
    # "key: value" lines split into two cells too, but they are a record, not a table
    keyed = sum(1 for r in rows if str(next(iter(r.values()), "")).rstrip().endswith((":", "=")))
    return rows if ok and keyed * 2 < len(rows) and not next(iter(rows[0])).endswith(":") else None


def _column_kinds(tables: list[list[dict[str, Any]]]) -> tuple[list[str], list[str]]:
    """Numeric and categorical columns over all pairs' tables."""
    values: dict[str, list[Any]] = {}
    for rows in tables:
        for r in rows[:500]:
            for k, x in r.items():
                values.setdefault(k, []).append(x)
    numeric, categorical = [], []
    for col, vals in values.items():
        nums = sum(1 for x in vals if not math.isnan(as_number(x)))
        if nums >= 0.8 * len(vals):
            numeric.append(col)
        elif len({fmt(x) for x in vals}) <= 10:
            categorical.append(col)
    return numeric, categorical


def nice_values(values: list[float], k: int = 5) -> list[float]:
    """A few quantiles of `values`, each rounded to two significant digits."""
    vals = sorted(v for v in values if not math.isnan(v))
    if not vals:
        return []
    out = []
    for q in (0.1, 0.25, 0.5, 0.75, 0.9)[:k]:
        v = vals[min(len(vals) - 1, int(q * len(vals)))]
        out.append(float(f"{v:.2g}"))
    return sorted(set(out))


def _table_features(src: Expr, tables: list[list[dict[str, Any]]], hints: list[float],
                    base: int) -> list[Feature]:
    numeric, categorical = _column_kinds(tables)
    feats = []
    for col in numeric:
        for fn in ("max", "min", "sum", "mean"):
            feats.append(Feature({"op": "agg", "src": src, "fn": fn, "col": col}, "num", base + 1))
        pooled = [as_number(r.get(col)) for rows in tables for r in rows[:500]]
        for t in sorted(set(hints) | set(nice_values(pooled))):
            for p in ("gt", "ge"):
                pred = {"op": "cmp", "pred": p, "lhs": {"op": "col", "name": col}, "rhs": {"op": "const", "value": t}}
                cost = base + (1 if t in hints else 2)  # a threshold the prompt states is likelier
                feats.append(Feature({"op": "count_where", "src": src, "pred": pred}, "num", cost))
    for col in categorical:
        for v in sorted({fmt(r.get(col)) for rows in tables for r in rows[:500] if col in r}):
            pred = {"op": "cmp", "pred": "eq", "lhs": {"op": "col", "name": col}, "rhs": {"op": "const", "value": v}}
            feats.append(Feature({"op": "count_where", "src": src, "pred": pred}, "num", base + 2))
    return feats


def _text_features(src: Expr, texts: list[str]) -> list[Feature]:
    feats = [Feature({"op": "count", "src": src}, "num", 3), Feature({"op": "empty", "src": src}, "bool", 2)]
    patterns: dict[str, None] = {}
    for text in texts:
        for m in list(_NUM_IN_TEXT.finditer(text))[:40]:
            line_start = text.rfind("\n", 0, m.start()) + 1
            prefix = text[line_start:m.start()]
            words = list(re.finditer(r"\S+\s*", prefix))
            for n in (1, 2):
                if len(words) >= n:
                    label = prefix[words[-n].start():]
                    patterns.setdefault(re.escape(label.rstrip()) + r"\s*([-+]?\d+(?:\.\d+)?)", None)
    for p in patterns:
        feats.append(Feature({"op": "num", "src": {"op": "regex", "src": src, "pattern": p, "group": 1}}, "num", 5))
    seen = [set(_TOKEN.findall(t)) for t in texts]
    everywhere = set.intersection(*seen) if seen else set()
    anywhere = sorted(set().union(*seen) - everywhere, key=lambda t: (-sum(t in s for s in seen), t))
    for tok in anywhere[:40]:
        feats.append(Feature({"op": "contains", "src": src, "literal": tok}, "bool", 5))
    return feats


def decision_features(inputs: list[list[Any]], hints: Sequence[float] = ()) -> list[Feature]:
    """Candidate features over the inputs of every pair, cheapest first, each defined on all pairs."""
    first = inputs[0]
    feats: list[Feature] = []
    for path, v in walk(first):
        src = ref(path)
        at = [_at(args, path) for args in inputs]
        # A field of one list item (the first row, say) is a weak explanation: it costs more
        # than anything over the whole operand, so aggregates win when both fit.
        pos = 4 if any(isinstance(k, int) for k in path[1:]) else 0
        if isinstance(v, bool):
            feats.append(Feature({"op": "cmp", "pred": "eq", "lhs": src, "rhs": {"op": "const", "value": True}}, "bool", 1 + pos))
        elif isinstance(v, int | float) or (isinstance(v, str) and not math.isnan(as_number(v))):
            feats.append(Feature({"op": "num", "src": src}, "num", 1 + pos))
        elif isinstance(v, str):
            texts = [x for x in at if isinstance(x, str)]
            if "\n" not in v and len(v) <= 64 and len({*texts}) <= min(8, len(texts) - 1):
                feats.append(Feature(src, "cat", 2 + pos))  # a short value that recurs: a category
            if not pos:
                feats += _text_features(src, texts)
                parsed = [text_table(x) for x in texts]
                tables = [t for t in parsed if t is not None]
                if "\n" in v and len(tables) == len(parsed):
                    feats += _table_features({"op": "table", "src": src}, tables, list(hints), 3)
        elif isinstance(v, list):
            feats += [Feature({"op": "count", "src": src}, "num", 2), Feature({"op": "empty", "src": src}, "bool", 2)]
            if is_table(v):
                tables = [x for x in at if is_table(x)]
                feats += _table_features(src, tables, list(hints), 2)
    return [f for f in feats if all(_defined(f.expr, args) for args in inputs)]


def _at(args: list[Any], path: list[Any]) -> Any:
    try:
        return evaluate(ref(path), args)
    except ProgramError:
        return None


def _defined(expr: Expr, args: list[Any]) -> bool:
    try:
        evaluate(expr, args)
        return True
    except (ProgramError, ValueError, TypeError, re.error):
        return False


# ---------------------------------------------------------------- value discovery

def _bounded(text: str, i: int, j: int) -> bool:
    """`text[i:j]` does not cut a word in two."""
    left_ok = i == 0 or not (_WORD_BOUNDARY.match(text[i - 1]) and _WORD_BOUNDARY.match(text[i]))
    right_ok = j == len(text) or not (_WORD_BOUNDARY.match(text[j - 1]) and _WORD_BOUNDARY.match(text[j]))
    return left_ok and right_ok


def regexes_for(target: str, text: str) -> list[str]:
    """Patterns whose first match's group 1 in `text` is `target`, anchored on what precedes it."""
    classes = [c for c in (r"\d+(?:\.\d+)*", r"[\w.\-]+", r"[\w.\-/:@+]+", r"\S+")
               if re.fullmatch(c, target)] or [re.escape(target)]
    out: list[str] = []
    start = 0
    for _ in range(3):
        i = text.find(target, start)
        if i < 0:
            break
        start = i + 1
        if not _bounded(text, i, i + len(target)):
            continue
        line_start = text.rfind("\n", 0, i) + 1
        prefix = text[line_start:i]
        words = list(re.finditer(r"\S+\s*", prefix))
        labels = [prefix[words[-n].start():] for n in (1, 2, 3) if len(words) >= n]
        anchors = [re.escape(lab) for lab in labels] + ([r"(?m)^"] if not prefix else [])
        for anchor in anchors:
            for cls in classes[:2]:
                pattern = f"{anchor}({cls})"
                m = re.search(pattern, text)
                if m and m.group(1) == target and pattern not in out:
                    out.append(pattern)
    return out


def discover(target: Any, args: list[Any]) -> list[tuple[int, Expr]]:
    """(cost, expression) pairs that produce `target` from `args` (this pair only)."""
    found: list[tuple[int, Expr]] = []
    want = fmt(target) if isinstance(target, str) else None
    scalars = [(p, v) for p, v in walk(args) if isinstance(v, str | int | float) and not isinstance(v, bool)]
    for path, v in walk(args):
        same = v == target and type(v) is type(target)
        if same or (want is not None and not isinstance(v, dict | list) and fmt(v) == want):
            found.append((1, ref(path)))
        if want and isinstance(v, str) and v != want and len(want) >= 2:
            for p in regexes_for(want, v):
                found.append((3, {"op": "regex", "src": ref(path), "pattern": p, "group": 1}))
        table = v if is_table(v) else text_table(v)
        if table:
            src = ref(path) if is_table(v) else {"op": "table", "src": ref(path)}
            extra = 0 if is_table(v) else 1  # a parsed text table is a guess: a regex goes first
            found += [(c + extra, e) for c, e in _table_sources(target, table, src, scalars, path)]
        if isinstance(v, list | dict) or (isinstance(v, str) and "\n" in v):
            n = len(v) if isinstance(v, list | dict) else sum(1 for ln in v.splitlines() if ln.strip())
            if fmt(n) == fmt(target) and not isinstance(target, bool):
                found.append((4, {"op": "count", "src": ref(path)}))
    return sorted(found, key=lambda c: c[0])


def _table_sources(target: Any, rows: list[dict[str, Any]], src: Expr,
                   scalars: list[tuple[list[Any], Any]], table_path: list[Any]) -> list[tuple[int, Expr]]:
    out: list[tuple[int, Expr]] = []
    numeric, _ = _column_kinds([rows])
    extremes: dict[tuple[str, str], int] = {}
    for key in numeric:
        scored = [(as_number(r.get(key)), i) for i, r in enumerate(rows)]
        scored = [s for s in scored if not math.isnan(s[0])]
        if scored:
            hi, lo = max(v for v, _ in scored), min(v for v, _ in scored)
            extremes[(key, "max")] = next(i for v, i in scored if v == hi)
            extremes[(key, "min")] = next(i for v, i in scored if v == lo)
    others = [(p, x) for p, x in scalars if p[: len(table_path)] != table_path]
    for i, row in enumerate(rows[:1000]):
        for take, cell in row.items():
            if not (cell == target or fmt(cell) == fmt(target)):
                continue
            for by, at in (("first", 0), ("last", len(rows) - 1)):
                if i == at:
                    out.append((2, {"op": "pick", "src": src, "by": by, "take": take}))
            for (key, by), at in extremes.items():
                if at == i:
                    out.append((2, {"op": "pick", "src": src, "by": by, "key": key, "take": take}))
            for col, x in row.items():
                for path, s in others:
                    if col != take and fmt(s) == fmt(x):
                        out.append((2, {"op": "lookup", "src": src, "col": col, "match": ref(path), "take": take}))
    if isinstance(target, int | float) and not isinstance(target, bool):
        for col in numeric:
            for fn in ("max", "min", "sum", "mean"):
                e = {"op": "agg", "src": src, "fn": fn, "col": col}
                if _value(e, rows) == target:
                    out.append((4, e))
    return out


def _value(expr: Expr, rows: list[dict[str, Any]]) -> Any:
    """`expr` (whose src is a table) evaluated on `rows` directly."""
    try:
        return evaluate({**expr, "src": {"op": "const", "value": rows}}, [])
    except ProgramError:
        return None
