"""Decisions: depth-1/2 trees over input features that map every pair to its answer.

The tests are thresholds on numeric features, the truth of boolean features and
the value of short categorical fields (`features.decision_features`). A depth-1
tree beats a depth-2 tree; among trees of one depth the lowest total test cost
wins. A threshold is a number written in the op's prompt when one separates the
data ("above 5%" gives 0.05), else the roundest number that does. `envelope`
records the range each thresholded feature was learned on (the guard's
out-of-distribution check).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

from skc.runtime.jit.features import Feature, decision_features
from skc.runtime.jit.program import Expr, ProgramError, canonical, evaluate, fmt
from skc.runtime.jit.rowpred import as_number


def roundest(lo: float, hi: float) -> float:
    """The roundest number t with lo <= t < hi (so `x > t` separates lo from hi)."""
    top = math.floor(math.log10(max(abs(lo), abs(hi), 1e-12))) + 1
    for e in range(top, -13, -1):
        for step in (10.0**e, 5 * 10.0 ** (e - 1)):
            t = round(math.ceil(lo / step) * step, 12)
            if lo <= t < hi:
                return t
    return lo


def _threshold(lo: float, hi: float, hints: list[float]) -> tuple[str, float]:
    for h in hints:
        if lo <= h < hi:
            return "gt", h
        if lo < h <= hi:
            return "ge", h
    return "gt", roundest(lo, hi)


def _tests(feats: list[Feature], inputs: list[list[Any]], labels: list[str],
           hints: list[float]) -> list[tuple[int, Expr, tuple[bool, ...]]]:
    """Every useful boolean test, as (cost, condition, truth per pair), distinct by truth vector.

    Each feature is evaluated once per pair; a test's truth vector comes from those values
    (`compare` is what evaluating the `cmp` would do), not from evaluating the test again.
    """
    tests: dict[tuple[bool, ...], tuple[int, Expr]] = {}

    def add(cost: int, cond: Expr, vec: tuple[bool, ...]) -> None:
        if any(vec) and not all(vec) and (vec not in tests or tests[vec][0] > cost):
            tests[vec] = (cost, cond)

    for f in feats:
        try:
            values = [evaluate(f.expr, args) for args in inputs]
        except (ProgramError, ValueError, TypeError):
            continue
        if f.kind == "bool":
            add(f.cost, f.expr, tuple(bool(v) for v in values))
            continue
        if f.kind == "cat":
            for v in sorted({fmt(x) for x in values})[:8]:
                add(f.cost, {"op": "cmp", "pred": "eq", "lhs": f.expr, "rhs": {"op": "const", "value": v}},
                    tuple(fmt(x) == v for x in values))
            continue
        numbers = [as_number(x) for x in values]
        nums = sorted({x for x in numbers if not math.isnan(x)})
        by_value: dict[float, set[str]] = {}
        for x, lab in zip(numbers, labels, strict=True):
            by_value.setdefault(x, set()).add(lab)
        bounds = [(lo, hi) for lo, hi in itertools.pairwise(nums)
                  if by_value[lo] != by_value[hi] or len(by_value[lo]) > 1]
        for lo, hi in bounds[:64]:
            pred, t = _threshold(lo, hi, hints)
            t_val: float | int = int(t) if float(t).is_integer() else t
            vec = tuple(x > t if pred == "gt" else x >= t for x in numbers)
            add(f.cost + (0 if t in hints else 1),
                {"op": "cmp", "pred": pred, "lhs": f.expr, "rhs": {"op": "const", "value": t_val}}, vec)
    return sorted(((c, e, v) for v, (c, e) in tests.items()), key=lambda t: t[0])


def learn_tree(inputs: list[list[Any]], outputs: list[Any], hints: Sequence[float] = ()) -> Expr | None:
    """The cheapest decision tree of depth <= 2 mapping every pair's inputs to its output.

    Depth 1 beats depth 2; among trees of one depth the lowest total test cost wins.
    Sets of pairs are bitmasks, so the depth-2 search is quadratic in tests, not worse.
    """
    labels = [canonical(o) for o in outputs]
    value = {canonical(o): o for o in outputs}
    by_label: dict[str, int] = {}
    for i, lab in enumerate(labels):
        by_label[lab] = by_label.get(lab, 0) | (1 << i)
    tests = [(c, e, sum(1 << i for i, t in enumerate(vec) if t))
             for c, e, vec in _tests(decision_features(inputs, hints), inputs, labels, list(hints))]

    def leaf(mask: int) -> Expr | None:
        for lab, m in by_label.items():
            if mask & m == mask:
                return {"op": "const", "value": value[lab]}
        return None

    memo: dict[tuple[int, int], tuple[int, Expr] | None] = {}

    def best(mask: int, depth: int) -> tuple[int, Expr] | None:
        if (lf := leaf(mask)) is not None:
            return 0, lf
        if depth == 0:
            return None
        if (mask, depth) in memo:
            return memo[(mask, depth)]
        memo[(mask, depth)] = found = search(mask, depth)
        return found

    def search(mask: int, depth: int) -> tuple[int, Expr] | None:
        found: tuple[int, Expr] | None = None
        for cost, cond, vec in tests:
            if found is not None and cost >= found[0]:
                break
            yes, no = mask & vec, mask & ~vec
            if not yes or not no:
                continue
            then = best(yes, depth - 1)
            other = best(no, depth - 1) if then is not None else None
            if then is not None and other is not None and (found is None or cost + then[0] + other[0] < found[0]):
                found = (cost + then[0] + other[0], {"op": "if", "cond": cond, "then": then[1], "else": other[1]})
        return found

    everyone = (1 << len(outputs)) - 1
    tree = best(everyone, 1) or best(everyone, 2)
    return tree[1] if tree else None


def envelope(expr: Expr, inputs: list[list[Any]]) -> list[dict[str, Any]]:
    """Each numeric feature a tree thresholds, with the range of its values over `inputs`."""
    feats: dict[str, Expr] = {}

    def walk_tree(e: Any) -> None:
        if isinstance(e, dict):
            if e.get("op") == "cmp" and e["rhs"].get("op") == "const" and \
                    isinstance(e["rhs"].get("value"), int | float) and not isinstance(e["rhs"]["value"], bool):
                feats.setdefault(canonical(e["lhs"]), e["lhs"])
            for k, v in e.items():
                if k != "pred":  # a count_where's row predicate is over columns, not inputs
                    walk_tree(v)
        elif isinstance(e, list):
            for v in e:
                walk_tree(v)

    walk_tree(expr)
    out = []
    for f in feats.values():
        vals = [float(evaluate({"op": "num", "src": f}, args)) for args in inputs]
        vals = [v for v in vals if not math.isnan(v)]
        if vals:
            out.append({"expr": f, "min": min(vals), "max": max(vals)})
    return out
