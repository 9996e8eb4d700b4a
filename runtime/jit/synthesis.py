"""Synthesis: a candidate program that reproduces every recorded pair of one op exactly.

Tried in order, first success wins:

 (a) decision — the outputs come from a closed set (an `llm.decide`'s outcomes, or
     at most four answers each seen at least twice): a decision tree of depth 1-2
     over `features.decision_features` whose leaves are the answers. Thresholds
     are taken from numbers in the op's prompt when one separates the data, else
     the roundest number that does (0.05, 500), so "above 5%" is learned as 0.05.
 (b) template — text outputs: literal text with fields substituted, each field an
     expression from `features.discover` that agrees on every pair.
 (c) extraction — JSON outputs: an object whose fields are each a constant, a
     decision, a template or an extracted value (ref / regex / table lookup).
 (d) code — only with a `code_writer` (a capable model; off with the default
     270M model): LLM-written `def solve(args)`, run in the sandbox on every pair.

A candidate is accepted only if evaluating it on every pair's inputs gives that
pair's output exactly (`program.canonical` equality).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skc.runtime.jit.features import Feature, decision_features, discover, walk
from skc.runtime.jit.program import Candidate, Expr, ProgramError, canonical, evaluate, fmt
from skc.runtime.jit.rowpred import as_number
from skc.runtime.jit.store import Pair
from skc.runtime.llm.base import LLMBackend

Example = tuple[list[Any], Any]
_TOKEN = re.compile(r"\w[\w.\-/:@+]*\w|\d")
_PROMPT_NUMBER = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d+)?)(%?)")


@dataclass(frozen=True)
class CodeRequest:
    """What a code-writing model is asked: write `solve(args)` reproducing these examples."""

    op_name: str
    prompt: str
    examples: list[Example]
    feedback: str = ""

    def to_prompt(self) -> str:
        lines = [f"Write a Python function `def solve(args):` that does what this {self.op_name} step does:",
                 self.prompt, "", "`args` is the list of the step's inputs. It must return exactly:"]
        for args, out in self.examples[:8]:
            lines.append(f"solve({canonical(args)[:2000]}) == {canonical(out)}")
        if self.feedback:
            lines += ["", f"Your previous answer was wrong: {self.feedback}"]
        lines += ["", "Use only the standard library. Answer with the code only."]
        return "\n".join(lines)


CodeWriter = Callable[[CodeRequest], str | None]
RunPython = Callable[[Candidate, list[Any]], Any]
_FENCE = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.S)


def backend_code_writer(backend: LLMBackend, max_tokens: int = 1024) -> CodeWriter:
    """A `CodeWriter` that asks `backend` (a capable model, not the 270M default) for the code."""

    def write(request: CodeRequest) -> str | None:
        answer = backend.complete([{"role": "user", "content": request.to_prompt()}],
                                  max_tokens=max_tokens, temperature=0.0)
        m = _FENCE.search(answer.text)
        return (m.group(1) if m else answer.text).strip() or None

    return write


@dataclass
class Synthesizer:
    """Synthesis settings for one op (its outcomes and prompt come from the op's attributes)."""

    op_name: str = ""
    prompt: str = ""
    outcomes: Sequence[str] | None = None
    code_writer: CodeWriter | None = None
    run_python: RunPython | None = None
    code_attempts: int = 2
    hints: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.hints:
            self.hints = prompt_numbers(self.prompt)

    def __call__(self, pairs: Sequence[Pair | Example]) -> Candidate | None:
        examples = [(p.inputs, p.output) if isinstance(p, Pair) else (list(p[0]), p[1]) for p in pairs]
        if not examples:
            return None
        outputs = [o for _, o in examples]
        inputs = [a for a, _ in examples]
        if len(outputs) > 1 and len({canonical(o) for o in outputs}) == 1:
            return Candidate("const", {"op": "const", "value": outputs[0]})
        if self.outcomes is not None or closed_set(outputs):
            tree = learn_tree(inputs, outputs, self.hints)
            if tree is not None:
                return Candidate(_kind(tree), tree, envelope(tree, inputs))
        if self.outcomes is None:
            expr = synth_value(inputs, outputs, self.hints, trees=False)
            if expr is not None and reproduces(expr, examples):
                return Candidate(_kind(expr), expr)
        return self._code(examples)

    def _code(self, examples: list[Example]) -> Candidate | None:
        if self.code_writer is None or self.run_python is None:
            return None
        feedback = ""
        for _ in range(self.code_attempts):
            code = self.code_writer(CodeRequest(self.op_name, self.prompt, examples, feedback))
            if not code or "def solve" not in code:
                return None
            cand = Candidate("python", {"op": "python", "code": code})
            feedback = ""
            for args, out in examples:
                try:
                    got = self.run_python(cand, args)
                except ProgramError as e:
                    feedback = f"solve({canonical(args)[:500]}) failed: {e}"
                    break
                if canonical(got) != canonical(out):
                    feedback = f"solve({canonical(args)[:500]}) returned {canonical(got)[:200]}, expected {canonical(out)[:200]}"
                    break
            if not feedback:
                return cand
        return None


def synthesize(pairs: Sequence[Pair | Example], **settings: Any) -> Candidate | None:
    """A candidate reproducing every pair, or None. `settings` are `Synthesizer` fields."""
    return Synthesizer(**settings)(pairs)


def prompt_numbers(prompt: str) -> list[float]:
    """Numbers written in a prompt ("above 5%" gives 5 and 0.05): preferred thresholds."""
    out: set[float] = set()
    for m in _PROMPT_NUMBER.finditer(prompt or ""):
        x = float(m.group(1))
        out.add(x)
        if m.group(2):
            out.add(round(x / 100, 12))
    return sorted(out)


def closed_set(outputs: list[Any]) -> bool:
    """Few distinct scalar answers, each seen at least twice: what a decision can explain."""
    if not all(isinstance(o, str | bool | int | float) for o in outputs):
        return False
    counts: dict[str, int] = {}
    for o in outputs:
        counts[canonical(o)] = counts.get(canonical(o), 0) + 1
    return len(counts) <= 4 and min(counts.values()) >= 2


def reproduces(expr: Expr, examples: list[Example]) -> bool:
    for args, out in examples:
        try:
            if canonical(evaluate(expr, args)) != canonical(out):
                return False
        except (ProgramError, ValueError, TypeError, re.error):
            return False
    return True


def _kind(expr: Expr) -> str:
    return {"if": "decision", "template": "template", "const": "const"}.get(expr["op"], "extract")


# ---------------------------------------------------------------- (a) decisions

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


# ---------------------------------------------------------------- (b) templates, (c) extraction

def synth_value(inputs: list[list[Any]], outputs: list[Any], hints: Sequence[float] = (),
                trees: bool = True) -> Expr | None:
    """An expression producing `outputs[i]` from `inputs[i]` for every i (recursive over objects)."""
    examples = list(zip(inputs, outputs, strict=True))
    same = len({canonical(o) for o in outputs}) == 1
    if same and len(outputs) > 1:  # one pair alone: an output built from the inputs is likelier
        return {"op": "const", "value": outputs[0]}
    if all(isinstance(o, dict) for o in outputs) and len({tuple(sorted(o)) for o in outputs}) == 1:
        fields = {}
        for key in outputs[0]:
            sub = synth_value(inputs, [o[key] for o in outputs], hints)
            if sub is None:
                return None
            fields[key] = sub
        return {"op": "object", "fields": fields}
    if trees and closed_set(outputs) and (tree := learn_tree(inputs, outputs, hints)) is not None:
        return tree
    if all(isinstance(o, str) for o in outputs):
        for k in dict.fromkeys((0, len(examples) - 1)):
            expr = template(examples, k)
            if expr is not None:
                return expr
    else:
        for _, expr in discover(outputs[0], inputs[0]):
            if reproduces(expr, examples):
                return expr
    return {"op": "const", "value": outputs[0]} if same else None


def _spans(output: str, args: list[Any]) -> list[tuple[int, int, list[Expr]]]:
    """Substrings of `output` that some expression over `args` produces, longest first, disjoint."""
    cands: dict[str, None] = {}
    for _, v in walk(args):
        if isinstance(v, str | int | float) and not isinstance(v, bool):
            s = fmt(v)
            if 1 <= len(s) <= 200 and s in output and "\n" not in s:
                cands.setdefault(s, None)
    for m in _TOKEN.finditer(output):
        cands.setdefault(m.group(), None)
    found = []
    for s in sorted(cands, key=len, reverse=True):
        exprs = [e for _, e in discover(s, args)]
        if not exprs:
            continue
        start = 0
        while (i := output.find(s, start)) >= 0:
            found.append((i, i + len(s), exprs))
            start = i + 1
    chosen: list[tuple[int, int, list[Expr]]] = []
    for i, j, exprs in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
        bounded = (i == 0 or not output[i - 1].isalnum() or not output[i].isalnum()) and \
                  (j == len(output) or not output[j].isalnum() or not output[j - 1].isalnum())
        if bounded and all(j <= a or i >= b for a, b, _ in chosen):
            chosen.append((i, j, exprs))
    return sorted(chosen)


def template(examples: list[Example], k: int = 0) -> Expr | None:
    """A template for text outputs, built from example `k` and checked against the others."""
    args, out = examples[k]
    spans = _spans(out, args)
    if not spans:
        return None
    parts: list[str | list[Expr]] = []
    pos = 0
    for i, j, exprs in spans:
        parts += [out[pos:i], exprs]
        pos = j
    parts.append(out[pos:])
    holes = [p for p in parts if isinstance(p, list)]
    pattern = re.compile("".join("(.+?)" if isinstance(p, list) else re.escape(p) for p in parts), re.S)
    seen: list[list[str]] = [[] for _ in holes]
    for a, o in examples:
        m = pattern.fullmatch(o)
        if m is None:
            return None
        for h, (exprs, text) in enumerate(zip(holes, m.groups(), strict=True)):
            seen[h].append(text)
            exprs[:] = [e for e in exprs if _renders(e, a, text)]
    final: list[Any] = []
    for p, h in zip(parts, _hole_index(parts), strict=True):
        if isinstance(p, str):
            final.append(p)
        elif p:
            final.append(p[0])
        elif len(set(seen[h])) == 1:
            final.append(seen[h][0])
        else:
            return None
    merged: list[Any] = []
    for p in final:
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    if len(merged) == 1 and isinstance(merged[0], dict) and reproduces(merged[0], examples):
        return merged[0]
    expr = {"op": "template", "parts": merged}
    return expr if any(isinstance(p, dict) for p in merged) else None


def _hole_index(parts: list[Any]) -> list[int]:
    out, h = [], -1
    for p in parts:
        h += isinstance(p, list)
        out.append(h)
    return out


def _renders(expr: Expr, args: list[Any], text: str) -> bool:
    try:
        return fmt(evaluate(expr, args)) == text
    except (ProgramError, ValueError, TypeError, re.error):
        return False
