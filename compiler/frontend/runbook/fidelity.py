"""Fidelity: how much of what a runbook says its compiled workflow keeps.

`score(module, expected, text)` compares the workflow compiled from one document
with the structure a person wrote down for it (`Expected`, read from YAML by
`load_expected`) and returns a `Score` of counts per element:

    commands   each expected command or query (a distinctive substring of it, and
               its step) against the ops that run something (tool.*, ctrl.manual);
               an expected command no op carries and no diagnostic reports at its
               line is a *silent drop*
    steps      the workflow's `steps` attribute against the expected step labels
    edges      its `step_edges` against the expected step edges
    inputs     its `arg_names` against the expected inputs
    decisions  each expected decision (its step and the steps whose results it must
               see) against the `llm.decide` ops: found, and found with its evidence
    exits      expected early exits (step, status) against `ctrl.return` ops with a status

Two checks need no expected data: *invented conditions* (a `calc.cmp` ordering
comparison whose operand no op computes as a number: an llm answer, a number data ops
read out of an llm.generate text, or raw command text) and *interactive as shell* (a `tool.shell` that still follows, watches, edits
or opens a session). An element the expected data leaves out (None) is not scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from skc.ir.core import Op, Value
from skc.ir.module import Module

_INTERACTIVE = re.compile(r"\b(?:kubectl|oc)\s+get\b[^|;&()]*\s(?:-w|--watch)(?:\s|$)|\blogs\b[^|;&()]*\s(?:-f|--follow)(?:\s|$)|"
                          r"(?:^|[|;&]\s*)(?:tail|journalctl)\b[^|;&]*\s-[fF](?:\s|$)|\b(?:kubectl|oc)\s+(?:rsh|edit|port-forward|attach)\b|"
                          r"\bexec\s+(?:\S+\s+)*-(?:it|ti)\b|\b(?:kubectl|oc)\s+run\b[^|;&]*\s-(?:it|ti)\b|^(?:sudo\s+)?watch\b|\bkubectl\s+debug\b(?!.*\s--\s)|"
                          r"^(?:sudo\s+)?(?:gitlab-)?rails\s+(?:console|c)\s*$")
_NUMERIC = {"gt", "ge", "lt", "le"}
_COMPUTES = ("data.count", "data.json_get", "data.regex_extract", "data.const", "tool.python", "calc.")


@dataclass
class Expected:
    """The hand-checked structure of one document; None means "not scored for this document"."""

    source: str
    commands: list[dict[str, str]] | None = None
    steps: list[str] | None = None
    edges: list[str] | None = None
    inputs: list[str] | None = None
    decisions: list[dict[str, Any]] | None = None
    exits: list[dict[str, str]] | None = None


@dataclass
class Count:
    """Matches of one element: true positives, what was expected, what was found."""

    tp: int = 0
    expected: int = 0
    found: int = 0

    def add(self, other: Count) -> None:
        self.tp += other.tp
        self.expected += other.expected
        self.found += other.found

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return min(self.tp, self.found) / self.found if self.found else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Score:
    """Counts per element for one document (or summed over many with `add`)."""

    counts: dict[str, Count] = field(default_factory=dict)
    silent_drops: list[str] = field(default_factory=list)
    invented: list[str] = field(default_factory=list)
    interactive: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def count(self, name: str) -> Count:
        return self.counts.setdefault(name, Count())

    def add(self, other: Score) -> None:
        for name, c in other.counts.items():
            self.count(name).add(c)
        self.silent_drops += other.silent_drops
        self.invented += other.invented
        self.interactive += other.interactive
        self.misses += other.misses


def load_expected(data: dict[str, Any]) -> Expected:
    return Expected(str(data["source"]), data.get("commands"), _strs(data.get("steps")), _strs(data.get("edges")),
                    _strs(data.get("inputs")), data.get("decisions"), data.get("exits"))


def _strs(v: Any) -> list[str] | None:
    return None if v is None else [str(x) for x in v]


def _norm(text: str) -> str:
    """Whitespace collapsed and quotes dropped: `-l 'app=x'` (as written) is `-l app=x` (an argv word)."""
    return " ".join(text.replace("'", "").replace('"', "").split())


def op_text(op: Op) -> str:
    """What an op runs (a translated query as written), with `{N}` shown as the operand's name (`{namespace}`)."""
    a = op.attributes
    raw: Any = (op.attr_strs("argv") and " ".join(op.attr_strs("argv") or [])) or a.get("cmd") or a.get("written") \
        or a.get("query") or a.get("code") \
        or a.get("command") or a.get("path") or a.get("url") or ""
    names = [v.name or f"arg{i}" for i, v in enumerate(op.operands)]
    return re.sub(r"\{(\d+)\}", lambda m: "{" + names[int(m.group(1))] + "}" if int(m.group(1)) < len(names)
                  else m.group(0), str(raw))


_UNITS: dict[str, str] = {}  # the document being scored: step label -> its top-level step (see `score`)


def unit_of(label: str, steps: list[str]) -> str:
    """The top-level step a step label belongs to ("2.1" -> "2" when "2" is a step)."""
    if label in _UNITS and _UNITS[label] in steps:
        return _UNITS[label]
    best = ""
    for s in steps:
        if (label == s or label.startswith(s + ".")) and len(s) > len(best):
            best = s
    return best or label.split(".")[0]


def same_step(found: str, want: str) -> bool:
    """Whether a found step label is the expected step: equal, or the document's own number
    under a section ("Diagnosis.1" is step "1" of a runbook whose steps sit under "Diagnosis")."""
    return found == want or found.endswith("." + want)


def _runs(op: Op) -> bool:
    return op.op_name.startswith("tool.") or op.op_name == "ctrl.manual"


def score(module: Module, expected: Expected, text: str, diag_lines: set[int],
          units: dict[str, str] | None = None) -> Score:
    """The fidelity of `module` (compiled from `text`) to `expected` (see the module docstring);
    `units` maps a step label to the top-level step it lies in, where its label does not say
    (a section nested in another: "thanos-compact" under "Many Restarts")."""
    wf = module.workflows[0]
    steps = wf.attr_strs("steps") or []
    global _UNITS
    _UNITS = units or {}
    ops = list(wf.walk())
    sc = Score()
    _commands(sc, expected, ops, steps, text, diag_lines)
    if expected.steps is not None:
        _set(sc.count("steps"), expected.steps, steps)
    if expected.edges is not None:
        _set(sc.count("edges"), [_norm(e) for e in expected.edges], [_norm(e) for e in
                                                                         wf.attr_strs("step_edges") or []])
    if expected.inputs is not None:
        _set(sc.count("inputs"), expected.inputs, wf.attr_strs("arg_names") or [])
    if expected.decisions is not None:
        _decisions(sc, expected.decisions, ops, steps)
    if expected.exits is not None:
        found = [(unit_of(str(op.attributes.get("step", "")), steps), str(op.attributes["status"]))
                 for op in ops if op.op_name == "ctrl.return" and op.attributes.get("status")]
        want = [(str(e["step"]), str(e["status"])) for e in expected.exits]
        named = [next((f"{w}:{b}" for w, ws in want if same_step(a, w) and ws == b), f"{a}:{b}") for a, b in found]
        _set(sc.count("exits"), [f"{a}:{b}" for a, b in want], named)
    for op in ops:
        if op.op_name == "calc.cmp" and op.attributes.get("pred") in _NUMERIC and any(_invented(v) for v in op.operands):
            sc.invented.append(f"{expected.source}:{op.attributes.get('step', '?')}")
        if op.op_name == "tool.shell" and _INTERACTIVE.search(op_text(op)):
            sc.interactive.append(f"{expected.source}: {op_text(op)[:80]}")
    return sc


def _set(c: Count, want: list[str], got: list[str]) -> None:
    c.expected += len(want)
    c.found += len(got)
    pool = list(got)
    for w in want:
        if w in pool:
            pool.remove(w)
            c.tp += 1


def _commands(sc: Score, expected: Expected, ops: list[Op], steps: list[str], text: str, diag_lines: set[int]) -> None:
    if expected.commands is None:
        return
    running = [op for op in ops if _runs(op)]
    c = sc.count("commands")
    c.expected += len(expected.commands)
    c.found += len(running)
    free = list(running)
    for want in expected.commands:
        needle = _norm(str(want["text"]))
        step = str(want.get("step", "")) or None
        hit = next((op for op in free if needle in _norm(op_text(op)) and
                    (step is None or not steps or same_step(unit_of(str(op.attributes.get("step", "")), steps), step))), None)
        if hit is None:
            hit = next((op for op in free if needle in _norm(op_text(op))), None)  # right command, other step
            if hit is not None and step is not None:
                sc.misses.append(f"{expected.source}: '{needle}' in step "
                                 f"{unit_of(str(hit.attributes.get('step', '')), steps)}, expected {step}")
                free.remove(hit)
                if step is not None:
                    sc.count("command_steps").expected += 1
                c.tp += 1
                continue
            sc.misses.append(f"{expected.source}: no op runs '{needle}'")
            line = _line_of(text, str(want.get("source", needle)))
            if line is None or not any(abs(line - d) <= 2 for d in diag_lines):
                sc.silent_drops.append(f"{expected.source}: {needle}")
            continue
        free.remove(hit)
        c.tp += 1
        if step is not None:
            cs = sc.count("command_steps")
            cs.expected += 1
            cs.tp += 1


def _line_of(text: str, needle: str) -> int | None:
    words = needle.lower().split()[:3]  # the needle is normalised (lower case): so is each line
    if not words:
        return None
    for i, line in enumerate(text.split("\n"), 1):
        if all(w in line.lower() for w in words):
            return i
    return None


def _decisions(sc: Score, decisions: list[dict[str, Any]], ops: list[Op], steps: list[str]) -> None:
    found = [op for op in ops if op.op_name == "llm.decide"]
    c, ev = sc.count("decisions"), sc.count("decisions_with_evidence")
    c.expected += len(decisions)
    ev.expected += len(decisions)
    c.found += len(found)
    ev.found += len(found)
    free = list(found)
    for want in decisions:
        step = str(want["step"])
        need = {str(s) for s in want.get("evidence", [])}
        mine = [op for op in free if same_step(unit_of(str(op.attributes.get("step", "")), steps), step)]
        if not mine:
            sc.misses.append(f"decision of step {step} not found")
            continue
        best = max(mine, key=lambda op: len(need & _evidence(op, steps)))
        free.remove(best)
        c.tp += 1
        if need <= _evidence(best, steps):
            ev.tp += 1
        else:
            sc.misses.append(f"decision of step {step} sees {sorted(_evidence(best, steps))}, needs {sorted(need)}")


def _evidence(op: Op, steps: list[str], depth: int = 0) -> set[str]:
    """The steps whose results reach `op` as operands (through data ops and earlier decisions)."""
    out: set[str] = set()
    for v in op.operands:
        d = v.defining_op
        if d is None:
            continue
        label = d.attributes.get("step")
        if isinstance(label, str) and (d.op_name.startswith(("tool.", "ctrl.")) or d.op_name.startswith("llm.")):
            out.add(unit_of(label, steps))
        if depth < 4 and not d.op_name.startswith("tool."):
            out |= _evidence(d, steps, depth + 1)
    return out


def _invented(v: Value) -> bool:
    d = v.defining_op
    if d is None:
        return False  # a workflow input: the user gives the number
    if _from_prose(d):
        return True  # a number read out of what a model wrote ("over 10,000" in an llm.generate answer)
    if d.op_name.startswith(_COMPUTES) or v.type.kind == "num":
        return False
    return True


def _from_prose(op: Op) -> bool:
    """Whether data ops (`regex_extract`, `json_get` ...) derive the value from an llm.generate/agent text."""
    for _ in range(16):
        if op.op_name in ("llm.generate", "llm.agent"):
            return True
        if not op.op_name.startswith("data.") or not op.operands or op.operands[0].defining_op is None:
            return False
        op = op.operands[0].defining_op
    return False


def score_document(doc: Any, expected: Expected) -> Score:
    """Compiles the runbook at `doc` (a path) and scores it; a crash or no module scores zero."""
    from pathlib import Path

    from skc.compiler.frontend.runbook.tsg_md import compile_tsg

    path = Path(doc)
    text = path.read_text(encoding="utf-8")
    result = compile_tsg(path)
    if result.module is None or not result.module.workflows:
        sc = Score()
        sc.count("commands").expected += len(expected.commands or [])
        sc.silent_drops += [f"{expected.source}: (no workflow)"]
        return sc
    lines = {d.loc.line for d in result.diagnostics}
    return score(result.module, expected, text, lines, units_of_document(path, text))


def units_of_document(path: Any, text: str) -> dict[str, str]:
    """Every step label of the document at `path` -> the label of the top-level step (the unit of
    the step graph) it lies in, from the same step tree the front end builds."""
    from skc.compiler.frontend.markdown.document import parse_document
    from skc.compiler.frontend.markdown.step_graph import units_of
    from skc.compiler.frontend.markdown.steps import extract_steps

    out: dict[str, str] = {}
    for u in units_of(extract_steps(parse_document(text, str(path)), [])):
        for s in u.walk():
            out.setdefault(s.label, u.label)
    return out
