"""Synthesis: a candidate program that reproduces every recorded pair of one op exactly.

Tried in order, first success wins:

 (a) decision — the outputs come from a closed set (an `llm.decide`'s outcomes, or
     at most four answers each seen at least twice): a decision tree of depth 1-2
     whose leaves are the answers (`decision.py`).
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

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from skc.runtime.jit.decision import envelope, learn_tree
from skc.runtime.jit.features import discover, walk
from skc.runtime.jit.program import Candidate, Expr, ProgramError, canonical, evaluate, fmt
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
