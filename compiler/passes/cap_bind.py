"""The `cap-bind` pass: match each llm op's capability needs against the target model's profile.

Each llm op needs some of SkVM's primitives at a minimum level (`needs_of`: a
table per op kind, refined by its result type, tools and prompt keywords). The
profile is `ctx.options["profile"]` (a CapabilityProfile, dict, JSON path or
shipped name; default: the shipped profile of the embedded model). A primitive
whose level is below the need, or that was not measured, is a gap. Gaps are
compensated in this order, each step only while a gap is left:

1. code      the op is already code (`solidified`), or is compiled to code here:
             a yes/no `llm.decide` on one number against a constant in its prompt
             ("above 90") becomes `calc.cmp` + `ctrl.if`; "contains 'x'" on text too;
2. constrain the output is constrained (`constrain = "grammar"` for decide and for
             agent tool calls, `"json_schema"` for extract and JSON generate):
             covers follow.format, gen.text.structured, tool.call.format;
3. split     a prompt with numbered steps becomes a chain of single-step ops:
             lowers follow.procedure / reason.planning needs to L1;
4. example   worked examples (`examples`) from `ctx.options["examples"]` (keyed by
             "file:line" or by prompt): lower a reasoning / generation / format need
             by one level;
5. route     `model = "<name>"` for the first model in `ctx.options["models"]` whose
             profile (its `profile` setting: name, path or dict; or a declared uniform
             `capability_level`) meets what is left. A model without either is not a
             candidate: routing needs evidence, and placement still picks targets by cost.

A profile that cannot be loaded is an error (SKC241). What is left is reported (SKC240): a warning against a profile the user chose, a note
against the default embedded profile (on which most llm steps have gaps; the note says
how to close them). Every op's needs, gaps and compensations go to
`ctx.reports["capability"]`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skc.compiler.caseless import Caseless
from skc.compiler.compare import COMPARISONS
from skc.compiler.passes import Pass, PassContext
from skc.compiler.profile import CapabilityProfile, resolve_profile
from skc.ir.core import Block, Op, Region, replace_all_uses
from skc.ir.dialects.calc import CmpOp
from skc.ir.dialects.ctrl import IfOp, YieldOp
from skc.ir.dialects.data import ConstOp
from skc.ir.dialects.llm import AgentOp, DecideOp, ExtractOp, GenerateOp
from skc.ir.location import Diagnostic, Location
from skc.ir.module import Module
from skc.ir.types import BOOL, NUM, TEXT

# What each llm op class needs (primitive -> minimum level).
NEEDS: dict[type[Op], dict[str, int]] = {
    GenerateOp: {"gen.text.prose": 1, "follow.constraint": 1},
    DecideOp: {"reason.analysis": 1, "follow.format": 1},
    ExtractOp: {"gen.text.structured": 2, "follow.format": 1},
    AgentOp: {"tool.call.format": 2, "follow.procedure": 2, "reason.planning": 1},
}
# Agent tools (lower-cased, without a `(pattern)`) -> the primitive they exercise.
TOOL_NEEDS: dict[str, str] = {
    "read": "tool.file.read", "grep": "tool.file.read", "glob": "tool.file.read", "ls": "tool.file.read",
    "write": "tool.file.write", "edit": "tool.file.write", "multiedit": "tool.file.write",
    "bash": "tool.exec", "shell": "tool.exec", "exec": "tool.exec",
    "webfetch": "tool.web", "websearch": "tool.web", "browser": "tool.browser", "task": "follow.delegation",
}
# Prompt keywords -> extra needs (whole-word, case-insensitive).
KEYWORD_NEEDS: list[tuple[str, str, int]] = [
    (r"python", "gen.code.python", 2), (r"javascript|node\.?js", "gen.code.javascript", 2),
    (r"sql|query", "gen.code.sql", 2), (r"html", "gen.code.html", 2),
    (r"shell command|bash|shell script", "gen.code.shell", 2), (r"regex|regular expression", "gen.regex", 2),
    (r"sum|total|average|percent(age)?|calculate", "reason.arithmetic", 2),
    (r"plan|schedule|order the", "reason.planning", 2), (r"summari[sz]e|root cause|diagnose", "reason.analysis", 2),
    (r"report|article|essay|detailed", "gen.text.long", 1), (r"tone|style|formal|polite", "follow.style", 1),
]
_KEYWORDS = [(Caseless(rf"\b(?:{pattern})\b"), prim, level) for pattern, prim, level in KEYWORD_NEEDS]
_ANY_KEYWORD = Caseless(rf"\b(?:{'|'.join(pattern for pattern, _, _ in KEYWORD_NEEDS)})\b")
CONSTRAINABLE = {"follow.format", "gen.text.structured", "tool.call.format"}
SPLITTABLE = {"follow.procedure", "reason.planning"}
EXAMPLE_HELPS = ("gen.", "reason.", "follow.", "tool.call.")
_YES, _NO = {"yes", "true", "y"}, {"no", "false", "n"}
_THRESHOLD = re.compile(r"\b(greater than|more than|above|over|exceeds?|at least|less than|fewer than|below|under|"
                        r"at most|equal to|equals)\s+(-?\d+(?:\.\d+)?)\s*%?", re.I)
_CONTAINS = re.compile(r"\b(?:contains?|mentions?|includes?)\s+[\"'“]([^\"'”]+)[\"'”]", re.I)
_STEPS = re.compile(r"(?:^|\s)(\d+)[.)]\s+")


def needs_of(op: Op) -> dict[str, int]:
    """The primitives `op` needs and the minimum level of each."""
    needs = dict(NEEDS.get(type(op), {}))
    a = op.attributes
    json_out = bool(op.results) and op.results[0].type.kind == "json"
    if isinstance(op, GenerateOp) and (json_out or "schema" in a):
        needs.pop("gen.text.prose", None)
        needs.update({"gen.text.structured": 2, "follow.format": 1})
    if isinstance(op, DecideOp) and len(a.get("outcomes") or []) > 3:  # type: ignore[arg-type]
        needs["reason.analysis"] = 2
    for tool in a.get("tools") or [] if isinstance(op, AgentOp) else []:  # type: ignore[union-attr]
        prim = TOOL_NEEDS.get(str(tool).split("(", 1)[0].strip().lower())
        if prim:
            needs[prim] = max(needs.get(prim, 0), 1)
    prompt = str(a.get("prompt", ""))
    for keyword, prim, level in _KEYWORDS if _ANY_KEYWORD.found(prompt) else ():
        if keyword.found(prompt):
            needs[prim] = max(needs.get(prim, 0), level)
    steps = len(_steps(prompt)[1])
    if steps >= 2:  # a numbered procedure in one step: 2-3 steps is L2, more is L3
        needs["follow.procedure"] = max(needs.get("follow.procedure", 0), 2 if steps <= 3 else 3)
    elif isinstance(op, AgentOp):  # an open-ended agent step without a written procedure
        needs["follow.procedure"] = 1
    return needs


def _steps(prompt: str) -> tuple[str, list[str]]:
    """(text before the steps, the numbered steps `1. ... 2. ...`), numbered from 1 in order."""
    marks = list(_STEPS.finditer(prompt))
    wanted, kept = 1, []
    for m in marks:
        if int(m.group(1)) == wanted:
            kept.append(m)
            wanted += 1
    if len(kept) < 2:
        return prompt, []
    head = prompt[: kept[0].start()].strip()
    bounds = [m.end() for m in kept] + [len(prompt)]
    starts = [m.start() for m in kept[1:]] + [len(prompt)]
    return head, [prompt[bounds[i]: starts[i]].strip() for i in range(len(kept))]


@dataclass
class Decision:
    """What cap-bind found and did for one op."""

    op: Op
    needs: dict[str, int]
    have: dict[str, int | None]
    step: str = ""  # the op's prompt before any rewrite
    workflow: str = ""
    open: dict[str, int] = field(default_factory=dict)  # primitive -> need still unmet
    compensations: list[dict[str, Any]] = field(default_factory=list)

    def gap(self, primitive: str, need: int) -> bool:
        have = self.have.get(primitive)
        return have is None or have < need

    def settle(self, kind: str, covered: dict[str, int | None], detail: str) -> None:
        """Records compensation `kind`: each `covered` primitive now needs the given level (None:
        nothing, the compensation removes the need)."""
        fixed, lowered = [], {}
        for prim, need in covered.items():
            if prim in self.open:
                if need is not None and self.gap(prim, need):
                    self.open[prim] = lowered[prim] = need
                else:
                    del self.open[prim]
                    fixed.append(prim)
        entry: dict[str, Any] = {"kind": kind, "covers": sorted(fixed), "detail": detail}
        if lowered:
            entry["lowers"] = dict(sorted(lowered.items()))
        self.compensations.append(entry)


@dataclass(frozen=True)
class CapBindPass(Pass):
    """Finds capability gaps of llm ops against the profile and compensates them (code,
    constrain, split, example, route), recording every decision in the capability report."""

    name = "cap-bind"

    def apply(self, ctx: PassContext, module: Module) -> None:
        chosen = ctx.options.get("profile")
        try:
            profile = resolve_profile(chosen)
        except (OSError, ValueError, TypeError) as e:  # pydantic's ValidationError is a ValueError
            ctx.diagnostics.append(Diagnostic("SKC241", Location("<options>", 1, 1),
                                              f"cannot load the capability profile: {e}",
                                              "give a profile JSON file (skc profile -o FILE) or a shipped name"))
            return
        decisions: list[Decision] = []
        for root in module.ops:
            workflow = str(root.attributes.get("sym_name", ""))
            for op in list(root.walk()):
                if type(op) in NEEDS:
                    self.bind(op, profile, ctx, decisions, workflow)
        ctx.reports["capability"] = report(profile, decisions)
        for d in decisions:
            if d.open:
                gaps = ", ".join(f"{p} L{n} (profile: {_lvl(d.have[p])})" for p, n in sorted(d.open.items()))
                ctx.diagnostics.append(Diagnostic(
                    "SKC240", d.op.where, f"{d.op.op_name} needs {gaps} and no compensation applies",
                    "configure a stronger model (options models) or give worked examples",
                    severity="warning" if chosen is not None else "note"))

    def bind(self, op: Op, profile: CapabilityProfile, ctx: PassContext, out: list[Decision],
             workflow: str) -> None:
        """Decides `op` (and the ops a split creates) of `workflow` (the `sym_name` of the top-level
        op holding it), appending the decisions to `out`."""
        needs = needs_of(op)
        d = Decision(op, needs, {p: profile.level(p) for p in needs}, step=str(op.attributes.get("prompt", ""))[:80],
                     workflow=workflow)
        d.open = {p: n for p, n in needs.items() if d.gap(p, n)}
        out.append(d)
        if not d.open:
            return
        if op.attributes.get("solidified"):
            d.settle("code", dict.fromkeys(d.open), "already code (solidified)")
            return
        if (detail := compile_to_code(op)) is not None:
            d.settle("code", dict.fromkeys(d.open), detail)
            return
        if d.open.keys() & CONSTRAINABLE:
            mode = "json_schema" if isinstance(op, ExtractOp) or "gen.text.structured" in needs else "grammar"
            op.attributes["constrain"] = mode
            d.settle("constrain", dict.fromkeys(d.open.keys() & CONSTRAINABLE), f"constrain = {mode}")
        steps: list[Op] = []
        if d.open.keys() & SPLITTABLE and not isinstance(op, AgentOp) and (steps := split(op)):
            d.settle("split", dict.fromkeys(d.open.keys() & SPLITTABLE, 1),
                     f"split into {len(steps) + 1} single-step ops")
        helped: dict[str, int | None] = {p: n - 1 for p, n in d.open.items() if p.startswith(EXAMPLE_HELPS)}
        if helped and (examples := examples_for(op, ctx.options.get("examples"))):
            op.attributes["examples"] = examples
            d.settle("example", helped, f"{len(examples)} worked example(s)")
        if d.open and (routed := route(d, ctx.options.get("models"))):
            name, why = routed
            op.attributes["model"] = name
            d.settle("route", dict.fromkeys(d.open), f"model = {name} ({why})")
        for step in steps:
            self.bind(step, profile, ctx, out, workflow)


def _lvl(level: int | None) -> str:
    return "not measured" if level is None else f"L{level}"


def compile_to_code(op: Op) -> str | None:
    """Replaces a yes/no decision that code can make by calc.cmp + ctrl.if; the detail, or None."""
    outcomes = [str(o) for o in op.attributes.get("outcomes") or []]  # type: ignore[union-attr]
    if not isinstance(op, DecideOp) or len(outcomes) != 2 or len(op.operands) != 1 or op.parent is None:
        return None
    low = [o.lower() for o in outcomes]
    if low[0] in _YES and low[1] in _NO:
        yes, no = outcomes
    elif low[1] in _YES and low[0] in _NO:
        no, yes = outcomes
    else:
        return None
    prompt, value = str(op.attributes.get("prompt", "")), op.operands[0]
    if value.type.kind == "num" and (m := _THRESHOLD.search(prompt)):
        pred = COMPARISONS[m.group(1).lower()]
        number = float(m.group(2))
        constant: object = int(number) if number.is_integer() else number
        ctype, detail = NUM, f"calc.cmp {pred} {m.group(2)}"
    elif value.type.kind == "text" and (m := _CONTAINS.search(prompt)):
        pred, constant, ctype, detail = "contains", m.group(1), TEXT, f"calc.cmp contains {m.group(1)!r}"
    else:
        return None
    block, loc = op.parent, op.loc
    at = block.ops.index(op)
    const = ConstOp([], [ctype], {"value": constant}, loc=loc)  # type: ignore[dict-item]
    cmp = CmpOp([value, const.result], [BOOL], {"pred": pred}, loc=loc)
    branches = []
    for answer in (yes, no):
        body = Block()
        c = body.append(ConstOp([], [TEXT], {"value": answer}, loc=loc))
        body.append(YieldOp([c.result], [], {}, loc=loc))
        branches.append(Region([body]))
    choice = IfOp([cmp.result], [TEXT], {}, branches, loc=loc, result_names=[op.result.name])
    for i, new in enumerate((const, cmp, choice)):
        block.insert(at + i, new)
    root = block.parent_op
    while root is not None and root.parent_op is not None:
        root = root.parent_op
    replace_all_uses(root or choice, op.result, choice.result)
    block.remove(op)
    return detail


def split(op: Op) -> list[Op]:
    """Turns a prompt of numbered steps into a chain: one llm.generate per step but the last,
    each seeing the operands and the previous step's answer; the op keeps the last step.
    Returns the new ops (none when the prompt has no numbered steps)."""
    head, steps = _steps(str(op.attributes.get("prompt", "")))
    if len(steps) < 2 or op.parent is None:
        return []
    block, at = op.parent, op.parent.ops.index(op)
    inherited = {k: v for k, v in op.attributes.items() if k in ("system", "temperature", "model")}
    previous = None
    new: list[Op] = []
    for i, step in enumerate(steps[:-1]):
        text = f"{head}\nStep {i + 1} of {len(steps)}: {step}".strip()
        operands = [*op.operands, *([previous] if previous is not None else [])]
        gen = GenerateOp(operands, [TEXT], {"prompt": text, **inherited}, loc=op.loc)
        block.insert(at + i, gen)
        new.append(gen)
        previous = gen.result
    op.attributes["prompt"] = f"{head}\nStep {len(steps)} of {len(steps)}: {steps[-1]}".strip()
    if previous is not None:
        op.operands.append(previous)
    return new


def examples_for(op: Op, library: Any) -> list[dict[str, str]]:
    """Worked examples for `op` from `ctx.options["examples"]`: by "file:line", else by prompt."""
    if not isinstance(library, Mapping):
        return []
    key = f"{op.where.file}:{op.where.line}"
    found = library.get(key) or library.get(str(op.attributes.get("prompt", ""))) or []
    out = []
    for ex in found if isinstance(found, list) else []:
        if isinstance(ex, Mapping) and "input" in ex and "output" in ex:
            output = ex["output"] if isinstance(ex["output"], str) else json.dumps(ex["output"], sort_keys=True)
            out.append({"input": str(ex["input"]), "output": output})
    return out


def route(d: Decision, models: Any) -> tuple[str, str] | None:
    """The first configured model with a profile that meets every open need, and why."""
    if isinstance(models, Mapping):
        entries = [(str(k), v if isinstance(v, Mapping) else {}) for k, v in models.items()]
    elif isinstance(models, list):
        entries = [(str(m["name"]), m) for m in models if isinstance(m, Mapping) and "name" in m]
    else:
        return None
    for name, settings in entries:
        if "profile" in settings:
            prof = resolve_profile(settings["profile"])
        elif "capability_level" in settings:
            prof = CapabilityProfile.uniform(name, int(settings["capability_level"]))
        else:
            continue
        if all((prof.level(p) or 0) >= n for p, n in d.open.items()):
            return name, f"profile {prof.name} meets {', '.join(f'{p} L{n}' for p, n in sorted(d.open.items()))}"
    return None


def report(profile: CapabilityProfile, decisions: list[Decision]) -> dict[str, Any]:
    """The capability report: per op its needs, gaps, compensations and what is left open."""
    ops = []
    counts: dict[str, int] = {}
    for d in decisions:
        loc = d.op.where
        for c in d.compensations:
            counts[c["kind"]] = counts.get(c["kind"], 0) + 1
        ops.append({
            "workflow": d.workflow, "op": d.op.op_name, "step": d.step, "loc": str(loc), "line": loc.line,
            "needs": dict(sorted(d.needs.items())),
            "gaps": [{"primitive": p, "need": n, "have": d.have[p]} for p, n in sorted(d.needs.items())
                     if d.gap(p, n)],
            "compensations": d.compensations,
            "unresolved": [{"primitive": p, "need": n, "have": d.have[p]} for p, n in sorted(d.open.items())],
        })
    return {"profile": profile.name, "model": profile.model, "ops": ops,
            "summary": {"llm_ops": len(ops), "with_gaps": sum(1 for o in ops if o["gaps"]),
                        "compensations": dict(sorted(counts.items())),
                        "unresolved_ops": sum(1 for o in ops if o["unresolved"])}}
